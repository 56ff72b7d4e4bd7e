/* api/consumers.c -- consumer instances over HTTP (see consumers.h).
 *
 * Handlers validate the path and body, find the instance (404/40403) and either answer from
 * memory (subscription, assignment, buffered records) or run one blocking librdkafka call as a
 * job on the worker pool (seek, commit, committed offsets) while the request waits suspended.
 * A read takes what the instance has buffered; when nothing is, it waits suspended until
 * records arrive or its timeout passes (API.md section K, "GET …/records timing").
 * Threads: HTTP threads; job_run() on a worker. */
#include "api/consumers.h"

#include "api/base_url.h"
#include "api/job.h"
#include "api/records.h"
#include "api/topic_md.h"

#include "format/json.h"
#include "format/jsonw.h"
#include "kafka/consumer.h"
#include "kafka/metadata.h"
#include "schema/registry_client.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { P_GROUP = 0, P_INSTANCE = 1, P_TOPIC = 2 };

/* --- small helpers ----------------------------------------------------------------------- */

static kafka_consumer_t *instance(api_req_t *req)
{
    return kafka_consumers_get(req->ctx->consumers, req->params[P_GROUP], req->params[P_INSTANCE]);
}

static api_status_t no_instance(api_req_t *req)
{
    return api_reply_error(req, KR_ERR_CONSUMER_INSTANCE_NOT_FOUND, "Consumer instance not found.");
}

/* Parses the body as a JSON object; NULL body (or empty) gives *obj NULL. */
static int body_object(api_req_t *req, json_object **obj, kr_err_t *err)
{
    *obj = NULL;
    if (req->body_len == 0)
        return 0;
    int is_null;
    *obj = fmt_json_parse(req->body, req->body_len, &is_null, err);
    if (!*obj)
        return is_null ? 0 : -1;
    if (!json_object_is_type(*obj, json_type_object)) {
        json_object_put(*obj);
        *obj = NULL;
        return kr_err_set(err, req->version == API_V1 ? KR_ERR_UNPROCESSABLE : KR_ERR_BAD_REQUEST,
                          "The request body must be a JSON object");
    }
    return 0;
}

/* @return the member, or NULL when absent or null. */
static json_object *member(json_object *obj, const char *key)
{
    json_object *v = NULL;
    if (!obj || !json_object_object_get_ex(obj, key, &v))
        return NULL;
    return v;
}

static int check_known(api_req_t *req, json_object *obj, const char *const *known, kr_err_t *err)
{
    (void)req;
    json_object_object_foreach(obj, key, val)
    {
        (void)val;
        bool ok = false;
        for (const char *const *k = known; *k && !ok; k++)
            ok = strcmp(*k, key) == 0;
        if (!ok)
            return kr_err_set(err, KR_ERR_UNPROCESSABLE, "Unrecognized field: %s", key);
    }
    return 0;
}

static int type_err(api_req_t *req, kr_err_t *err, const char *field, const char *what)
{
    return kr_err_set(err, req->version == API_V1 ? KR_ERR_UNPROCESSABLE : KR_ERR_BAD_REQUEST,
                      "%s: %s", field, what);
}

/* Parses [{"topic","partition"[,"offset"|"timestamp"]}...] into a partition list; the offset
 * field (when given) goes into each element's offset, a timestamp (ISO-8601) as ms, or
 * INT64_MIN when it is not one. */
static kafka_tp_list_t *partitions_of(api_req_t *req, json_object *arr, const char *field,
                                      const char *off_key, kr_err_t *err)
{
    if (!arr || !json_object_is_type(arr, json_type_array)) {
        type_err(req, err, field, "expected an array");
        return NULL;
    }
    size_t n = json_object_array_length(arr);
    kafka_tp_list_t *l = kafka_tp_list_new(n);
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(arr, i);
        json_object *t = member(e, "topic"), *p = member(e, "partition");
        json_object *o = off_key ? member(e, off_key) : NULL;
        bool bad = !e || !json_object_is_type(e, json_type_object) || !t ||
                   !json_object_is_type(t, json_type_string) || !p ||
                   !json_object_is_type(p, json_type_int) ||
                   (off_key && strcmp(off_key, "offset") == 0 &&
                    (!o || !json_object_is_type(o, json_type_int)));
        int64_t pv = p ? json_object_get_int64(p) : -1;
        static const char *const known[] = {"topic",     "partition", "offset",
                                            "timestamp", "metadata",  NULL};
        if (!bad && check_known(req, e, known, err) != 0) {
            kafka_tp_list_free(l);
            return NULL;
        }
        if (bad || pv < 0 || pv > INT32_MAX) {
            char where[64];
            snprintf(where, sizeof(where), "%s[%zu]", field, i);
            kr_err_set(err, KR_ERR_UNPROCESSABLE,
                       "%s: expected {\"topic\": string, \"partition\": integer >= 0%s}", where,
                       off_key && strcmp(off_key, "offset") == 0 ? ", \"offset\": integer" : "");
            kafka_tp_list_free(l);
            return NULL;
        }
        kafka_tp_t *tp = kafka_tp_list_add(l, json_object_get_string(t), (int32_t)pv);
        if (o && json_object_is_type(o, json_type_int))
            tp->offset = json_object_get_int64(o);
        if (off_key && strcmp(off_key, "timestamp") == 0) {
            int64_t ms = 0;
            bool ok = o && json_object_is_type(o, json_type_string) &&
                      kr_clock_parse_iso8601(json_object_get_string(o), &ms) == 0;
            tp->offset = ok ? ms : INT64_MIN;
        }
        json_object *md = member(e, "metadata");
        if (md && json_object_is_type(md, json_type_string)) {
            tp->metadata = xstrdup(json_object_get_string(md));
            tp->metadata_len = strlen(tp->metadata);
        }
    }
    return l;
}

