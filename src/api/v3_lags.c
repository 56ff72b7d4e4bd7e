/* api/v3_lags.c -- v3 consumer lags and the lag summary (see v3_lags.h).
 *
 * A request's life, as Confluent's ConsumerLagManager: (1) the cluster is checked; (2) off the
 * HTTP thread, DescribeConsumerGroups of the group (the assignee of each partition, and 404 for
 * an unknown group), then, from its callback on the kafka loop, ListConsumerGroupOffsets (the
 * committed offsets; none is 404); (3) on a worker, the log end of every committed partition
 * (kafka_admin_watermarks: ListOffsets latest on the admin handle, whose isolation.level is
 * librdkafka's default read_committed, so the last stable offset, as Confluent's
 * ListOffsets(latest, READ_COMMITTED)); (4) back on an HTTP thread, the rows are rendered.
 *
 * lag = max(0, log_end - current), as Confluent. A partition nobody is assigned has
 * consumer_id "" and client_id "" and instance_id null, as Confluent.
 * Threads: HTTP threads; on_described()/on_offsets() on the kafka loop; ends_run() on a
 * worker. */
#include "api/v3_lags.h"

#include "api/job.h"
#include "api/names.h"
#include "api/v3.h"
#include "api/v3_groups.h"
#include "kafka/admin.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { P_CLUSTER = 0, P_GROUP = 1, P_TOPIC = 2, P_PARTITION = 3 };

typedef enum lags_kind { LAGS_LIST, LAGS_GET, LAGS_SUMMARY } lags_kind_t;

/* One committed partition with its log end and assignee. */
typedef struct lag_row {
    const kafka_admin_offset_t *off;   /* borrowed from the job's offsets */
    const kafka_admin_member_t *owner; /* borrowed from the job's groups; NULL: unassigned */
    int64_t end;
    int64_t lag;
} lag_row_t;

typedef struct lags_job {
    api_job_t job; /* first */
    lags_kind_t kind;
    char *cluster_id;                     /* owned */
    char *group_id;                       /* owned */
    kafka_admin_groups_t *groups;         /* owned: the group's description */
    kafka_admin_offsets_t *offsets;       /* owned: its committed offsets */
    kafka_admin_tp_ref_t *tps;            /* owned array, strings borrowed from offsets */
    const kafka_admin_offset_t **tp_offs; /* owned array: the offset of each tps[i] */
    int64_t *low, *high;                  /* owned arrays of n_tps */
    size_t n_tps;
} lags_job_t;

static void lags_job_free(api_job_t *job)
{
    lags_job_t *lj = (lags_job_t *)job;
    xfree(lj->cluster_id);
    xfree(lj->group_id);
    kafka_admin_groups_free(lj->groups);
    kafka_admin_offsets_free(lj->offsets);
    xfree(lj->tps);
    xfree(lj->tp_offs);
    xfree(lj->low);
    xfree(lj->high);
    xfree(lj);
}

static const kafka_admin_group_t *job_group(const lags_job_t *lj)
{
    return lj->groups && lj->groups->n == 1 ? &lj->groups->groups[0] : NULL;
}

/* --- steps 2 and 3: describe, list offsets, read the log ends --------------------------- */

static void on_offsets(void *arg, void *result, const kr_err_t *err)
{
    lags_job_t *lj = arg;
    if (err)
        lj->job.err = *err;
    else
        lj->offsets = result;
    api_job_complete(&lj->job);
}

/* Kafka loop: the group is described; an unknown group ends the job here (the resume answers
 * 404), else its committed offsets are asked for. */
static void on_described(void *arg, void *result, const kr_err_t *err)
{
    lags_job_t *lj = arg;
    if (err) {
        lj->job.err = *err;
        api_job_complete(&lj->job);
        return;
    }
    lj->groups = result;
    const kafka_admin_group_t *g = job_group(lj);
    if (!g || g->err.code || api_v3_group_missing(g)) {
        api_job_complete(&lj->job);
        return;
    }
    const api_ctx_t *ctx = lj->job.ctx;
    if (kafka_admin_list_group_offsets(ctx->kadmin, lj->group_id, ctx->cfg->client_timeout_ms,
                                       on_offsets, lj, &lj->job.err) != 0)
        api_job_complete(&lj->job);
}

