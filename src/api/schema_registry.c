/* api/schema_registry.c -- the Schema Registry API. Each handler checks what it can on the
 * HTTP thread (path, query, body, schema parsing) and hands a job to the worker pool; the job
 * waits for the registry to be ready, reads the state under its read lock or asks for a write,
 * and leaves the response (status and JSON) in the job for the HTTP thread to send.
 * See schema_registry.h and docs/schema-registry.md. */
#include "api/schema_registry.h"
#include "api/schema_registry_int.h"

#include "api/body.h"
#include "api/job.h"
#include "api/names.h"
#include "format/avro_schema.h"
#include "format/jsonw.h"
#include "schema/registry.h"
#include "util/mem.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void job_free(api_job_t *job)
{
    sr_job_t *j = (sr_job_t *)job;
    xfree(j->subject);
    xfree(j->mode_text);
    avs_free(j->schema);
    kr_buf_deinit(&j->out);
    xfree(j);
}

static void job_run(api_job_t *job)
{
    sr_job_t *j = (sr_job_t *)job;
    if (sr_registry_wait_ready(j->reg, &job->err) == 0)
        j->exec(j);
    api_job_complete(job);
}

static api_status_t job_done(api_req_t *req, void *result, bool timed_out)
{
    sr_job_t *j = result;
    api_status_t st;
    if (timed_out) {
        st = api_reply_error(req, SR_ERR_TIMEOUT, "Timed out waiting for the schemas topic");
    } else if (j->job.err.code) {
        st = api_reply_err(req, &j->job.err);
    } else {
        kr_buf_append(&req->resp, j->out.data, j->out.len);
        st = api_reply(req, j->status ? j->status : 200);
    }
    api_job_free(&j->job);
    return st;
}

sr_job_t *api_sr_job_new(api_req_t *req, sr_exec_fn exec)
{
    sr_job_t *j = xcalloc(1, sizeof(*j));
    j->job.ctx = req->ctx;
    j->job.free_fn = job_free;
    /* The registry's own deadline: it may wait for the schemas topic to be read (bounded by
     * client.init.timeout.ms) and then write to it. */
    j->job.timeout_ms = req->ctx->cfg->client_init_timeout_ms * 2 + 5000;
    j->reg = req->ctx->registry;
    j->exec = exec;
    j->level = -1;
    kr_buf_init(&j->out, 0);
    return j;
}

/* A subject from the path must be UTF-8 without control characters (Confluent's
 * RestInvalidSubjectException: 422/42208): checked before anything is written, so the schemas
 * topic never holds a record its reader would skip, and no answer echoes invalid UTF-8. */
api_status_t api_sr_job_submit(api_req_t *req, sr_job_t *j)
{
    if (j->subject_param && j->subject && !api_text_valid(j->subject, strlen(j->subject))) {
        api_job_free(&j->job);
        return api_reply_error(req, SR_ERR_INVALID_SUBJECT,
                               "The specified subject is not valid: it must be UTF-8 without "
                               "control characters");
    }
    return api_job_run(req, &j->job, job_run, job_done);
}

/* --- request parsing ---------------------------------------------------------------------- */

/* Java's Boolean.valueOf: "true" in any case. */
bool api_sr_query_bool(const api_req_t *req, const char *key)
{
    const char *v = api_query(req, key);
    return v && strcasecmp(v, "true") == 0;
}

/* Confluent's VersionId: "latest" (any case) or -1, else an int in [1, 2^31-1]. */
int api_sr_parse_version(const char *text, int32_t *out, kr_err_t *err)
{
    const char *s = text;
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 6 && strncasecmp(s, "latest", 6) == 0) {
        *out = SR_VERSION_LATEST;
        return 0;
    }
    char buf[32];
    if (n > 0 && n < sizeof(buf)) {
        memcpy(buf, s, n);
        buf[n] = '\0';
        char *end;
        errno = 0;
        long long v = strtoll(buf, &end, 10);
        if (!errno && *end == '\0' && (buf[0] == '-' || isdigit((unsigned char)buf[0])) &&
            (v == -1 || (v >= 1 && v <= INT32_MAX))) {
            *out = (int32_t)v;
            return 0;
        }
    }
    return kr_err_set(err, SR_ERR_INVALID_VERSION,
                      "The specified version '%s' is not a valid version id. Allowed values are "
                      "between [1, 2^31-1] and the string \"latest\"",
                      text);
}

