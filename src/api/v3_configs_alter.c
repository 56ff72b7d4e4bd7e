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

#include "api/body.h"
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

/* --- 1. the body ----------------------------------------------------------------------------
 * Confluent's Jackson entities (api/body.h gives the errors): a string field also takes a
 * number or a boolean (Jackson's scalar coercion); operation is SET or DELETE, exactly, or
 * null (SET). An empty body (or `null`) is 422/42206: the :alter batches word it as Confluent's
 * (a null request); a PUT's is krest's (Confluent's resource fails on it with a 500). */

#define NULL_INPUT "Null input provided. Data is required."

/* UpdateConfig {"value": string|null}; its class is per kind. */
static const api_body_field_t update_fields[] = {
    {"value", API_BODY_TEXT, false},
    {NULL, API_BODY_ANY, false},
};
static const char *const update_cls[] = {
    [API_V3_CFG_TOPIC] = "UpdateTopicConfigRequest",
    [API_V3_CFG_BROKER] = "UpdateBrokerConfigRequest",
    [API_V3_CFG_CLUSTER] = "UpdateClusterConfigRequest",
};

/* AlterConfigBatch {"data":[AlterEntry...],"validate_only"?} */
static const api_body_field_t batch_fields[] = {
    {"data", API_BODY_ARRAY, true},
    {"validate_only", API_BODY_BOOL, false},
    {NULL, API_BODY_ANY, false},
};
static const api_body_spec_t batch_spec = {batch_fields, "AlterConfigBatchRequestData", NULL_INPUT,
                                           0};
static const api_body_spec_t multi_spec = {
    batch_fields, "AlterMultipleTopicsConfigsBatchRequestData", NULL_INPUT, 0};

static const api_body_field_t entry_fields[] = {
    {"name", API_BODY_TEXT, true},
    {"value", API_BODY_TEXT, false},
    {"operation", API_BODY_STRING, false},
    {NULL, API_BODY_ANY, false},
};
static const api_body_spec_t entry_spec = {entry_fields, "AlterEntry", NULL, 0};

static const api_body_field_t topic_fields[] = {
    {"topic_name", API_BODY_TEXT, true},
    {"configs", API_BODY_ARRAY, true},
    {NULL, API_BODY_ANY, false},
};
static const api_body_spec_t topic_spec = {topic_fields, "TopicAlterEntry", NULL, 0};

/* What an :alter body may carry (API_V3_MAX_ITEMS): its entries, summed over its topics, and
 * its topics. The merges of a body run at once, within KAFKA_ADMIN_MAX_INFLIGHT. */
#define TOO_MANY "config entries (and topics)"

/* The AlterEntry what (checked) appended to t. */
static int entry_parse(const api_body_t *b, json_object *e, const char *what, target_t *t,
                       kr_err_t *err)
{
    const char *name = NULL, *value = NULL, *op = NULL;
    if (api_body_check(b, e, what, &entry_spec, err) != 0 ||
        api_body_text(b, e, "name", &name, err) != 0 ||
        api_body_text(b, e, "value", &value, err) != 0 ||
        api_body_str(b, e, "operation", &op, err) != 0)
        return -1;
    if (op && strcmp(op, "SET") != 0 && strcmp(op, "DELETE") != 0)
        return api_body_type_err(b, "operation", "expected one of [SET, DELETE]", err);
    bool del = op && strcmp(op, "DELETE") == 0;
    target_op(t, name, del ? NULL : value,
              del ? KAFKA_ADMIN_CONFIG_DELETE : KAFKA_ADMIN_CONFIG_SET);
    return 0;
}

/* The AlterEntry array arr (named what in errors) appended to t. */
static int entries_parse(const api_body_t *b, json_object *arr, const char *what, target_t *t,
                         kr_err_t *err)
{
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        char item[64];
        snprintf(item, sizeof(item), "%s[%zu]", what, i);
        if (entry_parse(b, json_object_array_get_idx(arr, i), item, t, err) != 0)
            return -1;
    }
    return 0;
}

/* An AlterConfigBatch (checked) for the target named owner. */
static int batch_parse(const api_body_t *b, alter_job_t *aj, const char *owner, kr_err_t *err)
{
    json_object *data = api_body_get(b->root, "data");
    if (api_body_bool(b, b->root, "validate_only", &aj->validate_only, err) != 0 ||
        api_v3_items_check(json_object_array_length(data), TOO_MANY, err) != 0)
        return -1;
    return entries_parse(b, data, "data", target_get(aj, owner), err);
}

