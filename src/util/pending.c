/* util/pending.c -- generation-checked completion slots with deadlines (see pending.h).
 * Threads: any; one timer thread serves the deadlines. Everything below `g_pend` is guarded
 * by g_pend.lock. */
#include "util/pending.h"

#include "util/clock.h"
#include "util/log.h"
#include "util/mem.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

enum slot_state { SLOT_FREE, SLOT_OPEN, SLOT_DONE };

typedef struct slot {
    uint32_t gen;
    enum slot_state state;
    bool timed_out;
    bool oneshot; /* kr_pending_after(): closed when it fires, nobody takes it */
    void *owner;
    kr_pending_wake_fn wake;
    void *result;
    kr_pending_free_fn free_fn;
    int64_t deadline_ms;
    int64_t heap_idx; /* position in the deadline heap, -1 when not in it */
    uint32_t next_free;
} slot_t;

#define NO_SLOT UINT32_MAX

/* The table; all fields guarded by lock. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond; /* signalled when the earliest deadline changes or on stop */
    slot_t *slots;
    uint32_t n_slots;
    uint32_t free_head;
    size_t n_open;
    uint32_t *heap; /* slot indices, min-heap on deadline_ms */
    size_t heap_len;
    bool running;
    pthread_t timer;
} g_pend = {.lock = PTHREAD_MUTEX_INITIALIZER, .free_head = NO_SLOT};

static bool heap_less(size_t a, size_t b)
{
    return g_pend.slots[g_pend.heap[a]].deadline_ms < g_pend.slots[g_pend.heap[b]].deadline_ms;
}

static void heap_swap(size_t a, size_t b)
{
    uint32_t t = g_pend.heap[a];
    g_pend.heap[a] = g_pend.heap[b];
    g_pend.heap[b] = t;
    g_pend.slots[g_pend.heap[a]].heap_idx = (int64_t)a;
    g_pend.slots[g_pend.heap[b]].heap_idx = (int64_t)b;
}

static void heap_up(size_t i)
{
    while (i > 0 && heap_less(i, (i - 1) / 2)) {
        heap_swap(i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void heap_down(size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < g_pend.heap_len && heap_less(l, m))
            m = l;
        if (r < g_pend.heap_len && heap_less(r, m))
            m = r;
        if (m == i)
            return;
        heap_swap(i, m);
        i = m;
    }
}

static void heap_push(uint32_t idx)
{
    g_pend.heap[g_pend.heap_len] = idx;
    g_pend.slots[idx].heap_idx = (int64_t)g_pend.heap_len;
    g_pend.heap_len++;
    heap_up(g_pend.heap_len - 1);
}

static void heap_remove(uint32_t idx)
{
    int64_t pos = g_pend.slots[idx].heap_idx;
    if (pos < 0)
        return;
    size_t last = g_pend.heap_len - 1;
    if ((size_t)pos != last) {
        heap_swap((size_t)pos, last);
        g_pend.heap_len--;
        heap_down((size_t)pos);
        heap_up((size_t)pos);
    } else {
        g_pend.heap_len--;
    }
    g_pend.slots[idx].heap_idx = -1;
}

static void grow(void)
{
    uint32_t old = g_pend.n_slots;
    uint32_t n = old ? old * 2 : 1024;
    g_pend.slots = xrealloc(g_pend.slots, n * sizeof(slot_t));
    g_pend.heap = xrealloc(g_pend.heap, n * sizeof(uint32_t));
    for (uint32_t i = n; i-- > old;) {
        memset(&g_pend.slots[i], 0, sizeof(slot_t));
        g_pend.slots[i].gen = 1;
        g_pend.slots[i].heap_idx = -1;
        g_pend.slots[i].next_free = g_pend.free_head;
        g_pend.free_head = i;
    }
    g_pend.n_slots = n;
}

/* Opens a slot, lock held. */
static kr_handle_t open_locked(void *owner, kr_pending_wake_fn wake, int64_t deadline_ms,
                               bool oneshot)
{
    if (g_pend.free_head == NO_SLOT)
        grow();
    uint32_t idx = g_pend.free_head;
    slot_t *s = &g_pend.slots[idx];
    g_pend.free_head = s->next_free;
    s->state = SLOT_OPEN;
    s->timed_out = false;
    s->oneshot = oneshot;
    s->owner = owner;
    s->wake = wake;
    s->result = NULL;
    s->free_fn = NULL;
    s->deadline_ms = deadline_ms;
    g_pend.n_open++;
    if (deadline_ms > 0) {
        heap_push(idx);
        if (g_pend.heap[0] == idx)
            pthread_cond_signal(&g_pend.cond);
    }
    return (kr_handle_t){idx, s->gen};
}

kr_handle_t kr_pending_open(void *owner, kr_pending_wake_fn wake, int64_t deadline_ms)
{
    pthread_mutex_lock(&g_pend.lock);
    kr_handle_t h = open_locked(owner, wake, deadline_ms, false);
    pthread_mutex_unlock(&g_pend.lock);
    return h;
}

void kr_pending_after(int64_t deadline_ms, kr_pending_wake_fn fn, void *arg)
{
    pthread_mutex_lock(&g_pend.lock);
    (void)open_locked(arg, fn, deadline_ms > 0 ? deadline_ms : 1, true);
    pthread_mutex_unlock(&g_pend.lock);
}

/* Frees slot idx (its handle becomes stale), lock held. */
static void close_locked(uint32_t idx)
{
    slot_t *s = &g_pend.slots[idx];
    heap_remove(idx);
    s->state = SLOT_FREE;
    s->result = NULL;
    s->gen = s->gen + 1 ? s->gen + 1 : 1;
    s->next_free = g_pend.free_head;
    g_pend.free_head = idx;
    g_pend.n_open--;
}

/* @return the slot of a live handle in the given state, or NULL. Lock held. */
static slot_t *lookup(kr_handle_t h, enum slot_state state)
{
    if (h.slot >= g_pend.n_slots)
        return NULL;
    slot_t *s = &g_pend.slots[h.slot];
    return s->gen == h.gen && s->state == state ? s : NULL;
}

int kr_pending_complete(kr_handle_t h, void *result, kr_pending_free_fn free_fn)
{
    pthread_mutex_lock(&g_pend.lock);
    slot_t *s = lookup(h, SLOT_OPEN);
    if (!s) {
        pthread_mutex_unlock(&g_pend.lock);
        if (result && free_fn)
            free_fn(result);
        return -1;
    }
    s->state = SLOT_DONE;
    s->result = result;
    s->free_fn = free_fn;
    heap_remove(h.slot);
    void *owner = s->owner;
    kr_pending_wake_fn wake = s->wake;
    pthread_mutex_unlock(&g_pend.lock);
    wake(owner);
    return 0;
}

void *kr_pending_take(kr_handle_t h, bool *timed_out)
{
    pthread_mutex_lock(&g_pend.lock);
    if (h.slot >= g_pend.n_slots || g_pend.slots[h.slot].gen != h.gen ||
        g_pend.slots[h.slot].state == SLOT_FREE) {
        pthread_mutex_unlock(&g_pend.lock);
        *timed_out = true;
        return NULL;
    }
    slot_t *s = &g_pend.slots[h.slot];
    /* Taking an open slot abandons it: the work's late completion will be dropped. */
    bool was_open = s->state == SLOT_OPEN;
    void *result = s->result;
    *timed_out = was_open || s->timed_out;
    close_locked(h.slot);
    pthread_mutex_unlock(&g_pend.lock);
    return result;
}

/* Marks an open slot expired (a one-shot timer: closes it) and returns its wake-up, lock
 * held. */
static void expire(slot_t *s, uint32_t idx, void **owner, kr_pending_wake_fn *wake)
{
    s->state = SLOT_DONE;
    s->timed_out = true;
    heap_remove(idx);
    *owner = s->owner;
    *wake = s->wake;
    if (s->oneshot)
        close_locked(idx);
}

static void *timer_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&g_pend.lock);
    while (g_pend.running) {
        if (g_pend.heap_len == 0) {
            pthread_cond_wait(&g_pend.cond, &g_pend.lock);
            continue;
        }
        uint32_t idx = g_pend.heap[0];
        int64_t deadline = g_pend.slots[idx].deadline_ms;
        int64_t now = kr_clock_mono_ms();
        if (deadline > now) {
            struct timespec ts = kr_clock_after(CLOCK_MONOTONIC, deadline - now);
            pthread_cond_timedwait(&g_pend.cond, &g_pend.lock, &ts);
            continue;
        }
        void *owner;
        kr_pending_wake_fn wake;
        expire(&g_pend.slots[idx], idx, &owner, &wake);
        pthread_mutex_unlock(&g_pend.lock);
        wake(owner);
        pthread_mutex_lock(&g_pend.lock);
    }
    pthread_mutex_unlock(&g_pend.lock);
    return NULL;
}

