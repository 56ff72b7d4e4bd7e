/* util/pending.h -- completion slots for work that finishes on another thread: a request that
 * waits (for Kafka, a worker, the registry) opens a slot with a deadline and gets a
 * generation-checked handle; whoever finishes the work completes the handle from any thread,
 * and the slot's owner is woken to take the result. A completion for a slot that has already
 * expired or closed is dropped safely (its result is freed), never delivered to a stranger.
 *
 * DESIGN: one table of slots guarded by one mutex; handles are (slot index, generation), never
 * pointers. Deadlines sit in a min-heap served by one timer thread, which expires a slot by
 * waking its owner with `timed_out` set. The wake callback runs without the table lock held.
 * May use: util/. Threads: any; the timer thread is started by kr_pending_start(). */
#ifndef KR_UTIL_PENDING_H
#define KR_UTIL_PENDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kr_handle {
    uint32_t slot;
    uint32_t gen; /* 0 is never a live generation */
} kr_handle_t;

/** Wakes a slot's owner: called once per slot, on the completing or the timer thread, without
 * locks held. */
typedef void (*kr_pending_wake_fn)(void *owner);
/** Frees a result that nobody will take. */
typedef void (*kr_pending_free_fn)(void *result);

/** Starts the timer thread. Start-up only. @return 0 or -1. */
int kr_pending_start(void);
/** Stops the timer thread; slots still open are left alone. Shutdown only. */
void kr_pending_stop(void);

/** Opens a slot. @param deadline_ms monotonic ms (util/clock.h) after which the owner is woken
 * with timed_out; 0 = no deadline. @return the handle (never fails: the table grows). */
kr_handle_t kr_pending_open(void *owner, kr_pending_wake_fn wake, int64_t deadline_ms);

/** A one-shot timer: fn(arg) runs once, on the timer thread at deadline_ms (monotonic ms), or
 * at once from kr_pending_expire_all(); its slot closes itself and counts in
 * kr_pending_count() until then. Threads: any. */
void kr_pending_after(int64_t deadline_ms, kr_pending_wake_fn fn, void *arg);

/** Completes a slot with a result. Takes ownership of result (also on failure).
 * @return 0 when the owner will be woken, -1 when the slot is gone, expired or already
 *         completed (result freed with free_fn). Threads: any. */
int kr_pending_complete(kr_handle_t h, void *result, kr_pending_free_fn free_fn);

/** Takes the result of a woken slot and closes it (the handle becomes stale).
 * @return the result (owned by the caller; NULL when timed out), *timed_out set. Owner only. */
void *kr_pending_take(kr_handle_t h, bool *timed_out);

/** Wakes every open slot as timed out now (shutdown: answer everyone). */
void kr_pending_expire_all(void);

/** @return the number of open slots. */
size_t kr_pending_count(void);

#endif
