/* schema/sr_state.c -- the registry's state rebuilt from `_schemas` records (Confluent's
 * format: JSON keys with a keytype, JSON values) and the plans for API writes. See
 * sr_state.h. Lookups are sorted arrays with binary search: a registry holds thousands of
 * schemas, not millions, and reads are far more common than writes. */
#include "schema/sr_state.h"

#include "format/json.h"
#include "format/jsonw.h"
#include "util/buf.h"
#include "util/mem.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

struct sr_state {
    sr_schema_t **schemas; /* sorted by id */
    size_t n_schemas, cap_schemas;
    sr_subject_t **subjects; /* sorted by name */
    size_t n_subjects, cap_subjects;
    int32_t max_id;
    int global_compat; /* -1: not set */
    char *global_mode; /* NULL: not set */
};

/* --- records ------------------------------------------------------------------------------ */

void sr_records_add(sr_records_t *r, char *key, char *value)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 4;
        r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
    }
    r->v[r->n].key = key;
    r->v[r->n].value = value;
    r->n++;
}

void sr_records_free(sr_records_t *r)
{
    for (size_t i = 0; i < r->n; i++) {
        xfree(r->v[i].key);
        xfree(r->v[i].value);
    }
    xfree(r->v);
    memset(r, 0, sizeof(*r));
}

static char *buf_string(kr_buf_t *b)
{
    size_t len;
    kr_buf_putc(b, '\0');
    return kr_buf_steal(b, &len);
}

/* {["subject":"<s>",]"<name>":"<value>"} -- a CONFIG's or a MODE's value. */
char *sr_value_scoped(const char *subject, const char *name, const char *value)
{
    kr_buf_t b;
    kr_buf_init(&b, 0);
    kr_buf_putc(&b, '{');
    if (subject) {
        kr_buf_puts(&b, "\"subject\":");
        fmt_json_quote(&b, subject, strlen(subject));
        kr_buf_putc(&b, ',');
    }
    kr_buf_printf(&b, "\"%s\":\"%s\"}", name, value);
    return buf_string(&b);
}

/* {"keytype":"<type>"[,"subject":"<s>"][,"version":<v>],"magic":<m>} -- Confluent's order. */
char *sr_key_make(const char *type, const char *subject, int32_t version, int magic)
{
    kr_buf_t b;
    kr_buf_init(&b, 0);
    fmt_jsonw_t w;
    fmt_jsonw_init(&w, &b);
    fmt_jsonw_obj_begin(&w);
    fmt_jsonw_key(&w, "keytype");
    fmt_jsonw_str(&w, type);
    if (subject) {
        fmt_jsonw_key(&w, "subject");
        fmt_jsonw_str(&w, subject);
    }
    if (version > 0) {
        fmt_jsonw_key(&w, "version");
        fmt_jsonw_int(&w, version);
    }
    fmt_jsonw_key(&w, "magic");
    fmt_jsonw_int(&w, magic);
    fmt_jsonw_obj_end(&w);
    return buf_string(&b);
}

char *sr_noop_key(void)
{
    return sr_key_make("NOOP", NULL, 0, 0);
}

static char *schema_key(const char *subject, int32_t version)
{
    return sr_key_make("SCHEMA", subject, version, 1);
}

/* {"subject","version","id","schema","deleted"} (+ schemaType/references when set). */
char *sr_value_schema(const char *subject, int32_t version, const sr_schema_t *s, bool deleted)
{
    kr_buf_t b;
    kr_buf_init(&b, 0);
    fmt_jsonw_t w;
    fmt_jsonw_init(&w, &b);
    fmt_jsonw_obj_begin(&w);
    fmt_jsonw_key(&w, "subject");
    fmt_jsonw_str(&w, subject);
    fmt_jsonw_key(&w, "version");
    fmt_jsonw_int(&w, version);
    fmt_jsonw_key(&w, "id");
    fmt_jsonw_int(&w, s->id);
    fmt_jsonw_key(&w, "schema");
    fmt_jsonw_str(&w, s->text);
    if (s->type) {
        fmt_jsonw_key(&w, "schemaType");
        fmt_jsonw_str(&w, s->type);
    }
    if (s->refs) {
        fmt_jsonw_key(&w, "references");
        fmt_jsonw_raw(&w, s->refs, strlen(s->refs));
    }
    fmt_jsonw_key(&w, "deleted");
    fmt_jsonw_bool(&w, deleted);
    fmt_jsonw_obj_end(&w);
    return buf_string(&b);
}

