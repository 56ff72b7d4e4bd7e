/* kafka/principals.c -- the pool of per-principal handles (see principals.h).
 * Threads: pool->lock guards the list, every entry's refs, state and last use; handles are
 * made and destroyed outside the lock (by the opening worker, the reaper thread, or main at
 * exit). An entry is destroyed only when unlinked with refs == 0, so a holder never sees it
 * go. */
#include "kafka/principals.h"

#include "kafka/admin.h"
#include "kafka/client.h"
#include "kafka/metadata.h"
#include "kafka/producer.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/metrics.h"

#include <librdkafka/rdkafka.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#define HASH_LEN 32

typedef enum entry_state {
    ST_OPENING = 0, /* its opener makes and checks the handles */
    ST_READY = 1,
} entry_state_t;

struct kafka_principal {
    kafka_principals_t *pool;
    kafka_principal_t *prev, *next; /* most recently used first */
    char *name;
    char *password; /* owned; the handles' configuration holds it anyway */
    unsigned char hash[HASH_LEN];
    int refs;
    entry_state_t state;
    bool orphan; /* unlinked while held (its producer failed): the last release destroys it */
    int64_t last_used_ms;
    kafka_client_user_t user_producer, user_admin; /* must outlive the handles */
    kafka_producer_t *producer;
    rd_kafka_t *admin_rk;
    kafka_admin_t *kadmin;
    kafka_md_cache_t *md; /* the user's metadata view (listings) */
    void *ext;
};

struct kafka_principals {
    const krest_config_t *cfg;
    kafka_loop_t *loop;
    kr_workq_t *workq;
    kafka_principal_ext_new_fn ext_new;
    kafka_principal_ext_free_fn ext_free;
    void *opaque;
    pthread_mutex_t lock;
    pthread_cond_t changed; /* an entry left ST_OPENING; or stop */
    kafka_principal_t *head;
    size_t n;
    size_t dying; /* unlinked entries not destroyed yet: they count against max too */
    kafka_principal_t *graveyard; /* orphans released for the last time: the reaper destroys */
    int64_t handles; /* atomic: librdkafka handles alive (also of entries being destroyed) */
    bool stop;
    pthread_t reaper;
};

static void key_hash(const char *name, const char *password, unsigned char out[HASH_LEN])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int len = HASH_LEN;
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    EVP_DigestUpdate(md, name, strlen(name) + 1);
    EVP_DigestUpdate(md, password, strlen(password));
    EVP_DigestFinal_ex(md, out, &len);
    EVP_MD_CTX_free(md);
}

/* --- the list (lock held) ------------------------------------------------------------------ */

static void unlink_entry(kafka_principals_t *pool, kafka_principal_t *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        pool->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    e->prev = e->next = NULL;
    pool->n--;
}

static void push_front(kafka_principals_t *pool, kafka_principal_t *e)
{
    e->prev = NULL;
    e->next = pool->head;
    if (pool->head)
        pool->head->prev = e;
    pool->head = e;
    pool->n++;
}

static kafka_principal_t *lookup(kafka_principals_t *pool, const char *name,
                                 const unsigned char hash[HASH_LEN])
{
    for (kafka_principal_t *e = pool->head; e; e = e->next)
        if (strcmp(e->name, name) == 0 && CRYPTO_memcmp(e->hash, hash, HASH_LEN) == 0)
            return e;
    return NULL;
}

/* Unlinks e for destruction; it still counts against max until destroy() ends. Lock held. */
static void retire(kafka_principals_t *pool, kafka_principal_t *e)
{
    unlink_entry(pool, e);
    pool->dying++;
}

/* lookup(), except that a ready entry whose producer failed (fatal error) is retired: into
 * *dead when nobody holds it (the caller destroys it), else orphaned (its last release
 * destroys it). Lock held. */