/* {"data":[{"topic_name","configs":[AlterEntry...]}],"validate_only"?} (checked) */
static int multi_parse(const api_body_t *b, alter_job_t *aj, kr_err_t *err)
{
    json_object *data = api_body_get(b->root, "data");
    if (api_body_bool(b, b->root, "validate_only", &aj->validate_only, err) != 0 ||
        api_v3_items_check(json_object_array_length(data), TOO_MANY, err) != 0)
        return -1;
    size_t entries = 0;
    for (size_t i = 0; i < json_object_array_length(data); i++) {
        json_object *e = json_object_array_get_idx(data, i);
        const char *topic = NULL;
        char what[48];
        snprintf(what, sizeof(what), "data[%zu]", i);
        if (api_body_check(b, e, what, &topic_spec, err) != 0 ||
            api_body_text(b, e, "topic_name", &topic, err) != 0)
            return -1;
        json_object *configs = api_body_get(e, "configs");
        entries += json_object_array_length(configs);
        if (api_v3_items_check(entries, TOO_MANY, err) != 0)
            return -1;
        strncat(what, ".configs", sizeof(what) - strlen(what) - 1);
        if (entries_parse(b, configs, what, target_get(aj, topic), err) != 0)
            return -1;
    }
    return 0;
}

typedef enum body_kind { BODY_NONE, BODY_UPDATE, BODY_BATCH, BODY_MULTI } body_kind_t;

/* The path's config name (PUT and DELETE of one config). */
static const char *config_name(const api_req_t *req, api_v3_cfg_kind_t kind)
{
    return req->params[kind == API_V3_CFG_CLUSTER ? 1 : P_NAME];
}

/* The body of kind body into aj's operations (owner: the path's topic or broker). @return 0
 * or -1 with err set. */
static int body_parse(const api_req_t *req, alter_job_t *aj, body_kind_t body, const char *owner,
                      kr_err_t *err)
{
    api_body_spec_t update = {update_fields, update_cls[aj->kind], NULL, 0};
    const api_body_spec_t *spec = body == BODY_UPDATE  ? &update
                                  : body == BODY_BATCH ? &batch_spec
                                                       : &multi_spec;
    api_body_t b;
    int rc = api_body_parse(&b, req, spec, err);
    const char *value = NULL;
    if (rc == 0 && body == BODY_UPDATE) /* UpdateConfig: one SET of the path's config */
        rc = api_body_text(&b, b.root, "value", &value, err);
    if (rc == 0 && body == BODY_UPDATE)
        target_op(target_get(aj, owner), config_name(req, aj->kind), value, KAFKA_ADMIN_CONFIG_SET);
    else if (rc == 0 && body == BODY_BATCH)
        rc = batch_parse(&b, aj, owner, err);
    else if (rc == 0)
        rc = multi_parse(&b, aj, err);
    api_body_deinit(&b);
    return rc;
}

/* The job of a request: its kind, its target (owner: the path's topic or broker; NULL for the
 * several topics of the body) and its operations. @return owned job, or NULL with err set. */