/* A stored value with "deleted" set to true, every other field kept as it was. */
static char *value_soft_deleted(const char *value)
{
    json_object *o = json_tokener_parse(value);
    if (!o || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return NULL;
    }
    json_object_object_add(o, "deleted", json_object_new_boolean(1));
    char *out = xstrdup(
        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return out;
}

/* --- lookups ------------------------------------------------------------------------------ */

static size_t schema_pos(const sr_state_t *st, int32_t id, bool *found)
{
    size_t lo = 0, hi = st->n_schemas;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (st->schemas[mid]->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < st->n_schemas && st->schemas[lo]->id == id;
    return lo;
}

const sr_schema_t *sr_state_schema(const sr_state_t *st, int32_t id)
{
    bool found;
    size_t i = schema_pos(st, id, &found);
    return found ? st->schemas[i] : NULL;
}

static size_t subject_pos(const sr_state_t *st, const char *name, bool *found)
{
    size_t lo = 0, hi = st->n_subjects;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(st->subjects[mid]->name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < st->n_subjects && strcmp(st->subjects[lo]->name, name) == 0;
    return lo;
}

const sr_subject_t *sr_state_subject(const sr_state_t *st, const char *name)
{
    bool found;
    size_t i = subject_pos(st, name, &found);
    return found ? st->subjects[i] : NULL;
}

size_t sr_state_subjects(const sr_state_t *st, const sr_subject_t *const **out)
{
    *out = (const sr_subject_t *const *)st->subjects;
    return st->n_subjects;
}

bool sr_subject_live(const sr_subject_t *s)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (!s->v[i].deleted)
            return true;
    return false;
}

const sr_version_t *sr_subject_version(const sr_subject_t *s, int32_t version, bool deleted)
{
    if (!s)
        return NULL;
    for (size_t i = s->n; i-- > 0;) {
        const sr_version_t *v = &s->v[i];
        if (v->deleted && (!deleted || version == SR_VERSION_LATEST))
            continue;
        if (version == SR_VERSION_LATEST || v->version == version)
            return v;
    }
    return NULL;
}

avs_compat_level_t sr_state_compat(const sr_state_t *st, const sr_subject_t *s)
{
    if (s && s->compat >= 0)
        return (avs_compat_level_t)s->compat;
    if (st->global_compat >= 0)
        return (avs_compat_level_t)st->global_compat;
    return AVS_COMPAT_BACKWARD;
}

const char *sr_state_mode(const sr_state_t *st)
{
    return st->global_mode ? st->global_mode : "READWRITE";
}

int32_t sr_state_next_id(const sr_state_t *st)
{
    return st->max_id + 1;
}

static bool same_type(const char *a, const char *b)
{
    const char *x = a ? a : "AVRO", *y = b ? b : "AVRO";
    return strcmp(x, y) == 0;
}

bool sr_state_id_used(const sr_state_t *st, int32_t id, bool deleted)
{
    for (size_t i = 0; i < st->n_subjects; i++)
        for (size_t k = 0; k < st->subjects[i]->n; k++)
            if (st->subjects[i]->v[k].id == id && (deleted || !st->subjects[i]->v[k].deleted))
                return true;
    return false;
}

int32_t sr_state_find_schema(const sr_state_t *st, const char *type, const char *norm)
{
    /* Newest first: a schema deleted for good and registered again has a newer id. */
    for (size_t i = st->n_schemas; i-- > 0;) {
        const sr_schema_t *s = st->schemas[i];
        if (same_type(s->type, type) && strcmp(s->norm, norm) == 0 &&
            sr_state_id_used(st, s->id, true))
            return s->id;
    }
    return -1;
}

/* --- building the state ------------------------------------------------------------------ */

sr_state_t *sr_state_new(void)
{
    sr_state_t *st = xcalloc(1, sizeof(*st));
    st->global_compat = -1;
    return st;
}

static void schema_free(sr_schema_t *s)
{
    xfree(s->type);
    xfree(s->text);
    xfree(s->norm);
    xfree(s->refs);
    avs_free(s->avro);
    xfree(s);
}

static void subject_free(sr_subject_t *s)
{
    for (size_t i = 0; i < s->n; i++)
        xfree(s->v[i].value);
    xfree(s->v);
    xfree(s->name);
    xfree(s->mode);
    xfree(s);
}

void sr_state_free(sr_state_t *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->n_schemas; i++)
        schema_free(st->schemas[i]);
    for (size_t i = 0; i < st->n_subjects; i++)
        subject_free(st->subjects[i]);
    xfree(st->schemas);
    xfree(st->subjects);
    xfree(st->global_mode);
    xfree(st);
}

static sr_subject_t *subject_get(sr_state_t *st, const char *name, bool create)
{
    bool found;
    size_t i = subject_pos(st, name, &found);
    if (found)
        return st->subjects[i];
    if (!create)
        return NULL;
    if (st->n_subjects == st->cap_subjects) {
        st->cap_subjects = st->cap_subjects ? 2 * st->cap_subjects : 16;
        st->subjects = xrealloc(st->subjects, st->cap_subjects * sizeof(*st->subjects));
    }
    memmove(&st->subjects[i + 1], &st->subjects[i], (st->n_subjects - i) * sizeof(*st->subjects));
    sr_subject_t *s = xcalloc(1, sizeof(*s));
    s->name = xstrdup(name);
    s->compat = -1;
    st->subjects[i] = s;
    st->n_subjects++;
    return s;
}

/* A subject with no versions, no config and no mode is forgotten. */
static void subject_gc(sr_state_t *st, sr_subject_t *s)
{
    if (s->n > 0 || s->compat >= 0 || s->mode)
        return;
    bool found;
    size_t i = subject_pos(st, s->name, &found);
    if (!found)
        return;
    subject_free(s);
    memmove(&st->subjects[i], &st->subjects[i + 1],
            (st->n_subjects - i - 1) * sizeof(*st->subjects));
    st->n_subjects--;
}

static void schema_insert(sr_state_t *st, sr_schema_t *s)
{
    bool found;
    size_t i = schema_pos(st, s->id, &found);
    if (st->n_schemas == st->cap_schemas) {
        st->cap_schemas = st->cap_schemas ? 2 * st->cap_schemas : 16;
        st->schemas = xrealloc(st->schemas, st->cap_schemas * sizeof(*st->schemas));
    }
    memmove(&st->schemas[i + 1], &st->schemas[i], (st->n_schemas - i) * sizeof(*st->schemas));
    st->schemas[i] = s;
    st->n_schemas++;
    if (s->id > st->max_id)
        st->max_id = s->id;
}

/* A record's key or value: one JSON object. */
static json_object *parse_obj(const char *text, size_t len, kr_err_t *err)
{
    int is_null;
    json_object *o = fmt_json_parse(text, len, &is_null, err);
    if (o && json_object_is_type(o, json_type_object))
        return o;
    json_object_put(o);
    if (o || is_null)
        kr_err_set(err, SR_ERR_STORE, "record is not a JSON object");
    return NULL;
}

static const char *obj_str(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static bool obj_int(json_object *o, const char *key, int32_t *out)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
        return false;
    int64_t x = json_object_get_int64(v);
    if (x < INT32_MIN || x > INT32_MAX)
        return false;
    *out = (int32_t)x;
    return true;
}

static bool obj_bool(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_boolean) &&
           json_object_get_boolean(v);
}