static kafka_principal_t *lookup_live(kafka_principals_t *pool, const char *name,
                                      const unsigned char hash[HASH_LEN], kafka_principal_t **dead)
{
    kafka_principal_t *e = lookup(pool, name, hash);
    if (!e || e->state != ST_READY || !kafka_producer_failed(e->producer))
        return e;
    retire(pool, e);
    if (e->refs == 0)
        *dead = e;
    else
        e->orphan = true;
    return NULL;
}

static kafka_principal_t *take(kafka_principals_t *pool, kafka_principal_t *e)
{
    e->refs++;
    e->last_used_ms = kr_clock_mono_ms();
    if (pool->head != e) {
        unlink_entry(pool, e);
        push_front(pool, e);
    }
    return e;
}

/* The least recently used entry nobody holds, unlinked; or NULL. */
static kafka_principal_t *evict_lru(kafka_principals_t *pool)
{
    kafka_principal_t *last = pool->head;
    while (last && last->next)
        last = last->next;
    for (kafka_principal_t *e = last; e; e = e->prev) {
        if (e->refs == 0 && e->state == ST_READY) {
            retire(pool, e);
            return e;
        }
    }
    return NULL;
}

/* --- handles (no lock) ---------------------------------------------------------------------- */

static void destroy(kafka_principal_t *e)
{
    if (!e)
        return;
    if (e->ext && e->pool->ext_free)
        e->pool->ext_free(e->ext);
    kafka_admin_free(e->kadmin);
    kafka_md_cache_free(e->md); /* no fetch runs: each has a waiting job, holding a reference */
    if (e->producer) {
        kafka_producer_free(e->producer);
        __atomic_sub_fetch(&e->pool->handles, 1, __ATOMIC_ACQ_REL);
    }
    if (e->admin_rk) {
        rd_kafka_destroy(e->admin_rk);
        __atomic_sub_fetch(&e->pool->handles, 1, __ATOMIC_ACQ_REL);
    }
    explicit_bzero(e->password, strlen(e->password));
    xfree(e->password);
    xfree(e->name);
    kafka_principals_t *pool = e->pool;
    xfree(e);
    pthread_mutex_lock(&pool->lock);
    pool->dying--;
    pthread_cond_broadcast(&pool->changed); /* a slot is free */
    pthread_mutex_unlock(&pool->lock);
}

/* One Metadata request on the admin handle, in slices so that a refused password is seen
 * when librdkafka reports it (error_cb, served by rd_kafka_poll here) rather than at the
 * timeout. */
static int check_credentials(kafka_principal_t *e, int64_t timeout_ms, kr_err_t *err)
{
    int64_t deadline = kr_clock_mono_ms() + timeout_ms;
    for (;;) {
        const struct rd_kafka_metadata *md = NULL;
        int64_t t0 = kr_clock_mono_ms();
        rd_kafka_resp_err_t rc = rd_kafka_metadata(e->admin_rk, 0, NULL, &md, 100);
        if (rc == RD_KAFKA_RESP_ERR_NO_ERROR) {
            rd_kafka_metadata_destroy(md);
            return 0;
        }
        if (kr_clock_mono_ms() - t0 < 20) /* refused at once (no broker up): do not spin */
            rd_kafka_poll(e->admin_rk, 20);
        rd_kafka_poll(e->admin_rk, 0);
        if (__atomic_load_n(&e->user_admin.auth_failed, __ATOMIC_ACQUIRE))
            return kr_err_set(err, KR_ERR_KAFKA_AUTHENTICATION,
                              "Kafka refused the credentials of user '%s': %s", e->name,
                              e->user_admin.auth_msg);
        if (kr_clock_mono_ms() >= deadline)
            return kr_err_set(err, KR_ERR_BROKER_NOT_AVAILABLE,
                              "Kafka brokers are not available: no answer to user '%s' within "
                              "%lld ms: %s",
                              e->name, (long long)timeout_ms, rd_kafka_err2str(rc));
    }
}

