/* format/avro_schema.c -- parses an Avro schema's JSON into the tree of avro_schema_int.h and
 * validates it as Java Avro's Schema.Parser does with strict names and default validation on
 * (the parser Confluent's registry uses for new schemas). Deviations are listed in
 * avro_schema.h. May use: util/, json-c, format/json. Pure. Threads: any. */
#include "format/avro_schema.h"

#include "format/avro_schema_int.h"
#include "format/json.h"
#include "util/mem.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Checking a default against a union tries every branch (Avro 1.12), so a default nested in
 * recursive unions costs branches^depth; this bounds the work per schema. */
#define DEFAULT_WORK_MAX 200000
/* Java's largest fixed size (SystemLimitException: Integer.MAX_VALUE - 8). */
#define FIXED_SIZE_MAX 2147483639

typedef struct parser {
    avs_schema_t *s;
    kr_err_t *err;
    const char *record; /* full name of the record being parsed, for messages */
    const char *field;  /* field being parsed, for messages */
    long work;          /* default-validation steps left */
} parser_t;

static const char *const TYPE_NAMES[] = {
    [AVS_NULL] = "null",   [AVS_BOOLEAN] = "boolean", [AVS_INT] = "int",
    [AVS_LONG] = "long",   [AVS_FLOAT] = "float",     [AVS_DOUBLE] = "double",
    [AVS_BYTES] = "bytes", [AVS_STRING] = "string",   [AVS_RECORD] = "record",
    [AVS_ENUM] = "enum",   [AVS_ARRAY] = "array",     [AVS_MAP] = "map",
    [AVS_UNION] = "union", [AVS_FIXED] = "fixed",
};

const char *avs__type_name(avs_type_t t)
{
    return TYPE_NAMES[t];
}

/* Sets err to 42201 "Invalid schema: <where>: <message>". @return NULL for the callers. */
static void *fail(parser_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void *fail(parser_t *p, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (p->field)
        kr_err_set(p->err, AVS_ERR_INVALID_SCHEMA, "Invalid schema: field '%s' of record '%s': %s",
                   p->field, p->record, msg);
    else if (p->record)
        kr_err_set(p->err, AVS_ERR_INVALID_SCHEMA, "Invalid schema: record '%s': %s", p->record,
                   msg);
    else
        kr_err_set(p->err, AVS_ERR_INVALID_SCHEMA, "Invalid schema: %s", msg);
    return NULL;
}

/* --- small helpers ------------------------------------------------------------------------ */

/* A string member without embedded NULs, or NULL (Java's getOptionalText gives null for
 * anything that is not a string). */
static const char *text(json_object *obj, const char *key)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    const char *s = json_object_get_string(v);
    if (strlen(s) != (size_t)json_object_get_string_len(v))
        return NULL;
    return s;
}

static bool has_key(json_object *obj, const char *key)
{
    return json_object_object_get_ex(obj, key, NULL);
}

/* Java's NameValidator.STRICT_VALIDATOR: [A-Za-z_][A-Za-z0-9_]*. */
static bool valid_name(const char *s, size_t n)
{
    if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return false;
    }
    return true;
}

static bool valid_namespace(const char *s)
{
    for (const char *dot; (dot = strchr(s, '.')); s = dot + 1) {
        if (!valid_name(s, (size_t)(dot - s)))
            return false;
    }
    return valid_name(s, strlen(s));
}

static char *join_name(const char *space, const char *name, size_t name_len)
{
    if (!space)
        return xstrndup(name, name_len);
    size_t n = strlen(space) + 1 + name_len + 1;
    char *full = xmalloc(n);
    snprintf(full, n, "%s.%.*s", space, (int)name_len, name);
    return full;
}

static int primitive_type(const char *name)
{
    for (int t = AVS_NULL; t <= AVS_STRING; t++) {
        if (strcmp(name, TYPE_NAMES[t]) == 0)
            return t;
    }
    return -1;
}

