// netdelay: a fixed one-way delay between the controller and each benchmark host, in user space.
//
// bench/vs-peers needs hosts behind a real round-trip time. `tc qdisc add ... netem delay` is the usual tool,
// but this machine's kernel has no sch_netem (tc answers "Error: Specified qdisc kind is unknown."), and no
// module can be loaded. So each host's link is a pair of TUN devices, PREFIX-o<i> (stays in the caller's
// network namespace, the controller's side) and PREFIX-i<i> (the caller moves it into host i's namespace), and
// this program moves every IP packet from one to the other after ONE_WAY_US microseconds. Both ends are the
// kernel's own TCP stacks; only the wire is simulated: no loss, no reordering, no bandwidth limit.
//
//   netdelay ONE_WAY_US PREFIX N     creates the 2N devices, prints "ready" on stdout, forwards until SIGTERM;
//                                    the devices disappear when it exits.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define MAX_PACKET 65536

// Every link has the same delay, so packets become due in the order they arrived: one FIFO serves all links.
struct packet {
    struct packet *next;
    long long due_us;
    int out_fd;
    int length;
    unsigned char data[];
};

static struct packet *head, *tail;
static volatile sig_atomic_t stopping;

static long long now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int open_tun(const char *name) {
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        perror("netdelay: open /dev/net/tun");
        exit(1);
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        fprintf(stderr, "netdelay: TUNSETIFF %s: %s\n", name, strerror(errno));
        exit(1);
    }
    return fd;
}

static void on_term(int sig) {
    (void)sig;
    stopping = 1;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: netdelay ONE_WAY_US PREFIX N\n");
        return 2;
    }
    long long delay = atoll(argv[1]);
    const char *prefix = argv[2];
    int n = atoi(argv[3]);
    if (delay < 0 || n < 1 || n > 4000 || strlen(prefix) > 8) {
        fprintf(stderr, "netdelay: bad arguments (ONE_WAY_US >= 0, 1 <= N <= 4000, PREFIX at most 8 chars)\n");
        return 2;
    }
    // fds[2k] is host k's outer device, fds[2k+1] its inner one; a packet read from one is written to the other.
    struct pollfd *fds = calloc(2 * n, sizeof *fds);
    for (int k = 0; k < n; k++) {
        char name[IFNAMSIZ];
        snprintf(name, sizeof name, "%s-o%d", prefix, k + 1);
        fds[2 * k].fd = open_tun(name);
        snprintf(name, sizeof name, "%s-i%d", prefix, k + 1);
        fds[2 * k + 1].fd = open_tun(name);
        fds[2 * k].events = fds[2 * k + 1].events = POLLIN;
    }
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    printf("ready\n");
    fflush(stdout);
    long long forwarded = 0, dropped = 0;
    while (!stopping) {
        // ppoll, not poll: poll sleeps whole milliseconds, too coarse for a 0.5 ms delay.
        struct timespec timeout, *wait_for = NULL;
        if (head) {
            long long wait = head->due_us - now_us();
            if (wait < 0) wait = 0;
            timeout.tv_sec = wait / 1000000;
            timeout.tv_nsec = (wait % 1000000) * 1000;
            wait_for = &timeout;
        }
        int ready = ppoll(fds, 2 * n, wait_for, NULL);
        if (ready < 0 && errno != EINTR) {
            perror("netdelay: poll");
            return 1;
        }
        for (int i = 0; ready > 0 && i < 2 * n; i++) {
            if (!(fds[i].revents & POLLIN)) continue;
            for (;;) {
                struct packet *p = malloc(sizeof *p + MAX_PACKET);
                ssize_t len = read(fds[i].fd, p->data, MAX_PACKET);
                if (len <= 0) {
                    free(p);
                    break;
                }
                p->length = (int)len;
                p->out_fd = fds[i ^ 1].fd;
                p->due_us = now_us() + delay;
                p->next = NULL;
                p = realloc(p, sizeof *p + len);
                if (tail) tail->next = p; else head = p;
                tail = p;
            }
        }
        long long now = now_us();
        while (head && head->due_us <= now) {
            struct packet *p = head;
            head = p->next;
            if (!head) tail = NULL;
            // A device whose link is not up yet (or a full queue) drops the packet, as a wire would.
            if (write(p->out_fd, p->data, p->length) == p->length) forwarded++; else dropped++;
            free(p);
        }
    }
    fprintf(stderr, "netdelay: %lld packets forwarded, %lld dropped\n", forwarded, dropped);
    return 0;
}
