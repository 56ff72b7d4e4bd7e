/* schema/registry_client.c -- Schema Registry look-ups over HTTP (libcurl) with caches. See
 * registry_client.h. The caches are small arrays searched linearly under one mutex: a proxy
 * sees tens of schemas, and every entry is compared by a 64-bit hash first. */
#include "schema/registry_client.h"

#include "format/json.h"
#include "format/jsonw.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/metrics.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_SUBJECT_ENTRIES 10000      /* (subject, text) pairs cached; beyond, ids still are */
#define MAX_FAILED_IDS      10000      /* unknown ids remembered (records may carry any id) */
#define FAILED_ID_TTL_MS    5000       /* an unknown id is asked again after this */
#define MAX_RESPONSE        (8u << 20) /* a registry answer larger than this is an error */

typedef struct id_entry {
    int32_t id;
    avs_schema_t *schema; /* owned; NULL while failed */
    int64_t failed_until; /* monotonic ms */
} id_entry_t;

typedef struct subject_entry {
    uint64_t hash;
    char *subject;
    char *text;
    int32_t id;
    const avs_schema_t *schema; /* the id cache's */
} subject_entry_t;

struct sr_client {
    char *url; /* "" when no registry */
    char *userpwd;
    char *cainfo; /* schema.registry.ssl.truststore.location (PEM), or NULL: the system's CAs */
    long timeout_ms;
    pthread_mutex_t mu;
    id_entry_t *ids; /* one per id ever known (bounded by the registry's ids) */
    size_t n_ids, cap_ids, n_failed;
    subject_entry_t *subjects;
    size_t n_subjects;
};

/* --- set-up ------------------------------------------------------------------------------- */

static const char *passthrough(const krest_config_t *cfg, const char *key)
{
    const char *v = NULL;
    for (size_t i = 0; i < cfg->n_passthrough; i++)
        if (strcmp(cfg->passthrough[i].key, key) == 0)
            v = cfg->passthrough[i].value;
    return v;
}

/* The built-in registry's first http:// listener, else its first listener (an https one is
 * verified like any registry: schema.registry.ssl.truststore.location). */
static void own_listener(const char *listeners, char *out, size_t size)
{
    snprintf(out, size, "%s", listeners);
    for (const char *p = listeners; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
        while (*p == ' ')
            p++;
        if (strncasecmp(p, "http://", 7) == 0) {
            snprintf(out, size, "%s", p);
            break;
        }
    }
}

/* schema.registry.url (its first URL), else the built-in registry's own listener. */
static char *registry_url(const krest_config_t *cfg)
{
    char first[1024];
    if (*cfg->schema_registry_url)
        snprintf(first, sizeof(first), "%s", cfg->schema_registry_url);
    else
        own_listener(cfg->schema_registry_listeners, first, sizeof(first));
    char *comma = strchr(first, ',');
    if (comma)
        *comma = '\0';
    size_t n = strlen(first);
    while (n > 0 && first[n - 1] == '/')
        first[--n] = '\0';
    if (!n || *cfg->schema_registry_url)
        return xstrdup(first);
    config_listener_t l = {0};
    kr_err_t err = {0};
    if (config_parse_listener(first, &l, &err) != 0)
        return xstrdup("");
    const char *host = l.host;
    if (!*host || strcmp(host, "0.0.0.0") == 0)
        host = "127.0.0.1";
    else if (strcmp(host, "::") == 0)
        host = "::1";
    bool v6 = strchr(host, ':') != NULL;
    char out[1100];
    snprintf(out, sizeof(out), "%s://%s%s%s:%d", l.scheme, v6 ? "[" : "", host, v6 ? "]" : "",
             l.port);
    config_listener_deinit(&l);
    return xstrdup(out);
}