/* Bodies of the registry: unknown fields are ignored (api/body.h, section K). */
static const api_body_spec_t sr_body = {.fields = NULL};

/* The "id" and "version" of a register body (IMPORT mode), into ids. */
static int parse_ids(const api_body_t *b, sr_register_t *ids, kr_err_t *err)
{
    int64_t id = -1, version = 0;
    if (api_body_int(b, b->root, "id", INT32_MIN, INT32_MAX, &id, err) != 0 ||
        api_body_int(b, b->root, "version", INT32_MIN, INT32_MAX, &version, err) != 0)
        return -1;
    ids->has_id = id >= 0; /* Confluent: a negative id is none */
    ids->want_id = (int32_t)id;
    ids->want_version = (int32_t)version;
    return 0;
}

/* The {"schema": "...", "schemaType"?, "references"?, "id"?, "version"?} body of register,
 * lookup and compatibility, parsed into an Avro schema and ids. @return 0, or -1 with err set. */
static int parse_schema_body(const api_req_t *req, avs_schema_t **out, sr_register_t *ids,
                             kr_err_t *err)
{
    api_body_t b;
    if (api_body_parse(&b, req, &sr_body, err) != 0) {
        api_body_deinit(&b);
        return -1;
    }
    const char *text = NULL, *type = NULL;
    bool wrong = api_body_str(&b, b.root, "schema", &text, err) != 0;
    wrong = api_body_str(&b, b.root, "schemaType", &type, err) != 0 || wrong;
    json_object *refs = api_body_get(b.root, "references");
    int rc = -1;
    if (wrong)
        kr_err_set(err, KR_ERR_BAD_REQUEST, "schema and schemaType must be strings");
    else if (parse_ids(&b, ids, err) != 0)
        rc = -1; /* err set by the body's getter */
    else if (type && strcmp(type, "AVRO") != 0)
        kr_err_set(err, SR_ERR_INVALID_SCHEMA, "Invalid schema type %s: only AVRO is supported",
                   type);
    else if (refs && json_object_is_type(refs, json_type_array) &&
             json_object_array_length(refs) > 0)
        kr_err_set(err, SR_ERR_INVALID_SCHEMA,
                   "Invalid schema: schema references are not supported by krest's registry");
    else if (!text || !*text)
        kr_err_set(err, SR_ERR_INVALID_SCHEMA, "Empty schema");
    else if (strlen(text) > AVS_MAX_SCHEMA_TEXT)
        kr_err_set(err, SR_ERR_SCHEMA_TOO_LARGE,
                   "Register operation failed because schema is too large");
    else if ((*out = avs_parse(text, strlen(text), err)) != NULL)
        rc = 0;
    api_body_deinit(&b);
    return rc;
}

/* --- writers of common shapes -------------------------------------------------------------- */

void api_sr_write_schema_fields(fmt_jsonw_t *w, const sr_schema_t *s)
{
    if (s->type) {
        fmt_jsonw_key(w, "schemaType");
        fmt_jsonw_str(w, s->type);
    }
    if (s->refs) {
        fmt_jsonw_key(w, "references");
        fmt_jsonw_raw(w, s->refs, strlen(s->refs));
    }
    fmt_jsonw_key(w, "schema");
    fmt_jsonw_str(w, s->text);
}

/* {"subject","version","id",["schemaType"],["references"],"schema"} */
void api_sr_write_version(kr_buf_t *out, const char *subject, const sr_version_t *v,
                          const sr_schema_t *s)
{
    fmt_jsonw_t w;
    fmt_jsonw_init(&w, out);
    fmt_jsonw_obj_begin(&w);
    fmt_jsonw_key(&w, "subject");
    fmt_jsonw_str(&w, subject);
    fmt_jsonw_key(&w, "version");
    fmt_jsonw_int(&w, v->version);
    fmt_jsonw_key(&w, "id");
    fmt_jsonw_int(&w, v->id);
    api_sr_write_schema_fields(&w, s);
    fmt_jsonw_obj_end(&w);
}

