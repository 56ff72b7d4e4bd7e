/* tests/fuzz/fuzz_avro_schema.c -- libFuzzer target for format/avro_schema: any bytes are
 * parsed as a schema. Checks, when they parse: the normalised form and the compact form parse
 * again to the same normalised form (and the compact form to itself), the canonical form parses,
 * and a schema can read itself and be read by its normalised form. */
#include "format/avro_schema.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static avs_schema_t *reparse(const char *text, const char *what)
{
    kr_err_t err;
    avs_schema_t *s = avs_parse(text, strlen(text), &err);
    if (!s) {
        fprintf(stderr, "the %s form %s does not parse: %s\n", what, text, err.msg);
        abort();
    }
    return s;
}

static void same(const char *a, const char *b, const char *what)
{
    if (strcmp(a, b) != 0) {
        fprintf(stderr, "%s differs:\n%s\n%s\n", what, a, b);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kr_err_t err;
    avs_schema_t *s = avs_parse((const char *)data, size, &err);
    if (!s)
        return 0;
    avs_schema_t *norm = reparse(avs_normalized(s), "normalised");
    same(avs_normalized(norm), avs_normalized(s), "normalised form of the normalised form");
    avs_schema_t *compact = reparse(avs_compact(s), "compact");
    same(avs_compact(compact), avs_compact(s), "compact form of the compact form");
    same(avs_normalized(compact), avs_normalized(s), "normalised form of the compact form");
    /* The canonical form is valid Avro, but need not give itself back (avs_canonical()). */
    avs_schema_t *canon = reparse(avs_canonical(s), "canonical");
    char reason[256];
    if (!avs_can_read(s, s, reason, sizeof(reason)) || !avs_can_read(norm, s, NULL, 0)) {
        fprintf(stderr, "%s cannot read itself: %s\n", avs_compact(s), reason);
        abort();
    }
    avs_free(canon);
    avs_free(compact);
    avs_free(norm);
    avs_free(s);
    return 0;
}
