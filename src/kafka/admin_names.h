/* kafka/admin_names.h -- the enumerations of the v3 admin API (API.md §3.4) as krest's own
 * enums, with their names both ways: config sources, consumer group states, and the four ACL
 * enums. The ACL values are Kafka's wire values, so kafka/ passes them to librdkafka as they
 * are. Pure tables: no librdkafka, safe to include from api/.
 * May use: nothing. Threads: any. */
#ifndef KR_KAFKA_ADMIN_NAMES_H
#define KR_KAFKA_ADMIN_NAMES_H

typedef enum kafka_config_source {
    KAFKA_CONFIG_SOURCE_UNKNOWN = 0,
    KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG,
    KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG,
    KAFKA_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER_CONFIG,
    KAFKA_CONFIG_SOURCE_STATIC_BROKER_CONFIG,
    KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG,
    KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_LOGGER_CONFIG,
    KAFKA_CONFIG_SOURCE_DYNAMIC_CLUSTER_LINK_CONFIG,
    KAFKA_CONFIG_SOURCE__CNT
} kafka_config_source_t;

/* librdkafka 2.0.2 reports the first six; ASSIGNING and RECONCILING (KIP-848 groups) are
 * named for completeness. */
typedef enum kafka_group_state {
    KAFKA_GROUP_STATE_UNKNOWN = 0,
    KAFKA_GROUP_STATE_PREPARING_REBALANCE,
    KAFKA_GROUP_STATE_COMPLETING_REBALANCE,
    KAFKA_GROUP_STATE_STABLE,
    KAFKA_GROUP_STATE_DEAD,
    KAFKA_GROUP_STATE_EMPTY,
    KAFKA_GROUP_STATE_ASSIGNING,
    KAFKA_GROUP_STATE_RECONCILING,
    KAFKA_GROUP_STATE__CNT
} kafka_group_state_t;

/* Kafka's ResourceType. librdkafka 2.0.2 knows 0-4 only (it calls 4 BROKER): an ACL on a
 * TRANSACTIONAL_ID or DELEGATION_TOKEN can be neither created nor filtered through it, and
 * reads back as UNKNOWN. */
typedef enum kafka_acl_resource {
    KAFKA_ACL_RESOURCE_UNKNOWN = 0,
    KAFKA_ACL_RESOURCE_ANY = 1,
    KAFKA_ACL_RESOURCE_TOPIC = 2,
    KAFKA_ACL_RESOURCE_GROUP = 3,
    KAFKA_ACL_RESOURCE_CLUSTER = 4,
    KAFKA_ACL_RESOURCE_TRANSACTIONAL_ID = 5,
    KAFKA_ACL_RESOURCE_DELEGATION_TOKEN = 6,
    KAFKA_ACL_RESOURCE__CNT
} kafka_acl_resource_t;

typedef enum kafka_acl_pattern {
    KAFKA_ACL_PATTERN_UNKNOWN = 0,
    KAFKA_ACL_PATTERN_ANY = 1,
    KAFKA_ACL_PATTERN_MATCH = 2,
    KAFKA_ACL_PATTERN_LITERAL = 3,
    KAFKA_ACL_PATTERN_PREFIXED = 4,
    KAFKA_ACL_PATTERN__CNT
} kafka_acl_pattern_t;

typedef enum kafka_acl_operation {
    KAFKA_ACL_OP_UNKNOWN = 0,
    KAFKA_ACL_OP_ANY = 1,
    KAFKA_ACL_OP_ALL = 2,
    KAFKA_ACL_OP_READ = 3,
    KAFKA_ACL_OP_WRITE = 4,
    KAFKA_ACL_OP_CREATE = 5,
    KAFKA_ACL_OP_DELETE = 6,
    KAFKA_ACL_OP_ALTER = 7,
    KAFKA_ACL_OP_DESCRIBE = 8,
    KAFKA_ACL_OP_CLUSTER_ACTION = 9,
    KAFKA_ACL_OP_DESCRIBE_CONFIGS = 10,
    KAFKA_ACL_OP_ALTER_CONFIGS = 11,
    KAFKA_ACL_OP_IDEMPOTENT_WRITE = 12,
    KAFKA_ACL_OP__CNT
} kafka_acl_operation_t;

typedef enum kafka_acl_permission {
    KAFKA_ACL_PERMISSION_UNKNOWN = 0,
    KAFKA_ACL_PERMISSION_ANY = 1,
    KAFKA_ACL_PERMISSION_DENY = 2,
    KAFKA_ACL_PERMISSION_ALLOW = 3,
    KAFKA_ACL_PERMISSION__CNT
} kafka_acl_permission_t;

/* Each *_name() returns the upper-case API name (static), "UNKNOWN" for a value out of range.
 * Each *_parse() accepts the name in any case (the v3 query parameters are lower case) and
 * returns 0 with *out set, or -1 when the name is not one of the enum's. */
const char *kafka_config_source_name(kafka_config_source_t v);
int kafka_config_source_parse(const char *name, kafka_config_source_t *out);
const char *kafka_group_state_name(kafka_group_state_t v);
int kafka_group_state_parse(const char *name, kafka_group_state_t *out);
const char *kafka_acl_resource_name(kafka_acl_resource_t v);
int kafka_acl_resource_parse(const char *name, kafka_acl_resource_t *out);
const char *kafka_acl_pattern_name(kafka_acl_pattern_t v);
int kafka_acl_pattern_parse(const char *name, kafka_acl_pattern_t *out);
const char *kafka_acl_operation_name(kafka_acl_operation_t v);
int kafka_acl_operation_parse(const char *name, kafka_acl_operation_t *out);
const char *kafka_acl_permission_name(kafka_acl_permission_t v);
int kafka_acl_permission_parse(const char *name, kafka_acl_permission_t *out);

#endif
