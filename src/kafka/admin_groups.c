/* kafka/admin_groups.c -- consumer groups through the admin layer: ListConsumerGroups,
 * DescribeConsumerGroups, ListConsumerGroupOffsets (all partitions of one group).
 * May use: util/, librdkafka. Threads: calls from any thread; results on the kafka loop. */
#include "kafka/admin_int.h"

#include "kafka/errors.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

static kafka_group_state_t state_of(rd_kafka_consumer_group_state_t s)
{
    switch (s) {
    case RD_KAFKA_CONSUMER_GROUP_STATE_PREPARING_REBALANCE:
        return KAFKA_GROUP_STATE_PREPARING_REBALANCE;
    case RD_KAFKA_CONSUMER_GROUP_STATE_COMPLETING_REBALANCE:
        return KAFKA_GROUP_STATE_COMPLETING_REBALANCE;
    case RD_KAFKA_CONSUMER_GROUP_STATE_STABLE:
        return KAFKA_GROUP_STATE_STABLE;
    case RD_KAFKA_CONSUMER_GROUP_STATE_DEAD:
        return KAFKA_GROUP_STATE_DEAD;
    case RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY:
        return KAFKA_GROUP_STATE_EMPTY;
    default:
        return KAFKA_GROUP_STATE_UNKNOWN;
    }
}

/* ---- ListConsumerGroups ---- */

void kafka_admin_group_list_free(kafka_admin_group_list_t *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        xfree(l->groups[i].group_id);
    xfree(l->groups);
    xfree(l);
}

static void on_list_groups(admin_op_t *op, rd_kafka_event_t *ev)
{
    kr_err_t err = {0};
    if (admin_event_err(ev, "list consumer groups failed", &err) != 0) {
        admin_op_fail(op, &err);
        return;
    }
    const rd_kafka_ListConsumerGroups_result_t *res = rd_kafka_event_ListConsumerGroups_result(ev);
    size_t n = 0, n_errs = 0;
    const rd_kafka_ConsumerGroupListing_t **valid =
        res ? rd_kafka_ListConsumerGroups_result_valid(res, &n) : NULL;
    const rd_kafka_error_t **errs =
        res ? rd_kafka_ListConsumerGroups_result_errors(res, &n_errs) : NULL;
    kafka_admin_group_list_t *l = xcalloc(1, sizeof(*l));
    if (n_errs > 0)
        admin_error_set(&l->err, errs[0], "list consumer groups");
    if (n == 0 && n_errs > 0) {
        err = l->err;
        kafka_admin_group_list_free(l);
        admin_op_fail(op, &err);
        return;
    }
    l->groups = xcalloc(n ? n : 1, sizeof(*l->groups));
    for (size_t i = 0; i < n; i++) {
        kafka_admin_group_listing_t *g = &l->groups[l->n++];
        g->group_id = xstrdup(rd_kafka_ConsumerGroupListing_group_id(valid[i]));
        g->is_simple = rd_kafka_ConsumerGroupListing_is_simple_consumer_group(valid[i]) != 0;
        g->state = state_of(rd_kafka_ConsumerGroupListing_state(valid[i]));
    }
    admin_op_done(op, l, NULL);
}

int kafka_admin_list_groups(kafka_admin_t *a, int64_t timeout_ms, kafka_admin_cb cb, void *arg,
                            kr_err_t *err)
{
    admin_op_t *op = admin_op_new(a, on_list_groups, cb, arg, timeout_ms, err);
    if (!op)
        return -1;
    rd_kafka_AdminOptions_t *opts = admin_options(op, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS, false);
    rd_kafka_ListConsumerGroups(admin_rk(a), opts, admin_queue(a));
    rd_kafka_AdminOptions_destroy(opts);
    return 0;
}

/* ---- DescribeConsumerGroups ---- */

static void tps_free(kafka_admin_tp_t *tps, size_t n)
{
    for (size_t i = 0; i < n; i++)
        xfree(tps[i].topic);
    xfree(tps);
}

