/* api/v3_acls.c -- v3 ACLs (see v3_acls.h).
 *
 * DESIGN. Each endpoint checks its request in the order Confluent's JAX-RS resource does: the
 * query's enums (404 for a value no enum has), the body (400/422), the rules of the endpoint
 * (400: UNKNOWN in a search, a missing enum in a delete, ANY or MATCH in a create), then the
 * cluster (404), and only then asks Kafka. The check runs on the HTTP thread before the
 * metadata snapshot; the continuation that has the snapshot parses the query or body again
 * (cheap, and it cannot fail the second time) into a job that owns what the admin call and the
 * answer need. One job type serves the four endpoints: acl_start() issues the admin call,
 * on_admin() completes the job on the kafka loop, acl_resumed() answers on an HTTP thread.
 * librdkafka 2.0.2 knows resource types up to CLUSTER: TRANSACTIONAL_ID and DELEGATION_TOKEN
 * are refused by the admin layer (400/40002), docs/v3.md.
 * Threads: HTTP threads; on_admin() on the kafka loop. */
#include "api/v3_acls.h"

#include "api/job.h"
#include "api/v3.h"
#include "format/json.h"
#include "kafka/admin.h"
#include "util/mem.h"

#include <stdbool.h>
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

/* Most ACLs one batch may create (docs/v3.md, Limits): more is 422 before Kafka sees any. */
#define BATCH_MAX_ACLS 1000

#define NULL_PAYLOAD "Payload error. Null input provided. Data is required."
#define EMPTY_DATA   "Payload error. Empty input provided. Data is required."

static const char *const acl_strings[] = {"resource_name", "principal", "host"};

static bool is_acl_member(const char *key)
{
    for (int i = 0; i < E__CNT; i++) {
        if (strcmp(key, acl_enums[i].param) == 0)
            return true;
    }
    for (size_t i = 0; i < sizeof(acl_strings) / sizeof(acl_strings[0]); i++) {
        if (strcmp(key, acl_strings[i]) == 0)
            return true;
    }
    return false;
}

/* A required string member, as CreateAclRequest's @JsonCreator (a missing or null member
 * fails its builder: 400). @return the string (borrowed from o) or NULL with err 400. */
static const char *member_str(json_object *o, const char *key, kr_err_t *err)
{
    json_object *m = NULL;
    if (!json_object_object_get_ex(o, key, &m) || !m) {
        kr_err_set(err, KR_ERR_BAD_REQUEST,
                   "Cannot construct instance of CreateAclRequest, problem: %s is required", key);
        return NULL;
    }
    if (!json_object_is_type(m, json_type_string)) {
        kr_err_set(err, KR_ERR_BAD_REQUEST, "Cannot deserialize value of type String from %s",
                   json_type_to_name(json_object_get_type(m)));
        return NULL;
    }
    const char *s = json_object_get_string(m);
    /* A NUL would cut the C string short: an ACL for another name than the body's. */
    if (strlen(s) != (size_t)json_object_get_string_len(m)) {
        kr_err_set(err, KR_ERR_BAD_REQUEST, "%s must not contain a NUL character (\\u0000)", key);
        return NULL;
    }
    return s;
}

/* One CreateAcl object into a (strings borrowed from o). @return 0 or -1 with err 400. */
static int acl_from_json(json_object *o, kafka_acl_t *a, kr_err_t *err)
{
    if (!json_object_is_type(o, json_type_object))
        return kr_err_set(err, KR_ERR_BAD_REQUEST,
                          "Cannot deserialize value of type CreateAclRequest from %s",
                          json_type_to_name(json_object_get_type(o)));
    json_object_object_foreach(o, key, val)
    {
        (void)val;
        if (!is_acl_member(key))
            return kr_err_set(err, KR_ERR_BAD_REQUEST,
                              "Unrecognized field \"%s\" (class CreateAclRequest), not marked as "
                              "ignorable",
                              key);
    }
    int v[E__CNT];
    for (int i = 0; i < E__CNT; i++) {
        const char *s = member_str(o, acl_enums[i].param, err);
        v[i] = s ? enum_body_parse(&acl_enums[i], s, err) : -1;
        if (v[i] < 0)
            return -1;
    }
    enums_set(a, v);
    a->resource_name = member_str(o, "resource_name", err);
    a->principal = a->resource_name ? member_str(o, "principal", err) : NULL;
    a->host = a->principal ? member_str(o, "host", err) : NULL;
    return a->host ? 0 : -1;
}

/* The `data` array of a batch. @return it (borrowed from root), or NULL with err: 400 for an
 * unknown member or a non-array, 422 for no data or a null item (Confluent's list copy). */
