/* api/v3_configs.c -- v3 configs, the read side (see v3_configs.h): one writer for the three
 * config kinds, and one describe job for every listing and look-up.
 *
 * A request first gets a metadata snapshot (api_v3_md_serve: cluster 404, unknown topic
 * 404/40403, unknown broker 404), then DescribeConfigs (with synonyms) runs on the admin layer
 * and the request resumes with the result. The cluster-wide configs are BROKER "", which the
 * admin layer reads through the controller (kafka/admin.h).
 * Threads: handlers and resume on HTTP threads; the describe callback on the kafka loop. */
#include "api/v3_configs.h"

#include "api/job.h"
#include "api/v3.h"
#include "api/v3_configs_int.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { P_CLUSTER = 0, P_OWNER = 1, P_NAME = 2 };

/* --- shared with v3_configs_alter.c ------------------------------------------------------- */

const kafka_admin_config_t *api_v3_cfg_find(const kafka_admin_config_res_t *r, const char *name)
{
    for (size_t i = 0; i < r->n_configs; i++) {
        if (strcmp(r->configs[i].name, name) == 0)
            return &r->configs[i];
    }
    return NULL;
}

int api_v3_cfg_not_found(api_v3_cfg_kind_t kind, const char *owner, const char *name,
                         const char *cluster_id, kr_err_t *err)
{
    return kr_err_set(err, KR_ERR_NOT_FOUND, "Config %s cannot be found for %s %s in cluster %s.",
                      name, kind == API_V3_CFG_TOPIC ? "TOPIC" : "BROKER", owner, cluster_id);
}

int api_v3_cfg_res_err(const kafka_admin_config_res_t *r, kr_err_t *err)
{
    if (r->err.code == KR_ERR_UNKNOWN_TOPIC_OR_PARTITION)
        return kr_err_set(err, r->err.code, "This server does not host this topic-partition.");
    *err = r->err;
    return -1;
}

/* --- the writer ---------------------------------------------------------------------------- */

static void write_nullable(api_v3_t *v, const char *key, const char *s)
{
    fmt_jsonw_key(&v->w, key);
    if (s)
        fmt_jsonw_str(&v->w, s);
    else
        fmt_jsonw_null(&v->w);
}

static void write_synonyms(api_v3_t *v, const kafka_admin_config_t *cfg)
{
    fmt_jsonw_key(&v->w, "synonyms");
    fmt_jsonw_arr_begin(&v->w);
    for (size_t i = 0; i < cfg->n_synonyms; i++) {
        const kafka_admin_synonym_t *s = &cfg->synonyms[i];
        fmt_jsonw_obj_begin(&v->w);
        fmt_jsonw_key(&v->w, "name");
        fmt_jsonw_str(&v->w, s->name);
        write_nullable(v, "value", s->value);
        fmt_jsonw_key(&v->w, "source");
        fmt_jsonw_str(&v->w, kafka_config_source_name(s->source));
        fmt_jsonw_obj_end(&v->w);
    }
    fmt_jsonw_arr_end(&v->w);
}

/* metadata, cluster_id and the owner field of each kind, as Confluent's
 * {Topic,Broker,Cluster}ConfigsResource write them. */
static void write_head(api_v3_t *v, api_v3_cfg_kind_t kind, const char *c, const char *owner,
                       const char *name)
{
    static const char *const kinds[] = {"KafkaTopicConfig", "KafkaBrokerConfig",
                                        "KafkaClusterConfig"};
    api_v3_resource_begin(v, kinds[kind]);
    if (kind == API_V3_CFG_TOPIC) {
        api_v3_self(v, "clusters/%s/topics/%s/configs/%s", c, owner, name);
        api_v3_crn(v, "kafka=%s/topic=%s/config=%s", c, owner, name);
    } else if (kind == API_V3_CFG_BROKER) {
        api_v3_self(v, "clusters/%s/brokers/%s/configs/%s", c, owner, name);
        api_v3_crn(v, "kafka=%s/broker=%s/config=%s", c, owner, name);
    } else {
        api_v3_self(v, "clusters/%s/broker-configs/%s", c, name);
        api_v3_crn(v, "kafka=%s/broker-config=%s", c, name);
    }
    api_v3_metadata_end(v);
    fmt_jsonw_key(&v->w, "cluster_id");
    fmt_jsonw_str(&v->w, c);
    if (kind == API_V3_CFG_TOPIC) {
        fmt_jsonw_key(&v->w, "topic_name");
        fmt_jsonw_str(&v->w, owner);
    } else if (kind == API_V3_CFG_BROKER) {
        fmt_jsonw_key(&v->w, "broker_id");
        fmt_jsonw_int(&v->w, strtol(owner, NULL, 10)); /* a broker id we formatted */
    } else {
        fmt_jsonw_key(&v->w, "config_type");
        fmt_jsonw_str(&v->w, "BROKER");
    }
}

