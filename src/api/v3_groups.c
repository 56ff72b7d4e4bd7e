/* api/v3_groups.c -- v3 consumer groups, consumers and assignments (see v3_groups.h).
 *
 * A request's life: the cluster is checked against a metadata snapshot (api_v3_md_serve),
 * then a job leaves the HTTP thread (api_job_start): DescribeConsumerGroups of the path's
 * group, or for the list ListConsumerGroups followed, from its callback on the kafka loop, by
 * ONE DescribeConsumerGroups of every listed id. The request resumes on an HTTP thread with
 * the descriptions and renders them.
 *
 * librdkafka 2.0.2 speaks only the classic group protocol (DescribeGroups) and reports no
 * group type: every group is "type":"CLASSIC", "is_mixed_consumer_group":false (docs/v3.md).
 * Threads: HTTP threads; on_listed()/on_described() on the kafka loop. */
#include "api/v3_groups.h"

#include "api/job.h"
#include "api/names.h"
#include "api/v3.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

enum { P_CLUSTER = 0, P_GROUP = 1, P_CONSUMER = 2, P_TOPIC = 3, P_PARTITION = 4 };

bool api_v3_group_missing(const kafka_admin_group_t *g)
{
    if (g->err.code == KR_ERR_KAFKA_AUTHORIZATION || g->err.code == KR_ERR_NOT_FOUND)
        return true;
    return g->err.code == KR_ERR_NONE && g->is_simple && g->state == KAFKA_GROUP_STATE_DEAD;
}

const kafka_admin_member_t *api_v3_group_owner(const kafka_admin_group_t *g, const char *topic,
                                               int32_t partition)
{
    for (size_t m = 0; m < g->n_members; m++) {
        const kafka_admin_member_t *mb = &g->members[m];
        for (size_t i = 0; i < mb->n_assignment; i++) {
            const kafka_admin_tp_t *tp = &mb->assignment[i];
            if (tp->partition == partition && strcmp(tp->topic, topic) == 0)
                return mb;
        }
    }
    return NULL;
}

const char *api_v3_member_instance_id(const kafka_admin_member_t *m)
{
    return m->group_instance_id && *m->group_instance_id ? m->group_instance_id : NULL;
}

/* --- the job: describe one group, or list and describe them all ------------------------- */

/* Renders the described groups (borrowed) for the request. */
typedef api_status_t (*render_fn)(api_req_t *req, const char *c, kafka_admin_groups_t *groups);

typedef struct groups_job {
    api_job_t job;                /* first */
    char *cluster_id;             /* owned */
    char *group_id;               /* owned; NULL: every group */
    kafka_admin_groups_t *groups; /* owned; NULL until described (or when none are listed) */
    render_fn render;
} groups_job_t;

static void groups_job_free(api_job_t *job)
{
    groups_job_t *gj = (groups_job_t *)job;
    xfree(gj->cluster_id);
    xfree(gj->group_id);
    kafka_admin_groups_free(gj->groups);
    xfree(gj);
}

static void on_described(void *arg, void *result, const kr_err_t *err)
{
    groups_job_t *gj = arg;
    if (err)
        gj->job.err = *err;
    else
        gj->groups = result;
    api_job_complete(&gj->job);
}

static void describe(groups_job_t *gj, const char *const *ids, size_t n)
{
    const api_ctx_t *ctx = gj->job.ctx;
    if (kafka_admin_describe_groups(ctx->kadmin, ids, n, ctx->cfg->client_timeout_ms, on_described,
                                    gj, &gj->job.err) != 0)
        api_job_complete(&gj->job);
}

/* Kafka loop: the list is in; describe every listed group in one call. A partial list (some
 * broker did not answer) is used as it is, as Confluent uses ListConsumerGroups' valid(). */
