/* kafka/admin_configs.c -- configs through the admin layer: DescribeConfigs of several
 * resources (one librdkafka request for the topics, one per broker, gathered into one
 * result), AlterConfigs of one resource, and the read-modify-write that chains the two on the
 * kafka loop (the merge itself is admin_merge.c).
 * May use: util/, librdkafka. Threads: calls from any thread; results on the kafka loop. */
#include "kafka/admin_int.h"

#include "util/clock.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- librdkafka's entries to kafka_admin_config_t ---- */

static kafka_config_source_t source_of(rd_kafka_ConfigSource_t s)
{
    /* Kafka's wire values; librdkafka passes on what the broker sent. */
    switch ((int)s) {
    case 1:
        return KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG;
    case 2:
        return KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG;
    case 3:
        return KAFKA_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER_CONFIG;
    case 4:
        return KAFKA_CONFIG_SOURCE_STATIC_BROKER_CONFIG;
    case 5:
        return KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG;
    case 6:
        return KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_LOGGER_CONFIG;
    default:
        return KAFKA_CONFIG_SOURCE_UNKNOWN;
    }
}

/* Copies the synonyms of e from index from on. */
static void copy_synonyms(const rd_kafka_ConfigEntry_t *e, size_t from, kafka_admin_config_t *out)
{
    size_t n = 0;
    const rd_kafka_ConfigEntry_t **syn = rd_kafka_ConfigEntry_synonyms(e, &n);
    if (!syn || from >= n)
        return;
    out->synonyms = xcalloc(n - from, sizeof(*out->synonyms));
    for (size_t i = from; i < n; i++) {
        kafka_admin_synonym_t *s = &out->synonyms[out->n_synonyms++];
        s->name = xstrdup(rd_kafka_ConfigEntry_name(syn[i]));
        s->value = rd_kafka_ConfigEntry_is_sensitive(e)
                       ? NULL
                       : xstrdup(rd_kafka_ConfigEntry_value(syn[i]));
        s->source = source_of(rd_kafka_ConfigEntry_source(syn[i]));
    }
}

static void copy_entry(const rd_kafka_ConfigEntry_t *e, kafka_admin_config_t *out)
{
    out->name = xstrdup(rd_kafka_ConfigEntry_name(e));
    out->is_sensitive = rd_kafka_ConfigEntry_is_sensitive(e) != 0;
    out->value = out->is_sensitive ? NULL : xstrdup(rd_kafka_ConfigEntry_value(e));
    out->is_default = rd_kafka_ConfigEntry_is_default(e) != 0;
    out->is_read_only = rd_kafka_ConfigEntry_is_read_only(e) != 0;
    out->source = source_of(rd_kafka_ConfigEntry_source(e));
    copy_synonyms(e, 0, out);
}

static void copy_resource(const rd_kafka_ConfigResource_t *r, kafka_admin_config_res_t *out)
{
    admin_item_err(&out->err, rd_kafka_ConfigResource_error(r),
                   rd_kafka_ConfigResource_error_string(r));
    if (out->err.code != KR_ERR_NONE)
        return;
    size_t n = 0;
    const rd_kafka_ConfigEntry_t **entries = rd_kafka_ConfigResource_configs(r, &n);
    out->configs = xcalloc(n ? n : 1, sizeof(*out->configs));
    for (size_t i = 0; i < n; i++)
        copy_entry(entries[i], &out->configs[out->n_configs++]);
}

static bool has_config(const kafka_admin_config_res_t *out, const char *name)
{
    for (size_t i = 0; i < out->n_configs; i++) {
        if (strcmp(out->configs[i].name, name) == 0)
            return true;
    }
    return false;
}

/* The cluster-wide dynamic configs, read from a broker's description: every synonym whose
 * source is DYNAMIC_DEFAULT_BROKER_CONFIG, with the synonyms below it. */
