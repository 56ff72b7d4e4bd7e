/* util/clock.h -- monotonic and wall-clock milliseconds. Threads: any. */
#ifndef KR_UTIL_CLOCK_H
#define KR_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

/** @return milliseconds of CLOCK_MONOTONIC (for deadlines and durations). */
int64_t kr_clock_mono_ms(void);
/** @return microseconds of CLOCK_MONOTONIC. */
int64_t kr_clock_mono_us(void);
/** @return milliseconds since the Unix epoch (for timestamps). */
int64_t kr_clock_wall_ms(void);

/** The time ms (may be <= 0) from now on clock (CLOCK_REALTIME or CLOCK_MONOTONIC: the one a
 * condition variable waits by), normalised: for pthread_cond_timedwait. */
struct timespec kr_clock_after(clockid_t clock, int64_t ms);
/** Parses an ISO-8601 instant ("2026-11-25T01:02:03.456Z", fraction optional, "Z" or a
 * "+hh:mm"/"-hh:mm" offset) into ms since the epoch. @return 0, or -1 when malformed or
 * before the epoch. */
int kr_clock_parse_iso8601(const char *text, int64_t *ms);

#endif
