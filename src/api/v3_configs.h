/* api/v3_configs.h -- v3 configs (API.md §3.3): a topic's, a broker's and the cluster-wide
 * broker configs, read (DescribeConfigs) and changed (a read-modify-write AlterConfigs, as
 * librdkafka 2.0.2 has no IncrementalAlterConfigs). Path parameters: {cluster} first, then the
 * topic or broker, then the config name.
 * May use: api/, kafka/admin.h, kafka/metadata.h, format/, util/. Threads: HTTP threads. */
#ifndef KR_API_V3_CONFIGS_H
#define KR_API_V3_CONFIGS_H

#include "api/api.h"

/* Reads (v3_configs.c): KafkaTopicConfig(List), KafkaBrokerConfig(List), KafkaClusterConfig(List),
 * configs sorted by name (resources by topic name or broker id first). */

/** GET …/brokers/-/configs: every broker's configs. */
api_status_t api_v3_broker_configs_all(api_req_t *req);
/** GET …/brokers/{b}/configs; 404 "Broker <b> cannot be found." */
api_status_t api_v3_broker_configs_list(api_req_t *req);
/** GET …/brokers/{b}/configs/{name}; 404 for a name the broker does not have. */
api_status_t api_v3_broker_config_get(api_req_t *req);
/** GET …/broker-configs: the cluster-wide dynamic broker configs (may be empty). */
api_status_t api_v3_cluster_configs_list(api_req_t *req);
/** GET …/broker-configs/{name}; 404 when not set cluster-wide. */
api_status_t api_v3_cluster_config_get(api_req_t *req);
/** GET …/topics/-/configs: the configs of every topic that is not internal. */
api_status_t api_v3_topic_configs_all(api_req_t *req);
/** GET …/topics/{t}/configs; 404/40403 for an unknown topic. */
api_status_t api_v3_topic_configs_list(api_req_t *req);
/** GET …/topics/{t}/configs/{name}; 404 for a name the topic does not have. */
api_status_t api_v3_topic_config_get(api_req_t *req);

/* Changes (v3_configs_alter.c): 204 when done. */

/** PUT …/brokers/{b}/configs/{name} {"value":…}. */
api_status_t api_v3_broker_config_update(api_req_t *req);
/** DELETE …/brokers/{b}/configs/{name}: back to the inherited value. */
api_status_t api_v3_broker_config_reset(api_req_t *req);
/** POST …/brokers/{b}/configs:alter {"data":[{name,value,operation}]}. */
api_status_t api_v3_broker_configs_alter(api_req_t *req);
/** PUT …/topics/{t}/configs/{name} {"value":…}. */
api_status_t api_v3_topic_config_update(api_req_t *req);
/** DELETE …/topics/{t}/configs/{name}. */
api_status_t api_v3_topic_config_reset(api_req_t *req);
/** POST …/topics/{t}/configs:alter {"data":[…],"validate_only":…}. */
api_status_t api_v3_topic_configs_alter(api_req_t *req);
/** POST …/topics/-/configs:alter {"data":[{topic_name,configs}],"validate_only":…}: 204, or 207
 * {"failures":[{topic_name,error_code,message}]} when some topics failed. */
api_status_t api_v3_topics_configs_alter(api_req_t *req);
/** PUT, DELETE …/broker-configs/{name} and POST …/broker-configs:alter: 501 after the cluster
 * and the body are checked (librdkafka 2.0.2 cannot name the cluster-wide resource). */
api_status_t api_v3_cluster_config_update(api_req_t *req);
api_status_t api_v3_cluster_config_reset(api_req_t *req);
api_status_t api_v3_cluster_configs_alter(api_req_t *req);

#endif
