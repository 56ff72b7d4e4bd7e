/* api/v3_topics_write.c -- v3 topics, the write side (see v3_topics_write.h).
 *
 * DESIGN. A request goes: body checked on the HTTP thread (Confluent's order: a body error
 * comes before an unknown cluster), the cluster (and for PATCH/DELETE the topic) checked
 * against a metadata snapshot (api_v3_md_serve), then one write_job_t through api_job_start:
 *   start (HTTP thread) -> the admin call -> its callback (kafka loop) -> a metadata snapshot
 *   fetched after the change (metadata worker) -> api_job_complete -> resumed (HTTP thread).
 * The snapshot after the change is what makes the cache notice it (the next GET lists a
 * created topic, not a deleted one) and what gives a created topic its true partition count
 * and replication factor, which librdkafka 2.0.2's CreateTopics result does not carry. When
 * the broker's metadata lags, the snapshot is fetched again, at most WRITE_MAX_REFRESHES
 * times. A validate_only create changes nothing: its counts are the requested ones, or the
 * broker defaults (num.partitions, default.replication.factor) read with DescribeConfigs.
 * Threads: handlers and resumed() on HTTP threads; the job's steps on the kafka loop and the
 * metadata workers, one step at a time. */
#include "api/v3_topics_write.h"

#include "api/job.h"
#include "api/v3.h"
#include "api/v3_topics.h"
#include "format/json.h"
#include "kafka/admin.h"
#include "util/clock.h"
#include "util/mem.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { P_CLUSTER = 0, P_TOPIC = 1 };

/* Most configs a create may carry (docs/v3.md, Limits): more is 422, before Kafka sees any. */
#define CREATE_MAX_CONFIGS 1000

/* Metadata fetches after a change before krest answers with what it has. */
#define WRITE_MAX_REFRESHES 3

/* ---- request bodies ------------------------------------------------------------------------ */

/* TODO(step0): api/body.h */
/* Reads a v3 body as Confluent's Jackson provider does: no body (empty, blank, or the JSON
 * null) is 422/42206 "Payload error. Request body is empty. <what>"; not JSON or not an
 * object is 400. @return owned object, or NULL with err set. */
static json_object *read_body(const api_req_t *req, const char *cls, const char *what,
                              kr_err_t *err)
{
    size_t i = 0;
    while (i < req->body_len && isspace((unsigned char)req->body[i]))
        i++;
    int is_null = 0;
    json_object *o =
        i < req->body_len ? fmt_json_parse(req->body, req->body_len, &is_null, err) : NULL;
    if (!o && (i == req->body_len || is_null)) {
        kr_err_set(err, KR_ERR_PAYLOAD, "Payload error. Request body is empty. %s", what);
        return NULL;
    }
    if (o && !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        kr_err_set(err, KR_ERR_BAD_REQUEST, "Cannot deserialize value of type `%s` from %s", cls,
                   "a non-object value");
        return NULL;
    }
    return o;
}

/* Unknown fields are 400, as Jackson's FAIL_ON_UNKNOWN_PROPERTIES (on in Confluent's v3). */
static int check_fields(json_object *o, const char *cls, const char *const *known, kr_err_t *err)
{
    json_object_object_foreach(o, key, val)
    {
        (void)val;
        bool found = false;
        for (size_t i = 0; known[i] && !found; i++)
            found = strcmp(known[i], key) == 0;
        if (!found)
            return kr_err_set(err, KR_ERR_BAD_REQUEST,
                              "Unrecognized field \"%s\" (class %s), not marked as ignorable", key,
                              cls);
    }
    return 0;
}

/* @return the field, or NULL when absent or JSON null. */
static json_object *field(json_object *o, const char *key)
{
    json_object *v = NULL;
    json_object_object_get_ex(o, key, &v);
    return v;
}

/* An integer field in [min, max]. JSON integers only: krest does not coerce "3" or 3.0 as
 * Jackson would. @return 0 (*out untouched when absent), or -1 with err 400. */
static int int_field(json_object *o, const char *key, int64_t min, int64_t max, int64_t *out,
                     kr_err_t *err)
{
    json_object *v = field(o, key);
    if (!v)
        return 0;
    int64_t n = json_object_get_int64(v);
    if (!json_object_is_type(v, json_type_int) || n < min || n > max)
        return kr_err_set(err, KR_ERR_BAD_REQUEST,
                          "Cannot deserialize value of %s: not an integer in [%lld, %lld]", key,
                          (long long)min, (long long)max);
    *out = n;
    return 0;
}

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

/* Whether a JSON string holds a NUL (\u0000): its C string would be cut short there, and krest
 * would name another topic or config than the body does. */
static bool has_nul(json_object *s)
{
    /* json_object_get_string_len() is 0 for the other scalars, whose text has no NUL. */
    return json_object_is_type(s, json_type_string) &&
           strlen(json_object_get_string(s)) != (size_t)json_object_get_string_len(s);
}

