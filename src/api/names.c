/* api/names.c -- checks of client strings that reach Kafka (see names.h). Threads: any. */
#include "api/names.h"

#include "format/jsonw.h"

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

bool api_utf8_valid(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t len = s[i] ? fmt_utf8_len(s + i, n - i) : 0;
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

bool api_kafka_id_valid(const char *s, size_t n)
{
    return n > 0 && n <= API_KAFKA_STRING_MAX && api_utf8_valid(s, n);
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
