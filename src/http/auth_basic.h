/* http/auth_basic.h -- the Authorization header of the Basic scheme (RFC 7617): "Basic",
 * blanks, base64 of "user:password" (padding optional, as Java's decoder takes it). Pure: no
 * state, no allocation; the fuzz target tests/fuzz/fuzz_auth_basic.c drives it.
 * May use: format/ (base64), util/. Threads: any. */
#ifndef KR_HTTP_AUTH_BASIC_H
#define KR_HTTP_AUTH_BASIC_H

#include <stddef.h>

/* The longest Authorization value read; longer ones are malformed (bytes of base64). */
#define HTTP_AUTH_BASIC_MAX 4096
/* Room the decoded credentials need: HTTP_AUTH_BASIC_MAX / 4 * 3 and a NUL, rounded up. */
#define HTTP_AUTH_BASIC_BUF (HTTP_AUTH_BASIC_MAX / 4 * 3 + 8)

typedef enum http_auth_basic_rc {
    HTTP_AUTH_BASIC_OK = 0,
    HTTP_AUTH_BASIC_NONE,      /* no header, or another scheme (Bearer...): not Basic */
    HTTP_AUTH_BASIC_MALFORMED, /* Basic, but not readable: *why says how */
} http_auth_basic_rc_t;

/** Parses value (NUL-terminated; NULL = no header) into buf (HTTP_AUTH_BASIC_BUF bytes).
 * @param user, password out: NUL-terminated, pointing into buf (OK only)
 * @param why out: a static reason (MALFORMED only), safe to log and to answer
 * @return HTTP_AUTH_BASIC_OK, _NONE or _MALFORMED (too long, bad base64, a NUL or control
 *         byte in the credentials, or no ':'). */
http_auth_basic_rc_t http_auth_basic_parse(const char *value, char buf[HTTP_AUTH_BASIC_BUF],
                                           const char **user, const char **password,
                                           const char **why);

#endif