static avs_node_t *node_new(parser_t *p, avs_type_t type, json_object *obj)
{
    avs_schema_t *s = p->s;
    if (s->n_nodes == s->cap_nodes) {
        s->cap_nodes = s->cap_nodes ? s->cap_nodes * 2 : 16;
        s->nodes = xrealloc(s->nodes, s->cap_nodes * sizeof(*s->nodes));
    }
    avs_node_t *n = xcalloc(1, sizeof(*n));
    n->type = type;
    n->obj = obj;
    n->id = -1;
    s->nodes[s->n_nodes++] = n;
    return n;
}

static avs_node_t *find_named(const avs_schema_t *s, const char *full)
{
    for (size_t i = 0; i < s->n_named; i++) {
        if (strcmp(s->named[i]->fullname, full) == 0)
            return s->named[i];
    }
    return NULL;
}

/* --- names -------------------------------------------------------------------------------- */

/* Gives a named type its full name and namespace from "name", "namespace" and the enclosing
 * namespace (Java's Name), registers it, and reads its doc. */
static int name_node(parser_t *p, avs_node_t *n, const char *space)
{
    const char *name = text(n->obj, "name");
    if (!name)
        return fail(p, "a %s needs a \"name\" string", TYPE_NAMES[n->type]), -1;
    const char *ns = text(n->obj, "namespace");
    if (ns)
        space = ns;
    const char *dot = strrchr(name, '.');
    const char *local = dot ? dot + 1 : name;
    if (!valid_name(local, strlen(local)))
        return fail(p, "name '%s' is invalid (must match [A-Za-z_][A-Za-z0-9_]*)", name), -1;
    char *own_space = dot ? xstrndup(name, (size_t)(dot - name)) : xstrdup(space);
    if (own_space && !*own_space) {
        xfree(own_space);
        own_space = NULL;
    }
    n->space = own_space;
    n->fullname = join_name(own_space, local, strlen(local));
    if (own_space && !valid_namespace(own_space))
        return fail(p, "namespace '%s' of '%s' is invalid", own_space, n->fullname), -1;
    if (find_named(p->s, n->fullname))
        return fail(p, "type '%s' is defined twice", n->fullname), -1;
    avs_schema_t *s = p->s;
    if (s->n_named == s->cap_named) {
        s->cap_named = s->cap_named ? s->cap_named * 2 : 8;
        s->named = xrealloc(s->named, s->cap_named * sizeof(*s->named));
    }
    n->id = (int)s->n_named;
    s->named[s->n_named++] = n;
    json_object *doc = NULL;
    if (json_object_object_get_ex(n->obj, "doc", &doc) &&
        json_object_is_type(doc, json_type_string)) {
        n->doc = json_object_get_string(doc);
        n->doc_len = (size_t)json_object_get_string_len(doc);
    }
    return 0;
}

/* --- repeated names in O(n log n) ---------------------------------------------------------- */

typedef struct name_ix {
    const char *name; /* NULL: never a repeat */
    size_t ix;
} name_ix_t;

static int cmp_name_ix(const void *a, const void *b)
{
    const name_ix_t *x = a, *y = b;
    if (!x->name || !y->name) {
        if (x->name || y->name)
            return x->name ? -1 : 1;
    } else {
        int c = strcmp(x->name, y->name);
        if (c)
            return c;
    }
    return x->ix < y->ix ? -1 : x->ix > y->ix;
}

/* Finds the names equal to an earlier one (dup[i], when dup is given). Sorting instead of
 * comparing every pair: a 1 MB enum of 110000 symbols was 6 x 10^9 compares on the thread
 * that parsed it. @return the index of the first name, in order, that repeats an earlier one,
 * or n when none does. */
