// fork + exec for the agent's children. Between fork and exec the child only makes
// async-signal-safe calls (the agent is multi-threaded), on data the parent prepared.
#define _GNU_SOURCE
#include "CAgentSupport.h"
#include "child_signals.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

struct cas_child_failure {
    int error;
    int step;
};

static const char *const cas_steps[] = {
    "fork", "setsid", "dup", "open /dev/null", "chdir", "setgroups", "setgid", "setuid", "execve",
};

static void cas_child_fail(int pipe_fd, int step) {
    struct cas_child_failure failure = { errno, step };
    ssize_t ignored = write(pipe_fd, &failure, sizeof failure);
    (void)ignored;
    _exit(127);
}

static void cas_write_pid(char *slot, pid_t pid) {
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + pid % 10);
        pid /= 10;
    } while (pid > 0);
    char *out = slot + strlen("LISTEN_PID=");
    while (n > 0) *out++ = digits[--n];
    *out = '\0';
}

void cas_child_reset_signals(void) {
    // Dispositions first, then the mask: nothing is pending in a fresh child.
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        (void)sigaction(sig, &dfl, NULL);  // EINVAL for glibc-internal signals is fine
    }
    sigset_t empty;
    sigemptyset(&empty);
    (void)sigprocmask(SIG_SETMASK, &empty, NULL);
}

static void cas_child(const cas_spawn_request *r, int error_pipe) {
    cas_child_reset_signals();

    if (r->new_session && setsid() < 0) cas_child_fail(error_pipe, 1);

    // Move everything we still need above the target range so dup2 never clobbers a source.
    int base = 3 + r->inherit_count;
    if (error_pipe >= base) base = error_pipe + 1;
    if (r->stdout_fd >= base) base = r->stdout_fd + 1;
    for (int i = 0; i < r->inherit_count; i++) {
        if (r->inherit_fds[i] >= base) base = r->inherit_fds[i] + 1;
    }
    int moved_pipe = fcntl(error_pipe, F_DUPFD_CLOEXEC, base);
    if (moved_pipe < 0) cas_child_fail(error_pipe, 2);
    error_pipe = moved_pipe;
    int moved[r->inherit_count > 0 ? r->inherit_count : 1];
    for (int i = 0; i < r->inherit_count; i++) {
        moved[i] = fcntl(r->inherit_fds[i], F_DUPFD_CLOEXEC, base);
        if (moved[i] < 0) cas_child_fail(error_pipe, 2);
    }
    int out = r->stdout_fd;
    if (out >= 0) {
        out = fcntl(out, F_DUPFD_CLOEXEC, base);
        if (out < 0) cas_child_fail(error_pipe, 2);
    }
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0) cas_child_fail(error_pipe, 3);
    if (dup2(devnull, 0) < 0) cas_child_fail(error_pipe, 2);
    if (dup2(out >= 0 ? out : devnull, 1) < 0) cas_child_fail(error_pipe, 2);
    if (dup2(out >= 0 ? out : devnull, 2) < 0) cas_child_fail(error_pipe, 2);
    for (int i = 0; i < r->inherit_count; i++) {
        // dup2 onto a different fd clears FD_CLOEXEC on the target: exactly what must survive.
        if (dup2(moved[i], 3 + i) < 0) cas_child_fail(error_pipe, 2);
    }
    // Everything above the inherited range closes at exec (the error pipe stays usable until then).
    unsigned int first = (unsigned int)(3 + r->inherit_count);
    if (close_range(first, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
        for (int fd = (int)first; fd < 65536; fd++) (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    }

    if (r->working_directory && chdir(r->working_directory) < 0) cas_child_fail(error_pipe, 4);
    if (r->change_user) {
        if (setgroups((size_t)r->group_count, r->groups) < 0) cas_child_fail(error_pipe, 5);
        if (setgid(r->gid) < 0) cas_child_fail(error_pipe, 6);
        if (setuid(r->uid) < 0) cas_child_fail(error_pipe, 7);
    }
    if (r->listen_pid_slot) cas_write_pid(r->listen_pid_slot, getpid());
    execve(r->path, r->argv, r->envp);
    cas_child_fail(error_pipe, 8);
}

pid_t cas_spawn(const cas_spawn_request *request, int *child_errno, const char **failed_step) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) < 0) {
        *child_errno = errno;
        *failed_step = "pipe2";
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        *child_errno = errno;
        *failed_step = cas_steps[0];
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(pipe_fds[0]);
        cas_child(request, pipe_fds[1]);
    }
    close(pipe_fds[1]);
    struct cas_child_failure failure;
    ssize_t n;
    do {
        n = read(pipe_fds[0], &failure, sizeof failure);
    } while (n < 0 && errno == EINTR);
    close(pipe_fds[0]);
    if (n == (ssize_t)sizeof failure) {
        // The child reported a set-up failure and exits 127: reap it here, it never ran.
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        *child_errno = failure.error;
        int step = failure.step;
        *failed_step = (step >= 0 && step < (int)(sizeof cas_steps / sizeof cas_steps[0])) ? cas_steps[step] : "?";
        return -1;
    }
    return pid;
}