static void write_partitions(fmt_jsonw_t *w, const kafka_tp_list_t *l, bool with_offset)
{
    fmt_jsonw_arr_begin(w);
    for (size_t i = 0; l && i < l->cnt; i++) {
        if (with_offset && l->elems[i].offset < 0)
            continue; /* nothing committed for it: left out, as Confluent's response */
        fmt_jsonw_obj_begin(w);
        fmt_jsonw_key(w, "topic");
        fmt_jsonw_str(w, l->elems[i].topic);
        fmt_jsonw_key(w, "partition");
        fmt_jsonw_int(w, l->elems[i].partition);
        if (with_offset) {
            fmt_jsonw_key(w, "offset");
            fmt_jsonw_int(w, l->elems[i].offset);
            fmt_jsonw_key(w, "metadata");
            fmt_jsonw_strn(w, l->elems[i].metadata ? l->elems[i].metadata : "",
                           l->elems[i].metadata_len);
        }
        fmt_jsonw_obj_end(w);
    }
    fmt_jsonw_arr_end(w);
}

static api_status_t reply_204(api_req_t *req)
{
    kr_buf_reset(&req->resp);
    return api_reply(req, 204);
}

/* --- create and delete ------------------------------------------------------------------- */

/* base_uri per API.md §6.1 (api/base_url.h). */
static void base_uri(api_req_t *req, const char *name, kr_buf_t *out)
{
    api_base_url_write(req, out);
    kr_buf_printf(out, "/consumers/%s/instances/%s", req->params[P_GROUP], name);
}

static int parse_format(api_req_t *req, json_object *f, int *out, kr_err_t *err)
{
    *out = API_FMT_BINARY;
    if (!f)
        return 0;
    if (!json_object_is_type(f, json_type_string))
        return type_err(req, err, "format", "expected a string");
    const char *s = json_object_get_string(f);
    if (strcasecmp(s, "binary") == 0)
        return 0;
    if (strcasecmp(s, "json") == 0) {
        *out = API_FMT_JSON;
        return 0;
    }
    if (strcasecmp(s, "avro") == 0) {
        *out = API_FMT_AVRO;
        return 0;
    }
    if (strcasecmp(s, "jsonschema") == 0 || strcasecmp(s, "protobuf") == 0)
        return kr_err_set(err, KR_ERR_INVALID_CONSUMER_CONFIG,
                          "The %s format is not supported by this krest", s);
    return kr_err_set(err, KR_ERR_UNPROCESSABLE, "Invalid format type.");
}

/* A string or number field as a C string (clients send "true" and true, "100" and 100). */
static const char *scalar(json_object *v)
{
    return v && !json_object_is_type(v, json_type_object) &&
                   !json_object_is_type(v, json_type_array)
               ? json_object_get_string(v)
               : NULL;
}

static int int_option(api_req_t *req, json_object *obj, const char *a, const char *b, int64_t *out,
                      kr_err_t *err)
{
    json_object *v = member(obj, a);
    if (!v && b)
        v = member(obj, b);
    *out = -1;
    if (!v)
        return 0;
    const char *s = scalar(v);
    char *end = NULL;
    errno = 0;
    long long x = s ? strtoll(s, &end, 10) : 0;
    if (!s || !*s || *end || errno)
        return type_err(req, err, a, "expected an integer");
    *out = x;
    return 0;
}

