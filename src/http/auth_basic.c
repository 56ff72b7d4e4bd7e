/* http/auth_basic.c -- the Basic Authorization header (see auth_basic.h).
 * May use: format/, util/. Threads: any; pure. */
#include "http/auth_basic.h"

#include "format/base64.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static http_auth_basic_rc_t malformed(const char **why, const char *reason)
{
    *why = reason;
    return HTTP_AUTH_BASIC_MALFORMED;
}

http_auth_basic_rc_t http_auth_basic_parse(const char *value, char buf[HTTP_AUTH_BASIC_BUF],
                                           const char **user, const char **password,
                                           const char **why)
{
    if (!value)
        return HTTP_AUTH_BASIC_NONE;
    while (is_blank(*value))
        value++;
    if (strncasecmp(value, "Basic", 5) != 0 || (value[5] && !is_blank(value[5])))
        return HTTP_AUTH_BASIC_NONE;
    const char *b64 = value + 5;
    while (is_blank(*b64))
        b64++;
    size_t n = strnlen(b64, HTTP_AUTH_BASIC_MAX + 1);
    if (n > HTTP_AUTH_BASIC_MAX)
        return malformed(why, "Authorization header too long");
    while (n > 0 && is_blank(b64[n - 1]))
        n--;
    if (n == 0)
        return malformed(why, "Basic credentials missing");
    /* Java's decoder takes unpadded base64: pad it here for the strict decoder. */
    char padded[HTTP_AUTH_BASIC_MAX + 4];
    memcpy(padded, b64, n);
    size_t pn = n;
    while (pn % 4 != 0 && n % 4 != 1)
        padded[pn++] = '=';
    long got = fmt_base64_decode(padded, pn, (uint8_t *)buf);
    if (got < 0)
        return malformed(why, "Basic credentials are not valid base64");
    buf[got] = '\0';
    for (long i = 0; i < got; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c < 0x20 || c == 0x7f)
            return malformed(why, "Basic credentials hold a control character");
    }
    char *colon = memchr(buf, ':', (size_t)got);
    if (!colon)
        return malformed(why, "Basic credentials have no ':' between user and password");
    *colon = '\0';
    *user = buf;
    *password = colon + 1;
    return HTTP_AUTH_BASIC_OK;
}