/* One config resource of any kind (API.md §3.4); owner is the topic or the broker id. */
static void write_config(api_v3_t *v, api_v3_cfg_kind_t kind, const char *c, const char *owner,
                         const kafka_admin_config_t *cfg)
{
    write_head(v, kind, c, owner, cfg->name);
    fmt_jsonw_key(&v->w, "name");
    fmt_jsonw_str(&v->w, cfg->name);
    write_nullable(v, "value", cfg->value);
    fmt_jsonw_key(&v->w, "is_default");
    fmt_jsonw_bool(&v->w, cfg->is_default);
    fmt_jsonw_key(&v->w, "is_read_only");
    fmt_jsonw_bool(&v->w, cfg->is_read_only);
    fmt_jsonw_key(&v->w, "is_sensitive");
    fmt_jsonw_bool(&v->w, cfg->is_sensitive);
    fmt_jsonw_key(&v->w, "source");
    fmt_jsonw_str(&v->w, kafka_config_source_name(cfg->source));
    write_synonyms(v, cfg);
    api_v3_resource_end(v);
}

/* --- the describe job ---------------------------------------------------------------------- */

typedef struct describe_job {
    api_job_t job; /* first */
    api_v3_cfg_kind_t kind;
    bool all; /* a "-" listing over several resources */
    char *cluster_id;
    char *name;                  /* the config of a single look-up, NULL for a listing */
    char **names;                /* owned resource names, n of them */
    kafka_admin_resource_t *res; /* n, names borrowed from names */
    size_t n;
    kafka_admin_configs_t *result; /* owned once described */
} describe_job_t;

static void describe_job_free(api_job_t *job)
{
    describe_job_t *dj = (describe_job_t *)job;
    for (size_t i = 0; i < dj->n; i++)
        xfree(dj->names[i]);
    xfree(dj->names);
    xfree(dj->res);
    xfree(dj->cluster_id);
    xfree(dj->name);
    kafka_admin_configs_free(dj->result);
    xfree(dj);
}

static describe_job_t *describe_job_new(const api_req_t *req, api_v3_cfg_kind_t kind,
                                        const kafka_md_t *md, size_t n)
{
    describe_job_t *dj = xcalloc(1, sizeof(*dj));
    dj->job.ctx = req->ctx;
    dj->job.free_fn = describe_job_free;
    dj->kind = kind;
    dj->cluster_id = xstrdup(md->cluster_id);
    dj->names = xcalloc(n ? n : 1, sizeof(*dj->names));
    dj->res = xcalloc(n ? n : 1, sizeof(*dj->res));
    return dj;
}

static void describe_job_add(describe_job_t *dj, const char *name)
{
    dj->names[dj->n] = xstrdup(name);
    dj->res[dj->n].type =
        dj->kind == API_V3_CFG_TOPIC ? KAFKA_ADMIN_RES_TOPIC : KAFKA_ADMIN_RES_BROKER;
    dj->res[dj->n].name = dj->names[dj->n];
    dj->n++;
}

/* Kafka loop. */
static void on_described(void *arg, void *result, const kr_err_t *err)
{
    describe_job_t *dj = arg;
    dj->result = result;
    if (!result)
        dj->job.err = *err;
    api_job_complete(&dj->job);
}

