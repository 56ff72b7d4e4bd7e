/* api/v3.h -- what every v3 handler shares (API.md §3.1, §3.2): the response envelope (kind,
 * metadata.self, resource_name CRNs, related links, collections with metadata.next null),
 * case-insensitive enum parameters, boolean query parameters, and the one way to get a
 * metadata snapshot whose cluster id matches the path's {cluster} (404 otherwise).
 *
 * Paths and CRNs are printf formats relative to "<base>/v3/" and "crn://<authority>/", and,
 * as in Confluent's UrlFactory, path segments are not percent-encoded.
 * May use: api/, kafka/metadata.h, format/, config/, util/. Threads: HTTP threads. */
#ifndef KR_API_V3_H
#define KR_API_V3_H

#include "api/api.h"
#include "format/jsonw.h"
#include "kafka/metadata.h"
#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>

/** A v3 response being written into req->resp. */
typedef struct api_v3 {
    api_req_t *req; /* borrowed */
    fmt_jsonw_t w;  /* writes req->resp */
    kr_buf_t base;  /* "<scheme>://<authority>" of this request (api/base_url.h) */
} api_v3_t;

/** Starts a v3 response: clears req->resp, computes the base URL. End with api_v3_reply (or
 * api_v3_deinit when answering an error instead). */
void api_v3_init(api_v3_t *v, api_req_t *req);
/** Frees what v owns (not the response). */
void api_v3_deinit(api_v3_t *v);
/** Finishes the JSON and the request with status (500 when the response outgrew its limit);
 * deinits v. @return API_DONE. */
api_status_t api_v3_reply(api_v3_t *v, int status);

/** Writes `{"kind":kind,"metadata":{` — follow with api_v3_self, optionally api_v3_crn, then
 * api_v3_metadata_end, the fields, and api_v3_resource_end. */
void api_v3_resource_begin(api_v3_t *v, const char *kind);
/** Writes `"self":"<base>/v3/<path>"`, path from a printf format. */
void api_v3_self(api_v3_t *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Writes `"resource_name":"crn://<confluent.resource.name.authority>/<fmt>"`, e.g.
 * api_v3_crn(v, "kafka=%s/topic=%s", c, t). */
void api_v3_crn(api_v3_t *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Closes metadata. */
void api_v3_metadata_end(api_v3_t *v);
/** Closes the resource object. */
void api_v3_resource_end(api_v3_t *v);

/** Writes `"key":{"related":"<base>/v3/<path>"}`. */
void api_v3_related(api_v3_t *v, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Writes `{"kind":kind,"metadata":{"self":"<base>/v3/<path>","next":null},"data":[`; write
 * each item as a resource, then api_v3_collection_end. */
void api_v3_collection_begin(api_v3_t *v, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** Closes the data array and the collection. */
void api_v3_collection_end(api_v3_t *v);

/** Appends "<base>/v3/<path>" to out (e.g. a Location header). */
void api_v3_url_write(const api_v3_t *v, kr_buf_t *out, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** Appends value encoded as Java's URLEncoder does for a query parameter value (space '+',
 * [A-Za-z0-9.*_-] kept, everything else %XX of its UTF-8 bytes), as Confluent's ACL URLs. */
void api_v3_query_encode(kr_buf_t *out, const char *value);

/** Parses an enum parameter case-insensitively (Confluent's EnumConverterProvider).
 * @param enum_name Confluent's enum class name for the message, e.g. "Operation".
 * @return the index into names, or -1 with err 404 "The valid values for <enum_name> do not
 *         include '<value>'". */
int api_v3_enum_parse(const char *enum_name, const char *const *names, size_t n, const char *value,
                      kr_err_t *err);

/** @return a boolean query parameter as JAX-RS reads one: "true" in any case is true; absent
 * or anything else is false. */
bool api_v3_query_bool(const api_req_t *req, const char *key);

/** Checks a path's cluster id against the snapshot's.
 * @return 0, or -1 with err 404/404 "Cluster <c> cannot be found.", or 502 when Kafka gave no
 *         cluster id (Metadata v2+ is needed). */
int api_v3_cluster_check(const kafka_md_t *md, const char *cluster_id, kr_err_t *err);

/* Most items one v3 body may carry (docs/v3.md, "Hostile bodies"): a topic create's configs,
 * an :alter's entries (summed over its topics) and its topics, an acls:batch's ACLs. */
#define API_V3_MAX_ITEMS 1000

/** Checks a count of a body's items against API_V3_MAX_ITEMS, before Kafka sees any.
 * @param what the items in the message, e.g. "configs".
 * @return 0, or -1 with err 422/42206 "Payload error. At most 1000 <what> are allowed.". */
int api_v3_items_check(size_t n, const char *what, kr_err_t *err);

/** Looks up a topic as v3 does. @return it (borrowed from md), or NULL with err 404/40403. */
const kafka_md_topic_t *api_v3_topic_find(const kafka_md_t *md, const char *name, kr_err_t *err);

/** Continues a v3 request with a metadata snapshot (md borrowed for the call; kafka_md_keep
 * it to use it later). Runs on an HTTP thread; may answer (API_DONE) or start more work
 * (API_ASYNC). */
typedef api_status_t (*api_v3_md_fn)(api_req_t *req, kafka_md_t *md);

enum api_v3_md_flags {
    API_V3_MD_CLUSTER = 1 << 0, /* check params[0] as the cluster id first */
    API_V3_MD_TOPIC = 1 << 1,   /* params[1] is a topic: one forced refresh when it is missing */
};

/** Gets a snapshot (the cache's when fresh, else after a refresh while the request waits
 * suspended), checks the cluster (API_V3_MD_CLUSTER) and calls fn with it. A timeout or a
 * failed refresh is answered here (503/50302, ...). @return what fn returns, or API_ASYNC. */
api_status_t api_v3_md_serve(api_req_t *req, unsigned flags, api_v3_md_fn fn);

/** The step of api_v3_md_serve_with: takes ownership of arg. */
typedef api_status_t (*api_v3_md_arg_fn)(api_req_t *req, kafka_md_t *md, void *arg);

/** api_v3_md_serve carrying what the handler has already built (e.g. its parsed body) to fn.
 * Takes ownership of arg: fn gets it, or arg_free(arg) frees it when fn is not called (a bad
 * cluster, a timeout). */
api_status_t api_v3_md_serve_with(api_req_t *req, unsigned flags, api_v3_md_arg_fn fn, void *arg,
                                  void (*arg_free)(void *arg));

#endif
