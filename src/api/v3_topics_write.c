/* api/v3_topics_write.c -- v3 topics, the write side (see v3_topics_write.h).
 *
 * DESIGN. A request goes: body parsed once on the HTTP thread into its write_job_t (Confluent's
 * order: a body error comes before an unknown cluster), the cluster (and for PATCH/DELETE the
 * topic) checked against a metadata snapshot (api_v3_md_serve_with carries the job), then the
 * job through api_job_start:
 *   start (HTTP thread) -> the admin call -> its callback (kafka loop) -> a metadata snapshot
 *   fetched after the change (metadata worker) -> api_job_complete -> resumed (HTTP thread).
 * The snapshot after the change is what makes the cache notice it (the next GET lists a
 * created topic, not a deleted one) and what gives a created topic its true partition count
 * and replication factor, which librdkafka 2.0.2's CreateTopics result does not carry. When
 * the broker's metadata lags (a loaded KRaft broker publishes a change some milliseconds after
 * its controller answered), the snapshot is fetched again after a pause that doubles from
 * WRITE_SETTLE_FIRST_MS, until WRITE_SETTLE_MS (at most client.timeout.ms) have passed since
 * the change; the pause is a one-shot timer (kr_pending_after), so no thread waits. Once
 * krest stops (api_jobs_stopping) a job completes with what it has instead of fetching again. A
 * validate_only create changes nothing: its counts are the requested ones, or the broker defaults
 * (num.partitions, default.replication.factor) read with DescribeConfigs. Threads: handlers and
 * resumed() on HTTP threads; the job's steps on the kafka loop and the metadata workers, one step
 * at a time. */
#include "api/v3_topics_write.h"

#include "api/body.h"
#include "api/job.h"
#include "api/names.h"
#include "api/v3.h"
#include "api/v3_topics.h"
#include "format/json.h"
#include "kafka/admin.h"
#include "util/clock.h"
#include "util/mem.h"
#include "util/pending.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { P_CLUSTER = 0, P_TOPIC = 1 };

/* Metadata fetches after a change before krest answers with what it has. */
#define WRITE_SETTLE_MS           3000 /* how long a change may take to show in the metadata */
#define WRITE_SETTLE_FIRST_MS     10   /* the first pause before fetching again; doubles */
#define WRITE_SETTLE_MAX_PAUSE_MS 250

/* ---- request bodies ------------------------------------------------------------------------ */

/* Confluent's entities (api/body.h gives the errors). Integers are JSON integers: krest does
 * not coerce "3" or 3.0 as Jackson would. */
static const api_body_field_t create_fields[] = {
    {"topic_name", API_BODY_STRING, true},
    {"partitions_count", API_BODY_INT, false},
    {"replication_factor", API_BODY_INT, false},
    {"replicas_assignments", API_BODY_OBJECT, false},
    {"configs", API_BODY_ARRAY, false},
    {"validate_only", API_BODY_BOOL, false},
    {NULL, API_BODY_ANY, false},
};
static const api_body_spec_t create_spec = {create_fields, "CreateTopicRequest", NULL, 0};

static const api_body_field_t config_fields[] = {
    {"name", API_BODY_STRING, true},
    {"value", API_BODY_TEXT, false}, /* Jackson reads a scalar as its text */
    {NULL, API_BODY_ANY, false},
};
static const api_body_spec_t config_spec = {config_fields, "ConfigEntry", NULL, 0};

static const api_body_field_t patch_fields[] = {
    {"partitions_count", API_BODY_INT, true},
    {NULL, API_BODY_ANY, false},
};
static const api_body_spec_t patch_spec = {patch_fields, "PartitionsCountRequest",
                                           "Request body is empty. Partitions_count is required.",
                                           0};

typedef struct create_body {
    char *name;
    int32_t partitions;                 /* -1: not given */
    int32_t rf;                         /* -1: not given */
    kafka_admin_replicas_t *assignment; /* partitions 0..n_assignment-1; brokers owned */
    size_t n_assignment;
    kafka_admin_kv_t *configs; /* strings owned */
    size_t n_configs;
    bool validate_only;
} create_body_t;