/* The schema of a SCHEMA record, added to the by-id table unless its id is known. */
static void schema_forget(sr_state_t *st, int32_t id)
{
    bool found;
    size_t i = schema_pos(st, id, &found);
    if (!found)
        return;
    schema_free(st->schemas[i]);
    memmove(&st->schemas[i], &st->schemas[i + 1], (st->n_schemas - i - 1) * sizeof(*st->schemas));
    st->n_schemas--;
}

/* The schema of a SCHEMA record, added to the by-id table unless its id is known. An id no
 * version holds any more may come back with another schema (IMPORT mode): that one wins. */
static void schema_learn(sr_state_t *st, json_object *val, int32_t id, const char *text)
{
    const sr_schema_t *old = sr_state_schema(st, id);
    if (old && (strcmp(old->text, text) == 0 || sr_state_id_used(st, id, true)))
        return;
    schema_forget(st, id);
    sr_schema_t *s = xcalloc(1, sizeof(*s));
    s->id = id;
    const char *type = obj_str(val, "schemaType");
    if (type && strcmp(type, "AVRO") != 0)
        s->type = xstrdup(type);
    s->text = xstrdup(text);
    json_object *refs;
    if (json_object_object_get_ex(val, "references", &refs) &&
        json_object_is_type(refs, json_type_array) && json_object_array_length(refs) > 0)
        s->refs = xstrdup(json_object_to_json_string_ext(refs, JSON_C_TO_STRING_PLAIN |
                                                                   JSON_C_TO_STRING_NOSLASHESCAPE));
    if (!s->type) {
        kr_err_t err = {0};
        s->avro = avs_parse(text, strlen(text), &err);
    }
    s->norm = xstrdup(s->avro ? avs_normalized(s->avro) : text);
    schema_insert(st, s);
}

