/* api/v3_acls.c -- v3 ACLs (see v3_acls.h).
 *
 * DESIGN. Each endpoint checks its request in the order Confluent's JAX-RS resource does: the
 * query's enums (404 for a value no enum has), the body (400/422), the rules of the endpoint
 * (400: UNKNOWN in a search, a missing enum in a delete, ANY or MATCH in a create), then the
 * cluster (404), and only then asks Kafka. The check runs on the HTTP thread before the
 * metadata snapshot: a body is parsed once into the job (api/body.h), which travels with the
 * snapshot request (api_v3_md_serve_with); a query is cheap and parsed again by the
 * continuation. The job owns what the admin call and the answer need. One job type serves the
 * four endpoints: acl_start() issues the admin call, on_admin() completes the job on the kafka
 * loop, acl_resumed() answers on an HTTP thread.
 * librdkafka 2.0.2 knows resource types up to CLUSTER: TRANSACTIONAL_ID and DELEGATION_TOKEN
 * are refused by the admin layer (400/40002), docs/v3.md.
 * Threads: HTTP threads; on_admin() on the kafka loop. */
#include "api/v3_acls.h"

#include "api/body.h"
#include "api/job.h"
#include "api/v3.h"
#include "format/json.h"
#include "kafka/admin.h"
#include "util/mem.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { P_CLUSTER = 0 };

/* --- the four enums -------------------------------------------------------------------- */

enum { E_RESOURCE, E_PATTERN, E_OPERATION, E_PERMISSION, E__CNT };

typedef struct acl_enum {
    const char *param; /* query parameter and JSON member */
    const char *type;  /* Confluent's enum class, for the 404 message */
    int count;
    const char *(*name)(int v);
} acl_enum_t;

static const char *resource_name_of(int v)
{
    return kafka_acl_resource_name((kafka_acl_resource_t)v);
}

static const char *pattern_name_of(int v)
{
    return kafka_acl_pattern_name((kafka_acl_pattern_t)v);
}

static const char *operation_name_of(int v)
{
    return kafka_acl_operation_name((kafka_acl_operation_t)v);
}

static const char *permission_name_of(int v)
{
    return kafka_acl_permission_name((kafka_acl_permission_t)v);
}

/* In the order of Confluent's parameters, which is the order its checks report in. UNKNOWN is
 * 0 and ANY 1 in each (Kafka's wire values). */
static const acl_enum_t acl_enums[E__CNT] = {
    {"resource_type", "ResourceType", KAFKA_ACL_RESOURCE__CNT, resource_name_of},
    {"pattern_type", "PatternType", KAFKA_ACL_PATTERN__CNT, pattern_name_of},
    {"operation", "Operation", KAFKA_ACL_OP__CNT, operation_name_of},
    {"permission", "Permission", KAFKA_ACL_PERMISSION__CNT, permission_name_of},
};
enum { V_UNKNOWN = 0, V_ANY = 1 };

static void enums_set(kafka_acl_t *a, const int v[E__CNT])
{
    a->resource_type = (kafka_acl_resource_t)v[E_RESOURCE];
    a->pattern_type = (kafka_acl_pattern_t)v[E_PATTERN];
    a->operation = (kafka_acl_operation_t)v[E_OPERATION];
    a->permission = (kafka_acl_permission_t)v[E_PERMISSION];
}

/* A query parameter's value, in any case (Confluent's EnumConverterProvider). @return the
 * value, or -1 with err 404. */
static int enum_query_parse(const acl_enum_t *e, const char *value, kr_err_t *err)
{
    const char *names[KAFKA_ACL_OP__CNT]; /* the largest of the four */
    for (int i = 0; i < e->count; i++)
        names[i] = e->name(i);
    return api_v3_enum_parse(e->type, names, (size_t)e->count, value, err);
}

/* A body member's value, exactly (Jackson reads an enum by its name). @return the value, or
 * -1 with err 400. */