sr_client_t *sr_client_new(const krest_config_t *cfg)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    sr_client_t *c = xcalloc(1, sizeof(*c));
    c->url = registry_url(cfg);
    const char *source = passthrough(cfg, "schema.registry.basic.auth.credentials.source");
    const char *info = passthrough(cfg, "schema.registry.basic.auth.user.info");
    if (source && strcmp(source, "USER_INFO") == 0 && info)
        c->userpwd = xstrdup(info);
    const char *ca = passthrough(cfg, "schema.registry.ssl.truststore.location");
    c->cainfo = ca && *ca ? xstrdup(ca) : NULL;
    if (!c->cainfo && strncmp(c->url, "https://", 8) == 0)
        log_warn("Schema Registry %s is https: its certificate is checked against the system's "
                 "CAs; set schema.registry.ssl.truststore.location (a PEM file) to trust "
                 "another CA",
                 c->url);
    c->timeout_ms = (long)(cfg->client_timeout_ms > 0 ? cfg->client_timeout_ms : 5000);
    pthread_mutex_init(&c->mu, NULL);
    c->subjects = xcalloc(MAX_SUBJECT_ENTRIES, sizeof(*c->subjects));
    return c;
}

void sr_client_free(sr_client_t *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_ids; i++)
        avs_free(c->ids[i].schema);
    for (size_t i = 0; i < c->n_subjects; i++) {
        xfree(c->subjects[i].subject);
        xfree(c->subjects[i].text);
    }
    xfree(c->ids);
    xfree(c->subjects);
    xfree(c->url);
    xfree(c->userpwd);
    xfree(c->cainfo);
    pthread_mutex_destroy(&c->mu);
    xfree(c);
    curl_global_cleanup();
}

/* --- caches ------------------------------------------------------------------------------- */

static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (h ^ 0xff) * 1099511628211ULL;
}

static uint64_t subject_hash(const char *subject, const char *text)
{
    return fnv(fnv(1469598103934665603ULL, subject), text);
}

/* mu held */
static id_entry_t *find_id(sr_client_t *c, int32_t id)
{
    for (size_t i = 0; i < c->n_ids; i++)
        if (c->ids[i].id == id)
            return &c->ids[i];
    return NULL;
}

const avs_schema_t *sr_client_peek_id(sr_client_t *c, int32_t id, bool *failed)
{
    pthread_mutex_lock(&c->mu);
    id_entry_t *e = find_id(c, id);
    const avs_schema_t *s = e ? e->schema : NULL;
    *failed = e && !s && e->failed_until > kr_clock_mono_ms();
    pthread_mutex_unlock(&c->mu);
    return s;
}

int32_t sr_client_peek_subject(sr_client_t *c, const char *subject, const char *text,
                               const avs_schema_t **schema)
{
    uint64_t h = subject_hash(subject, text);
    int32_t id = -1;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n_subjects; i++) {
        subject_entry_t *e = &c->subjects[i];
        if (e->hash == h && strcmp(e->subject, subject) == 0 && strcmp(e->text, text) == 0) {
            id = e->id;
            *schema = e->schema;
            break;
        }
    }
    pthread_mutex_unlock(&c->mu);
    return id;
}

/* A new id entry. mu held. */
static id_entry_t *add_id(sr_client_t *c, int32_t id)
{
    if (c->n_ids == c->cap_ids) {
        c->cap_ids = c->cap_ids ? 2 * c->cap_ids : 64;
        c->ids = xrealloc(c->ids, c->cap_ids * sizeof(*c->ids));
    }
    id_entry_t *e = &c->ids[c->n_ids++];
    *e = (id_entry_t){.id = id};
    return e;
}

/* Keeps schema (owned) under id; a schema already cached wins and the new one is freed.
 * Cached schemas live as long as the client. @return the cached schema. mu held. */
static const avs_schema_t *keep_id(sr_client_t *c, int32_t id, avs_schema_t *schema)
{
    id_entry_t *e = find_id(c, id);
    if (e && e->schema) {
        avs_free(schema);
        return e->schema;
    }
    if (!e)
        e = add_id(c, id);
    else
        c->n_failed--;
    e->schema = schema;
    e->failed_until = 0;
    return schema;
}