static void write_level(kr_buf_t *out, const char *key, avs_compat_level_t level)
{
    kr_buf_printf(out, "{\"%s\":\"%s\"}", key, avs_compat_name(level));
}

/* --- simple endpoints --------------------------------------------------------------------- */

api_status_t api_sr_root(api_req_t *req)
{
    kr_buf_puts(&req->resp, "{}");
    return api_reply(req, 200);
}

api_status_t api_sr_types(api_req_t *req)
{
    kr_buf_puts(&req->resp, "[\"AVRO\"]");
    return api_reply(req, 200);
}

/* --- schemas by id ------------------------------------------------------------------------ */

static void exec_schema_by_id(sr_job_t *j)
{
    const sr_state_t *st = sr_registry_read_begin(j->reg);
    const sr_schema_t *s = sr_state_schema(st, j->id);
    if (!s || !sr_state_id_used(st, j->id, true)) {
        kr_err_set(&j->job.err, SR_ERR_SCHEMA_NOT_FOUND, "Schema %d not found", (int)j->id);
    } else {
        fmt_jsonw_t w;
        fmt_jsonw_init(&w, &j->out);
        fmt_jsonw_obj_begin(&w);
        api_sr_write_schema_fields(&w, s);
        if (j->max_id) {
            fmt_jsonw_key(&w, "maxId");
            fmt_jsonw_int(&w, sr_state_next_id(st) - 1);
        }
        fmt_jsonw_obj_end(&w);
    }
    sr_registry_read_end(j->reg);
}

int api_sr_param_id(api_req_t *req, int32_t *id)
{
    if (api_param_int32(req, 0, id) == 0)
        return 0;
    api_reply_error(req, SR_ERR_SCHEMA_NOT_FOUND, "Schema %s not found", req->params[0]);
    return -1;
}

api_status_t api_sr_id_job(api_req_t *req, sr_exec_fn exec)
{
    int32_t id;
    if (api_sr_param_id(req, &id) != 0)
        return API_DONE;
    sr_job_t *j = api_sr_job_new(req, exec);
    j->id = id;
    j->max_id = api_sr_query_bool(req, "fetchMaxId");
    j->deleted = api_sr_query_bool(req, "deleted");
    return api_sr_job_submit(req, j);
}

api_status_t api_sr_schema_by_id(api_req_t *req)
{
    return api_sr_id_job(req, exec_schema_by_id);
}

static void exec_schema_versions(sr_job_t *j)
{
    const sr_state_t *st = sr_registry_read_begin(j->reg);
    if (!sr_state_schema(st, j->id) || !sr_state_id_used(st, j->id, true)) {
        kr_err_set(&j->job.err, SR_ERR_SCHEMA_NOT_FOUND, "Schema not found");
    } else {
        fmt_jsonw_t w;
        fmt_jsonw_init(&w, &j->out);
        fmt_jsonw_arr_begin(&w);
        const sr_subject_t *const *subs;
        size_t n = sr_state_subjects(st, &subs);
        for (size_t i = 0; i < n; i++) {
            for (size_t k = 0; k < subs[i]->n; k++) {
                const sr_version_t *v = &subs[i]->v[k];
                if (v->id != j->id || (v->deleted && !j->deleted))
                    continue;
                fmt_jsonw_obj_begin(&w);
                fmt_jsonw_key(&w, "subject");
                fmt_jsonw_str(&w, subs[i]->name);
                fmt_jsonw_key(&w, "version");
                fmt_jsonw_int(&w, v->version);
                fmt_jsonw_obj_end(&w);
            }
        }
        fmt_jsonw_arr_end(&w);
    }
    sr_registry_read_end(j->reg);
}

api_status_t api_sr_schema_versions(api_req_t *req)
{
    return api_sr_id_job(req, exec_schema_versions);
}

/* --- subjects and versions ---------------------------------------------------------------- */