static void create_body_free(create_body_t *b)
{
    for (size_t i = 0; i < b->n_assignment; i++)
        xfree((void *)b->assignment[i].brokers);
    for (size_t i = 0; i < b->n_configs; i++) {
        xfree((void *)b->configs[i].name);
        xfree((void *)b->configs[i].value);
    }
    xfree(b->assignment);
    xfree(b->configs);
    xfree(b->name);
    memset(b, 0, sizeof(*b));
}

/* configs[i], a ConfigEntry. */
static int parse_config(const api_body_t *b, json_object *e, size_t i, kafka_admin_kv_t *kv,
                        kr_err_t *err)
{
    char what[32];
    snprintf(what, sizeof(what), "configs[%zu]", i);
    const char *name = NULL, *value = NULL;
    if (api_body_check(b, e, what, &config_spec, err) != 0 ||
        api_body_str(b, e, "name", &name, err) != 0 ||
        api_body_text(b, e, "value", &value, err) != 0)
        return -1;
    kv->name = xstrdup(name);
    kv->value = value ? xstrdup(value) : NULL;
    return 0;
}

static int parse_configs(const api_body_t *b, json_object *arr, create_body_t *cb, kr_err_t *err)
{
    if (!arr)
        return 0;
    size_t n = json_object_array_length(arr);
    if (api_v3_items_check(n, "configs", err) != 0)
        return -1;
    cb->configs = xcalloc(n ? n : 1, sizeof(*cb->configs));
    for (size_t i = 0; i < n; i++) {
        if (parse_config(b, json_object_array_get_idx(arr, i), i, &cb->configs[i], err) != 0)
            return -1;
        cb->n_configs++;
    }
    return 0;
}

/* One partition's replicas: a JSON array of broker ids. */
static int parse_replicas(const api_body_t *b, json_object *arr, kafka_admin_replicas_t *r,
                          kr_err_t *err)
{
    if (!arr || !json_object_is_type(arr, json_type_array))
        return api_body_type_err(b, "replicas_assignments",
                                 "an array of broker ids is expected for each partition", err);
    size_t n = json_object_array_length(arr);
    int32_t *ids = xcalloc(n ? n : 1, sizeof(*ids));
    r->brokers = ids;
    for (size_t i = 0; i < n; i++) {
        json_object *v = json_object_array_get_idx(arr, i);
        int64_t id = json_object_get_int64(v);
        if (!v || !json_object_is_type(v, json_type_int) || id < INT32_MIN || id > INT32_MAX)
            return api_body_type_err(b, "replicas_assignments", "broker ids must be int32 integers",
                                     err);
        ids[i] = (int32_t)id;
    }
    r->n = n;
    return 0;
}

/* {"<partition id>": [broker ids]}: the partitions must be 0..n-1 (librdkafka, like Kafka,
 * takes them in order). */
static int parse_assignment(const api_body_t *body, json_object *obj, create_body_t *b,
                            kr_err_t *err)
{
    if (!obj)
        return 0;
    size_t n = (size_t)json_object_object_length(obj);
    b->assignment = xcalloc(n ? n : 1, sizeof(*b->assignment));
    b->n_assignment = n;
    json_object_object_foreach(obj, key, val)
    {
        char *end = NULL;
        long p = strtol(key, &end, 10);
        bool numeric = isdigit((unsigned char)key[0]) || (key[0] == '-' && key[1] != '\0');
        if (!numeric || *end)
            return api_body_type_err(body, "replicas_assignments", "a key is not a partition id",
                                     err);
        if (p < 0 || (size_t)p >= n || b->assignment[p].brokers)
            return kr_err_set(err, KR_ERR_KAFKA_BAD_REQUEST,
                              "Partitions should be a consecutive 0-based integer sequence");
        if (parse_replicas(body, val, &b->assignment[p], err) != 0)
            return -1;
    }
    return 0;
}

/* The fields of a CreateTopicRequest (checked against create_spec). @return 0, or -1 with
 * err (cb then half-filled: create_body_free it). */