static json_object *batch_data(json_object *root, kr_err_t *err)
{
    if (!json_object_is_type(root, json_type_object)) {
        kr_err_set(err, KR_ERR_BAD_REQUEST,
                   "Cannot deserialize value of type CreateAclBatchRequestData from %s",
                   json_type_to_name(json_object_get_type(root)));
        return NULL;
    }
    json_object_object_foreach(root, key, val)
    {
        (void)val;
        if (strcmp(key, "data") != 0) {
            kr_err_set(err, KR_ERR_BAD_REQUEST,
                       "Unrecognized field \"%s\" (class CreateAclBatchRequestData), not marked "
                       "as ignorable",
                       key);
            return NULL;
        }
    }
    json_object *data = NULL;
    if (!json_object_object_get_ex(root, "data", &data) || !data) {
        kr_err_set(err, KR_ERR_PAYLOAD, EMPTY_DATA);
        return NULL;
    }
    if (!json_object_is_type(data, json_type_array)) {
        kr_err_set(err, KR_ERR_BAD_REQUEST, "Cannot deserialize value of type List from %s",
                   json_type_to_name(json_object_get_type(data)));
        return NULL;
    }
    if (json_object_array_length(data) > BATCH_MAX_ACLS) {
        kr_err_set(err, KR_ERR_PAYLOAD, "Payload error. At most %d ACLs are allowed.",
                   BATCH_MAX_ACLS);
        return NULL;
    }
    for (size_t i = 0; i < json_object_array_length(data); i++) {
        if (!json_object_array_get_idx(data, i)) {
            kr_err_set(err, KR_ERR_PAYLOAD, EMPTY_DATA);
            return NULL;
        }
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

static bool is_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* TODO(step0): api/body.h */
/* Parses a create (one CreateAcl) or batch body into *acls (owned array, xfree; strings
 * borrowed from *root, owned: json_object_put). An empty (or `null`) body is 422, as
 * Confluent's null request. @return 0, or -1 with err set (*root and *acls NULL). */
static int body_parse(const api_req_t *req, bool batch, json_object **root, kafka_acl_t **acls,
                      size_t *n, kr_err_t *err)
{
    *root = NULL;
    *acls = NULL;
    *n = 0;
    size_t len = req->body ? req->body_len : 0;
    while (len > 0 && is_json_space(req->body[len - 1]))
        len--;
    int is_null = 0;
    json_object *o = len > 0 ? fmt_json_parse(req->body, len, &is_null, err) : NULL;
    if (!o)
        return len == 0 || is_null ? kr_err_set(err, KR_ERR_PAYLOAD, NULL_PAYLOAD) : -1;
    json_object *data = batch ? batch_data(o, err) : o;
    size_t count = !data ? 0 : batch ? json_object_array_length(data) : 1;
    kafka_acl_t *out = xcalloc(count ? count : 1, sizeof(*out));
    int rc = data ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < count; i++)
        rc = acl_from_json(batch ? json_object_array_get_idx(data, i) : data, &out[i], err);
    for (size_t i = 0; rc == 0 && i < count; i++)
        rc = acl_create_check(&out[i], err);
    if (rc != 0) {
        xfree(out);
        json_object_put(o);
        return -1;
    }
    *root = o;
    *acls = out;
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
    json_object *body; /* owned: the bindings' strings point into it */
    char *strs[3];     /* owned: the filter's strings */
    void *result;      /* owned: kafka_admin_acls_t, or kafka_admin_items_t for a create */
} acl_job_t;

static void acl_job_free(api_job_t *job)
{
    acl_job_t *aj = (acl_job_t *)job;
    if (aj->op == OP_CREATE)
        kafka_admin_items_free(aj->result);
    else
        kafka_admin_acls_free(aj->result);
    json_object_put(aj->body);
    for (int i = 0; i < 3; i++)
        xfree(aj->strs[i]);
    xfree(aj->acls);
    xfree(aj->cluster_id);
    xfree(aj);
}

static acl_job_t *acl_job_new(const api_req_t *req, acl_op_t op, const kafka_md_t *md)
{
    acl_job_t *aj = xcalloc(1, sizeof(*aj));
    aj->job.ctx = req->ctx;
    aj->job.free_fn = acl_job_free;
    aj->op = op;
    aj->cluster_id = xstrdup(md->cluster_id);
    return aj;
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
    acl_job_t *aj = acl_job_new(req, op, md);
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

static api_status_t start_create(api_req_t *req, kafka_md_t *md, bool batch)
{
    kr_err_t err = {0};
    acl_job_t *aj = acl_job_new(req, OP_CREATE, md);
    aj->created_status = batch ? 204 : 201;
    if (body_parse(req, batch, &aj->body, &aj->acls, &aj->n, &err) != 0) {
        api_job_free(&aj->job); /* checked before: cannot happen */
        return api_reply_err(req, &err);
    }
    if (aj->n == 0) { /* an empty batch: Confluent's CreateAcls of nothing */
        api_job_free(&aj->job);
        return api_reply(req, 204);
    }
    return api_job_start(req, &aj->job, acl_start, acl_resumed);
}

static api_status_t start_create_one(api_req_t *req, kafka_md_t *md)
{
    return start_create(req, md, false);
}

static api_status_t start_create_batch(api_req_t *req, kafka_md_t *md)
{
    return start_create(req, md, true);
}

static api_status_t create_check(api_req_t *req, bool batch, api_v3_md_fn fn)
{
    json_object *root;
    kafka_acl_t *acls;
    size_t n;
    kr_err_t err = {0};
    if (body_parse(req, batch, &root, &acls, &n, &err) != 0)
        return api_reply_err(req, &err);
    xfree(acls);
    json_object_put(root);
    return api_v3_md_serve(req, API_V3_MD_CLUSTER, fn);
}

api_status_t api_v3_acl_create(api_req_t *req)
{
    return create_check(req, false, start_create_one);
}

api_status_t api_v3_acls_batch_create(api_req_t *req)
{
    return create_check(req, true, start_create_batch);
}