/* Kafka's Topic.validate(): [a-zA-Z0-9._-], 1..249 characters, not "." or "..". */
static bool topic_name_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 249 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!isalnum((unsigned char)c) && c != '.' && c != '_' && c != '-')
            return false;
    }
    return true;
}

static int parse_config(json_object *e, kafka_admin_kv_t *kv, kr_err_t *err)
{
    static const char *const known[] = {"name", "value", NULL};
    if (!json_object_is_type(e, json_type_object))
        return kr_err_set(err, KR_ERR_BAD_REQUEST, "configs: each entry must be an object");
    if (check_fields(e, "ConfigEntry", known, err) != 0)
        return -1;
    json_object *name = field(e, "name");
    json_object *value = field(e, "value");
    if (!name || !json_object_is_type(name, json_type_string))
        return kr_err_set(err, KR_ERR_BAD_REQUEST, "configs: name must be a string");
    /* Jackson reads a scalar as its text; an object or array is not a value. */
    if (value && (json_object_is_type(value, json_type_object) ||
                  json_object_is_type(value, json_type_array)))
        return kr_err_set(err, KR_ERR_BAD_REQUEST, "configs: value must be a string or null");
    if (has_nul(name) || (value && has_nul(value)))
        return kr_err_set(err, KR_ERR_BAD_REQUEST,
                          "configs: a NUL character (\\u0000) in a config");
    kv->name = xstrdup(json_object_get_string(name));
    kv->value = value ? xstrdup(json_object_get_string(value)) : NULL;
    return 0;
}

static int parse_configs(json_object *arr, create_body_t *b, kr_err_t *err)
{
    if (!arr)
        return 0;
    if (!json_object_is_type(arr, json_type_array))
        return kr_err_set(err, KR_ERR_BAD_REQUEST, "configs must be an array");
    size_t n = json_object_array_length(arr);
    if (n > CREATE_MAX_CONFIGS)
        return kr_err_set(err, KR_ERR_PAYLOAD, "Payload error. At most %d configs are allowed.",
                          CREATE_MAX_CONFIGS);
    b->configs = xcalloc(n ? n : 1, sizeof(*b->configs));
    for (size_t i = 0; i < n; i++) {
        if (parse_config(json_object_array_get_idx(arr, i), &b->configs[i], err) != 0)
            return -1;
        b->n_configs++;
    }
    return 0;
}

/* One partition's replicas: a JSON array of broker ids. */
static int parse_replicas(json_object *arr, kafka_admin_replicas_t *r, kr_err_t *err)
{
    if (!arr || !json_object_is_type(arr, json_type_array))
        return kr_err_set(err, KR_ERR_BAD_REQUEST,
                          "replicas_assignments: an array of broker ids "
                          "is expected for each partition");
    size_t n = json_object_array_length(arr);
    int32_t *ids = xcalloc(n ? n : 1, sizeof(*ids));
    r->brokers = ids;
    for (size_t i = 0; i < n; i++) {
        json_object *v = json_object_array_get_idx(arr, i);
        int64_t id = json_object_get_int64(v);
        if (!v || !json_object_is_type(v, json_type_int) || id < INT32_MIN || id > INT32_MAX)
            return kr_err_set(err, KR_ERR_BAD_REQUEST,
                              "replicas_assignments: broker ids must be int32 integers");
        ids[i] = (int32_t)id;
    }
    r->n = n;
    return 0;
}

/* {"<partition id>": [broker ids]}: the partitions must be 0..n-1 (librdkafka, like Kafka,
 * takes them in order). */
static int parse_assignment(json_object *obj, create_body_t *b, kr_err_t *err)
{
    if (!obj)
        return 0;
    if (!json_object_is_type(obj, json_type_object))
        return kr_err_set(err, KR_ERR_BAD_REQUEST, "replicas_assignments must be an object");
    size_t n = (size_t)json_object_object_length(obj);
    b->assignment = xcalloc(n ? n : 1, sizeof(*b->assignment));
    b->n_assignment = n;
    json_object_object_foreach(obj, key, val)
    {
        char *end = NULL;
        long p = strtol(key, &end, 10);
        bool numeric = isdigit((unsigned char)key[0]) || (key[0] == '-' && key[1] != '\0');
        if (!numeric || *end)
            return kr_err_set(err, KR_ERR_BAD_REQUEST,
                              "replicas_assignments: '%s' is not a partition id", key);
        if (p < 0 || (size_t)p >= n || b->assignment[p].brokers)
            return kr_err_set(err, KR_ERR_KAFKA_BAD_REQUEST,
                              "Partitions should be a consecutive 0-based integer sequence");
        if (parse_replicas(val, &b->assignment[p], err) != 0)
            return -1;
    }
    return 0;
}