static void on_listed(void *arg, void *result, const kr_err_t *err)
{
    groups_job_t *gj = arg;
    kafka_admin_group_list_t *l = result;
    if (err) {
        gj->job.err = *err;
        api_job_complete(&gj->job);
        return;
    }
    if (l->n == 0) {
        kafka_admin_group_list_free(l);
        api_job_complete(&gj->job);
        return;
    }
    const char **ids = xcalloc(l->n, sizeof(*ids));
    for (size_t i = 0; i < l->n; i++)
        ids[i] = l->groups[i].group_id;
    describe(gj, ids, l->n); /* the admin layer copies the ids */
    xfree(ids);
    kafka_admin_group_list_free(l);
}

static void groups_start(api_job_t *job)
{
    groups_job_t *gj = (groups_job_t *)job;
    if (gj->group_id) {
        const char *ids[1] = {gj->group_id};
        describe(gj, ids, 1);
        return;
    }
    const api_ctx_t *ctx = job->ctx;
    if (kafka_admin_list_groups(ctx->kadmin, ctx->cfg->client_timeout_ms, on_listed, gj,
                                &job->err) != 0)
        api_job_complete(job);
}

static api_status_t groups_resumed(api_req_t *req, void *result, bool timed_out)
{
    groups_job_t *gj = result;
    if (timed_out)
        return api_reply_error(req, KR_ERR_BROKER_NOT_AVAILABLE,
                               "Kafka brokers are not available: timed out waiting for Kafka");
    api_status_t st;
    if (gj->job.err.code)
        st = api_reply_err(req, &gj->job.err);
    else
        st = gj->render(req, gj->cluster_id, gj->groups);
    api_job_free(&gj->job);
    return st;
}

/* Starts the job for the request's group (params[P_GROUP]) or, when all, for every group. */
static api_status_t groups_serve(api_req_t *req, const kafka_md_t *md, bool all, render_fn render)
{
    /* A group id Kafka cannot hold never reaches librdkafka (names.h). */
    if (!all && !api_kafka_id_valid(req->params[P_GROUP], strlen(req->params[P_GROUP])))
        return api_reply_error(req, KR_ERR_NOT_FOUND, "Consumer Group %s does not exist.",
                               req->params[P_GROUP]);
    groups_job_t *gj = xcalloc(1, sizeof(*gj));
    gj->job.ctx = req->ctx;
    gj->job.free_fn = groups_job_free;
    gj->cluster_id = xstrdup(md->cluster_id);
    gj->group_id = all ? NULL : xstrdup(req->params[P_GROUP]);
    gj->render = render;
    return api_job_start(req, &gj->job, groups_start, groups_resumed);
}

/* The request's one described group, or NULL with err 404 "Consumer Group <g> does not
 * exist." (Confluent's ConsumerManager) or the group's own error. */
static const kafka_admin_group_t *the_group(const api_req_t *req, const kafka_admin_groups_t *gs,
                                            kr_err_t *err)
{
    const kafka_admin_group_t *g = gs && gs->n == 1 ? &gs->groups[0] : NULL;
    if (g && g->err.code && !api_v3_group_missing(g)) {
        *err = g->err;
        return NULL;
    }
    if (!g || api_v3_group_missing(g)) {
        kr_err_set(err, KR_ERR_NOT_FOUND, "Consumer Group %s does not exist.",
                   req->params[P_GROUP]);
        return NULL;
    }
    return g;
}

/* The path's member of g (params[P_CONSUMER]), or NULL with err 404 "Consumer <cid> does not
 * exist." (Confluent's ConsumerAssignmentManager). */
static const kafka_admin_member_t *the_member(const api_req_t *req, const kafka_admin_group_t *g,
                                              kr_err_t *err)
{
    const char *cid = req->params[P_CONSUMER];
    for (size_t i = 0; i < g->n_members; i++) {
        if (strcmp(g->members[i].consumer_id, cid) == 0)
            return &g->members[i];
    }
    kr_err_set(err, KR_ERR_NOT_FOUND, "Consumer %s does not exist.", cid);
    return NULL;
}

/* --- groups ----------------------------------------------------------------------------- */

