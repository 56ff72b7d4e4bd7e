/* api/v3_clusters.h -- v3 clusters and brokers (API.md §3.3): /v3/clusters[/{c}],
 * /v3/clusters/{c}/brokers[/{b}], all from the metadata cache.
 * May use: api/v3.h, kafka/metadata.h, util/. Threads: HTTP threads. */
#ifndef KR_API_V3_CLUSTERS_H
#define KR_API_V3_CLUSTERS_H

#include "api/api.h"

/** GET /v3/clusters: a KafkaClusterList of exactly the one cluster. */
api_status_t api_v3_clusters_list(api_req_t *req);
/** GET /v3/clusters/{c}: KafkaCluster; 404 when {c} is not the cluster's id. */
api_status_t api_v3_cluster_get(api_req_t *req);
/** GET /v3/clusters/{c}/brokers: KafkaBrokerList, by broker id. */
api_status_t api_v3_brokers_list(api_req_t *req);
/** GET /v3/clusters/{c}/brokers/{b}: KafkaBroker; 404 "Broker <b> cannot be found.". */
api_status_t api_v3_broker_get(api_req_t *req);

#endif