static int enum_body_parse(const acl_enum_t *e, const char *value, kr_err_t *err)
{
    for (int i = 0; i < e->count; i++) {
        if (strcmp(e->name(i), value) == 0)
            return i;
    }
    return kr_err_set(err, KR_ERR_BAD_REQUEST,
                      "Cannot deserialize value of type %s from String \"%s\": not one of the "
                      "values accepted for Enum class %s",
                      e->type, value, e->type);
}

/* --- filters from the query (search, delete) ------------------------------------------- */

typedef enum acl_mode { MODE_SEARCH, MODE_DELETE } acl_mode_t;

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

/* The filter of a search (enums default ANY; UNKNOWN refused) or a delete (enums default
 * UNKNOWN, so each is required). Strings are borrowed from the query; an empty one matches
 * anything. @return 0, or -1 with err 404 (no such enum value) or 400. */
static int filter_parse(const api_req_t *req, acl_mode_t mode, kafka_acl_t *f, kr_err_t *err)
{
    int v[E__CNT];
    for (int i = 0; i < E__CNT; i++) {
        const char *s = api_query(req, acl_enums[i].param);
        v[i] = s ? enum_query_parse(&acl_enums[i], s, err) : (mode == MODE_SEARCH ? V_ANY : 0);
        if (v[i] < 0)
            return -1;
    }
    for (int i = 0; i < E__CNT; i++) {
        if (v[i] != V_UNKNOWN)
            continue;
        if (mode == MODE_SEARCH)
            return kr_err_set(err, KR_ERR_BAD_REQUEST, "%s cannot be UNKNOWN", acl_enums[i].param);
        return kr_err_set(err, KR_ERR_BAD_REQUEST, "%s cannot be unspecified or UNKNOWN",
                          acl_enums[i].param);
    }
    enums_set(f, v);
    f->resource_name = nonempty(api_query(req, "resource_name"));
    f->principal = nonempty(api_query(req, "principal"));
    f->host = nonempty(api_query(req, "host"));
    return 0;
}

/* --- bodies (create, batch) ------------------------------------------------------------ */

/* Confluent's AclsResource and CreateAclBatchAction on a null request; its batch entity on
 * no `data` (or a null item in it). */
#define NULL_INPUT "Null input provided. Data is required."
#define EMPTY_DATA "Payload error. Empty input provided. Data is required."

/* CreateAclRequest: every member required (its builder fails on a null one). */
static const api_body_field_t acl_fields[] = {
    {"resource_type", API_BODY_STRING, true}, {"resource_name", API_BODY_STRING, true},
    {"pattern_type", API_BODY_STRING, true},  {"principal", API_BODY_STRING, true},
    {"host", API_BODY_STRING, true},          {"operation", API_BODY_STRING, true},
    {"permission", API_BODY_STRING, true},    {NULL, API_BODY_ANY, false},
};
static const api_body_spec_t acl_spec = {acl_fields, "CreateAclRequest", NULL_INPUT, 0};

static const api_body_field_t batch_fields[] = {
    {"data", API_BODY_ARRAY, false},
    {NULL, API_BODY_ANY, false},
};
static const api_body_spec_t batch_spec = {batch_fields, "CreateAclBatchRequestData", NULL_INPUT,
                                           0};

/* One CreateAclRequest object (checked) into a (strings borrowed from it). @return 0, or -1
 * with err 400 (an enum value Jackson does not know, a NUL in a string). */
static int acl_from_json(const api_body_t *b, json_object *o, kafka_acl_t *a, kr_err_t *err)
{
    int v[E__CNT];
    for (int i = 0; i < E__CNT; i++) {
        const char *s = NULL;
        if (api_body_str(b, o, acl_enums[i].param, &s, err) != 0)
            return -1;
        v[i] = enum_body_parse(&acl_enums[i], s, err);
        if (v[i] < 0)
            return -1;
    }
    enums_set(a, v);
    if (api_body_str(b, o, "resource_name", &a->resource_name, err) != 0 ||
        api_body_str(b, o, "principal", &a->principal, err) != 0 ||
        api_body_str(b, o, "host", &a->host, err) != 0)
        return -1;
    return 0;
}

