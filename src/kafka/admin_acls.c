/* kafka/admin_acls.c -- ACLs through the admin layer: DescribeAcls, CreateAcls, DeleteAcls.
 * krest's ACL enums carry Kafka's wire values, which are librdkafka's too (its resource type
 * BROKER is Kafka's CLUSTER, 4); librdkafka 2.0.2 stops at 4, so TRANSACTIONAL_ID and
 * DELEGATION_TOKEN are refused at the call (40002) and read back as UNKNOWN.
 * May use: util/, librdkafka. Threads: calls from any thread; results on the kafka loop. */
#include "kafka/admin_int.h"

#include "util/mem.h"

#include <stdio.h>
#include <string.h>

/* ---- conversions ---- */

static rd_kafka_AclBinding_t *binding_new(const kafka_acl_t *b, bool filter, kr_err_t *err)
{
    char errstr[256] = "";
    rd_kafka_AclBinding_t *rb = (filter ? rd_kafka_AclBindingFilter_new : rd_kafka_AclBinding_new)(
        (rd_kafka_ResourceType_t)b->resource_type, b->resource_name,
        (rd_kafka_ResourcePatternType_t)b->pattern_type, b->principal, b->host,
        (rd_kafka_AclOperation_t)b->operation, (rd_kafka_AclPermissionType_t)b->permission, errstr,
        sizeof(errstr));
    if (!rb)
        kr_err_set(err, KR_ERR_KAFKA_BAD_REQUEST, "invalid ACL %s for resource type %s: %s",
                   filter ? "filter" : "binding", kafka_acl_resource_name(b->resource_type),
                   errstr);
    return rb;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void copy_binding(const rd_kafka_AclBinding_t *rb, kafka_acl_t *out)
{
    out->resource_type = (kafka_acl_resource_t)rd_kafka_AclBinding_restype(rb);
    out->resource_name = dup_or_null(rd_kafka_AclBinding_name(rb));
    out->pattern_type = (kafka_acl_pattern_t)rd_kafka_AclBinding_resource_pattern_type(rb);
    out->principal = dup_or_null(rd_kafka_AclBinding_principal(rb));
    out->host = dup_or_null(rd_kafka_AclBinding_host(rb));
    out->operation = (kafka_acl_operation_t)rd_kafka_AclBinding_operation(rb);
    out->permission = (kafka_acl_permission_t)rd_kafka_AclBinding_permission_type(rb);
}

/* Appends n bindings to l. */
static void append_bindings(kafka_admin_acls_t *l, const rd_kafka_AclBinding_t **rbs, size_t n)
{
    l->acls = xrealloc(l->acls, (l->n + n + 1) * sizeof(*l->acls));
    for (size_t i = 0; i < n; i++)
        copy_binding(rbs[i], &l->acls[l->n++]);
}

void kafka_admin_acls_free(kafka_admin_acls_t *l)
{
    if (!l)
        return;
    /* The strings of a result's ACLs are its own (kafka_acl_t holds them as const). */
    for (size_t i = 0; i < l->n; i++) {
        xfree((char *)l->acls[i].resource_name);
        xfree((char *)l->acls[i].principal);
        xfree((char *)l->acls[i].host);
    }
    xfree(l->acls);
    xfree(l);
}

/* Builds n librdkafka bindings (or filters). @return owned array, or NULL with err set. */
static rd_kafka_AclBinding_t **bindings_new(const kafka_acl_t *bs, size_t n, bool filter,
                                            kr_err_t *err)
{
    if (n == 0) {
        kr_err_set(err, KR_ERR_KAFKA_BAD_REQUEST, "no ACL given");
        return NULL;
    }
    rd_kafka_AclBinding_t **rbs = xcalloc(n, sizeof(*rbs));
    for (size_t i = 0; i < n; i++) {
        rbs[i] = binding_new(&bs[i], filter, err);
        if (!rbs[i]) {
            rd_kafka_AclBinding_destroy_array(rbs, i);
            xfree(rbs);
            return NULL;
        }
    }
    return rbs;
}

static void bindings_free(rd_kafka_AclBinding_t **rbs, size_t n)
{
    rd_kafka_AclBinding_destroy_array(rbs, n);
    xfree(rbs);
}

/* ---- DescribeAcls ----
 * librdkafka 2.0.2 reads the error of a DescribeAcls response and drops it: a broker without
 * an authorizer (SecurityDisabled) looks like one without ACLs. So an empty answer is followed
 * by a look at the controller's authorizer.class.name; empty means SecurityDisabled (40002),
 * which is what Kafka said. */

static void on_authorizer_check(admin_op_t *op, rd_kafka_event_t *ev)
{
    kr_err_t err = {0};
    if (admin_event_err(ev, "describe ACLs failed", &err) != 0) {
        admin_op_fail(op, &err);
        return;
    }
    size_t n = 0, n_entries = 0;
    const rd_kafka_DescribeConfigs_result_t *res = rd_kafka_event_DescribeConfigs_result(ev);
    const rd_kafka_ConfigResource_t **rs =
        res ? rd_kafka_DescribeConfigs_result_resources(res, &n) : NULL;
    const rd_kafka_ConfigEntry_t **entries =
        n == 1 ? rd_kafka_ConfigResource_configs(rs[0], &n_entries) : NULL;
    const char *authorizer = NULL;
    for (size_t i = 0; i < n_entries; i++) {
        if (strcmp(rd_kafka_ConfigEntry_name(entries[i]), "authorizer.class.name") == 0)
            authorizer = rd_kafka_ConfigEntry_value(entries[i]);
    }
    if (n == 1 && (!authorizer || !*authorizer)) {
        kr_err_set(&err, KR_ERR_KAFKA_BAD_REQUEST,
                   "Security features are disabled: no authorizer is configured on the broker");
        admin_op_fail(op, &err);
        return;
    }
    admin_op_done(op, xcalloc(1, sizeof(kafka_admin_acls_t)), NULL);
}

/* Issues the authorizer look-up of an empty DescribeAcls answer. @return -1 when the
 * controller is not known (the empty answer then stands). */
static int check_authorizer(admin_op_t *op)
{
    int32_t ctrl = kafka_admin_controller_id(op->a);
    if (ctrl < 0)
        return -1;
    char id[16];
    snprintf(id, sizeof(id), "%d", (int)ctrl);
    op->on_event = on_authorizer_check;
    rd_kafka_ConfigResource_t *cr = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_BROKER, id);
    rd_kafka_ConfigResource_set_config(cr, "authorizer.class.name", NULL);
    rd_kafka_AdminOptions_t *opts = admin_options(op, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, false);
    rd_kafka_DescribeConfigs(admin_rk(op->a), &cr, 1, opts, admin_queue(op->a));
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_ConfigResource_destroy(cr);
    return 0;
}

