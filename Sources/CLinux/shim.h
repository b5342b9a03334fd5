// Linux interfaces the server uses that Swift's Glibc module leaves out: epoll and eventfd
// (not in its module map), three GNU extensions (hidden there without _GNU_SOURCE) and
// glibc's mallopt (malloc.h).
#ifndef CLINUX_SHIM_H
#define CLINUX_SHIM_H

#include <malloc.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifndef __USE_GNU
int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
int sched_getaffinity(pid_t pid, size_t size, void *mask);
int pthread_setname_np(pthread_t thread, const char *name);
#endif

static inline int clinux_limit_malloc_arenas(int count) {
    return mallopt(M_ARENA_MAX, count);
}

static inline int clinux_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}

static inline int clinux_sched_getaffinity(size_t size, void *mask) {
    return sched_getaffinity(0, size, mask);
}

static inline int clinux_set_thread_name(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}

// struct epoll_event is packed on x86_64 and not elsewhere; C knows its layout, so Swift
// reads and writes it only through these.
static inline int clinux_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event event = { .events = events, .data = { .u64 = data } };
    return epoll_ctl(epfd, op, fd, &event);
}

static inline size_t clinux_epoll_event_size(void) {
    return sizeof(struct epoll_event);
}

static inline uint32_t clinux_epoll_event_flags(const void *events, int index) {
    return ((const struct epoll_event *)events)[index].events;
}

static inline uint64_t clinux_epoll_event_data(const void *events, int index) {
    return ((const struct epoll_event *)events)[index].data.u64;
}

#endif
