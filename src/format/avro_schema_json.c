/* format/avro_schema_json.c -- the texts of a parsed schema: normalised JSON (what the
 * registry compares), compact JSON (what it stores), the Parsing Canonical Form and its
 * CRC-64-AVRO fingerprint (Avro specification). Built once, when the schema is parsed.
 * May use: util/, json-c, format/jsonw. Pure. Threads: any (called from avs_parse). */
#include "format/avro_schema_int.h"

#include "format/jsonw.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* Attributes Java Avro reads itself; every other key of a type or field is a custom property
 * (logicalType, precision, scale and the like included), kept in the normalised form. */
static const char *const SCHEMA_RESERVED[] = {"doc",       "fields",  "items",   "name",
                                              "namespace", "size",    "symbols", "values",
                                              "type",      "aliases", NULL};
static const char *const FIELD_RESERVED[] = {"default", "doc",     "name", "order",
                                             "type",    "aliases", NULL};

typedef struct writer {
    kr_buf_t *out;
    bool *written;     /* per named type: already written once, later occurrences are names */
    const char *space; /* the namespace a name without one would inherit here */
} writer_t;

static bool in_list(const char *const *list, const char *key)
{
    for (; *list; list++) {
        if (strcmp(*list, key) == 0)
            return true;
    }
    return false;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void put_str(kr_buf_t *out, const char *s)
{
    fmt_json_quote(out, s, strlen(s));
}

static void put_key(kr_buf_t *out, const char *key)
{
    kr_buf_putc(out, ',');
    put_str(out, key);
    kr_buf_putc(out, ':');
}

/* Sorted keys of obj, skipping the reserved ones (skip may be NULL). @return owned array
 * (xfree), *n set. */
static const char **sorted_keys(json_object *obj, const char *const *skip, size_t *n)
{
    *n = 0;
    if (!obj || !json_object_is_type(obj, json_type_object))
        return NULL;
    const char **keys = xcalloc((size_t)json_object_object_length(obj) + 1, sizeof(char *));
    json_object_object_foreach(obj, key, val)
    {
        (void)val;
        if (!skip || !in_list(skip, key))
            keys[(*n)++] = key;
    }
    qsort(keys, *n, sizeof(*keys), cmp_str);
    return keys;
}

static void write_object(kr_buf_t *out, json_object *v, bool sort_keys)
{
    kr_buf_putc(out, '{');
    bool first = true;
    if (sort_keys) {
        size_t n;
        const char **keys = sorted_keys(v, NULL, &n);
        for (size_t i = 0; i < n; i++) {
            if (!first)
                kr_buf_putc(out, ',');
            first = false;
            put_str(out, keys[i]);
            kr_buf_putc(out, ':');
            avs__write_value(out, json_object_object_get(v, keys[i]), true);
        }
        xfree(keys);
    } else {
        json_object_object_foreach(v, key, val)
        {
            if (!first)
                kr_buf_putc(out, ',');
            first = false;
            put_str(out, key);
            kr_buf_putc(out, ':');
            avs__write_value(out, val, false);
        }
    }
    kr_buf_putc(out, '}');
}

void avs__write_value(kr_buf_t *out, json_object *v, bool sort_keys)
{
    switch (json_object_get_type(v)) {
    case json_type_null:
        kr_buf_puts(out, "null");
        return;
    case json_type_boolean:
        kr_buf_puts(out, json_object_get_boolean(v) ? "true" : "false");
        return;
    case json_type_int:
    case json_type_double:
        /* json-c writes an int as its value and a parsed double as the text it was read from:
         * "1.50" stays "1.50", "1e2" stays "1e2". */
        kr_buf_puts(out, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
        return;
    case json_type_string:
        fmt_json_quote(out, json_object_get_string(v), (size_t)json_object_get_string_len(v));
        return;
    case json_type_array:
        kr_buf_putc(out, '[');
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            if (i)
                kr_buf_putc(out, ',');
            avs__write_value(out, json_object_array_get_idx(v, i), sort_keys);
        }
        kr_buf_putc(out, ']');
        return;
    case json_type_object:
        write_object(out, v, sort_keys);
        return;
    }
}

/* --- normalised form ---------------------------------------------------------------------- */

static void write_norm(writer_t *w, const avs_node_t *n);

static void write_props(writer_t *w, json_object *obj, const char *const *reserved,
                        const char *also_skip)
{
    size_t n;
    const char **keys = sorted_keys(obj, reserved, &n);
    for (size_t i = 0; i < n; i++) {
        if (also_skip && strcmp(keys[i], also_skip) == 0)
            continue;
        put_key(w->out, keys[i]);
        avs__write_value(w->out, json_object_object_get(obj, keys[i]), true);
    }
    xfree(keys);
}

static void write_doc(writer_t *w, const char *doc, size_t len)
{
    if (!doc)
        return;
    put_key(w->out, "doc");
    fmt_json_quote(w->out, doc, len);
}

static void write_field(writer_t *w, const avs_field_t *f)
{
    static const char *const ORDERS[] = {"ascending", "descending", "ignore"};
    kr_buf_puts(w->out, "{\"name\":");
    put_str(w->out, f->name);
    put_key(w->out, "type");
    write_norm(w, f->type);
    write_doc(w, f->doc, f->doc_len);
    if (f->has_def) {
        put_key(w->out, "default");
        avs__write_value(w->out, f->def, true);
    }
    if (f->order != AVS_ORDER_ASCENDING) {
        put_key(w->out, "order");
        put_str(w->out, ORDERS[f->order]);
    }
    if (f->aliases) {
        put_key(w->out, "aliases");
        avs__write_value(w->out, f->aliases, true);
    }
    write_props(w, f->obj, FIELD_RESERVED, NULL);
    kr_buf_putc(w->out, '}');
}

static void write_named_body(writer_t *w, const avs_node_t *n)
{
    if (n->type == AVS_RECORD) {
        const char *saved = w->space;
        w->space = n->space;
        put_key(w->out, "fields");
        kr_buf_putc(w->out, '[');
        for (size_t i = 0; i < n->n_fields; i++) {
            if (i)
                kr_buf_putc(w->out, ',');
            write_field(w, &n->fields[i]);
        }
        kr_buf_putc(w->out, ']');
        w->space = saved;
    } else if (n->type == AVS_ENUM) {
        put_key(w->out, "symbols");
        kr_buf_putc(w->out, '[');
        for (size_t i = 0; i < n->n_symbols; i++) {
            if (i)
                kr_buf_putc(w->out, ',');
            put_str(w->out, n->symbols[i]);
        }
        kr_buf_putc(w->out, ']');
        if (n->enum_default) {
            put_key(w->out, "default");
            put_str(w->out, n->enum_default);
        }
    } else {
        kr_buf_printf(w->out, ",\"size\":%d", (int)n->size);
    }
}

static void write_named(writer_t *w, const avs_node_t *n)
{
    if (w->written[n->id]) {
        put_str(w->out, n->fullname);
        return;
    }
    w->written[n->id] = true;
    kr_buf_puts(w->out, "{\"type\":");
    put_str(w->out, n->is_error ? "error" : avs__type_name(n->type));
    put_key(w->out, "name");
    put_str(w->out, n->fullname);
    /* A type in no namespace inside a namespaced record says so, or it would inherit the
     * record's namespace when the text is parsed again (Java writes the same). */
    if (!n->space && w->space)
        kr_buf_puts(w->out, ",\"namespace\":\"\"");
    write_doc(w, n->doc, n->doc_len);
    if (n->n_aliases) {
        put_key(w->out, "aliases");
        kr_buf_putc(w->out, '[');
        for (size_t i = 0; i < n->n_aliases; i++) {
            if (i)
                kr_buf_putc(w->out, ',');
            /* An alias in no namespace, of a namespaced type, is written ".x" (Java reads that
             * as "x"), or it would be taken as relative to the type's namespace. */
            if (n->space && !strchr(n->aliases[i], '.')) {
                kr_buf_puts(w->out, "\".");
                kr_buf_puts(w->out, n->aliases[i]);
                kr_buf_putc(w->out, '"');
            } else {
                put_str(w->out, n->aliases[i]);
            }
        }
        kr_buf_putc(w->out, ']');
    }
    write_named_body(w, n);
    /* An enum's "default" is its own attribute, not a property. */
    write_props(w, n->obj, SCHEMA_RESERVED, n->type == AVS_ENUM ? "default" : NULL);
    kr_buf_putc(w->out, '}');
}

static void write_norm(writer_t *w, const avs_node_t *n)
{
    switch (n->type) {
    case AVS_RECORD:
    case AVS_ENUM:
    case AVS_FIXED:
        write_named(w, n);
        return;
    case AVS_UNION:
        kr_buf_putc(w->out, '[');
        for (size_t i = 0; i < n->n_branches; i++) {
            if (i)
                kr_buf_putc(w->out, ',');
            write_norm(w, n->branches[i]);
        }
        kr_buf_putc(w->out, ']');
        return;
    case AVS_ARRAY:
    case AVS_MAP:
        kr_buf_puts(w->out, "{\"type\":");
        put_str(w->out, avs__type_name(n->type));
        put_key(w->out, n->type == AVS_ARRAY ? "items" : "values");
        write_norm(w, n->items);
        write_props(w, n->obj, SCHEMA_RESERVED, NULL);
        kr_buf_putc(w->out, '}');
        return;
    default: {
        size_t nprops;
        xfree(sorted_keys(n->obj, SCHEMA_RESERVED, &nprops));
        if (!nprops) {
            put_str(w->out, avs__type_name(n->type));
            return;
        }
        kr_buf_puts(w->out, "{\"type\":");
        put_str(w->out, avs__type_name(n->type));
        write_props(w, n->obj, SCHEMA_RESERVED, NULL);
        kr_buf_putc(w->out, '}');
        return;
    }
    }
}

/* --- Parsing Canonical Form --------------------------------------------------------------- */

static void write_canon(writer_t *w, const avs_node_t *n);

static void write_canon_named(writer_t *w, const avs_node_t *n)
{
    if (w->written[n->id]) {
        put_str(w->out, n->fullname);
        return;
    }
    w->written[n->id] = true;
    kr_buf_puts(w->out, "{\"name\":");
    put_str(w->out, n->fullname);
    put_key(w->out, "type");
    put_str(w->out, avs__type_name(n->type)); /* an error is a "record" here */
    if (n->type == AVS_FIXED) {
        kr_buf_printf(w->out, ",\"size\":%d}", (int)n->size);
        return;
    }
    put_key(w->out, n->type == AVS_ENUM ? "symbols" : "fields");
    kr_buf_putc(w->out, '[');
    size_t count = n->type == AVS_ENUM ? n->n_symbols : n->n_fields;
    for (size_t i = 0; i < count; i++) {
        if (i)
            kr_buf_putc(w->out, ',');
        if (n->type == AVS_ENUM) {
            put_str(w->out, n->symbols[i]);
            continue;
        }
        kr_buf_puts(w->out, "{\"name\":");
        put_str(w->out, n->fields[i].name);
        put_key(w->out, "type");
        write_canon(w, n->fields[i].type);
        kr_buf_putc(w->out, '}');
    }
    kr_buf_puts(w->out, "]}");
}

static void write_canon(writer_t *w, const avs_node_t *n)
{
    switch (n->type) {
    case AVS_RECORD:
    case AVS_ENUM:
    case AVS_FIXED:
        write_canon_named(w, n);
        return;
    case AVS_UNION:
        kr_buf_putc(w->out, '[');
        for (size_t i = 0; i < n->n_branches; i++) {
            if (i)
                kr_buf_putc(w->out, ',');
            write_canon(w, n->branches[i]);
        }
        kr_buf_putc(w->out, ']');
        return;
    case AVS_ARRAY:
    case AVS_MAP:
        kr_buf_puts(w->out, n->type == AVS_ARRAY ? "{\"type\":\"array\",\"items\":"
                                                 : "{\"type\":\"map\",\"values\":");
        write_canon(w, n->items);
        kr_buf_putc(w->out, '}');
        return;
    default:
        put_str(w->out, avs__type_name(n->type));
        return;
    }
}

/* --- fingerprint -------------------------------------------------------------------------- */

/* CRC-64-AVRO (the specification's Rabin fingerprint), table-driven. */
static uint64_t crc64_avro(const char *s, size_t n)
{
    const uint64_t empty = 0xc15d213aa4d7a795ULL;
    uint64_t table[256];
    for (int i = 0; i < 256; i++) {
        uint64_t fp = (uint64_t)i;
        for (int j = 0; j < 8; j++)
            fp = (fp >> 1) ^ (empty & (0 - (fp & 1)));
        table[i] = fp;
    }
    uint64_t fp = empty;
    for (size_t i = 0; i < n; i++)
        fp = (fp >> 8) ^ table[(fp ^ (unsigned char)s[i]) & 0xff];
    return fp;
}

/* --- all forms ---------------------------------------------------------------------------- */

static char *render(avs_schema_t *s, void (*fn)(writer_t *, const avs_node_t *), int *rc)
{
    kr_buf_t out;
    kr_buf_init(&out, 0);
    writer_t w = {.out = &out, .written = xcalloc(s->n_named + 1, sizeof(bool))};
    fn(&w, s->root);
    xfree(w.written);
    size_t len;
    char *text = kr_buf_steal(&out, &len);
    if (!text || strlen(text) != len)
        *rc = -1;
    return text;
}

int avs__write_forms(avs_schema_t *s, kr_err_t *err)
{
    int rc = 0;
    s->normalized = render(s, write_norm, &rc);
    s->canonical = render(s, write_canon, &rc);
    kr_buf_t out;
    kr_buf_init(&out, 0);
    avs__write_value(&out, s->doc, false);
    size_t len;
    s->compact = kr_buf_steal(&out, &len);
    if (rc != 0 || !s->compact)
        return kr_err_set(err, KR_ERR_INTERNAL, "Invalid schema: could not write its JSON");
    s->fingerprint = crc64_avro(s->canonical, strlen(s->canonical));
    return 0;
}