static void exec_subjects(sr_job_t *j)
{
    const sr_state_t *st = sr_registry_read_begin(j->reg);
    const char *prefix = j->subject && strcmp(j->subject, ":*:") != 0 ? j->subject : "";
    fmt_jsonw_t w;
    fmt_jsonw_init(&w, &j->out);
    fmt_jsonw_arr_begin(&w);
    const sr_subject_t *const *subs;
    size_t n = sr_state_subjects(st, &subs);
    for (size_t i = 0; i < n; i++) {
        const sr_subject_t *s = subs[i];
        bool listed = sr_subject_live(s) || (j->deleted && s->n > 0);
        if (listed && strncmp(s->name, prefix, strlen(prefix)) == 0)
            fmt_jsonw_str(&w, s->name);
    }
    fmt_jsonw_arr_end(&w);
    sr_registry_read_end(j->reg);
}

api_status_t api_sr_subjects(api_req_t *req)
{
    sr_job_t *j = api_sr_job_new(req, exec_subjects);
    j->deleted = api_sr_query_bool(req, "deleted");
    const char *prefix = api_query(req, "subjectPrefix");
    j->subject = prefix ? xstrdup(prefix) : NULL;
    return api_sr_job_submit(req, j);
}

void api_sr_subject_not_found(sr_job_t *j)
{
    kr_err_set(&j->job.err, SR_ERR_SUBJECT_NOT_FOUND, "Subject '%s' not found.", j->subject);
}

void api_sr_version_not_found(sr_job_t *j)
{
    kr_err_set(&j->job.err, SR_ERR_VERSION_NOT_FOUND, "Version %d not found.", (int)j->version);
}

static void exec_versions(sr_job_t *j)
{
    const sr_state_t *st = sr_registry_read_begin(j->reg);
    const sr_subject_t *s = sr_state_subject(st, j->subject);
    if (!s || !(sr_subject_live(s) || (j->deleted && s->n > 0))) {
        api_sr_subject_not_found(j);
    } else {
        fmt_jsonw_t w;
        fmt_jsonw_init(&w, &j->out);
        fmt_jsonw_arr_begin(&w);
        for (size_t i = 0; i < s->n; i++)
            if (!s->v[i].deleted || j->deleted)
                fmt_jsonw_int(&w, s->v[i].version);
        fmt_jsonw_arr_end(&w);
    }
    sr_registry_read_end(j->reg);
}

sr_job_t *api_sr_subject_job(api_req_t *req, sr_exec_fn exec)
{
    sr_job_t *j = api_sr_job_new(req, exec);
    j->subject = xstrdup(req->params[0]);
    j->subject_param = true;
    j->deleted = api_sr_query_bool(req, "deleted");
    j->permanent = api_sr_query_bool(req, "permanent");
    return j;
}

api_status_t api_sr_versions(api_req_t *req)
{
    return api_sr_job_submit(req, api_sr_subject_job(req, exec_versions));
}

static void exec_version_get(sr_job_t *j)
{
    const sr_state_t *st = sr_registry_read_begin(j->reg);
    const sr_subject_t *s = sr_state_subject(st, j->subject);
    const sr_version_t *v = sr_subject_version(s, j->version, j->deleted);
    const sr_schema_t *sc = v ? sr_state_schema(st, v->id) : NULL;
    if (!s || !(sr_subject_live(s) || (j->deleted && s->n > 0)))
        api_sr_subject_not_found(j);
    else if (!v || !sc)
        api_sr_version_not_found(j);
    else if (j->raw)
        kr_buf_puts(&j->out, sc->text);
    else
        api_sr_write_version(&j->out, s->name, v, sc);
    sr_registry_read_end(j->reg);
}

api_status_t api_sr_version_job(api_req_t *req, sr_exec_fn exec, bool raw)
{
    kr_err_t err = {0};
    int32_t version;
    if (api_sr_parse_version(req->params[1], &version, &err) != 0)
        return api_reply_err(req, &err);
    sr_job_t *j = api_sr_subject_job(req, exec);
    j->version = version;
    j->raw = raw;
    return api_sr_job_submit(req, j);
}