static int parse_create(api_req_t *req, json_object *obj, kafka_consumer_opts_t *o, kr_err_t *err)
{
    static const char *const known[] = {"name",
                                        "id",
                                        "format",
                                        "auto.offset.reset",
                                        "auto.commit.enable",
                                        "fetch.min.bytes",
                                        "consumer.request.timeout.ms",
                                        "responseMinBytes",
                                        "requestWaitMs",
                                        NULL};
    if (obj) {
        json_object_object_foreach(obj, key, val)
        {
            (void)val;
            bool ok = false;
            for (const char *const *k = known; *k && !ok; k++)
                ok = strcmp(*k, key) == 0;
            if (!ok && !strchr(key, '.'))
                return kr_err_set(err, KR_ERR_UNPROCESSABLE, "Unrecognized field: %s", key);
            if (!ok)
                log_info("consumer create: client setting '%s' ignored", key);
        }
    }
    json_object *name = member(obj, "id") ? member(obj, "id") : member(obj, "name");
    if (name && !json_object_is_type(name, json_type_string))
        return type_err(req, err, "name", "expected a string");
    o->name = name ? json_object_get_string(name) : NULL;
    if (o->name && (!*o->name || strchr(o->name, '/')))
        return kr_err_set(err, KR_ERR_UNPROCESSABLE, "name: not a valid instance name");
    if (parse_format(req, member(obj, "format"), &o->format, err) != 0)
        return -1;
    const char *aor = scalar(member(obj, "auto.offset.reset"));
    if (aor) {
        if (strcasecmp(aor, "smallest") == 0 || strcasecmp(aor, "earliest") == 0)
            o->auto_offset_reset = "earliest";
        else if (strcasecmp(aor, "largest") == 0 || strcasecmp(aor, "latest") == 0)
            o->auto_offset_reset = "latest";
        else if (strcasecmp(aor, "none") == 0)
            o->auto_offset_reset = "error";
        else
            return kr_err_set(err, KR_ERR_INVALID_CONSUMER_CONFIG,
                              "Invalid consumer configuration: auto.offset.reset '%s'", aor);
    }
    const char *ac = scalar(member(obj, "auto.commit.enable"));
    o->auto_commit = req->version == API_V1 ? 0 : 1; /* v1 forced false when absent */
    if (ac)
        o->auto_commit = strcasecmp(ac, "true") == 0;
    if (int_option(req, obj, "fetch.min.bytes", "responseMinBytes", &o->fetch_min_bytes, err) ||
        int_option(req, obj, "consumer.request.timeout.ms", "requestWaitMs", &o->request_timeout_ms,
                   err))
        return -1;
    if (o->fetch_min_bytes < -1 || o->fetch_min_bytes > 10000000)
        return kr_err_set(err, KR_ERR_INVALID_CONSUMER_CONFIG_CONSTRAINT,
                          "fetch.min.bytes must be within -1..10000000");
    /* An Integer in Confluent's; unbounded, a read's deadline overflowed into "none". */
    if (o->request_timeout_ms < -1 || o->request_timeout_ms > INT32_MAX)
        return kr_err_set(err, KR_ERR_INVALID_CONSUMER_CONFIG_CONSTRAINT,
                          "consumer.request.timeout.ms must be within 0..2147483647");
    return 0;
}

api_status_t api_consumer_create(api_req_t *req)
{
    kr_err_t err = {0};
    json_object *obj = NULL;
    kafka_consumer_opts_t o = {
        .group = req->params[P_GROUP], .fetch_min_bytes = -1, .request_timeout_ms = -1};
    if (body_object(req, &obj, &err) != 0 || parse_create(req, obj, &o, &err) != 0) {
        json_object_put(obj);
        return api_reply_err(req, &err);
    }
    kafka_consumer_t *c = kafka_consumers_create(req->ctx->consumers, &o, &err);
    json_object_put(obj);
    if (!c)
        return api_reply_err(req, &err);
    kr_buf_t uri;
    kr_buf_init(&uri, 4096);
    base_uri(req, kafka_consumer_name(c), &uri);
    fmt_jsonw_t w;
    fmt_jsonw_init(&w, &req->resp);
    fmt_jsonw_obj_begin(&w);
    fmt_jsonw_key(&w, "instance_id");
    fmt_jsonw_str(&w, kafka_consumer_name(c));
    fmt_jsonw_key(&w, "base_uri");
    fmt_jsonw_strn(&w, uri.data ? uri.data : "", uri.len);
    fmt_jsonw_obj_end(&w);
    kr_buf_deinit(&uri);
    kafka_consumer_release(c);
    return api_reply(req, 200);
}

api_status_t api_consumer_delete(api_req_t *req)
{
    if (kafka_consumers_delete(req->ctx->consumers, req->params[P_GROUP],
                               req->params[P_INSTANCE]) != 0)
        return no_instance(req);
    return reply_204(req);
}

/* --- subscription and assignment --------------------------------------------------------- */

api_status_t api_consumer_subscribe(api_req_t *req)
{
    static const char *const known[] = {"topics", "topic_pattern", NULL};
    kr_err_t err = {0};
    json_object *obj = NULL;
    kafka_consumer_t *c = instance(req);
    if (!c)
        return no_instance(req);
    api_status_t st;
    if (body_object(req, &obj, &err) != 0 || (obj && check_known(req, obj, known, &err) != 0)) {
        st = api_reply_err(req, &err);
        goto out;
    }
    json_object *topics = member(obj, "topics"), *pattern = member(obj, "topic_pattern");
    if (!obj || (!topics && !pattern)) {
        st = api_reply_error(req, KR_ERR_UNPROCESSABLE,
                             "The subscription needs \"topics\" or \"topic_pattern\"");
        goto out;
    }
    if (topics && pattern) {
        st = api_reply_error(req, KR_ERR_ILLEGAL_STATE,
                             "Illegal state: Subscription to topics, partitions and pattern are "
                             "mutually exclusive");
        goto out;
    }
    const char *names[256];
    size_t n = 0;
    if (topics) {
        size_t len =
            json_object_is_type(topics, json_type_array) ? json_object_array_length(topics) : 0;
        if (!json_object_is_type(topics, json_type_array) || len == 0 || len > 256) {
            st = api_reply_error(req, KR_ERR_UNPROCESSABLE,
                                 "topics: expected an array of 1 to 256 topic names");
            goto out;
        }
        for (; n < len; n++) {
            json_object *t = json_object_array_get_idx(topics, n);
            if (!t || !json_object_is_type(t, json_type_string) || !*json_object_get_string(t)) {
                st = api_reply_error(req, KR_ERR_UNPROCESSABLE, "topics[%zu]: expected a name", n);
                goto out;
            }
            names[n] = json_object_get_string(t);
        }
    } else if (!json_object_is_type(pattern, json_type_string) ||
               !*json_object_get_string(pattern)) {
        st = api_reply_error(req, KR_ERR_UNPROCESSABLE, "topic_pattern: expected a regex");
        goto out;
    }
    if (kafka_consumer_subscribe(c, names, n, pattern ? json_object_get_string(pattern) : NULL,
                                 &err) != 0)
        st = api_reply_err(req, &err);
    else
        st = reply_204(req);
out:
    json_object_put(obj);
    kafka_consumer_release(c);
    return st;
}