/* The `data` items of a batch, each checked against acl_spec. @return data (borrowed), or
 * NULL with err: 422 for no data or a null item (Confluent's list copy), else 400. */
static json_object *batch_items(const api_body_t *b, kr_err_t *err)
{
    json_object *data = api_body_get(b->root, "data");
    if (!data) {
        kr_err_set(err, KR_ERR_PAYLOAD, EMPTY_DATA);
        return NULL;
    }
    size_t n = json_object_array_length(data);
    if (api_v3_items_check(n, "ACLs", err) != 0)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (!json_object_array_get_idx(data, i)) {
            kr_err_set(err, KR_ERR_PAYLOAD, EMPTY_DATA);
            return NULL;
        }
    }
    for (size_t i = 0; i < n; i++) {
        char what[32];
        snprintf(what, sizeof(what), "data[%zu]", i);
        if (api_body_check(b, json_object_array_get_idx(data, i), what, &acl_spec, err) != 0)
            return NULL;
    }
    return data;
}

/* Confluent's AclManager.validateAclCreateParameters: its messages name ANY for UNKNOWN too. */
static int acl_create_check(const kafka_acl_t *a, kr_err_t *err)
{
    if (a->resource_type == KAFKA_ACL_RESOURCE_ANY ||
        a->resource_type == KAFKA_ACL_RESOURCE_UNKNOWN)
        return kr_err_set(err, KR_ERR_BAD_REQUEST, "resource_type cannot be ANY");
    if (a->pattern_type == KAFKA_ACL_PATTERN_ANY || a->pattern_type == KAFKA_ACL_PATTERN_MATCH ||
        a->pattern_type == KAFKA_ACL_PATTERN_UNKNOWN)
        return kr_err_set(err, KR_ERR_BAD_REQUEST, "pattern_type cannot be %s",
                          kafka_acl_pattern_name(a->pattern_type));
    if (a->operation == KAFKA_ACL_OP_ANY || a->operation == KAFKA_ACL_OP_UNKNOWN)
        return kr_err_set(err, KR_ERR_BAD_REQUEST, "operation cannot be ANY");
    if (a->permission == KAFKA_ACL_PERMISSION_ANY || a->permission == KAFKA_ACL_PERMISSION_UNKNOWN)
        return kr_err_set(err, KR_ERR_BAD_REQUEST, "permission cannot be ANY");
    return 0;
}

/* Parses a create (one CreateAclRequest) or batch body into *body (api_body_deinit it, also
 * after a failure) and its bindings into *acls (owned array, xfree; strings borrowed from the
 * body). @return 0, or -1 with err set. */
static int acls_parse(const api_req_t *req, bool batch, api_body_t *body, kafka_acl_t **acls,
                      size_t *n, kr_err_t *err)
{
    *acls = NULL;
    *n = 0;
    if (api_body_parse(body, req, batch ? &batch_spec : &acl_spec, err) != 0)
        return -1;
    json_object *data = batch ? batch_items(body, err) : body->root;
    if (!data)
        return -1;
    size_t count = batch ? json_object_array_length(data) : 1;
    *acls = xcalloc(count ? count : 1, sizeof(**acls));
    kafka_acl_t *a = *acls;
    for (size_t i = 0; i < count; i++) {
        json_object *o = batch ? json_object_array_get_idx(data, i) : data;
        if (acl_from_json(body, o, &a[i], err) != 0)
            return -1;
    }
    for (size_t i = 0; i < count; i++) {
        if (acl_create_check(&a[i], err) != 0)
            return -1;
    }
    *n = count;
    return 0;
}

/* --- writing ACLs ---------------------------------------------------------------------- */

static void query_param(kr_buf_t *out, const char *sep, const char *key, const char *value)
{
    kr_buf_printf(out, "%s%s=", sep, key);
    api_v3_query_encode(out, value ? value : "");
}

/* The search URL's query that finds exactly a (Confluent's UrlFactory: all seven parameters,
 * enums by name, strings as Java's URLEncoder writes them). */
