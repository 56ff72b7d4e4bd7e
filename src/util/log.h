/* util/log.h -- leveled logging to stderr, one line per call, with a UTC timestamp.
 * Threads: any (each line is written with one locked stdio call). */
#ifndef KR_UTIL_LOG_H
#define KR_UTIL_LOG_H

#include <stddef.h>

typedef enum kr_log_level {
    KR_LOG_ERROR = 0,
    KR_LOG_WARN = 1,
    KR_LOG_INFO = 2,
    KR_LOG_DEBUG = 3,
} kr_log_level_t;

/** Sets the level below which lines are dropped. Start-up only. */
void kr_log_set_level(kr_log_level_t level);
/** @return the current level. */
kr_log_level_t kr_log_get_level(void);
/** Parses "error", "warn", "info", "debug" (any case; also log4j's WARNING, TRACE).
 * @return 0, or -1 for an unknown name. */
int kr_log_parse_level(const char *name, kr_log_level_t *out);
/** Writes one line when level is enabled; while this thread has a request id set, the line
 * carries it after the level ("INFO  [id] ..."). */
void kr_log(kr_log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Sets this thread's current request id (borrowed: must stay valid until it is set again;
 * NULL clears it). The HTTP layer sets it while it runs a request's code. */
void kr_log_set_request_id(const char *id);
/** @return this thread's current request id (borrowed), or NULL. */
const char *kr_log_request_id(void);

/** Writes text (n bytes, no newline) as one line of its own, unprefixed (e.g. a JSON access
 * log line). */
void kr_log_raw(const char *text, size_t n);

#define KR_LOG_ENABLED(lvl) ((lvl) <= kr_log_get_level())
#define log_error(...)      kr_log(KR_LOG_ERROR, __VA_ARGS__)
#define log_warn(...)       kr_log(KR_LOG_WARN, __VA_ARGS__)
#define log_info(...)       kr_log(KR_LOG_INFO, __VA_ARGS__)
#define log_debug(...)      kr_log(KR_LOG_DEBUG, __VA_ARGS__)

#endif