static size_t find_repeats(const char *const *names, size_t n, bool *dup)
{
    name_ix_t *v = xmalloc((n ? n : 1) * sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = (name_ix_t){names[i], i};
    qsort(v, n, sizeof(*v), cmp_name_ix);
    size_t first = n;
    for (size_t i = 0; i < n; i++) {
        bool d = i > 0 && v[i].name && v[i - 1].name && strcmp(v[i - 1].name, v[i].name) == 0;
        if (dup)
            dup[v[i].ix] = d;
        if (d && v[i].ix < first)
            first = v[i].ix;
    }
    xfree(v);
    return first;
}

/* The index of the first element of arr whose name (name_of, NULL: none) repeats an earlier
 * one, or arr's length. */
static size_t first_repeat(json_object *arr, const char *(*name_of)(json_object *))
{
    size_t len = json_object_array_length(arr);
    const char **names = xcalloc(len ? len : 1, sizeof(*names));
    for (size_t i = 0; i < len; i++)
        names[i] = name_of(json_object_array_get_idx(arr, i));
    size_t repeat = find_repeats(names, len, NULL);
    xfree(names);
    return repeat;
}

/* "aliases": an array of strings, or absent. */
static int aliases_array(parser_t *p, json_object *obj, json_object **out)
{
    *out = NULL;
    json_object *a = NULL;
    if (!json_object_object_get_ex(obj, "aliases", &a))
        return 0;
    if (!json_object_is_type(a, json_type_array))
        return fail(p, "\"aliases\" must be an array of strings"), -1;
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        json_object *e = json_object_array_get_idx(a, i);
        if (!json_object_is_type(e, json_type_string) ||
            strlen(json_object_get_string(e)) != (size_t)json_object_get_string_len(e))
            return fail(p, "\"aliases\" must be an array of strings"), -1;
    }
    *out = a;
    return 0;
}

/* A named type's aliases, made full names in its namespace and deduplicated (Java keeps a
 * LinkedHashSet of Names). */
static int named_aliases(parser_t *p, avs_node_t *n)
{
    json_object *a;
    if (aliases_array(p, n->obj, &a) != 0)
        return -1;
    size_t len = a ? json_object_array_length(a) : 0;
    n->aliases = len ? xcalloc(len, sizeof(char *)) : NULL;
    for (size_t i = 0; i < len; i++) {
        const char *alias = json_object_get_string(json_object_array_get_idx(a, i));
        const char *dot = strrchr(alias, '.');
        const char *local = dot ? dot + 1 : alias;
        if (!valid_name(local, strlen(local)))
            return fail(p, "alias '%s' of '%s' is invalid", alias, n->fullname), -1;
        char *full = dot ? xstrdup(alias) : join_name(n->space, alias, strlen(alias));
        if (full[0] == '.')
            memmove(full, full + 1, strlen(full));
        n->aliases[n->n_aliases++] = full;
    }
    /* a repeated alias is dropped (the first stays, in order) */
    bool *dup = xcalloc(n->n_aliases ? n->n_aliases : 1, sizeof(*dup));
    find_repeats((const char *const *)n->aliases, n->n_aliases, dup);
    size_t kept = 0;
    for (size_t i = 0; i < n->n_aliases; i++) {
        if (dup[i])
            xfree(n->aliases[i]);
        else
            n->aliases[kept++] = n->aliases[i];
    }
    n->n_aliases = kept;
    xfree(dup);
    return 0;
}

/* --- defaults (Java's Schema.isValidDefault, Avro 1.12) ------------------------------------ */

/* The integer text of a JSON integer, or NULL when v is not one. Jackson calls a number
 * integral when it has neither fraction nor exponent; json-c keeps those as ints. */
static const char *integral_text(json_object *v)
{
    return json_object_is_type(v, json_type_int) ? json_object_get_string(v) : NULL;
}

static bool integral_in(json_object *v, long long lo, long long hi)
{
    const char *t = integral_text(v);
    if (!t)
        return false;
    errno = 0;
    long long x = strtoll(t, NULL, 10);
    return errno == 0 && x >= lo && x <= hi;
}

/* Whether Java's Double.parseDouble accepts s: what a string default of a float or double
 * field may be ("NaN", "-Infinity", "1.5", " 2e3 ", "1f"). Hex floats are not accepted. */
static bool java_double_text(const char *s)
{
    size_t n = strlen(s);
    while (n && (unsigned char)s[n - 1] <= ' ')
        n--;
    while (n && (unsigned char)*s <= ' ')
        s++, n--;
    if (n && (*s == '+' || *s == '-'))
        s++, n--;
    if ((n == 3 && memcmp(s, "NaN", 3) == 0) || (n == 8 && memcmp(s, "Infinity", 8) == 0))
        return true;
    if (n && strchr("fFdD", s[n - 1]))
        n--;
    size_t i = 0, digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (i < n && s[i] == '.')
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
    if (!digits)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t start = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start)
            return false;
    }
    return i == n;
}