static const char *const create_fields[] = {"topic_name",
                                            "partitions_count",
                                            "replication_factor",
                                            "replicas_assignments",
                                            "configs",
                                            "validate_only",
                                            NULL};

/* The fields of a CreateTopicRequest object. @return 0, or -1 with err (b then half-filled:
 * create_body_free it). */
static int parse_create_fields(json_object *o, create_body_t *b, kr_err_t *err)
{
    if (check_fields(o, "CreateTopicRequest", create_fields, err) != 0)
        return -1;
    json_object *name = field(o, "topic_name");
    if (!name || !json_object_is_type(name, json_type_string))
        return kr_err_set(err, KR_ERR_BAD_REQUEST, "topic_name is required and must be a string");
    b->name = xstrdup(json_object_get_string(name));
    bool name_nul = has_nul(name);
    int64_t pc = -1, rf = -1;
    if (int_field(o, "partitions_count", INT32_MIN, INT32_MAX, &pc, err) != 0 ||
        int_field(o, "replication_factor", INT16_MIN, INT16_MAX, &rf, err) != 0)
        return -1;
    /* -1 (also when not given) is Kafka's "the broker default"; any other value goes to Kafka as
     * given, so that -5 is refused rather than read as the default. */
    b->partitions = (int32_t)pc;
    b->rf = (int32_t)rf;
    json_object *vo = field(o, "validate_only");
    if (vo && !json_object_is_type(vo, json_type_boolean))
        return kr_err_set(err, KR_ERR_BAD_REQUEST, "validate_only must be a boolean");
    b->validate_only = vo && json_object_get_boolean(vo);
    if (parse_assignment(field(o, "replicas_assignments"), b, err) != 0 ||
        parse_configs(field(o, "configs"), b, err) != 0)
        return -1;
    /* After the JSON mapping, as Confluent's resource checks the name. */
    if (name_nul || !topic_name_valid(b->name))
        return kr_err_set(err, KR_ERR_PAYLOAD, "Payload error. Invalid topic name.");
    return 0;
}

static int parse_create(const api_req_t *req, create_body_t *b, kr_err_t *err)
{
    memset(b, 0, sizeof(*b));
    json_object *o = read_body(req, "CreateTopicRequest", "Data is required.", err);
    if (!o)
        return -1;
    int rc = parse_create_fields(o, b, err);
    json_object_put(o);
    if (rc != 0)
        create_body_free(b);
    return rc;
}

/* PATCH's {"partitions_count": N}. @return 0 with *out = N, or -1 with err. */
static int parse_patch(const api_req_t *req, int32_t *out, kr_err_t *err)
{
    static const char *const known[] = {"partitions_count", NULL};
    json_object *o = read_body(req, "PartitionsCountRequest", "Partitions_count is required.", err);
    if (!o)
        return -1;
    int64_t n = 0;
    int rc = check_fields(o, "PartitionsCountRequest", known, err);
    if (rc == 0 && !field(o, "partitions_count"))
        rc = kr_err_set(err, KR_ERR_BAD_REQUEST, "partitions_count is required");
    if (rc == 0)
        rc = int_field(o, "partitions_count", INT32_MIN, INT32_MAX, &n, err);
    json_object_put(o);
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
    int refreshes;      /* snapshots fetched after the change */
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
    if (md && !settled(j, md) && j->refreshes < WRITE_MAX_REFRESHES) {
        refresh(j);
        return;
    }
    api_job_complete(&j->job);
}

static void refresh(write_job_t *j)
{
    j->refreshes++;
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
    else
        refresh(j);
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

static api_status_t create_with_md(api_req_t *req, kafka_md_t *md)
{
    create_body_t b;
    kr_err_t err = {0};
    if (parse_create(req, &b, &err) != 0) /* checked before: cannot fail */
        return api_reply_err(req, &err);
    write_job_t *j = write_job_new(req, OP_CREATE, b.name);
    j->body = b;
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
    create_body_free(&b);
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, create_with_md);
}

static api_status_t patch_with_md(api_req_t *req, kafka_md_t *md)
{
    kr_err_t err = {0};
    int32_t n = 0;
    if (parse_patch(req, &n, &err) != 0 || !api_v3_topic_find(md, req->params[P_TOPIC], &err))
        return api_reply_err(req, &err);
    write_job_t *j = write_job_new(req, OP_PATCH, req->params[P_TOPIC]);
    j->partitions = n;
    return api_job_start(req, &j->job, write_start, resumed);
}

api_status_t api_v3_topic_patch(api_req_t *req)
{
    kr_err_t err = {0};
    int32_t n = 0;
    if (parse_patch(req, &n, &err) != 0)
        return api_reply_err(req, &err);
    return api_v3_md_serve(req, API_V3_MD_CLUSTER | API_V3_MD_TOPIC, patch_with_md);
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
