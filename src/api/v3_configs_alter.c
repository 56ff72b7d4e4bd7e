/* api/v3_configs_alter.c -- v3 configs, the write side (see v3_configs.h): PUT and DELETE of
 * one config, the :alter batches of a topic, of a broker and of several topics, and the honest
 * 501 of the cluster-wide broker configs.
 *
 * DESIGN. A request's life, in the order of the functions below:
 *  1. the body is read into an alter job (400/422 before anything else, as Jersey reads the
 *     entity before Confluent's resource method runs); the job is built again once the
 *     metadata snapshot is there (cluster 404, topic 404/40403, broker 404);
 *  2. on the kafka loop: DescribeConfigs of every target resource; a config name the resource
 *     does not have is Confluent's 404 and nothing is changed;
 *  3. one kafka_admin_alter_configs_merge() per resource (librdkafka 2.0.2 has no
 *     IncrementalAlterConfigs: the merge reads the dynamic set again, applies the operations
 *     and writes the whole set back; not atomic against another client's concurrent alter);
 *  4. back on an HTTP thread: 204, the error, or for several topics 207 with the failures.
 * Threads: handlers and resume on HTTP threads; steps 2-3 and their callbacks on the kafka loop
 * (every callback runs there, so the job's pending count needs no lock). */
#include "api/v3_configs.h"

#include "api/job.h"
#include "api/v3.h"
#include "api/v3_configs_int.h"
#include "format/json.h"
#include "util/mem.h"

#include <stdio.h>
#include <string.h>

enum { P_CLUSTER = 0, P_OWNER = 1, P_NAME = 2 };

/* One resource to change and its operations (names and values owned). */
typedef struct target {
    struct alter_job *aj; /* the job that holds this target */
    char *name;           /* topic, or broker id */
    kafka_admin_config_op_t *ops;
    size_t n_ops;
    kr_err_t err; /* the resource's outcome */
} target_t;

typedef struct alter_job {
    api_job_t job; /* first */
    api_v3_cfg_kind_t kind;
    bool multi; /* topics/-/configs:alter: per-topic failures are a 207 */
    bool validate_only;
    char *cluster_id;
    target_t *targets;
    size_t n, cap;
    size_t pending; /* merges in flight + 1 while they are being issued (kafka loop only) */
} alter_job_t;

/* --- the job ------------------------------------------------------------------------------- */

static void target_ops_free(target_t *t)
{
    for (size_t i = 0; i < t->n_ops; i++) {
        xfree((char *)t->ops[i].name);
        xfree((char *)t->ops[i].value);
    }
    xfree(t->ops);
    t->ops = NULL;
    t->n_ops = 0;
}

static void alter_job_free(api_job_t *job)
{
    alter_job_t *aj = (alter_job_t *)job;
    for (size_t i = 0; i < aj->n; i++) {
        target_ops_free(&aj->targets[i]);
        xfree(aj->targets[i].name);
    }
    xfree(aj->targets);
    xfree(aj->cluster_id);
    xfree(aj);
}

static alter_job_t *alter_job_new(const api_req_t *req, api_v3_cfg_kind_t kind)
{
    alter_job_t *aj = xcalloc(1, sizeof(*aj));
    aj->job.ctx = req->ctx;
    aj->job.free_fn = alter_job_free;
    aj->kind = kind;
    return aj;
}

/* The target named name; a topic named twice keeps its last operations (Confluent's
 * LinkedHashMap.put), in the place of its first. */
static target_t *target_get(alter_job_t *aj, const char *name)
{
    for (size_t i = 0; i < aj->n; i++) {
        if (strcmp(aj->targets[i].name, name) == 0) {
            target_ops_free(&aj->targets[i]);
            return &aj->targets[i];
        }
    }
    if (aj->n == aj->cap) {
        aj->cap = aj->cap ? 2 * aj->cap : 4;
        aj->targets = xrealloc(aj->targets, aj->cap * sizeof(*aj->targets));
    }
    target_t *t = &aj->targets[aj->n++];
    *t = (target_t){.aj = aj, .name = xstrdup(name)};
    return t;
}

static void target_op(target_t *t, const char *name, const char *value,
                      kafka_admin_config_op_kind_t op)
{
    t->ops = xrealloc(t->ops, (t->n_ops + 1) * sizeof(*t->ops));
    t->ops[t->n_ops++] = (kafka_admin_config_op_t){xstrdup(name), xstrdup(value), op};
}

