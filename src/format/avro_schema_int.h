/* format/avro_schema_int.h -- the Avro schema tree shared by the files of format/avro_schema*:
 * avro_schema.c (parse, validate), avro_schema_json.c (normalised, compact and canonical
 * JSON, fingerprint), avro_compat.c (compatibility). Only format/ includes this header.
 * Strings are borrowed from the parsed json-c document, which the schema keeps alive; full
 * names are owned. Threads: any; a finished tree is read-only. */
#ifndef KR_FORMAT_AVRO_SCHEMA_INT_H
#define KR_FORMAT_AVRO_SCHEMA_INT_H

#include "format/avro_schema.h"
#include "util/buf.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum avs_type {
    AVS_NULL = 0,
    AVS_BOOLEAN,
    AVS_INT,
    AVS_LONG,
    AVS_FLOAT,
    AVS_DOUBLE,
    AVS_BYTES,
    AVS_STRING,
    AVS_RECORD,
    AVS_ENUM,
    AVS_ARRAY,
    AVS_MAP,
    AVS_UNION,
    AVS_FIXED,
} avs_type_t;

typedef enum avs_order {
    AVS_ORDER_ASCENDING = 0,
    AVS_ORDER_DESCENDING,
    AVS_ORDER_IGNORE,
} avs_order_t;

typedef struct avs_node avs_node_t;

typedef struct avs_field {
    const char *name;
    avs_node_t *type; /* borrowed from the schema's node list */
    const char *doc;  /* NULL: none */
    size_t doc_len;
    json_object *def; /* NULL: no default; the JSON null default is the object below */
    bool has_def;
    avs_order_t order;
    json_object *aliases; /* array of strings, or NULL */
    json_object *obj;     /* the field's JSON object (custom properties) */
} avs_field_t;

struct avs_node {
    avs_type_t type;
    json_object *obj; /* the object it was written as; NULL for a bare name ("int") */
    /* named types (record, enum, fixed) */
    char *fullname; /* owned */
    char *space;    /* owned, NULL: no namespace */
    char **aliases; /* owned full names */
    size_t n_aliases;
    const char *doc;
    size_t doc_len;
    bool is_error; /* a record written as "error" */
    int id;        /* index among the named types (writers mark them written) */
    /* record */
    avs_field_t *fields; /* owned */
    size_t n_fields;
    /* enum */
    const char **symbols; /* owned array of borrowed strings */
    size_t n_symbols;
    const char *enum_default; /* NULL: none */
    /* array items, map values */
    avs_node_t *items;
    /* union */
    avs_node_t **branches; /* owned array of borrowed nodes */
    size_t n_branches;
    /* fixed */
    int32_t size;
};

struct avs_schema {
    json_object *doc;   /* the parsed JSON, owned */
    avs_node_t *root;   /* borrowed from nodes */
    avs_node_t **nodes; /* owned, every node */
    size_t n_nodes, cap_nodes;
    avs_node_t **named; /* borrowed, named types in definition order */
    size_t n_named, cap_named;
    char *normalized; /* owned */
    char *compact;    /* owned */
    char *canonical;  /* owned */
    uint64_t fingerprint;
};

/** The Avro name of a type ("int", "record", ...). */
const char *avs__type_name(avs_type_t t);

/** Builds s->normalized, s->compact, s->canonical and s->fingerprint from a finished tree.
 * @return 0, or -1 when a text would exceed the output limit (err set). */
int avs__write_forms(avs_schema_t *s, kr_err_t *err);

/** Writes a JSON value: object keys sorted when sort_keys, otherwise as written; numbers as
 * written; strings minimally escaped. */
void avs__write_value(kr_buf_t *out, json_object *v, bool sort_keys);

#endif
