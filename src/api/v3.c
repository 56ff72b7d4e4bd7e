/* api/v3.c -- the v3 envelope, parameters and cluster check (see v3.h).
 * Threads: HTTP threads; on_md() on whichever thread the metadata cache calls back on. */
#include "api/v3.h"

#include "api/base_url.h"
#include "api/topic_md.h"
#include "util/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* --- the envelope ------------------------------------------------------------------------ */

void api_v3_init(api_v3_t *v, api_req_t *req)
{
    v->req = req;
    kr_buf_reset(&req->resp);
    fmt_jsonw_init(&v->w, &req->resp);
    kr_buf_init(&v->base, API_MAX_RESPONSE);
    api_base_url_write(req, &v->base);
}

void api_v3_deinit(api_v3_t *v)
{
    kr_buf_deinit(&v->base);
}

api_status_t api_v3_reply(api_v3_t *v, int status)
{
    api_req_t *req = v->req;
    int failed = fmt_jsonw_finish(&v->w);
    api_v3_deinit(v);
    if (failed != 0)
        return api_reply_error(req, KR_ERR_INTERNAL, "response too large");
    return api_reply(req, status);
}

/* Writes "<base>/v3/<path>" as a JSON string. */
__attribute__((format(printf, 2, 0))) static void write_url(api_v3_t *v, const char *fmt,
                                                            va_list ap)
{
    kr_buf_t url;
    kr_buf_init(&url, API_MAX_RESPONSE);
    kr_buf_append(&url, v->base.data, v->base.len);
    kr_buf_puts(&url, "/v3/");
    kr_buf_vprintf(&url, fmt, ap);
    fmt_jsonw_strn(&v->w, url.data ? url.data : "", url.len);
    kr_buf_deinit(&url);
}

void api_v3_resource_begin(api_v3_t *v, const char *kind)
{
    fmt_jsonw_obj_begin(&v->w);
    fmt_jsonw_key(&v->w, "kind");
    fmt_jsonw_str(&v->w, kind);
    fmt_jsonw_key(&v->w, "metadata");
    fmt_jsonw_obj_begin(&v->w);
}

void api_v3_self(api_v3_t *v, const char *fmt, ...)
{
    fmt_jsonw_key(&v->w, "self");
    va_list ap;
    va_start(ap, fmt);
    write_url(v, fmt, ap);
    va_end(ap);
}

/* The authority without leading or trailing '/', as Confluent's CrnFactoryImpl trims it. */
static void put_authority(kr_buf_t *out, const char *authority)
{
    size_t n = strlen(authority);
    while (n > 0 && authority[0] == '/') {
        authority++;
        n--;
    }
    while (n > 0 && authority[n - 1] == '/')
        n--;
    kr_buf_append(out, authority, n);
}

void api_v3_crn(api_v3_t *v, const char *fmt, ...)
{
    kr_buf_t crn;
    kr_buf_init(&crn, API_MAX_RESPONSE);
    kr_buf_puts(&crn, "crn://");
    const char *authority = v->req->ctx->cfg->crn_authority;
    put_authority(&crn, authority ? authority : "");
    kr_buf_putc(&crn, '/');
    va_list ap;
    va_start(ap, fmt);
    kr_buf_vprintf(&crn, fmt, ap);
    va_end(ap);
    fmt_jsonw_key(&v->w, "resource_name");
    fmt_jsonw_strn(&v->w, crn.data, crn.len);
    kr_buf_deinit(&crn);
}

void api_v3_metadata_end(api_v3_t *v)
{
    fmt_jsonw_obj_end(&v->w);
}

void api_v3_resource_end(api_v3_t *v)
{
    fmt_jsonw_obj_end(&v->w);
}

void api_v3_related(api_v3_t *v, const char *key, const char *fmt, ...)
{
    fmt_jsonw_key(&v->w, key);
    fmt_jsonw_obj_begin(&v->w);
    fmt_jsonw_key(&v->w, "related");
    va_list ap;
    va_start(ap, fmt);
    write_url(v, fmt, ap);
    va_end(ap);
    fmt_jsonw_obj_end(&v->w);
}

void api_v3_collection_begin(api_v3_t *v, const char *kind, const char *fmt, ...)
{
    api_v3_resource_begin(v, kind);
    fmt_jsonw_key(&v->w, "self");
    va_list ap;
    va_start(ap, fmt);
    write_url(v, fmt, ap);
    va_end(ap);
    fmt_jsonw_key(&v->w, "next");
    fmt_jsonw_null(&v->w); /* no pagination (API.md §3.1) */
    fmt_jsonw_obj_end(&v->w);
    fmt_jsonw_key(&v->w, "data");
    fmt_jsonw_arr_begin(&v->w);
}

void api_v3_collection_end(api_v3_t *v)
{
    fmt_jsonw_arr_end(&v->w);
    fmt_jsonw_obj_end(&v->w);
}

