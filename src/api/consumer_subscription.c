/* api/consumer_subscription.c -- where a consumer instance reads from and what it committed
 * (see consumers.h): subscription, assignment, seek (to offsets, timestamps, the beginning or
 * the end), commit and committed offsets.
 * Subscription and assignment answer from memory; seek, commit and committed offsets are one
 * blocking librdkafka call each (kafka/consumer.h), run as a job on the worker pool (api/job.h)
 * while the request waits suspended.
 * May use: kafka/, format/, util/. Threads: HTTP threads; cjob_run() on a worker. */
#include "api/consumers.h"
#include "api/consumers_int.h"

#include "api/body.h"
#include "api/job.h"
#include "api/names.h"
#include "format/jsonw.h"
#include "kafka/consumer.h"
#include "util/clock.h"
#include "util/mem.h"

#include <regex.h>
#include <string.h>

/* The entries of an assignments, positions or offsets body, at most: 10,000 partitions is far
 * beyond any consumer's assignment, and each entry costs librdkafka work (issue 19). */
#define API_CONSUMER_MAX_ENTRIES 10000

enum job_kind { JOB_SEEK, JOB_SEEK_TIMES, JOB_COMMIT, JOB_COMMIT_ALL, JOB_COMMITTED };

typedef struct cjob {
    api_job_t job;       /* first member (api/job.h); job.err is the outcome */
    kafka_consumer_t *c; /* owned reference */
    enum job_kind kind;
    kafka_tp_list_t *parts; /* owned, may be NULL */
    int64_t call_ms;        /* client.timeout.ms: each blocking call's bound */
    api_version_t version;
} cjob_t;

/* {"partitions": [...]} of assign, seek to the beginning or end, and committed offsets. */
static const api_body_field_t partitions_fields[] = {{.name = "partitions"}, {.name = NULL}};
static const api_body_spec_t partitions_spec = {.fields = partitions_fields};
/* One element of those lists ({"topic", "partition"[, "offset" | "timestamp"][, "metadata"]}). */
static const api_body_field_t element_fields[] = {{.name = "topic"},    {.name = "partition"},
                                                  {.name = "offset"},   {.name = "timestamp"},
                                                  {.name = "metadata"}, {.name = NULL}};
static const api_body_spec_t element_spec = {.fields = element_fields};

static int check_pattern(json_object *pattern, kr_err_t *err);
static kafka_tp_list_t *partitions_of(const api_body_t *b, json_object *arr, const char *field,
                                      const char *off_key, kr_err_t *err);
static void write_partitions(fmt_jsonw_t *w, const kafka_tp_list_t *l, bool with_offset);
static api_status_t seek_edge(api_req_t *req, int64_t where);
static api_status_t seek_with(api_req_t *req, kafka_tp_list_t *parts, enum job_kind kind,
                              kafka_consumer_t *c);
static api_status_t run_job(api_req_t *req, kafka_consumer_t *c, enum job_kind kind,
                            kafka_tp_list_t *parts);
static void cjob_run(api_job_t *job);
static void commit_all(cjob_t *j);
static api_status_t cjob_done(api_req_t *req, void *result, bool timed_out);
static void cjob_free(api_job_t *job);

/* --- subscription and assignment --------------------------------------------------------- */

api_status_t api_consumer_subscribe(api_req_t *req)
{
    static const api_body_field_t fields[] = {
        {.name = "topics"}, {.name = "topic_pattern"}, {.name = NULL}};
    static const api_body_spec_t spec = {.fields = fields};
    kr_err_t err = {0};
    api_body_t b = {0};
    kafka_consumer_t *c = api_consumer_instance(req);
    if (!c)
        return api_consumer_no_instance(req);
    api_status_t st;
    if (api_body_parse(&b, req, &spec, &err) != 0) {
        st = api_reply_err(req, &err);
        goto out;
    }
    json_object *topics = api_body_get(b.root, "topics"),
                *pattern = api_body_get(b.root, "topic_pattern");
    if (!b.root || (!topics && !pattern)) {
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
            char field[32];
            snprintf(field, sizeof(field), "topics[%zu]", n);
            if (api_check_topic(field, json_object_get_string(t),
                                (size_t)json_object_get_string_len(t), &err) != 0) {
                st = api_reply_err(req, &err);
                goto out;
            }
            names[n] = json_object_get_string(t);
        }
    } else if (check_pattern(pattern, &err) != 0) {
        st = api_reply_err(req, &err);
        goto out;
    }
    if (kafka_consumer_subscribe(c, names, n, pattern ? json_object_get_string(pattern) : NULL,
                                 &err) != 0)
        st = api_reply_err(req, &err);
    else
        st = api_consumer_reply_204(req);