static int make_handles(kafka_principals_t *pool, kafka_principal_t *e, kr_err_t *err)
{
    e->user_admin = (kafka_client_user_t){.name = e->name, .password = e->password};
    e->user_producer = e->user_admin;
    rd_kafka_conf_t *conf = kafka_client_conf(pool->cfg, "admin", NULL);
    kafka_client_as_user(conf, &e->user_admin);
    char errstr[512];
    e->admin_rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (!e->admin_rk) {
        rd_kafka_conf_destroy(conf);
        return kr_err_set(err, KR_ERR_INTERNAL, "cannot create a Kafka handle: %s", errstr);
    }
    __atomic_add_fetch(&pool->handles, 1, __ATOMIC_ACQ_REL);
    if (check_credentials(e, pool->cfg->client_timeout_ms, err) != 0)
        return -1;
    e->kadmin = kafka_admin_new(e->admin_rk, pool->loop, err);
    if (!e->kadmin)
        return -1;
    e->producer = kafka_producer_new_as(pool->cfg, pool->loop, &e->user_producer, err);
    if (!e->producer)
        return -1;
    __atomic_add_fetch(&pool->handles, 1, __ATOMIC_ACQ_REL);
    e->md = kafka_md_cache_new(e->admin_rk, pool->workq, pool->cfg->metadata_max_age_ms,
                               pool->cfg->client_timeout_ms);
    e->ext = pool->ext_new ? pool->ext_new(pool->opaque, e) : NULL;
    return 0;
}

/* --- the pool ------------------------------------------------------------------------------- */

kafka_principal_t *kafka_principals_find(kafka_principals_t *pool, const char *name,
                                         const char *password)
{
    unsigned char hash[HASH_LEN];
    key_hash(name, password, hash);
    pthread_mutex_lock(&pool->lock);
    kafka_principal_t *e = lookup(pool, name, hash);
    /* a failed producer is replaced by kafka_principals_open, on a worker */
    bool ready = e && e->state == ST_READY && !kafka_producer_failed(e->producer);
    e = ready ? take(pool, e) : NULL;
    pthread_mutex_unlock(&pool->lock);
    return e;
}

typedef enum step {
    STEP_FOUND,    /* *out: a ready entry, taken */
    STEP_RESERVED, /* *out: a new entry in ST_OPENING, taken: the caller opens it */
    STEP_DESTROY,  /* *out: a retired entry the caller destroys before trying again */
    STEP_FULL,     /* err set: every slot is in use */
} step_t;

/* Waits on pool->changed until deadline_ms. Lock held. @return false when the time is up. */
static bool wait_change(kafka_principals_t *pool, int64_t deadline_ms)
{
    int64_t left = deadline_ms - kr_clock_mono_ms();
    if (left <= 0)
        return false;
    struct timespec ts = kr_clock_after(CLOCK_REALTIME, left);
    pthread_cond_timedwait(&pool->changed, &pool->lock, &ts);
    return true;
}

/* One step of opening (name, hash): the entry, a new reservation, or a slot to free first.
 * Waits (up to deadline_ms) while the entry is being opened by another request, or while
 * every slot is taken but one is being freed. Lock held. */
