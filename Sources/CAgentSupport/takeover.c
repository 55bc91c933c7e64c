// What a new agent needs to take over a running service from a dead one: pidfds (to watch and copy
// fds from processes that are not its children), a check that a copied fd is the listening socket it
// should be, and sd_notify messages that carry fds (systemd's file-descriptor store).
#define _GNU_SOURCE
#include "CAgentSupport.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

int cas_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0U); }

int cas_pidfd_getfd(int pidfd, int target_fd) { return (int)syscall(SYS_pidfd_getfd, pidfd, target_fd, 0U); }

// Compares the address part that identifies a bound socket (family, port, address; the path for AF_UNIX).
static int cas_same_address(const struct sockaddr_storage *a, socklen_t a_length, const struct sockaddr *b,
                            socklen_t b_length) {
    if (a->ss_family != b->sa_family) return 0;
    switch (a->ss_family) {
    case AF_INET: {
        const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    case AF_INET6: {
        const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
        return x->sin6_port == y->sin6_port && memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
    }
    case AF_UNIX: {
        const struct sockaddr_un *x = (const void *)a, *y = (const void *)b;
        size_t offset = offsetof(struct sockaddr_un, sun_path);
        size_t x_length = a_length > offset ? strnlen(x->sun_path, a_length - offset) : 0;
        size_t y_length = b_length > offset ? strnlen(y->sun_path, b_length - offset) : 0;
        return x_length == y_length && memcmp(x->sun_path, y->sun_path, x_length) == 0;
    }
    default:
        return 0;
    }
}

int cas_is_listener_at(int fd, const void *expected, unsigned int expected_length) {
    int listening = 0, type = 0;
    socklen_t length = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) < 0 || !listening) return 0;
    length = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) < 0 || type != SOCK_STREAM) return 0;
    struct sockaddr_storage bound;
    socklen_t bound_length = sizeof bound;
    memset(&bound, 0, sizeof bound);
    if (getsockname(fd, (struct sockaddr *)&bound, &bound_length) < 0) return 0;
    return cas_same_address(&bound, bound_length, (const struct sockaddr *)expected, (socklen_t)expected_length);
}

ssize_t cas_notify_with_fds(const char *socket_path, const char *message, size_t length, const int *fds, int count) {
    if (count < 0 || count > 16) {
        errno = EINVAL;
        return -1;
    }
    struct sockaddr_un address;
    memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    size_t path_length = strlen(socket_path);
    if (path_length == 0 || path_length >= sizeof address.sun_path) {
        errno = EINVAL;
        return -1;
    }
    memcpy(address.sun_path, socket_path, path_length);
    socklen_t address_length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + path_length + 1);
    if (socket_path[0] == '@') {  // an abstract name, as systemd spells it
        address.sun_path[0] = 0;
        address_length -= 1;
    }
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct iovec iov = { (void *)message, length };
    union {
        struct cmsghdr align;
        char data[CMSG_SPACE(sizeof(int) * 16)];
    } control;
    memset(&control, 0, sizeof control);
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_name = &address;
    msg.msg_namelen = address_length;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (count > 0) {
        msg.msg_control = control.data;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)count);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)count);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)count);
    }
    ssize_t sent;
    do {
        sent = sendmsg(fd, &msg, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    int saved = errno;
    close(fd);
    errno = saved;
    return sent;
}

int cas_close_from(int first) {
    if (syscall(SYS_close_range, (unsigned)first, ~0U, 0U) == 0) return 0;
    for (int fd = first; fd < 65536; fd++) (void)close(fd);
    return 0;
}