static void on_describe_acls(admin_op_t *op, rd_kafka_event_t *ev)
{
    kr_err_t err = {0};
    if (admin_event_err(ev, "describe ACLs failed", &err) != 0) {
        admin_op_fail(op, &err);
        return;
    }
    size_t n = 0;
    const rd_kafka_DescribeAcls_result_t *res = rd_kafka_event_DescribeAcls_result(ev);
    const rd_kafka_AclBinding_t **rbs = res ? rd_kafka_DescribeAcls_result_acls(res, &n) : NULL;
    if (n == 0 && !admin_closing(op->a) && check_authorizer(op) == 0)
        return;
    kafka_admin_acls_t *l = xcalloc(1, sizeof(*l));
    append_bindings(l, rbs, n);
    admin_op_done(op, l, NULL);
}

int kafka_admin_describe_acls(kafka_admin_t *a, const kafka_acl_t *filter, int64_t timeout_ms,
                              kafka_admin_cb cb, void *arg, kr_err_t *err)
{
    rd_kafka_AclBinding_t **rbs = bindings_new(filter, 1, true, err);
    if (!rbs)
        return -1;
    admin_op_t *op = admin_op_new(a, on_describe_acls, cb, arg, timeout_ms, err);
    if (!op) {
        bindings_free(rbs, 1);
        return -1;
    }
    rd_kafka_AdminOptions_t *opts = admin_options(op, RD_KAFKA_ADMIN_OP_DESCRIBEACLS, false);
    rd_kafka_DescribeAcls(admin_rk(a), rbs[0], opts, admin_queue(a));
    rd_kafka_AdminOptions_destroy(opts);
    bindings_free(rbs, 1);
    return 0;
}

/* ---- CreateAcls ---- */

static void items_state_free(void *state)
{
    kafka_admin_items_free(state);
}

