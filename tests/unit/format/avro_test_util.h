/* tests/unit/format/avro_test_util.h -- helpers shared by the Avro schema tests: schemas are
 * written with ' for " so the tables stay readable. */
#ifndef KR_TEST_AVRO_TEST_UTIL_H
#define KR_TEST_AVRO_TEST_UTIL_H

#include "format/avro_schema.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

/* s with every ' turned into " (owned, free()). */
static inline char *dq(const char *s)
{
    char *out = strdup(s);
    for (char *p = out; *p; p++)
        if (*p == '\'')
            *p = '"';
    return out;
}

/* Parses a '-quoted schema; NULL with err set when it does not parse. */
static inline avs_schema_t *parse_q(const char *s, kr_err_t *err)
{
    char *json = dq(s);
    avs_schema_t *schema = avs_parse(json, strlen(json), err);
    free(json);
    return schema;
}

/* Parses a schema that must parse. */
static inline avs_schema_t *must_parse(const char *s)
{
    kr_err_t err = {0};
    avs_schema_t *schema = parse_q(s, &err);
    if (!schema)
        fail_msg("schema %s did not parse: %s", s, err.msg);
    return schema;
}

#endif
