/* kafka/admin.h -- the asynchronous Kafka admin layer of the v3 API: topics, configs, consumer
 * groups and ACLs, issued with librdkafka's Admin API on one result queue that the kafka loop
 * serves. Results are plain C structs: no librdkafka type leaks out.
 *
 * Every call has a deadline, timeout_ms (librdkafka's request timeout, and the broker's
 * operation timeout where it waits), and a completion cb. libuv's rule: a call that returns -1
 * (err set: 42901 too many requests in flight, 503 shutting down, 40002 bad arguments) never
 * calls cb; one that returns 0 calls cb exactly once, on the kafka loop thread, with a result
 * (owned by cb: free it with the function the call names) and err NULL, or with result NULL
 * and err (borrowed) set: 50302 when no broker answered in time, 50003/50002 otherwise, the v3
 * codes of kafka_err_code_v3() for Kafka's own refusals. cb must not block.
 * May use: util/, librdkafka. Threads: every call from any thread and never blocks, except
 * kafka_admin_watermarks() (worker threads only); callbacks run on the kafka loop. */
#ifndef KR_KAFKA_ADMIN_H
#define KR_KAFKA_ADMIN_H

#include "kafka/admin_names.h"
#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rd_kafka_s rd_kafka_t;
typedef struct kafka_loop kafka_loop_t;
typedef struct kafka_admin kafka_admin_t;

/** The completion of every call: see the file comment. */
typedef void (*kafka_admin_cb)(void *arg, void *result, const kr_err_t *err);

/** Most admin requests a krest may have in flight; one more is refused with 42901. */
#define KAFKA_ADMIN_MAX_INFLIGHT 1024

/** Creates the admin layer over rk and loop (both borrowed; must outlive it).
 * @return owned object (kafka_admin_free), or NULL with err set. Start-up. */
kafka_admin_t *kafka_admin_new(rd_kafka_t *rk, kafka_loop_t *loop, kr_err_t *err);

/** Refuses new calls (503), waits for the requests in flight to complete (each has its
 * deadline; a read-modify-write stops between its steps with 503), then stops watching the
 * queue. Callbacks run on the loop during the wait and never after the return. Should a
 * request outlive its deadline by 5 s, it is abandoned: its callback never runs and its
 * memory is left to the exiting process (logged). Not on the loop thread; the loop must still
 * run. kafka_admin_free(NULL) is a no-op. */
void kafka_admin_free(kafka_admin_t *a);

/** A name and a value (NULL = no value), borrowed. */
typedef struct kafka_admin_kv {
    const char *name;
    const char *value;
} kafka_admin_kv_t;

/** The outcome of one item of a call on several (a topic, an ACL binding). */
typedef struct kafka_admin_item {
    char *name;          /* the item's name (topic; ACL resource name) */
    kr_err_t err;        /* code KR_ERR_NONE when the item succeeded */
    bool already_exists; /* CreateTopics: err is Kafka's TopicExists (code 40002) */
} kafka_admin_item_t;

typedef struct kafka_admin_items {
    kafka_admin_item_t *items; /* in the order of the call's items */
    size_t n;
} kafka_admin_items_t;

/** Frees a result; NULL is a no-op. */
void kafka_admin_items_free(kafka_admin_items_t *r);

/* ---- Topics (admin_topics.c) ---- */

typedef struct kafka_admin_replicas {
    const int32_t *brokers;
    size_t n;
} kafka_admin_replicas_t;

typedef struct kafka_admin_new_topic {
    const char *name;
    int32_t partitions;         /* -1: the broker's num.partitions */
    int32_t replication_factor; /* -1: the broker's default.replication.factor */
    /* Optional: the replicas of partitions 0..n_assignment-1, which then define the partition
     * count and the replication factor (partitions and replication_factor are ignored). */
    const kafka_admin_replicas_t *assignment;
    size_t n_assignment;
    const kafka_admin_kv_t *configs;
    size_t n_configs;
} kafka_admin_new_topic_t;

/** Creates topics (CreateTopics; validate_only asks the broker to check only).
 * Result: kafka_admin_items_t, one item per topic (errors 40002 for TopicExists and the other
 * refusals). @return 0, or -1 with err set (cb not called). */
int kafka_admin_create_topics(kafka_admin_t *a, const kafka_admin_new_topic_t *topics, size_t n,
                              bool validate_only, int64_t timeout_ms, kafka_admin_cb cb, void *arg,
                              kr_err_t *err);

/** Deletes topics (DeleteTopics). Result: kafka_admin_items_t, one per name (40403 unknown).
 * @return 0, or -1 with err set. */
int kafka_admin_delete_topics(kafka_admin_t *a, const char *const *names, size_t n,
                              int64_t timeout_ms, kafka_admin_cb cb, void *arg, kr_err_t *err);

