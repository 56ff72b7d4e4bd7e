/* config/properties.h -- a parser for Java .properties text, as java.util.Properties.load()
 * reads it: `key=value`, `key: value`, `key value`, `#`/`!` comments, backslash line
 * continuation and escapes (\t \n \r \f \uXXXX, any other escaped character stands for itself).
 * Bytes are passed through unchanged (UTF-8 files work; \uXXXX is written as UTF-8).
 * May use: util/. Threads: any; no state is kept between calls. */
#ifndef KR_CONFIG_PROPERTIES_H
#define KR_CONFIG_PROPERTIES_H

#include "util/err.h"

#include <stddef.h>

/* The largest properties file config_props_load_file() reads. */
#define CONFIG_PROPS_MAX_FILE (16u * 1024u * 1024u)

/** Receives one key/value pair (both borrowed, valid during the call only); line is the
 * 1-based number of the line the pair starts on.
 * @return 0 to go on, or -1 with err set to stop parsing. */
typedef int (*config_props_fn)(void *ctx, const char *key, const char *value, size_t line,
                               kr_err_t *err);

/** Parses len bytes of properties text and calls fn for every pair, in file order. Values keep
 * their trailing whitespace, as Java does; line terminators are \n, \r and \r\n.
 * @return 0, or -1 with err set (code 422, message "line N: ...") on a NUL byte, a malformed
 *         \uXXXX escape, or when fn fails (err as fn set it). */
int config_props_parse(const char *text, size_t len, config_props_fn fn, void *ctx, kr_err_t *err);

/** Reads the file at path (at most CONFIG_PROPS_MAX_FILE bytes) and parses it.
 * @return 0, or -1 with err set (code 422, message naming the path) when the file cannot be
 *         read, is too large or does not parse. */
int config_props_load_file(const char *path, config_props_fn fn, void *ctx, kr_err_t *err);

#endif