static void copy_cluster_defaults(const rd_kafka_ConfigResource_t *r, kafka_admin_config_res_t *out)
{
    admin_item_err(&out->err, rd_kafka_ConfigResource_error(r),
                   rd_kafka_ConfigResource_error_string(r));
    if (out->err.code != KR_ERR_NONE)
        return;
    size_t n = 0;
    const rd_kafka_ConfigEntry_t **entries = rd_kafka_ConfigResource_configs(r, &n);
    out->configs = xcalloc(n ? n : 1, sizeof(*out->configs));
    for (size_t i = 0; i < n; i++) {
        size_t n_syn = 0;
        const rd_kafka_ConfigEntry_t **syn = rd_kafka_ConfigEntry_synonyms(entries[i], &n_syn);
        for (size_t s = 0; syn && s < n_syn; s++) {
            if (rd_kafka_ConfigEntry_source(syn[s]) !=
                    RD_KAFKA_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER_CONFIG ||
                has_config(out, rd_kafka_ConfigEntry_name(syn[s])))
                continue;
            kafka_admin_config_t *c = &out->configs[out->n_configs++];
            c->name = xstrdup(rd_kafka_ConfigEntry_name(syn[s]));
            c->is_sensitive = rd_kafka_ConfigEntry_is_sensitive(entries[i]) != 0;
            c->value = c->is_sensitive ? NULL : xstrdup(rd_kafka_ConfigEntry_value(syn[s]));
            c->is_read_only = rd_kafka_ConfigEntry_is_read_only(entries[i]) != 0;
            c->source = KAFKA_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER_CONFIG;
            copy_synonyms(entries[i], s, c);
            break;
        }
    }
}

/* ---- DescribeConfigs: parts gathered into one result ---- */

typedef struct gather {
    kafka_admin_configs_t *result;
    size_t parts_left;
    kr_err_t err; /* the first part's failure (code 0: none) */
    kafka_admin_cb cb;
    void *arg;
} gather_t;

/* One librdkafka request: the result slots it fills, in its resources' order. */
typedef struct part {
    size_t *slots;
    size_t n;
    bool cluster_default; /* one slot, BROKER "", described through a broker */
} part_t;

static void part_free(void *state)
{
    part_t *p = state;
    xfree(p->slots);
    xfree(p);
}

/* The callback of every part's op: the last one calls the caller's. */
static void gather_done(void *arg, void *result, const kr_err_t *err)
{
    (void)result;
    gather_t *g = arg;
    if (err && g->err.code == KR_ERR_NONE)
        g->err = *err;
    if (--g->parts_left > 0)
        return;
    if (g->err.code != KR_ERR_NONE) {
        kafka_admin_configs_free(g->result);
        g->cb(g->arg, NULL, &g->err);
    } else {
        g->cb(g->arg, g->result, NULL);
    }
    xfree(g);
}

static void on_describe_part(admin_op_t *op, rd_kafka_event_t *ev)
{
    gather_t *g = op->arg;
    part_t *p = op->state;
    kr_err_t err = {0};
    if (admin_event_err(ev, "describe configs failed", &err) != 0) {
        admin_op_fail(op, &err);
        return;
    }
    size_t n = 0;
    const rd_kafka_DescribeConfigs_result_t *res = rd_kafka_event_DescribeConfigs_result(ev);
    const rd_kafka_ConfigResource_t **rs =
        res ? rd_kafka_DescribeConfigs_result_resources(res, &n) : NULL;
    if (n != p->n) {
        kr_err_set(&err, KR_ERR_KAFKA, "describe configs: %zu results for %zu resources", n, p->n);
        admin_op_fail(op, &err);
        return;
    }
    /* librdkafka returns the resources in the order they were asked for. */
    for (size_t i = 0; i < n; i++) {
        kafka_admin_config_res_t *out = &g->result->resources[p->slots[i]];
        if (p->cluster_default)
            copy_cluster_defaults(rs[i], out);
        else
            copy_resource(rs[i], out);
    }
    admin_op_done(op, NULL, NULL);
}

static bool is_broker_id(const char *name)
{
    if (!name || !*name)
        return false;
    char *end = NULL;
    long v = strtol(name, &end, 10);
    return *end == '\0' && v >= 0 && v <= INT32_MAX;
}

