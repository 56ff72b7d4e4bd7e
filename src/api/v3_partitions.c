/* api/v3_partitions.c -- v3 partitions, offsets, replicas and reassignments (see
 * v3_partitions.h). Everything but the offsets comes from one metadata snapshot; the offsets
 * are the partition's watermarks, read on a worker (earliest = log start, latest = high
 * watermark, as Confluent's ListOffsets earliest/latest).
 *
 * Unknown things answer as Confluent's code does: an unknown topic 404/40403 (from Kafka's
 * UnknownTopicOrPartition), an unknown partition 404/404 (40402 on …/offset), an unknown
 * replica or broker 404/404.
 * Threads: HTTP threads; offsets_run() on a worker. */
#include "api/v3_partitions.h"

#include "api/job.h"
#include "api/v3.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

enum { P_CLUSTER = 0, P_TOPIC = 1, P_PARTITION = 2, P_BROKER = 3 };

static bool in_list(const int32_t *ids, size_t n, int32_t id)
{
    for (size_t i = 0; i < n; i++) {
        if (ids[i] == id)
            return true;
    }
    return false;
}

/* Finds the path's topic and partition. @return the partition, or NULL with err set. */
static const kafka_md_partition_t *find_partition(const api_req_t *req, const kafka_md_t *md,
                                                  int partition_code, kr_err_t *err)
{
    const kafka_md_topic_t *t = api_v3_topic_find(md, req->params[P_TOPIC], err);
    if (!t)
        return NULL;
    int32_t id = -1;
    api_param_int32(req, P_PARTITION, &id); /* the router checked it is an int32 */
    const kafka_md_partition_t *p = kafka_md_partition(t, id);
    if (!p && partition_code == KR_ERR_PARTITION_NOT_FOUND)
        kr_err_set(err, KR_ERR_PARTITION_NOT_FOUND, "Partition not found.");
    else if (!p)
        kr_err_set(err, KR_ERR_NOT_FOUND,
                   "Partition %d of topic %s could not be found on cluster %s.", (int)id, t->name,
                   md->cluster_id);
    return p;
}

/* --- partitions ------------------------------------------------------------------------- */

static void write_partition(api_v3_t *v, const char *c, const char *t,
                            const kafka_md_partition_t *p)
{
    int id = (int)p->id;
    api_v3_resource_begin(v, "KafkaPartition");
    api_v3_self(v, "clusters/%s/topics/%s/partitions/%d", c, t, id);
    api_v3_crn(v, "kafka=%s/topic=%s/partition=%d", c, t, id);
    api_v3_metadata_end(v);
    fmt_jsonw_key(&v->w, "cluster_id");
    fmt_jsonw_str(&v->w, c);
    fmt_jsonw_key(&v->w, "topic_name");
    fmt_jsonw_str(&v->w, t);
    fmt_jsonw_key(&v->w, "partition_id");
    fmt_jsonw_int(&v->w, id);
    /* The leader is one of the replicas; none (-1) or a stranger gives null, as Confluent. */
    if (p->leader >= 0 && in_list(p->replicas, p->n_replicas, p->leader)) {
        api_v3_related(v, "leader", "clusters/%s/topics/%s/partitions/%d/replicas/%d", c, t, id,
                       (int)p->leader);
    } else {
        fmt_jsonw_key(&v->w, "leader");
        fmt_jsonw_null(&v->w);
    }
    api_v3_related(v, "replicas", "clusters/%s/topics/%s/partitions/%d/replicas", c, t, id);
    api_v3_related(v, "reassignment", "clusters/%s/topics/%s/partitions/%d/reassignment", c, t, id);
    api_v3_resource_end(v);
}

static api_status_t render_partitions(api_req_t *req, kafka_md_t *md)
{
    kr_err_t err = {0};
    const kafka_md_topic_t *t = api_v3_topic_find(md, req->params[P_TOPIC], &err);
    if (!t)
        return api_reply_err(req, &err);
    api_v3_t v;
    api_v3_init(&v, req);
    api_v3_collection_begin(&v, "KafkaPartitionList", "clusters/%s/topics/%s/partitions",
                            md->cluster_id, t->name);
    for (size_t i = 0; i < t->n_partitions; i++)
        write_partition(&v, md->cluster_id, t->name, &t->partitions[i]);
    api_v3_collection_end(&v);
    return api_v3_reply(&v, 200);
}

api_status_t api_v3_partitions_list(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER | API_V3_MD_TOPIC, render_partitions);
}