static void describe_start(api_job_t *job)
{
    describe_job_t *dj = (describe_job_t *)job;
    kr_err_t err = {0};
    if (dj->n == 0) { /* nothing to describe: an empty listing */
        api_job_complete(job);
        return;
    }
    if (kafka_admin_describe_configs(job->ctx->kadmin, dj->res, dj->n,
                                     job->ctx->cfg->client_timeout_ms, on_described, dj,
                                     &err) != 0) {
        job->err = err;
        api_job_complete(job);
    }
}

/* --- answers ------------------------------------------------------------------------------- */

static int by_name(const void *a, const void *b)
{
    const kafka_admin_config_t *x = *(const kafka_admin_config_t *const *)a;
    const kafka_admin_config_t *y = *(const kafka_admin_config_t *const *)b;
    return strcmp(x->name, y->name);
}

/* A resource's configs, sorted by name (API.md §3.1). */
static void write_sorted(api_v3_t *v, const describe_job_t *dj, const kafka_admin_config_res_t *r,
                         const char *owner)
{
    const kafka_admin_config_t **sorted = xcalloc(r->n_configs + 1, sizeof(*sorted));
    for (size_t i = 0; i < r->n_configs; i++)
        sorted[i] = &r->configs[i];
    qsort(sorted, r->n_configs, sizeof(*sorted), by_name);
    for (size_t i = 0; i < r->n_configs; i++)
        write_config(v, dj->kind, dj->cluster_id, owner, sorted[i]);
    xfree(sorted);
}

static void collection_begin(api_v3_t *v, const describe_job_t *dj)
{
    const char *c = dj->cluster_id;
    if (dj->kind == API_V3_CFG_CLUSTER)
        api_v3_collection_begin(v, "KafkaClusterConfigList", "clusters/%s/broker-configs", c);
    else if (dj->kind == API_V3_CFG_BROKER)
        api_v3_collection_begin(v, "KafkaBrokerConfigList", "clusters/%s/brokers/%s/configs", c,
                                dj->all ? "-" : dj->names[0]);
    else
        api_v3_collection_begin(v, "KafkaTopicConfigList", "clusters/%s/topics/%s/configs", c,
                                dj->all ? "-" : dj->names[0]);
}

/* A topic deleted between the metadata and the describe is left out of a "-" listing; any
 * other resource error fails the request. */
static bool skipped(const describe_job_t *dj, const kafka_admin_config_res_t *r)
{
    return dj->all && dj->kind == API_V3_CFG_TOPIC &&
           r->err.code == KR_ERR_UNKNOWN_TOPIC_OR_PARTITION;
}

static api_status_t render_list(api_req_t *req, const describe_job_t *dj)
{
    size_t n = dj->result ? dj->result->n : 0;
    for (size_t i = 0; i < n; i++) {
        const kafka_admin_config_res_t *r = &dj->result->resources[i];
        kr_err_t err = {0};
        if (r->err.code != KR_ERR_NONE && !skipped(dj, r)) {
            api_v3_cfg_res_err(r, &err);
            return api_reply_err(req, &err);
        }
    }
    api_v3_t v;
    api_v3_init(&v, req);
    collection_begin(&v, dj);
    for (size_t i = 0; i < n; i++) {
        if (dj->result->resources[i].err.code == KR_ERR_NONE)
            write_sorted(&v, dj, &dj->result->resources[i], dj->names[i]);
    }
    api_v3_collection_end(&v);
    return api_v3_reply(&v, 200);
}

static api_status_t render_one(api_req_t *req, const describe_job_t *dj)
{
    kr_err_t err = {0};
    const kafka_admin_config_res_t *r = &dj->result->resources[0];
    if (r->err.code != KR_ERR_NONE) {
        api_v3_cfg_res_err(r, &err);
        return api_reply_err(req, &err);
    }
    const kafka_admin_config_t *cfg = api_v3_cfg_find(r, dj->name);
    if (!cfg) {
        api_v3_cfg_not_found(dj->kind, dj->names[0], dj->name, dj->cluster_id, &err);
        return api_reply_err(req, &err);
    }
    api_v3_t v;
    api_v3_init(&v, req);
    write_config(&v, dj->kind, dj->cluster_id, dj->names[0], cfg);
    return api_v3_reply(&v, 200);
}