api_status_t api_consumer_subscription(api_req_t *req)
{
    kr_err_t err = {0};
    kafka_consumer_t *c = instance(req);
    if (!c)
        return no_instance(req);
    kafka_tp_list_t *l = kafka_consumer_subscription(c, &err);
    bool pattern = false;
    for (size_t i = 0; l && i < l->cnt; i++)
        pattern = pattern || l->elems[i].topic[0] == '^';
    if (pattern) {
        /* A pattern: list the topics it currently matches (those assigned). */
        kafka_tp_list_free(l);
        l = kafka_consumer_assignment(c, &err);
    }
    kafka_consumer_release(c);
    if (!l)
        return api_reply_err(req, &err);
    fmt_jsonw_t w;
    fmt_jsonw_init(&w, &req->resp);
    fmt_jsonw_obj_begin(&w);
    fmt_jsonw_key(&w, "topics");
    fmt_jsonw_arr_begin(&w);
    for (size_t i = 0; i < l->cnt; i++) {
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++)
            dup = strcmp(l->elems[j].topic, l->elems[i].topic) == 0;
        if (!dup)
            fmt_jsonw_str(&w, l->elems[i].topic);
    }
    fmt_jsonw_arr_end(&w);
    fmt_jsonw_obj_end(&w);
    kafka_tp_list_free(l);
    return api_reply(req, 200);
}

api_status_t api_consumer_unsubscribe(api_req_t *req)
{
    kr_err_t err = {0};
    kafka_consumer_t *c = instance(req);
    if (!c)
        return no_instance(req);
    int rc = kafka_consumer_unsubscribe(c, &err);
    kafka_consumer_release(c);
    return rc == 0 ? reply_204(req) : api_reply_err(req, &err);
}

api_status_t api_consumer_assign(api_req_t *req)
{
    static const char *const known[] = {"partitions", NULL};
    kr_err_t err = {0};
    json_object *obj = NULL;
    kafka_consumer_t *c = instance(req);
    if (!c)
        return no_instance(req);
    api_status_t st;
    kafka_tp_list_t *l = NULL;
    if (body_object(req, &obj, &err) != 0 || !obj || check_known(req, obj, known, &err) != 0 ||
        !(l = partitions_of(req, member(obj, "partitions"), "partitions", NULL, &err)) ||
        kafka_consumer_assign(c, l, &err) != 0)
        st = api_reply_err(req, err.code ? &err
                                         : &(kr_err_t){KR_ERR_UNPROCESSABLE,
                                                       "The request body needs \"partitions\""});
    else
        st = reply_204(req);
    if (l)
        kafka_tp_list_free(l);
    json_object_put(obj);
    kafka_consumer_release(c);
    return st;
}

api_status_t api_consumer_assignments(api_req_t *req)
{
    kr_err_t err = {0};
    kafka_consumer_t *c = instance(req);
    if (!c)
        return no_instance(req);
    kafka_tp_list_t *l = kafka_consumer_assignment(c, &err);
    kafka_consumer_release(c);
    if (!l)
        return api_reply_err(req, &err);
    fmt_jsonw_t w;
    fmt_jsonw_init(&w, &req->resp);
    fmt_jsonw_obj_begin(&w);
    fmt_jsonw_key(&w, "partitions");
    write_partitions(&w, l, false);
    fmt_jsonw_obj_end(&w);
    kafka_tp_list_free(l);
    return api_reply(req, 200);
}

/* --- blocking calls on the worker pool --------------------------------------------------- */

enum job_kind { JOB_SEEK, JOB_SEEK_TIMES, JOB_COMMIT, JOB_COMMIT_ALL, JOB_COMMITTED };

typedef struct cjob {
    api_job_t job;       /* first member (api/job.h); job.err is the outcome */
    kafka_consumer_t *c; /* owned reference */
    enum job_kind kind;
    kafka_tp_list_t *parts; /* owned, may be NULL */
    int64_t call_ms;        /* client.timeout.ms: each blocking call's bound */
    api_version_t version;
} cjob_t;

static void cjob_free(api_job_t *job)
{
    cjob_t *j = (cjob_t *)job;
    if (j->parts)
        kafka_tp_list_free(j->parts);
    kafka_consumer_release(j->c);
    xfree(j);
}

static void commit_all(cjob_t *j)
{
    if (kafka_consumer_commit(j->c, NULL, &j->job.err) != 0 || j->version != API_V1)
        return;
    /* v1 answers with what is committed now, per assigned partition (best effort). */
    kr_err_t ignored = {0};
    j->parts = kafka_consumer_assignment(j->c, &ignored);
    if (j->parts)
        kafka_consumer_committed(j->c, j->parts, j->call_ms, &ignored);
}