static int parse_create_fields(const api_body_t *b, create_body_t *cb, kr_err_t *err)
{
    const char *name = NULL;
    size_t name_len = 0;
    int64_t pc = -1, rf = -1;
    json_object *assignment = NULL, *configs = NULL;
    if (api_body_strn(b, b->root, "topic_name", &name, &name_len, err) != 0 ||
        api_body_int(b, b->root, "partitions_count", INT32_MIN, INT32_MAX, &pc, err) != 0 ||
        api_body_int(b, b->root, "replication_factor", INT16_MIN, INT16_MAX, &rf, err) != 0 ||
        api_body_bool(b, b->root, "validate_only", &cb->validate_only, err) != 0 ||
        api_body_object(b, b->root, "replicas_assignments", &assignment, err) != 0 ||
        api_body_array(b, b->root, "configs", &configs, err) != 0)
        return -1;
    cb->name = xstrdup(name);
    /* -1 (also when not given) is Kafka's "the broker default"; any other value goes to Kafka
     * as given, so that -5 is refused rather than read as the default. */
    cb->partitions = (int32_t)pc;
    cb->rf = (int32_t)rf;
    if (parse_assignment(b, assignment, cb, err) != 0 || parse_configs(b, configs, cb, err) != 0)
        return -1;
    /* After the JSON mapping, as Confluent's resource checks the name (its whole JSON length:
     * a NUL would cut cb->name short, and is no topic name's character). */
    if (!api_topic_name_valid(name, name_len)) /* a NUL among them is one more bad byte */
        return kr_err_set(err, KR_ERR_PAYLOAD, "Payload error. Invalid topic name.");
    return 0;
}

static int parse_create(const api_req_t *req, create_body_t *cb, kr_err_t *err)
{
    memset(cb, 0, sizeof(*cb));
    api_body_t b;
    int rc = api_body_parse(&b, req, &create_spec, err);
    if (rc == 0)
        rc = parse_create_fields(&b, cb, err);
    api_body_deinit(&b);
    if (rc != 0)
        create_body_free(cb);
    return rc;
}

/* PATCH's {"partitions_count": N}. @return 0 with *out = N, or -1 with err. */
static int parse_patch(const api_req_t *req, int32_t *out, kr_err_t *err)
{
    api_body_t b;
    int64_t n = 0;
    int rc = api_body_parse(&b, req, &patch_spec, err);
    if (rc == 0)
        rc = api_body_int(&b, b.root, "partitions_count", INT32_MIN, INT32_MAX, &n, err);
    api_body_deinit(&b);
    *out = (int32_t)n;
    return rc;
}

/* ---- the job: the admin call, then a snapshot that shows the change ---------------------- */

typedef enum write_op { OP_CREATE, OP_PATCH, OP_DELETE } write_op_t;

typedef struct write_job {
    api_job_t job; /* first */
    write_op_t op;
    char *topic;        /* owned */
    create_body_t body; /* OP_CREATE */
    int32_t partitions; /* OP_PATCH: the new count */
    int32_t broker;     /* validate_only defaults: the broker whose configs are read */
    int32_t default_pc; /* the broker's num.partitions, -1 unknown */
    int32_t default_rf; /* the broker's default.replication.factor, -1 unknown */
    int64_t changed_ms; /* monotonic time the admin call succeeded */
    int64_t pause_ms;   /* the next pause before fetching again */
    kafka_md_t *md;     /* owned: the last snapshot after the change, or NULL */
} write_job_t;

static void write_job_free(api_job_t *job)
{
    write_job_t *j = (write_job_t *)job;
    create_body_free(&j->body);
    kafka_md_release(j->md);
    xfree(j->topic);
    xfree(j);
}

static write_job_t *write_job_new(const api_req_t *req, write_op_t op, const char *topic)
{
    write_job_t *j = xcalloc(1, sizeof(*j));
    j->job.ctx = req->ctx;
    j->job.free_fn = write_job_free;
    j->op = op;
    j->topic = xstrdup(topic);
    j->broker = -1;
    j->default_pc = -1;
    j->default_rf = -1;
    return j;
}

