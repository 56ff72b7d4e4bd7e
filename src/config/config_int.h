/* config/config_int.h -- helpers shared by the files of config/ only.
 * May use: util/. Threads: any. */
#ifndef KR_CONFIG_CONFIG_INT_H
#define KR_CONFIG_CONFIG_INT_H

#include "config/config.h"

#include <stddef.h>
#include <stdint.h>

typedef enum key_type {
    T_I64,         /* int64_t in [min, max] */
    T_INT,         /* int in [min, max] */
    T_BOOL,        /* int, "true"/"false" in any case */
    T_STR,         /* char *; min 1 = must not be empty */
    T_LIST,        /* char *, comma list normalised to "a,b"; min 1 = at least one item */
    T_URLS,        /* char *, a T_LIST whose items are listener URLs */
    T_LISTENERS,   /* config_listener_t * at off, its count (size_t) at off_n */
    T_LOG_LEVEL,   /* int (kr_log_level_t) */
    T_AUTO_CREATE, /* int (config_auto_create_t): broker, true or false, any case */
    T_LOG_FORMAT,  /* int (config_access_log_format_t): text or json, any case */
} key_type_t;

typedef enum key_group { G_HTTP, G_KAFKA, G_CONSUMER, G_V3, G_SR, G_KREST, G_COUNT } key_group_t;

#define NOMAX INT64_MAX /* key_def_t.max: no upper bound */

typedef struct key_def {
    const char *name;
    key_type_t type;
    size_t off;      /* offset of the field in krest_config_t */
    size_t off_n;    /* T_LISTENERS: offset of the count */
    const char *def; /* default, parsed like any value */
    int64_t min, max;
    key_group_t group;
    const char *desc;
} key_def_t;

/* The key table and its companions (config/keys.c). */
extern const key_def_t config_keys[];
extern const size_t config_n_keys;
extern const char *const config_group_titles[G_COUNT];
extern const char *const config_ignored_keys[];
extern const size_t config_n_ignored_keys;
extern const char *const config_passthrough_prefixes[];
extern const size_t config_n_passthrough_prefixes;

/** Writes a loggable form of v into buf: at most 64 bytes, control bytes as '?', "..." when cut.
 * @return buf. */
const char *config_shown(const char *v, char buf[72]);

/** Parses one listener URL of len bytes (not NUL-terminated).
 * @return NULL with *out filled (host owned, free with config_listener_deinit), or a static
 *         string saying why the URL is invalid (*out untouched). */
const char *config_listener_parse_why(const char *s, size_t len, config_listener_t *out);

/** Frees n listeners and the array holding them; (NULL, 0) is a no-op. */
void config_listeners_free(config_listener_t *ls, size_t n);

#endif