static int check_resources(const kafka_admin_resource_t *res, size_t n, kr_err_t *err)
{
    if (n == 0)
        return kr_err_set(err, KR_ERR_KAFKA_BAD_REQUEST, "no config resource given");
    for (size_t i = 0; i < n; i++) {
        if (res[i].type == KAFKA_ADMIN_RES_TOPIC && res[i].name && *res[i].name)
            continue;
        if (res[i].type == KAFKA_ADMIN_RES_BROKER && res[i].name &&
            (!*res[i].name || is_broker_id(res[i].name)))
            continue;
        return kr_err_set(err, KR_ERR_KAFKA_BAD_REQUEST, "invalid config resource '%s'",
                          res[i].name ? res[i].name : "(null)");
    }
    return 0;
}

static size_t count_parts(const kafka_admin_resource_t *res, size_t n)
{
    size_t parts = 0;
    bool topics = false;
    for (size_t i = 0; i < n; i++) {
        if (res[i].type == KAFKA_ADMIN_RES_TOPIC)
            topics = true;
        else
            parts++;
    }
    return parts + (topics ? 1 : 0);
}

/* Issues one part: the topics (broker_slot SIZE_MAX) or the broker at broker_slot. */
static void issue_part(admin_op_t *op, const kafka_admin_resource_t *res, size_t n,
                       size_t broker_slot)
{
    kafka_admin_t *a = op->a;
    part_t *p = xcalloc(1, sizeof(*p));
    p->slots = xcalloc(n, sizeof(*p->slots));
    op->state = p;
    op->state_free = part_free;
    rd_kafka_ConfigResource_t **crs = xcalloc(n, sizeof(*crs));
    char id[16];
    for (size_t i = 0; i < n; i++) {
        bool mine =
            broker_slot == SIZE_MAX ? res[i].type == KAFKA_ADMIN_RES_TOPIC : i == broker_slot;
        if (!mine)
            continue;
        const char *name = res[i].name;
        if (res[i].type == KAFKA_ADMIN_RES_BROKER && !*name) {
            int32_t ctrl = kafka_admin_controller_id(a);
            if (ctrl < 0) {
                kr_err_t err = {0};
                kr_err_set(&err, KR_ERR_BROKER_NOT_AVAILABLE,
                           "Kafka brokers are not available: no controller known yet");
                admin_op_defer_fail(op, &err);
                xfree(crs);
                return;
            }
            snprintf(id, sizeof(id), "%d", (int)ctrl);
            name = id;
            p->cluster_default = true;
        }
        crs[p->n] = rd_kafka_ConfigResource_new((rd_kafka_ResourceType_t)res[i].type, name);
        p->slots[p->n++] = i;
    }
    /* After the call the op may complete on the loop at any moment: p and op are not touched
     * again. */
    size_t n_crs = p->n;
    rd_kafka_AdminOptions_t *opts = admin_options(op, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, false);
    rd_kafka_DescribeConfigs(admin_rk(a), crs, n_crs, opts, admin_queue(a));
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_ConfigResource_destroy_array(crs, n_crs);
    xfree(crs);
}

static kafka_admin_configs_t *configs_new(const kafka_admin_resource_t *res, size_t n)
{
    kafka_admin_configs_t *c = xcalloc(1, sizeof(*c));
    c->resources = xcalloc(n, sizeof(*c->resources));
    c->n = n;
    for (size_t i = 0; i < n; i++) {
        c->resources[i].type = res[i].type;
        c->resources[i].name = xstrdup(res[i].name);
    }
    return c;
}