api_status_t api_sr_version_get(api_req_t *req)
{
    return api_sr_version_job(req, exec_version_get, false);
}

api_status_t api_sr_version_schema(api_req_t *req)
{
    return api_sr_version_job(req, exec_version_get, true);
}

/* --- register and look up ----------------------------------------------------------------- */

static int plan_register(const sr_state_t *st, void *arg, sr_records_t *out, kr_err_t *err)
{
    return sr_plan_register(st, arg, out, err);
}

static void exec_register(sr_job_t *j)
{
    sr_register_t r = {.subject = j->subject,
                       .schema = j->schema,
                       .has_id = j->has_id,
                       .want_id = j->want_id,
                       .want_version = j->want_version};
    if (sr_registry_write(j->reg, plan_register, &r, &j->job.err) == 0)
        kr_buf_printf(&j->out, "{\"id\":%d}", (int)r.id);
}

/* A job for a request with a schema body. @return the job, or NULL after replying. */
static sr_job_t *schema_job(api_req_t *req, sr_exec_fn exec)
{
    kr_err_t err = {0};
    avs_schema_t *schema = NULL;
    sr_register_t ids = {0};
    if (parse_schema_body(req, &schema, &ids, &err) != 0) {
        api_reply_err(req, &err);
        return NULL;
    }
    sr_job_t *j = api_sr_subject_job(req, exec);
    j->schema = schema;
    j->has_id = ids.has_id;
    j->want_id = ids.want_id;
    j->want_version = ids.want_version;
    j->verbose = api_sr_query_bool(req, "verbose");
    return j;
}

api_status_t api_sr_register(api_req_t *req)
{
    sr_job_t *j = schema_job(req, exec_register);
    return j ? api_sr_job_submit(req, j) : API_DONE;
}

static void exec_lookup(sr_job_t *j)
{
    const sr_state_t *st = sr_registry_read_begin(j->reg);
    const sr_subject_t *s = sr_state_subject(st, j->subject);
    const char *norm = avs_normalized(j->schema);
    const sr_version_t *found = NULL;
    for (size_t i = 0; s && i < s->n && !found; i++) {
        const sr_version_t *v = &s->v[i];
        const sr_schema_t *sc = sr_state_schema(st, v->id);
        if ((!v->deleted || j->deleted) && sc && !sc->type && strcmp(sc->norm, norm) == 0)
            found = v;
    }
    if (!s || !(sr_subject_live(s) || (j->deleted && s->n > 0)))
        api_sr_subject_not_found(j);
    else if (!found)
        kr_err_set(&j->job.err, SR_ERR_SCHEMA_NOT_FOUND, "Schema not found");
    else
        api_sr_write_version(&j->out, s->name, found, sr_state_schema(st, found->id));
    sr_registry_read_end(j->reg);
}

api_status_t api_sr_lookup(api_req_t *req)
{
    sr_job_t *j = schema_job(req, exec_lookup);
    return j ? api_sr_job_submit(req, j) : API_DONE;
}

/* --- deletes ------------------------------------------------------------------------------ */

typedef struct delete_subject {
    const char *subject;
    bool permanent;
    int32_t *versions;
    size_t n;
} delete_subject_t;

static int plan_delete_subject(const sr_state_t *st, void *arg, sr_records_t *out, kr_err_t *err)
{
    delete_subject_t *d = arg;
    xfree(d->versions); /* a retried plan starts over */
    d->versions = NULL;
    return sr_plan_delete_subject(st, d->subject, d->permanent, &d->versions, &d->n, out, err);
}

static void exec_subject_delete(sr_job_t *j)
{
    delete_subject_t d = {.subject = j->subject, .permanent = j->permanent};
    if (sr_registry_write(j->reg, plan_delete_subject, &d, &j->job.err) == 0) {
        fmt_jsonw_t w;
        fmt_jsonw_init(&w, &j->out);
        fmt_jsonw_arr_begin(&w);
        for (size_t i = 0; i < d.n; i++)
            fmt_jsonw_int(&w, d.versions[i]);
        fmt_jsonw_arr_end(&w);
    }
    xfree(d.versions);
}

