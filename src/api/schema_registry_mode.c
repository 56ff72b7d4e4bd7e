/* api/schema_registry_mode.c -- the Schema Registry's modes (Confluent Schema Registry 7.x's
 * ModeResource): GET|PUT /mode, GET|PUT|DELETE /mode/{subject}. A mode is a MODE record of the
 * schemas topic (schema/sr_mode.c), so every krest of the topic sees it and a restart keeps it.
 * Jobs as in schema_registry_int.h. See docs/schema-registry.md. */
#include "api/schema_registry.h"
#include "api/schema_registry_int.h"

#include "api/body.h"
#include "util/mem.h"

#include <string.h>

static const api_body_spec_t mode_body = {.fields = NULL}; /* unknown fields ignored */

static void write_mode(kr_buf_t *out, const char *mode)
{
    fmt_jsonw_t w;
    fmt_jsonw_init(&w, out);
    fmt_jsonw_obj_begin(&w);
    fmt_jsonw_key(&w, "mode");
    fmt_jsonw_str(&w, mode);
    fmt_jsonw_obj_end(&w);
}

static sr_job_t *mode_job(api_req_t *req, sr_exec_fn exec)
{
    sr_job_t *j = api_sr_job_new(req, exec);
    j->subject = req->n_params > 0 ? xstrdup(req->params[0]) : NULL;
    j->subject_param = true;
    j->to_global = api_sr_query_bool(req, "defaultToGlobal");
    j->force = api_sr_query_bool(req, "force");
    return j;
}

/* GET /mode: the global mode; GET /mode/{s}: the subject's own (40409 when it has none), or
 * with defaultToGlobal the one in force. */
static void exec_mode_get(sr_job_t *j)
{
    const sr_state_t *st = sr_registry_read_begin(j->reg);
    const char *mode = !j->subject || j->to_global ? sr_state_mode_in_scope(st, j->subject)
                                                   : sr_state_mode_own(st, j->subject);
    if (mode)
        write_mode(&j->out, mode);
    else
        kr_err_set(&j->job.err, SR_ERR_SUBJECT_MODE_NOT_CONFIGURED,
                   "Subject '%s' does not have subject-level mode configured", j->subject);
    sr_registry_read_end(j->reg);
}

api_status_t api_sr_mode(api_req_t *req)
{
    return api_sr_job_submit(req, mode_job(req, exec_mode_get));
}

typedef struct set_mode {
    const char *subject;
    const char *mode;
    bool force;
} set_mode_t;

static int plan_set_mode(const sr_state_t *st, void *arg, sr_records_t *out, kr_err_t *err)
{
    set_mode_t *m = arg;
    return sr_plan_set_mode(st, m->subject, m->mode, m->force, out, err);
}

/* Answers the request's own body back, as Confluent does: {"mode": "<as given>"}. */
static void exec_mode_put(sr_job_t *j)
{
    set_mode_t m = {.subject = j->subject, .mode = j->mode, .force = j->force};
    if (sr_registry_write(j->reg, plan_set_mode, &m, &j->job.err) == 0)
        write_mode(&j->out, j->mode_text);
}

/* The mode of a {"mode": "..."} body, any case. @return 0, or -1 with err set. */
static int parse_mode(const api_req_t *req, const char **canon, char **text, kr_err_t *err)
{
    api_body_t b;
    if (api_body_parse(&b, req, &mode_body, err) != 0) {
        api_body_deinit(&b);
        return -1;
    }
    const char *name = NULL;
    int rc = 0;
    if (api_body_str(&b, b.root, "mode", &name, err) != 0)
        rc = kr_err_set(err, KR_ERR_BAD_REQUEST, "mode must be a string");
    else if (!(*canon = sr_mode_parse(name)))
        rc = kr_err_set(err, SR_ERR_INVALID_MODE,
                        "Invalid mode. Valid values are READWRITE, READONLY, and IMPORT.");
    else
        *text = xstrdup(name);
    api_body_deinit(&b);
    return rc;
}

api_status_t api_sr_mode_put(api_req_t *req)
{
    kr_err_t err = {0};
    const char *canon = NULL;
    char *text = NULL;
    if (parse_mode(req, &canon, &text, &err) != 0)
        return api_reply_err(req, &err);
    sr_job_t *j = mode_job(req, exec_mode_put);
    j->mode = canon;
    j->mode_text = text;
    return api_sr_job_submit(req, j);
}

typedef struct delete_mode {
    const char *subject;
    char old[32];
} delete_mode_t;

static int plan_delete_mode(const sr_state_t *st, void *arg, sr_records_t *out, kr_err_t *err)
{
    delete_mode_t *m = arg;
    return sr_plan_delete_mode(st, m->subject, m->old, out, err);
}

static void exec_mode_delete(sr_job_t *j)
{
    delete_mode_t m = {.subject = j->subject};
    if (sr_registry_write(j->reg, plan_delete_mode, &m, &j->job.err) == 0)
        write_mode(&j->out, m.old);
}

api_status_t api_sr_mode_delete(api_req_t *req)
{
    return api_sr_job_submit(req, mode_job(req, exec_mode_delete));
}