static void cjob_run(api_job_t *job)
{
    cjob_t *j = (cjob_t *)job;
    switch (j->kind) {
    case JOB_SEEK_TIMES:
        if (kafka_consumer_offsets_for_times(j->c, j->parts, j->call_ms, &job->err) == 0)
            kafka_consumer_seek(j->c, j->parts, j->call_ms, &job->err);
        break;
    case JOB_SEEK:
        kafka_consumer_seek(j->c, j->parts, j->call_ms, &job->err);
        break;
    case JOB_COMMIT:
        kafka_consumer_commit(j->c, j->parts, &job->err);
        break;
    case JOB_COMMIT_ALL:
        commit_all(j);
        break;
    case JOB_COMMITTED:
        kafka_consumer_committed(j->c, j->parts, j->call_ms, &job->err);
        break;
    }
    api_job_complete(job);
}

static api_status_t cjob_done(api_req_t *req, void *result, bool timed_out)
{
    cjob_t *j = result;
    if (timed_out)
        return api_reply_error(req, KR_ERR_KAFKA_RETRIABLE, "Timed out waiting for Kafka");
    api_status_t st;
    if (j->job.err.code) {
        st = api_reply_err(req, &j->job.err);
    } else if (j->kind == JOB_SEEK || j->kind == JOB_SEEK_TIMES) {
        st = reply_204(req);
    } else if (j->kind == JOB_COMMITTED) {
        fmt_jsonw_t w;
        fmt_jsonw_init(&w, &req->resp);
        fmt_jsonw_obj_begin(&w);
        fmt_jsonw_key(&w, "offsets");
        write_partitions(&w, j->parts, true);
        fmt_jsonw_obj_end(&w);
        st = api_reply(req, 200);
    } else if (j->version == API_V1) {
        /* v1: [{topic, partition, consumed, committed}] of what is committed now */
        fmt_jsonw_t w;
        fmt_jsonw_init(&w, &req->resp);
        fmt_jsonw_arr_begin(&w);
        for (size_t i = 0; j->parts && i < j->parts->cnt; i++) {
            const kafka_tp_t *p = &j->parts->elems[i];
            if (p->offset < 0)
                continue;
            fmt_jsonw_obj_begin(&w);
            fmt_jsonw_key(&w, "topic");
            fmt_jsonw_str(&w, p->topic);
            fmt_jsonw_key(&w, "partition");
            fmt_jsonw_int(&w, p->partition);
            fmt_jsonw_key(&w, "consumed");
            fmt_jsonw_int(&w, p->offset - 1);
            fmt_jsonw_key(&w, "committed");
            fmt_jsonw_int(&w, p->offset - 1);
            fmt_jsonw_obj_end(&w);
        }
        fmt_jsonw_arr_end(&w);
        st = api_reply(req, 200);
    } else {
        kr_buf_puts(&req->resp, "[]");
        st = api_reply(req, 200);
    }
    cjob_free(&j->job);
    return st;
}

static api_status_t run_job(api_req_t *req, kafka_consumer_t *c, enum job_kind kind,
                            kafka_tp_list_t *parts)
{
    cjob_t *j = xcalloc(1, sizeof(*j));
    j->job.ctx = req->ctx;
    j->job.free_fn = cjob_free;
    j->c = c;
    j->kind = kind;
    j->parts = parts;
    j->version = req->version;
    j->call_ms = req->ctx->cfg->client_timeout_ms;
    return api_job_run(req, &j->job, cjob_run, cjob_done);
}

/* --- positions and offsets --------------------------------------------------------------- */

static api_status_t seek_with(api_req_t *req, kafka_tp_list_t *parts, enum job_kind kind,
                              kafka_consumer_t *c)
{
    kr_err_t err = {0};
    if (kafka_consumer_check_assigned(c, parts, &err) != 0) {
        kafka_tp_list_free(parts);
        kafka_consumer_release(c);
        return api_reply_err(req, &err);
    }
    return run_job(req, c, kind, parts);
}

api_status_t api_consumer_seek(api_req_t *req)
{
    static const char *const known[] = {"offsets", "timestamps", NULL};
    kr_err_t err = {0};
    json_object *obj = NULL;
    kafka_consumer_t *c = instance(req);
    if (!c)
        return no_instance(req);
    kafka_tp_list_t *l = NULL;
    enum job_kind kind = JOB_SEEK;
    if (body_object(req, &obj, &err) != 0 || !obj || check_known(req, obj, known, &err) != 0)
        goto bad;
    json_object *offsets = member(obj, "offsets"), *times = member(obj, "timestamps");
    if (offsets && times) {
        kr_err_set(&err, KR_ERR_UNPROCESSABLE, "Give \"offsets\" or \"timestamps\", not both");
        goto bad;
    }
    if (times) {
        kind = JOB_SEEK_TIMES;
        l = partitions_of(req, times, "timestamps", "timestamp", &err);
        for (size_t i = 0; l && i < l->cnt; i++) {
            if (l->elems[i].offset == INT64_MIN) {
                kr_err_set(&err, KR_ERR_UNPROCESSABLE,
                           "timestamps[%zu].timestamp: expected an ISO-8601 instant", i);
                goto bad;
            }
        }
    } else {
        l = partitions_of(req, offsets, "offsets", "offset", &err);
        for (size_t i = 0; l && i < l->cnt; i++) {
            if (l->elems[i].offset < 0) {
                kr_err_set(&err, KR_ERR_UNPROCESSABLE, "offsets[%zu].offset: must be >= 0", i);
                goto bad;
            }
        }
    }
    if (!l)
        goto bad;
    json_object_put(obj);
    return seek_with(req, l, kind, c);
bad:
    if (!err.code)
        kr_err_set(&err, KR_ERR_UNPROCESSABLE, "The request body needs \"offsets\"");
    if (l)
        kafka_tp_list_free(l);
    json_object_put(obj);
    kafka_consumer_release(c);
    return api_reply_err(req, &err);
}

