/* tests/fuzz/avro_fuzz_schemas.h -- the fixed schemas the Avro codec fuzz targets use; the first
 * input byte picks one. Together they hold every Avro type, defaults, named types in unions and
 * a recursive type. */
#ifndef KR_TEST_AVRO_FUZZ_SCHEMAS_H
#define KR_TEST_AVRO_FUZZ_SCHEMAS_H

#include "format/avro_schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const FUZZ_SCHEMAS[] = {
    "{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"ns\",\"fields\":["
    "{\"name\":\"n\",\"type\":\"null\"},{\"name\":\"b\",\"type\":\"boolean\"},"
    "{\"name\":\"i\",\"type\":\"int\"},{\"name\":\"l\",\"type\":\"long\",\"default\":-1},"
    "{\"name\":\"f\",\"type\":\"float\"},{\"name\":\"d\",\"type\":\"double\",\"default\":1.5},"
    "{\"name\":\"by\",\"type\":\"bytes\",\"default\":\"\\u00ff\"},{\"name\":\"s\",\"type\":"
    "\"string\"},"
    "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"B\"]},"
    "\"default\":\"B\"},"
    "{\"name\":\"fx\",\"type\":{\"type\":\"fixed\",\"name\":\"F\",\"size\":3}},"
    "{\"name\":\"a\",\"type\":{\"type\":\"array\",\"items\":[\"null\",\"int\",\"F\"]},"
    "\"default\":[]},"
    "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":{\"type\":\"record\",\"name\":\"V\","
    "\"fields\":[{\"name\":\"x\",\"type\":[\"string\",\"null\"],\"default\":\"z\"}]}},"
    "\"default\":{}},"
    "{\"name\":\"u\",\"type\":[\"null\",\"double\",\"ns.E\",{\"type\":\"map\",\"values\":\"bytes\"}"
    "],"
    "\"default\":null}]}",
    "{\"type\":\"record\",\"name\":\"L\",\"fields\":[{\"name\":\"v\",\"type\":\"long\"},"
    "{\"name\":\"next\",\"type\":[\"null\",\"L\"],\"default\":null}]}",
    "[\"null\",\"boolean\",\"int\",\"long\",\"float\",\"double\",\"bytes\",\"string\","
    "{\"type\":\"array\",\"items\":\"float\"},{\"type\":\"map\",\"values\":\"string\"},"
    "{\"type\":\"fixed\",\"name\":\"a.G\",\"size\":1}]",
    "{\"type\":\"array\",\"items\":{\"type\":\"array\",\"items\":\"null\"}}",
};

#define N_FUZZ_SCHEMAS (sizeof(FUZZ_SCHEMAS) / sizeof(FUZZ_SCHEMAS[0]))

/* The schemas, parsed once (they must parse). */
static inline avs_schema_t *fuzz_schema(size_t i)
{
    static avs_schema_t *parsed[N_FUZZ_SCHEMAS];
    if (!parsed[i]) {
        kr_err_t err;
        parsed[i] = avs_parse(FUZZ_SCHEMAS[i], strlen(FUZZ_SCHEMAS[i]), &err);
        if (!parsed[i]) {
            fprintf(stderr, "fuzz schema %zu: %s\n", i, err.msg);
            abort();
        }
    }
    return parsed[i];
}

static inline void fuzz_die(const char *what, const char *a, size_t an, const char *b, size_t bn)
{
    fprintf(stderr, "%s\n  %.*s\n  %.*s\n", what, (int)an, a, (int)bn, b);
    abort();
}

#endif
