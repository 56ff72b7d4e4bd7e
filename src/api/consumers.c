/* api/consumers.c -- consumer instances over HTTP, their lifecycle (see consumers.h): create
 * (the body's name, format and client settings) and delete; plus what the other consumer_*.c
 * files share (consumers_int.h): the instance lookup and small answers.
 * Subscription, positions and offsets are in consumer_subscription.c, reads in consumer_read.c.
 * May use: kafka/, format/, util/. Threads: HTTP threads. */
#include "api/consumers.h"
#include "api/consumers_int.h"

#include "api/base_url.h"
#include "api/body.h"
#include "api/forward.h"
#include "api/names.h"
#include "format/jsonw.h"
#include "kafka/consumer.h"
#include "util/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The create body's known fields (section K); other dotted keys are client settings. Each is
 * checked where it is read, in the order of the messages. */
static const api_body_field_t create_fields[] = {{.name = "name"},
                                                 {.name = "id"},
                                                 {.name = "format"},
                                                 {.name = "auto.offset.reset"},
                                                 {.name = "auto.commit.enable"},
                                                 {.name = "fetch.min.bytes"},
                                                 {.name = "consumer.request.timeout.ms"},
                                                 {.name = "responseMinBytes"},
                                                 {.name = "requestWaitMs"},
                                                 {.name = NULL}};
static const api_body_spec_t create_spec = {.fields = create_fields,
                                            .flags = API_BODY_CLIENT_SETTINGS};

static int parse_create(const api_body_t *b, kafka_consumer_opts_t *o, kr_err_t *err);
static int parse_format(const api_body_t *b, int *out, kr_err_t *err);
static int int_option(const api_body_t *b, const char *key, const char *alias, int64_t *out,
                      kr_err_t *err);
static const char *scalar(json_object *v);
static void base_uri(api_req_t *req, const char *name, kr_buf_t *out);

/* --- create and delete ------------------------------------------------------------------- */

api_status_t api_consumer_create(api_req_t *req)
{
    kr_err_t err = {0};
    api_body_t b = {0};
    kafka_consumer_opts_t o = {.group = req->params[API_CONSUMER_P_GROUP],
                               .fetch_min_bytes = -1,
                               .request_timeout_ms = -1};
    const char *g = o.group ? o.group : "";
    if (api_check_id("group", g, strlen(g), &err) != 0 ||
        api_body_parse(&b, req, &create_spec, &err) != 0 || parse_create(&b, &o, &err) != 0) {
        api_body_deinit(&b);
        return api_reply_err(req, &err);
    }
    if (req->principal.kind != API_AUTH_NONE)
        o.owner = req->principal.name;
    if (req->ctx->principal) { /* propagation: the instance reads as its creator */
        o.sasl_username = req->principal.name;
        o.sasl_password = req->principal.password;
    }
    kafka_consumer_t *c = kafka_consumers_create(req->ctx->consumers, &o, &err);
    bool named = o.name != NULL;
    api_body_deinit(&b);
    if (!c)
        return api_reply_err(req, &err);
    kr_buf_t uri;
    kr_buf_init(&uri, 4096);
    base_uri(req, kafka_consumer_name(c), &uri);
    fmt_jsonw_t w;
    fmt_jsonw_init(&w, &req->resp);
    fmt_jsonw_obj_begin(&w);
    fmt_jsonw_key(&w, "instance_id");
    fmt_jsonw_str(&w, kafka_consumer_name(c));
    fmt_jsonw_key(&w, "base_uri");
    fmt_jsonw_strn(&w, uri.data ? uri.data : "", uri.len);
    fmt_jsonw_obj_end(&w);
    kr_buf_deinit(&uri);
    kafka_consumer_release(c);
    /* A client-given name is published before the answer, so every instance finds it. */
    return named ? api_forward_published(req, 200) : api_reply(req, 200);
}

api_status_t api_consumer_delete(api_req_t *req)
{
    kafka_consumer_t *c = api_consumer_instance(req); /* another principal's: 404 */
    if (!c)
        return api_consumer_no_instance(req);
    kafka_consumer_release(c);
    if (kafka_consumers_delete(req->ctx->consumers, req->params[API_CONSUMER_P_GROUP],
                               req->params[API_CONSUMER_P_INSTANCE]) != 0)
        return api_consumer_no_instance(req);
    api_forward_unpublish(req);
    return api_consumer_reply_204(req);
}

/* --- the create body --------------------------------------------------------------------- */

