/* api/v3_produce_schema.c -- the keys and values of v3 records: plain types (BINARY, JSON,
 * STRING) used as decoded; AVRO through the Schema Registry client (schema/registry_client.h):
 * an inline `schema` is registered under its subject (registered if new), `schema_id` is
 * fetched by id, `schema_version` or nothing selects a version of the subject (latest when
 * none). Subjects come from `subject`, else the strategy: TOPIC_NAME `<topic>-key|value`,
 * RECORD_NAME the record's full name, TOPIC_RECORD_NAME `<topic>-<full name>`.
 * A subject version (or the latest) is asked of the registry schema.registry.url names, the
 * built-in one or another (GET /subjects/{s}/versions/{v}, once per (subject, version) and
 * batch). The version reported for a schema found by id or registered inline is read from the
 * built-in registry's state when schema.registry.url names it (empty, or one of its listener
 * ports); with an external registry it is left out.
 * JSONSCHEMA and PROTOBUF answer an in-band 400 "not supported by this krest yet".
 * Threads: v3p_sides_plan() on HTTP threads, v3p_schemas_resolve() on a worker (it blocks on
 * the registry). */
#include "api/v3_produce_int.h"

#include "format/avro_codec.h"
#include "format/json.h"
#include "schema/registry.h"
#include "schema/registry_client.h"
#include "schema/sr_state.h"
#include "util/mem.h"

#include <stdio.h>
#include <string.h>

/* Whether a side needs the registry (AVRO, or no type). */
static bool side_needs_sr(const fmt_v3_data_t *d)
{
    return d->present && (d->type == FMT_V3_UNSET || d->type == FMT_V3_AVRO);
}

/* A plain side: its bytes are the decoded data. @return 0, or -1 (slot failed). */
static int side_plain(v3p_slot_t *s, v3p_side_t *side, const fmt_v3_data_t *d)
{
    side->type = d->type;
    side->span = d->data;
    if (d->type == FMT_V3_JSONSCHEMA || d->type == FMT_V3_PROTOBUF) {
        v3p_slot_fail(s, KR_ERR_BAD_REQUEST,
                      "Bad Request: type %s is not supported by this krest yet (AVRO is)",
                      fmt_v3_type_name(d->type));
        return -1;
    }
    return 0;
}

/* Whether schema.registry.url names the built-in registry (empty, or its port is one the
 * built-in registry listens on), so that its state answers subject-version look-ups. */
static bool builtin_in_use(const api_ctx_t *ctx)
{
    const char *url = ctx->cfg->schema_registry_url;
    if (!ctx->registry)
        return false;
    if (!*url)
        return true;
    const char *colon = strrchr(url, ':');
    if (!colon || colon[1] < '0' || colon[1] > '9')
        return false;
    char port[16];
    size_t n = strspn(colon + 1, "0123456789");
    if (n == 0 || n > 5)
        return false;
    snprintf(port, sizeof(port), ":%.*s", (int)n, colon + 1);
    const char *l = ctx->cfg->schema_registry_listeners;
    for (const char *hit = strstr(l, port); hit; hit = strstr(hit + 1, port)) {
        char after = hit[strlen(port)];
        if (after == '\0' || after == ',' || after == '/' || after == ' ')
            return true;
    }
    return false;
}

static bool registry_configured(const api_ctx_t *ctx)
{
    return ctx->registry || *ctx->cfg->schema_registry_url;
}

void v3p_sides_plan(const api_ctx_t *ctx, v3p_job_t *job)
{
    for (size_t i = 0; i < job->n; i++) {
        v3p_slot_t *s = &job->slots[i];
        if (s->code)
            continue;
        const fmt_v3_data_t *d[2] = {&s->rec.key, &s->rec.value};
        v3p_side_t *out[2] = {&s->key, &s->value};
        for (int k = 0; k < 2 && !s->code; k++) {
            if (!d[k]->present)
                continue;
            if (!side_needs_sr(d[k])) {
                side_plain(s, out[k], d[k]);
            } else if (!registry_configured(ctx)) {
                v3p_slot_fail(s, KR_ERR_UNPROCESSABLE,
                              "Error: 42206 : Payload error. Schema Registry must be configured "
                              "when using schemas.");
            } else {
                job->needs_sr = true;
            }
        }
    }
}