void kafka_admin_groups_free(kafka_admin_groups_t *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n; i++) {
        kafka_admin_group_t *grp = &g->groups[i];
        for (size_t m = 0; m < grp->n_members; m++) {
            kafka_admin_member_t *mb = &grp->members[m];
            xfree(mb->consumer_id);
            xfree(mb->group_instance_id);
            xfree(mb->client_id);
            xfree(mb->host);
            tps_free(mb->assignment, mb->n_assignment);
        }
        xfree(grp->members);
        xfree(grp->group_id);
        xfree(grp->partition_assignor);
        xfree(grp->coordinator_host);
    }
    xfree(g->groups);
    xfree(g);
}

static void copy_member(const rd_kafka_MemberDescription_t *m, kafka_admin_member_t *out)
{
    out->consumer_id = xstrdup(rd_kafka_MemberDescription_consumer_id(m));
    out->group_instance_id = xstrdup(rd_kafka_MemberDescription_group_instance_id(m));
    out->client_id = xstrdup(rd_kafka_MemberDescription_client_id(m));
    out->host = xstrdup(rd_kafka_MemberDescription_host(m));
    const rd_kafka_MemberAssignment_t *as = rd_kafka_MemberDescription_assignment(m);
    const rd_kafka_topic_partition_list_t *parts =
        as ? rd_kafka_MemberAssignment_partitions(as) : NULL;
    size_t n = parts ? (size_t)parts->cnt : 0;
    out->assignment = xcalloc(n ? n : 1, sizeof(*out->assignment));
    for (size_t i = 0; i < n; i++) {
        out->assignment[i].topic = xstrdup(parts->elems[i].topic);
        out->assignment[i].partition = parts->elems[i].partition;
    }
    out->n_assignment = n;
}

static void copy_group(const rd_kafka_ConsumerGroupDescription_t *d, kafka_admin_group_t *out)
{
    admin_error_set(&out->err, rd_kafka_ConsumerGroupDescription_error(d), out->group_id);
    out->is_simple = rd_kafka_ConsumerGroupDescription_is_simple_consumer_group(d) != 0;
    const char *assignor = rd_kafka_ConsumerGroupDescription_partition_assignor(d);
    out->partition_assignor = xstrdup(assignor ? assignor : "");
    out->state = state_of(rd_kafka_ConsumerGroupDescription_state(d));
    const rd_kafka_Node_t *node = rd_kafka_ConsumerGroupDescription_coordinator(d);
    out->coordinator_id = node ? rd_kafka_Node_id(node) : -1;
    out->coordinator_host = node ? xstrdup(rd_kafka_Node_host(node)) : NULL;
    out->coordinator_port = node ? rd_kafka_Node_port(node) : 0;
    size_t n = rd_kafka_ConsumerGroupDescription_member_count(d);
    out->members = xcalloc(n ? n : 1, sizeof(*out->members));
    for (size_t i = 0; i < n; i++)
        copy_member(rd_kafka_ConsumerGroupDescription_member(d, i), &out->members[i]);
    out->n_members = n;
}

static void on_describe_groups(admin_op_t *op, rd_kafka_event_t *ev)
{
    kr_err_t err = {0};
    if (admin_event_err(ev, "describe consumer groups failed", &err) != 0) {
        admin_op_fail(op, &err);
        return;
    }
    kafka_admin_groups_t *g = op->state;
    op->state = NULL;
    size_t n = 0;
    const rd_kafka_DescribeConsumerGroups_result_t *res =
        rd_kafka_event_DescribeConsumerGroups_result(ev);
    const rd_kafka_ConsumerGroupDescription_t **ds =
        res ? rd_kafka_DescribeConsumerGroups_result_groups(res, &n) : NULL;
    for (size_t i = 0; i < g->n; i++) {
        kafka_admin_group_t *out = &g->groups[i];
        kr_err_set(&out->err, KR_ERR_KAFKA, "Kafka sent no description of group %s", out->group_id);
        out->coordinator_id = -1;
        for (size_t j = 0; j < n; j++) {
            if (strcmp(rd_kafka_ConsumerGroupDescription_group_id(ds[j]), out->group_id) == 0) {
                copy_group(ds[j], out);
                break;
            }
        }
    }
    admin_op_done(op, g, NULL);
}

static void groups_state_free(void *state)
{
    kafka_admin_groups_free(state);
}