int kafka_admin_describe_configs(kafka_admin_t *a, const kafka_admin_resource_t *res, size_t n,
                                 int64_t timeout_ms, kafka_admin_cb cb, void *arg, kr_err_t *err)
{
    if (check_resources(res, n, err) != 0)
        return -1;
    size_t n_parts = count_parts(res, n);
    gather_t *g = xcalloc(1, sizeof(*g));
    admin_op_t **ops = xcalloc(n_parts, sizeof(*ops));
    /* Every op is reserved before any is issued, so that a refusal leaves nothing behind. */
    for (size_t i = 0; i < n_parts; i++) {
        ops[i] = admin_op_new(a, on_describe_part, gather_done, g, timeout_ms, err);
        if (!ops[i]) {
            for (size_t j = 0; j < i; j++)
                admin_op_cancel(ops[j]);
            xfree(ops);
            xfree(g);
            return -1;
        }
    }
    g->result = configs_new(res, n);
    g->parts_left = n_parts;
    g->cb = cb;
    g->arg = arg;
    size_t next = 0;
    for (size_t i = 0; i < n; i++) {
        if (res[i].type == KAFKA_ADMIN_RES_BROKER)
            issue_part(ops[next++], res, n, i);
    }
    if (next < n_parts)
        issue_part(ops[next], res, n, SIZE_MAX); /* all the topics */
    xfree(ops);
    return 0;
}

/* ---- AlterConfigs, and the read-modify-write ---- */

/* The one resource's outcome of an AlterConfigs result. @return 0, or -1 with err set. */
static int alter_result_err(rd_kafka_event_t *ev, kr_err_t *err)
{
    if (admin_event_err(ev, "alter configs failed", err) != 0)
        return -1;
    size_t n = 0;
    const rd_kafka_AlterConfigs_result_t *res = rd_kafka_event_AlterConfigs_result(ev);
    const rd_kafka_ConfigResource_t **rs =
        res ? rd_kafka_AlterConfigs_result_resources(res, &n) : NULL;
    if (n != 1)
        return kr_err_set(err, KR_ERR_KAFKA, "alter configs: %zu results for one resource", n);
    admin_item_err(err, rd_kafka_ConfigResource_error(rs[0]),
                   rd_kafka_ConfigResource_error_string(rs[0]));
    return err->code != KR_ERR_NONE ? -1 : 0;
}

static void on_alter_event(admin_op_t *op, rd_kafka_event_t *ev)
{
    kr_err_t err = {0};
    if (alter_result_err(ev, &err) != 0)
        admin_op_fail(op, &err);
    else
        admin_op_done(op, NULL, NULL);
}

/* Issues op's AlterConfigs; op may complete at any moment after. */
static void issue_alter(admin_op_t *op, admin_event_fn on_event, const kafka_admin_resource_t *res,
                        const kafka_admin_kv_t *configs, size_t n, bool validate_only)
{
    kafka_admin_t *a = op->a;
    op->on_event = on_event;
    rd_kafka_ConfigResource_t *cr =
        rd_kafka_ConfigResource_new((rd_kafka_ResourceType_t)res->type, res->name);
    for (size_t i = 0; i < n; i++)
        rd_kafka_ConfigResource_set_config(cr, configs[i].name, configs[i].value);
    rd_kafka_AdminOptions_t *opts =
        admin_options(op, RD_KAFKA_ADMIN_OP_ALTERCONFIGS, validate_only);
    rd_kafka_AlterConfigs(admin_rk(a), &cr, 1, opts, admin_queue(a));
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_ConfigResource_destroy(cr);
}

static int check_alterable(const kafka_admin_resource_t *res, kr_err_t *err)
{
    if (check_resources(res, 1, err) != 0)
        return -1;
    if (res->type == KAFKA_ADMIN_RES_BROKER && !*res->name)
        return kr_err_set(err, KR_ERR_KAFKA,
                          "the cluster-wide broker configs cannot be altered by this krest "
                          "(librdkafka 2.0.2 cannot address the default broker resource)");
    return 0;
}

int kafka_admin_alter_configs(kafka_admin_t *a, const kafka_admin_resource_t *res,
                              const kafka_admin_kv_t *configs, size_t n, bool validate_only,
                              int64_t timeout_ms, kafka_admin_cb cb, void *arg, kr_err_t *err)
{
    if (check_alterable(res, err) != 0)
        return -1;
    admin_op_t *op = admin_op_new(a, on_alter_event, cb, arg, timeout_ms, err);
    if (!op)
        return -1;
    issue_alter(op, on_alter_event, res, configs, n, validate_only);
    return 0;
}