typedef struct kafka_admin_new_partitions {
    const char *topic;
    int32_t total; /* the new partition count */
} kafka_admin_new_partitions_t;

/** Raises partition counts (CreatePartitions). Result: kafka_admin_items_t, one per topic.
 * @return 0, or -1 with err set. */
int kafka_admin_create_partitions(kafka_admin_t *a, const kafka_admin_new_partitions_t *parts,
                                  size_t n, bool validate_only, int64_t timeout_ms,
                                  kafka_admin_cb cb, void *arg, kr_err_t *err);

/* ---- Configs (admin_configs.c, admin_merge.c) ---- */

typedef enum kafka_admin_res_type {
    KAFKA_ADMIN_RES_TOPIC = 2,
    KAFKA_ADMIN_RES_BROKER = 4,
} kafka_admin_res_type_t;

/** A config resource: a topic, a broker (name = its id), or with type BROKER and name "" the
 * cluster-wide default broker config. */
typedef struct kafka_admin_resource {
    kafka_admin_res_type_t type;
    const char *name;
} kafka_admin_resource_t;

typedef struct kafka_admin_synonym {
    char *name;
    char *value; /* NULL when sensitive or null */
    kafka_config_source_t source;
} kafka_admin_synonym_t;

typedef struct kafka_admin_config {
    char *name;
    char *value; /* NULL when sensitive or null */
    bool is_default;
    bool is_read_only;
    bool is_sensitive;
    kafka_config_source_t source;
    kafka_admin_synonym_t *synonyms; /* the entry itself first, as Kafka lists them */
    size_t n_synonyms;
} kafka_admin_config_t;

typedef struct kafka_admin_config_res {
    kafka_admin_res_type_t type;
    char *name;
    kr_err_t err; /* the resource's error (code KR_ERR_NONE: configs are valid) */
    kafka_admin_config_t *configs;
    size_t n_configs;
} kafka_admin_config_res_t;

typedef struct kafka_admin_configs {
    kafka_admin_config_res_t *resources; /* in the order of the call's resources */
    size_t n;
} kafka_admin_configs_t;

/** Frees a result; NULL is a no-op. */
void kafka_admin_configs_free(kafka_admin_configs_t *c);

/** Describes the configs of n resources (DescribeConfigs, with synonyms; one librdkafka
 * request for the topics and one per broker, as librdkafka allows one broker per request).
 * The cluster default (BROKER "") cannot be named to librdkafka 2.0.2: krest describes the
 * controller instead and keeps the DYNAMIC_DEFAULT_BROKER_CONFIG synonyms, which are exactly
 * the cluster-wide dynamic settings. A resource Kafka does not know has its err set (40403
 * for a topic). Result: kafka_admin_configs_t. @return 0, or -1 with err set. */
int kafka_admin_describe_configs(kafka_admin_t *a, const kafka_admin_resource_t *res, size_t n,
                                 int64_t timeout_ms, kafka_admin_cb cb, void *arg, kr_err_t *err);

/** Reads the cluster's auto.create.topics.enable from the configs of broker broker_id
 * (DescribeConfigs; every broker of a cluster should agree) and caches it in a. Result: NULL;
 * when err is NULL the value is cached: kafka_admin_auto_create_peek(a, INT64_MAX) gives it.
 * @return 0, or -1 with err set. */
int kafka_admin_auto_create_read(kafka_admin_t *a, int32_t broker_id, int64_t timeout_ms,
                                 kafka_admin_cb cb, void *arg, kr_err_t *err);

/** @return the cluster's auto.create.topics.enable as the last kafka_admin_auto_create_read()
 * found it: 1 or 0 when read at most max_age_ms ago, else -1. Never blocks; any thread. */
int kafka_admin_auto_create_peek(kafka_admin_t *a, int64_t max_age_ms);

/** Replaces the whole dynamic config set of one resource (non-incremental AlterConfigs): every
 * dynamic config not listed returns to its default. Result: NULL (success), else err is the
 * resource's error. BROKER "" is refused (librdkafka 2.0.2 cannot address it): -1 with 50002.
 * @return 0, or -1 with err set. */
int kafka_admin_alter_configs(kafka_admin_t *a, const kafka_admin_resource_t *res,
                              const kafka_admin_kv_t *configs, size_t n, bool validate_only,
                              int64_t timeout_ms, kafka_admin_cb cb, void *arg, kr_err_t *err);

typedef enum kafka_admin_config_op_kind {
    KAFKA_ADMIN_CONFIG_SET = 0,
    KAFKA_ADMIN_CONFIG_DELETE = 1, /* back to the inherited value; a name not set is a no-op */
} kafka_admin_config_op_kind_t;