int kafka_admin_describe_groups(kafka_admin_t *a, const char *const *ids, size_t n,
                                int64_t timeout_ms, kafka_admin_cb cb, void *arg, kr_err_t *err)
{
    if (n == 0)
        return kr_err_set(err, KR_ERR_KAFKA_BAD_REQUEST, "no consumer group given");
    admin_op_t *op = admin_op_new(a, on_describe_groups, cb, arg, timeout_ms, err);
    if (!op)
        return -1;
    kafka_admin_groups_t *g = xcalloc(1, sizeof(*g));
    g->groups = xcalloc(n, sizeof(*g->groups));
    g->n = n;
    for (size_t i = 0; i < n; i++)
        g->groups[i].group_id = xstrdup(ids[i]);
    op->state = g;
    op->state_free = groups_state_free;
    rd_kafka_AdminOptions_t *opts =
        admin_options(op, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, false);
    rd_kafka_DescribeConsumerGroups(admin_rk(a), (const char **)ids, n, opts, admin_queue(a));
    rd_kafka_AdminOptions_destroy(opts);
    return 0;
}

/* ---- ListConsumerGroupOffsets ---- */

void kafka_admin_offsets_free(kafka_admin_offsets_t *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->n; i++)
        xfree(o->offsets[i].topic);
    xfree(o->offsets);
    xfree(o);
}

static int offset_cmp(const void *x, const void *y)
{
    const kafka_admin_offset_t *a = x, *b = y;
    int c = strcmp(a->topic, b->topic);
    if (c != 0)
        return c;
    return (a->partition > b->partition) - (a->partition < b->partition);
}

static kafka_admin_offsets_t *copy_offsets(const rd_kafka_topic_partition_list_t *parts)
{
    kafka_admin_offsets_t *o = xcalloc(1, sizeof(*o));
    size_t n = parts ? (size_t)parts->cnt : 0;
    o->offsets = xcalloc(n ? n : 1, sizeof(*o->offsets));
    for (size_t i = 0; i < n; i++) {
        const rd_kafka_topic_partition_t *p = &parts->elems[i];
        kafka_admin_offset_t *out = &o->offsets[o->n++];
        out->topic = xstrdup(p->topic);
        out->partition = p->partition;
        out->offset = p->offset >= 0 ? p->offset : -1;
        out->err_code = p->err ? kafka_err_code_v3(p->err) : 0;
    }
    qsort(o->offsets, o->n, sizeof(*o->offsets), offset_cmp);
    return o;
}

static void on_list_offsets(admin_op_t *op, rd_kafka_event_t *ev)
{
    kr_err_t err = {0};
    if (admin_event_err(ev, "list consumer group offsets failed", &err) != 0) {
        admin_op_fail(op, &err);
        return;
    }
    size_t n = 0;
    const rd_kafka_ListConsumerGroupOffsets_result_t *res =
        rd_kafka_event_ListConsumerGroupOffsets_result(ev);
    const rd_kafka_group_result_t **gs =
        res ? rd_kafka_ListConsumerGroupOffsets_result_groups(res, &n) : NULL;
    if (n != 1) {
        kr_err_set(&err, KR_ERR_KAFKA, "list consumer group offsets: %zu results for one group", n);
        admin_op_fail(op, &err);
        return;
    }
    if (rd_kafka_group_result_error(gs[0])) {
        admin_error_set(&err, rd_kafka_group_result_error(gs[0]), "list consumer group offsets");
        admin_op_fail(op, &err);
        return;
    }
    admin_op_done(op, copy_offsets(rd_kafka_group_result_partitions(gs[0])), NULL);
}

int kafka_admin_list_group_offsets(kafka_admin_t *a, const char *group_id, int64_t timeout_ms,
                                   kafka_admin_cb cb, void *arg, kr_err_t *err)
{
    if (!group_id || !*group_id)
        return kr_err_set(err, KR_ERR_KAFKA_BAD_REQUEST, "no consumer group given");
    admin_op_t *op = admin_op_new(a, on_list_offsets, cb, arg, timeout_ms, err);
    if (!op)
        return -1;
    rd_kafka_ListConsumerGroupOffsets_t *lgo =
        rd_kafka_ListConsumerGroupOffsets_new(group_id, NULL);
    rd_kafka_AdminOptions_t *opts =
        admin_options(op, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, false);
    rd_kafka_ListConsumerGroupOffsets(admin_rk(a), &lgo, 1, opts, admin_queue(a));
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_ListConsumerGroupOffsets_destroy(lgo);
    return 0;
}