static api_status_t described(api_req_t *req, void *result, bool timed_out)
{
    describe_job_t *dj = result;
    if (timed_out)
        return api_reply_error(req, KR_ERR_BROKER_NOT_AVAILABLE,
                               "Kafka brokers are not available: timed out waiting for Kafka");
    api_status_t st;
    if (dj->job.err.code != KR_ERR_NONE)
        st = api_reply_err(req, &dj->job.err);
    else if (dj->name)
        st = render_one(req, dj);
    else
        st = render_list(req, dj);
    api_job_free(&dj->job);
    return st;
}

static api_status_t describe(api_req_t *req, describe_job_t *dj)
{
    if (req->n_params > P_NAME && dj->kind != API_V3_CFG_CLUSTER)
        dj->name = xstrdup(req->params[P_NAME]);
    else if (req->n_params > P_OWNER && dj->kind == API_V3_CFG_CLUSTER)
        dj->name = xstrdup(req->params[P_OWNER]);
    return api_job_start(req, &dj->job, describe_start, described);
}

/* --- the handlers: which resources to describe --------------------------------------------- */

static api_status_t describe_broker(api_req_t *req, kafka_md_t *md)
{
    int32_t id = -1;
    api_param_int32(req, P_OWNER, &id); /* the router checked it is an int */
    if (!kafka_md_broker(md, id))
        return api_reply_error(req, KR_ERR_NOT_FOUND, "Broker %d cannot be found.", (int)id);
    describe_job_t *dj = describe_job_new(req, API_V3_CFG_BROKER, md, 1);
    char name[16];
    snprintf(name, sizeof(name), "%d", (int)id);
    describe_job_add(dj, name);
    return describe(req, dj);
}

static api_status_t describe_brokers(api_req_t *req, kafka_md_t *md)
{
    describe_job_t *dj = describe_job_new(req, API_V3_CFG_BROKER, md, md->n_brokers);
    dj->all = true;
    for (size_t i = 0; i < md->n_brokers; i++) { /* sorted ids */
        char name[16];
        snprintf(name, sizeof(name), "%d", (int)md->brokers[i]);
        describe_job_add(dj, name);
    }
    return describe(req, dj);
}

static api_status_t describe_cluster(api_req_t *req, kafka_md_t *md)
{
    describe_job_t *dj = describe_job_new(req, API_V3_CFG_CLUSTER, md, 1);
    describe_job_add(dj, "");
    return describe(req, dj);
}

static api_status_t describe_topic(api_req_t *req, kafka_md_t *md)
{
    kr_err_t err = {0};
    if (!api_v3_topic_find(md, req->params[P_OWNER], &err))
        return api_reply_err(req, &err);
    describe_job_t *dj = describe_job_new(req, API_V3_CFG_TOPIC, md, 1);
    describe_job_add(dj, req->params[P_OWNER]);
    return describe(req, dj);
}

/* Every topic that is not internal, by name, as Confluent's (Admin.listTopics() leaves the
 * internal ones out). */
static api_status_t describe_topics(api_req_t *req, kafka_md_t *md)
{
    describe_job_t *dj = describe_job_new(req, API_V3_CFG_TOPIC, md, md->n_topics);
    dj->all = true;
    for (size_t i = 0; i < md->n_topics; i++) { /* sorted by name */
        if (!md->topics[i].internal)
            describe_job_add(dj, md->topics[i].name);
    }
    return describe(req, dj);
}

api_status_t api_v3_broker_configs_all(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, describe_brokers);
}

api_status_t api_v3_broker_configs_list(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, describe_broker);
}

api_status_t api_v3_broker_config_get(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, describe_broker);
}

api_status_t api_v3_cluster_configs_list(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, describe_cluster);
}

api_status_t api_v3_cluster_config_get(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, describe_cluster);
}

api_status_t api_v3_topic_configs_all(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, describe_topics);
}

api_status_t api_v3_topic_configs_list(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER | API_V3_MD_TOPIC, describe_topic);
}

api_status_t api_v3_topic_config_get(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER | API_V3_MD_TOPIC, describe_topic);
}