static void mark_failed(sr_client_t *c, int32_t id)
{
    pthread_mutex_lock(&c->mu);
    id_entry_t *e = find_id(c, id);
    if (!e && c->n_failed < MAX_FAILED_IDS) {
        e = add_id(c, id);
        c->n_failed++;
    }
    for (size_t i = 0; !e && i < c->n_ids; i++) /* full: another failed id makes room */
        if (!c->ids[i].schema) {
            e = &c->ids[i];
            e->id = id;
        }
    if (e && !e->schema)
        e->failed_until = kr_clock_mono_ms() + FAILED_ID_TTL_MS;
    pthread_mutex_unlock(&c->mu);
}

/* --- HTTP --------------------------------------------------------------------------------- */

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
    kr_buf_t *b = arg;
    return kr_buf_append(b, p, size * n) == 0 ? size * n : 0;
}

/* One request; *out gets the body of the answer (a 200 one, or the error's when status is
 * given: *status then says which). @return 0 for a 200, or -1 with err set (40801). */
static int call_status(sr_client_t *c, const char *method, const char *path, const char *body,
                       kr_buf_t *out, long *status_out, kr_err_t *err)
{
    if (!*c->url)
        return kr_err_set(err, KR_ERR_SERIALIZATION,
                          "Schema registration or lookup failed: no Schema Registry is "
                          "configured (schema.registry.url)");
    char url[2048];
    snprintf(url, sizeof(url), "%s%s", c->url, path);
    CURL *h = curl_easy_init();
    struct curl_slist *hdrs = NULL;
    hdrs = curl_slist_append(hdrs, "Content-Type: application/vnd.schemaregistry.v1+json");
    hdrs = curl_slist_append(hdrs, "Accept: application/vnd.schemaregistry.v1+json, "
                                   "application/vnd.schemaregistry+json, application/json");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (body)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    if (c->cainfo)
        curl_easy_setopt(h, CURLOPT_CAINFO, c->cainfo);
    if (c->userpwd) {
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERPWD, c->userpwd);
    }
    kr_metrics_add(KR_M_REGISTRY_REQUESTS, 1);
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    if (status_out)
        *status_out = rc == CURLE_OK ? status : 0;
    if (rc != CURLE_OK)
        return kr_err_set(err, KR_ERR_SERIALIZATION, "Schema registration or lookup failed: %s: %s",
                          c->url, curl_easy_strerror(rc));
    if (status != 200) {
        kr_buf_putc(out, '\0');
        return kr_err_set(err, KR_ERR_SERIALIZATION,
                          "Schema registration or lookup failed: registry answered %ld %.300s",
                          status, out->data ? out->data : "");
    }
    return 0;
}

static int call(sr_client_t *c, const char *method, const char *path, const char *body,
                kr_buf_t *out, kr_err_t *err)
{
    return call_status(c, method, path, body, out, NULL, err);
}

/* Parses an answer and returns one of its fields (owned object ref in *doc). */
static json_object *answer_field(const kr_buf_t *b, const char *key, json_object **doc)
{
    int is_null = 0;
    kr_err_t err = {0};
    *doc = b->len ? fmt_json_parse(b->data, b->len, &is_null, &err) : NULL;
    json_object *v = NULL;
    if (*doc && json_object_is_type(*doc, json_type_object))
        json_object_object_get_ex(*doc, key, &v);
    return v;
}