static int64_t admin_timeout(const write_job_t *j)
{
    return j->job.ctx->cfg->client_timeout_ms;
}

/* Whether the snapshot shows the change (the broker's metadata may lag its controller). */
static bool settled(const write_job_t *j, const kafka_md_t *md)
{
    const kafka_md_topic_t *t = kafka_md_topic(md, j->topic);
    switch (j->op) {
    case OP_CREATE:
        return t != NULL;
    case OP_PATCH:
        return t && t->n_partitions >= (size_t)j->partitions;
    case OP_DELETE:
        return t == NULL;
    }
    return true;
}

static void refresh(write_job_t *j);

/* The pause is over (timer thread, or at once at shutdown): fetch again, unless krest stops. */
static void on_paused(void *owner)
{
    write_job_t *j = owner;
    if (api_jobs_stopping())
        api_job_complete(&j->job);
    else
        refresh(j);
}

/* How long after the change the metadata is asked again: at most WRITE_SETTLE_MS, and at most
 * client.timeout.ms, so that the change, the settling and a last fetch (each bounded by it)
 * end before the request's deadline (api_job_deadline_ms). */
static int64_t settle_ms(const write_job_t *j)
{
    int64_t ct = admin_timeout(j);
    return ct < WRITE_SETTLE_MS ? ct : WRITE_SETTLE_MS;
}

/* A snapshot after the change. A failed fetch does not undo a change Kafka made: the job
 * completes with what it has, and resumed() answers from the request. */
static void on_refreshed(void *arg, kafka_md_t *md, const kr_err_t *err)
{
    (void)err;
    write_job_t *j = arg;
    if (md) {
        kafka_md_release(j->md);
        j->md = md;
    }
    int64_t now = kr_clock_mono_ms();
    int64_t pause = j->pause_ms;
    if (md && !settled(j, md) && now + pause < j->changed_ms + settle_ms(j) &&
        !api_jobs_stopping()) {
        /* j is the timer's from the moment it is set: nothing of it is touched after */
        j->pause_ms = pause * 2 < WRITE_SETTLE_MAX_PAUSE_MS ? pause * 2 : WRITE_SETTLE_MAX_PAUSE_MS;
        kr_pending_after(now + pause, on_paused, j);
        return;
    }
    api_job_complete(&j->job);
}

static void refresh(write_job_t *j)
{
    kafka_md_request(j->job.ctx->md, kr_clock_mono_ms(), on_refreshed, j);
}

static int32_t config_int(const kafka_admin_config_res_t *r, const char *name)
{
    for (size_t i = 0; i < r->n_configs; i++) {
        if (strcmp(r->configs[i].name, name) == 0 && r->configs[i].value)
            return (int32_t)strtol(r->configs[i].value, NULL, 10);
    }
    return -1;
}

/* The broker defaults of a validate_only create; unknown (-1) when they cannot be read. */
static void on_defaults(void *arg, void *result, const kr_err_t *err)
{
    (void)err;
    write_job_t *j = arg;
    kafka_admin_configs_t *c = result;
    if (c && c->n == 1 && c->resources[0].err.code == KR_ERR_NONE) {
        j->default_pc = config_int(&c->resources[0], "num.partitions");
        j->default_rf = config_int(&c->resources[0], "default.replication.factor");
    }
    kafka_admin_configs_free(c);
    api_job_complete(&j->job);
}

static bool needs_defaults(const write_job_t *j)
{
    const create_body_t *b = &j->body;
    return b->n_assignment == 0 && (b->partitions < 0 || b->rf < 0) && j->broker >= 0;
}

static void read_defaults(write_job_t *j)
{
    char id[16];
    snprintf(id, sizeof(id), "%d", (int)j->broker);
    kafka_admin_resource_t res = {KAFKA_ADMIN_RES_BROKER, id};
    kr_err_t err = {0};
    if (kafka_admin_describe_configs(j->job.ctx->kadmin, &res, 1, admin_timeout(j), on_defaults, j,
                                     &err) != 0)
        api_job_complete(&j->job);
}