out:
    api_body_deinit(&b);
    kafka_consumer_release(c);
    return st;
}

/* A topic_pattern: a non-empty string of at most API_TOPIC_PATTERN_MAX bytes, no NUL, that
 * POSIX extended regcomp() accepts (librdkafka matches with its own regex engine, rdregex,
 * whose syntax is a subset: a pattern regcomp refuses would fail later as a 500). */
static int check_pattern(json_object *pattern, kr_err_t *err)
{
    const char *p =
        json_object_is_type(pattern, json_type_string) ? json_object_get_string(pattern) : NULL;
    size_t n = p ? (size_t)json_object_get_string_len(pattern) : 0;
    if (!p || n == 0 || n > API_TOPIC_PATTERN_MAX || strlen(p) != n)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                          "topic_pattern: expected a regex of 1 to %d characters",
                          API_TOPIC_PATTERN_MAX);
    regex_t re;
    if (regcomp(&re, p, REG_EXTENDED | REG_NOSUB) != 0)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE, "topic_pattern: not a valid regex");
    regfree(&re);
    return 0;
}

api_status_t api_consumer_subscription(api_req_t *req)
{
    kr_err_t err = {0};
    kafka_consumer_t *c = api_consumer_instance(req);
    if (!c)
        return api_consumer_no_instance(req);
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
    kafka_consumer_t *c = api_consumer_instance(req);
    if (!c)
        return api_consumer_no_instance(req);
    int rc = kafka_consumer_unsubscribe(c, &err);
    kafka_consumer_release(c);
    return rc == 0 ? api_consumer_reply_204(req) : api_reply_err(req, &err);
}

api_status_t api_consumer_assign(api_req_t *req)
{
    kr_err_t err = {0};
    api_body_t b = {0};
    kafka_consumer_t *c = api_consumer_instance(req);
    if (!c)
        return api_consumer_no_instance(req);
    api_status_t st;
    kafka_tp_list_t *l = NULL;
    if (api_body_parse(&b, req, &partitions_spec, &err) != 0 || !b.root ||
        !(l = partitions_of(&b, api_body_get(b.root, "partitions"), "partitions", NULL, &err)) ||
        kafka_consumer_assign(c, l, &err) != 0)
        st = api_reply_err(req, err.code ? &err
                                         : &(kr_err_t){KR_ERR_UNPROCESSABLE,
                                                       "The request body needs \"partitions\""});
    else
        st = api_consumer_reply_204(req);
    if (l)
        kafka_tp_list_free(l);
    api_body_deinit(&b);
    kafka_consumer_release(c);
    return st;
}

