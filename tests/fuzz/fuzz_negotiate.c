/* tests/fuzz/fuzz_negotiate.c -- libFuzzer target for router/negotiate: the input is used as
 * an Accept header (against a management route's and a record read's offers) and as a
 * Content-Type. Checks that results stay in range and that a trailing empty Accept element
 * changes nothing. Build: clang -g -fsanitize=fuzzer,address,undefined -Isrc
 * tests/fuzz/fuzz_negotiate.c src/router/negotiate.c src/util/<every .c> -o fuzz_negotiate */
#include "router/negotiate.h"
#include "util/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const neg_offer_t mgmt[] = {
    {"application/vnd.kafka.v2+json", 1.0f},
    {"application/vnd.kafka.v1+json", 0.95f},
    {"application/vnd.kafka+json", 0.8f},
    {"application/json", 0.5f},
};

static const neg_offer_t records[] = {
    {"application/vnd.kafka.binary.v2+json", 1.0f},
    {"application/vnd.kafka.v2+json", 0.9f},
};

static void check_pick(const char *accept, const neg_offer_t *offers, size_t n)
{
    int got = neg_pick(accept, offers, n);
    if (got < -1 || got >= (int)n)
        abort();
}

static void check_trailing_comma(const char *text, size_t len)
{
    char *more = xmalloc(len + 3);
    memcpy(more, text, len);
    memcpy(more + len, ", ", 3);
    if (neg_pick(text, mgmt, 4) != neg_pick(more, mgmt, 4))
        abort();
    xfree(more);
}

static void check_media(const char *text)
{
    neg_media_t m;
    int rc = neg_parse_media(text, &m);
    if (rc != 0 && rc != -1)
        abort();
    if (rc < 0 && m.kind != NEG_KIND_UNKNOWN)
        abort();
    if (m.kind == NEG_KIND_VND_KAFKA && m.version != 1 && m.version != 2)
        abort();
    if (m.kind != NEG_KIND_VND_KAFKA && (m.version != 0 || m.format != NEG_FMT_NONE))
        abort();
    int v = neg_version_of(&m);
    if (v != 1 && v != 2)
        abort();
    if (!neg_format_name(m.format))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    size_t len = strlen(text);
    check_pick(text, mgmt, sizeof mgmt / sizeof mgmt[0]);
    check_pick(text, records, sizeof records / sizeof records[0]);
    check_trailing_comma(text, len);
    check_media(text);
    xfree(text);
    return 0;
}
