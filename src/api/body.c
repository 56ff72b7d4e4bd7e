/* api/body.c -- JSON object request bodies (see body.h): parse, check against a table of
 * known fields, typed getters; the errors of each API in one place.
 * May use: format/, util/, json-c. Threads: any. */
#include "api/body.h"

#include "format/json.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

static int check_members(const api_body_t *b, json_object *obj, const api_body_spec_t *spec,
                         kr_err_t *err);
static int check_type(const api_body_t *b, json_object *v, const char *name, api_body_type_t type,
                      kr_err_t *err);
static bool blank(const char *s, size_t n);

/* --- the body ---------------------------------------------------------------------------- */

/* The empty or null body of each API. @return 0 (no object) or -1 with err set. */
static int no_body(const api_body_t *b, bool is_null, const api_body_spec_t *spec, kr_err_t *err)
{
    if (b->version == API_V3)
        return kr_err_set(err, KR_ERR_PAYLOAD, "Payload error. %s",
                          spec->empty ? spec->empty : "Request body is empty. Data is required.");
    if (b->version == API_SR && is_null)
        return kr_err_set(err, KR_ERR_BAD_REQUEST, "Request body must be a JSON object");
    if (b->version == API_SR)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE, "Request body is empty");
    return 0; /* v1/v2: no body, the handler decides (section K) */
}

static int not_object(const api_body_t *b, const api_body_spec_t *spec, kr_err_t *err)
{
    if (b->version == API_V3 && spec->cls)
        return kr_err_set(err, KR_ERR_BAD_REQUEST,
                          "Cannot deserialize value of type `%s` from a non-object value",
                          spec->cls);
    if (b->version == API_SR)
        return kr_err_set(err, KR_ERR_BAD_REQUEST, "Request body must be a JSON object");
    return kr_err_set(err, b->version == API_V1 ? KR_ERR_UNPROCESSABLE : KR_ERR_BAD_REQUEST,
                      "The request body must be a JSON object");
}

int api_body_parse(api_body_t *b, const api_req_t *req, const api_body_spec_t *spec, kr_err_t *err)
{
    b->root = NULL;
    b->version = req->version;
    size_t len = req->body ? req->body_len : 0;
    /* v3 reads a blank body as none, as Jackson does; the others parse it (400). */
    if (len == 0 || (b->version == API_V3 && blank(req->body, len)))
        return no_body(b, false, spec, err);
    int is_null = 0;
    b->root = fmt_json_parse(req->body, len, &is_null, err);
    if (!b->root)
        return is_null ? no_body(b, true, spec, err) : -1;
    if (!json_object_is_type(b->root, json_type_object))
        return not_object(b, spec, err);
    return check_members(b, b->root, spec, err);
}

void api_body_deinit(api_body_t *b)
{
    json_object_put(b->root);
    b->root = NULL;
}

int api_body_check(const api_body_t *b, json_object *obj, const char *what,
                   const api_body_spec_t *spec, kr_err_t *err)
{
    if (!obj || !json_object_is_type(obj, json_type_object))
        return api_body_type_err(b, what, "expected an object", err);
    return check_members(b, obj, spec, err);
}

/* --- members ----------------------------------------------------------------------------- */

static const api_body_field_t *known(const api_body_spec_t *spec, const char *name)
{
    for (const api_body_field_t *f = spec->fields; f && f->name; f++) {
        if (strcmp(f->name, name) == 0)
            return f;
    }
    return NULL;
}

static int unknown(const api_body_t *b, const char *name, const api_body_spec_t *spec,
                   kr_err_t *err)
{
    if (b->version == API_SR)
        return 0; /* the Schema Registry ignores them, as Confluent's (section K) */
    if ((spec->flags & API_BODY_CLIENT_SETTINGS) && strchr(name, '.')) {
        log_info("consumer create: client setting '%s' ignored", name);
        return 0;
    }
    if (b->version == API_V3)
        return kr_err_set(err, KR_ERR_BAD_REQUEST,
                          "Unrecognized field \"%s\" (class %s), not marked as ignorable", name,
                          spec->cls ? spec->cls : "Object");
    return kr_err_set(err, KR_ERR_UNPROCESSABLE, "Unrecognized field: %s", name);
}

/* Unknown fields first (in the object's order), then each known field's type and presence
 * (in the table's order). */
static int check_members(const api_body_t *b, json_object *obj, const api_body_spec_t *spec,
                         kr_err_t *err)
{
    if (!spec->fields)
        return 0;
    json_object_object_foreach(obj, key, val)
    {
        (void)val;
        if (!known(spec, key) && unknown(b, key, spec, err) != 0)
            return -1;
    }
    for (const api_body_field_t *f = spec->fields; f->name; f++) {
        json_object *v = api_body_get(obj, f->name);
        if (!v && f->required)
            return kr_err_set(err, b->version == API_V3 ? KR_ERR_BAD_REQUEST : KR_ERR_UNPROCESSABLE,
                              "Missing required field: %s", f->name);
        if (v && check_type(b, v, f->name, f->type, err) != 0)
            return -1;
    }
    return 0;
}

json_object *api_body_get(json_object *obj, const char *name)
{
    json_object *v = NULL;
    if (!obj || !json_object_object_get_ex(obj, name, &v))
        return NULL;
    return v; /* json-c's null is NULL */
}