static bool valid_default(parser_t *p, const avs_node_t *n, json_object *v);

static bool valid_record_default(parser_t *p, const avs_node_t *n, json_object *v)
{
    if (!json_object_is_type(v, json_type_object))
        return false;
    for (size_t i = 0; i < n->n_fields; i++) {
        const avs_field_t *f = &n->fields[i];
        json_object *fv = NULL;
        if (!f->name)
            return false; /* not parsed yet: a default of a record inside its own definition
                           * that reaches a later field (Java rejects these: "Schema fields not
                           * set yet"); found by fuzz_avro_schema_codec as a NULL name */
        if (json_object_object_get_ex(v, f->name, &fv)) {
            if (!valid_default(p, f->type, fv))
                return false;
        } else if (!f->has_def) {
            return false; /* the field's own default was checked when it was parsed */
        }
    }
    return true;
}

static bool valid_default(parser_t *p, const avs_node_t *n, json_object *v)
{
    if (--p->work < 0)
        return false;
    switch (n->type) {
    case AVS_STRING:
    case AVS_BYTES:
    case AVS_ENUM:
    case AVS_FIXED:
        return json_object_is_type(v, json_type_string);
    case AVS_INT:
        return integral_in(v, INT32_MIN, INT32_MAX);
    case AVS_LONG:
        return integral_in(v, INT64_MIN, INT64_MAX);
    case AVS_FLOAT:
    case AVS_DOUBLE:
        return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
    case AVS_BOOLEAN:
        return json_object_is_type(v, json_type_boolean);
    case AVS_NULL:
        return v == NULL;
    case AVS_ARRAY:
        if (!json_object_is_type(v, json_type_array))
            return false;
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            if (!valid_default(p, n->items, json_object_array_get_idx(v, i)))
                return false;
        }
        return true;
    case AVS_MAP:
        if (!json_object_is_type(v, json_type_object))
            return false;
        json_object_object_foreach(v, key, val)
        {
            (void)key;
            if (!valid_default(p, n->items, val))
                return false;
        }
        return true;
    case AVS_UNION:
        for (size_t i = 0; i < n->n_branches; i++) {
            if (valid_default(p, n->branches[i], v))
                return true;
        }
        return false;
    case AVS_RECORD:
        return valid_record_default(p, n, v);
    }
    return false;
}

/* --- types -------------------------------------------------------------------------------- */

static avs_node_t *parse_type(parser_t *p, json_object *j, const char *space);

/* A type written as a name: a primitive, or a named type defined before (its full name in the
 * enclosing namespace, else the name as written, as Java's ParseContext.find). */
static avs_node_t *reference(parser_t *p, const char *name, json_object *obj, const char *space)
{
    int prim = primitive_type(name);
    if (prim >= 0)
        return node_new(p, (avs_type_t)prim, obj);
    avs_node_t *n = NULL;
    if (space && !strchr(name, '.')) {
        char *full = join_name(space, name, strlen(name));
        n = find_named(p->s, full);
        xfree(full);
    }
    if (!n)
        n = find_named(p->s, name);
    if (!n)
        return fail(p, "type '%s' is not defined (a named type must be defined before it is used)",
                    name);
    return n;
}

static int parse_order(parser_t *p, json_object *fobj, avs_order_t *order)
{
    *order = AVS_ORDER_ASCENDING;
    if (!has_key(fobj, "order"))
        return 0;
    const char *o = text(fobj, "order");
    if (o && strcasecmp(o, "ascending") == 0)
        return 0;
    if (o && strcasecmp(o, "descending") == 0)
        return *order = AVS_ORDER_DESCENDING, 0;
    if (o && strcasecmp(o, "ignore") == 0)
        return *order = AVS_ORDER_IGNORE, 0;
    return fail(p, "\"order\" must be \"ascending\", \"descending\" or \"ignore\""), -1;
}