static void write_group(api_v3_t *v, const char *c, const kafka_admin_group_t *g)
{
    const char *id = g->group_id;
    api_v3_resource_begin(v, "KafkaConsumerGroup");
    api_v3_self(v, "clusters/%s/consumer-groups/%s", c, id);
    api_v3_crn(v, "kafka=%s/consumer-group=%s", c, id);
    api_v3_metadata_end(v);
    fmt_jsonw_key(&v->w, "cluster_id");
    fmt_jsonw_str(&v->w, c);
    fmt_jsonw_key(&v->w, "consumer_group_id");
    fmt_jsonw_str(&v->w, id);
    fmt_jsonw_key(&v->w, "is_simple");
    fmt_jsonw_bool(&v->w, g->is_simple);
    fmt_jsonw_key(&v->w, "partition_assignor");
    fmt_jsonw_str(&v->w, g->partition_assignor ? g->partition_assignor : "");
    fmt_jsonw_key(&v->w, "state");
    fmt_jsonw_str(&v->w, kafka_group_state_name(g->state));
    fmt_jsonw_key(&v->w, "type");
    fmt_jsonw_str(&v->w, "CLASSIC");
    fmt_jsonw_key(&v->w, "is_mixed_consumer_group");
    fmt_jsonw_bool(&v->w, false);
    /* An unknown coordinator links to broker -1, as Confluent's Node.noNode() would. */
    api_v3_related(v, "coordinator", "clusters/%s/brokers/%d", c, (int)g->coordinator_id);
    api_v3_related(v, "consumers", "clusters/%s/consumer-groups/%s/consumers", c, id);
    api_v3_related(v, "lag_summary", "clusters/%s/consumer-groups/%s/lag-summary", c, id);
    api_v3_resource_end(v);
}

static int group_ptr_cmp(const void *x, const void *y)
{
    const kafka_admin_group_t *const *a = x, *const *b = y;
    return strcmp((*a)->group_id, (*b)->group_id);
}

/* Missing groups (gone between the list and the describe, or not describable by this
 * principal) are left out, as Confluent does; any other group error fails the list. */
static api_status_t render_groups(api_req_t *req, const char *c, kafka_admin_groups_t *gs)
{
    size_t n = gs ? gs->n : 0;
    const kafka_admin_group_t **sorted = xcalloc(n ? n : 1, sizeof(*sorted));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const kafka_admin_group_t *g = &gs->groups[i];
        if (g->err.code && !api_v3_group_missing(g)) {
            xfree(sorted);
            return api_reply_err(req, &g->err);
        }
        if (!api_v3_group_missing(g))
            sorted[k++] = g;
    }
    qsort(sorted, k, sizeof(*sorted), group_ptr_cmp);
    api_v3_t v;
    api_v3_init(&v, req);
    api_v3_collection_begin(&v, "KafkaConsumerGroupList", "clusters/%s/consumer-groups", c);
    for (size_t i = 0; i < k; i++)
        write_group(&v, c, sorted[i]);
    api_v3_collection_end(&v);
    xfree(sorted);
    return api_v3_reply(&v, 200);
}

static api_status_t start_groups_list(api_req_t *req, kafka_md_t *md)
{
    return groups_serve(req, md, true, render_groups);
}

api_status_t api_v3_groups_list(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, start_groups_list);
}

static api_status_t render_group(api_req_t *req, const char *c, kafka_admin_groups_t *gs)
{
    kr_err_t err = {0};
    const kafka_admin_group_t *g = the_group(req, gs, &err);
    if (!g)
        return api_reply_err(req, &err);
    api_v3_t v;
    api_v3_init(&v, req);
    write_group(&v, c, g);
    return api_v3_reply(&v, 200);
}

static api_status_t start_group_get(api_req_t *req, kafka_md_t *md)
{
    return groups_serve(req, md, false, render_group);
}

api_status_t api_v3_group_get(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, start_group_get);
}

/* --- consumers -------------------------------------------------------------------------- */