static api_status_t seek_edge(api_req_t *req, int64_t where)
{
    static const char *const known[] = {"partitions", NULL};
    kr_err_t err = {0};
    json_object *obj = NULL;
    kafka_consumer_t *c = instance(req);
    if (!c)
        return no_instance(req);
    kafka_tp_list_t *l = NULL;
    if (body_object(req, &obj, &err) == 0 && obj && check_known(req, obj, known, &err) == 0)
        l = partitions_of(req, member(obj, "partitions"), "partitions", NULL, &err);
    json_object_put(obj);
    if (!l) {
        if (!err.code)
            kr_err_set(&err, KR_ERR_UNPROCESSABLE, "The request body needs \"partitions\"");
        kafka_consumer_release(c);
        return api_reply_err(req, &err);
    }
    for (size_t i = 0; i < l->cnt; i++)
        l->elems[i].offset = where;
    return seek_with(req, l, JOB_SEEK, c);
}

api_status_t api_consumer_seek_beginning(api_req_t *req)
{
    return seek_edge(req, KAFKA_OFFSET_BEGINNING);
}

api_status_t api_consumer_seek_end(api_req_t *req)
{
    return seek_edge(req, KAFKA_OFFSET_END);
}

api_status_t api_consumer_commit(api_req_t *req)
{
    static const char *const known[] = {"offsets", NULL};
    kr_err_t err = {0};
    json_object *obj = NULL;
    kafka_consumer_t *c = instance(req);
    if (!c)
        return no_instance(req);
    if (body_object(req, &obj, &err) != 0 || (obj && check_known(req, obj, known, &err) != 0)) {
        json_object_put(obj);
        kafka_consumer_release(c);
        return api_reply_err(req, &err);
    }
    json_object *offsets = member(obj, "offsets");
    if (!offsets) {
        json_object_put(obj);
        return run_job(req, c, JOB_COMMIT_ALL, NULL);
    }
    kafka_tp_list_t *l = partitions_of(req, offsets, "offsets", "offset", &err);
    json_object_put(obj);
    if (!l) {
        kafka_consumer_release(c);
        return api_reply_err(req, &err);
    }
    for (size_t i = 0; i < l->cnt; i++) {
        if (l->elems[i].offset < 0 || l->elems[i].offset == INT64_MAX) {
            kr_err_set(&err, KR_ERR_UNPROCESSABLE,
                       "offsets[%zu]: offset must be within 0..9223372036854775806", i);
            kafka_tp_list_free(l);
            kafka_consumer_release(c);
            return api_reply_err(req, &err);
        }
        l->elems[i].offset += 1; /* the next offset to read, as Confluent commits */
    }
    return run_job(req, c, JOB_COMMIT, l);
}

api_status_t api_consumer_committed(api_req_t *req)
{
    static const char *const known[] = {"partitions", NULL};
    kr_err_t err = {0};
    json_object *obj = NULL;
    kafka_consumer_t *c = instance(req);
    if (!c)
        return no_instance(req);
    kafka_tp_list_t *l = NULL;
    if (body_object(req, &obj, &err) == 0 && obj && check_known(req, obj, known, &err) == 0)
        l = partitions_of(req, member(obj, "partitions"), "partitions", NULL, &err);
    bool missing = !obj && !err.code;
    json_object_put(obj);
    if (!l) {
        kafka_consumer_release(c);
        if (missing) /* Confluent's quirk: a GET without its body is 404/40402 */
            return api_reply_error(req, KR_ERR_PARTITION_NOT_FOUND,
                                   "The request needs a body {\"partitions\": [...]}");
        return api_reply_err(req, &err);
    }
    return run_job(req, c, JOB_COMMITTED, l);
}

/* --- reading records --------------------------------------------------------------------- */

typedef struct read_ctx {
    kafka_consumer_t *c; /* owned reference */
    int64_t max_bytes;
    int64_t min_bytes;
    int64_t deadline_ms;    /* monotonic end of the wait */
    int64_t first_fetch_ms; /* a first read: how long to wait for data after the join */
} read_ctx_t;

static void read_ctx_free(void *arg)
{
    read_ctx_t *rc = arg;
    kafka_consumer_release(rc->c);
    xfree(rc);
}

static api_status_t fetch_schema(api_req_t *req, read_ctx_t *rc, int32_t id);

/* Checks the records from the first on: json ones must be JSON, avro ones decode (into dec).
 * @return how many can be handed out; *missing gets a schema id to look up first. */