/* Most config entries (and topics) one alter may carry (docs/v3.md, Limits): more is 422
 * before Kafka sees any. The merges of a body run at once, within KAFKA_ADMIN_MAX_INFLIGHT. */
#define ALTER_MAX_ENTRIES 1000

static int too_many(size_t n, kr_err_t *err)
{
    if (n <= ALTER_MAX_ENTRIES)
        return 0;
    return kr_err_set(err, KR_ERR_PAYLOAD,
                      "Payload error. At most %d config entries (and topics) are allowed.",
                      ALTER_MAX_ENTRIES);
}

/* --- 1. the body ----------------------------------------------------------------------------
 * TODO(step0): api/body.h. As Confluent's Jackson entities: an empty body (or `null`) is
 * 422/42206; not JSON, a field of the wrong JSON type, a missing required field or an unknown
 * field is 400 (Jackson's FAIL_ON_UNKNOWN_PROPERTIES); a string field also takes a number or a
 * boolean (Jackson's scalar coercion); operation is SET or DELETE, exactly, or null (SET). */

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    }
    return true;
}

/* @return the body's JSON object (owned), or NULL with err set. */
static json_object *body_parse(const api_req_t *req, kr_err_t *err)
{
    int is_null = 0;
    json_object *o = NULL;
    if (!blank(req->body, req->body_len))
        o = fmt_json_parse(req->body, req->body_len, &is_null, err);
    if (!o && (is_null || blank(req->body, req->body_len))) {
        kr_err_set(err, KR_ERR_PAYLOAD, "Payload error. Request body is empty. Data is required.");
        return NULL;
    }
    if (o && !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        kr_err_set(err, KR_ERR_BAD_REQUEST, "Bad Request: the request body must be a JSON object");
        return NULL;
    }
    return o;
}

/* Every key of o must be one of the NULL-terminated known. */
static int fields_check(json_object *o, const char *const *known, kr_err_t *err)
{
    json_object_object_foreach(o, key, val)
    {
        (void)val;
        size_t i = 0;
        while (known[i] && strcmp(known[i], key) != 0)
            i++;
        if (!known[i])
            return kr_err_set(err, KR_ERR_BAD_REQUEST, "Unrecognized field \"%s\"", key);
    }
    return 0;
}

/* A string field: absent or null gives *out NULL. */
static int str_field(json_object *o, const char *key, bool required, const char **out,
                     kr_err_t *err)
{
    json_object *v = NULL;
    *out = NULL;
    if (!json_object_object_get_ex(o, key, &v) || !v) {
        if (required)
            return kr_err_set(err, KR_ERR_BAD_REQUEST, "Bad Request: %s is required", key);
        return 0;
    }
    json_type t = json_object_get_type(v);
    if (t != json_type_string && t != json_type_int && t != json_type_double &&
        t != json_type_boolean)
        return kr_err_set(err, KR_ERR_BAD_REQUEST, "Bad Request: %s must be a string", key);
    *out = json_object_get_string(v);
    /* A NUL would cut the C string short: another config (or topic) than the body names. */
    if (t == json_type_string && strlen(*out) != (size_t)json_object_get_string_len(v))
        return kr_err_set(err, KR_ERR_BAD_REQUEST,
                          "Bad Request: %s must not contain a NUL character (\\u0000)", key);
    return 0;
}

static int array_field(json_object *o, const char *key, json_object **out, kr_err_t *err)
{
    if (!json_object_object_get_ex(o, key, out) || !*out)
        return kr_err_set(err, KR_ERR_BAD_REQUEST, "Bad Request: %s is required", key);
    if (!json_object_is_type(*out, json_type_array))
        return kr_err_set(err, KR_ERR_BAD_REQUEST, "Bad Request: %s must be an array", key);
    return 0;
}

static int validate_only_field(json_object *o, bool *out, kr_err_t *err)
{
    json_object *v = NULL;
    *out = false;
    if (!json_object_object_get_ex(o, "validate_only", &v) || !v)
        return 0;
    if (!json_object_is_type(v, json_type_boolean))
        return kr_err_set(err, KR_ERR_BAD_REQUEST, "Bad Request: validate_only must be a boolean");
    *out = json_object_get_boolean(v);
    return 0;
}