static void acl_query_write(kr_buf_t *out, const kafka_acl_t *a)
{
    query_param(out, "", "resource_type", kafka_acl_resource_name(a->resource_type));
    query_param(out, "&", "resource_name", a->resource_name);
    query_param(out, "&", "pattern_type", kafka_acl_pattern_name(a->pattern_type));
    query_param(out, "&", "principal", a->principal);
    query_param(out, "&", "host", a->host);
    query_param(out, "&", "operation", kafka_acl_operation_name(a->operation));
    query_param(out, "&", "permission", kafka_acl_permission_name(a->permission));
}

static void field_write(api_v3_t *v, const char *key, const char *value)
{
    fmt_jsonw_key(&v->w, key);
    fmt_jsonw_str(&v->w, value ? value : "");
}

static void acl_write(api_v3_t *v, const char *cluster_id, const kafka_acl_t *a)
{
    kr_buf_t q;
    kr_buf_init(&q, 0);
    acl_query_write(&q, a);
    api_v3_resource_begin(v, "KafkaAcl");
    api_v3_self(v, "clusters/%s/acls?%s", cluster_id, q.data);
    api_v3_metadata_end(v);
    kr_buf_deinit(&q);
    field_write(v, "cluster_id", cluster_id);
    field_write(v, "resource_type", kafka_acl_resource_name(a->resource_type));
    field_write(v, "resource_name", a->resource_name);
    field_write(v, "pattern_type", kafka_acl_pattern_name(a->pattern_type));
    field_write(v, "principal", a->principal);
    field_write(v, "host", a->host);
    field_write(v, "operation", kafka_acl_operation_name(a->operation));
    field_write(v, "permission", kafka_acl_permission_name(a->permission));
    api_v3_resource_end(v);
}

static int int_cmp(int a, int b)
{
    return (a > b) - (a < b);
}