/* The admin call's completion (kafka loop). */
static void on_written(void *arg, void *result, const kr_err_t *err)
{
    write_job_t *j = arg;
    kafka_admin_items_t *items = result;
    if (err)
        j->job.err = *err;
    else if (items && items->n == 1 && items->items[0].err.code != KR_ERR_NONE)
        j->job.err = items->items[0].err;
    kafka_admin_items_free(items);
    if (j->job.err.code != KR_ERR_NONE)
        api_job_complete(&j->job);
    else if (j->op == OP_CREATE && j->body.validate_only && needs_defaults(j))
        read_defaults(j);
    else if (j->op == OP_CREATE && j->body.validate_only)
        api_job_complete(&j->job);
    else if (api_jobs_stopping()) /* the change is made; no fetch to see it any more */
        api_job_complete(&j->job);
    else {
        j->changed_ms = kr_clock_mono_ms();
        j->pause_ms = WRITE_SETTLE_FIRST_MS;
        refresh(j);
    }
}

static int start_create(write_job_t *j, kr_err_t *err)
{
    const create_body_t *b = &j->body;
    kafka_admin_new_topic_t nt = {
        .name = b->name,
        .partitions = b->partitions,
        .replication_factor = b->rf,
        .assignment = b->assignment,
        .n_assignment = b->n_assignment,
        .configs = b->configs,
        .n_configs = b->n_configs,
    };
    return kafka_admin_create_topics(j->job.ctx->kadmin, &nt, 1, b->validate_only, admin_timeout(j),
                                     on_written, j, err);
}

/* Starts the admin call (HTTP thread, the request suspended). */
static void write_start(api_job_t *job)
{
    write_job_t *j = (write_job_t *)job;
    kafka_admin_t *a = job->ctx->kadmin;
    int rc = -1;
    if (j->op == OP_CREATE) {
        rc = start_create(j, &job->err);
    } else if (j->op == OP_PATCH) {
        kafka_admin_new_partitions_t np = {j->topic, j->partitions};
        rc = kafka_admin_create_partitions(a, &np, 1, false, admin_timeout(j), on_written, j,
                                           &job->err);
    } else {
        const char *names[] = {j->topic};
        rc = kafka_admin_delete_topics(a, names, 1, admin_timeout(j), on_written, j, &job->err);
    }
    if (rc != 0)
        api_job_complete(job);
}

/* ---- answers ------------------------------------------------------------------------------- */

/* The partition count and replication factor of a created (or validated) topic: the snapshot's
 * when it shows the topic; else the request's (an assignment defines both), else the broker
 * defaults, else 0 as Confluent when it cannot know. */
static void created_counts(const write_job_t *j, int *pc, int *rf)
{
    const create_body_t *b = &j->body;
    const kafka_md_topic_t *t = j->md ? kafka_md_topic(j->md, j->topic) : NULL;
    if (t && !b->validate_only) {
        *pc = (int)t->n_partitions;
        *rf = t->n_partitions > 0 ? (int)t->partitions[0].n_replicas : 0;
    } else if (b->n_assignment > 0) {
        *pc = (int)b->n_assignment;
        *rf = (int)b->assignment[0].n;
    } else {
        *pc = b->partitions >= 0 ? b->partitions : j->default_pc;
        *rf = b->rf >= 0 ? b->rf : j->default_rf;
    }
    if (*pc < 0)
        *pc = 0;
    if (*rf < 0)
        *rf = 0;
}

static api_status_t reply_created(api_req_t *req, const write_job_t *j)
{
    int pc = 0, rf = 0;
    created_counts(j, &pc, &rf);
    const char *c = req->params[P_CLUSTER];
    api_v3_t v;
    api_v3_init(&v, req);
    kr_buf_t url;
    kr_buf_init(&url, API_MAX_RESPONSE);
    api_v3_url_write(&v, &url, "clusters/%s/topics/%s", c, j->topic);
    kr_buf_putc(&url, '\0');
    api_reply_location(req, url.data);
    kr_buf_deinit(&url);
    api_v3_topic_write(&v, c, j->topic, false, rf, pc);
    return api_v3_reply(&v, j->body.validate_only ? 200 : 201);
}