typedef struct kafka_admin_config_op {
    const char *name;
    const char *value; /* SET only; NULL sets a null value */
    kafka_admin_config_op_kind_t op;
} kafka_admin_config_op_t;

/** Read-modify-write, what IncrementalAlterConfigs would do: DescribeConfigs the resource,
 * take its current dynamic set (kafka_admin_dynamic_source()), apply ops in order
 * (kafka_admin_config_merge()), AlterConfigs the merged set; both steps within timeout_ms.
 * Another client altering the same resource between the two steps can be overwritten (there is
 * no compare-and-set in AlterConfigs). Result: NULL (success). Errors: the describe's or the
 * alter's; 40002 when a dynamic config is sensitive and not named by ops (its value cannot be
 * read back, and sending the set without it would drop it). @return 0, or -1 with err set
 * (ops are copied; they may go away once the call returns). */
int kafka_admin_alter_configs_merge(kafka_admin_t *a, const kafka_admin_resource_t *res,
                                    const kafka_admin_config_op_t *ops, size_t n_ops,
                                    bool validate_only, int64_t timeout_ms, kafka_admin_cb cb,
                                    void *arg, kr_err_t *err);

/** @return the config source of the dynamic set AlterConfigs replaces for res: topic ->
 * DYNAMIC_TOPIC_CONFIG, broker id -> DYNAMIC_BROKER_CONFIG, BROKER "" ->
 * DYNAMIC_DEFAULT_BROKER_CONFIG. Pure. */
kafka_config_source_t kafka_admin_dynamic_source(const kafka_admin_resource_t *res);

/** The merge step (pure): the entries of cur that are dynamic (their own source, or a synonym
 * of that source: the value stored a moment ago, not applied yet), then ops applied in
 * order (SET replaces or appends, DELETE removes; DELETE of a name not in the set is a
 * no-op). @param out set to an owned array (xfree) of n_out pairs whose strings are borrowed
 * from cur and ops. @return 0, or -1 with err 40002 naming a sensitive dynamic config that ops
 * do not name (*out untouched). */
int kafka_admin_config_merge(const kafka_admin_config_t *cur, size_t n_cur,
                             kafka_config_source_t dynamic, const kafka_admin_config_op_t *ops,
                             size_t n_ops, kafka_admin_kv_t **out, size_t *n_out, kr_err_t *err);

/** @return true when cur's dynamic set (as kafka_admin_config_merge reads it) is exactly want:
 * the same names, and the same values where both can be read (sensitive ones read as NULL).
 * Pure; what the read-modify-write waits for before it answers (read-your-writes). */
bool kafka_admin_config_applied(const kafka_admin_config_t *cur, size_t n_cur,
                                kafka_config_source_t dynamic, const kafka_admin_kv_t *want,
                                size_t n_want);

/* ---- Consumer groups (admin_groups.c) ---- */

typedef struct kafka_admin_group_listing {
    char *group_id;
    bool is_simple; /* no consumer protocol (offsets committed by a simple consumer) */
    kafka_group_state_t state;
} kafka_admin_group_listing_t;

typedef struct kafka_admin_group_list {
    kafka_admin_group_listing_t *groups;
    size_t n;
    kr_err_t err; /* some broker did not answer: the list may be partial (code 0 when not) */
} kafka_admin_group_list_t;

/** Frees a result; NULL is a no-op. */
void kafka_admin_group_list_free(kafka_admin_group_list_t *l);

/** Lists the cluster's consumer groups (ListConsumerGroups; every broker is asked). The call
 * fails only when no broker answered. Result: kafka_admin_group_list_t.
 * @return 0, or -1 with err set. */
int kafka_admin_list_groups(kafka_admin_t *a, int64_t timeout_ms, kafka_admin_cb cb, void *arg,
                            kr_err_t *err);

typedef struct kafka_admin_tp {
    char *topic;
    int32_t partition;
} kafka_admin_tp_t;

typedef struct kafka_admin_member {
    char *consumer_id;       /* the member id */
    char *group_instance_id; /* static membership, else NULL */
    char *client_id;
    char *host;
    kafka_admin_tp_t *assignment;
    size_t n_assignment;
} kafka_admin_member_t;

typedef struct kafka_admin_group {
    char *group_id;
    kr_err_t err; /* the group's error; a group Kafka does not know is state DEAD, no error */
    bool is_simple;
    char *partition_assignor; /* "" when none */
    kafka_group_state_t state;
    int32_t coordinator_id; /* -1 when unknown */
    char *coordinator_host; /* NULL when unknown */
    int coordinator_port;
    kafka_admin_member_t *members;
    size_t n_members;
} kafka_admin_group_t;