api_status_t api_sr_subject_delete(api_req_t *req)
{
    return api_sr_job_submit(req, api_sr_subject_job(req, exec_subject_delete));
}

typedef struct delete_version {
    const char *subject;
    int32_t version;
    bool permanent;
    int32_t deleted;
} delete_version_t;

static int plan_delete_version(const sr_state_t *st, void *arg, sr_records_t *out, kr_err_t *err)
{
    delete_version_t *d = arg;
    return sr_plan_delete_version(st, d->subject, d->version, d->permanent, &d->deleted, out, err);
}

static void exec_version_delete(sr_job_t *j)
{
    delete_version_t d = {.subject = j->subject, .version = j->version, .permanent = j->permanent};
    if (sr_registry_write(j->reg, plan_delete_version, &d, &j->job.err) == 0)
        kr_buf_printf(&j->out, "%d", (int)d.deleted);
}

api_status_t api_sr_version_delete(api_req_t *req)
{
    return api_sr_version_job(req, exec_version_delete, false);
}

/* --- compatibility configs ---------------------------------------------------------------- */

static sr_job_t *config_job(api_req_t *req, sr_exec_fn exec)
{
    sr_job_t *j = api_sr_job_new(req, exec);
    j->subject = req->n_params > 0 ? xstrdup(req->params[0]) : NULL;
    j->subject_param = true;
    j->to_global = api_sr_query_bool(req, "defaultToGlobal");
    return j;
}

static void exec_config_get(sr_job_t *j)
{
    const sr_state_t *st = sr_registry_read_begin(j->reg);
    const sr_subject_t *s = j->subject ? sr_state_subject(st, j->subject) : NULL;
    if (!j->subject || (s && s->compat >= 0) || j->to_global)
        write_level(&j->out, "compatibilityLevel", sr_state_compat(st, s));
    else
        kr_err_set(&j->job.err, SR_ERR_SUBJECT_COMPAT_NOT_CONFIGURED,
                   "Subject '%s' does not have subject-level compatibility configured", j->subject);
    sr_registry_read_end(j->reg);
}

api_status_t api_sr_config_get(api_req_t *req)
{
    return api_sr_job_submit(req, config_job(req, exec_config_get));
}

typedef struct set_config {
    const char *subject;
    avs_compat_level_t level;
} set_config_t;

static int plan_set_config(const sr_state_t *st, void *arg, sr_records_t *out, kr_err_t *err)
{
    set_config_t *c = arg;
    return sr_plan_set_config(st, c->subject, c->level, out, err);
}

static void exec_config_put(sr_job_t *j)
{
    if (j->level < 0) { /* no level named: nothing changes */
        kr_buf_puts(&j->out, "{}");
        return;
    }
    set_config_t c = {.subject = j->subject, .level = (avs_compat_level_t)j->level};
    if (sr_registry_write(j->reg, plan_set_config, &c, &j->job.err) == 0)
        write_level(&j->out, "compatibility", c.level);
}

/* The level of a config body, case-insensitive as Confluent. @return 0, or -1 with err set. */
static int parse_level(const api_req_t *req, int *level, kr_err_t *err)
{
    api_body_t b;
    if (api_body_parse(&b, req, &sr_body, err) != 0) {
        api_body_deinit(&b);
        return -1;
    }
    const char *name = NULL;
    int rc = 0;
    if (api_body_str(&b, b.root, "compatibility", &name, err) != 0) {
        rc = kr_err_set(err, KR_ERR_BAD_REQUEST, "compatibility must be a string");
    } else if (name) {
        char upper[32];
        size_t n = strlen(name);
        avs_compat_level_t l;
        for (size_t i = 0; i < n && i < sizeof(upper) - 1; i++)
            upper[i] = (char)toupper((unsigned char)name[i]);
        upper[n < sizeof(upper) - 1 ? n : sizeof(upper) - 1] = '\0';
        if (n >= sizeof(upper) || avs_compat_parse(upper, &l) != 0)
            rc = kr_err_set(err, SR_ERR_INVALID_COMPAT_LEVEL,
                            "Invalid compatibility level. Valid values are none, backward, "
                            "forward, full, backward_transitive, forward_transitive, and "
                            "full_transitive");
        else
            *level = (int)l;
    }
    api_body_deinit(&b);
    return rc;
}