static alter_job_t *job_build(const api_req_t *req, api_v3_cfg_kind_t kind, body_kind_t body,
                              const char *owner, kr_err_t *err)
{
    alter_job_t *aj = alter_job_new(req, kind);
    aj->multi = body == BODY_MULTI;
    if (body == BODY_NONE) {
        target_op(target_get(aj, owner), config_name(req, kind), NULL, KAFKA_ADMIN_CONFIG_DELETE);
        return aj;
    }
    if (body_parse(req, aj, body, owner, err) != 0) {
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

/* librdkafka 2.0.2 refuses to name the BROKER "" resource in AlterConfigs
 * (its ConfigResource constructor rejects an empty name, and a BROKER resource must parse as a
 * broker id >= 0), and it has no IncrementalAlterConfigs: no request it can send changes the
 * cluster-wide broker configs. */
#define CLUSTER_501                                                                                \
    "Changing cluster-wide broker configs is not supported by this krest: librdkafka 2.0.2 "       \
    "cannot address the cluster default broker resource; change them per broker "                  \
    "(/brokers/{broker_id}/configs) or with Kafka's tools"

/* The path's topic or broker in the snapshot (the several topics of a body are checked on the
 * kafka loop); the cluster-wide broker configs are 501. @return 0 or -1 with err set. */
static int owner_check(const api_req_t *req, const kafka_md_t *md, const alter_job_t *aj,
                       kr_err_t *err)
{
    int32_t id = -1;
    switch (aj->kind) {
    case API_V3_CFG_TOPIC:
        return aj->multi || api_v3_topic_find(md, req->params[P_OWNER], err) ? 0 : -1;
    case API_V3_CFG_BROKER:
        api_param_int32(req, P_OWNER, &id); /* the router checked it is an int */
        return kafka_md_broker(md, id)
                   ? 0
                   : kr_err_set(err, KR_ERR_NOT_FOUND, "Broker %d cannot be found.", (int)id);
    case API_V3_CFG_CLUSTER:
        break;
    }
    return kr_err_set(err, KR_ERR_NOT_IMPLEMENTED, CLUSTER_501);
}

/* The job built from the request, with the snapshot. */
static api_status_t start(api_req_t *req, kafka_md_t *md, void *arg)
{
    alter_job_t *aj = arg;
    kr_err_t err = {0};
    if (owner_check(req, md, aj, &err) != 0) {
        api_job_free(&aj->job);
        return api_reply_err(req, &err);
    }
    aj->cluster_id = xstrdup(md->cluster_id);
    return api_job_start(req, &aj->job, alter_start, altered);
}

static void job_drop(void *aj)
{
    api_job_free(aj);
}

/* The path's owner as the job names it: a topic, a broker id as Kafka writes it (in buf), or
 * "". @return it (borrowed). */
static const char *owner_of(const api_req_t *req, api_v3_cfg_kind_t kind, char *buf, size_t size)
{
    int32_t id = -1;
    if (kind == API_V3_CFG_TOPIC)
        return req->params[P_OWNER];
    if (kind == API_V3_CFG_CLUSTER)
        return "";
    api_param_int32(req, P_OWNER, &id); /* the router checked it is an int */
    snprintf(buf, size, "%d", (int)id);
    return buf;
}

/* The body is read (once, into the job) before the cluster is checked, as Jersey reads it
 * before the resource method. */
static api_status_t serve(api_req_t *req, unsigned flags, api_v3_cfg_kind_t kind, body_kind_t body)
{
    kr_err_t err = {0};
    char buf[16];
    const char *owner = body == BODY_MULTI ? NULL : owner_of(req, kind, buf, sizeof(buf));
    alter_job_t *aj = job_build(req, kind, body, owner, &err);
    if (!aj)
        return api_reply_err(req, &err);
    return api_v3_md_serve_with(req, flags, start, aj, job_drop);
}

#define TOPIC_MD (API_V3_MD_CLUSTER | API_V3_MD_TOPIC)

api_status_t api_v3_topic_config_update(api_req_t *req)
{
    return serve(req, TOPIC_MD, API_V3_CFG_TOPIC, BODY_UPDATE);
}

api_status_t api_v3_topic_config_reset(api_req_t *req)
{
    return serve(req, TOPIC_MD, API_V3_CFG_TOPIC, BODY_NONE);
}

api_status_t api_v3_topic_configs_alter(api_req_t *req)
{
    return serve(req, TOPIC_MD, API_V3_CFG_TOPIC, BODY_BATCH);
}

api_status_t api_v3_topics_configs_alter(api_req_t *req)
{
    return serve(req, API_V3_MD_CLUSTER, API_V3_CFG_TOPIC, BODY_MULTI);
}

api_status_t api_v3_broker_config_update(api_req_t *req)
{
    return serve(req, API_V3_MD_CLUSTER, API_V3_CFG_BROKER, BODY_UPDATE);
}

api_status_t api_v3_broker_config_reset(api_req_t *req)
{
    return serve(req, API_V3_MD_CLUSTER, API_V3_CFG_BROKER, BODY_NONE);
}

api_status_t api_v3_broker_configs_alter(api_req_t *req)
{
    return serve(req, API_V3_MD_CLUSTER, API_V3_CFG_BROKER, BODY_BATCH);
}

/* --- the cluster-wide broker configs: 501 (owner_check) ------------------------------------ */

api_status_t api_v3_cluster_config_update(api_req_t *req)
{
    return serve(req, API_V3_MD_CLUSTER, API_V3_CFG_CLUSTER, BODY_UPDATE);
}

api_status_t api_v3_cluster_config_reset(api_req_t *req)
{
    return serve(req, API_V3_MD_CLUSTER, API_V3_CFG_CLUSTER, BODY_NONE);
}

api_status_t api_v3_cluster_configs_alter(api_req_t *req)
{
    return serve(req, API_V3_MD_CLUSTER, API_V3_CFG_CLUSTER, BODY_BATCH);
}