static int parse_create(const api_body_t *b, kafka_consumer_opts_t *o, kr_err_t *err)
{
    json_object *obj = b->root;
    json_object *name =
        api_body_get(obj, "id") ? api_body_get(obj, "id") : api_body_get(obj, "name");
    if (name && !json_object_is_type(name, json_type_string))
        return api_body_type_err(b, "name", "expected a string", err);
    o->name = name ? json_object_get_string(name) : NULL;
    /* The client id and a path segment: bounded (Kafka's 16-bit string lengths), UTF-8, no
     * NUL (json-c keeps one; the C string would name another instance) nor '/'. */
    if (o->name && (api_check_id("name", o->name, (size_t)json_object_get_string_len(name), err) ||
                    strchr(o->name, '/')))
        return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                          "name: not a valid instance name: 1 to %d "
                          "bytes of UTF-8 without control characters nor '/'",
                          API_ID_MAX);
    if (parse_format(b, &o->format, err) != 0)
        return -1;
    const char *aor = scalar(api_body_get(obj, "auto.offset.reset"));
    if (aor) {
        if (strcasecmp(aor, "smallest") == 0 || strcasecmp(aor, "earliest") == 0)
            o->auto_offset_reset = "earliest";
        else if (strcasecmp(aor, "largest") == 0 || strcasecmp(aor, "latest") == 0)
            o->auto_offset_reset = "latest";
        else if (strcasecmp(aor, "none") == 0)
            o->auto_offset_reset = "error";
        else
            return kr_err_set(err, KR_ERR_INVALID_CONSUMER_CONFIG,
                              "Invalid consumer configuration: auto.offset.reset '%s'", aor);
    }
    const char *ac = scalar(api_body_get(obj, "auto.commit.enable"));
    o->auto_commit = b->version == API_V1 ? 0 : 1; /* v1 forced false when absent */
    if (ac)
        o->auto_commit = strcasecmp(ac, "true") == 0;
    if (int_option(b, "fetch.min.bytes", "responseMinBytes", &o->fetch_min_bytes, err) ||
        int_option(b, "consumer.request.timeout.ms", "requestWaitMs", &o->request_timeout_ms, err))
        return -1;
    if (o->fetch_min_bytes < -1 || o->fetch_min_bytes > 10000000)
        return kr_err_set(err, KR_ERR_INVALID_CONSUMER_CONFIG_CONSTRAINT,
                          "fetch.min.bytes must be within -1..10000000");
    /* An Integer in Confluent's; unbounded, a read's deadline overflowed into "none". */
    if (o->request_timeout_ms < -1 || o->request_timeout_ms > INT32_MAX)
        return kr_err_set(err, KR_ERR_INVALID_CONSUMER_CONFIG_CONSTRAINT,
                          "consumer.request.timeout.ms must be within 0..2147483647");
    return 0;
}

static int parse_format(const api_body_t *b, int *out, kr_err_t *err)
{
    *out = API_FMT_BINARY;
    const char *s = NULL;
    if (api_body_str(b, b->root, "format", &s, err) != 0)
        return -1;
    if (!s)
        return 0;
    if (strcasecmp(s, "binary") == 0)
        return 0;
    if (strcasecmp(s, "json") == 0) {
        *out = API_FMT_JSON;
        return 0;
    }
    if (strcasecmp(s, "avro") == 0) {
        *out = API_FMT_AVRO;
        return 0;
    }
    if (strcasecmp(s, "jsonschema") == 0 || strcasecmp(s, "protobuf") == 0)
        return kr_err_set(err, KR_ERR_INVALID_CONSUMER_CONFIG,
                          "The %s format is not supported by this krest", s);
    return kr_err_set(err, KR_ERR_UNPROCESSABLE, "Invalid format type.");
}

/* An integer client setting, written as a number or a string, under its name or its v1 alias. */
static int int_option(const api_body_t *b, const char *key, const char *alias, int64_t *out,
                      kr_err_t *err)
{
    json_object *v = api_body_get(b->root, key);
    if (!v && alias)
        v = api_body_get(b->root, alias);
    *out = -1;
    if (!v)
        return 0;
    const char *s = scalar(v);
    char *end = NULL;
    errno = 0;
    long long x = s ? strtoll(s, &end, 10) : 0;
    if (!s || !*s || *end || errno)
        return api_body_type_err(b, key, "expected an integer", err);
    *out = x;
    return 0;
}

/* A string or number field as a C string (clients send "true" and true, "100" and 100). */
static const char *scalar(json_object *v)
{
    return v && !json_object_is_type(v, json_type_object) &&
                   !json_object_is_type(v, json_type_array)
               ? json_object_get_string(v)
               : NULL;
}

/* base_uri per API.md §6.1 (api/base_url.h). */
static void base_uri(api_req_t *req, const char *name, kr_buf_t *out)
{
    api_base_url_write(req, out);
    kr_buf_printf(out, "/consumers/%s/instances/%s", req->params[API_CONSUMER_P_GROUP], name);
}

/* --- shared with consumer_*.c (consumers_int.h) ------------------------------------------ */

/* An instance belongs to its creator: another principal (or an anonymous request) sees none. */
static bool owned_by(const kafka_consumer_t *c, const api_req_t *req)
{
    const char *owner = kafka_consumer_owner(c);
    if (!owner)
        return true;
    return req->principal.kind != API_AUTH_NONE && req->principal.name &&
           strcmp(owner, req->principal.name) == 0;
}

kafka_consumer_t *api_consumer_instance(api_req_t *req)
{
    kafka_consumer_t *c =
        kafka_consumers_get(req->ctx->consumers, req->params[API_CONSUMER_P_GROUP],
                            req->params[API_CONSUMER_P_INSTANCE]);
    if (c && !owned_by(c, req)) {
        kafka_consumer_release(c);
        return NULL;
    }
    return c;
}

api_status_t api_consumer_no_instance(api_req_t *req)
{
    return api_reply_error(req, KR_ERR_CONSUMER_INSTANCE_NOT_FOUND, "Consumer instance not found.");
}

api_status_t api_consumer_reply_204(api_req_t *req)
{
    kr_buf_reset(&req->resp);
    return api_reply(req, 204);
}