static int parse_default(parser_t *p, avs_field_t *f)
{
    f->has_def = json_object_object_get_ex(f->obj, "default", &f->def);
    if (!f->has_def)
        return 0;
    avs_type_t t = f->type->type;
    /* Java turns a string default of a float or double field into a number first. */
    if ((t == AVS_FLOAT || t == AVS_DOUBLE) && json_object_is_type(f->def, json_type_string)) {
        if (java_double_text(json_object_get_string(f->def)))
            return 0;
        return fail(p, "default \"%.60s\" is not a number", json_object_get_string(f->def)), -1;
    }
    if (valid_default(p, f->type, f->def))
        return 0;
    if (p->work < 0)
        return fail(p, "default is too complex to check"), -1;
    const char *shown = json_object_to_json_string_ext(f->def, JSON_C_TO_STRING_PLAIN);
    return fail(p, "default %.60s is not a valid %s", shown, avs__type_name(t)), -1;
}

static int parse_field(parser_t *p, avs_node_t *rec, size_t i, json_object *fobj, bool repeat)
{
    avs_field_t *f = &rec->fields[i];
    f->obj = fobj;
    const char *name = json_object_is_type(fobj, json_type_object) ? text(fobj, "name") : NULL;
    if (!name)
        return fail(p, "field %zu has no \"name\" string", i), -1;
    p->field = name;
    if (!valid_name(name, strlen(name)))
        return fail(p, "the field name is invalid (must match [A-Za-z_][A-Za-z0-9_]*)"), -1;
    if (repeat)
        return fail(p, "the field is defined twice"), -1;
    f->name = name;
    json_object *type = NULL;
    if (!json_object_object_get_ex(fobj, "type", &type))
        return fail(p, "the field has no \"type\""), -1;
    const char *saved_record = p->record;
    f->type = parse_type(p, type, rec->space);
    if (!f->type)
        return -1;
    p->record = saved_record;
    p->field = name;
    json_object *doc = NULL;
    if (json_object_object_get_ex(fobj, "doc", &doc) &&
        json_object_is_type(doc, json_type_string)) {
        f->doc = json_object_get_string(doc);
        f->doc_len = (size_t)json_object_get_string_len(doc);
    }
    if (parse_order(p, fobj, &f->order) != 0 || aliases_array(p, fobj, &f->aliases) != 0)
        return -1;
    return parse_default(p, f);
}

static const char *field_name_of(json_object *fobj)
{
    return json_object_is_type(fobj, json_type_object) ? text(fobj, "name") : NULL;
}

static avs_node_t *parse_record(parser_t *p, avs_node_t *n, const char *space)
{
    if (name_node(p, n, space) != 0 || named_aliases(p, n) != 0)
        return NULL;
    json_object *fields = NULL;
    if (!json_object_object_get_ex(n->obj, "fields", &fields) ||
        !json_object_is_type(fields, json_type_array))
        return fail(p, "record '%s' has no \"fields\" array", n->fullname);
    const char *saved_record = p->record, *saved_field = p->field;
    p->record = n->fullname;
    p->field = NULL;
    n->n_fields = json_object_array_length(fields);
    n->fields = n->n_fields ? xcalloc(n->n_fields, sizeof(*n->fields)) : NULL;
    /* the field that first repeats an earlier name fails where a pairwise check would */
    size_t repeat = first_repeat(fields, field_name_of);
    for (size_t i = 0; i < n->n_fields; i++) {
        if (parse_field(p, n, i, json_object_array_get_idx(fields, i), i == repeat) != 0)
            return NULL;
        p->field = NULL;
    }
    p->record = saved_record;
    p->field = saved_field;
    return n;
}

static const char *symbol_of(json_object *e)
{
    return json_object_is_type(e, json_type_string) ? json_object_get_string(e) : NULL;
}

