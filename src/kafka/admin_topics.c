/* kafka/admin_topics.c -- topics through the admin layer: CreateTopics, DeleteTopics,
 * CreatePartitions. Each result is a kafka_admin_items_t in the call's order, an item per
 * topic with Kafka's error for it.
 * May use: util/, librdkafka. Threads: calls from any thread; results on the kafka loop. */
#include "kafka/admin_int.h"

#include "util/mem.h"

#include <string.h>

/* The items prepared at the call; the event fills their errors. */
static void items_state_free(void *state)
{
    kafka_admin_items_free(state);
}

static void fill_items(kafka_admin_items_t *r, const rd_kafka_topic_result_t **res, size_t n)
{
    for (size_t i = 0; i < r->n; i++) {
        kr_err_set(&r->items[i].err, KR_ERR_KAFKA, "Kafka sent no result for topic %s",
                   r->items[i].name);
        for (size_t j = 0; j < n; j++) {
            if (strcmp(rd_kafka_topic_result_name(res[j]), r->items[i].name) != 0)
                continue;
            rd_kafka_resp_err_t e = rd_kafka_topic_result_error(res[j]);
            admin_item_err(&r->items[i].err, e, rd_kafka_topic_result_error_string(res[j]));
            r->items[i].already_exists = e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS;
            break;
        }
    }
}

static void on_topics_event(admin_op_t *op, rd_kafka_event_t *ev)
{
    kr_err_t err = {0};
    if (admin_event_err(ev, "topics request failed", &err) != 0) {
        admin_op_fail(op, &err);
        return;
    }
    size_t n = 0;
    const rd_kafka_topic_result_t **res = NULL;
    switch (rd_kafka_event_type(ev)) {
    case RD_KAFKA_EVENT_CREATETOPICS_RESULT:
        res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
        break;
    case RD_KAFKA_EVENT_DELETETOPICS_RESULT:
        res = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n);
        break;
    case RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT:
        res =
            rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev), &n);
        break;
    default:
        break;
    }
    kafka_admin_items_t *r = op->state;
    fill_items(r, res, n);
    op->state = NULL;
    admin_op_done(op, r, NULL);
}

/* Starts an op whose state is the items named after names[]. */
static admin_op_t *topics_op(kafka_admin_t *a, const char *const *names, size_t n,
                             int64_t timeout_ms, kafka_admin_cb cb, void *arg, kr_err_t *err)
{
    if (n == 0) {
        kr_err_set(err, KR_ERR_KAFKA_BAD_REQUEST, "no topic given");
        return NULL;
    }
    admin_op_t *op = admin_op_new(a, on_topics_event, cb, arg, timeout_ms, err);
    if (!op)
        return NULL;
    op->state = admin_items_new(names, n);
    op->state_free = items_state_free;
    return op;
}