const avs_schema_t *sr_client_get_id(sr_client_t *c, int32_t id, kr_err_t *err)
{
    bool failed = false;
    const avs_schema_t *s = sr_client_peek_id(c, id, &failed);
    if (s)
        return s;
    char path[64];
    snprintf(path, sizeof(path), "/schemas/ids/%d", (int)id);
    kr_buf_t b;
    kr_buf_init(&b, MAX_RESPONSE);
    json_object *doc = NULL;
    if (call(c, "GET", path, NULL, &b, err) == 0) {
        json_object *text = answer_field(&b, "schema", &doc);
        json_object *type = doc ? json_object_object_get(doc, "schemaType") : NULL;
        if (type && strcmp(json_object_get_string(type), "AVRO") != 0) {
            kr_err_set(err, KR_ERR_SERIALIZATION, "Schema %d is a %s schema, not Avro", (int)id,
                       json_object_get_string(type));
        } else if (!text || !json_object_is_type(text, json_type_string)) {
            kr_err_set(err, KR_ERR_SERIALIZATION,
                       "Schema registration or lookup failed: no schema in the answer for %d",
                       (int)id);
        } else {
            avs_schema_t *parsed = avs_parse(json_object_get_string(text),
                                             (size_t)json_object_get_string_len(text), err);
            if (parsed) {
                pthread_mutex_lock(&c->mu);
                s = keep_id(c, id, parsed);
                pthread_mutex_unlock(&c->mu);
            } else {
                err->code = KR_ERR_SERIALIZATION;
            }
        }
    }
    json_object_put(doc);
    kr_buf_deinit(&b);
    if (!s)
        mark_failed(c, id);
    return s;
}

/* Caches a registration: the parsed schema under its id, the id under (subject, text).
 * @return the cached schema. */
static const avs_schema_t *keep_subject(sr_client_t *c, const char *subject, const char *text,
                                        int32_t id, avs_schema_t *schema)
{
    pthread_mutex_lock(&c->mu);
    const avs_schema_t *kept = keep_id(c, id, schema);
    if (c->n_subjects < MAX_SUBJECT_ENTRIES) {
        subject_entry_t *e = &c->subjects[c->n_subjects++];
        e->hash = subject_hash(subject, text);
        e->subject = xstrdup(subject);
        e->text = xstrdup(text);
        e->id = id;
        e->schema = kept;
    }
    pthread_mutex_unlock(&c->mu);
    return kept;
}

/* The registry answered a registration with an error (b holds its body, NUL-terminated):
 * the message says so with the registry's own reason (issue 18); the code stays 40801. */
static void register_refused(const kr_buf_t *b, kr_err_t *err)
{
    json_object *doc = b->data ? json_tokener_parse(b->data) : NULL;
    json_object *msg = NULL;
    if (doc && json_object_is_type(doc, json_type_object) &&
        json_object_object_get_ex(doc, "message", &msg) &&
        json_object_is_type(msg, json_type_string))
        kr_err_set(err, KR_ERR_SERIALIZATION, "Error when registering schema: %.400s",
                   json_object_get_string(msg));
    else if (b->data && *b->data)
        kr_err_set(err, KR_ERR_SERIALIZATION, "Error when registering schema: %.300s", b->data);
    json_object_put(doc);
}

int32_t sr_client_register(sr_client_t *c, const char *subject, const char *text,
                           const avs_schema_t **schema, kr_err_t *err)
{
    int32_t id = sr_client_peek_subject(c, subject, text, schema);
    if (id >= 0)
        return id;
    if (strlen(text) > AVS_MAX_SCHEMA_TEXT) {
        kr_err_set(err, KR_ERR_INVALID_SCHEMA, "The schema is larger than %d bytes",
                   AVS_MAX_SCHEMA_TEXT);
        return -1;
    }
    avs_schema_t *parsed = avs_parse(text, strlen(text), err);
    if (!parsed) {
        err->code = KR_ERR_INVALID_SCHEMA;
        return -1;
    }
    char *esc = curl_easy_escape(NULL, subject, 0);
    char path[1200];
    snprintf(path, sizeof(path), "/subjects/%s/versions", esc);
    curl_free(esc);
    kr_buf_t body, b;
    kr_buf_init(&body, 0);
    kr_buf_init(&b, MAX_RESPONSE);
    kr_buf_puts(&body, "{\"schema\":");
    fmt_json_quote(&body, text, strlen(text));
    kr_buf_puts(&body, "}");
    kr_buf_putc(&body, '\0');
    json_object *doc = NULL;
    if (call(c, "POST", path, body.data, &b, err) == 0) {
        json_object *v = answer_field(&b, "id", &doc);
        if (v && json_object_is_type(v, json_type_int))
            id = (int32_t)json_object_get_int64(v);
        else
            kr_err_set(err, KR_ERR_SERIALIZATION,
                       "Schema registration or lookup failed: no id in the registry's answer");
    } else if (b.len > 0) {
        register_refused(&b, err);
    }
    json_object_put(doc);
    kr_buf_deinit(&body);
    kr_buf_deinit(&b);
    if (id < 0) {
        avs_free(parsed);
        return -1;
    }
    *schema = keep_subject(c, subject, text, id, parsed);
    return id;
}

