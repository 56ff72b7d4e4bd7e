/* api/v3_clusters.c -- v3 clusters and brokers (see v3_clusters.h). Every answer comes from
 * one metadata snapshot: the cluster id and controller librdkafka cached with it, the brokers
 * it lists (host and port as advertised; rack null, librdkafka 2.0.2 does not report it).
 * Threads: HTTP threads. */
#include "api/v3_clusters.h"

#include "api/v3.h"

enum { P_CLUSTER = 0, P_BROKER = 1 };

static void write_cluster(api_v3_t *v, const kafka_md_t *md)
{
    const char *c = md->cluster_id;
    api_v3_resource_begin(v, "KafkaCluster");
    api_v3_self(v, "clusters/%s", c);
    api_v3_crn(v, "kafka=%s", c);
    api_v3_metadata_end(v);
    fmt_jsonw_key(&v->w, "cluster_id");
    fmt_jsonw_str(&v->w, c);
    if (md->controller_id >= 0) {
        api_v3_related(v, "controller", "clusters/%s/brokers/%d", c, (int)md->controller_id);
    } else {
        fmt_jsonw_key(&v->w, "controller");
        fmt_jsonw_null(&v->w);
    }
    api_v3_related(v, "acls", "clusters/%s/acls", c);
    api_v3_related(v, "brokers", "clusters/%s/brokers", c);
    api_v3_related(v, "broker_configs", "clusters/%s/broker-configs", c);
    api_v3_related(v, "consumer_groups", "clusters/%s/consumer-groups", c);
    api_v3_related(v, "topics", "clusters/%s/topics", c);
    api_v3_related(v, "partition_reassignments", "clusters/%s/topics/-/partitions/-/reassignment",
                   c);
    api_v3_resource_end(v);
}

static api_status_t render_clusters(api_req_t *req, kafka_md_t *md)
{
    if (!md->cluster_id) {
        kr_err_t err = {0};
        api_v3_cluster_check(md, "", &err); /* 502: Kafka gave no cluster id */
        return api_reply_err(req, &err);
    }
    api_v3_t v;
    api_v3_init(&v, req);
    api_v3_collection_begin(&v, "KafkaClusterList", "clusters");
    write_cluster(&v, md);
    api_v3_collection_end(&v);
    return api_v3_reply(&v, 200);
}

api_status_t api_v3_clusters_list(api_req_t *req)
{
    return api_v3_md_serve(req, 0, render_clusters);
}

static api_status_t render_cluster(api_req_t *req, kafka_md_t *md)
{
    kr_err_t err = {0};
    if (api_v3_cluster_check(md, req->params[P_CLUSTER], &err) != 0) {
        /* Confluent answers this one with JAX-RS's own NotFoundException. */
        if (err.code == KR_ERR_NOT_FOUND)
            kr_err_set(&err, KR_ERR_NOT_FOUND, "HTTP 404 Not Found");
        return api_reply_err(req, &err);
    }
    api_v3_t v;
    api_v3_init(&v, req);
    write_cluster(&v, md);
    return api_v3_reply(&v, 200);
}

api_status_t api_v3_cluster_get(api_req_t *req)
{
    return api_v3_md_serve(req, 0, render_cluster);
}

static void write_broker(api_v3_t *v, const char *c, const kafka_md_broker_t *b)
{
    int id = (int)b->id;
    api_v3_resource_begin(v, "KafkaBroker");
    api_v3_self(v, "clusters/%s/brokers/%d", c, id);
    api_v3_crn(v, "kafka=%s/broker=%d", c, id);
    api_v3_metadata_end(v);
    fmt_jsonw_key(&v->w, "cluster_id");
    fmt_jsonw_str(&v->w, c);
    fmt_jsonw_key(&v->w, "broker_id");
    fmt_jsonw_int(&v->w, id);
    fmt_jsonw_key(&v->w, "host");
    if (b->host && *b->host)
        fmt_jsonw_str(&v->w, b->host);
    else
        fmt_jsonw_null(&v->w);
    fmt_jsonw_key(&v->w, "port");
    if (b->port > 0)
        fmt_jsonw_int(&v->w, b->port);
    else
        fmt_jsonw_null(&v->w);
    fmt_jsonw_key(&v->w, "rack");
    if (b->rack)
        fmt_jsonw_str(&v->w, b->rack);
    else
        fmt_jsonw_null(&v->w);
    api_v3_related(v, "configs", "clusters/%s/brokers/%d/configs", c, id);
    api_v3_related(v, "partition_replicas", "clusters/%s/brokers/%d/partition-replicas", c, id);
    api_v3_resource_end(v);
}

static api_status_t render_brokers(api_req_t *req, kafka_md_t *md)
{
    api_v3_t v;
    api_v3_init(&v, req);
    api_v3_collection_begin(&v, "KafkaBrokerList", "clusters/%s/brokers", md->cluster_id);
    for (size_t i = 0; i < md->n_brokers; i++)
        write_broker(&v, md->cluster_id, &md->broker_info[i]);
    api_v3_collection_end(&v);
    return api_v3_reply(&v, 200);
}

api_status_t api_v3_brokers_list(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, render_brokers);
}

static api_status_t render_broker(api_req_t *req, kafka_md_t *md)
{
    int32_t id = -1;
    api_param_int32(req, P_BROKER, &id); /* the router checked it is an int32 */
    const kafka_md_broker_t *b = kafka_md_broker(md, id);
    if (!b)
        return api_reply_error(req, KR_ERR_NOT_FOUND, "Broker %d cannot be found.", (int)id);
    api_v3_t v;
    api_v3_init(&v, req);
    write_broker(&v, md->cluster_id, b);
    return api_v3_reply(&v, 200);
}

api_status_t api_v3_broker_get(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, render_broker);
}