static bool type_is(json_object *v, api_body_type_t type)
{
    json_type t = json_object_get_type(v);
    switch (type) {
    case API_BODY_ANY:
        return true;
    case API_BODY_STRING:
        return t == json_type_string;
    case API_BODY_TEXT:
        return t == json_type_string || t == json_type_int || t == json_type_double ||
               t == json_type_boolean;
    case API_BODY_INT:
        return t == json_type_int;
    case API_BODY_BOOL:
        return t == json_type_boolean;
    case API_BODY_ARRAY:
        return t == json_type_array;
    case API_BODY_OBJECT:
        return t == json_type_object;
    }
    return false;
}

static int check_type(const api_body_t *b, json_object *v, const char *name, api_body_type_t type,
                      kr_err_t *err)
{
    static const char *const expected[] = {
        [API_BODY_ANY] = "expected a value",
        [API_BODY_STRING] = "expected a string",
        [API_BODY_TEXT] = "expected a string, number or boolean",
        [API_BODY_INT] = "expected an integer",
        [API_BODY_BOOL] = "expected a boolean",
        [API_BODY_ARRAY] = "expected an array",
        [API_BODY_OBJECT] = "expected an object",
    };
    return type_is(v, type) ? 0 : api_body_type_err(b, name, expected[type], err);
}

int api_body_type_err(const api_body_t *b, const char *name, const char *what, kr_err_t *err)
{
    return kr_err_set(err, b->version == API_V1 ? KR_ERR_UNPROCESSABLE : KR_ERR_BAD_REQUEST,
                      "%s: %s", name, what);
}

/* --- typed getters ----------------------------------------------------------------------- */

/* The member name of the given type: 0 with *v NULL when absent or null. */
static int typed(const api_body_t *b, json_object *obj, const char *name, api_body_type_t type,
                 json_object **v, kr_err_t *err)
{
    *v = api_body_get(obj, name);
    return *v ? check_type(b, *v, name, type, err) : 0;
}

/* v's text into *out; a NUL in a string is refused (the C string would stop there). */
static int text_of(const api_body_t *b, json_object *v, const char *name, const char **out,
                   kr_err_t *err)
{
    const char *s = json_object_get_string(v);
    /* Only a JSON string can hold one: a number's or a boolean's text has none. */
    if (json_object_is_type(v, json_type_string) &&
        strlen(s) != (size_t)json_object_get_string_len(v))
        return api_body_type_err(b, name, "a NUL character (\\u0000) is not allowed", err);
    *out = s;
    return 0;
}

int api_body_str(const api_body_t *b, json_object *obj, const char *name, const char **out,
                 kr_err_t *err)
{
    json_object *v;
    if (typed(b, obj, name, API_BODY_STRING, &v, err) != 0)
        return -1;
    return v ? text_of(b, v, name, out, err) : 0;
}

int api_body_strn(const api_body_t *b, json_object *obj, const char *name, const char **out,
                  size_t *len, kr_err_t *err)
{
    json_object *v;
    if (typed(b, obj, name, API_BODY_STRING, &v, err) != 0)
        return -1;
    if (v) {
        *out = json_object_get_string(v);
        *len = (size_t)json_object_get_string_len(v);
    }
    return 0;
}

int api_body_text(const api_body_t *b, json_object *obj, const char *name, const char **out,
                  kr_err_t *err)
{
    json_object *v;
    if (typed(b, obj, name, API_BODY_TEXT, &v, err) != 0)
        return -1;
    return v ? text_of(b, v, name, out, err) : 0;
}

int api_body_int(const api_body_t *b, json_object *obj, const char *name, int64_t min, int64_t max,
                 int64_t *out, kr_err_t *err)
{
    json_object *v;
    if (typed(b, obj, name, API_BODY_INT, &v, err) != 0)
        return -1;
    if (!v)
        return 0;
    /* json-c keeps integers past int64 as uint64 and reads them here as INT64_MAX. */
    int64_t n = json_object_get_int64(v);
    bool past = n == INT64_MAX && json_object_get_uint64(v) > (uint64_t)INT64_MAX;
    if (past || n < min || n > max) {
        char what[80];
        snprintf(what, sizeof(what), "expected an integer in [%lld, %lld]", (long long)min,
                 (long long)max);
        return api_body_type_err(b, name, what, err);
    }
    *out = n;
    return 0;
}

int api_body_bool(const api_body_t *b, json_object *obj, const char *name, bool *out, kr_err_t *err)
{
    json_object *v;
    if (typed(b, obj, name, API_BODY_BOOL, &v, err) != 0)
        return -1;
    if (v)
        *out = json_object_get_boolean(v);
    return 0;
}

int api_body_array(const api_body_t *b, json_object *obj, const char *name, json_object **out,
                   kr_err_t *err)
{
    json_object *v;
    if (typed(b, obj, name, API_BODY_ARRAY, &v, err) != 0)
        return -1;
    if (v)
        *out = v;
    return 0;
}

int api_body_object(const api_body_t *b, json_object *obj, const char *name, json_object **out,
                    kr_err_t *err)
{
    json_object *v;
    if (typed(b, obj, name, API_BODY_OBJECT, &v, err) != 0)
        return -1;
    if (v)
        *out = v;
    return 0;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    }
    return true;
}