static api_status_t render_partition(api_req_t *req, kafka_md_t *md)
{
    kr_err_t err = {0};
    const kafka_md_partition_t *p = find_partition(req, md, KR_ERR_NOT_FOUND, &err);
    if (!p)
        return api_reply_err(req, &err);
    api_v3_t v;
    api_v3_init(&v, req);
    write_partition(&v, md->cluster_id, req->params[P_TOPIC], p);
    return api_v3_reply(&v, 200);
}

api_status_t api_v3_partition_get(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER | API_V3_MD_TOPIC, render_partition);
}

/* --- offsets ---------------------------------------------------------------------------- */

#define OFFSET_TYPE "earliest_and_latest"

typedef struct offsets_job {
    api_job_t job; /* first */
    char *cluster_id;
    char *topic;
    int32_t partition;
    int64_t low, high;
} offsets_job_t;

static void offsets_job_free(api_job_t *job)
{
    offsets_job_t *oj = (offsets_job_t *)job;
    xfree(oj->cluster_id);
    xfree(oj->topic);
    xfree(oj);
}

static void offsets_run(api_job_t *job)
{
    offsets_job_t *oj = (offsets_job_t *)job;
    kafka_watermarks(job->ctx->admin, oj->topic, oj->partition, job->ctx->cfg->client_timeout_ms,
                     &oj->low, &oj->high, &job->err);
    api_job_complete(job);
}

static api_status_t offsets_resumed(api_req_t *req, void *result, bool timed_out)
{
    offsets_job_t *oj = result;
    if (timed_out)
        return api_reply_error(req, KR_ERR_BROKER_NOT_AVAILABLE,
                               "Kafka brokers are not available: timed out waiting for Kafka");
    if (oj->job.err.code) {
        api_status_t st = api_reply_err(req, &oj->job.err);
        api_job_free(&oj->job);
        return st;
    }
    const char *c = oj->cluster_id, *t = oj->topic;
    int p = (int)oj->partition;
    api_v3_t v;
    api_v3_init(&v, req);
    api_v3_resource_begin(&v, "KafkaPartitionWithOffsets");
    api_v3_self(&v, "clusters/%s/topics/%s/partitions/%d/offset", c, t, p);
    api_v3_crn(&v, "kafka=%s/topic=%s/partition=%d/offset_type=%s", c, t, p, OFFSET_TYPE);
    api_v3_metadata_end(&v);
    fmt_jsonw_key(&v.w, "cluster_id");
    fmt_jsonw_str(&v.w, c);
    fmt_jsonw_key(&v.w, "topic_name");
    fmt_jsonw_str(&v.w, t);
    fmt_jsonw_key(&v.w, "partition_id");
    fmt_jsonw_int(&v.w, p);
    fmt_jsonw_key(&v.w, "earliest_offset");
    fmt_jsonw_int(&v.w, oj->low);
    fmt_jsonw_key(&v.w, "latest_offset");
    fmt_jsonw_int(&v.w, oj->high);
    api_v3_resource_end(&v);
    api_job_free(&oj->job);
    return api_v3_reply(&v, 200);
}

static api_status_t start_offsets(api_req_t *req, kafka_md_t *md)
{
    kr_err_t err = {0};
    const kafka_md_partition_t *p = find_partition(req, md, KR_ERR_PARTITION_NOT_FOUND, &err);
    if (!p)
        return api_reply_err(req, &err);
    offsets_job_t *oj = xcalloc(1, sizeof(*oj));
    oj->job.ctx = req->ctx;
    oj->job.free_fn = offsets_job_free;
    oj->cluster_id = xstrdup(md->cluster_id);
    oj->topic = xstrdup(req->params[P_TOPIC]);
    oj->partition = p->id;
    return api_job_run(req, &oj->job, offsets_run, offsets_resumed);
}

api_status_t api_v3_partition_offsets(api_req_t *req)
{
    /* Checked first and case-sensitively, as Confluent's ListPartitionOffsetsAction. */
    const char *type = api_query(req, "offset_type");
    if (type && strcmp(type, OFFSET_TYPE) != 0)
        return api_reply_error(req, KR_ERR_BAD_REQUEST, "offset_type:%s is invalid", type);
    return api_v3_md_serve(req, API_V3_MD_CLUSTER | API_V3_MD_TOPIC, start_offsets);
}

/* --- replicas --------------------------------------------------------------------------- */

