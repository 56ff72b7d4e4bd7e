/* api/v3_configs_int.h -- what the two halves of the v3 configs family share (v3_configs.c
 * reads, v3_configs_alter.c changes): the three config kinds and Confluent's "config not found"
 * answer. Only api/v3_configs*.c include it.
 * May use: kafka/admin.h, util/. Threads: any (pure). */
#ifndef KR_API_V3_CONFIGS_INT_H
#define KR_API_V3_CONFIGS_INT_H

#include "kafka/admin.h"
#include "util/err.h"

typedef enum api_v3_cfg_kind {
    API_V3_CFG_TOPIC = 0,   /* KafkaTopicConfig: a topic's */
    API_V3_CFG_BROKER = 1,  /* KafkaBrokerConfig: one broker's */
    API_V3_CFG_CLUSTER = 2, /* KafkaClusterConfig: the cluster-wide broker configs */
} api_v3_cfg_kind_t;

/** @return the config named name in r (borrowed from r), or NULL. */
const kafka_admin_config_t *api_v3_cfg_find(const kafka_admin_config_res_t *r, const char *name);

/** Copies a described resource's error into err; Kafka's UnknownTopicOrPartition gets
 * Confluent's message, as api_v3_topic_find's. @return -1. */
int api_v3_cfg_res_err(const kafka_admin_config_res_t *r, kr_err_t *err);

/** Sets err to Confluent's 404 "Config <name> cannot be found for <TOPIC|BROKER> <owner> in
 * cluster <c>." (owner: the topic, the broker id, "" for the cluster-wide configs).
 * @return -1. */
int api_v3_cfg_not_found(api_v3_cfg_kind_t kind, const char *owner, const char *name,
                         const char *cluster_id, kr_err_t *err);

#endif
