/* api/v3_topics.c -- v3 topics, the read side (see v3_topics.h).
 *
 * authorized_operations: librdkafka 2.0.2 cannot ask Kafka for them (no
 * include_authorized_operations in its Metadata or DescribeTopics), so a topic carries `[]`
 * as Confluent's does when they were not asked for, and asking for them is 501 rather than
 * an empty set that would read as "nothing is allowed" (docs/v3.md).
 * Threads: HTTP threads. */
#include "api/v3_topics.h"

#include "api/v3.h"

enum { P_CLUSTER = 0, P_TOPIC = 1 };

/* The query parameter's name differs between the two endpoints, as in Confluent. */
static int authorized_operations_check(const api_req_t *req, const char *param, kr_err_t *err)
{
    if (!api_v3_query_bool(req, param))
        return 0;
    return kr_err_set(err, KR_ERR_NOT_IMPLEMENTED,
                      "%s=true is not supported by this krest: librdkafka 2.0.2 cannot ask Kafka "
                      "for authorized operations",
                      param);
}

void api_v3_topic_write(api_v3_t *v, const char *c, const char *n, bool internal,
                        int replication_factor, int partitions_count)
{
    api_v3_resource_begin(v, "KafkaTopic");
    api_v3_self(v, "clusters/%s/topics/%s", c, n);
    api_v3_crn(v, "kafka=%s/topic=%s", c, n);
    api_v3_metadata_end(v);
    fmt_jsonw_key(&v->w, "cluster_id");
    fmt_jsonw_str(&v->w, c);
    fmt_jsonw_key(&v->w, "topic_name");
    fmt_jsonw_str(&v->w, n);
    fmt_jsonw_key(&v->w, "is_internal");
    fmt_jsonw_bool(&v->w, internal);
    fmt_jsonw_key(&v->w, "replication_factor");
    fmt_jsonw_int(&v->w, replication_factor);
    fmt_jsonw_key(&v->w, "partitions_count");
    fmt_jsonw_int(&v->w, partitions_count);
    api_v3_related(v, "partitions", "clusters/%s/topics/%s/partitions", c, n);
    api_v3_related(v, "configs", "clusters/%s/topics/%s/configs", c, n);
    api_v3_related(v, "partition_reassignments", "clusters/%s/topics/%s/partitions/-/reassignment",
                   c, n);
    fmt_jsonw_key(&v->w, "authorized_operations");
    fmt_jsonw_arr_begin(&v->w);
    fmt_jsonw_arr_end(&v->w);
    api_v3_resource_end(v);
}

/* A topic as the snapshot has it; replication_factor is partition 0's replica count, as
 * Confluent's. */
static void write_topic(api_v3_t *v, const char *c, const kafka_md_topic_t *t)
{
    int rf = t->n_partitions > 0 ? (int)t->partitions[0].n_replicas : 0;
    api_v3_topic_write(v, c, t->name, t->internal, rf, (int)t->n_partitions);
}

static api_status_t render_topics(api_req_t *req, kafka_md_t *md)
{
    kr_err_t err = {0};
    if (authorized_operations_check(req, "includeAuthorizedOperations", &err) != 0)
        return api_reply_err(req, &err);
    api_v3_t v;
    api_v3_init(&v, req);
    api_v3_collection_begin(&v, "KafkaTopicList", "clusters/%s/topics", md->cluster_id);
    for (size_t i = 0; i < md->n_topics; i++) {
        if (!md->topics[i].internal) /* the snapshot is sorted by name */
            write_topic(&v, md->cluster_id, &md->topics[i]);
    }
    api_v3_collection_end(&v);
    return api_v3_reply(&v, 200);
}

api_status_t api_v3_topics_list(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, render_topics);
}

static api_status_t render_topic(api_req_t *req, kafka_md_t *md)
{
    kr_err_t err = {0};
    const kafka_md_topic_t *t = api_v3_topic_find(md, req->params[P_TOPIC], &err);
    if (!t || authorized_operations_check(req, "include_authorized_operations", &err) != 0)
        return api_reply_err(req, &err);
    api_v3_t v;
    api_v3_init(&v, req);
    write_topic(&v, md->cluster_id, t);
    return api_v3_reply(&v, 200);
}

api_status_t api_v3_topic_get(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER | API_V3_MD_TOPIC, render_topic);
}
