/* tests/unit/schema/test_sr_state.c -- the registry's state from Confluent-format `_schemas`
 * records, and the plans of API writes applied back as Kafka would (no Kafka here). */
#include "schema/sr_state.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define REC_V1 "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}"
/* v1 plus a field with a default: BACKWARD compatible */
#define REC_V2                                                                                     \
    "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},"           \
    "{\"name\":\"b\",\"type\":\"string\",\"default\":\"x\"}]}"
/* v1 plus a field without a default: not BACKWARD compatible */
#define REC_BAD                                                                                    \
    "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},"           \
    "{\"name\":\"c\",\"type\":\"long\"}]}"

static int apply(sr_state_t *st, const char *key, const char *value)
{
    kr_err_t err = {0};
    return sr_state_apply(st, key, strlen(key), value, value ? strlen(value) : 0, &err);
}

/* What Kafka does with a plan's records: the reader applies them in order. */
static void apply_all(sr_state_t *st, sr_records_t *recs)
{
    for (size_t i = 0; i < recs->n; i++)
        assert_int_equal(apply(st, recs->v[i].key, recs->v[i].value), 0);
    sr_records_free(recs);
}

static avs_schema_t *parse(const char *text)
{
    kr_err_t err = {0};
    avs_schema_t *s = avs_parse(text, strlen(text), &err);
    assert_non_null(s);
    return s;
}

/* Registers text under subject and applies the records; returns the id. */
static int32_t reg(sr_state_t *st, const char *subject, const char *text, int32_t *version,
                   size_t *n_records)
{
    avs_schema_t *s = parse(text);
    sr_register_t r = {.subject = subject, .schema = s};
    sr_records_t recs = {0};
    kr_err_t err = {0};
    assert_int_equal(sr_plan_register(st, &r, &recs, &err), 0);
    if (n_records)
        *n_records = recs.n;
    apply_all(st, &recs);
    avs_free(s);
    if (version)
        *version = r.version;
    return r.id;
}

static void test_apply_confluent_records(void **state)
{
    (void)state;
    sr_state_t *st = sr_state_new();
    assert_int_equal(apply(st, "{\"keytype\":\"NOOP\",\"magic\":0}", NULL), 0);
    assert_int_equal(apply(st,
                           "{\"keytype\":\"SCHEMA\",\"subject\":\"t-value\",\"version\":1,"
                           "\"magic\":1}",
                           "{\"subject\":\"t-value\",\"version\":1,\"id\":7,\"schema\":"
                           "\"\\\"string\\\"\",\"deleted\":false,\"extra\":1}"),
                     0);
    assert_int_equal(apply(st,
                           "{\"keytype\":\"SCHEMA\",\"subject\":\"t-value\",\"version\":2,"
                           "\"magic\":1}",
                           "{\"subject\":\"t-value\",\"version\":2,\"id\":9,\"schema\":"
                           "\"\\\"long\\\"\",\"schemaType\":\"AVRO\",\"deleted\":false}"),
                     0);
    const sr_subject_t *s = sr_state_subject(st, "t-value");
    assert_non_null(s);
    assert_int_equal(s->n, 2);
    assert_int_equal(sr_subject_version(s, SR_VERSION_LATEST, false)->id, 9);
    assert_string_equal(sr_state_schema(st, 7)->text, "\"string\"");
    assert_null(sr_state_schema(st, 9)->type); /* AVRO is the default: left out */
    assert_int_equal(sr_state_next_id(st), 10);
    /* configs: global, then a subject's; a tombstone removes the subject's */
    apply(st, "{\"keytype\":\"CONFIG\",\"magic\":0}", "{\"compatibilityLevel\":\"FULL\"}");
    apply(st, "{\"keytype\":\"CONFIG\",\"subject\":\"t-value\",\"magic\":0}",
          "{\"subject\":\"t-value\",\"compatibilityLevel\":\"NONE\"}");
    assert_int_equal(sr_state_compat(st, s), AVS_COMPAT_NONE);
    apply(st, "{\"keytype\":\"CONFIG\",\"subject\":\"t-value\",\"magic\":0}", NULL);
    assert_int_equal(sr_state_compat(st, sr_state_subject(st, "t-value")), AVS_COMPAT_FULL);
    /* DELETE_SUBJECT marks versions up to the given one */
    apply(st, "{\"keytype\":\"DELETE_SUBJECT\",\"subject\":\"t-value\",\"magic\":0}",
          "{\"subject\":\"t-value\",\"version\":1}");
    s = sr_state_subject(st, "t-value");
    assert_true(s->v[0].deleted);
    assert_false(s->v[1].deleted);
    /* CLEAR_SUBJECT forgets soft-deleted versions; a SCHEMA tombstone removes one version */
    apply(st, "{\"keytype\":\"CLEAR_SUBJECT\",\"subject\":\"t-value\",\"magic\":0}",
          "{\"subject\":\"t-value\"}");
    assert_int_equal(sr_state_subject(st, "t-value")->n, 1);
    apply(st, "{\"keytype\":\"SCHEMA\",\"subject\":\"t-value\",\"version\":2,\"magic\":1}", NULL);
    assert_null(sr_state_subject(st, "t-value"));
    assert_int_equal(sr_state_next_id(st), 10); /* ids are never reused */
    /* modes, unknown key types, malformed records */
    apply(st, "{\"keytype\":\"MODE\",\"magic\":0}", "{\"mode\":\"READONLY\"}");
    assert_string_equal(sr_state_mode(st), "READONLY");
    assert_int_equal(apply(st, "{\"keytype\":\"ASSOC\",\"magic\":0}", "{}"), 0);
    assert_int_equal(apply(st, "not json", "{}"), -1);
    assert_int_equal(apply(st, "{\"magic\":0}", "{}"), -1);
    assert_int_equal(apply(st, "{\"keytype\":\"SCHEMA\",\"subject\":\"x\",\"version\":1}", "[]"),
                     -1);
    sr_state_free(st);
}