/* The read-modify-write's state: its own copies of the call's arguments. */
typedef struct merge {
    kafka_admin_resource_t res;
    kafka_admin_config_op_t *ops;
    size_t n_ops;
    bool validate_only;
    kafka_admin_kv_t *written; /* owned copies: the set AlterConfigs wrote */
    size_t n_written;
} merge_t;

static void merge_free(void *state)
{
    merge_t *m = state;
    xfree((char *)m->res.name);
    for (size_t i = 0; i < m->n_ops; i++) {
        xfree((char *)m->ops[i].name);
        xfree((char *)m->ops[i].value);
    }
    xfree(m->ops);
    for (size_t i = 0; i < m->n_written; i++) {
        xfree((char *)m->written[i].name);
        xfree((char *)m->written[i].value);
    }
    xfree(m->written);
    xfree(m);
}

static void merge_keep_written(merge_t *m, const kafka_admin_kv_t *kv, size_t n)
{
    m->written = xcalloc(n ? n : 1, sizeof(*m->written));
    m->n_written = n;
    for (size_t i = 0; i < n; i++)
        m->written[i] = (kafka_admin_kv_t){xstrdup(kv[i].name), xstrdup(kv[i].value)};
}

static merge_t *merge_new(const kafka_admin_resource_t *res, const kafka_admin_config_op_t *ops,
                          size_t n_ops, bool validate_only)
{
    merge_t *m = xcalloc(1, sizeof(*m));
    m->res = (kafka_admin_resource_t){res->type, xstrdup(res->name)};
    m->ops = xcalloc(n_ops ? n_ops : 1, sizeof(*m->ops));
    m->n_ops = n_ops;
    m->validate_only = validate_only;
    for (size_t i = 0; i < n_ops; i++) {
        m->ops[i].name = xstrdup(ops[i].name);
        m->ops[i].value = xstrdup(ops[i].value);
        m->ops[i].op = ops[i].op;
    }
    return m;
}

static void on_merge_describe(admin_op_t *op, rd_kafka_event_t *ev);
static void on_merge_altered(admin_op_t *op, rd_kafka_event_t *ev);
static void on_merge_confirm(admin_op_t *op, rd_kafka_event_t *ev);

/* Issues op's DescribeConfigs of its resource; on_event takes the result. */
static void issue_merge_describe(admin_op_t *op, admin_event_fn on_event)
{
    merge_t *m = op->state;
    op->on_event = on_event;
    rd_kafka_ConfigResource_t *cr =
        rd_kafka_ConfigResource_new((rd_kafka_ResourceType_t)m->res.type, m->res.name);
    rd_kafka_AdminOptions_t *opts = admin_options(op, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, false);
    rd_kafka_DescribeConfigs(admin_rk(op->a), &cr, 1, opts, admin_queue(op->a));
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_ConfigResource_destroy(cr);
}

/* The one resource of a DescribeConfigs result. @return owned configs (the resource's own
 * error in resources[0].err), or NULL with err set. */
static kafka_admin_configs_t *described(const merge_t *m, rd_kafka_event_t *ev, kr_err_t *err)
{
    if (admin_event_err(ev, "describe configs failed", err) != 0)
        return NULL;
    size_t n = 0;
    const rd_kafka_DescribeConfigs_result_t *res = rd_kafka_event_DescribeConfigs_result(ev);
    const rd_kafka_ConfigResource_t **rs =
        res ? rd_kafka_DescribeConfigs_result_resources(res, &n) : NULL;
    if (n != 1) {
        kr_err_set(err, KR_ERR_KAFKA, "describe configs: %zu results for one resource", n);
        return NULL;
    }
    kafka_admin_configs_t *cur = configs_new(&m->res, 1);
    copy_resource(rs[0], &cur->resources[0]);
    return cur;
}

