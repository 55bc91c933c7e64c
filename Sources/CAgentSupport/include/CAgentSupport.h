#ifndef ROLLOUT_CAGENTSUPPORT_H
#define ROLLOUT_CAGENTSUPPORT_H

// glibc pieces Swift cannot import directly (macros, _GNU_SOURCE-only calls, fork+exec).
// Every symbol is prefixed `cas_` so its origin is obvious at the call site.

#include <stddef.h>
#include <sys/types.h>

/// WIFEXITED / WEXITSTATUS / WIFSIGNALED / WTERMSIG for a wait(2) status.
int cas_wifexited(int status);
int cas_wexitstatus(int status);
int cas_wifsignaled(int status);
int cas_wtermsig(int status);

/// Everything the child needs between fork and exec, prepared by the parent so that the
/// child only makes async-signal-safe calls.
typedef struct cas_spawn_request {
    const char *path;              ///< absolute path of the program
    char *const *argv;             ///< NULL-terminated
    char *const *envp;             ///< NULL-terminated; one entry may be the LISTEN_PID slot
    char *listen_pid_slot;         ///< "LISTEN_PID=" followed by room for 20 digits, or NULL
    const int *inherit_fds;        ///< placed at fd 3, 4, ... in this order
    int inherit_count;
    int stdout_fd;                 ///< becomes fd 1 and 2 (or -1: /dev/null)
    const char *working_directory; ///< or NULL
    int new_session;               ///< setsid() so the generation is its own process group
    int change_user;               ///< apply gid, groups, uid (agent runs as root)
    uid_t uid;
    gid_t gid;
    const gid_t *groups;
    int group_count;
} cas_spawn_request;

/// Forks and execs `request`. In the child: fds from `inherit_fds` land at 3..., stdin is
/// /dev/null, stdout and stderr go to `stdout_fd`, every other fd is closed, the signal mask is
/// emptied and every disposition reset to default, LISTEN_PID is set to the child's own pid.
/// Returns the child's pid, or -1 with `*child_errno` set (by the parent or, through a
/// close-on-exec pipe, by the child: the exec or set-up step that failed) and `*failed_step`
/// naming that step.
pid_t cas_spawn(const cas_spawn_request *request, int *child_errno, const char **failed_step);

/// Forks the log holder of one generation: a second holder of the pipe's read end `read_fd`, idle
/// while the calling agent lives, exiting when the pipe has no writer left. If the agent dies first it
/// reads the pipe and appends the lines, tagged `TIME gen=N pid=P | line`, to `log_path` (opened at
/// that moment; NULL or unopenable: `sink_fd`), so the service never gets SIGPIPE or a full pipe.
/// Returns the holder's pid, or -1 and errno.
pid_t cas_spawn_log_holder(int read_fd, int sink_fd, const char *log_path, int generation, pid_t service_pid);

/// A signalfd for `signals` (also blocks them in the calling thread). -1 and errno on failure.
int cas_signalfd_open(const int *signals, int count);
/// Reads one signal from a signalfd: the signal number, 0 when none is pending, -1 on error.
int cas_signalfd_read(int fd);
/// Blocks `signals` in the calling thread (and threads it creates later).
int cas_block_signals(const int *signals, int count);
/// Empties the calling thread's signal mask (before exec-ing a new agent binary).
int cas_unblock_all_signals(void);

/// Makes the calling process a child subreaper: orphaned descendants are re-parented to it.
int cas_set_child_subreaper(void);

/// Receives one datagram and, with SO_PASSCRED enabled, the sender's pid (0 when unknown).
/// Returns the byte count or -1 and errno.
ssize_t cas_recv_with_pid(int fd, void *buffer, size_t length, pid_t *sender);
/// Enables SO_PASSCRED on a socket.
int cas_enable_passcred(int fd);
/// The uid of the peer of a connected AF_UNIX socket (SO_PEERCRED), or -1 and errno.
int cas_peer_uid(int fd, uid_t *uid, pid_t *pid);

/// accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK).
int cas_accept_nonblocking(int fd);
/// pipe2(fds, O_CLOEXEC).
int cas_pipe_cloexec(int fds[2]);
/// eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK).
int cas_eventfd(void);

/// pidfd_open(pid, 0): an fd that becomes readable when `pid` exits, for a process that need not be a
/// child. -1 and errno.
int cas_pidfd_open(pid_t pid);
/// pidfd_getfd(pidfd, target_fd, 0): a close-on-exec copy of another process's fd (same open file,
/// so a listening socket keeps its accept queue). Needs ptrace access to it (root). -1 and errno.
int cas_pidfd_getfd(int pidfd, int target_fd);
/// 1 when `fd` is a listening SOCK_STREAM socket bound to `expected` (family, address and port, or
/// the Unix path), else 0.
int cas_is_listener_at(int fd, const void *expected, unsigned int expected_length);
/// Sends one sd_notify datagram `message` to `socket_path` (`@name`: abstract) with `count` fds
/// (at most 16) as SCM_RIGHTS, as FDSTORE=1 needs. Bytes sent, or -1 and errno.
ssize_t cas_notify_with_fds(const char *socket_path, const char *message, size_t length, const int *fds, int count);
/// Receives one datagram and the fds it carries (SCM_RIGHTS, close-on-exec; beyond `max_fds` they are closed), as
/// systemd's side of FDSTORE=1 does. Returns the byte count or -1 and errno.
ssize_t cas_recv_with_fds(int fd, void *buffer, size_t length, int *fds, int max_fds, int *fd_count);
/// Closes every fd from `first` up (close_range, or one by one where it is missing).
int cas_close_from(int first);

#endif
