/* kafka/loop.c -- the kafka loop thread (see loop.h).
 * Threads: the loop thread runs callbacks; watch/unwatch take loop->lock, which the loop
 * thread holds while it runs a callback, so unwatch waits for a running callback to end. */
#include "kafka/loop.h"

#include "util/log.h"
#include "util/mem.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

struct kafka_loop_watch {
    int fd; /* eventfd librdkafka writes to */
    rd_kafka_queue_t *q;
    kafka_loop_fn fn;
    void *arg;
    bool dead;                     /* guarded by loop->lock: unwatched, free it soon */
    struct kafka_loop_watch *next; /* in loop->graveyard */
};

struct kafka_loop {
    int epfd;
    int stopfd; /* eventfd: written to stop the thread */
    pthread_t thread;
    pthread_mutex_t lock; /* held while a callback runs, and by watch/unwatch */
    /* Unwatched watches, guarded by lock: freed by the loop thread before its next
     * epoll_wait, when no event of the last batch can still point at them. */
    kafka_loop_watch_t *graveyard;
};

static void bury(kafka_loop_t *loop)
{
    pthread_mutex_lock(&loop->lock);
    kafka_loop_watch_t *w = loop->graveyard;
    loop->graveyard = NULL;
    pthread_mutex_unlock(&loop->lock);
    while (w) {
        kafka_loop_watch_t *next = w->next;
        close(w->fd);
        xfree(w);
        w = next;
    }
}

static void drain_fd(int fd)
{
    uint64_t v;
    while (read(fd, &v, sizeof(v)) > 0)
        ;
}

static void *loop_main(void *arg)
{
    kafka_loop_t *loop = arg;
    struct epoll_event evs[64];
    for (;;) {
        bury(loop);
        int n = epoll_wait(loop->epfd, evs, 64, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            log_error("kafka loop: epoll_wait: %s", strerror(errno));
            return NULL;
        }
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr == NULL)
                return NULL; /* the stop fd */
            kafka_loop_watch_t *w = evs[i].data.ptr;
            pthread_mutex_lock(&loop->lock);
            if (!w->dead) {
                drain_fd(w->fd);
                w->fn(w->arg);
            }
            pthread_mutex_unlock(&loop->lock);
        }
    }
}

kafka_loop_t *kafka_loop_new(kr_err_t *err)
{
    kafka_loop_t *loop = xcalloc(1, sizeof(*loop));
    pthread_mutex_init(&loop->lock, NULL);
    loop->epfd = epoll_create1(EPOLL_CLOEXEC);
    loop->stopfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (loop->epfd < 0 || loop->stopfd < 0 ||
        epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->stopfd, &ev) != 0 ||
        pthread_create(&loop->thread, NULL, loop_main, loop) != 0) {
        kr_err_set(err, KR_ERR_INTERNAL, "cannot start the kafka loop: %s", strerror(errno));
        if (loop->epfd >= 0)
            close(loop->epfd);
        if (loop->stopfd >= 0)
            close(loop->stopfd);
        xfree(loop);
        return NULL;
    }
    return loop;
}

kafka_loop_watch_t *kafka_loop_watch(kafka_loop_t *loop, rd_kafka_queue_t *q, kafka_loop_fn fn,
                                     void *arg, kr_err_t *err)
{
    kafka_loop_watch_t *w = xcalloc(1, sizeof(*w));
    w->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    w->q = q;
    w->fn = fn;
    w->arg = arg;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = w};
    if (w->fd < 0 || epoll_ctl(loop->epfd, EPOLL_CTL_ADD, w->fd, &ev) != 0) {
        kr_err_set(err, KR_ERR_INTERNAL, "cannot watch a Kafka queue: %s", strerror(errno));
        if (w->fd >= 0)
            close(w->fd);
        xfree(w);
        return NULL;
    }
    static const uint64_t one = 1;
    rd_kafka_queue_io_event_enable(q, w->fd, &one, sizeof(one));
    /* Events that arrived before the fd was attached never woke anyone: look once now. */
    if (write(w->fd, &one, sizeof(one)) < 0)
        log_warn("kafka loop: cannot wake the loop: %s", strerror(errno));
    return w;
}

void kafka_loop_kick(kafka_loop_watch_t *w)
{
    static const uint64_t one = 1;
    if (write(w->fd, &one, sizeof(one)) < 0)
        log_warn("kafka loop: cannot wake the loop: %s", strerror(errno));
}

kafka_loop_watch_t *kafka_loop_every(kafka_loop_t *loop, int64_t interval_ms, kafka_loop_fn fn,
                                     void *arg, kr_err_t *err)
{
    kafka_loop_watch_t *w = xcalloc(1, sizeof(*w));
    w->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    w->fn = fn;
    w->arg = arg;
    struct itimerspec its = {
        .it_interval = {interval_ms / 1000, (interval_ms % 1000) * 1000000},
        .it_value = {interval_ms / 1000, (interval_ms % 1000) * 1000000},
    };
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = w};
    if (w->fd < 0 || timerfd_settime(w->fd, 0, &its, NULL) != 0 ||
        epoll_ctl(loop->epfd, EPOLL_CTL_ADD, w->fd, &ev) != 0) {
        kr_err_set(err, KR_ERR_INTERNAL, "cannot start a kafka loop timer: %s", strerror(errno));
        if (w->fd >= 0)
            close(w->fd);
        xfree(w);
        return NULL;
    }
    return w;
}

void kafka_loop_unwatch(kafka_loop_t *loop, kafka_loop_watch_t *w)
{
    if (!w)
        return;
    if (w->q)
        rd_kafka_queue_io_event_enable(w->q, -1, NULL, 0);
    pthread_mutex_lock(&loop->lock);
    epoll_ctl(loop->epfd, EPOLL_CTL_DEL, w->fd, NULL);
    w->dead = true;
    w->next = loop->graveyard;
    loop->graveyard = w;
    pthread_mutex_unlock(&loop->lock);
}

void kafka_loop_free(kafka_loop_t *loop)
{
    if (!loop)
        return;
    static const uint64_t one = 1;
    if (write(loop->stopfd, &one, sizeof(one)) < 0)
        log_warn("kafka loop: cannot stop the loop: %s", strerror(errno));
    pthread_join(loop->thread, NULL);
    bury(loop);
    close(loop->stopfd);
    close(loop->epfd);
    pthread_mutex_destroy(&loop->lock);
    xfree(loop);
}