api_status_t api_consumer_assignments(api_req_t *req)
{
    kr_err_t err = {0};
    kafka_consumer_t *c = api_consumer_instance(req);
    if (!c)
        return api_consumer_no_instance(req);
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

/* --- positions and offsets --------------------------------------------------------------- */

api_status_t api_consumer_seek(api_req_t *req)
{
    static const api_body_field_t fields[] = {
        {.name = "offsets"}, {.name = "timestamps"}, {.name = NULL}};
    static const api_body_spec_t spec = {.fields = fields};
    kr_err_t err = {0};
    api_body_t b = {0};
    kafka_consumer_t *c = api_consumer_instance(req);
    if (!c)
        return api_consumer_no_instance(req);
    kafka_tp_list_t *l = NULL;
    enum job_kind kind = JOB_SEEK;
    if (api_body_parse(&b, req, &spec, &err) != 0 || !b.root)
        goto bad;
    json_object *offsets = api_body_get(b.root, "offsets"),
                *times = api_body_get(b.root, "timestamps");
    if (offsets && times) {
        kr_err_set(&err, KR_ERR_UNPROCESSABLE, "Give \"offsets\" or \"timestamps\", not both");
        goto bad;
    }
    if (times) {
        kind = JOB_SEEK_TIMES;
        l = partitions_of(&b, times, "timestamps", "timestamp", &err);
        for (size_t i = 0; l && i < l->cnt; i++) {
            if (l->elems[i].offset == INT64_MIN) {
                kr_err_set(&err, KR_ERR_UNPROCESSABLE,
                           "timestamps[%zu].timestamp: expected an ISO-8601 instant", i);
                goto bad;
            }
        }
    } else {
        l = partitions_of(&b, offsets, "offsets", "offset", &err);
        for (size_t i = 0; l && i < l->cnt; i++) {
            if (l->elems[i].offset < 0) {
                kr_err_set(&err, KR_ERR_UNPROCESSABLE, "offsets[%zu].offset: must be >= 0", i);
                goto bad;
            }
        }
    }
    if (!l)
        goto bad;
    api_body_deinit(&b);
    return seek_with(req, l, kind, c);
bad:
    if (!err.code)
        kr_err_set(&err, KR_ERR_UNPROCESSABLE, "The request body needs \"offsets\"");
    if (l)
        kafka_tp_list_free(l);
    api_body_deinit(&b);
    kafka_consumer_release(c);
    return api_reply_err(req, &err);
}

api_status_t api_consumer_seek_beginning(api_req_t *req)
{
    return seek_edge(req, KAFKA_OFFSET_BEGINNING);
}

api_status_t api_consumer_seek_end(api_req_t *req)
{
    return seek_edge(req, KAFKA_OFFSET_END);
}

static api_status_t seek_edge(api_req_t *req, int64_t where)
{
    kr_err_t err = {0};
    api_body_t b = {0};
    kafka_consumer_t *c = api_consumer_instance(req);
    if (!c)
        return api_consumer_no_instance(req);
    kafka_tp_list_t *l = NULL;
    if (api_body_parse(&b, req, &partitions_spec, &err) == 0 && b.root)
        l = partitions_of(&b, api_body_get(b.root, "partitions"), "partitions", NULL, &err);
    api_body_deinit(&b);
    if (!l) {
        if (!err.code)
            kr_err_set(&err, KR_ERR_UNPROCESSABLE, "The request body needs \"partitions\"");
        kafka_consumer_release(c);
        return api_reply_err(req, &err);
    }
    if (l->cnt == 0) {
        /* As Kafka's own consumer (seekToBeginning/End of no partitions): every partition
         * the instance holds; none assigned is a no-op (issue 18). */
        kafka_tp_list_free(l);
        l = kafka_consumer_assignment(c, &err);
        if (!l) {
            kafka_consumer_release(c);
            return api_reply_err(req, &err);
        }
    }
    for (size_t i = 0; i < l->cnt; i++)
        l->elems[i].offset = where;
    return seek_with(req, l, JOB_SEEK, c);
}

static api_status_t seek_with(api_req_t *req, kafka_tp_list_t *parts, enum job_kind kind,
                              kafka_consumer_t *c)
{
    kr_err_t err = {0};
    if (parts->cnt == 0) { /* nothing to seek: librdkafka would call it an error (a 500) */
        kafka_tp_list_free(parts);
        kafka_consumer_release(c);
        return api_reply(req, 204);
    }
    if (kafka_consumer_check_assigned(c, parts, &err) != 0) {
        kafka_tp_list_free(parts);
        kafka_consumer_release(c);
        return api_reply_err(req, &err);
    }
    return run_job(req, c, kind, parts);
}

api_status_t api_consumer_commit(api_req_t *req)
{
    static const api_body_field_t fields[] = {{.name = "offsets"}, {.name = NULL}};
    static const api_body_spec_t spec = {.fields = fields};
    kr_err_t err = {0};
    api_body_t b = {0};
    kafka_consumer_t *c = api_consumer_instance(req);
    if (!c)
        return api_consumer_no_instance(req);
    if (api_body_parse(&b, req, &spec, &err) != 0) {
        api_body_deinit(&b);
        kafka_consumer_release(c);
        return api_reply_err(req, &err);
    }
    json_object *offsets = api_body_get(b.root, "offsets");
    if (!offsets) {
        api_body_deinit(&b);
        return run_job(req, c, JOB_COMMIT_ALL, NULL);
    }
    kafka_tp_list_t *l = partitions_of(&b, offsets, "offsets", "offset", &err);
    api_body_deinit(&b);
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
    kr_err_t err = {0};
    api_body_t b = {0};
    kafka_consumer_t *c = api_consumer_instance(req);
    if (!c)
        return api_consumer_no_instance(req);
    kafka_tp_list_t *l = NULL;
    if (api_body_parse(&b, req, &partitions_spec, &err) == 0 && b.root)
        l = partitions_of(&b, api_body_get(b.root, "partitions"), "partitions", NULL, &err);
    bool missing = !b.root && !err.code;
    api_body_deinit(&b);
    if (!l) {
        kafka_consumer_release(c);
        if (missing) /* Confluent's quirk: a GET without its body is 404/40402 */
            return api_reply_error(req, KR_ERR_PARTITION_NOT_FOUND,
                                   "The request needs a body {\"partitions\": [...]}");
        return api_reply_err(req, &err);
    }
    return run_job(req, c, JOB_COMMITTED, l);
}

/* --- partition lists in bodies and answers ----------------------------------------------- */

/* The strings and numbers of one element of a partition list that reach Kafka: the topic
 * name (Kafka's rules), the offset (an int64: json-c saturates larger numbers), the commit
 * metadata (offset.metadata.max.bytes, no NUL). */
static int check_element(const char *field, size_t i, json_object *t, json_object *o,
                         json_object *md, kr_err_t *err)
{
    char where[64];
    snprintf(where, sizeof(where), "%s[%zu].topic", field, i);
    if (api_check_topic(where, json_object_get_string(t), (size_t)json_object_get_string_len(t),
                        err) != 0)
        return -1;
    if (o && json_object_is_type(o, json_type_int) && json_object_get_int64(o) == INT64_MAX &&
        json_object_get_uint64(o) > (uint64_t)INT64_MAX)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                          "%s[%zu].offset: expected an integer in [0, 9223372036854775807]", field,
                          i);
    if (md && !json_object_is_type(md, json_type_string))
        return kr_err_set(err, KR_ERR_UNPROCESSABLE, "%s[%zu].metadata: expected a string", field,
                          i);
    size_t mn = md ? (size_t)json_object_get_string_len(md) : 0;
    if (md && (mn > API_COMMIT_METADATA_MAX || strlen(json_object_get_string(md)) != mn))
        return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                          "%s[%zu].metadata: at most %d bytes, no NUL character", field, i,
                          API_COMMIT_METADATA_MAX);
    return 0;
}