/* The full name of a record schema's text ("ns.Name"), owned; NULL when it has none. */
static char *record_name(const char *text, size_t len)
{
    kr_err_t err = {0};
    int is_null = 0;
    json_object *o = fmt_json_parse(text, len, &is_null, &err);
    char *out = NULL;
    json_object *name, *ns;
    if (o && json_object_is_type(o, json_type_object) &&
        json_object_object_get_ex(o, "name", &name) &&
        json_object_is_type(name, json_type_string)) {
        const char *n = json_object_get_string(name);
        if (!strchr(n, '.') && json_object_object_get_ex(o, "namespace", &ns) &&
            json_object_is_type(ns, json_type_string) && *json_object_get_string(ns)) {
            size_t sz = strlen(n) + strlen(json_object_get_string(ns)) + 2;
            out = xmalloc(sz);
            snprintf(out, sz, "%s.%s", json_object_get_string(ns), n);
        } else {
            out = xstrdup(n);
        }
    }
    json_object_put(o);
    return out;
}

/* The side's subject: given, or from its strategy. @return 0, or -1 (slot failed). */
static int subject_of(v3p_job_t *job, v3p_slot_t *s, v3p_side_t *side, const fmt_v3_data_t *d,
                      bool is_key)
{
    if (d->has_subject) {
        side->subject = xstrndup(fmt_v3_bytes(&job->st, d->subject), d->subject.len);
        return 0;
    }
    const char *suffix = is_key ? "key" : "value";
    if (d->strategy == FMT_V3_STRATEGY_UNSET || d->strategy == FMT_V3_TOPIC_NAME) {
        size_t n = strlen(job->topic) + 8;
        side->subject = xmalloc(n);
        snprintf(side->subject, n, "%s-%s", job->topic, suffix);
        return 0;
    }
    char *name =
        d->has_schema ? record_name(fmt_v3_bytes(&job->st, d->schema), d->schema.len) : NULL;
    if (!name) {
        v3p_slot_fail(s, KR_ERR_BAD_REQUEST,
                      "Bad Request: subject_name_strategy %s needs a record schema to derive the "
                      "subject from",
                      d->strategy == FMT_V3_RECORD_NAME ? "RECORD_NAME" : "TOPIC_RECORD_NAME");
        return -1;
    }
    if (d->strategy == FMT_V3_RECORD_NAME) {
        side->subject = name;
        return 0;
    }
    size_t n = strlen(job->topic) + strlen(name) + 2;
    side->subject = xmalloc(n);
    snprintf(side->subject, n, "%s-%s", job->topic, name);
    xfree(name);
    return 0;
}

/* Subject-version look-ups of one resolve pass: each (subject, version) asked once per batch
 * (the records of a batch that select the latest version all get the same one). */
typedef struct lookup {
    char *subject; /* owned */
    int32_t version;
    sr_subject_version_t got;
    kr_err_t err; /* code 0: found */
} lookup_t;

typedef struct lookups {
    lookup_t *v;
    size_t n, cap;
} lookups_t;

static void lookups_free(lookups_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        xfree(l->v[i].subject);
    xfree(l->v);
}

/* The id of the side's subject's version (SR_VERSION_LATEST: the latest), from the registry
 * schema.registry.url names (GET /subjects/{s}/versions/{v}), the built-in one or another.
 * @return 0, or -1 with the slot failed. */
static int subject_lookup(const api_ctx_t *ctx, lookups_t *memo, v3p_slot_t *s, v3p_side_t *side,
                          int32_t version)
{
    lookup_t *hit = NULL;
    for (size_t i = 0; i < memo->n && !hit; i++)
        if (memo->v[i].version == version && strcmp(memo->v[i].subject, side->subject) == 0)
            hit = &memo->v[i];
    if (!hit) {
        if (memo->n == memo->cap) {
            memo->cap = memo->cap ? 2 * memo->cap : 4;
            memo->v = xrealloc(memo->v, memo->cap * sizeof(*memo->v));
        }
        hit = &memo->v[memo->n++];
        *hit = (lookup_t){.subject = xstrdup(side->subject), .version = version};
        sr_client_subject_version(ctx->sr_client, side->subject, version, &hit->got, &hit->err);
    }
    if (hit->err.code) {
        v3p_slot_fail(s, hit->err.code, "%s", hit->err.msg);
        return -1;
    }
    side->schema_id = hit->got.id;
    side->schema_version = hit->got.version;
    side->schema = hit->got.schema;
    return 0;
}