/* The topic after the increase, as the snapshot shows it (the requested count when the
 * broker's metadata still lags). */
static api_status_t reply_patched(api_req_t *req, const write_job_t *j)
{
    const kafka_md_topic_t *t = j->md ? kafka_md_topic(j->md, j->topic) : NULL;
    int pc = t && t->n_partitions >= (size_t)j->partitions ? (int)t->n_partitions : j->partitions;
    int rf = t && t->n_partitions > 0 ? (int)t->partitions[0].n_replicas : 0;
    api_v3_t v;
    api_v3_init(&v, req);
    api_v3_topic_write(&v, req->params[P_CLUSTER], j->topic, t && t->internal, rf, pc);
    return api_v3_reply(&v, 200);
}

static api_status_t resumed(api_req_t *req, void *result, bool timed_out)
{
    write_job_t *j = result;
    if (timed_out)
        return api_reply_error(req, KR_ERR_BROKER_NOT_AVAILABLE,
                               "Kafka brokers are not available: timed out waiting for Kafka");
    api_status_t st;
    if (j->job.err.code != KR_ERR_NONE)
        st = api_reply_err(req, &j->job.err);
    else if (j->op == OP_CREATE)
        st = reply_created(req, j);
    else if (j->op == OP_PATCH)
        st = reply_patched(req, j);
    else
        st = api_reply(req, 204);
    api_job_free(&j->job);
    return st;
}

/* ---- handlers -------------------------------------------------------------------------------- */

static void write_job_drop(void *j)
{
    api_job_free(j);
}

/* The job built from the body, which was checked before the cluster (Confluent's order). */
static api_status_t create_with_md(api_req_t *req, kafka_md_t *md, void *arg)
{
    write_job_t *j = arg;
    j->broker =
        md->controller_id >= 0 ? md->controller_id : (md->n_brokers > 0 ? md->brokers[0] : -1);
    return api_job_start(req, &j->job, write_start, resumed);
}

api_status_t api_v3_topic_create(api_req_t *req)
{
    create_body_t b;
    kr_err_t err = {0};
    if (parse_create(req, &b, &err) != 0)
        return api_reply_err(req, &err);
    write_job_t *j = write_job_new(req, OP_CREATE, b.name);
    j->body = b;
    return api_v3_md_serve_with(req, API_V3_MD_CLUSTER, create_with_md, j, write_job_drop);
}

static api_status_t patch_with_md(api_req_t *req, kafka_md_t *md, void *arg)
{
    write_job_t *j = arg;
    kr_err_t err = {0};
    if (!api_v3_topic_find(md, j->topic, &err)) {
        api_job_free(&j->job);
        return api_reply_err(req, &err);
    }
    return api_job_start(req, &j->job, write_start, resumed);
}

api_status_t api_v3_topic_patch(api_req_t *req)
{
    kr_err_t err = {0};
    int32_t n = 0;
    if (parse_patch(req, &n, &err) != 0)
        return api_reply_err(req, &err);
    write_job_t *j = write_job_new(req, OP_PATCH, req->params[P_TOPIC]);
    j->partitions = n;
    return api_v3_md_serve_with(req, API_V3_MD_CLUSTER | API_V3_MD_TOPIC, patch_with_md, j,
                                write_job_drop);
}

static api_status_t delete_with_md(api_req_t *req, kafka_md_t *md)
{
    kr_err_t err = {0};
    if (!api_v3_topic_find(md, req->params[P_TOPIC], &err))
        return api_reply_err(req, &err);
    write_job_t *j = write_job_new(req, OP_DELETE, req->params[P_TOPIC]);
    return api_job_start(req, &j->job, write_start, resumed);
}

api_status_t api_v3_topic_delete(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER | API_V3_MD_TOPIC, delete_with_md);
}
