/* http/ratelimit.h -- token buckets for the rate limits (http/admission.c): one bucket as a
 * single atomic word (GCRA, the "generic cell rate algorithm": the bucket is the theoretical
 * arrival time of the next permit), and a bounded table of buckets keyed by client address.
 * A bucket holds one second of permits and starts full. Nothing here sleeps: a caller that may
 * wait gets the wait back and holds the request itself.
 * May use: util/. Threads: any (buckets lock-free; the client table a mutex per shard). */
#ifndef KR_HTTP_RATELIMIT_H
#define KR_HTTP_RATELIMIT_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/socket.h>

typedef struct http_bucket {
    _Atomic int64_t tat_ns; /* when the bucket will be full again (monotonic ns) */
    int64_t interval_ns;    /* one permit */
    int64_t burst_ns;       /* a full bucket: one second of permits */
} http_bucket_t;

/** Sets up a full bucket of permits_per_sec (>= 1) permits per second. */
void http_bucket_init(http_bucket_t *b, int64_t permits_per_sec);

/** Takes cost permits at now_ns (monotonic) if they are there, or will be within max_wait_ns.
 * @return 0 with *wait_ns (0, or how long the caller must wait: the permits are reserved), or
 *         -1 when refused (nothing taken). */
int http_bucket_take(http_bucket_t *b, int64_t now_ns, int64_t cost, int64_t max_wait_ns,
                     int64_t *wait_ns);

typedef struct http_client_limits http_client_limits_t;

/** A table of per-client buckets, bounded (HTTP_CLIENT_SLOTS clients; when a shard is full
 * the client whose bucket is fullest, i.e. idle longest, makes room: nothing is lost when its
 * bucket was full). IPv4 clients are keyed by address, IPv6 ones by their /64 prefix.
 * @return owned, free with http_client_limits_free. */
http_client_limits_t *http_client_limits_new(int64_t permits_per_sec);

/** Frees the table; NULL is a no-op. */
void http_client_limits_free(http_client_limits_t *cl);

/** http_bucket_take() on the bucket of client sa (AF_INET or AF_INET6; another family is
 * always admitted). */
int http_client_limits_take(http_client_limits_t *cl, const struct sockaddr *sa, int64_t now_ns,
                            int64_t cost, int64_t max_wait_ns, int64_t *wait_ns);

#define HTTP_CLIENT_SHARDS 64
#define HTTP_CLIENT_WAYS   64
#define HTTP_CLIENT_SLOTS  (HTTP_CLIENT_SHARDS * HTTP_CLIENT_WAYS)

#endif