static void write_consumer(api_v3_t *v, const char *c, const char *g, const kafka_admin_member_t *m)
{
    const char *id = m->consumer_id;
    const char *instance = api_v3_member_instance_id(m);
    api_v3_resource_begin(v, "KafkaConsumer");
    api_v3_self(v, "clusters/%s/consumer-groups/%s/consumers/%s", c, g, id);
    api_v3_crn(v, "kafka=%s/consumer-group=%s/consumer=%s", c, g, id);
    api_v3_metadata_end(v);
    fmt_jsonw_key(&v->w, "cluster_id");
    fmt_jsonw_str(&v->w, c);
    fmt_jsonw_key(&v->w, "consumer_group_id");
    fmt_jsonw_str(&v->w, g);
    fmt_jsonw_key(&v->w, "consumer_id");
    fmt_jsonw_str(&v->w, id);
    fmt_jsonw_key(&v->w, "instance_id");
    if (instance)
        fmt_jsonw_str(&v->w, instance);
    else
        fmt_jsonw_null(&v->w);
    fmt_jsonw_key(&v->w, "client_id");
    fmt_jsonw_str(&v->w, m->client_id ? m->client_id : "");
    api_v3_related(v, "assignments", "clusters/%s/consumer-groups/%s/consumers/%s/assignments", c,
                   g, id);
    api_v3_resource_end(v);
}

static int member_ptr_cmp(const void *x, const void *y)
{
    const kafka_admin_member_t *const *a = x, *const *b = y;
    return strcmp((*a)->consumer_id, (*b)->consumer_id);
}

static api_status_t render_consumers(api_req_t *req, const char *c, kafka_admin_groups_t *gs)
{
    kr_err_t err = {0};
    const kafka_admin_group_t *g = the_group(req, gs, &err);
    if (!g)
        return api_reply_err(req, &err);
    size_t n = g->n_members;
    const kafka_admin_member_t **sorted = xcalloc(n ? n : 1, sizeof(*sorted));
    for (size_t i = 0; i < n; i++)
        sorted[i] = &g->members[i];
    qsort(sorted, n, sizeof(*sorted), member_ptr_cmp);
    api_v3_t v;
    api_v3_init(&v, req);
    api_v3_collection_begin(&v, "KafkaConsumerList", "clusters/%s/consumer-groups/%s/consumers", c,
                            g->group_id);
    for (size_t i = 0; i < n; i++)
        write_consumer(&v, c, g->group_id, sorted[i]);
    api_v3_collection_end(&v);
    xfree(sorted);
    return api_v3_reply(&v, 200);
}

static api_status_t start_consumers_list(api_req_t *req, kafka_md_t *md)
{
    return groups_serve(req, md, false, render_consumers);
}

api_status_t api_v3_consumers_list(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, start_consumers_list);
}

static api_status_t render_consumer(api_req_t *req, const char *c, kafka_admin_groups_t *gs)
{
    kr_err_t err = {0};
    const kafka_admin_group_t *g = the_group(req, gs, &err);
    const kafka_admin_member_t *m = g ? the_member(req, g, &err) : NULL;
    if (!m)
        return api_reply_err(req, &err);
    api_v3_t v;
    api_v3_init(&v, req);
    write_consumer(&v, c, g->group_id, m);
    return api_v3_reply(&v, 200);
}

static api_status_t start_consumer_get(api_req_t *req, kafka_md_t *md)
{
    return groups_serve(req, md, false, render_consumer);
}

api_status_t api_v3_consumer_get(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, start_consumer_get);
}

/* --- assignments ------------------------------------------------------------------------ */