/* One AlterEntry {"name","value","operation"} appended to t. */
static int entry_parse(json_object *e, target_t *t, kr_err_t *err)
{
    static const char *const known[] = {"name", "value", "operation", NULL};
    const char *name = NULL, *value = NULL, *op = NULL;
    if (!json_object_is_type(e, json_type_object))
        return kr_err_set(err, KR_ERR_BAD_REQUEST, "Bad Request: a config entry must be an object");
    if (fields_check(e, known, err) != 0 || str_field(e, "name", true, &name, err) != 0 ||
        str_field(e, "value", false, &value, err) != 0)
        return -1;
    json_object *o = NULL;
    if (json_object_object_get_ex(e, "operation", &o) && o) {
        op = json_object_is_type(o, json_type_string) ? json_object_get_string(o) : "";
        if (strcmp(op, "SET") != 0 && strcmp(op, "DELETE") != 0)
            return kr_err_set(err, KR_ERR_BAD_REQUEST,
                              "Bad Request: operation must be one of [SET, DELETE]");
    }
    bool del = op && strcmp(op, "DELETE") == 0;
    target_op(t, name, del ? NULL : value,
              del ? KAFKA_ADMIN_CONFIG_DELETE : KAFKA_ADMIN_CONFIG_SET);
    return 0;
}

static int entries_parse(json_object *arr, target_t *t, kr_err_t *err)
{
    if (too_many(json_object_array_length(arr), err) != 0)
        return -1;
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        if (entry_parse(json_object_array_get_idx(arr, i), t, err) != 0)
            return -1;
    }
    return 0;
}

/* AlterConfigBatch {"data":[AlterEntry...],"validate_only"?} for the target named owner. */
static int batch_parse(json_object *o, alter_job_t *aj, const char *owner, kr_err_t *err)
{
    static const char *const known[] = {"data", "validate_only", NULL};
    json_object *data = NULL;
    if (fields_check(o, known, err) != 0 || array_field(o, "data", &data, err) != 0 ||
        validate_only_field(o, &aj->validate_only, err) != 0)
        return -1;
    return entries_parse(data, target_get(aj, owner), err);
}

/* {"data":[{"topic_name","configs":[AlterEntry...]}],"validate_only"?} */
static int multi_parse(json_object *o, alter_job_t *aj, kr_err_t *err)
{
    static const char *const known[] = {"data", "validate_only", NULL};
    static const char *const known_topic[] = {"topic_name", "configs", NULL};
    json_object *data = NULL;
    if (fields_check(o, known, err) != 0 || array_field(o, "data", &data, err) != 0 ||
        validate_only_field(o, &aj->validate_only, err) != 0 ||
        too_many(json_object_array_length(data), err) != 0)
        return -1;
    size_t entries = 0;
    for (size_t i = 0; i < json_object_array_length(data); i++) {
        json_object *e = json_object_array_get_idx(data, i), *configs = NULL;
        const char *topic = NULL;
        if (!json_object_is_type(e, json_type_object))
            return kr_err_set(err, KR_ERR_BAD_REQUEST,
                              "Bad Request: a data item must be an object");
        if (fields_check(e, known_topic, err) != 0 ||
            str_field(e, "topic_name", true, &topic, err) != 0 ||
            array_field(e, "configs", &configs, err) != 0 ||
            too_many(entries += json_object_array_length(configs), err) != 0 ||
            entries_parse(configs, target_get(aj, topic), err) != 0)
            return -1;
    }
    return 0;
}

/* UpdateConfig {"value": string|null}: one SET of the path's config. */
static int update_parse(json_object *o, alter_job_t *aj, const char *owner, const char *name,
                        kr_err_t *err)
{
    static const char *const known[] = {"value", NULL};
    const char *value = NULL;
    if (fields_check(o, known, err) != 0 || str_field(o, "value", false, &value, err) != 0)
        return -1;
    target_op(target_get(aj, owner), name, value, KAFKA_ADMIN_CONFIG_SET);
    return 0;
}

typedef enum body_kind { BODY_NONE, BODY_UPDATE, BODY_BATCH, BODY_MULTI } body_kind_t;