static void lags_start(api_job_t *job)
{
    lags_job_t *lj = (lags_job_t *)job;
    const char *ids[1] = {lj->group_id};
    if (kafka_admin_describe_groups(job->ctx->kadmin, ids, 1, job->ctx->cfg->client_timeout_ms,
                                    on_described, lj, &job->err) != 0)
        api_job_complete(job);
}

static void ends_run(api_job_t *job)
{
    lags_job_t *lj = (lags_job_t *)job;
    kafka_admin_watermarks(job->ctx->admin, lj->tps, lj->n_tps, job->ctx->cfg->client_timeout_ms,
                           lj->low, lj->high, &job->err);
    api_job_complete(job);
}

/* The partitions whose log end is needed: every committed offset without an error. Confluent
 * leaves out a partition it has no current or latest offset for. */
static void collect_tps(lags_job_t *lj)
{
    size_t n = lj->offsets->n;
    lj->tps = xcalloc(n ? n : 1, sizeof(*lj->tps));
    lj->tp_offs = xcalloc(n ? n : 1, sizeof(*lj->tp_offs));
    for (size_t i = 0; i < n; i++) {
        const kafka_admin_offset_t *o = &lj->offsets->offsets[i];
        if (o->offset < 0 || o->err_code != 0)
            continue;
        lj->tps[lj->n_tps] = (kafka_admin_tp_ref_t){o->topic, o->partition};
        lj->tp_offs[lj->n_tps++] = o;
    }
    lj->low = xcalloc(lj->n_tps ? lj->n_tps : 1, sizeof(*lj->low));
    lj->high = xcalloc(lj->n_tps ? lj->n_tps : 1, sizeof(*lj->high));
}

static api_status_t reply_timeout(api_req_t *req)
{
    return api_reply_error(req, KR_ERR_BROKER_NOT_AVAILABLE,
                           "Kafka brokers are not available: timed out waiting for Kafka");
}

/* Checks what step 2 brought. @return 0, or -1 with err: the job's error, the group's,
 * 404 "Consumer Group <g> could not be found." or 404 "Consumer group offsets could not be
 * found." (Confluent's messages). */
static int described_check(const lags_job_t *lj, kr_err_t *err)
{
    if (lj->job.err.code) {
        *err = lj->job.err;
        return -1;
    }
    const kafka_admin_group_t *g = job_group(lj);
    if (g && g->err.code && !api_v3_group_missing(g)) {
        *err = g->err;
        return -1;
    }
    if (!g || api_v3_group_missing(g))
        return kr_err_set(err, KR_ERR_NOT_FOUND, "Consumer Group %s could not be found.",
                          lj->group_id);
    if (!lj->offsets || lj->offsets->n == 0)
        return kr_err_set(err, KR_ERR_NOT_FOUND, "Consumer group offsets could not be found.");
    return 0;
}

static api_status_t ends_resumed(api_req_t *req, void *result, bool timed_out);

static api_status_t described_resumed(api_req_t *req, void *result, bool timed_out)
{
    lags_job_t *lj = result;
    if (timed_out)
        return reply_timeout(req);
    kr_err_t err = {0};
    if (described_check(lj, &err) != 0) {
        api_job_free(&lj->job);
        return api_reply_err(req, &err);
    }
    collect_tps(lj);
    if (lj->n_tps == 0) /* nothing to read: render the empty set */
        return ends_resumed(req, lj, false);
    return api_job_run(req, &lj->job, ends_run, ends_resumed);
}

/* --- step 4: rows and rendering --------------------------------------------------------- */

static lag_row_t *rows_build(const lags_job_t *lj)
{
    const kafka_admin_group_t *g = job_group(lj);
    lag_row_t *rows = xcalloc(lj->n_tps ? lj->n_tps : 1, sizeof(*rows));
    for (size_t i = 0; i < lj->n_tps; i++) {
        const kafka_admin_offset_t *o = lj->tp_offs[i];
        int64_t lag = lj->high[i] - o->offset;
        rows[i] = (lag_row_t){o, api_v3_group_owner(g, o->topic, o->partition), lj->high[i],
                              lag > 0 ? lag : 0};
    }
    return rows;
}