static avs_node_t *parse_enum(parser_t *p, avs_node_t *n, const char *space)
{
    if (name_node(p, n, space) != 0 || named_aliases(p, n) != 0)
        return NULL;
    json_object *syms = NULL;
    if (!json_object_object_get_ex(n->obj, "symbols", &syms) ||
        !json_object_is_type(syms, json_type_array))
        return fail(p, "enum '%s' has no \"symbols\" array", n->fullname);
    size_t len = json_object_array_length(syms);
    n->symbols = len ? xcalloc(len, sizeof(*n->symbols)) : NULL;
    size_t repeat = first_repeat(syms, symbol_of);
    for (size_t i = 0; i < len; i++) {
        json_object *e = json_object_array_get_idx(syms, i);
        const char *sym = json_object_is_type(e, json_type_string) ? json_object_get_string(e) : "";
        if (!valid_name(sym, (size_t)json_object_get_string_len(e)))
            return fail(p, "enum '%s': symbol %zu is not a valid name", n->fullname, i);
        if (i == repeat)
            return fail(p, "enum '%s': symbol '%s' appears twice", n->fullname, sym);
        n->symbols[n->n_symbols++] = sym;
    }
    /* Java ignores a default that is not a string. */
    n->enum_default = text(n->obj, "default");
    if (!n->enum_default)
        return n;
    for (size_t i = 0; i < n->n_symbols; i++) {
        if (strcmp(n->symbols[i], n->enum_default) == 0)
            return n;
    }
    return fail(p, "enum '%s': default '%s' is not one of its symbols", n->fullname,
                n->enum_default);
}

static avs_node_t *parse_fixed(parser_t *p, avs_node_t *n, const char *space)
{
    if (name_node(p, n, space) != 0 || named_aliases(p, n) != 0)
        return NULL;
    json_object *size = NULL;
    json_object_object_get_ex(n->obj, "size", &size);
    if (!integral_in(size, 0, FIXED_SIZE_MAX))
        return fail(p, "fixed '%s' needs a \"size\" between 0 and %d", n->fullname, FIXED_SIZE_MAX);
    n->size = (int32_t)json_object_get_int64(size);
    return n;
}

static avs_node_t *parse_container(parser_t *p, avs_node_t *n, const char *key, const char *space)
{
    json_object *items = NULL;
    if (!json_object_object_get_ex(n->obj, key, &items))
        return fail(p, "%s has no \"%s\"", avs__type_name(n->type), key);
    n->items = parse_type(p, items, space);
    return n->items ? n : NULL;
}

/* The key Java's UnionSchema tells branches apart by: the full name or the type's name. */
static const char *branch_key(const avs_node_t *n)
{
    return n->fullname ? n->fullname : avs__type_name(n->type);
}

static avs_node_t *parse_union(parser_t *p, json_object *arr, const char *space)
{
    avs_node_t *n = node_new(p, AVS_UNION, NULL);
    size_t len = json_object_array_length(arr);
    n->branches = len ? xcalloc(len, sizeof(*n->branches)) : NULL;
    for (size_t i = 0; i < len; i++) {
        avs_node_t *b = parse_type(p, json_object_array_get_idx(arr, i), space);
        if (!b)
            return NULL;
        if (b->type == AVS_UNION)
            return fail(p, "a union may not directly contain a union");
        for (size_t k = 0; k < n->n_branches; k++) {
            if (strcmp(branch_key(n->branches[k]), branch_key(b)) == 0)
                return fail(p, "a union contains '%s' twice", branch_key(b));
        }
        n->branches[n->n_branches++] = b;
    }
    return n;
}

static avs_node_t *parse_object(parser_t *p, json_object *obj, const char *space)
{
    const char *type = text(obj, "type");
    if (!type)
        return fail(p, "a schema object needs a \"type\" string");
    int prim = primitive_type(type);
    if (prim >= 0)
        return node_new(p, (avs_type_t)prim, obj);
    if (strcmp(type, "record") == 0 || strcmp(type, "error") == 0) {
        avs_node_t *n = node_new(p, AVS_RECORD, obj);
        n->is_error = type[0] == 'e';
        return parse_record(p, n, space);
    }
    if (strcmp(type, "enum") == 0)
        return parse_enum(p, node_new(p, AVS_ENUM, obj), space);
    if (strcmp(type, "fixed") == 0)
        return parse_fixed(p, node_new(p, AVS_FIXED, obj), space);
    if (strcmp(type, "array") == 0)
        return parse_container(p, node_new(p, AVS_ARRAY, obj), "items", space);
    if (strcmp(type, "map") == 0)
        return parse_container(p, node_new(p, AVS_MAP, obj), "values", space);
    /* Avro 1.12 reads {"type":"Name"} as a reference to a named type. */
    return reference(p, type, NULL, space);
}

