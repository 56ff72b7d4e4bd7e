/* http/ratelimit.c -- GCRA buckets and the per-client table (see ratelimit.h).
 * A bucket's state is tat, the time at which it is full again. Taking c permits moves tat to
 * max(tat, now) + c * interval; that is allowed when the new tat lies at most one bucket
 * (burst) ahead of now, plus whatever the caller may wait. One CAS, no lock.
 * Threads: any. */
#include "http/ratelimit.h"

#include "util/mem.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

void http_bucket_init(http_bucket_t *b, int64_t permits_per_sec)
{
    if (permits_per_sec < 1)
        permits_per_sec = 1;
    b->interval_ns = 1000000000LL / permits_per_sec;
    if (b->interval_ns < 1)
        b->interval_ns = 1;
    b->burst_ns = b->interval_ns * permits_per_sec;
    atomic_init(&b->tat_ns, 0);
}

/* The GCRA step on a plain value: @return the new tat, or -1 when refused. */
static int64_t gcra(int64_t tat, int64_t interval, int64_t burst, int64_t now, int64_t cost,
                    int64_t max_wait, int64_t *wait)
{
    int64_t base = tat > now ? tat : now;
    int64_t next = base + cost * interval;
    int64_t late = next - burst - now; /* > 0: the permits come that much later */
    if (late > max_wait)
        return -1;
    *wait = late > 0 ? late : 0;
    return next;
}

int http_bucket_take(http_bucket_t *b, int64_t now_ns, int64_t cost, int64_t max_wait_ns,
                     int64_t *wait_ns)
{
    int64_t old = atomic_load_explicit(&b->tat_ns, memory_order_relaxed);
    for (;;) {
        int64_t next = gcra(old, b->interval_ns, b->burst_ns, now_ns, cost, max_wait_ns, wait_ns);
        if (next < 0)
            return -1;
        if (atomic_compare_exchange_weak_explicit(&b->tat_ns, &old, next, memory_order_relaxed,
                                                  memory_order_relaxed))
            return 0;
    }
}

typedef struct client_slot {
    uint8_t key[16];
    bool used;
    int64_t tat_ns;
} client_slot_t;

typedef struct client_shard {
    pthread_mutex_t lock;
    client_slot_t slots[HTTP_CLIENT_WAYS]; /* under lock */
} client_shard_t;

struct http_client_limits {
    int64_t interval_ns, burst_ns;
    client_shard_t shards[HTTP_CLIENT_SHARDS];
};

http_client_limits_t *http_client_limits_new(int64_t permits_per_sec)
{
    http_client_limits_t *cl = xcalloc(1, sizeof(*cl));
    http_bucket_t b;
    http_bucket_init(&b, permits_per_sec);
    cl->interval_ns = b.interval_ns;
    cl->burst_ns = b.burst_ns;
    for (size_t i = 0; i < HTTP_CLIENT_SHARDS; i++)
        pthread_mutex_init(&cl->shards[i].lock, NULL);
    return cl;
}

void http_client_limits_free(http_client_limits_t *cl)
{
    if (!cl)
        return;
    for (size_t i = 0; i < HTTP_CLIENT_SHARDS; i++)
        pthread_mutex_destroy(&cl->shards[i].lock);
    xfree(cl);
}

/* The client's key: an IPv4 address (also v4-mapped IPv6), or an IPv6 /64 prefix (one host
 * usually owns a whole /64, so per address would let it rotate past its limit). */
static bool client_key(const struct sockaddr *sa, uint8_t key[16])
{
    memset(key, 0, 16);
    if (sa && sa->sa_family == AF_INET) {
        memcpy(key + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        return true;
    }
    if (!sa || sa->sa_family != AF_INET6)
        return false;
    const uint8_t *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(a, mapped, 12) == 0) {
        memcpy(key + 12, a + 12, 4);
    } else {
        memcpy(key, a, 8);
        key[15] = 1; /* a /64 never collides with an IPv4 key */
    }
    return true;
}

static size_t shard_of(const uint8_t key[16])
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (int i = 0; i < 16; i++)
        h = (h ^ key[i]) * 1099511628211ULL;
    return (size_t)(h % HTTP_CLIENT_SHARDS);
}

/* The client's slot in a shard, or the slot to give it: a free one, else the fullest bucket. */
static client_slot_t *slot_for(client_shard_t *sh, const uint8_t key[16])
{
    client_slot_t *victim = NULL;
    for (size_t i = 0; i < HTTP_CLIENT_WAYS; i++) {
        client_slot_t *s = &sh->slots[i];
        if (s->used && memcmp(s->key, key, 16) == 0)
            return s;
        if (!victim || (victim->used && (!s->used || s->tat_ns < victim->tat_ns)))
            victim = s;
    }
    memcpy(victim->key, key, 16);
    victim->used = true;
    victim->tat_ns = 0;
    return victim;
}

int http_client_limits_take(http_client_limits_t *cl, const struct sockaddr *sa, int64_t now_ns,
                            int64_t cost, int64_t max_wait_ns, int64_t *wait_ns)
{
    uint8_t key[16];
    *wait_ns = 0;
    if (!client_key(sa, key))
        return 0;
    client_shard_t *sh = &cl->shards[shard_of(key)];
    pthread_mutex_lock(&sh->lock);
    client_slot_t *s = slot_for(sh, key);
    int64_t next =
        gcra(s->tat_ns, cl->interval_ns, cl->burst_ns, now_ns, cost, max_wait_ns, wait_ns);
    if (next >= 0)
        s->tat_ns = next;
    pthread_mutex_unlock(&sh->lock);
    return next >= 0 ? 0 : -1;
}