void api_v3_url_write(const api_v3_t *v, kr_buf_t *out, const char *fmt, ...)
{
    kr_buf_append(out, v->base.data, v->base.len);
    kr_buf_puts(out, "/v3/");
    va_list ap;
    va_start(ap, fmt);
    kr_buf_vprintf(out, fmt, ap);
    va_end(ap);
}

void api_v3_query_encode(kr_buf_t *out, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        unsigned char c = *p;
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '*' || c == '_';
        if (keep) {
            kr_buf_putc(out, (char)c);
        } else if (c == ' ') {
            kr_buf_putc(out, '+');
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            kr_buf_append(out, esc, 3);
        }
    }
}

/* --- parameters -------------------------------------------------------------------------- */

int api_v3_enum_parse(const char *enum_name, const char *const *names, size_t n, const char *value,
                      kr_err_t *err)
{
    for (size_t i = 0; value && i < n; i++) {
        if (strcasecmp(names[i], value) == 0)
            return (int)i;
    }
    return kr_err_set(err, KR_ERR_NOT_FOUND, "The valid values for %s do not include '%s'",
                      enum_name, value ? value : "");
}

int api_v3_items_check(size_t n, const char *what, kr_err_t *err)
{
    if (n <= API_V3_MAX_ITEMS)
        return 0;
    return kr_err_set(err, KR_ERR_PAYLOAD, "Payload error. At most %d %s are allowed.",
                      API_V3_MAX_ITEMS, what);
}

bool api_v3_query_bool(const api_req_t *req, const char *key)
{
    const char *v = api_query(req, key);
    return v && strcasecmp(v, "true") == 0;
}

int api_v3_cluster_check(const kafka_md_t *md, const char *cluster_id, kr_err_t *err)
{
    if (!md->cluster_id)
        return kr_err_set(err, KR_ERR_BAD_GATEWAY,
                          "Kafka protocol version not supported.: Metadata Response protocol "
                          "version >= 2 required.");
    if (strcmp(md->cluster_id, cluster_id) != 0)
        return kr_err_set(err, KR_ERR_NOT_FOUND, "Cluster %s cannot be found.", cluster_id);
    return 0;
}

const kafka_md_topic_t *api_v3_topic_find(const kafka_md_t *md, const char *name, kr_err_t *err)
{
    const kafka_md_topic_t *t = kafka_md_topic(md, name);
    if (!t)
        kr_err_set(err, KR_ERR_UNKNOWN_TOPIC_OR_PARTITION,
                   "This server does not host this topic-partition.");
    return t;
}

/* --- a snapshot for the request ------------------------------------------------------------ */

typedef struct md_step {
    unsigned flags;
    api_v3_md_fn fn;         /* or */
    api_v3_md_arg_fn fn_arg; /* with arg */
    void *arg;               /* owned until fn_arg has it */
    void (*arg_free)(void *arg);
} md_step_t;

static void md_step_free(void *p)
{
    md_step_t *step = p;
    if (step->arg_free)
        step->arg_free(step->arg);
    xfree(step);
}

/* The snapshot came (md owned) or not (err): check the cluster, then the handler's step. */
static api_status_t with_md(api_req_t *req, kafka_md_t *md, const kr_err_t *err, void *arg)
{
    md_step_t *step = arg;
    kr_err_t cerr = {0};
    api_status_t st;
    if (!md)
        st = api_reply_err(req, err);
    else if ((step->flags & API_V3_MD_CLUSTER) &&
             api_v3_cluster_check(md, req->params[0], &cerr) != 0)
        st = api_reply_err(req, &cerr);
    else if (step->fn_arg) {
        step->arg_free = NULL; /* fn_arg takes arg */
        st = step->fn_arg(req, md, step->arg);
    } else
        st = step->fn(req, md);
    md_step_free(step);
    kafka_md_release(md);
    return st;
}

static api_status_t serve(api_req_t *req, md_step_t *step)
{
    const char *topic = (step->flags & API_V3_MD_TOPIC) ? req->params[1] : NULL;
    return api_topic_md(req, topic, 0, with_md, step, md_step_free);
}

api_status_t api_v3_md_serve(api_req_t *req, unsigned flags, api_v3_md_fn fn)
{
    md_step_t *step = xcalloc(1, sizeof(*step));
    step->flags = flags;
    step->fn = fn;
    return serve(req, step);
}

api_status_t api_v3_md_serve_with(api_req_t *req, unsigned flags, api_v3_md_arg_fn fn, void *arg,
                                  void (*arg_free)(void *arg))
{
    md_step_t *step = xcalloc(1, sizeof(*step));
    *step = (md_step_t){.flags = flags, .fn_arg = fn, .arg = arg, .arg_free = arg_free};
    return serve(req, step);
}
