/* api/forward_nonce.c -- a bounded set of nonces, each kept until its request could no longer
 * be accepted (see forward_nonce.h). Open addressing with linear probing; expired entries are
 * dropped when the table is rebuilt (when max_live slots, at most half, are used). The nonces are
 * random and checked only after their HMAC, so their first bytes are a good hash. Threads: any (the
 * mutex guards everything). */
#include "api/forward_nonce.h"

#include "util/mem.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

typedef struct slot {
    unsigned char nonce[FWD_NONCE_LEN];
    int64_t expires_ms; /* 0: empty */
} slot_t;

struct fwd_nonces {
    pthread_mutex_t lock;
    slot_t *slots; /* lock */
    uint32_t cap;  /* a power of two, 2 * max_live rounded up */
    uint32_t used; /* lock: slots not empty (expired ones included) */
    uint32_t max_live;
};

static uint32_t slot_of(const fwd_nonces_t *n, const unsigned char *nonce)
{
    uint32_t h;
    memcpy(&h, nonce, sizeof(h));
    return h & (n->cap - 1);
}

/* Puts nonce at its first empty slot. @return true, or false when it is there already (and
 * not expired). */
static bool put(fwd_nonces_t *n, const unsigned char *nonce, int64_t expires_ms, int64_t now_ms)
{
    for (uint32_t i = slot_of(n, nonce);; i = (i + 1) & (n->cap - 1)) {
        slot_t *s = &n->slots[i];
        if (s->expires_ms == 0) {
            memcpy(s->nonce, nonce, FWD_NONCE_LEN);
            s->expires_ms = expires_ms;
            n->used++;
            return true;
        }
        if (s->expires_ms > now_ms && memcmp(s->nonce, nonce, FWD_NONCE_LEN) == 0)
            return false;
    }
}

/* Keeps the entries not yet expired, in a fresh table. */
static void rebuild(fwd_nonces_t *n, int64_t now_ms)
{
    slot_t *old = n->slots;
    n->slots = xcalloc(n->cap, sizeof(slot_t));
    n->used = 0;
    for (uint32_t i = 0; i < n->cap; i++)
        if (old[i].expires_ms > now_ms)
            put(n, old[i].nonce, old[i].expires_ms, now_ms);
    xfree(old);
}

fwd_nonces_t *fwd_nonces_new(uint32_t max_live)
{
    fwd_nonces_t *n = xcalloc(1, sizeof(*n));
    n->max_live = max_live;
    n->cap = 16;
    while (n->cap < 2 * max_live)
        n->cap *= 2;
    n->slots = xcalloc(n->cap, sizeof(slot_t));
    pthread_mutex_init(&n->lock, NULL);
    return n;
}

void fwd_nonces_free(fwd_nonces_t *n)
{
    if (!n)
        return;
    pthread_mutex_destroy(&n->lock);
    xfree(n->slots);
    xfree(n);
}

fwd_nonce_result_t fwd_nonces_add(fwd_nonces_t *n, const unsigned char nonce[FWD_NONCE_LEN],
                                  int64_t expires_ms, int64_t now_ms)
{
    fwd_nonce_result_t r = FWD_NONCE_NEW;
    pthread_mutex_lock(&n->lock);
    if (n->used >= n->max_live)
        rebuild(n, now_ms);
    if (n->used >= n->max_live) /* all still valid after the rebuild */
        r = FWD_NONCE_FULL;
    else if (!put(n, nonce, expires_ms, now_ms))
        r = FWD_NONCE_SEEN;
    pthread_mutex_unlock(&n->lock);
    return r;
}