static sr_version_t *version_slot(sr_subject_t *s, int32_t version)
{
    size_t i = 0;
    while (i < s->n && s->v[i].version < version)
        i++;
    if (i < s->n && s->v[i].version == version)
        return &s->v[i];
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 4;
        s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
    }
    memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof(*s->v));
    memset(&s->v[i], 0, sizeof(s->v[i]));
    s->v[i].version = version;
    s->n++;
    return &s->v[i];
}

static void version_remove(sr_state_t *st, sr_subject_t *s, int32_t version)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->v[i].version != version)
            continue;
        xfree(s->v[i].value);
        memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(*s->v));
        s->n--;
        break;
    }
    subject_gc(st, s);
}

static int apply_schema(sr_state_t *st, json_object *key, const char *value, size_t value_len,
                        kr_err_t *err)
{
    const char *subject = obj_str(key, "subject");
    int32_t version;
    if (!subject || !obj_int(key, "version", &version))
        return kr_err_set(err, SR_ERR_STORE, "SCHEMA key without subject or version");
    if (!value) {
        sr_subject_t *s = subject_get(st, subject, false);
        if (s)
            version_remove(st, s, version);
        return 0;
    }
    json_object *val = parse_obj(value, value_len, err);
    if (!val)
        return -1;
    int32_t id;
    const char *text = obj_str(val, "schema");
    if (!obj_int(val, "id", &id) || !text) {
        json_object_put(val);
        return kr_err_set(err, SR_ERR_STORE, "SCHEMA value without id or schema");
    }
    schema_learn(st, val, id, text);
    sr_version_t *v = version_slot(subject_get(st, subject, true), version);
    v->id = id;
    v->deleted = obj_bool(val, "deleted");
    xfree(v->value);
    v->value = xstrndup(value, value_len);
    json_object_put(val);
    return 0;
}

static int apply_config(sr_state_t *st, json_object *key, json_object *val)
{
    const char *subject = obj_str(key, "subject");
    int level = -1;
    const char *name = val ? obj_str(val, "compatibilityLevel") : NULL;
    avs_compat_level_t parsed;
    if (name && avs_compat_parse(name, &parsed) == 0)
        level = (int)parsed;
    if (!subject) {
        st->global_compat = level;
        return 0;
    }
    sr_subject_t *s = subject_get(st, subject, level >= 0);
    if (s) {
        s->compat = level;
        subject_gc(st, s);
    }
    return 0;
}

static int apply_mode(sr_state_t *st, json_object *key, json_object *val)
{
    const char *subject = obj_str(key, "subject");
    const char *mode = val ? obj_str(val, "mode") : NULL;
    if (!subject) {
        xfree(st->global_mode);
        st->global_mode = mode ? xstrdup(mode) : NULL;
        return 0;
    }
    sr_subject_t *s = subject_get(st, subject, mode != NULL);
    if (s) {
        xfree(s->mode);
        s->mode = mode ? xstrdup(mode) : NULL;
        subject_gc(st, s);
    }
    return 0;
}

