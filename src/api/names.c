/* api/names.c -- checks of client strings that reach Kafka (see names.h). Threads: any. */
#include "api/names.h"

#include <string.h>

bool api_topic_name_valid(const char *s, size_t n)
{
    if (n == 0 || n > API_TOPIC_NAME_MAX || (n == 1 && s[0] == '.') ||
        (n == 2 && s[0] == '.' && s[1] == '.'))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

/* The length of the UTF-8 sequence at s[i] (1..4), or 0 when it is not a well-formed one. */
static size_t utf8_seq(const unsigned char *s, size_t i, size_t n)
{
    unsigned char c = s[i];
    if (c < 0x80)
        return c ? 1 : 0;
    size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
    if (len == 0 || c > 0xf4 || i + len > n)
        return 0;
    for (size_t k = 1; k < len; k++)
        if ((s[i + k] & 0xc0) != 0x80)
            return 0;
    unsigned char c1 = s[i + 1];
    if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 > 0x9f) || (c == 0xf0 && c1 < 0x90) ||
        (c == 0xf4 && c1 > 0x8f))
        return 0; /* overlong, surrogate or past U+10FFFF */
    return len;
}

bool api_utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_seq(u, i, n);
        if (len == 0)
            return false;
        i += len;
    }
    return true;
}

bool api_text_valid(const char *s, size_t n)
{
    if (!api_utf8_valid(s, n))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f ||
            (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
             (unsigned char)s[i + 1] <= 0x9f))
            return false;
    }
    return true;
}

int api_check_topic(const char *field, const char *s, size_t n, kr_err_t *err)
{
    if (api_topic_name_valid(s, n))
        return 0;
    return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                      "%s: not a valid topic name (1 to %d characters of [a-zA-Z0-9._-], not "
                      "\".\" nor \"..\")",
                      field, API_TOPIC_NAME_MAX);
}

int api_check_id(const char *field, const char *s, size_t n, kr_err_t *err)
{
    if (n > 0 && n <= API_ID_MAX && api_text_valid(s, n))
        return 0;
    return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                      "%s: expected 1 to %d bytes of UTF-8 without control characters", field,
                      API_ID_MAX);
}
