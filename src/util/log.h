/* util/log.h -- leveled logging to stderr, one line per call, with a UTC timestamp.
 * Threads: any (each line is written with one locked stdio call). */
#ifndef KR_UTIL_LOG_H
#define KR_UTIL_LOG_H

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
/** Writes one line when level is enabled. */
void kr_log(kr_log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define KR_LOG_ENABLED(lvl) ((lvl) <= kr_log_get_level())
#define log_error(...)      kr_log(KR_LOG_ERROR, __VA_ARGS__)
#define log_warn(...)       kr_log(KR_LOG_WARN, __VA_ARGS__)
#define log_info(...)       kr_log(KR_LOG_INFO, __VA_ARGS__)
#define log_debug(...)      kr_log(KR_LOG_DEBUG, __VA_ARGS__)

#endif
