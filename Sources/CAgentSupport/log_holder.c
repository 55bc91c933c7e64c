// The log holder: a second holder of one generation's log pipe, so that the service's output never
// depends on the agent being alive. Forked (no exec) from the multi-threaded agent, so the child only
// makes async-signal-safe calls, on data the parent prepared.
//
// While the agent lives the holder only keeps the read end open and never reads it (the agent reads
// every line); it exits when the pipe has no writer left. When the agent dies it takes over: it reads
// the pipe and appends the lines, tagged like the agent tags them, to the log file (or the stderr the
// agent had), until the pipe has no writer left.
#define _GNU_SOURCE
#include "CAgentSupport.h"
#include "child_signals.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

enum { HOLDER_READ_FD = 3, HOLDER_SINK_FD = 4, HOLDER_LINE_MAX = 65536 };

static char holder_line[HOLDER_LINE_MAX];
static size_t holder_line_length;
// Set by SIGTERM: a new agent took the pipe over (see `holder_relay`).
static volatile sig_atomic_t holder_released;

static void holder_on_term(int signal) {
    (void)signal;
    holder_released = 1;
}

static size_t holder_put_number(char *out, long value, int width) {
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value > 0 || n < width);
    for (int i = 0; i < n; i++) out[i] = digits[n - 1 - i];
    return (size_t)n;
}

// `2026-11-22T02:10:54.566Z`, like MonotonicClock.wallTimestamp (gmtime_r is not async-signal-safe).
static size_t holder_timestamp(char *out) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    long days = (long)(now.tv_sec / 86400), seconds = (long)(now.tv_sec % 86400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    long z = days + 719468, era = z / 146097, doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    long day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9, year = yoe + era * 400 + (month <= 2);
    size_t n = holder_put_number(out, year, 4);
    out[n++] = '-';
    n += holder_put_number(out + n, month, 2);
    out[n++] = '-';
    n += holder_put_number(out + n, day, 2);
    out[n++] = 'T';
    n += holder_put_number(out + n, seconds / 3600, 2);
    out[n++] = ':';
    n += holder_put_number(out + n, seconds / 60 % 60, 2);
    out[n++] = ':';
    n += holder_put_number(out + n, seconds % 60, 2);
    out[n++] = '.';
    n += holder_put_number(out + n, now.tv_nsec / 1000000, 3);
    out[n++] = 'Z';
    return n;
}

static void holder_emit(int sink, int generation, pid_t pid) {
    char prefix[96];
    size_t n = holder_timestamp(prefix);
    memcpy(prefix + n, " gen=", 5);
    n += 5;
    n += holder_put_number(prefix + n, generation, 1);
    memcpy(prefix + n, " pid=", 5);
    n += 5;
    n += holder_put_number(prefix + n, pid, 1);
    memcpy(prefix + n, " | ", 3);
    n += 3;
    struct iovec parts[3] = {
        { prefix, n }, { holder_line, holder_line_length }, { (void *)"\n", 1 },
    };
    // One writev: an O_APPEND file gets the whole line at once. Errors (EPIPE: SIGPIPE is ignored) are dropped.
    ssize_t ignored = writev(sink, parts, 3);
    (void)ignored;
    holder_line_length = 0;
}

// Reads the pipe until no writer is left, appending tagged lines to `sink`. SIGTERM (sent by a new agent that
// has copied the read end) ends it after the chunk in hand, so no line it read is lost.
static void holder_relay(int sink, int generation, pid_t pid) {
    char buffer[16384];
    while (!holder_released) {
        ssize_t got = read(HOLDER_READ_FD, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0 && errno == EAGAIN) {
            struct pollfd wait = { HOLDER_READ_FD, POLLIN, 0 };
            (void)poll(&wait, 1, -1);
            continue;
        }
        if (got <= 0) break;
        for (ssize_t i = 0; i < got; i++) {
            if (buffer[i] == '\n') {
                holder_emit(sink, generation, pid);
            } else {
                holder_line[holder_line_length++] = buffer[i];
                if (holder_line_length == HOLDER_LINE_MAX) holder_emit(sink, generation, pid);  // a runaway line
            }
        }
    }
    if (holder_line_length > 0) holder_emit(sink, generation, pid);
}

static int holder_agent_gone(pid_t agent) { return getppid() != agent; }

static void holder_child(int read_fd, int sink_fd, const char *log_path, int generation, pid_t service_pid,
                         pid_t agent) {
    cas_child_reset_signals();
    signal(SIGPIPE, SIG_IGN);  // a sink nobody reads any more must not kill the holder
    struct sigaction on_term;
    memset(&on_term, 0, sizeof on_term);
    on_term.sa_handler = holder_on_term;  // no SA_RESTART: poll returns EINTR
    sigaction(SIGTERM, &on_term, NULL);
    (void)setsid();  // a Ctrl-C or SIGHUP aimed at the agent's terminal must not reach it

    // The read end and the sink at 3 and 4 (moved above first so dup2 never clobbers a source).
    int moved_read = fcntl(read_fd, F_DUPFD_CLOEXEC, 5);
    int moved_sink = fcntl(sink_fd, F_DUPFD_CLOEXEC, 5);
    if (moved_read < 0 || moved_sink < 0) _exit(1);
    if (dup2(moved_read, HOLDER_READ_FD) < 0 || dup2(moved_sink, HOLDER_SINK_FD) < 0) _exit(1);
    // stdin/stdout never used; stderr kept only when it is the sink (the agent logs to its stderr).
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull >= 0) {
        dup2(devnull, 0);
        dup2(devnull, 1);
        if (log_path) dup2(devnull, 2);
    }
    // Nothing else of the agent's (listeners, control socket, other pipes) stays open here.
    if (syscall(SYS_close_range, 5U, ~0U, 0U) < 0) {
        for (int fd = 5; fd < 65536; fd++) (void)close(fd);
    }

    int agent_fd = (int)syscall(SYS_pidfd_open, agent, 0U);
    while (!holder_agent_gone(agent)) {
        // events 0 on the pipe: only POLLHUP (no writer left), never POLLIN (the agent reads the lines).
        struct pollfd fds[2] = { { HOLDER_READ_FD, 0, 0 }, { agent_fd, POLLIN, 0 } };
        int ready = poll(fds, agent_fd >= 0 ? 2 : 1, agent_fd >= 0 ? -1 : 100);
        if (holder_released) _exit(0);  // the agent's successor reads the pipe now
        if (ready < 0) continue;
        if (fds[0].revents & (POLLHUP | POLLERR)) _exit(0);  // the generation is gone; the agent drains the rest
        if (agent_fd >= 0 && (fds[1].revents & POLLIN) && !holder_agent_gone(agent)) {
            // Readable but still our parent (not expected): fall back to checking every 100 ms.
            close(agent_fd);
            agent_fd = -1;
        }
    }
    int sink = HOLDER_SINK_FD;
    if (log_path) {
        // The file at the path now (it may have been rotated since the generation started).
        int reopened = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (reopened >= 0) sink = reopened;
    }
    holder_relay(sink, generation, service_pid);
    _exit(0);
}

pid_t cas_spawn_log_holder(int read_fd, int sink_fd, const char *log_path, int generation, pid_t service_pid) {
    pid_t agent = getpid();
    pid_t pid = fork();
    if (pid == 0) holder_child(read_fd, sink_fd, log_path, generation, service_pid, agent);
    return pid;
}