/* DELETE_SUBJECT: versions up to the given one become soft-deleted. */
static int apply_delete_subject(sr_state_t *st, json_object *val)
{
    const char *subject = obj_str(val, "subject");
    int32_t upto;
    if (!subject || !obj_int(val, "version", &upto))
        return 0;
    sr_subject_t *s = subject_get(st, subject, false);
    for (size_t i = 0; s && i < s->n; i++)
        if (s->v[i].version <= upto)
            s->v[i].deleted = true;
    return 0;
}

/* CLEAR_SUBJECT: the soft-deleted versions are forgotten. */
static int apply_clear_subject(sr_state_t *st, json_object *val)
{
    const char *subject = obj_str(val, "subject");
    sr_subject_t *s = subject ? subject_get(st, subject, false) : NULL;
    if (!s)
        return 0;
    size_t j = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->v[i].deleted)
            xfree(s->v[i].value);
        else
            s->v[j++] = s->v[i];
    }
    s->n = j;
    subject_gc(st, s);
    return 0;
}

int sr_state_apply(sr_state_t *st, const char *key, size_t key_len, const char *value,
                   size_t value_len, kr_err_t *err)
{
    json_object *k = parse_obj(key, key_len, err);
    if (!k)
        return -1;
    const char *type = obj_str(k, "keytype");
    int rc = 0;
    if (!type) {
        rc = kr_err_set(err, SR_ERR_STORE, "record key without keytype");
    } else if (strcmp(type, "SCHEMA") == 0) {
        rc = apply_schema(st, k, value, value_len, err);
    } else if (strcmp(type, "CONFIG") == 0 || strcmp(type, "MODE") == 0 ||
               strcmp(type, "DELETE_SUBJECT") == 0 || strcmp(type, "CLEAR_SUBJECT") == 0) {
        json_object *val = NULL;
        if (value && !(val = parse_obj(value, value_len, err))) {
            json_object_put(k);
            return -1;
        }
        if (strcmp(type, "CONFIG") == 0)
            rc = apply_config(st, k, val);
        else if (strcmp(type, "MODE") == 0)
            rc = apply_mode(st, k, val);
        else if (val && strcmp(type, "DELETE_SUBJECT") == 0)
            rc = apply_delete_subject(st, val);
        else if (val)
            rc = apply_clear_subject(st, val);
        json_object_put(val);
    } /* NOOP and key types krest does not use: nothing to do */
    json_object_put(k);
    return rc;
}

/* --- plans -------------------------------------------------------------------------------- */

static int subject_missing(const char *subject, kr_err_t *err)
{
    return kr_err_set(err, SR_ERR_SUBJECT_NOT_FOUND, "Subject '%s' not found.", subject);
}

int sr_plan_delete_subject(const sr_state_t *st, const char *subject, bool permanent,
                           int32_t **versions, size_t *n_versions, sr_records_t *out, kr_err_t *err)
{
    const sr_subject_t *s = sr_state_subject(st, subject);
    *versions = NULL;
    *n_versions = 0;
    if (sr_check_writable(st, subject, err) != 0)
        return -1;
    if (!s || s->n == 0)
        return subject_missing(subject, err);
    bool live = sr_subject_live(s);
    if (!permanent && !live)
        return kr_err_set(err, SR_ERR_SUBJECT_SOFT_DELETED,
                          "Subject '%s' was soft deleted.Set permanent=true to delete permanently",
                          subject);
    if (permanent && live)
        return kr_err_set(err, SR_ERR_SUBJECT_NOT_SOFT_DELETED,
                          "Subject '%s' was not deleted first before being permanently deleted",
                          subject);
    *versions = xcalloc(s->n, sizeof(**versions));
    int32_t last = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!permanent && s->v[i].deleted)
            continue;
        (*versions)[(*n_versions)++] = s->v[i].version;
        last = s->v[i].version;
    }
    if (!permanent) {
        kr_buf_t b;
        kr_buf_init(&b, 0);
        kr_buf_puts(&b, "{\"subject\":");
        fmt_json_quote(&b, subject, strlen(subject));
        kr_buf_printf(&b, ",\"version\":%d}", (int)last);
        sr_records_add(out, sr_key_make("DELETE_SUBJECT", subject, 0, 0), buf_string(&b));
    } else {
        for (size_t i = *n_versions; i-- > 0;)
            sr_records_add(out, schema_key(subject, (*versions)[i]), NULL);
    }
    /* A deleted subject loses its own config and mode (Confluent does the same). */
    if (s->compat >= 0)
        sr_records_add(out, sr_key_make("CONFIG", subject, 0, 0), NULL);
    if (s->mode)
        sr_records_add(out, sr_key_make("MODE", subject, 0, 0), NULL);
    return 0;
}

