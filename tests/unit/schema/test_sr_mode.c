/* tests/unit/schema/test_sr_mode.c -- modes (schema/sr_mode.c) and the register plan's mode
 * rules (schema/sr_register.c): plans applied back as Kafka would (no Kafka here). */
#include "schema/sr_state.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define REC_A "{\"type\":\"record\",\"name\":\"a\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}"
#define REC_B "{\"type\":\"record\",\"name\":\"b\",\"fields\":[{\"name\":\"y\",\"type\":\"int\"}]}"

static void apply_all(sr_state_t *st, sr_records_t *recs)
{
    for (size_t i = 0; i < recs->n; i++) {
        kr_err_t err = {0};
        const char *k = recs->v[i].key, *v = recs->v[i].value;
        assert_int_equal(sr_state_apply(st, k, strlen(k), v, v ? strlen(v) : 0, &err), 0);
    }
    sr_records_free(recs);
}

/* Registers text (id >= 0: IMPORT's explicit id) and applies it. @return the plan's rc; the
 * error code in *code. */
static int reg(sr_state_t *st, const char *subject, const char *text, int32_t id, int32_t version,
               int32_t *got_id, int *code)
{
    kr_err_t err = {0};
    avs_schema_t *s = avs_parse(text, strlen(text), &err);
    assert_non_null(s);
    sr_register_t r = {
        .subject = subject, .schema = s, .has_id = id >= 0, .want_id = id, .want_version = version};
    sr_records_t recs = {0};
    int rc = sr_plan_register(st, &r, &recs, &err);
    apply_all(st, &recs);
    avs_free(s);
    if (got_id)
        *got_id = r.id;
    if (code)
        *code = err.code;
    return rc;
}

static void set_mode(sr_state_t *st, const char *subject, const char *mode, bool force, int want)
{
    sr_records_t recs = {0};
    kr_err_t err = {0};
    int rc = sr_plan_set_mode(st, subject, sr_mode_parse(mode), force, &recs, &err);
    assert_int_equal(rc == 0 ? 0 : err.code, want);
    apply_all(st, &recs);
}

static void test_scope_and_readonly(void **state)
{
    (void)state;
    sr_state_t *st = sr_state_new();
    assert_string_equal(sr_mode_parse("readOnly"), "READONLY");
    assert_null(sr_mode_parse("FORWARD"));
    assert_string_equal(sr_state_mode_in_scope(st, "s"), "READWRITE");
    assert_null(sr_state_mode_own(st, "s"));
    set_mode(st, "s", "READONLY", false, 0);
    assert_string_equal(sr_state_mode_in_scope(st, "s"), "READONLY");
    assert_string_equal(sr_state_mode_in_scope(st, "t"), "READWRITE");
    int code = 0;
    assert_int_equal(reg(st, "s", REC_A, -1, 0, NULL, &code), -1);
    assert_int_equal(code, SR_ERR_OPERATION_NOT_PERMITTED);
    assert_int_equal(reg(st, "t", REC_A, -1, 0, NULL, NULL), 0);
    /* the global READONLY_OVERRIDE wins over a subject's own mode */
    set_mode(st, "t", "READWRITE", false, 0);
    set_mode(st, NULL, "READONLY_OVERRIDE", false, 0);
    assert_string_equal(sr_state_mode_in_scope(st, "t"), "READONLY_OVERRIDE");
    kr_err_t err = {0};
    assert_int_equal(sr_check_writable(st, "t", &err), -1);
    /* removing a subject's mode */
    set_mode(st, NULL, "READWRITE", false, 0);
    sr_records_t recs = {0};
    char old[32];
    assert_int_equal(sr_plan_delete_mode(st, "t", old, &recs, &err), 0);
    assert_string_equal(old, "READWRITE");
    apply_all(st, &recs);
    assert_int_equal(sr_plan_delete_mode(st, "t", old, &recs, &err), -1);
    assert_int_equal(err.code, SR_ERR_SUBJECT_NOT_FOUND);
    sr_state_free(st);
}

static void test_import(void **state)
{
    (void)state;
    sr_state_t *st = sr_state_new();
    int code = 0;
    int32_t id = 0;
    assert_int_equal(reg(st, "s", REC_A, 7, 0, NULL, &code), -1); /* not IMPORT */
    assert_int_equal(code, SR_ERR_OPERATION_NOT_PERMITTED);
    assert_int_equal(reg(st, "s", REC_A, -1, 0, &id, NULL), 0);
    set_mode(st, "s", "IMPORT", false, SR_ERR_OPERATION_NOT_PERMITTED); /* s is live */
    set_mode(st, "t", "IMPORT", false, 0);
    assert_int_equal(reg(st, "t", REC_B, 50, 4, &id, NULL), 0);
    assert_int_equal(id, 50);
    assert_int_equal(sr_subject_version(sr_state_subject(st, "t"), 4, false)->id, 50);
    assert_int_equal(reg(st, "t", REC_A, 50, 5, NULL, &code), -1); /* 50 holds REC_B */
    assert_int_equal(code, SR_ERR_OPERATION_NOT_PERMITTED);
    assert_int_equal(reg(st, "t", REC_A, -1, 0, NULL, &code), -1); /* IMPORT needs an id */
    assert_int_equal(sr_state_next_id(st), 51);
    sr_state_free(st);
}

/* An id no version holds any more may come back with another schema: that one is served. */
static void test_id_reused_after_permanent_delete(void **state)
{
    (void)state;
    sr_state_t *st = sr_state_new();
    set_mode(st, NULL, "IMPORT", false, 0);
    assert_int_equal(reg(st, "s", REC_A, 9, 1, NULL, NULL), 0);
    int32_t *versions;
    size_t n;
    sr_records_t recs = {0};
    kr_err_t err = {0};
    set_mode(st, NULL, "READWRITE", false, 0);
    assert_int_equal(sr_plan_delete_subject(st, "s", false, &versions, &n, &recs, &err), 0);
    free(versions);
    apply_all(st, &recs);
    assert_int_equal(sr_plan_delete_subject(st, "s", true, &versions, &n, &recs, &err), 0);
    free(versions);
    apply_all(st, &recs);
    set_mode(st, NULL, "IMPORT", false, 0);
    assert_int_equal(reg(st, "u", REC_B, 9, 1, NULL, NULL), 0);
    assert_non_null(strstr(sr_state_schema(st, 9)->text, "\"b\""));
    sr_state_free(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scope_and_readonly),
        cmocka_unit_test(test_import),
        cmocka_unit_test(test_id_reused_after_permanent_delete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
