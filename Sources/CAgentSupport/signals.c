// Signal plumbing: a signalfd read on the agent's event-loop thread replaces handlers, so
// no disposition is ever replaced behind our back (the libdispatch SIG_IGN pitfall).
#define _GNU_SOURCE
#include "CAgentSupport.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

static void cas_fill(sigset_t *set, const int *signals, int count) {
    sigemptyset(set);
    for (int i = 0; i < count; i++) sigaddset(set, signals[i]);
}

int cas_block_signals(const int *signals, int count) {
    sigset_t set;
    cas_fill(&set, signals, count);
    int rc = pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    return 0;
}

int cas_unblock_all_signals(void) {
    sigset_t empty;
    sigemptyset(&empty);
    return sigprocmask(SIG_SETMASK, &empty, NULL);
}

int cas_signalfd_open(const int *signals, int count) {
    if (cas_block_signals(signals, count) < 0) return -1;
    sigset_t set;
    cas_fill(&set, signals, count);
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int cas_signalfd_read(int fd) {
    struct signalfd_siginfo info;
    ssize_t n;
    do {
        n = read(fd, &info, sizeof info);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    if (n != (ssize_t)sizeof info) return 0;
    return (int)info.ssi_signo;
}

int cas_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }
