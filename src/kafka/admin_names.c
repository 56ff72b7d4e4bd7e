/* kafka/admin_names.c -- name tables of the v3 admin enums. Pure. Threads: any. */
#include "kafka/admin_names.h"

#include <stddef.h>
#include <strings.h>

static const char *const config_sources[] = {
    "UNKNOWN",
    "DYNAMIC_TOPIC_CONFIG",
    "DYNAMIC_BROKER_CONFIG",
    "DYNAMIC_DEFAULT_BROKER_CONFIG",
    "STATIC_BROKER_CONFIG",
    "DEFAULT_CONFIG",
    "DYNAMIC_BROKER_LOGGER_CONFIG",
    "DYNAMIC_CLUSTER_LINK_CONFIG",
};
static const char *const group_states[] = {
    "UNKNOWN", "PREPARING_REBALANCE", "COMPLETING_REBALANCE", "STABLE", "DEAD",
    "EMPTY",   "ASSIGNING",           "RECONCILING",
};
static const char *const acl_resources[] = {
    "UNKNOWN", "ANY", "TOPIC", "GROUP", "CLUSTER", "TRANSACTIONAL_ID", "DELEGATION_TOKEN",
};
static const char *const acl_patterns[] = {"UNKNOWN", "ANY", "MATCH", "LITERAL", "PREFIXED"};
static const char *const acl_operations[] = {
    "UNKNOWN",
    "ANY",
    "ALL",
    "READ",
    "WRITE",
    "CREATE",
    "DELETE",
    "ALTER",
    "DESCRIBE",
    "CLUSTER_ACTION",
    "DESCRIBE_CONFIGS",
    "ALTER_CONFIGS",
    "IDEMPOTENT_WRITE",
};
static const char *const acl_permissions[] = {"UNKNOWN", "ANY", "DENY", "ALLOW"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

_Static_assert(COUNT(config_sources) == KAFKA_CONFIG_SOURCE__CNT, "config sources");
_Static_assert(COUNT(group_states) == KAFKA_GROUP_STATE__CNT, "group states");
_Static_assert(COUNT(acl_resources) == KAFKA_ACL_RESOURCE__CNT, "acl resource types");
_Static_assert(COUNT(acl_patterns) == KAFKA_ACL_PATTERN__CNT, "acl pattern types");
_Static_assert(COUNT(acl_operations) == KAFKA_ACL_OP__CNT, "acl operations");
_Static_assert(COUNT(acl_permissions) == KAFKA_ACL_PERMISSION__CNT, "acl permissions");

static const char *name_of(const char *const *table, size_t n, int v)
{
    return v >= 0 && (size_t)v < n ? table[v] : "UNKNOWN";
}

static int parse(const char *const *table, size_t n, const char *name, int *out)
{
    for (size_t i = 0; name && i < n; i++) {
        if (strcasecmp(table[i], name) == 0) {
            *out = (int)i;
            return 0;
        }
    }
    return -1;
}

/* One name/parse pair per enum; the enum's values are the table's indices. */
#define NAME_TABLE(fn, type, table)                                                                \
    const char *fn##_name(type v)                                                                  \
    {                                                                                              \
        return name_of(table, COUNT(table), (int)v);                                               \
    }                                                                                              \
    int fn##_parse(const char *name, type *out)                                                    \
    {                                                                                              \
        int v = 0;                                                                                 \
        if (parse(table, COUNT(table), name, &v) != 0)                                             \
            return -1;                                                                             \
        *out = (type)v;                                                                            \
        return 0;                                                                                  \
    }

NAME_TABLE(kafka_config_source, kafka_config_source_t, config_sources)
NAME_TABLE(kafka_group_state, kafka_group_state_t, group_states)
NAME_TABLE(kafka_acl_resource, kafka_acl_resource_t, acl_resources)
NAME_TABLE(kafka_acl_pattern, kafka_acl_pattern_t, acl_patterns)
NAME_TABLE(kafka_acl_operation, kafka_acl_operation_t, acl_operations)
NAME_TABLE(kafka_acl_permission, kafka_acl_permission_t, acl_permissions)