/* The job of a request: its kind, its target (owner: the path's topic or broker; NULL for the
 * several topics of the body) and its operations. @return owned job, or NULL with err set. */
static alter_job_t *job_build(const api_req_t *req, api_v3_cfg_kind_t kind, body_kind_t body,
                              const char *owner, kr_err_t *err)
{
    alter_job_t *aj = alter_job_new(req, kind);
    aj->multi = body == BODY_MULTI;
    if (body == BODY_NONE) {
        target_op(target_get(aj, owner), req->params[P_NAME], NULL, KAFKA_ADMIN_CONFIG_DELETE);
        return aj;
    }
    json_object *o = body_parse(req, err);
    int rc = -1;
    if (o && body == BODY_UPDATE)
        rc = update_parse(o, aj, owner, req->params[kind == API_V3_CFG_CLUSTER ? 1 : 2], err);
    else if (o && body == BODY_BATCH)
        rc = batch_parse(o, aj, owner, err);
    else if (o)
        rc = multi_parse(o, aj, err);
    json_object_put(o);
    if (rc != 0) {
        api_job_free(&aj->job);
        return NULL;
    }
    return aj;
}

/* --- 2. and 3. on the kafka loop ------------------------------------------------------------ */

static void job_done_one(alter_job_t *aj)
{
    if (--aj->pending == 0)
        api_job_complete(&aj->job);
}

static void on_altered(void *arg, void *result, const kr_err_t *err)
{
    (void)result;
    target_t *t = arg;
    if (err)
        t->err = *err;
    job_done_one(t->aj);
}

static kafka_admin_resource_t resource_of(const alter_job_t *aj, const target_t *t)
{
    kafka_admin_resource_t r = {KAFKA_ADMIN_RES_BROKER, t->name};
    if (aj->kind == API_V3_CFG_TOPIC)
        r.type = KAFKA_ADMIN_RES_TOPIC;
    return r;
}

/* Step 3: one merge per target that has operations; the count holds one extra reference
 * while they are issued, so the job cannot complete under this loop. */
static void alter_all(alter_job_t *aj)
{
    const api_ctx_t *ctx = aj->job.ctx;
    aj->pending = aj->n + 1;
    for (size_t i = 0; i < aj->n; i++) {
        target_t *t = &aj->targets[i];
        kafka_admin_resource_t r = resource_of(aj, t);
        if (t->n_ops == 0 || kafka_admin_alter_configs_merge(
                                 ctx->kadmin, &r, t->ops, t->n_ops, aj->validate_only,
                                 ctx->cfg->client_timeout_ms, on_altered, t, &t->err) != 0)
            aj->pending--;
    }
    job_done_one(aj);
}

/* Step 2's check: every resource known, every named config one of its configs. */
static int names_check(const alter_job_t *aj, const kafka_admin_configs_t *cur, kr_err_t *err)
{
    for (size_t i = 0; i < aj->n; i++) {
        const target_t *t = &aj->targets[i];
        const kafka_admin_config_res_t *r = &cur->resources[i];
        if (r->err.code != KR_ERR_NONE)
            return api_v3_cfg_res_err(r, err);
        for (size_t k = 0; k < t->n_ops; k++) {
            if (!api_v3_cfg_find(r, t->ops[k].name))
                return api_v3_cfg_not_found(aj->kind, t->name, t->ops[k].name, aj->cluster_id, err);
        }
    }
    return 0;
}

static void on_pre_described(void *arg, void *result, const kr_err_t *err)
{
    alter_job_t *aj = arg;
    kafka_admin_configs_t *cur = result;
    if (!cur)
        aj->job.err = *err;
    else
        names_check(aj, cur, &aj->job.err);
    kafka_admin_configs_free(cur);
    if (aj->job.err.code != KR_ERR_NONE)
        api_job_complete(&aj->job);
    else
        alter_all(aj);
}

static void alter_start(api_job_t *job)
{
    alter_job_t *aj = (alter_job_t *)job;
    kr_err_t err = {0};
    if (aj->n == 0) { /* {"data":[]}: nothing to change */
        api_job_complete(job);
        return;
    }
    kafka_admin_resource_t *res = xcalloc(aj->n, sizeof(*res));
    for (size_t i = 0; i < aj->n; i++)
        res[i] = resource_of(aj, &aj->targets[i]);
    int rc = kafka_admin_describe_configs(
        job->ctx->kadmin, res, aj->n, job->ctx->cfg->client_timeout_ms, on_pre_described, aj, &err);
    xfree(res);
    if (rc != 0) {
        job->err = err;
        api_job_complete(job);
    }
}