static step_t open_step(kafka_principals_t *pool, const char *name, const char *password,
                        const unsigned char *hash, int64_t deadline_ms, kafka_principal_t **out,
                        kr_err_t *err)
{
    for (;;) {
        kafka_principal_t *dead = NULL;
        kafka_principal_t *e = lookup_live(pool, name, hash, &dead);
        if (dead) {
            *out = dead;
            return STEP_DESTROY;
        }
        if (e && e->state == ST_READY) {
            *out = take(pool, e);
            return STEP_FOUND;
        }
        if (!e && pool->n + pool->dying < (size_t)pool->cfg->kafka_principal_max)
            break;
        if (!e && (*out = evict_lru(pool)) != NULL)
            return STEP_DESTROY;
        if ((e || pool->dying > 0) && wait_change(pool, deadline_ms))
            continue; /* its opener decides; or a slot is being freed */
        kr_err_set(err, KR_ERR_TOO_MANY_REQUESTS,
                   "Too many requests: all %lld Kafka principal handles are in use "
                   "(krest.kafka.principal.max), retry later",
                   (long long)pool->cfg->kafka_principal_max);
        return STEP_FULL;
    }
    kafka_principal_t *e = xcalloc(1, sizeof(*e));
    e->pool = pool;
    e->name = xstrdup(name);
    e->password = xstrdup(password);
    memcpy(e->hash, hash, HASH_LEN);
    e->state = ST_OPENING;
    push_front(pool, e);
    *out = take(pool, e);
    return STEP_RESERVED;
}

kafka_principal_t *kafka_principals_open(kafka_principals_t *pool, const char *name,
                                         const char *password, kr_err_t *err)
{
    unsigned char hash[HASH_LEN];
    key_hash(name, password, hash);
    int64_t deadline = kr_clock_mono_ms() + 2000; /* for a free slot or another's opening */
    kafka_principal_t *e = NULL;
    step_t st;
    for (;;) {
        pthread_mutex_lock(&pool->lock);
        st = open_step(pool, name, password, hash, deadline, &e, err);
        pthread_mutex_unlock(&pool->lock);
        if (st != STEP_DESTROY)
            break;
        destroy(e);
    }
    if (st != STEP_RESERVED)
        return st == STEP_FOUND ? e : NULL;
    int rc = make_handles(pool, e, err);
    pthread_mutex_lock(&pool->lock);
    if (rc == 0) {
        e->state = ST_READY;
    } else {
        e->refs--;
        retire(pool, e); /* waiters for the same key open it again themselves */
    }
    pthread_cond_broadcast(&pool->changed);
    pthread_mutex_unlock(&pool->lock);
    if (rc == 0)
        return e;
    destroy(e);
    return NULL;
}

kafka_principal_t *kafka_principal_keep(kafka_principal_t *p)
{
    pthread_mutex_lock(&p->pool->lock);
    p->refs++;
    pthread_mutex_unlock(&p->pool->lock);
    return p;
}

void kafka_principal_release(kafka_principal_t *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->pool->lock);
    p->refs--;
    p->last_used_ms = kr_clock_mono_ms();
    if (p->orphan && p->refs == 0) {
        /* Not destroyed here: the last holder may be a delivery report or an admin result on
         * the kafka loop, which cannot free its own handles (kafka_loop_unwatch takes the
         * loop's lock, which the loop holds while it dispatches). */
        p->next = p->pool->graveyard;
        p->pool->graveyard = p;
        pthread_cond_broadcast(&p->pool->changed);
    }
    pthread_mutex_unlock(&p->pool->lock);
}

kafka_producer_t *kafka_principal_producer(const kafka_principal_t *p)
{
    return p->producer;
}

rd_kafka_t *kafka_principal_admin_rk(const kafka_principal_t *p)
{
    return p->admin_rk;
}

kafka_md_cache_t *kafka_principal_md(const kafka_principal_t *p)
{
    return p->md;
}

kafka_admin_t *kafka_principal_kadmin(const kafka_principal_t *p)
{
    return p->kadmin;
}

void *kafka_principal_ext(const kafka_principal_t *p)
{
    return p->ext;
}

const char *kafka_principal_name(const kafka_principal_t *p)
{
    return p->name;
}

static int64_t handles_gauge(void *arg)
{
    kafka_principals_t *pool = arg;
    return __atomic_load_n(&pool->handles, __ATOMIC_ACQUIRE);
}

size_t kafka_principals_count(kafka_principals_t *pool)
{
    pthread_mutex_lock(&pool->lock);
    size_t n = pool->n;
    pthread_mutex_unlock(&pool->lock);
    return n;
}