static avs_node_t *parse_type(parser_t *p, json_object *j, const char *space)
{
    if (json_object_is_type(j, json_type_string)) {
        const char *name = json_object_get_string(j);
        if (strlen(name) != (size_t)json_object_get_string_len(j))
            return fail(p, "a type name may not contain NUL");
        return reference(p, name, NULL, space);
    }
    if (json_object_is_type(j, json_type_object))
        return parse_object(p, j, space);
    if (json_object_is_type(j, json_type_array))
        return parse_union(p, j, space);
    return fail(p, "a schema must be a JSON string, object or array");
}

/* --- entry points ------------------------------------------------------------------------- */

/* json-c clamps integers beyond int64/uint64; Jackson does not. Rather than change a number
 * silently, such a schema is refused. @return the offset of the first such integer, or len. */
static size_t big_integer_at(const char *s, size_t len)
{
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        if (in_str) {
            if (s[i] == '\\')
                i++;
            else if (s[i] == '"')
                in_str = false;
            continue;
        }
        if (s[i] == '"') {
            in_str = true;
            continue;
        }
        if (s[i] != '-' && (s[i] < '0' || s[i] > '9'))
            continue;
        size_t start = i, digits = 0;
        bool integral = true;
        for (i += s[i] == '-'; i < len && strchr("0123456789.eE+-", s[i]); i++) {
            integral = integral && s[i] >= '0' && s[i] <= '9';
            digits++;
        }
        if (integral && digits >= 19 && digits <= 20) {
            char num[24]; /* the text need not be NUL-terminated: copy the token */
            snprintf(num, sizeof(num), "%.*s", (int)(i - start), s + start);
            errno = 0;
            if (num[0] == '-')
                (void)strtoll(num, NULL, 10);
            else
                (void)strtoull(num, NULL, 10);
            if (errno == ERANGE)
                return start;
        } else if (integral && digits > 20) {
            return start;
        }
        i--;
    }
    return len;
}

avs_schema_t *avs_parse(const char *json, size_t len, kr_err_t *err)
{
    int is_null = 0;
    json_object *doc = fmt_json_parse(json, len, &is_null, err);
    parser_t p = {.err = err, .work = DEFAULT_WORK_MAX};
    if (!doc && !is_null) {
        char msg[sizeof(err->msg)];
        snprintf(msg, sizeof(msg), "%s", err->msg);
        kr_err_set(err, AVS_ERR_INVALID_SCHEMA, "Invalid schema: %s", msg);
        return NULL;
    }
    if (big_integer_at(json, len) < len) {
        json_object_put(doc);
        return fail(&p, "an integer is out of the 64-bit range");
    }
    p.s = xcalloc(1, sizeof(*p.s));
    p.s->doc = doc;
    p.s->root = parse_type(&p, doc, NULL);
    if (!p.s->root || avs__write_forms(p.s, err) != 0) {
        avs_free(p.s);
        return NULL;
    }
    return p.s;
}

static void node_free(avs_node_t *n)
{
    xfree(n->fullname);
    xfree(n->space);
    for (size_t i = 0; i < n->n_aliases; i++)
        xfree(n->aliases[i]);
    xfree(n->aliases);
    xfree(n->fields);
    xfree(n->symbols);
    xfree(n->branches);
    xfree(n);
}

void avs_free(avs_schema_t *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_nodes; i++)
        node_free(s->nodes[i]);
    xfree(s->nodes);
    xfree(s->named);
    xfree(s->normalized);
    xfree(s->compact);
    xfree(s->canonical);
    json_object_put(s->doc);
    xfree(s);
}

const char *avs_normalized(const avs_schema_t *s)
{
    return s->normalized;
}

const char *avs_compact(const avs_schema_t *s)
{
    return s->compact;
}

const char *avs_canonical(const avs_schema_t *s)
{
    return s->canonical;
}

uint64_t avs_fingerprint64(const avs_schema_t *s)
{
    return s->fingerprint;
}
