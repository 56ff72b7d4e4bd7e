/* api/v3_groups.h -- v3 consumer groups, their consumers and assignments (API.md §3.3):
 * …/consumer-groups[/{g}[/consumers[/{cid}[/assignments[/{t}/partitions/{p}]]]]], from
 * ListConsumerGroups and DescribeConsumerGroups (kafka/admin.h). The lags live in v3_lags.h.
 * May use: api/v3.h, api/job.h, kafka/admin.h, util/. Threads: HTTP threads; admin callbacks
 * on the kafka loop. */
#ifndef KR_API_V3_GROUPS_H
#define KR_API_V3_GROUPS_H

#include "api/api.h"
#include "kafka/admin.h"

#include <stdbool.h>

/** GET /v3/clusters/{c}/consumer-groups: KafkaConsumerGroupList, every group described,
 * by group id. */
api_status_t api_v3_groups_list(api_req_t *req);
/** GET …/consumer-groups/{g}: KafkaConsumerGroup. */
api_status_t api_v3_group_get(api_req_t *req);
/** GET …/consumer-groups/{g}/consumers: KafkaConsumerList by consumer_id. */
api_status_t api_v3_consumers_list(api_req_t *req);
/** GET …/consumer-groups/{g}/consumers/{cid}: KafkaConsumer. */
api_status_t api_v3_consumer_get(api_req_t *req);
/** GET …/consumers/{cid}/assignments: KafkaConsumerAssignmentList by topic, then partition. */
api_status_t api_v3_assignments_list(api_req_t *req);
/** GET …/consumers/{cid}/assignments/{t}/partitions/{p}: KafkaConsumerAssignment. */
api_status_t api_v3_assignment_get(api_req_t *req);

/** @return whether a described group does not exist for v3, as Confluent decides: Kafka
 * describes an unknown group as a simple group in state DEAD; a group the principal may not
 * describe (40301) or that Kafka says is not found (404) is missing too. Pure. */
bool api_v3_group_missing(const kafka_admin_group_t *g);

/** @return the member of g assigned topic/partition (borrowed from g), or NULL. Pure. */
const kafka_admin_member_t *api_v3_group_owner(const kafka_admin_group_t *g, const char *topic,
                                               int32_t partition);

/** @return a member's static instance id, or NULL when it has none. Pure. */
const char *api_v3_member_instance_id(const kafka_admin_member_t *m);

#endif
