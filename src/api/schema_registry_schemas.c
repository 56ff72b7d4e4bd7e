/* api/schema_registry_schemas.c -- the Schema Registry's schema listings (Confluent Schema
 * Registry 7.x's SchemasResource and referencedby): GET /schemas (subjectPrefix, deleted,
 * latestOnly, offset, limit), GET /schemas/ids/{id}/subjects, GET /schemas/ids/{id}/schema and
 * GET /subjects/{s}/versions/{v}/referencedby. Reads only: each runs on the worker pool under
 * the registry's read lock (schema_registry_int.h). See docs/schema-registry.md. */
#include "api/schema_registry.h"
#include "api/schema_registry_int.h"

#include "util/mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Confluent's schema.search.default.limit and schema.search.max.limit. */
#define SCHEMAS_LIMIT 1000

/* --- GET /schemas ------------------------------------------------------------------------- */

/* Whether version k of s is listed: not soft-deleted (unless deleted), and with latestOnly the
 * last of those. */
static bool schemas_listed(const sr_job_t *j, const sr_subject_t *s, size_t k)
{
    if (s->v[k].deleted && !j->deleted)
        return false;
    for (size_t i = k + 1; j->latest_only && i < s->n; i++)
        if (!s->v[i].deleted || j->deleted)
            return false;
    return true;
}

static void exec_schemas(sr_job_t *j)
{
    const sr_state_t *st = sr_registry_read_begin(j->reg);
    const char *prefix = j->subject && strcmp(j->subject, ":*:") != 0 ? j->subject : "";
    size_t plen = strlen(prefix);
    int64_t seen = 0, written = 0;
    kr_buf_putc(&j->out, '[');
    const sr_subject_t *const *subs;
    size_t n = sr_state_subjects(st, &subs);
    for (size_t i = 0; i < n && written < j->limit; i++) {
        const sr_subject_t *s = subs[i];
        if (strncmp(s->name, prefix, plen) != 0)
            continue;
        for (size_t k = 0; k < s->n && written < j->limit; k++) {
            const sr_schema_t *sc = sr_state_schema(st, s->v[k].id);
            if (!sc || !schemas_listed(j, s, k) || seen++ < j->offset)
                continue;
            if (written++ > 0)
                kr_buf_putc(&j->out, ',');
            api_sr_write_version(&j->out, s->name, &s->v[k], sc);
        }
    }
    kr_buf_putc(&j->out, ']');
    sr_registry_read_end(j->reg);
}

/* An int query parameter (Java's Integer): absent gives def; not an int: -1. */
static int query_int(const api_req_t *req, const char *key, int64_t def, int64_t *out)
{
    const char *v = api_query(req, key);
    *out = def;
    if (!v)
        return 0;
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || end == v || *end || x < INT32_MIN || x > INT32_MAX)
        return -1;
    *out = x;
    return 0;
}

api_status_t api_sr_schemas(api_req_t *req)
{
    int64_t offset, limit;
    if (query_int(req, "offset", 0, &offset) != 0 || query_int(req, "limit", -1, &limit) != 0)
        return api_reply_error(req, 404, "HTTP 404 Not Found"); /* JAX-RS: a bad query int */
    sr_job_t *j = api_sr_job_new(req, exec_schemas);
    j->deleted = api_sr_query_bool(req, "deleted");
    j->latest_only = api_sr_query_bool(req, "latestOnly");
    const char *prefix = api_query(req, "subjectPrefix");
    j->subject = prefix ? xstrdup(prefix) : NULL;
    j->offset = offset > 0 ? offset : 0;
    /* Confluent's normalizeLimit: a limit outside (0, max] is the default one. */
    j->limit = limit > 0 && limit <= SCHEMAS_LIMIT ? limit : SCHEMAS_LIMIT;
    return api_sr_job_submit(req, j);
}

/* --- by id -------------------------------------------------------------------------------- */

static bool id_known(const sr_state_t *st, int32_t id)
{
    return sr_state_schema(st, id) && sr_state_id_used(st, id, true);
}

static bool subject_holds(const sr_subject_t *s, int32_t id, bool deleted)
{
    for (size_t k = 0; k < s->n; k++)
        if (s->v[k].id == id && (!s->v[k].deleted || deleted))
            return true;
    return false;
}

static void exec_id_subjects(sr_job_t *j)
{
    const sr_state_t *st = sr_registry_read_begin(j->reg);
    if (!id_known(st, j->id)) {
        kr_err_set(&j->job.err, SR_ERR_SCHEMA_NOT_FOUND, "Schema not found");
    } else {
        fmt_jsonw_t w;
        fmt_jsonw_init(&w, &j->out);
        fmt_jsonw_arr_begin(&w);
        const sr_subject_t *const *subs;
        size_t n = sr_state_subjects(st, &subs);
        for (size_t i = 0; i < n; i++)
            if (subject_holds(subs[i], j->id, j->deleted))
                fmt_jsonw_str(&w, subs[i]->name);
        fmt_jsonw_arr_end(&w);
    }
    sr_registry_read_end(j->reg);
}

static void exec_id_schema(sr_job_t *j)
{
    const sr_state_t *st = sr_registry_read_begin(j->reg);
    if (!id_known(st, j->id))
        kr_err_set(&j->job.err, SR_ERR_SCHEMA_NOT_FOUND, "Schema %d not found", (int)j->id);
    else
        kr_buf_puts(&j->out, sr_state_schema(st, j->id)->text);
    sr_registry_read_end(j->reg);
}

api_status_t api_sr_schema_subjects(api_req_t *req)
{
    return api_sr_id_job(req, exec_id_subjects);
}

api_status_t api_sr_schema_text(api_req_t *req)
{
    return api_sr_id_job(req, exec_id_schema);
}

/* --- GET /subjects/{s}/versions/{v}/referencedby ------------------------------------------ */

/* The version is looked up as GET .../versions/{v}?deleted=true; krest's registry has no
 * schema references, so nothing refers to it: []. */
static void exec_referenced_by(sr_job_t *j)
{
    const sr_state_t *st = sr_registry_read_begin(j->reg);
    const sr_subject_t *s = sr_state_subject(st, j->subject);
    if (!s || s->n == 0)
        api_sr_subject_not_found(j);
    else if (!sr_subject_version(s, j->version, true))
        api_sr_version_not_found(j);
    else
        kr_buf_puts(&j->out, "[]");
    sr_registry_read_end(j->reg);
}

api_status_t api_sr_referenced_by(api_req_t *req)
{
    return api_sr_version_job(req, exec_referenced_by, false);
}
