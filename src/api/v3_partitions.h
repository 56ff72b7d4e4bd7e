/* api/v3_partitions.h -- v3 partitions, their offsets, replicas and reassignments (API.md
 * §3.3): …/topics/{t}/partitions[/{p}[/offset|/replicas[/{b}]]], …/brokers/{b}/
 * partition-replicas, and the three reassignment reads (501: see docs/v3.md).
 * May use: api/v3.h, api/job.h, kafka/metadata.h, util/. Threads: HTTP threads; the
 * watermark look-up on a worker. */
#ifndef KR_API_V3_PARTITIONS_H
#define KR_API_V3_PARTITIONS_H

#include "api/api.h"

/** GET …/topics/{t}/partitions: KafkaPartitionList by partition id. */
api_status_t api_v3_partitions_list(api_req_t *req);
/** GET …/topics/{t}/partitions/{p}: KafkaPartition. */
api_status_t api_v3_partition_get(api_req_t *req);
/** GET …/topics/{t}/partitions/{p}/offset[?offset_type=earliest_and_latest]:
 * KafkaPartitionWithOffsets from the partition's watermarks. */
api_status_t api_v3_partition_offsets(api_req_t *req);
/** GET …/topics/{t}/partitions/{p}/replicas: KafkaReplicaList in the partition's order. */
api_status_t api_v3_replicas_list(api_req_t *req);
/** GET …/topics/{t}/partitions/{p}/replicas/{b}: KafkaReplica. */
api_status_t api_v3_replica_get(api_req_t *req);
/** GET /v3/clusters/{c}/brokers/{b}/partition-replicas: the broker's replicas (internal
 * topics too) by topic, then partition. */
api_status_t api_v3_broker_replicas(api_req_t *req);
/** GET …/topics/-/partitions/-/reassignment, …/topics/{t}/partitions/-/reassignment and
 * …/topics/{t}/partitions/{p}/reassignment: 501 after the cluster check (librdkafka 2.0.2
 * has no ListPartitionReassignments). */
api_status_t api_v3_reassignments(api_req_t *req);

#endif