int kr_pending_start(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&g_pend.cond, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_lock(&g_pend.lock);
    if (g_pend.n_slots == 0)
        grow();
    g_pend.running = true;
    pthread_mutex_unlock(&g_pend.lock);
    if (pthread_create(&g_pend.timer, NULL, timer_main, NULL) != 0) {
        log_error("cannot start the deadline timer thread");
        g_pend.running = false;
        return -1;
    }
    return 0;
}

void kr_pending_stop(void)
{
    pthread_mutex_lock(&g_pend.lock);
    bool was_running = g_pend.running;
    g_pend.running = false;
    pthread_cond_signal(&g_pend.cond);
    pthread_mutex_unlock(&g_pend.lock);
    if (was_running)
        pthread_join(g_pend.timer, NULL);
    pthread_mutex_lock(&g_pend.lock);
    if (g_pend.n_open == 0) {
        xfree(g_pend.slots);
        xfree(g_pend.heap);
        g_pend.slots = NULL;
        g_pend.heap = NULL;
        g_pend.n_slots = 0;
        g_pend.heap_len = 0;
        g_pend.free_head = NO_SLOT;
    }
    pthread_mutex_unlock(&g_pend.lock);
}

void kr_pending_expire_all(void)
{
    for (;;) {
        void *owner = NULL;
        kr_pending_wake_fn wake = NULL;
        pthread_mutex_lock(&g_pend.lock);
        for (uint32_t i = 0; i < g_pend.n_slots; i++) {
            if (g_pend.slots[i].state == SLOT_OPEN) {
                expire(&g_pend.slots[i], i, &owner, &wake);
                break;
            }
        }
        pthread_mutex_unlock(&g_pend.lock);
        if (!wake)
            return;
        wake(owner);
    }
}

size_t kr_pending_count(void)
{
    pthread_mutex_lock(&g_pend.lock);
    size_t n = g_pend.n_open;
    pthread_mutex_unlock(&g_pend.lock);
    return n;
}