static void test_register(void **state)
{
    (void)state;
    sr_state_t *st = sr_state_new();
    int32_t v;
    size_t n;
    assert_int_equal(reg(st, "a", REC_V1, &v, &n), 1);
    assert_int_equal(v, 1);
    assert_int_equal(n, 1);
    /* the same schema again, written differently: same id and version, nothing written */
    const char *same = "{ \"fields\": [{\"type\": \"int\", \"name\": \"a\"}], \"name\": \"r\", "
                       "\"type\": \"record\" }";
    assert_int_equal(reg(st, "a", same, &v, &n), 1);
    assert_int_equal(v, 1);
    assert_int_equal(n, 0);
    /* a compatible new version, then the first schema under another subject: same id */
    assert_int_equal(reg(st, "a", REC_V2, &v, NULL), 2);
    assert_int_equal(v, 2);
    assert_int_equal(reg(st, "b", REC_V1, &v, NULL), 1);
    assert_int_equal(v, 1);
    /* incompatible under BACKWARD: 409, nothing planned */
    avs_schema_t *bad = parse(REC_BAD);
    sr_register_t r = {.subject = "a", .schema = bad};
    sr_records_t recs = {0};
    kr_err_t err = {0};
    assert_int_equal(sr_plan_register(st, &r, &recs, &err), -1);
    assert_int_equal(err.code, SR_ERR_INCOMPATIBLE);
    assert_non_null(strstr(err.msg, "incompatible with an earlier schema for subject \"a\""));
    assert_int_equal(recs.n, 0);
    /* ... but fine once the subject's level is NONE */
    sr_plan_set_config(st, "a", AVS_COMPAT_NONE, &recs, &err);
    apply_all(st, &recs);
    assert_int_equal(sr_plan_register(st, &r, &recs, &err), 0);
    assert_int_equal(r.id, 3);
    assert_int_equal(r.version, 3);
    apply_all(st, &recs);
    avs_free(bad);
    sr_state_free(st);
}

static void test_register_after_soft_delete(void **state)
{
    (void)state;
    sr_state_t *st = sr_state_new();
    reg(st, "a", REC_V1, NULL, NULL);
    reg(st, "a", REC_V2, NULL, NULL);
    int32_t deleted = 0;
    sr_records_t recs = {0};
    kr_err_t err = {0};
    assert_int_equal(sr_plan_delete_version(st, "a", 1, false, &deleted, &recs, &err), 0);
    assert_int_equal(deleted, 1);
    apply_all(st, &recs);
    assert_true(sr_state_subject(st, "a")->v[0].deleted);
    /* v1's schema again: same id, a new version, and the soft-deleted v1 is tombstoned */
    int32_t v;
    size_t n;
    assert_int_equal(reg(st, "a", REC_V1, &v, &n), 1);
    assert_int_equal(v, 3);
    assert_int_equal(n, 2);
    const sr_subject_t *s = sr_state_subject(st, "a");
    assert_int_equal(s->n, 2);
    assert_int_equal(s->v[0].version, 2);
    sr_state_free(st);
}