static size_t check_records(api_req_t *req, int format, kafka_record_t **msgs, size_t n,
                            kr_buf_t *dec, fmt_span_t *parts, int32_t *missing, kr_err_t *err)
{
    size_t ok = 0;
    if (format == API_FMT_JSON) {
        while (ok < n && api_record_check_json(msgs[ok], err) == 0)
            ok++;
    } else if (format == API_FMT_AVRO) {
        while (ok < n && api_record_avro(msgs[ok], req->ctx->sr_client, dec, &parts[2 * ok],
                                         missing, err) == 0)
            ok++;
    } else {
        ok = n;
    }
    return ok;
}

static api_status_t answer_records(api_req_t *req, read_ctx_t *rc)
{
    kafka_record_t **msgs;
    size_t n = kafka_consumer_take(rc->c, rc->max_bytes, &msgs);
    int format = kafka_consumer_format(rc->c);
    kr_err_t err = {0};
    kr_buf_t dec;
    kr_buf_init(&dec, API_RECORDS_DECODED_MAX);
    fmt_span_t *parts = format == API_FMT_AVRO ? xcalloc(2 * n + 2, sizeof(*parts)) : NULL;
    int32_t missing = -1;
    /* records before the first that cannot be handed out */
    size_t ok = check_records(req, format, msgs, n, &dec, parts, &missing, &err);
    /* The position never moves past a record the client could not get (section K): the
     * records before it are answered, it and the rest go back to the buffer. */
    if (ok < n)
        kafka_consumer_give_back(rc->c, msgs + ok, n - ok);
    if (ok == 0 && missing >= 0) {
        kr_buf_deinit(&dec);
        xfree(parts);
        xfree(msgs);
        return fetch_schema(req, rc, missing);
    }
    if (ok > 0 || !err.code) {
        fmt_jsonw_t w;
        fmt_jsonw_init(&w, &req->resp);
        fmt_jsonw_arr_begin(&w);
        api_records_write(&w, msgs, ok, format, req->version, parts ? &dec : NULL, parts);
        fmt_jsonw_arr_end(&w);
        if (fmt_jsonw_finish(&w) != 0) {
            /* Not written whole (beyond API_MAX_RESPONSE): nobody got them, they stay. */
            kafka_consumer_give_back(rc->c, msgs, ok);
            ok = 0;
            kr_err_set(&err, KR_ERR_INTERNAL, "The response would exceed %zu bytes",
                       API_MAX_RESPONSE);
        } else {
            kafka_consumer_handed_out(rc->c, msgs, ok);
            err.code = 0;
        }
    }
    for (size_t i = 0; i < ok; i++)
        kafka_record_free(msgs[i]);
    kr_buf_deinit(&dec);
    xfree(parts);
    xfree(msgs);
    read_ctx_free(rc);
    return err.code ? api_reply_err(req, &err) : api_reply(req, 200);
}

/* An Avro record names a schema id not cached yet: look it up on a worker, then answer. The
 * job holds the read until then. */
typedef struct schema_fetch {
    api_job_t job;  /* first member (api/job.h) */
    read_ctx_t *rc; /* owned */
    int32_t id;
} schema_fetch_t;

static void schema_fetch_free(api_job_t *job)
{
    schema_fetch_t *f = (schema_fetch_t *)job;
    if (f->rc)
        read_ctx_free(f->rc);
    xfree(f);
}

static void schema_fetch_run(api_job_t *job)
{
    schema_fetch_t *f = (schema_fetch_t *)job;
    kr_err_t err = {0};
    sr_client_get_id(job->ctx->sr_client, f->id,
                     &err); /* a failure is cached: the answer says it */
    api_job_complete(job);
}

static api_status_t schema_fetched(api_req_t *req, void *result, bool timed_out)
{
    if (timed_out)
        return api_reply_error(req, KR_ERR_SERIALIZATION,
                               "Schema registration or lookup failed: the registry timed out");
    schema_fetch_t *f = result;
    read_ctx_t *rc = f->rc;
    f->rc = NULL;
    api_job_free(&f->job);
    return answer_records(req, rc);
}

static api_status_t fetch_schema(api_req_t *req, read_ctx_t *rc, int32_t id)
{
    schema_fetch_t *f = xcalloc(1, sizeof(*f));
    f->job.ctx = req->ctx;
    f->job.free_fn = schema_fetch_free;
    f->rc = rc;
    f->id = id;
    return api_job_run(req, &f->job, schema_fetch_run, schema_fetched);
}

static void wait_start(void *arg, kr_handle_t h)
{
    read_ctx_t *rc = arg; /* still the request's: resume frees it */
    if (kafka_consumer_ready_or_wait(rc->c, rc->min_bytes, h))
        kr_pending_complete(h, NULL, NULL);
}

static api_status_t wait_more(api_req_t *req, read_ctx_t *rc, int64_t wait);

static api_status_t read_resumed(api_req_t *req, void *result, bool timed_out)
{
    (void)result;
    read_ctx_t *rc = (read_ctx_t *)(uintptr_t)req->async.keep;
    int64_t assigned = 0;
    bool first = kafka_consumer_first_read(rc->c, &assigned);
    if (timed_out || !first || assigned == 0 ||
        kafka_consumer_ready_or_wait(rc->c, rc->min_bytes, (kr_handle_t){0, 0}))
        return answer_records(req, rc);
    /* Woken by the group join of a first read: give the first fetch a moment, within the
     * read's own deadline. */
    int64_t now = kr_clock_mono_ms();
    int64_t until = assigned + rc->first_fetch_ms;
    if (until > rc->deadline_ms)
        until = rc->deadline_ms;
    if (until <= now)
        return answer_records(req, rc);
    return wait_more(req, rc, until - now);
}

