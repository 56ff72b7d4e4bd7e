/* http/auth_throttle.c -- see auth_throttle.h. Two bounded tables, 4-way set associative, of
 * keys that are a keyed hash (HMAC-SHA256 under a random per-process key, 64 bits) of the name
 * and of the (name, address) pair, so that nobody can choose names or addresses that collide
 * with another's entry. A full set replaces its oldest entry: a flood of names or addresses
 * can at worst forget a throttle (more attempts), never invent one (a lockout).
 * Threads: any (the mutex guards the tables). */
#include "http/auth_throttle.h"

#include "util/mem.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <string.h>

#define PAIR_SETS 1024 /* x 4 (name, address) pairs that failed lately */
#define NAME_SETS 256  /* x 4 names checked within the last second */
#define WAYS      4

typedef struct entry {
    uint64_t key;   /* 0: empty */
    int64_t t_ms;   /* pair: no check before; name: its one-second window's start */
    uint32_t count; /* name: checks begun in the window */
} entry_t;

struct auth_throttle {
    pthread_mutex_t lock;
    unsigned char key[32];
    entry_t pairs[PAIR_SETS * WAYS]; /* lock */
    entry_t names[NAME_SETS * WAYS]; /* lock */
};

static uint64_t key_of(const auth_throttle_t *t, const char *user, const char *addr)
{
    size_t un = strlen(user) + 1, an = addr ? strlen(addr) + 1 : 0;
    unsigned char *msg = xmalloc(un + an), mac[EVP_MAX_MD_SIZE];
    memcpy(msg, user, un);
    if (addr)
        memcpy(msg + un, addr, an);
    unsigned int len = 0;
    HMAC(EVP_sha256(), t->key, sizeof(t->key), msg, un + an, mac, &len);
    explicit_bzero(msg, un + an);
    xfree(msg);
    uint64_t k;
    memcpy(&k, mac, sizeof(k));
    return k ? k : 1;
}

/* The entry of key in its set; else (create) the set's oldest one, emptied; else NULL. */
static entry_t *find(entry_t *table, size_t sets, uint64_t key, bool create)
{
    entry_t *set = &table[(key % sets) * WAYS], *oldest = &set[0];
    for (int i = 0; i < WAYS; i++) {
        if (set[i].key == key)
            return &set[i];
        if (set[i].key == 0 || (oldest->key != 0 && set[i].t_ms < oldest->t_ms))
            oldest = &set[i];
    }
    if (!create)
        return NULL;
    *oldest = (entry_t){key, 0, 0};
    return oldest;
}

auth_throttle_t *auth_throttle_new(void)
{
    auth_throttle_t *t = xcalloc(1, sizeof(*t));
    if (RAND_bytes(t->key, sizeof(t->key)) != 1) {
        xfree(t);
        return NULL;
    }
    pthread_mutex_init(&t->lock, NULL);
    return t;
}

void auth_throttle_free(auth_throttle_t *t)
{
    if (!t)
        return;
    pthread_mutex_destroy(&t->lock);
    explicit_bzero(t->key, sizeof(t->key));
    xfree(t);
}

bool auth_throttle_begin(auth_throttle_t *t, const char *user, const char *addr, int64_t now_ms)
{
    uint64_t pk = key_of(t, user, addr ? addr : "?"), nk = key_of(t, user, NULL);
    bool ok = true;
    pthread_mutex_lock(&t->lock);
    entry_t *p = find(t->pairs, PAIR_SETS, pk, false);
    if (p && now_ms < p->t_ms)
        ok = false;
    entry_t *n = ok ? find(t->names, NAME_SETS, nk, true) : NULL;
    if (n && now_ms - n->t_ms >= 1000) {
        n->t_ms = now_ms;
        n->count = 0;
    }
    if (n && n->count >= AUTH_THROTTLE_PER_NAME)
        ok = false;
    else if (n)
        n->count++;
    pthread_mutex_unlock(&t->lock);
    return ok;
}

void auth_throttle_failed(auth_throttle_t *t, const char *user, const char *addr, int64_t now_ms)
{
    uint64_t pk = key_of(t, user, addr ? addr : "?");
    pthread_mutex_lock(&t->lock);
    find(t->pairs, PAIR_SETS, pk, true)->t_ms = now_ms + AUTH_THROTTLE_RETRY_MS;
    pthread_mutex_unlock(&t->lock);
}