static void write_assignment(api_v3_t *v, const char *c, const char *g, const char *cid,
                             const kafka_admin_tp_t *tp)
{
    const char *t = tp->topic;
    int p = (int)tp->partition;
    api_v3_resource_begin(v, "KafkaConsumerAssignment");
    api_v3_self(v, "clusters/%s/consumer-groups/%s/consumers/%s/assignments/%s/partitions/%d", c, g,
                cid, t, p);
    api_v3_crn(v, "kafka=%s/consumer-group=%s/consumer=%s/assignment=%s/partition=%d", c, g, cid, t,
               p);
    api_v3_metadata_end(v);
    fmt_jsonw_key(&v->w, "cluster_id");
    fmt_jsonw_str(&v->w, c);
    fmt_jsonw_key(&v->w, "consumer_group_id");
    fmt_jsonw_str(&v->w, g);
    fmt_jsonw_key(&v->w, "consumer_id");
    fmt_jsonw_str(&v->w, cid);
    fmt_jsonw_key(&v->w, "topic_name");
    fmt_jsonw_str(&v->w, t);
    fmt_jsonw_key(&v->w, "partition_id");
    fmt_jsonw_int(&v->w, p);
    api_v3_related(v, "partition", "clusters/%s/topics/%s/partitions/%d", c, t, p);
    api_v3_related(v, "lag", "clusters/%s/consumer-groups/%s/lags/%s/partitions/%d", c, g, t, p);
    api_v3_resource_end(v);
}

static int tp_cmp(const void *x, const void *y)
{
    const kafka_admin_tp_t *a = x, *b = y;
    int c = strcmp(a->topic, b->topic);
    if (c != 0)
        return c;
    return (a->partition > b->partition) - (a->partition < b->partition);
}

static api_status_t render_assignments(api_req_t *req, const char *c, kafka_admin_groups_t *gs)
{
    kr_err_t err = {0};
    const kafka_admin_group_t *g = the_group(req, gs, &err);
    const kafka_admin_member_t *m = g ? the_member(req, g, &err) : NULL;
    if (!m)
        return api_reply_err(req, &err);
    /* The result is the job's to change: sort the member's assignment in place. */
    qsort(m->assignment, m->n_assignment, sizeof(*m->assignment), tp_cmp);
    api_v3_t v;
    api_v3_init(&v, req);
    api_v3_collection_begin(&v, "KafkaConsumerAssignmentList",
                            "clusters/%s/consumer-groups/%s/consumers/%s/assignments", c,
                            g->group_id, m->consumer_id);
    for (size_t i = 0; i < m->n_assignment; i++)
        write_assignment(&v, c, g->group_id, m->consumer_id, &m->assignment[i]);
    api_v3_collection_end(&v);
    return api_v3_reply(&v, 200);
}

static api_status_t start_assignments_list(api_req_t *req, kafka_md_t *md)
{
    return groups_serve(req, md, false, render_assignments);
}

api_status_t api_v3_assignments_list(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, start_assignments_list);
}

static api_status_t render_assignment(api_req_t *req, const char *c, kafka_admin_groups_t *gs)
{
    kr_err_t err = {0};
    const kafka_admin_group_t *g = the_group(req, gs, &err);
    const kafka_admin_member_t *m = g ? the_member(req, g, &err) : NULL;
    if (!m)
        return api_reply_err(req, &err);
    int32_t p = -1;
    api_param_int32(req, P_PARTITION, &p); /* the router checked it is an int32 */
    const char *t = req->params[P_TOPIC];
    for (size_t i = 0; i < m->n_assignment; i++) {
        if (m->assignment[i].partition == p && strcmp(m->assignment[i].topic, t) == 0) {
            api_v3_t v;
            api_v3_init(&v, req);
            write_assignment(&v, c, g->group_id, m->consumer_id, &m->assignment[i]);
            return api_v3_reply(&v, 200);
        }
    }
    return api_reply_error(req, KR_ERR_NOT_FOUND,
                           "Partition %d of topic %s is not assigned to consumer %s.", (int)p, t,
                           m->consumer_id);
}

static api_status_t start_assignment_get(api_req_t *req, kafka_md_t *md)
{
    return groups_serve(req, md, false, render_assignment);
}

api_status_t api_v3_assignment_get(api_req_t *req)
{
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, start_assignment_get);
}