int sr_plan_delete_version(const sr_state_t *st, const char *subject, int32_t version,
                           bool permanent, int32_t *deleted, sr_records_t *out, kr_err_t *err)
{
    const sr_subject_t *s = sr_state_subject(st, subject);
    if (sr_check_writable(st, subject, err) != 0)
        return -1;
    if (!s || s->n == 0)
        return subject_missing(subject, err);
    const sr_version_t *v = sr_subject_version(s, version, permanent);
    if (!v && version != SR_VERSION_LATEST && sr_subject_version(s, version, true))
        return kr_err_set(err, SR_ERR_VERSION_SOFT_DELETED,
                          "Subject '%s' Version %d was soft deleted.Set permanent=true to delete "
                          "permanently",
                          subject, (int)version);
    if (!v)
        return kr_err_set(err, SR_ERR_VERSION_NOT_FOUND, "Version %d not found.", (int)version);
    if (permanent && !v->deleted)
        return kr_err_set(err, SR_ERR_VERSION_NOT_SOFT_DELETED,
                          "Subject '%s' Version %d was not deleted first before being "
                          "permanently deleted",
                          subject, (int)v->version);
    *deleted = v->version;
    size_t live = 0;
    for (size_t i = 0; i < s->n; i++)
        live += !s->v[i].deleted;
    /* The subject's last version going: its own config goes too (Confluent does the same). */
    bool last = permanent ? s->n == 1 : live == 1;
    if (last && s->compat >= 0)
        sr_records_add(out, sr_key_make("CONFIG", subject, 0, 0), NULL);
    if (last && s->mode)
        sr_records_add(out, sr_key_make("MODE", subject, 0, 0), NULL);
    if (permanent) {
        sr_records_add(out, schema_key(subject, v->version), NULL);
        return 0;
    }
    char *value = value_soft_deleted(v->value);
    if (!value) {
        const sr_schema_t *sc = sr_state_schema(st, v->id);
        if (!sc)
            return kr_err_set(err, SR_ERR_STORE, "schema %d of '%s' is missing", (int)v->id,
                              subject);
        value = sr_value_schema(subject, v->version, sc, true);
    }
    sr_records_add(out, schema_key(subject, v->version), value);
    return 0;
}

int sr_plan_set_config(const sr_state_t *st, const char *subject, avs_compat_level_t level,
                       sr_records_t *out, kr_err_t *err)
{
    if (sr_check_writable(st, subject, err) != 0)
        return -1;
    sr_records_add(out, sr_key_make("CONFIG", subject, 0, 0),
                   sr_value_scoped(subject, "compatibilityLevel", avs_compat_name(level)));
    return 0;
}

int sr_plan_delete_config(const sr_state_t *st, const char *subject, avs_compat_level_t *old,
                          sr_records_t *out, kr_err_t *err)
{
    if (sr_check_writable(st, subject, err) != 0)
        return -1;
    if (subject) {
        const sr_subject_t *s = sr_state_subject(st, subject);
        if (!s || s->compat < 0) /* Confluent answers 40401 here, not 40408 */
            return subject_missing(subject, err);
        *old = (avs_compat_level_t)s->compat;
        sr_records_add(out, sr_key_make("CONFIG", subject, 0, 0), NULL);
        return 0;
    }
    *old = sr_state_compat(st, NULL);
    if (st->global_compat >= 0)
        sr_records_add(out, sr_key_make("CONFIG", NULL, 0, 0), NULL);
    return 0;
}