typedef struct kafka_admin_groups {
    kafka_admin_group_t *groups; /* in the order of the call's ids */
    size_t n;
} kafka_admin_groups_t;

/** Frees a result; NULL is a no-op. */
void kafka_admin_groups_free(kafka_admin_groups_t *g);

/** Describes consumer groups (DescribeConsumerGroups). Result: kafka_admin_groups_t.
 * @return 0, or -1 with err set. */
int kafka_admin_describe_groups(kafka_admin_t *a, const char *const *ids, size_t n,
                                int64_t timeout_ms, kafka_admin_cb cb, void *arg, kr_err_t *err);

typedef struct kafka_admin_offset {
    char *topic;
    int32_t partition;
    int64_t offset; /* the committed offset, -1 when none */
    int err_code;   /* KR_ERR_* of the partition, 0 when fine */
} kafka_admin_offset_t;

typedef struct kafka_admin_offsets {
    kafka_admin_offset_t *offsets; /* sorted by topic, then partition */
    size_t n;
} kafka_admin_offsets_t;

/** Frees a result; NULL is a no-op. */
void kafka_admin_offsets_free(kafka_admin_offsets_t *o);

/** Lists a group's committed offsets, all partitions (ListConsumerGroupOffsets). A group
 * without commits (or unknown) gives n = 0. Result: kafka_admin_offsets_t.
 * @return 0, or -1 with err set. */
int kafka_admin_list_group_offsets(kafka_admin_t *a, const char *group_id, int64_t timeout_ms,
                                   kafka_admin_cb cb, void *arg, kr_err_t *err);

/* ---- ACLs (admin_acls.c) ---- */

/** An ACL binding, or a filter (NULL strings and the ANY values match anything). In results
 * the strings are owned by the result. */
typedef struct kafka_acl {
    kafka_acl_resource_t resource_type;
    const char *resource_name;
    kafka_acl_pattern_t pattern_type;
    const char *principal;
    const char *host;
    kafka_acl_operation_t operation;
    kafka_acl_permission_t permission;
} kafka_acl_t;

typedef struct kafka_admin_acls {
    kafka_acl_t *acls;
    size_t n;
} kafka_admin_acls_t;

/** Frees a result (and the strings of its ACLs); NULL is a no-op. */
void kafka_admin_acls_free(kafka_admin_acls_t *l);

/** Describes the ACLs matching filter (DescribeAcls). On a cluster without an authorizer the
 * error is 40002 (SecurityDisabled). Result: kafka_admin_acls_t.
 * @return 0, or -1 with err set (40002: a filter librdkafka refuses, e.g. TRANSACTIONAL_ID). */
int kafka_admin_describe_acls(kafka_admin_t *a, const kafka_acl_t *filter, int64_t timeout_ms,
                              kafka_admin_cb cb, void *arg, kr_err_t *err);

/** Creates ACL bindings (CreateAcls). Result: kafka_admin_items_t, one per binding (name: its
 * resource name). @return 0, or -1 with err set (40002: a binding librdkafka refuses). */
int kafka_admin_create_acls(kafka_admin_t *a, const kafka_acl_t *bindings, size_t n,
                            int64_t timeout_ms, kafka_admin_cb cb, void *arg, kr_err_t *err);

/** Deletes the ACLs matching any of the filters (DeleteAcls). Result: kafka_admin_acls_t, the
 * deleted bindings of all filters; a filter's error fails the whole call (its err).
 * @return 0, or -1 with err set. */
int kafka_admin_delete_acls(kafka_admin_t *a, const kafka_acl_t *filters, size_t n,
                            int64_t timeout_ms, kafka_admin_cb cb, void *arg, kr_err_t *err);

/* ---- Blocking and cached look-ups (admin_sync.c) ---- */

typedef struct kafka_admin_tp_ref {
    const char *topic;
    int32_t partition;
} kafka_admin_tp_ref_t;

/** Low and high watermarks of n partitions (rd_kafka_query_watermark_offsets, one partition
 * after the other, timeout_ms the deadline of them all). BLOCKS: worker threads only.
 * @param low, high arrays of n, filled. @return 0, or -1 with err naming the partition. */
int kafka_admin_watermarks(rd_kafka_t *rk, const kafka_admin_tp_ref_t *tps, size_t n,
                           int64_t timeout_ms, int64_t *low, int64_t *high, kr_err_t *err);

/** Copies the cluster id librdkafka learnt from its last metadata answer into out.
 * Never blocks. @return 0, or -1 when none is known yet (out ""). */
int kafka_admin_cluster_id(kafka_admin_t *a, char *out, size_t size);

/** @return the controller's broker id from librdkafka's last metadata answer, -1 when not
 * known yet. Never blocks. */
int32_t kafka_admin_controller_id(kafka_admin_t *a);

#endif