/* --- 4. the answer -------------------------------------------------------------------------- */

static api_status_t reply_204(api_req_t *req)
{
    kr_buf_reset(&req->resp);
    return api_reply(req, 204);
}

/* 207 {"failures":[{"topic_name","error_code","message"}]}, or 204 when none failed. */
static api_status_t reply_multi(api_req_t *req, const alter_job_t *aj)
{
    size_t failed = 0;
    for (size_t i = 0; i < aj->n; i++)
        failed += aj->targets[i].err.code != KR_ERR_NONE;
    if (failed == 0)
        return reply_204(req);
    kr_buf_reset(&req->resp);
    fmt_jsonw_t w;
    fmt_jsonw_init(&w, &req->resp);
    fmt_jsonw_obj_begin(&w);
    fmt_jsonw_key(&w, "failures");
    fmt_jsonw_arr_begin(&w);
    for (size_t i = 0; i < aj->n; i++) {
        const target_t *t = &aj->targets[i];
        if (t->err.code == KR_ERR_NONE)
            continue;
        fmt_jsonw_obj_begin(&w);
        fmt_jsonw_key(&w, "topic_name");
        fmt_jsonw_str(&w, t->name);
        fmt_jsonw_key(&w, "error_code");
        fmt_jsonw_int(&w, t->err.code);
        fmt_jsonw_key(&w, "message");
        fmt_jsonw_str(&w, t->err.msg);
        fmt_jsonw_obj_end(&w);
    }
    fmt_jsonw_arr_end(&w);
    fmt_jsonw_obj_end(&w);
    return api_reply(req, 207);
}

static api_status_t altered(api_req_t *req, void *result, bool timed_out)
{
    alter_job_t *aj = result;
    if (timed_out)
        return api_reply_error(req, KR_ERR_BROKER_NOT_AVAILABLE,
                               "Kafka brokers are not available: timed out waiting for Kafka");
    api_status_t st;
    if (aj->job.err.code != KR_ERR_NONE)
        st = api_reply_err(req, &aj->job.err);
    else if (aj->multi)
        st = reply_multi(req, aj);
    else if (aj->n > 0 && aj->targets[0].err.code != KR_ERR_NONE)
        st = api_reply_err(req, &aj->targets[0].err);
    else
        st = reply_204(req);
    api_job_free(&aj->job);
    return st;
}

/* --- 1. the handlers ------------------------------------------------------------------------ */

static api_status_t start(api_req_t *req, kafka_md_t *md, api_v3_cfg_kind_t kind, body_kind_t body,
                          const char *owner)
{
    kr_err_t err = {0};
    alter_job_t *aj = job_build(req, kind, body, owner, &err);
    if (!aj)
        return api_reply_err(req, &err);
    aj->cluster_id = xstrdup(md->cluster_id);
    return api_job_start(req, &aj->job, alter_start, altered);
}

/* The body is checked before the cluster, as Jersey reads it before the resource method. */
static api_status_t serve(api_req_t *req, unsigned flags, api_v3_cfg_kind_t kind, body_kind_t body,
                          api_v3_md_fn fn)
{
    kr_err_t err = {0};
    const char *owner = kind == API_V3_CFG_CLUSTER ? "" : req->params[P_OWNER];
    alter_job_t *aj = job_build(req, kind, body, owner, &err);
    if (!aj)
        return api_reply_err(req, &err);
    api_job_free(&aj->job);
    return api_v3_md_serve(req, flags, fn);
}

static api_status_t topic_start(api_req_t *req, kafka_md_t *md, body_kind_t body)
{
    kr_err_t err = {0};
    if (!api_v3_topic_find(md, req->params[P_OWNER], &err))
        return api_reply_err(req, &err);
    return start(req, md, API_V3_CFG_TOPIC, body, req->params[P_OWNER]);
}