static api_status_t wait_more(api_req_t *req, read_ctx_t *rc, int64_t wait)
{
    api_async(req, wait_start, rc, NULL, read_resumed, wait);
    req->async.keep = (uintptr_t)rc;
    return API_ASYNC;
}

static int query_int(api_req_t *req, const char *key, int64_t *out, kr_err_t *err)
{
    const char *s = api_query(req, key);
    if (!s)
        return 0;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno)
        return kr_err_set(err, KR_ERR_BAD_REQUEST, "Query parameter %s: '%s' is not an integer",
                          key, s);
    *out = v;
    return 0;
}

/* Reads records for an instance (the caller's reference is taken over). */
static api_status_t read_records(api_req_t *req, kafka_consumer_t *c)
{
    kr_err_t err = {0};
    int64_t timeout = -1, max_bytes = -1;
    int fmt = req->accept_format == API_FMT_NONE ? API_FMT_BINARY : req->accept_format;
    if (fmt != kafka_consumer_format(c)) {
        kafka_consumer_release(c);
        return api_reply_error(req, KR_ERR_CONSUMER_FORMAT_MISMATCH,
                               "The requested embedded data format does not match the "
                               "deserializer for this consumer instance");
    }
    if (query_int(req, "timeout", &timeout, &err) != 0 ||
        query_int(req, "max_bytes", &max_bytes, &err) != 0) {
        kafka_consumer_release(c);
        return api_reply_err(req, &err);
    }
    const krest_config_t *cfg = req->ctx->cfg;
    int64_t wait = kafka_consumer_request_timeout_ms(c);
    if (timeout > 0 && timeout < wait)
        wait = timeout;
    read_ctx_t *rc = xcalloc(1, sizeof(*rc));
    rc->c = c;
    int64_t assigned = 0;
    if (kafka_consumer_first_read(c, &assigned)) {
        /* The first read waits for the group join and the first fetch (section K). */
        rc->first_fetch_ms = wait > 1000 ? wait : 1000;
        if (assigned == 0 && wait < cfg->consumer_first_read_timeout_ms)
            wait = cfg->consumer_first_read_timeout_ms;
        else if (assigned > 0 && wait < assigned + rc->first_fetch_ms - kr_clock_mono_ms())
            wait = assigned + rc->first_fetch_ms - kr_clock_mono_ms();
    }
    rc->deadline_ms = kr_clock_mono_ms() + wait;
    int64_t cap = cfg->consumer_request_max_bytes;
    rc->max_bytes = max_bytes > 0 && max_bytes < cap ? max_bytes : cap;
    rc->min_bytes = kafka_consumer_fetch_min_bytes(c);
    if (kafka_consumer_ready_or_wait(c, rc->min_bytes, (kr_handle_t){0, 0}) || wait <= 0)
        return answer_records(req, rc);
    return wait_more(req, rc, wait);
}

api_status_t api_consumer_records(api_req_t *req)
{
    kafka_consumer_t *c = instance(req);
    if (!c)
        return no_instance(req);
    return read_records(req, c);
}

/* v1: GET /consumers/{g}/instances/{i}/topics/{t}: the first read subscribes to {t}; an
 * instance may only read the topic it first read (409/40901). */
static api_status_t v1_read(api_req_t *req, kafka_consumer_t *c)
{
    kr_err_t err = {0};
    const char *topic = req->params[P_TOPIC];
    kafka_tp_list_t *sub = kafka_consumer_subscription(c, &err);
    size_t cnt = sub ? sub->cnt : 0;
    bool same = cnt == 1 && strcmp(sub->elems[0].topic, topic) == 0;
    if (sub)
        kafka_tp_list_free(sub);
    if (cnt > 0 && !same) {
        kafka_consumer_release(c);
        return api_reply_error(req, KR_ERR_CONSUMER_ALREADY_SUBSCRIBED,
                               "Consumer cannot subscribe the the specified target because it "
                               "has already subscribed to other topics.");
    }
    if (cnt == 0 && kafka_consumer_subscribe(c, &topic, 1, NULL, &err) != 0) {
        kafka_consumer_release(c);
        return api_reply_err(req, &err);
    }
    return read_records(req, c);
}

/* The topic check of a v1 read: a topic missing from the cached metadata forces one refresh
 * before 404/40401 (section K). */
static api_status_t v1_topic_known(api_req_t *req, kafka_md_t *md, const kr_err_t *err, void *arg)
{
    kafka_consumer_t *c = arg;
    bool known = md && kafka_md_topic(md, req->params[P_TOPIC]);
    kafka_md_release(md);
    if (known)
        return v1_read(req, c);
    kafka_consumer_release(c);
    if (!md)
        return api_reply_err(req, err);
    return api_reply_error(req, KR_ERR_TOPIC_NOT_FOUND, "Topic not found.");
}

static void consumer_release_arg(void *arg)
{
    kafka_consumer_release(arg);
}

api_status_t api_consumer_v1_topic_read(api_req_t *req)
{
    kafka_consumer_t *c = instance(req);
    if (!c)
        return no_instance(req);
    return api_topic_md(req, req->params[P_TOPIC], 0, v1_topic_known, c, consumer_release_arg);
}