static int str_cmp(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

/* Confluent's order: resource_type, resource_name, pattern_type, principal, host, operation,
 * permission; enums by their declaration order (Kafka's values), strings by code point. */
static int acl_cmp(const void *pa, const void *pb)
{
    const kafka_acl_t *a = pa, *b = pb;
    int c = int_cmp((int)a->resource_type, (int)b->resource_type);
    if (c == 0)
        c = str_cmp(a->resource_name, b->resource_name);
    if (c == 0)
        c = int_cmp((int)a->pattern_type, (int)b->pattern_type);
    if (c == 0)
        c = str_cmp(a->principal, b->principal);
    if (c == 0)
        c = str_cmp(a->host, b->host);
    if (c == 0)
        c = int_cmp((int)a->operation, (int)b->operation);
    if (c == 0)
        c = int_cmp((int)a->permission, (int)b->permission);
    return c;
}

static void acls_write(api_v3_t *v, const char *cluster_id, kafka_admin_acls_t *l)
{
    if (l->n > 1)
        qsort(l->acls, l->n, sizeof(l->acls[0]), acl_cmp);
    for (size_t i = 0; i < l->n; i++)
        acl_write(v, cluster_id, &l->acls[i]);
}

/* --- the job --------------------------------------------------------------------------- */

typedef enum acl_op { OP_SEARCH, OP_CREATE, OP_DELETE } acl_op_t;

typedef struct acl_job {
    api_job_t job; /* first */
    acl_op_t op;
    int created_status; /* OP_CREATE: 201 (one ACL, with Location) or 204 (a batch) */
    char *cluster_id;   /* owned */
    kafka_acl_t *acls;  /* owned array: the filter (search, delete) or the bindings (create) */
    size_t n;
    api_body_t body; /* owned: the bindings' strings point into it */
    char *strs[3];   /* owned: the filter's strings */
    void *result;    /* owned: kafka_admin_acls_t, or kafka_admin_items_t for a create */
} acl_job_t;

static void acl_job_free(api_job_t *job)
{
    acl_job_t *aj = (acl_job_t *)job;
    if (aj->op == OP_CREATE)
        kafka_admin_items_free(aj->result);
    else
        kafka_admin_acls_free(aj->result);
    api_body_deinit(&aj->body);
    for (int i = 0; i < 3; i++)
        xfree(aj->strs[i]);
    xfree(aj->acls);
    xfree(aj->cluster_id);
    xfree(aj);
}

/* A job without its cluster id (set once the snapshot has checked it). */
static acl_job_t *acl_job_new(const api_req_t *req, acl_op_t op)
{
    acl_job_t *aj = xcalloc(1, sizeof(*aj));
    aj->job.ctx = req->ctx;
    aj->job.free_fn = acl_job_free;
    aj->op = op;
    return aj;
}

static void acl_job_drop(void *aj)
{
    api_job_free(aj);
}

/* Gives the job its own copy of a query filter. */
static void acl_job_filter(acl_job_t *aj, const kafka_acl_t *f)
{
    aj->acls = xcalloc(1, sizeof(*aj->acls));
    aj->n = 1;
    aj->acls[0] = *f;
    const char *src[] = {f->resource_name, f->principal, f->host};
    for (int i = 0; i < 3; i++)
        aj->strs[i] = src[i] ? xstrdup(src[i]) : NULL;
    aj->acls[0].resource_name = aj->strs[0];
    aj->acls[0].principal = aj->strs[1];
    aj->acls[0].host = aj->strs[2];
}

/* Kafka loop: the admin call's completion. */
static void on_admin(void *arg, void *result, const kr_err_t *err)
{
    acl_job_t *aj = arg;
    aj->result = result;
    if (err)
        aj->job.err = *err;
    api_job_complete(&aj->job);
}

static void acl_start(api_job_t *job)
{
    acl_job_t *aj = (acl_job_t *)job;
    kafka_admin_t *a = job->ctx->kadmin;
    int64_t t = job->ctx->cfg->client_timeout_ms;
    int rc = -1;
    switch (aj->op) {
    case OP_SEARCH:
        rc = kafka_admin_describe_acls(a, &aj->acls[0], t, on_admin, aj, &job->err);
        break;
    case OP_CREATE:
        rc = kafka_admin_create_acls(a, aj->acls, aj->n, t, on_admin, aj, &job->err);
        break;
    case OP_DELETE:
        rc = kafka_admin_delete_acls(a, aj->acls, aj->n, t, on_admin, aj, &job->err);
        break;
    }
    if (rc != 0)
        api_job_complete(job);
}

/* --- answers --------------------------------------------------------------------------- */

static api_status_t answer_search(api_req_t *req, acl_job_t *aj)
{
    api_v3_t v;
    api_v3_init(&v, req);
    kr_buf_t q;
    kr_buf_init(&q, 0);
    acl_query_write(&q, &aj->acls[0]);
    api_v3_collection_begin(&v, "KafkaAclList", "clusters/%s/acls?%s", aj->cluster_id, q.data);
    kr_buf_deinit(&q);
    acls_write(&v, aj->cluster_id, aj->result);
    api_v3_collection_end(&v);
    return api_v3_reply(&v, 200);
}

/* The deleted ACLs as Confluent's DeleteAclsResponse: a bare {"data":[...]}. */
static api_status_t answer_delete(api_req_t *req, acl_job_t *aj)
{
    api_v3_t v;
    api_v3_init(&v, req);
    fmt_jsonw_obj_begin(&v.w);
    fmt_jsonw_key(&v.w, "data");
    fmt_jsonw_arr_begin(&v.w);
    acls_write(&v, aj->cluster_id, aj->result);
    fmt_jsonw_arr_end(&v.w);
    fmt_jsonw_obj_end(&v.w);
    return api_v3_reply(&v, 200);
}

/* Every binding must have been created; the first that was not answers, as Confluent's
 * allOf over the per-binding futures. */
static api_status_t answer_create(api_req_t *req, acl_job_t *aj)
{
    const kafka_admin_items_t *r = aj->result;
    for (size_t i = 0; r && i < r->n; i++) {
        if (r->items[i].err.code != 0)
            return api_reply_err(req, &r->items[i].err);
    }
    if (aj->created_status == 201) {
        api_v3_t v;
        api_v3_init(&v, req);
        kr_buf_t q;
        kr_buf_init(&q, 0);
        acl_query_write(&q, &aj->acls[0]);
        kr_buf_t url;
        kr_buf_init(&url, 0);
        api_v3_url_write(&v, &url, "clusters/%s/acls?%s", aj->cluster_id, q.data);
        kr_buf_putc(&url, '\0');
        api_reply_location(req, url.data);
        kr_buf_deinit(&url);
        kr_buf_deinit(&q);
        api_v3_deinit(&v);
    }
    return api_reply(req, aj->created_status);
}

static api_status_t acl_resumed(api_req_t *req, void *result, bool timed_out)
{
    acl_job_t *aj = result;
    if (timed_out)
        return api_reply_error(req, KR_ERR_BROKER_NOT_AVAILABLE,
                               "Kafka brokers are not available: timed out waiting for Kafka");
    api_status_t st;
    if (aj->job.err.code != 0)
        st = api_reply_err(req, &aj->job.err);
    else if (aj->op == OP_SEARCH)
        st = answer_search(req, aj);
    else if (aj->op == OP_DELETE)
        st = answer_delete(req, aj);
    else
        st = answer_create(req, aj);
    api_job_free(&aj->job);
    return st;
}

/* --- endpoints ------------------------------------------------------------------------- */

static api_status_t start_filtered(api_req_t *req, kafka_md_t *md, acl_op_t op, acl_mode_t mode)
{
    kafka_acl_t f = {0};
    kr_err_t err = {0};
    if (filter_parse(req, mode, &f, &err) != 0) /* checked before: cannot fail */
        return api_reply_err(req, &err);
    acl_job_t *aj = acl_job_new(req, op);
    aj->cluster_id = xstrdup(md->cluster_id);
    acl_job_filter(aj, &f);
    return api_job_start(req, &aj->job, acl_start, acl_resumed);
}

static api_status_t start_search(api_req_t *req, kafka_md_t *md)
{
    return start_filtered(req, md, OP_SEARCH, MODE_SEARCH);
}

static api_status_t start_delete(api_req_t *req, kafka_md_t *md)
{
    return start_filtered(req, md, OP_DELETE, MODE_DELETE);
}

api_status_t api_v3_acls_search(api_req_t *req)
{
    kafka_acl_t f = {0};
    kr_err_t err = {0};
    if (filter_parse(req, MODE_SEARCH, &f, &err) != 0)
        return api_reply_err(req, &err);
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, start_search);
}

