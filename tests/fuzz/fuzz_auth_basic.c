/* tests/fuzz/fuzz_auth_basic.c -- libFuzzer target for http/auth_basic: the input is used as an
 * Authorization header value, as it is and (to reach the decoder more often) after "Basic ".
 * Checks: a result is one of the three codes; on OK the user and the password lie inside the
 * buffer, hold no control byte, the user no ':', and encoding "user:password" again parses
 * back to the same pair; on MALFORMED the reason is set. */
#include "format/base64.h"
#include "http/auth_basic.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, const char *buf)
{
    if (s < buf || s >= buf + HTTP_AUTH_BASIC_BUF)
        abort();
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            abort();
    }
}

/* "user:password" encoded again parses to the same pair. */
static void check_round_trip(const char *user, const char *password)
{
    size_t un = strlen(user), pn = strlen(password);
    size_t plain_n = un + 1 + pn;
    char *plain = malloc(plain_n);
    memcpy(plain, user, un);
    plain[un] = ':';
    memcpy(plain + un + 1, password, pn);
    size_t en = fmt_base64_encoded_len(plain_n);
    char *value = malloc(en + 7);
    memcpy(value, "Basic ", 6);
    fmt_base64_encode((const uint8_t *)plain, plain_n, value + 6);
    value[6 + en] = '\0';
    char buf[HTTP_AUTH_BASIC_BUF];
    const char *u = NULL, *p = NULL, *why = NULL;
    http_auth_basic_rc_t rc = http_auth_basic_parse(value, buf, &u, &p, &why);
    if (en <= HTTP_AUTH_BASIC_MAX &&
        (rc != HTTP_AUTH_BASIC_OK || strcmp(u, user) != 0 || strcmp(p, password) != 0))
        abort();
    free(value);
    free(plain);
}

static void parse_one(const char *value)
{
    char buf[HTTP_AUTH_BASIC_BUF];
    const char *user = NULL, *password = NULL, *why = NULL;
    http_auth_basic_rc_t rc = http_auth_basic_parse(value, buf, &user, &password, &why);
    switch (rc) {
    case HTTP_AUTH_BASIC_OK:
        check_text(user, buf);
        check_text(password, buf);
        if (strchr(user, ':'))
            abort();
        check_round_trip(user, password);
        break;
    case HTTP_AUTH_BASIC_MALFORMED:
        if (!why || !*why)
            abort();
        break;
    case HTTP_AUTH_BASIC_NONE:
        break;
    default:
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *value = malloc(size + 7);
    memcpy(value, data, size);
    value[size] = '\0'; /* a header value ends at its first NUL for krest, too */
    parse_one(value);
    memcpy(value, "Basic ", 6);
    memcpy(value + 6, data, size);
    value[size + 6] = '\0';
    parse_one(value);
    free(value);
    return 0;
}