/* The version of the subject that holds the side's schema id, when the built-in state has it. */
static void state_version_of(const api_ctx_t *ctx, v3p_side_t *side)
{
    if (!builtin_in_use(ctx) || !side->subject)
        return;
    const sr_state_t *st = sr_registry_read_begin(ctx->registry);
    const sr_subject_t *sub = sr_state_subject(st, side->subject);
    for (size_t i = 0; sub && i < sub->n; i++)
        if (sub->v[i].id == side->schema_id && !sub->v[i].deleted)
            side->schema_version = sub->v[i].version;
    sr_registry_read_end(ctx->registry);
}

/* Finds the side's schema. @return 0, or -1 (slot failed). */
static int side_schema(const api_ctx_t *ctx, lookups_t *memo, v3p_job_t *job, v3p_slot_t *s,
                       v3p_side_t *side, const fmt_v3_data_t *d, bool is_key)
{
    kr_err_t err = {0};
    side->type = FMT_V3_AVRO;
    if (subject_of(job, s, side, d, is_key) != 0)
        return -1;
    sr_client_t *c = ctx->sr_client;
    if (d->has_schema) {
        char *text = xstrndup(fmt_v3_bytes(&job->st, d->schema), d->schema.len);
        int32_t id = sr_client_register(c, side->subject, text, &side->schema, &err);
        xfree(text);
        if (id < 0) {
            v3p_slot_fail(s, err.code, "%s", err.msg);
            return -1;
        }
        side->schema_id = id;
        state_version_of(ctx, side);
        return 0;
    }
    if (!d->has_schema_id)
        return subject_lookup(ctx, memo, s, side,
                              d->has_schema_version ? d->schema_version : SR_VERSION_LATEST);
    side->schema_id = d->schema_id;
    side->schema = sr_client_get_id(c, side->schema_id, &err);
    if (!side->schema) {
        v3p_slot_fail(s, err.code, "%s", err.msg);
        return -1;
    }
    state_version_of(ctx, side);
    return 0;
}

/* Encodes the side's data in Confluent's wire format into job->enc. @return 0 or -1. */
static int side_encode(v3p_job_t *job, v3p_slot_t *s, v3p_side_t *side, const fmt_v3_data_t *d,
                       const char *what)
{
    if (!d->has_data)
        return 0;
    kr_buf_t *e = &job->enc;
    size_t start = e->len;
    uint32_t id = (uint32_t)side->schema_id;
    unsigned char hdr[5] = {0, (unsigned char)(id >> 24), (unsigned char)(id >> 16),
                            (unsigned char)(id >> 8), (unsigned char)id};
    kr_err_t err = {0};
    if (kr_buf_append(e, hdr, sizeof(hdr)) != 0 ||
        avs_encode_json(side->schema, fmt_v3_bytes(&job->st, d->data), d->data.len, what, e,
                        &err) != 0) {
        e->len = start;
        v3p_slot_fail(s, KR_ERR_BAD_REQUEST, "Bad Request: %s",
                      err.code ? err.msg : "the encoded records are too large");
        return -1;
    }
    side->in_enc = true;
    side->span = (fmt_span_t){(uint32_t)start, (uint32_t)(e->len - start)};
    return 0;
}

void v3p_schemas_resolve(const api_ctx_t *ctx, v3p_job_t *job)
{
    lookups_t memo = {0};
    for (size_t i = 0; i < job->n; i++) {
        v3p_slot_t *s = &job->slots[i];
        const fmt_v3_data_t *d[2] = {&s->rec.key, &s->rec.value};
        v3p_side_t *out[2] = {&s->key, &s->value};
        for (int k = 0; k < 2 && !s->code; k++) {
            if (!side_needs_sr(d[k]))
                continue;
            if (side_schema(ctx, &memo, job, s, out[k], d[k], k == 0) == 0)
                side_encode(job, s, out[k], d[k], k == 0 ? "key" : "value");
        }
    }
    lookups_free(&memo);
}