static api_status_t broker_start(api_req_t *req, kafka_md_t *md, body_kind_t body)
{
    int32_t id = -1;
    api_param_int32(req, P_OWNER, &id); /* the router checked it is an int */
    if (!kafka_md_broker(md, id))
        return api_reply_error(req, KR_ERR_NOT_FOUND, "Broker %d cannot be found.", (int)id);
    char owner[16];
    snprintf(owner, sizeof(owner), "%d", (int)id);
    return start(req, md, API_V3_CFG_BROKER, body, owner);
}

static api_status_t topic_update_md(api_req_t *req, kafka_md_t *md)
{
    return topic_start(req, md, BODY_UPDATE);
}

static api_status_t topic_reset_md(api_req_t *req, kafka_md_t *md)
{
    return topic_start(req, md, BODY_NONE);
}

static api_status_t topic_alter_md(api_req_t *req, kafka_md_t *md)
{
    return topic_start(req, md, BODY_BATCH);
}

static api_status_t topics_alter_md(api_req_t *req, kafka_md_t *md)
{
    return start(req, md, API_V3_CFG_TOPIC, BODY_MULTI, NULL);
}

static api_status_t broker_update_md(api_req_t *req, kafka_md_t *md)
{
    return broker_start(req, md, BODY_UPDATE);
}

static api_status_t broker_reset_md(api_req_t *req, kafka_md_t *md)
{
    return broker_start(req, md, BODY_NONE);
}

static api_status_t broker_alter_md(api_req_t *req, kafka_md_t *md)
{
    return broker_start(req, md, BODY_BATCH);
}

#define TOPIC_MD (API_V3_MD_CLUSTER | API_V3_MD_TOPIC)

api_status_t api_v3_topic_config_update(api_req_t *req)
{
    return serve(req, TOPIC_MD, API_V3_CFG_TOPIC, BODY_UPDATE, topic_update_md);
}

api_status_t api_v3_topic_config_reset(api_req_t *req)
{
    return serve(req, TOPIC_MD, API_V3_CFG_TOPIC, BODY_NONE, topic_reset_md);
}

api_status_t api_v3_topic_configs_alter(api_req_t *req)
{
    return serve(req, TOPIC_MD, API_V3_CFG_TOPIC, BODY_BATCH, topic_alter_md);
}

api_status_t api_v3_topics_configs_alter(api_req_t *req)
{
    return serve(req, API_V3_MD_CLUSTER, API_V3_CFG_TOPIC, BODY_MULTI, topics_alter_md);
}

api_status_t api_v3_broker_config_update(api_req_t *req)
{
    return serve(req, API_V3_MD_CLUSTER, API_V3_CFG_BROKER, BODY_UPDATE, broker_update_md);
}

api_status_t api_v3_broker_config_reset(api_req_t *req)
{
    return serve(req, API_V3_MD_CLUSTER, API_V3_CFG_BROKER, BODY_NONE, broker_reset_md);
}

api_status_t api_v3_broker_configs_alter(api_req_t *req)
{
    return serve(req, API_V3_MD_CLUSTER, API_V3_CFG_BROKER, BODY_BATCH, broker_alter_md);
}

/* --- the cluster-wide broker configs: 501 ---------------------------------------------------- */

/* librdkafka 2.0.2 refuses to name the BROKER "" resource in AlterConfigs
 * (its ConfigResource constructor rejects an empty name, and a BROKER resource must parse as a
 * broker id >= 0), and it has no IncrementalAlterConfigs: no request it can send changes the
 * cluster-wide broker configs. */
static api_status_t cluster_501(api_req_t *req, kafka_md_t *md)
{
    (void)md;
    return api_reply_error(req, KR_ERR_NOT_IMPLEMENTED,
                           "Changing cluster-wide broker configs is not supported by this krest: "
                           "librdkafka 2.0.2 cannot address the cluster default broker resource; "
                           "change them per broker (/brokers/{broker_id}/configs) or with Kafka's "
                           "tools");
}

api_status_t api_v3_cluster_config_update(api_req_t *req)
{
    return serve(req, API_V3_MD_CLUSTER, API_V3_CFG_CLUSTER, BODY_UPDATE, cluster_501);
}

api_status_t api_v3_cluster_config_reset(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, cluster_501);
}

api_status_t api_v3_cluster_configs_alter(api_req_t *req)
{
    return serve(req, API_V3_MD_CLUSTER, API_V3_CFG_CLUSTER, BODY_BATCH, cluster_501);
}