api_status_t api_v3_acls_delete(api_req_t *req)
{
    kafka_acl_t f = {0};
    kr_err_t err = {0};
    if (filter_parse(req, MODE_DELETE, &f, &err) != 0)
        return api_reply_err(req, &err);
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, start_delete);
}

/* The body's job, parsed before the cluster check (Confluent's order), started with it. */
static api_status_t start_create(api_req_t *req, kafka_md_t *md, void *arg)
{
    acl_job_t *aj = arg;
    if (aj->n == 0) { /* an empty batch: Confluent's CreateAcls of nothing */
        api_job_free(&aj->job);
        return api_reply(req, 204);
    }
    aj->cluster_id = xstrdup(md->cluster_id);
    return api_job_start(req, &aj->job, acl_start, acl_resumed);
}

static api_status_t create(api_req_t *req, bool batch)
{
    kr_err_t err = {0};
    acl_job_t *aj = acl_job_new(req, OP_CREATE);
    aj->created_status = batch ? 204 : 201;
    if (acls_parse(req, batch, &aj->body, &aj->acls, &aj->n, &err) != 0) {
        api_job_free(&aj->job);
        return api_reply_err(req, &err);
    }
    return api_v3_md_serve_with(req, API_V3_MD_CLUSTER, start_create, aj, acl_job_drop);
}

api_status_t api_v3_acl_create(api_req_t *req)
{
    return create(req, false);
}

api_status_t api_v3_acls_batch_create(api_req_t *req)
{
    return create(req, true);
}