/* Step 1 done: merge the resource's dynamic set with the ops and alter (step 2). */
static void on_merge_describe(admin_op_t *op, rd_kafka_event_t *ev)
{
    merge_t *m = op->state;
    kr_err_t err = {0};
    kafka_admin_configs_t *cur = described(m, ev, &err);
    kafka_admin_kv_t *kv = NULL;
    size_t n_kv = 0;
    if (cur && cur->resources[0].err.code != KR_ERR_NONE)
        err = cur->resources[0].err;
    else if (cur && admin_closing(op->a))
        kr_err_set(&err, KR_ERR_SHUTTING_DOWN, "krest is shutting down");
    else if (cur && op->deadline_ms <= kr_clock_mono_ms())
        kr_err_set(&err, KR_ERR_BROKER_NOT_AVAILABLE,
                   "Kafka brokers are not available: alter configs timed out");
    else if (cur)
        kafka_admin_config_merge(cur->resources[0].configs, cur->resources[0].n_configs,
                                 kafka_admin_dynamic_source(&m->res), m->ops, m->n_ops, &kv, &n_kv,
                                 &err);
    if (err.code != KR_ERR_NONE) {
        admin_op_fail(op, &err);
    } else {
        merge_keep_written(m, kv, n_kv);
        issue_alter(op, on_merge_altered, &m->res, kv, n_kv, m->validate_only);
    }
    /* issue_alter copied kv (and cur's strings) into librdkafka's own resource. */
    xfree(kv);
    kafka_admin_configs_free(cur);
}

/* Step 2 done: a real change is confirmed (step 3) before the answer. */
static void on_merge_altered(admin_op_t *op, rd_kafka_event_t *ev)
{
    merge_t *m = op->state;
    kr_err_t err = {0};
    if (alter_result_err(ev, &err) != 0)
        admin_op_fail(op, &err);
    else if (m->validate_only || admin_closing(op->a))
        admin_op_done(op, NULL, NULL);
    else
        issue_merge_describe(op, on_merge_confirm);
}

/* Step 3: read-your-writes. A broker applies a change after the controller committed it, so a
 * DescribeConfigs right after AlterConfigs may still show the old set, and a second
 * read-modify-write from the same client would then write the old set back. The answer waits
 * until the resource shows what was written (one DescribeConfigs after another, each a round
 * trip), or the deadline: the change itself was accepted either way. */
static void on_merge_confirm(admin_op_t *op, rd_kafka_event_t *ev)
{
    merge_t *m = op->state;
    kr_err_t err = {0};
    kafka_admin_configs_t *cur = described(m, ev, &err);
    const kafka_admin_config_res_t *r = cur ? &cur->resources[0] : NULL;
    bool applied =
        r && r->err.code == KR_ERR_NONE &&
        kafka_admin_config_applied(r->configs, r->n_configs, kafka_admin_dynamic_source(&m->res),
                                   m->written, m->n_written);
    bool answered = cur && cur->resources[0].err.code == KR_ERR_NONE;
    kafka_admin_configs_free(cur);
    /* A describe that fails cannot confirm anything: the change was accepted, answer now. */
    if (applied || !answered || admin_closing(op->a) || admin_left_ms(op) <= 50) {
        if (!applied)
            log_warn("alter configs of %s: accepted; the broker did not show it yet (%s)",
                     m->res.name, answered ? "deadline" : err.msg);
        admin_op_done(op, NULL, NULL);
        return;
    }
    issue_merge_describe(op, on_merge_confirm);
}

int kafka_admin_alter_configs_merge(kafka_admin_t *a, const kafka_admin_resource_t *res,
                                    const kafka_admin_config_op_t *ops, size_t n_ops,
                                    bool validate_only, int64_t timeout_ms, kafka_admin_cb cb,
                                    void *arg, kr_err_t *err)
{
    if (check_alterable(res, err) != 0)
        return -1;
    admin_op_t *op = admin_op_new(a, on_merge_describe, cb, arg, timeout_ms, err);
    if (!op)
        return -1;
    op->state = merge_new(res, ops, n_ops, validate_only);
    op->state_free = merge_free;
    issue_merge_describe(op, on_merge_describe);
    return 0;
}
