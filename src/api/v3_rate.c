/* api/v3_rate.c -- the v3 produce rate limiter (API.md §3.8): with
 * api.v3.produce.rate.limit.enabled=true and rate.limit.enable=true, every record of
 * …/records and …/records:batch takes, in Confluent's order, one permit of the instance's
 * record rate, its JSON size of the instance's byte rate, then the same of the cluster's
 * (krest serves one cluster, so one pair of cluster buckets). A record refused by any of them
 * gets the in-band 429; permits are not waited for (rate.limit.timeout.ms is not applied).
 * Buckets are GCRA (as http/ratelimit.c's): one atomic word each, a second of burst.
 * Threads: any (lock-free). */
#include "api/v3_produce_int.h"

#include "util/clock.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct bucket {
    _Atomic int64_t tat_ns;
    int64_t interval_ns, burst_ns;
} bucket_t;

static struct {
    pthread_once_t once;
    bool on;
    bucket_t req_global, bytes_global, req_cluster, bytes_cluster;
} rl = {.once = PTHREAD_ONCE_INIT};

static const krest_config_t *init_cfg;

static void bucket_init(bucket_t *b, int64_t per_sec)
{
    b->interval_ns = 1000000000LL / (per_sec > 0 ? per_sec : 1);
    if (b->interval_ns < 1)
        b->interval_ns = 1;
    b->burst_ns = 1000000000LL;
    atomic_init(&b->tat_ns, 0);
}

static bool bucket_take(bucket_t *b, int64_t now, int64_t cost)
{
    int64_t old = atomic_load_explicit(&b->tat_ns, memory_order_relaxed);
    for (;;) {
        int64_t next = (old > now ? old : now) + cost * b->interval_ns;
        if (next - b->burst_ns > now)
            return false;
        if (atomic_compare_exchange_weak_explicit(&b->tat_ns, &old, next, memory_order_relaxed,
                                                  memory_order_relaxed))
            return true;
    }
}

static void rl_init(void)
{
    const krest_config_t *c = init_cfg;
    rl.on = c->v3_rate_enabled && c->rate_limit_enable;
    bucket_init(&rl.req_global, c->v3_rate_requests_global);
    bucket_init(&rl.bytes_global, c->v3_rate_bytes_global);
    bucket_init(&rl.req_cluster, c->v3_rate_requests);
    bucket_init(&rl.bytes_cluster, c->v3_rate_bytes);
}

void v3p_rate_check(const api_ctx_t *ctx, v3p_slot_t *s)
{
    if (s->code)
        return;
    init_cfg = ctx->cfg;
    pthread_once(&rl.once, rl_init);
    if (!rl.on)
        return;
    int64_t now = kr_clock_mono_us() * 1000;
    int64_t bytes = (int64_t)s->rec.json_size;
    if (!bucket_take(&rl.req_global, now, 1) || !bucket_take(&rl.bytes_global, now, bytes) ||
        !bucket_take(&rl.req_cluster, now, 1) || !bucket_take(&rl.bytes_cluster, now, bytes))
        v3p_slot_fail(s, KR_ERR_RATE_LIMITED,
                      "Request rate limit exceeded: The rate limit of requests per second has "
                      "been exceeded.");
}