static void write_owner(api_v3_t *v, const char *prefix, const kafka_admin_member_t *m)
{
    char key[32];
    const char *instance = m ? api_v3_member_instance_id(m) : NULL;
    snprintf(key, sizeof(key), "%sconsumer_id", prefix);
    fmt_jsonw_key(&v->w, key);
    fmt_jsonw_str(&v->w, m ? m->consumer_id : "");
    snprintf(key, sizeof(key), "%sinstance_id", prefix);
    fmt_jsonw_key(&v->w, key);
    if (instance)
        fmt_jsonw_str(&v->w, instance);
    else
        fmt_jsonw_null(&v->w);
    snprintf(key, sizeof(key), "%sclient_id", prefix);
    fmt_jsonw_key(&v->w, key);
    fmt_jsonw_str(&v->w, m && m->client_id ? m->client_id : "");
}

static void write_lag(api_v3_t *v, const char *c, const char *g, const lag_row_t *r)
{
    const char *t = r->off->topic;
    int p = (int)r->off->partition;
    api_v3_resource_begin(v, "KafkaConsumerLag");
    api_v3_self(v, "clusters/%s/consumer-groups/%s/lags/%s/partitions/%d", c, g, t, p);
    api_v3_crn(v, "kafka=%s/consumer-group=%s/lag=%s/partition=%d", c, g, t, p);
    api_v3_metadata_end(v);
    fmt_jsonw_key(&v->w, "cluster_id");
    fmt_jsonw_str(&v->w, c);
    fmt_jsonw_key(&v->w, "consumer_group_id");
    fmt_jsonw_str(&v->w, g);
    fmt_jsonw_key(&v->w, "topic_name");
    fmt_jsonw_str(&v->w, t);
    fmt_jsonw_key(&v->w, "partition_id");
    fmt_jsonw_int(&v->w, p);
    write_owner(v, "", r->owner);
    fmt_jsonw_key(&v->w, "current_offset");
    fmt_jsonw_int(&v->w, r->off->offset);
    fmt_jsonw_key(&v->w, "log_end_offset");
    fmt_jsonw_int(&v->w, r->end);
    fmt_jsonw_key(&v->w, "lag");
    fmt_jsonw_int(&v->w, r->lag);
    api_v3_resource_end(v);
}

/* Lag descending, then topic, then partition (Confluent's ConsumerLagsResource). */
static int row_cmp(const void *x, const void *y)
{
    const lag_row_t *a = x, *b = y;
    if (a->lag != b->lag)
        return a->lag < b->lag ? 1 : -1;
    int c = strcmp(a->off->topic, b->off->topic);
    if (c != 0)
        return c;
    return (a->off->partition > b->off->partition) - (a->off->partition < b->off->partition);
}

static api_status_t render_list(api_req_t *req, const lags_job_t *lj, lag_row_t *rows)
{
    if (lj->n_tps == 0)
        return api_reply_error(req, KR_ERR_NOT_FOUND, "Consumer lags not found.");
    qsort(rows, lj->n_tps, sizeof(*rows), row_cmp);
    api_v3_t v;
    api_v3_init(&v, req);
    api_v3_collection_begin(&v, "KafkaConsumerLagList", "clusters/%s/consumer-groups/%s/lags",
                            lj->cluster_id, lj->group_id);
    for (size_t i = 0; i < lj->n_tps; i++)
        write_lag(&v, lj->cluster_id, lj->group_id, &rows[i]);
    api_v3_collection_end(&v);
    return api_v3_reply(&v, 200);
}

static api_status_t render_one(api_req_t *req, const lags_job_t *lj, const lag_row_t *rows)
{
    const char *t = req->params[P_TOPIC];
    int32_t p = -1;
    api_param_int32(req, P_PARTITION, &p); /* the router checked it is an int32 */
    for (size_t i = 0; i < lj->n_tps; i++) {
        if (rows[i].off->partition == p && strcmp(rows[i].off->topic, t) == 0) {
            api_v3_t v;
            api_v3_init(&v, req);
            write_lag(&v, lj->cluster_id, lj->group_id, &rows[i]);
            return api_v3_reply(&v, 200);
        }
    }
    return api_reply_error(req, KR_ERR_NOT_FOUND,
                           "Consumer lag of partition %d of topic %s could not be found.", (int)p,
                           t);
}

/* The partition with the largest lag; ties go to the first by topic, then partition (rows
 * are in that order: Confluent keeps the first it meets, in a hash map's order). */