static rd_kafka_NewTopic_t *new_topic(const kafka_admin_new_topic_t *t, kr_err_t *err)
{
    char errstr[256];
    bool assigned = t->n_assignment > 0;
    rd_kafka_NewTopic_t *nt =
        rd_kafka_NewTopic_new(t->name, assigned ? (int)t->n_assignment : t->partitions,
                              assigned ? -1 : t->replication_factor, errstr, sizeof(errstr));
    if (!nt) {
        kr_err_set(err, KR_ERR_KAFKA_BAD_REQUEST, "topic %s: %s", t->name, errstr);
        return NULL;
    }
    for (size_t p = 0; p < t->n_assignment; p++) {
        if (rd_kafka_NewTopic_set_replica_assignment(
                nt, (int32_t)p, (int32_t *)t->assignment[p].brokers, t->assignment[p].n, errstr,
                sizeof(errstr)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            kr_err_set(err, KR_ERR_KAFKA_BAD_REQUEST, "topic %s, partition %zu: %s", t->name, p,
                       errstr);
            rd_kafka_NewTopic_destroy(nt);
            return NULL;
        }
    }
    /* A null value means the broker's default, which is what leaving the config out does. */
    for (size_t c = 0; c < t->n_configs; c++) {
        if (t->configs[c].value)
            rd_kafka_NewTopic_set_config(nt, t->configs[c].name, t->configs[c].value);
    }
    return nt;
}

int kafka_admin_create_topics(kafka_admin_t *a, const kafka_admin_new_topic_t *topics, size_t n,
                              bool validate_only, int64_t timeout_ms, kafka_admin_cb cb, void *arg,
                              kr_err_t *err)
{
    const char **names = xcalloc(n ? n : 1, sizeof(*names));
    rd_kafka_NewTopic_t **nts = xcalloc(n ? n : 1, sizeof(*nts));
    for (size_t i = 0; i < n; i++)
        names[i] = topics[i].name;
    int rc = -1;
    admin_op_t *op = topics_op(a, names, n, timeout_ms, cb, arg, err);
    for (size_t i = 0; op && i < n; i++) {
        nts[i] = new_topic(&topics[i], err);
        if (!nts[i])
            goto out;
    }
    if (op) {
        rd_kafka_AdminOptions_t *opts =
            admin_options(op, RD_KAFKA_ADMIN_OP_CREATETOPICS, validate_only);
        rd_kafka_CreateTopics(admin_rk(a), nts, n, opts, admin_queue(a));
        rd_kafka_AdminOptions_destroy(opts);
        op = NULL; /* the event owns it now */
        rc = 0;
    }
out:
    admin_op_cancel(op);
    for (size_t i = 0; i < n; i++) {
        if (nts[i])
            rd_kafka_NewTopic_destroy(nts[i]);
    }
    xfree(nts);
    xfree(names);
    return rc;
}

int kafka_admin_delete_topics(kafka_admin_t *a, const char *const *names, size_t n,
                              int64_t timeout_ms, kafka_admin_cb cb, void *arg, kr_err_t *err)
{
    admin_op_t *op = topics_op(a, names, n, timeout_ms, cb, arg, err);
    if (!op)
        return -1;
    rd_kafka_DeleteTopic_t **dts = xcalloc(n, sizeof(*dts));
    for (size_t i = 0; i < n; i++)
        dts[i] = rd_kafka_DeleteTopic_new(names[i]);
    rd_kafka_AdminOptions_t *opts = admin_options(op, RD_KAFKA_ADMIN_OP_DELETETOPICS, false);
    rd_kafka_DeleteTopics(admin_rk(a), dts, n, opts, admin_queue(a));
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_DeleteTopic_destroy_array(dts, n);
    xfree(dts);
    return 0;
}

int kafka_admin_create_partitions(kafka_admin_t *a, const kafka_admin_new_partitions_t *parts,
                                  size_t n, bool validate_only, int64_t timeout_ms,
                                  kafka_admin_cb cb, void *arg, kr_err_t *err)
{
    const char **names = xcalloc(n ? n : 1, sizeof(*names));
    rd_kafka_NewPartitions_t **nps = xcalloc(n ? n : 1, sizeof(*nps));
    for (size_t i = 0; i < n; i++)
        names[i] = parts[i].topic;
    int rc = -1;
    admin_op_t *op = topics_op(a, names, n, timeout_ms, cb, arg, err);
    char errstr[256];
    for (size_t i = 0; op && i < n; i++) {
        nps[i] = rd_kafka_NewPartitions_new(parts[i].topic,
                                            parts[i].total < 0 ? 0 : (size_t)parts[i].total, errstr,
                                            sizeof(errstr));
        if (!nps[i]) {
            kr_err_set(err, KR_ERR_KAFKA_BAD_REQUEST, "topic %s: %s", parts[i].topic, errstr);
            goto out;
        }
    }
    if (op) {
        rd_kafka_AdminOptions_t *opts =
            admin_options(op, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, validate_only);
        rd_kafka_CreatePartitions(admin_rk(a), nps, n, opts, admin_queue(a));
        rd_kafka_AdminOptions_destroy(opts);
        op = NULL;
        rc = 0;
    }
out:
    admin_op_cancel(op);
    for (size_t i = 0; i < n; i++) {
        if (nps[i])
            rd_kafka_NewPartitions_destroy(nps[i]);
    }
    xfree(nps);
    xfree(names);
    return rc;
}
