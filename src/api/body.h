/* api/body.h -- request bodies that are one JSON object: parse it, check its members against
 * a table of known fields (name, JSON type, required), read members typed; one set of error
 * messages, chosen by the request's API (req->version) as API.md section K and §3 say:
 * - empty body: v1/v2 no object (root NULL); SR 422 "Request body is empty"; v3 422/42206
 *   "Payload error. <cause>", the entity's cause: "Request body is empty. Data is required."
 *   unless spec->empty says otherwise (Confluent's resources word it per entity: ACLs and the
 *   config batches "Null input provided. Data is required.").
 * - JSON null: v1/v2 no object; SR 400; v3 as empty.
 * - not JSON: 400 (format/json.h's message), every API.
 * - not an object: v1 422, v2 400 "The request body must be a JSON object"; SR 400 "Request
 *   body must be a JSON object"; v3 400 "Cannot deserialize value of type `<cls>` from a
 *   non-object value".
 * - unknown field: v1/v2 422 "Unrecognized field: <name>"; SR ignored; v3 400 "Unrecognized
 *   field "<name>" (class <cls>), not marked as ignorable" (Confluent's ObjectMapper keeps
 *   Jackson's FAIL_ON_UNKNOWN_PROPERTIES: rest-utils Application.getJsonMapper; kafka-rest's
 *   entities have no @JsonIgnoreProperties).
 * - wrong type: v1 422, else 400 "<name>: expected a string" (an integer, ...).
 * - missing required field: v1/v2/SR 422, v3 400 "Missing required field: <name>".
 * - a NUL (\u0000) in a string read with api_body_str/api_body_text: as a wrong type, "<name>:
 *   a NUL character (\u0000) is not allowed" (a C string would stop there and name another
 *   topic, config, ACL, ... than the body does); api_body_strn reads one with its length.
 * A JSON null member is an absent one everywhere.
 * May use: format/, util/, json-c. Threads: any (a body is its request's). */
#ifndef KR_API_BODY_H
#define KR_API_BODY_H

#include "api/api.h"
#include "util/err.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum api_body_type {
    API_BODY_ANY = 0, /* any JSON value: the handler reads and checks it */
    API_BODY_STRING,  /* a JSON string */
    API_BODY_TEXT,    /* a string, number or boolean, read as text (Jackson's String coercion) */
    API_BODY_INT,     /* a JSON integer (int64) */
    API_BODY_BOOL,
    API_BODY_ARRAY,
    API_BODY_OBJECT,
} api_body_type_t;

/* One known field. A table of them ends with {NULL}. */
typedef struct api_body_field {
    const char *name;
    api_body_type_t type;
    bool required; /* absent or null: "Missing required field: <name>" */
} api_body_field_t;

/* Unknown names holding a '.' are Kafka client settings: logged and ignored (v1/v2 consumer
 * create, section K); others stay unknown. */
#define API_BODY_CLIENT_SETTINGS 0x1u

/* The shape of one JSON object of a body (the body itself or an object inside it). */
typedef struct api_body_spec {
    const api_body_field_t *fields; /* known fields; NULL: every field is known, none checked */
    const char *cls;                /* v3: the entity's name in messages ("CreateTopicRequest") */
    const char *empty;              /* v3: "Payload error. <empty>"; NULL: the default above */
    unsigned flags;                 /* API_BODY_CLIENT_SETTINGS */
} api_body_spec_t;

/* A parsed body. */
typedef struct api_body {
    json_object *root;     /* owned; NULL: no body (v1/v2 empty or null body) */
    api_version_t version; /* whose error messages */
} api_body_t;

/** Parses req's body as one JSON object and checks its members against spec (unknown
 * fields, types of typed fields, required fields; the table above gives the errors). b is
 * initialised here (api_body_deinit it, also after a failure). @return 0 or -1 with err set. */
int api_body_parse(api_body_t *b, const api_req_t *req, const api_body_spec_t *spec, kr_err_t *err);

/** Frees the parsed body (not the struct); every value read from it dies with it. */
void api_body_deinit(api_body_t *b);

/** Checks an object inside the body (an array element, a nested member) against spec, as
 * api_body_parse checks the root: obj must be an object (else the wrong-type error naming
 * what, e.g. "configs[2]"). @return 0 or -1 with err set. */
int api_body_check(const api_body_t *b, json_object *obj, const char *what,
                   const api_body_spec_t *spec, kr_err_t *err);

/** @return obj's member name (borrowed from the body), or NULL when obj is NULL or the member
 * is absent or null. */
json_object *api_body_get(json_object *obj, const char *name);

/* Typed getters. obj is b->root or an object inside it (NULL: nothing is present). An absent
 * or null member leaves *out untouched and gives 0; a member of another type gives the
 * wrong-type error of the table above. Strings are borrowed from the body. */

/** A JSON string. */
int api_body_str(const api_body_t *b, json_object *obj, const char *name, const char **out,
                 kr_err_t *err);

/** A JSON string and its length, NUL characters kept (for a check of the handler's own, e.g.
 * a topic name's characters). *len is set with *out. */
int api_body_strn(const api_body_t *b, json_object *obj, const char *name, const char **out,
                  size_t *len, kr_err_t *err);

/** A string, number or boolean as text ("true", "100"): Jackson's coercion into a String. */
int api_body_text(const api_body_t *b, json_object *obj, const char *name, const char **out,
                  kr_err_t *err);

/** A JSON integer within [min, max] ("<name>: expected an integer in [min, max]" otherwise). */
int api_body_int(const api_body_t *b, json_object *obj, const char *name, int64_t min, int64_t max,
                 int64_t *out, kr_err_t *err);

/** A JSON boolean. */
int api_body_bool(const api_body_t *b, json_object *obj, const char *name, bool *out,
                  kr_err_t *err);

/** A JSON array (borrowed); walk it with json_object_array_length/_get_idx and check object
 * elements with api_body_check. */
int api_body_array(const api_body_t *b, json_object *obj, const char *name, json_object **out,
                   kr_err_t *err);

/** A JSON object (borrowed). */
int api_body_object(const api_body_t *b, json_object *obj, const char *name, json_object **out,
                    kr_err_t *err);

/** Sets err to the wrong-type error "<name>: <what>" (v1 422, else 400), for checks of the
 * handler's own. @return -1. */
int api_body_type_err(const api_body_t *b, const char *name, const char *what, kr_err_t *err);

#endif
