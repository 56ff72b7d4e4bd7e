/* http/header_deadline.c -- the header-read deadline (see header_deadline.h). A chained hash of
 * the open connections by their MHD_Connection pointer under one mutex (each operation touches
 * one short chain); the watchdog sweeps the table every SWEEP_MS.
 * Threads: see header_deadline.h. */
#include "http/header_deadline.h"

#include "util/clock.h"
#include "util/log.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#define N_BUCKETS 4096
#define SWEEP_MS  250

typedef struct hd_conn {
    struct MHD_Connection *conn;
    int fd;
    int64_t due_ms; /* monotonic; 0: no deadline (a request is between headers and response) */
    struct hd_conn *next;
} hd_conn_t;

struct http_header_deadline {
    int64_t header_ms, idle_ms;
    pthread_mutex_t lock; /* the table, and every shutdown(2) */
    pthread_cond_t wake;  /* stop */
    bool stop;
    hd_conn_t *buckets[N_BUCKETS];
    pthread_t thread;
};

static size_t bucket_of(const struct MHD_Connection *conn)
{
    uintptr_t p = (uintptr_t)conn;
    p ^= p >> 17;
    p *= (uintptr_t)0x9E3779B97F4A7C15ull;
    return (size_t)(p >> 20) % N_BUCKETS;
}

/* @return the entry of conn, or NULL; under lock. */
static hd_conn_t **find(http_header_deadline_t *hd, const struct MHD_Connection *conn)
{
    hd_conn_t **p = &hd->buckets[bucket_of(conn)];
    while (*p && (*p)->conn != conn)
        p = &(*p)->next;
    return *p ? p : NULL;
}

/* One sweep: shuts down every overdue connection once. @return how many. Under lock. */
static unsigned sweep(http_header_deadline_t *hd, int64_t now)
{
    unsigned n = 0;
    for (size_t b = 0; b < N_BUCKETS; b++)
        for (hd_conn_t *c = hd->buckets[b]; c; c = c->next)
            if (c->due_ms != 0 && c->due_ms <= now) {
                shutdown(c->fd, SHUT_RDWR);
                c->due_ms = 0;
                n++;
            }
    return n;
}

static void *watchdog(void *arg)
{
    http_header_deadline_t *hd = arg;
    pthread_mutex_lock(&hd->lock);
    while (!hd->stop) {
        unsigned n = sweep(hd, kr_clock_mono_ms());
        if (n > 0)
            log_debug("closed %u connection(s) whose request headers took longer than %lld ms", n,
                      (long long)hd->header_ms);
        struct timespec ts = kr_clock_after(CLOCK_MONOTONIC, SWEEP_MS);
        pthread_cond_timedwait(&hd->wake, &hd->lock, &ts);
    }
    pthread_mutex_unlock(&hd->lock);
    return NULL;
}

http_header_deadline_t *http_header_deadline_new(int64_t header_ms, int64_t idle_ms)
{
    if (header_ms <= 0)
        return NULL;
    http_header_deadline_t *hd = xcalloc(1, sizeof(*hd));
    hd->header_ms = header_ms;
    hd->idle_ms = idle_ms > 0 ? idle_ms : 0;
    pthread_mutex_init(&hd->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&hd->wake, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&hd->thread, NULL, watchdog, hd) != 0) {
        log_warn("no header-read deadline: cannot start its thread");
        pthread_cond_destroy(&hd->wake);
        pthread_mutex_destroy(&hd->lock);
        xfree(hd);
        return NULL;
    }
    return hd;
}

void http_header_deadline_free(http_header_deadline_t *hd)
{
    if (!hd)
        return;
    pthread_mutex_lock(&hd->lock);
    hd->stop = true;
    pthread_cond_signal(&hd->wake);
    pthread_mutex_unlock(&hd->lock);
    pthread_join(hd->thread, NULL);
    for (size_t b = 0; b < N_BUCKETS; b++)
        while (hd->buckets[b]) {
            hd_conn_t *c = hd->buckets[b];
            hd->buckets[b] = c->next;
            xfree(c);
        }
    pthread_cond_destroy(&hd->wake);
    pthread_mutex_destroy(&hd->lock);
    xfree(hd);
}

static void opened(http_header_deadline_t *hd, struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci)
        return;
    hd_conn_t *c = xcalloc(1, sizeof(*c));
    c->conn = conn;
    c->fd = ci->connect_fd;
    c->due_ms = kr_clock_mono_ms() + hd->header_ms;
    size_t b = bucket_of(conn);
    pthread_mutex_lock(&hd->lock);
    c->next = hd->buckets[b];
    hd->buckets[b] = c;
    pthread_mutex_unlock(&hd->lock);
}

static void closed(http_header_deadline_t *hd, struct MHD_Connection *conn)
{
    pthread_mutex_lock(&hd->lock);
    hd_conn_t **p = find(hd, conn);
    hd_conn_t *c = p ? *p : NULL;
    if (c)
        *p = c->next;
    pthread_mutex_unlock(&hd->lock);
    xfree(c);
}

void http_header_deadline_notify(http_header_deadline_t *hd, struct MHD_Connection *conn,
                                 enum MHD_ConnectionNotificationCode toe)
{
    if (!hd)
        return;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED)
        opened(hd, conn);
    else
        closed(hd, conn);
}

static void set_due(http_header_deadline_t *hd, struct MHD_Connection *conn, int64_t due_ms)
{
    pthread_mutex_lock(&hd->lock);
    hd_conn_t **p = find(hd, conn);
    if (p)
        (*p)->due_ms = due_ms;
    pthread_mutex_unlock(&hd->lock);
}

void http_header_deadline_headers_in(http_header_deadline_t *hd, struct MHD_Connection *conn)
{
    if (hd)
        set_due(hd, conn, 0);
}

void http_header_deadline_request_done(http_header_deadline_t *hd, struct MHD_Connection *conn)
{
    if (hd)
        set_due(hd, conn, kr_clock_mono_ms() + hd->idle_ms + hd->header_ms);
}