/* The registry's error_code in an error answer (b is NUL-terminated by call()), or 0. */
static int answer_error_code(const kr_buf_t *b)
{
    json_object *doc = NULL;
    kr_buf_t copy = *b;
    if (copy.len && copy.data[copy.len - 1] == '\0')
        copy.len--;
    json_object *v = answer_field(&copy, "error_code", &doc);
    int code = v && json_object_is_type(v, json_type_int) ? json_object_get_int(v) : 0;
    json_object_put(doc);
    return code;
}

/* Reads a version answer ({subject, version, id, schema[, schemaType]}) into out. */
static int version_answer(sr_client_t *c, const kr_buf_t *b, const char *subject,
                          sr_subject_version_t *out, kr_err_t *err)
{
    json_object *doc = NULL;
    json_object *id = answer_field(b, "id", &doc);
    json_object *ver = doc ? json_object_object_get(doc, "version") : NULL;
    json_object *type = doc ? json_object_object_get(doc, "schemaType") : NULL;
    int rc = -1;
    if (!id || !json_object_is_type(id, json_type_int) || !ver ||
        !json_object_is_type(ver, json_type_int)) {
        kr_err_set(err, KR_ERR_SERIALIZATION,
                   "Schema registration or lookup failed: no id and version in the registry's "
                   "answer for subject '%.200s'",
                   subject);
    } else if (type && strcmp(json_object_get_string(type), "AVRO") != 0) {
        kr_err_set(err, KR_ERR_SERIALIZATION, "Schema %d is a %s schema, not Avro",
                   json_object_get_int(id), json_object_get_string(type));
    } else {
        out->id = (int32_t)json_object_get_int64(id);
        out->version = (int32_t)json_object_get_int64(ver);
        rc = 0;
    }
    json_object_put(doc);
    if (rc == 0) {
        out->schema = sr_client_get_id(c, out->id, err); /* cached once known */
        if (!out->schema)
            rc = -1;
    }
    return rc;
}

int sr_client_subject_version(sr_client_t *c, const char *subject, int32_t version,
                              sr_subject_version_t *out, kr_err_t *err)
{
    char *esc = curl_easy_escape(NULL, subject, 0);
    char path[1300];
    if (version < 0)
        snprintf(path, sizeof(path), "/subjects/%s/versions/latest", esc);
    else
        snprintf(path, sizeof(path), "/subjects/%s/versions/%d", esc, (int)version);
    curl_free(esc);
    kr_buf_t b;
    kr_buf_init(&b, MAX_RESPONSE);
    long status = 0;
    int rc = -1;
    if (call_status(c, "GET", path, NULL, &b, &status, err) == 0) {
        rc = version_answer(c, &b, subject, out, err);
    } else if (status == 404) {
        int code = answer_error_code(&b);
        if (code == 40401 || code == 0)
            kr_err_set(err, KR_ERR_NOT_FOUND, "Subject '%.200s' not found.", subject);
        else if (version < 0)
            kr_err_set(err, KR_ERR_NOT_FOUND, "Subject '%.200s' has no live version.", subject);
        else
            kr_err_set(err, KR_ERR_NOT_FOUND, "Version %d not found for subject '%.200s'.",
                       (int)version, subject);
    } else if (status == 422 && version >= 0) {
        kr_err_set(err, KR_ERR_NOT_FOUND, "Version %d not found for subject '%.200s'.",
                   (int)version, subject);
    }
    kr_buf_deinit(&b);
    return rc;
}