static api_status_t render_summary(api_req_t *req, const lags_job_t *lj, const lag_row_t *rows)
{
    if (lj->n_tps == 0)
        return api_reply_error(req, KR_ERR_NOT_FOUND, "Consumer group offsets could not be found.");
    const lag_row_t *max = &rows[0];
    int64_t total = 0;
    for (size_t i = 0; i < lj->n_tps; i++) {
        if (rows[i].lag > max->lag)
            max = &rows[i];
        total += rows[i].lag;
    }
    const char *c = lj->cluster_id, *g = lj->group_id;
    api_v3_t v;
    api_v3_init(&v, req);
    api_v3_resource_begin(&v, "KafkaConsumerGroupLagSummary");
    api_v3_self(&v, "clusters/%s/consumer-groups/%s/lag-summary", c, g);
    api_v3_crn(&v, "kafka=%s/consumer-group=%s/lag-summary", c, g);
    api_v3_metadata_end(&v);
    fmt_jsonw_key(&v.w, "cluster_id");
    fmt_jsonw_str(&v.w, c);
    fmt_jsonw_key(&v.w, "consumer_group_id");
    fmt_jsonw_str(&v.w, g);
    write_owner(&v, "max_lag_", max->owner);
    fmt_jsonw_key(&v.w, "max_lag_topic_name");
    fmt_jsonw_str(&v.w, max->off->topic);
    fmt_jsonw_key(&v.w, "max_lag_partition_id");
    fmt_jsonw_int(&v.w, max->off->partition);
    fmt_jsonw_key(&v.w, "max_lag");
    fmt_jsonw_int(&v.w, max->lag);
    fmt_jsonw_key(&v.w, "total_lag");
    fmt_jsonw_int(&v.w, total);
    /* Unassigned: ".../consumers/" with an empty id, as Confluent's UrlFactory writes it. */
    api_v3_related(&v, "max_lag_consumer", "clusters/%s/consumer-groups/%s/consumers/%s", c, g,
                   max->owner ? max->owner->consumer_id : "");
    api_v3_related(&v, "max_lag_partition", "clusters/%s/topics/%s/partitions/%d", c,
                   max->off->topic, (int)max->off->partition);
    api_v3_resource_end(&v);
    return api_v3_reply(&v, 200);
}

static api_status_t ends_resumed(api_req_t *req, void *result, bool timed_out)
{
    lags_job_t *lj = result;
    if (timed_out)
        return reply_timeout(req);
    if (lj->job.err.code) {
        api_status_t st = api_reply_err(req, &lj->job.err);
        api_job_free(&lj->job);
        return st;
    }
    lag_row_t *rows = rows_build(lj);
    api_status_t st;
    if (lj->kind == LAGS_LIST)
        st = render_list(req, lj, rows);
    else if (lj->kind == LAGS_GET)
        st = render_one(req, lj, rows);
    else
        st = render_summary(req, lj, rows);
    xfree(rows);
    api_job_free(&lj->job);
    return st;
}

/* --- step 1 ----------------------------------------------------------------------------- */

static api_status_t lags_serve(api_req_t *req, const kafka_md_t *md, lags_kind_t kind)
{
    /* A group id Kafka cannot hold never reaches librdkafka (names.h). */
    if (!api_kafka_id_valid(req->params[P_GROUP], strlen(req->params[P_GROUP])))
        return api_reply_error(req, KR_ERR_NOT_FOUND, "Consumer Group %s does not exist.",
                               req->params[P_GROUP]);
    lags_job_t *lj = xcalloc(1, sizeof(*lj));
    lj->job.ctx = req->ctx;
    lj->job.free_fn = lags_job_free;
    lj->kind = kind;
    lj->cluster_id = xstrdup(md->cluster_id);
    lj->group_id = xstrdup(req->params[P_GROUP]);
    return api_job_start(req, &lj->job, lags_start, described_resumed);
}

static api_status_t start_list(api_req_t *req, kafka_md_t *md)
{
    return lags_serve(req, md, LAGS_LIST);
}

static api_status_t start_one(api_req_t *req, kafka_md_t *md)
{
    return lags_serve(req, md, LAGS_GET);
}

static api_status_t start_summary(api_req_t *req, kafka_md_t *md)
{
    return lags_serve(req, md, LAGS_SUMMARY);
}

api_status_t api_v3_lags_list(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, start_list);
}

api_status_t api_v3_lag_get(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, start_one);
}

api_status_t api_v3_lag_summary_get(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, start_summary);
}