/* Parses [{"topic","partition"[,"offset"|"timestamp"]}...] into a partition list; the offset
 * field (when given) goes into each element's offset, a timestamp (ISO-8601) as ms, or
 * INT64_MIN when it is not one. */
static kafka_tp_list_t *partitions_of(const api_body_t *b, json_object *arr, const char *field,
                                      const char *off_key, kr_err_t *err)
{
    if (!arr || !json_object_is_type(arr, json_type_array)) {
        api_body_type_err(b, field, "expected an array", err);
        return NULL;
    }
    size_t n = json_object_array_length(arr);
    if (n > API_CONSUMER_MAX_ENTRIES) {
        kr_err_set(err, KR_ERR_UNPROCESSABLE, "%s: at most %d entries (%zu given)", field,
                   API_CONSUMER_MAX_ENTRIES, n);
        return NULL;
    }
    kafka_tp_list_t *l = kafka_tp_list_new(n);
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(arr, i);
        json_object *t = api_body_get(e, "topic"), *p = api_body_get(e, "partition");
        json_object *o = off_key ? api_body_get(e, off_key) : NULL;
        bool bad = !e || !json_object_is_type(e, json_type_object) || !t ||
                   !json_object_is_type(t, json_type_string) || !p ||
                   !json_object_is_type(p, json_type_int) ||
                   (off_key && strcmp(off_key, "offset") == 0 &&
                    (!o || !json_object_is_type(o, json_type_int)));
        int64_t pv = p ? json_object_get_int64(p) : -1;
        if (!bad && api_body_check(b, e, field, &element_spec, err) != 0) {
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
        if (check_element(field, i, t, o, api_body_get(e, "metadata"), err) != 0) {
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
        json_object *md = api_body_get(e, "metadata");
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

/* --- blocking calls on the worker pool --------------------------------------------------- */

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

static api_status_t cjob_done(api_req_t *req, void *result, bool timed_out)
{
    cjob_t *j = result;
    if (timed_out)
        return api_reply_error(req, KR_ERR_KAFKA_RETRIABLE, "Timed out waiting for Kafka");
    api_status_t st;
    if (j->job.err.code) {
        st = api_reply_err(req, &j->job.err);
    } else if (j->kind == JOB_SEEK || j->kind == JOB_SEEK_TIMES) {
        st = api_consumer_reply_204(req);
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

static void cjob_free(api_job_t *job)
{
    cjob_t *j = (cjob_t *)job;
    if (j->parts)
        kafka_tp_list_free(j->parts);
    kafka_consumer_release(j->c);
    xfree(j);
}