static void on_create_acls(admin_op_t *op, rd_kafka_event_t *ev)
{
    kr_err_t err = {0};
    if (admin_event_err(ev, "create ACLs failed", &err) != 0) {
        admin_op_fail(op, &err);
        return;
    }
    kafka_admin_items_t *r = op->state;
    op->state = NULL;
    size_t n = 0;
    const rd_kafka_CreateAcls_result_t *res = rd_kafka_event_CreateAcls_result(ev);
    const rd_kafka_acl_result_t **rs = res ? rd_kafka_CreateAcls_result_acls(res, &n) : NULL;
    /* librdkafka answers in the order of the bindings. */
    for (size_t i = 0; i < r->n; i++) {
        if (i < n)
            admin_error_set(&r->items[i].err, rd_kafka_acl_result_error(rs[i]), "create ACL");
        else
            kr_err_set(&r->items[i].err, KR_ERR_KAFKA, "Kafka sent no result for ACL %zu", i);
    }
    admin_op_done(op, r, NULL);
}

int kafka_admin_create_acls(kafka_admin_t *a, const kafka_acl_t *bindings, size_t n,
                            int64_t timeout_ms, kafka_admin_cb cb, void *arg, kr_err_t *err)
{
    rd_kafka_AclBinding_t **rbs = bindings_new(bindings, n, false, err);
    if (!rbs)
        return -1;
    admin_op_t *op = admin_op_new(a, on_create_acls, cb, arg, timeout_ms, err);
    if (!op) {
        bindings_free(rbs, n);
        return -1;
    }
    const char **names = xcalloc(n, sizeof(*names));
    for (size_t i = 0; i < n; i++)
        names[i] = bindings[i].resource_name;
    op->state = admin_items_new(names, n);
    op->state_free = items_state_free;
    xfree(names);
    rd_kafka_AdminOptions_t *opts = admin_options(op, RD_KAFKA_ADMIN_OP_CREATEACLS, false);
    rd_kafka_CreateAcls(admin_rk(a), rbs, n, opts, admin_queue(a));
    rd_kafka_AdminOptions_destroy(opts);
    bindings_free(rbs, n);
    return 0;
}

/* ---- DeleteAcls ---- */

static void on_delete_acls(admin_op_t *op, rd_kafka_event_t *ev)
{
    kr_err_t err = {0};
    if (admin_event_err(ev, "delete ACLs failed", &err) != 0) {
        admin_op_fail(op, &err);
        return;
    }
    size_t n = 0;
    const rd_kafka_DeleteAcls_result_t *res = rd_kafka_event_DeleteAcls_result(ev);
    const rd_kafka_DeleteAcls_result_response_t **rs =
        res ? rd_kafka_DeleteAcls_result_responses(res, &n) : NULL;
    kafka_admin_acls_t *l = xcalloc(1, sizeof(*l));
    for (size_t i = 0; i < n; i++) {
        const rd_kafka_error_t *e = rd_kafka_DeleteAcls_result_response_error(rs[i]);
        if (e) {
            admin_error_set(&err, e, "delete ACLs");
            kafka_admin_acls_free(l);
            admin_op_fail(op, &err);
            return;
        }
        size_t n_acls = 0;
        const rd_kafka_AclBinding_t **rbs =
            rd_kafka_DeleteAcls_result_response_matching_acls(rs[i], &n_acls);
        append_bindings(l, rbs, n_acls);
    }
    admin_op_done(op, l, NULL);
}

int kafka_admin_delete_acls(kafka_admin_t *a, const kafka_acl_t *filters, size_t n,
                            int64_t timeout_ms, kafka_admin_cb cb, void *arg, kr_err_t *err)
{
    rd_kafka_AclBinding_t **rbs = bindings_new(filters, n, true, err);
    if (!rbs)
        return -1;
    admin_op_t *op = admin_op_new(a, on_delete_acls, cb, arg, timeout_ms, err);
    if (!op) {
        bindings_free(rbs, n);
        return -1;
    }
    rd_kafka_AdminOptions_t *opts = admin_options(op, RD_KAFKA_ADMIN_OP_DELETEACLS, false);
    rd_kafka_DeleteAcls(admin_rk(a), rbs, n, opts, admin_queue(a));
    rd_kafka_AdminOptions_destroy(opts);
    bindings_free(rbs, n);
    return 0;
}