static void test_delete_subject(void **state)
{
    (void)state;
    sr_state_t *st = sr_state_new();
    reg(st, "a", REC_V1, NULL, NULL);
    reg(st, "a", REC_V2, NULL, NULL);
    sr_records_t recs = {0};
    kr_err_t err = {0};
    int32_t *vs = NULL;
    size_t n = 0;
    /* permanent first: 40405; unknown subject: 40401 */
    assert_int_equal(sr_plan_delete_subject(st, "a", true, &vs, &n, &recs, &err), -1);
    assert_int_equal(err.code, SR_ERR_SUBJECT_NOT_SOFT_DELETED);
    assert_int_equal(sr_plan_delete_subject(st, "zz", false, &vs, &n, &recs, &err), -1);
    assert_int_equal(err.code, SR_ERR_SUBJECT_NOT_FOUND);
    assert_int_equal(sr_plan_delete_subject(st, "a", false, &vs, &n, &recs, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(vs[1], 2);
    free(vs);
    apply_all(st, &recs);
    assert_false(sr_subject_live(sr_state_subject(st, "a")));
    /* soft again: 40404; then permanent removes it all */
    assert_int_equal(sr_plan_delete_subject(st, "a", false, &vs, &n, &recs, &err), -1);
    assert_int_equal(err.code, SR_ERR_SUBJECT_SOFT_DELETED);
    assert_int_equal(sr_plan_delete_subject(st, "a", true, &vs, &n, &recs, &err), 0);
    assert_int_equal(n, 2);
    free(vs);
    apply_all(st, &recs);
    assert_null(sr_state_subject(st, "a"));
    /* the id stays taken: a new schema gets 3 */
    assert_int_equal(reg(st, "a", REC_BAD, NULL, NULL), 3);
    sr_state_free(st);
}

static void test_delete_version_and_config(void **state)
{
    (void)state;
    sr_state_t *st = sr_state_new();
    reg(st, "a", REC_V1, NULL, NULL);
    sr_records_t recs = {0};
    kr_err_t err = {0};
    int32_t d;
    assert_int_equal(sr_plan_delete_version(st, "a", 5, false, &d, &recs, &err), -1);
    assert_int_equal(err.code, SR_ERR_VERSION_NOT_FOUND);
    assert_int_equal(sr_plan_delete_version(st, "a", 1, true, &d, &recs, &err), -1);
    assert_int_equal(err.code, SR_ERR_VERSION_NOT_SOFT_DELETED);
    sr_plan_set_config(st, "a", AVS_COMPAT_FULL, &recs, &err);
    apply_all(st, &recs);
    assert_int_equal(sr_state_subject(st, "a")->compat, AVS_COMPAT_FULL);
    /* soft-deleting the last live version drops the subject's config too */
    assert_int_equal(sr_plan_delete_version(st, "a", SR_VERSION_LATEST, false, &d, &recs, &err), 0);
    assert_int_equal(d, 1);
    apply_all(st, &recs);
    assert_int_equal(sr_state_subject(st, "a")->compat, -1);
    assert_int_equal(sr_plan_delete_version(st, "a", 1, false, &d, &recs, &err), -1);
    assert_int_equal(err.code, SR_ERR_VERSION_SOFT_DELETED);
    assert_int_equal(sr_plan_delete_version(st, "a", 1, true, &d, &recs, &err), 0);
    apply_all(st, &recs);
    assert_null(sr_state_subject(st, "a"));
    /* global config: set, delete gives the old level back, default is BACKWARD */
    avs_compat_level_t old;
    assert_int_equal(sr_plan_delete_config(st, "a", &old, &recs, &err), -1);
    assert_int_equal(err.code, SR_ERR_SUBJECT_NOT_FOUND);
    sr_plan_set_config(st, NULL, AVS_COMPAT_FORWARD_TRANSITIVE, &recs, &err);
    apply_all(st, &recs);
    assert_int_equal(sr_state_compat(st, NULL), AVS_COMPAT_FORWARD_TRANSITIVE);
    assert_int_equal(sr_plan_delete_config(st, NULL, &old, &recs, &err), 0);
    assert_int_equal(old, AVS_COMPAT_FORWARD_TRANSITIVE);
    apply_all(st, &recs);
    assert_int_equal(sr_state_compat(st, NULL), AVS_COMPAT_BACKWARD);
    sr_state_free(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apply_confluent_records),    cmocka_unit_test(test_register),
        cmocka_unit_test(test_register_after_soft_delete), cmocka_unit_test(test_delete_subject),
        cmocka_unit_test(test_delete_version_and_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