static void write_replica(api_v3_t *v, const char *c, const char *t, const kafka_md_partition_t *p,
                          int32_t broker)
{
    int id = (int)p->id, b = (int)broker;
    api_v3_resource_begin(v, "KafkaReplica");
    api_v3_self(v, "clusters/%s/topics/%s/partitions/%d/replicas/%d", c, t, id, b);
    api_v3_crn(v, "kafka=%s/topic=%s/partition=%d/replica=%d", c, t, id, b);
    api_v3_metadata_end(v);
    fmt_jsonw_key(&v->w, "cluster_id");
    fmt_jsonw_str(&v->w, c);
    fmt_jsonw_key(&v->w, "topic_name");
    fmt_jsonw_str(&v->w, t);
    fmt_jsonw_key(&v->w, "partition_id");
    fmt_jsonw_int(&v->w, id);
    fmt_jsonw_key(&v->w, "broker_id");
    fmt_jsonw_int(&v->w, b);
    fmt_jsonw_key(&v->w, "is_leader");
    fmt_jsonw_bool(&v->w, p->leader == broker);
    fmt_jsonw_key(&v->w, "is_in_sync");
    fmt_jsonw_bool(&v->w, in_list(p->isrs, p->n_isrs, broker));
    api_v3_related(v, "broker", "clusters/%s/brokers/%d", c, b);
    api_v3_resource_end(v);
}

static api_status_t render_replicas(api_req_t *req, kafka_md_t *md)
{
    kr_err_t err = {0};
    const kafka_md_partition_t *p = find_partition(req, md, KR_ERR_NOT_FOUND, &err);
    if (!p)
        return api_reply_err(req, &err);
    const char *c = md->cluster_id, *t = req->params[P_TOPIC];
    api_v3_t v;
    api_v3_init(&v, req);
    api_v3_collection_begin(&v, "KafkaReplicaList", "clusters/%s/topics/%s/partitions/%d/replicas",
                            c, t, (int)p->id);
    for (size_t i = 0; i < p->n_replicas; i++)
        write_replica(&v, c, t, p, p->replicas[i]);
    api_v3_collection_end(&v);
    return api_v3_reply(&v, 200);
}

api_status_t api_v3_replicas_list(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER | API_V3_MD_TOPIC, render_replicas);
}

static api_status_t render_replica(api_req_t *req, kafka_md_t *md)
{
    kr_err_t err = {0};
    const kafka_md_partition_t *p = find_partition(req, md, KR_ERR_NOT_FOUND, &err);
    if (!p)
        return api_reply_err(req, &err);
    int32_t b = -1;
    api_param_int32(req, P_BROKER, &b); /* the router checked it is an int32 */
    if (!in_list(p->replicas, p->n_replicas, b))
        return api_reply_error(req, KR_ERR_NOT_FOUND,
                               "Replica %d of partition %d of topic %s cannot be found.", (int)b,
                               (int)p->id, req->params[P_TOPIC]);
    api_v3_t v;
    api_v3_init(&v, req);
    write_replica(&v, md->cluster_id, req->params[P_TOPIC], p, b);
    return api_v3_reply(&v, 200);
}

api_status_t api_v3_replica_get(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER | API_V3_MD_TOPIC, render_replica);
}

/* …/brokers/{b}/partition-replicas: params are {c}, {b}. Confluent reads the broker's log
 * dirs; the metadata's replica lists name the same partitions once they are placed. */
static api_status_t render_broker_replicas(api_req_t *req, kafka_md_t *md)
{
    int32_t b = -1;
    api_param_int32(req, 1, &b); /* the router checked it is an int32 */
    if (!kafka_md_broker(md, b))
        return api_reply_error(req, KR_ERR_NOT_FOUND, "Broker %d cannot be found.", (int)b);
    const char *c = md->cluster_id;
    api_v3_t v;
    api_v3_init(&v, req);
    api_v3_collection_begin(&v, "KafkaReplicaList", "clusters/%s/brokers/%d/partition-replicas", c,
                            (int)b);
    for (size_t i = 0; i < md->n_topics; i++) { /* topics by name, partitions by id */
        const kafka_md_topic_t *t = &md->topics[i];
        for (size_t j = 0; j < t->n_partitions; j++) {
            const kafka_md_partition_t *p = &t->partitions[j];
            if (in_list(p->replicas, p->n_replicas, b))
                write_replica(&v, c, t->name, p, b);
        }
    }
    api_v3_collection_end(&v);
    return api_v3_reply(&v, 200);
}

api_status_t api_v3_broker_replicas(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, render_broker_replicas);
}

/* --- reassignments ---------------------------------------------------------------------- */

static api_status_t reply_no_reassignments(api_req_t *req, kafka_md_t *md)
{
    (void)md;
    return api_reply_error(req, KR_ERR_NOT_IMPLEMENTED,
                           "Partition reassignments cannot be listed by this krest: librdkafka "
                           "2.0.2 has no ListPartitionReassignments request");
}

api_status_t api_v3_reassignments(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, reply_no_reassignments);
}