api_status_t api_sr_config_put(api_req_t *req)
{
    kr_err_t err = {0};
    int level = -1;
    if (parse_level(req, &level, &err) != 0)
        return api_reply_err(req, &err);
    sr_job_t *j = config_job(req, exec_config_put);
    j->level = level;
    return api_sr_job_submit(req, j);
}

typedef struct delete_config {
    const char *subject;
    avs_compat_level_t old;
} delete_config_t;

static int plan_delete_config(const sr_state_t *st, void *arg, sr_records_t *out, kr_err_t *err)
{
    delete_config_t *c = arg;
    return sr_plan_delete_config(st, c->subject, &c->old, out, err);
}

static void exec_config_delete(sr_job_t *j)
{
    delete_config_t c = {.subject = j->subject};
    if (sr_registry_write(j->reg, plan_delete_config, &c, &j->job.err) == 0)
        write_level(&j->out, "compatibilityLevel", c.old);
}

api_status_t api_sr_config_delete(api_req_t *req)
{
    return api_sr_job_submit(req, config_job(req, exec_config_delete));
}

/* --- compatibility check ------------------------------------------------------------------ */

static void write_verdict(sr_job_t *j, bool ok, const char *reason, const sr_version_t *v,
                          const sr_schema_t *old, avs_compat_level_t level)
{
    fmt_jsonw_t w;
    fmt_jsonw_init(&w, &j->out);
    fmt_jsonw_obj_begin(&w);
    fmt_jsonw_key(&w, "is_compatible");
    fmt_jsonw_bool(&w, ok);
    if (j->verbose) {
        fmt_jsonw_key(&w, "messages");
        fmt_jsonw_arr_begin(&w);
        if (!ok) {
            kr_buf_t m;
            kr_buf_init(&m, 0);
            fmt_jsonw_str(&w, reason);
            kr_buf_printf(&m, "{oldSchemaVersion: %d}", (int)v->version);
            kr_buf_putc(&m, '\0');
            fmt_jsonw_str(&w, m.data);
            kr_buf_reset(&m);
            kr_buf_printf(&m, "{oldSchema: '%s'}", old->text);
            kr_buf_putc(&m, '\0');
            fmt_jsonw_str(&w, m.data);
            kr_buf_reset(&m);
            kr_buf_printf(&m, "{validateFields: 'false', compatibility: '%s'}",
                          avs_compat_name(level));
            kr_buf_putc(&m, '\0');
            fmt_jsonw_str(&w, m.data);
            kr_buf_deinit(&m);
        }
        fmt_jsonw_arr_end(&w);
    }
    fmt_jsonw_obj_end(&w);
}

static void exec_compatibility(sr_job_t *j)
{
    const sr_state_t *st = sr_registry_read_begin(j->reg);
    const sr_subject_t *s = sr_state_subject(st, j->subject);
    const sr_version_t *v = sr_subject_version(s, j->version, false);
    const sr_schema_t *old = v ? sr_state_schema(st, v->id) : NULL;
    avs_compat_level_t level = sr_state_compat(st, s);
    if (!v && j->version != SR_VERSION_LATEST) {
        api_sr_version_not_found(j);
    } else if (!old || !old->avro) {
        write_verdict(j, true, NULL, NULL, NULL, level);
    } else {
        char reason[400];
        const avs_schema_t *prev[1] = {old->avro};
        bool ok = avs_check_compat(level, j->schema, prev, 1, reason, sizeof(reason));
        write_verdict(j, ok, reason, v, old, level);
    }
    sr_registry_read_end(j->reg);
}

api_status_t api_sr_compatibility(api_req_t *req)
{
    kr_err_t err = {0};
    int32_t version;
    if (api_sr_parse_version(req->params[1], &version, &err) != 0)
        return api_reply_err(req, &err);
    sr_job_t *j = schema_job(req, exec_compatibility);
    if (!j)
        return API_DONE;
    j->version = version;
    return api_sr_job_submit(req, j);
}
