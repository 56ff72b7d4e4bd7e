/* router/negotiate.h -- media types and content negotiation: parsing Content-Type and Accept
 * (q-values, wildcards), picking the response type a route offers (JAX-RS 2.0 §3.8:
 * specificity of the client's range, then its q, then the server's qs), and telling v1 from
 * v2 by media type (API.md §1.1, §2.1, section K).
 * May use: util/. Pure: no I/O, no globals. Threads: any. */
#ifndef KR_ROUTER_NEGOTIATE_H
#define KR_ROUTER_NEGOTIATE_H

#include <stddef.h>

typedef enum neg_format {
    NEG_FMT_NONE = 0, /* no embedded format named (vnd.kafka.v2+json, application/json, ...) */
    NEG_FMT_BINARY,
    NEG_FMT_JSON,
    NEG_FMT_AVRO,
    NEG_FMT_JSONSCHEMA,
    NEG_FMT_PROTOBUF,
} neg_format_t;

typedef enum neg_kind {
    NEG_KIND_UNKNOWN = 0,   /* any other type: text/plain, application/xml, ... */
    NEG_KIND_VND_KAFKA,     /* application/vnd.kafka[.<fmt>].v<N>+json */
    NEG_KIND_VND_KAFKA_ANY, /* application/vnd.kafka+json (no version) */
    NEG_KIND_JSON,          /* application/json */
    NEG_KIND_OCTET_STREAM,  /* application/octet-stream */
    NEG_KIND_VND_SR,        /* application/vnd.schemaregistry[.v1]+json (the registry's API) */
} neg_kind_t;

typedef struct neg_media {
    neg_kind_t kind;
    int version;         /* 1 or 2 for NEG_KIND_VND_KAFKA, else 0 */
    neg_format_t format; /* for NEG_KIND_VND_KAFKA; NEG_FMT_NONE otherwise */
} neg_media_t;

/** One response type a route can produce. */
typedef struct neg_offer {
    const char *type; /* canonical media type, e.g. "application/vnd.kafka.v2+json" */
    float qs;         /* server preference, 0 < qs <= 1 */
} neg_offer_t;

/** Parses a Content-Type value (parameters such as charset are ignored, case-insensitive).
 * The embedded format names are binary, json, avro, jsonschema, protobuf; the versions v1, v2.
 * @return 0 with *out filled, -1 when the text is not a media type at all (out->kind is then
 *         NEG_KIND_UNKNOWN). A well-formed but foreign type (text/plain) returns 0 with
 *         NEG_KIND_UNKNOWN. */
int neg_parse_media(const char *text, neg_media_t *out);

/** Picks the response type from an Accept header value (NULL or empty = accept anything).
 * Each offer is matched against the client's most specific matching range; the winner is the
 * offer with the most specific range, then the highest q, then the highest qs, then the
 * earliest in the array. Ranges with q=0 exclude. Malformed ranges are skipped.
 * @return the index of the chosen offer, or -1 when none is acceptable (406). */
int neg_pick(const char *accept, const neg_offer_t *offers, size_t n);

/** @return 1 when accept names type itself (not through a wildcard) with q > 0, else 0.
 * type is "type/subtype" without parameters. */
int neg_names(const char *accept, const char *type);

/** @return the API version (1 or 2) whose shapes a response of this media type uses:
 * vnd.kafka[.fmt].v1+json -> 1; everything else (v2 types, vnd.kafka+json, application/json,
 * octet-stream, unknown) -> 2. */
int neg_version_of(const neg_media_t *m);

/** @return the lowercase name of a format ("binary", ...), "" for NEG_FMT_NONE. */
const char *neg_format_name(neg_format_t f);

#endif
