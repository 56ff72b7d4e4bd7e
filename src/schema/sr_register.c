/* schema/sr_register.c -- the register plan: mode checks, duplicates, compatibility, the id and
 * version of a new registration, and IMPORT mode's explicit ids and versions (Confluent
 * KafkaSchemaRegistry.register's rules). See sr_state.h. Threads: as sr_state.c (the caller
 * holds the registry's lock). */
#include "schema/sr_state.h"

#include "util/mem.h"

#include <string.h>

static int32_t max_version(const sr_subject_t *s)
{
    return s && s->n ? s->v[s->n - 1].version : 0;
}

/* The live versions' Avro schemas, oldest first (borrowed). */
static size_t live_schemas(const sr_state_t *st, const sr_subject_t *s, const avs_schema_t ***out)
{
    *out = xcalloc(s && s->n ? s->n : 1, sizeof(**out));
    size_t n = 0;
    for (size_t i = 0; s && i < s->n; i++) {
        if (s->v[i].deleted)
            continue;
        const sr_schema_t *sc = sr_state_schema(st, s->v[i].id);
        if (sc && sc->avro)
            (*out)[n++] = sc->avro;
    }
    return n;
}

static int check_compat(const sr_state_t *st, const sr_subject_t *s, const char *subject,
                        const avs_schema_t *cand, kr_err_t *err)
{
    const avs_schema_t **prev;
    size_t n = live_schemas(st, s, &prev);
    char reason[200];
    avs_compat_level_t level = sr_state_compat(st, s);
    bool ok = avs_check_compat(level, cand, prev, n, reason, sizeof(reason));
    xfree(prev);
    if (ok)
        return 0;
    return kr_err_set(err, SR_ERR_INCOMPATIBLE,
                      "Schema being registered is incompatible with an earlier schema for "
                      "subject \"%s\", details: [%s, {compatibility: '%s'}]",
                      subject, reason, avs_compat_name(level));
}

/* Confluent's checkRegisterMode: read-only refuses; an explicit id needs IMPORT, none needs
 * READWRITE. */
static int check_mode(const sr_state_t *st, const sr_register_t *r, bool *import, kr_err_t *err)
{
    if (sr_check_writable(st, r->subject, err) != 0)
        return -1;
    const char *mode = sr_state_mode_in_scope(st, r->subject);
    *import = strcmp(mode, "IMPORT") == 0;
    if (r->has_id && !*import)
        return kr_err_set(err, SR_ERR_OPERATION_NOT_PERMITTED, "Subject %s is not in import mode",
                          r->subject);
    if (!r->has_id && strcmp(mode, "READWRITE") != 0)
        return kr_err_set(err, SR_ERR_OPERATION_NOT_PERMITTED,
                          "Subject %s is not in read-write mode", r->subject);
    return 0;
}

/* The live version of s that holds this schema (and the id asked for, if any), or NULL. */
static const sr_version_t *live_duplicate(const sr_state_t *st, const sr_subject_t *s,
                                          const sr_register_t *r, const char *norm)
{
    for (size_t i = s ? s->n : 0; i-- > 0;) {
        const sr_version_t *v = &s->v[i];
        const sr_schema_t *sc = sr_state_schema(st, v->id);
        if (!v->deleted && sc && !sc->type && strcmp(sc->norm, norm) == 0 &&
            (!r->has_id || v->id == r->want_id))
            return v;
    }
    return NULL;
}

/* An explicit id that some version holds with another schema cannot be reused. */
static int check_id(const sr_state_t *st, int32_t id, const char *norm, kr_err_t *err)
{
    const sr_schema_t *known = sr_state_schema(st, id);
    if (known && sr_state_id_used(st, id, true) && (known->type || strcmp(known->norm, norm) != 0))
        return kr_err_set(err, SR_ERR_OPERATION_NOT_PERMITTED,
                          "Overwrite new schema with id %d is not permitted.", (int)id);
    return 0;
}

int sr_plan_register(const sr_state_t *st, sr_register_t *r, sr_records_t *out, kr_err_t *err)
{
    bool import;
    if (check_mode(st, r, &import, err) != 0)
        return -1;
    const sr_subject_t *s = sr_state_subject(st, r->subject);
    const char *norm = avs_normalized(r->schema);
    const sr_version_t *dup = r->want_version > 0 ? NULL : live_duplicate(st, s, r, norm);
    if (dup) {
        r->id = dup->id;
        r->version = dup->version;
        return 0; /* already registered here: nothing to write */
    }
    if (!import && check_compat(st, s, r->subject, r->schema, err) != 0)
        return -1;
    int32_t next = max_version(s) + 1;
    if (r->want_version > 0 && r->want_version != next && !import)
        return kr_err_set(err, SR_ERR_INVALID_SCHEMA,
                          "Version is not one more than previous version");
    r->version = r->want_version > 0 ? r->want_version : next;
    if (r->has_id) {
        if (check_id(st, r->want_id, norm, err) != 0)
            return -1;
        r->id = r->want_id;
    } else {
        int32_t id = sr_state_find_schema(st, NULL, norm);
        r->id = id >= 0 ? id : sr_state_next_id(st);
    }
    /* A soft-deleted older version with the same id is replaced (Confluent tombstones it). */
    for (size_t i = 0; s && i < s->n; i++)
        if (s->v[i].deleted && s->v[i].id == r->id && s->v[i].version < r->version)
            sr_records_add(out, sr_key_make("SCHEMA", r->subject, s->v[i].version, 1), NULL);
    const sr_schema_t *known = sr_state_schema(st, r->id);
    if (known && !sr_state_id_used(st, r->id, true))
        known = NULL; /* an id no version holds: the new schema takes it (IMPORT) */
    sr_schema_t fresh = {.id = r->id, .text = (char *)avs_compact(r->schema)};
    sr_records_add(out, sr_key_make("SCHEMA", r->subject, r->version, 1),
                   sr_value_schema(r->subject, r->version, known ? known : &fresh, false));
    return 0;
}
