// Socket ancillary data (CMSG_* macros) and peer credentials, which Swift cannot import.
#define _GNU_SOURCE
#include "CAgentSupport.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/eventfd.h>
#include <sys/un.h>
#include <fcntl.h>
#include <unistd.h>

int cas_enable_passcred(int fd) {
    int on = 1;
    return setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
}

// One datagram with its ancillary data: the sender's pid (SO_PASSCRED) and the fds it carries, kept in `fds` up to
// `max_fds` (close-on-exec) and closed beyond that (or all of them when `fds` is NULL).
static ssize_t cas_recv_message(int fd, void *buffer, size_t length, pid_t *sender, int *fds, int max_fds,
                                int *fd_count) {
    struct iovec iov = { buffer, length };
    union {
        struct cmsghdr align;
        char data[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 16)];
    } control;
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data;
    msg.msg_controllen = sizeof control.data;
    ssize_t n;
    do {
        n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (sender) *sender = 0;
    if (fd_count) *fd_count = 0;
    if (n < 0) return -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS && sender) {
            struct ucred cred;
            memcpy(&cred, CMSG_DATA(c), sizeof cred);
            *sender = cred.pid;
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            int received[16];
            memcpy(received, CMSG_DATA(c), count * sizeof(int));
            for (size_t i = 0; i < count && i < 16; i++) {
                if (fds && *fd_count < max_fds) fds[(*fd_count)++] = received[i];
                else close(received[i]);
            }
        }
    }
    return n;
}

// sd_notify may pass fds (FDSTORE); the agent's notify sockets do not keep them.
ssize_t cas_recv_with_pid(int fd, void *buffer, size_t length, pid_t *sender) {
    return cas_recv_message(fd, buffer, length, sender, NULL, 0, NULL);
}

ssize_t cas_recv_with_fds(int fd, void *buffer, size_t length, int *fds, int max_fds, int *fd_count) {
    return cas_recv_message(fd, buffer, length, NULL, fds, max_fds, fd_count);
}

int cas_peer_uid(int fd, uid_t *uid, pid_t *pid) {
    struct ucred cred;
    socklen_t length = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) < 0) return -1;
    *uid = cred.uid;
    *pid = cred.pid;
    return 0;
}

int cas_accept_nonblocking(int fd) { return accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK); }

int cas_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int cas_eventfd(void) { return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }
