/* config/config_int.h -- helpers shared by the files of config/ only.
 * May use: util/. Threads: any. */
#ifndef KR_CONFIG_CONFIG_INT_H
#define KR_CONFIG_CONFIG_INT_H

#include "config/config.h"

#include <stddef.h>

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