/* --- the reaper ----------------------------------------------------------------------------- */

/* Unlinks every unused entry idle longer than idle.ms (all of them when stopping). Lock held.
 * @return the unlinked entries, chained through next. */
static kafka_principal_t *take_idle(kafka_principals_t *pool, bool all)
{
    kafka_principal_t *out = NULL, *e = pool->head;
    int64_t now = kr_clock_mono_ms();
    while (e) {
        kafka_principal_t *next = e->next;
        if (e->refs == 0 && e->state == ST_READY &&
            (all || now - e->last_used_ms >= pool->cfg->kafka_principal_idle_ms)) {
            retire(pool, e);
            e->next = out;
            out = e;
        }
        e = next;
    }
    return out;
}

static void destroy_chain(kafka_principal_t *e)
{
    while (e) {
        kafka_principal_t *next = e->next;
        destroy(e);
        e = next;
    }
}

static void *reaper_main(void *arg)
{
    kafka_principals_t *pool = arg;
    int64_t period = pool->cfg->kafka_principal_idle_ms / 4;
    period = period < 50 ? 50 : period > 1000 ? 1000 : period;
    pthread_mutex_lock(&pool->lock);
    while (!pool->stop) {
        struct timespec ts = kr_clock_after(CLOCK_REALTIME, period);
        pthread_cond_timedwait(&pool->changed, &pool->lock, &ts);
        kafka_principal_t *idle = take_idle(pool, false), *dead = pool->graveyard;
        pool->graveyard = NULL;
        if (!idle && !dead)
            continue;
        pthread_mutex_unlock(&pool->lock);
        destroy_chain(dead);
        destroy_chain(idle);
        pthread_mutex_lock(&pool->lock);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

kafka_principals_t *kafka_principals_new(const krest_config_t *cfg, kafka_loop_t *loop,
                                         kr_workq_t *workq, kafka_principal_ext_new_fn ext_new,
                                         kafka_principal_ext_free_fn ext_free, void *opaque,
                                         kr_err_t *err)
{
    kafka_principals_t *pool = xcalloc(1, sizeof(*pool));
    pool->cfg = cfg;
    pool->loop = loop;
    pool->workq = workq;
    pool->ext_new = ext_new;
    pool->ext_free = ext_free;
    pool->opaque = opaque;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->changed, NULL);
    if (pthread_create(&pool->reaper, NULL, reaper_main, pool) != 0) {
        pthread_cond_destroy(&pool->changed);
        pthread_mutex_destroy(&pool->lock);
        xfree(pool);
        kr_err_set(err, KR_ERR_INTERNAL, "cannot start the principal pool's thread");
        return NULL;
    }
    kr_metrics_gauge_fn(KR_M_KAFKA_PRINCIPAL_HANDLES, handles_gauge, pool);
    return pool;
}

void kafka_principals_free(kafka_principals_t *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->stop = true;
    pthread_cond_broadcast(&pool->changed);
    pthread_mutex_unlock(&pool->lock);
    pthread_join(pool->reaper, NULL);
    kr_metrics_gauge_fn(KR_M_KAFKA_PRINCIPAL_HANDLES, NULL, NULL);
    pthread_mutex_lock(&pool->lock);
    kafka_principal_t *all = take_idle(pool, true), *dead = pool->graveyard;
    pool->graveyard = NULL;
    pthread_mutex_unlock(&pool->lock);
    destroy_chain(dead);
    destroy_chain(all);
    pthread_mutex_lock(&pool->lock);
    size_t left = pool->n + pool->dying;
    pthread_mutex_unlock(&pool->lock);
    if (left)
        log_error("%zu Kafka principal identities still in use at exit: left to the process", left);
    if (left)
        return; /* their holders may still run: the exiting process keeps the pool */
    pthread_cond_destroy(&pool->changed);
    pthread_mutex_destroy(&pool->lock);
    xfree(pool);
}
