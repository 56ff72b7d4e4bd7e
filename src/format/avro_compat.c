/* format/avro_compat.c -- schema compatibility as Java Avro's
 * SchemaCompatibility.checkReaderWriterCompatibility decides it (Avro 1.12, what Confluent's
 * registry runs), and Confluent's levels on top of it. The walk, its order, its memo of
 * (reader, writer) pairs and the reader-union short cut follow Java's, so recursive schemas
 * get the same verdicts; the first incompatibility becomes the reason, in Confluent's words.
 * May use: util/. Pure. Threads: any. */
#include "format/avro_schema_int.h"

#include "util/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Java recurses without a bound and a stack overflow becomes Confluent's "unexpected
 * exception" (incompatible). krest stops at this depth with the same verdict. */
#define COMPAT_MAX_DEPTH 1000
/* Type pairs one check may visit: a union of K records against another of K is K^2 pairs,
 * each with a memo entry (K = 20000 fits in a 1 MB schema). Real schemas need thousands. */
#define COMPAT_MAX_STEPS 500000
#define PATH_MAX_LEN     512

typedef enum memo_state { MEMO_IN_PROGRESS = 1, MEMO_COMPATIBLE, MEMO_INCOMPATIBLE } memo_state_t;

typedef struct memo_entry {
    const avs_node_t *reader, *writer; /* NULL reader: empty slot */
    memo_state_t state;
} memo_entry_t;

typedef struct checker {
    memo_entry_t *memo; /* open addressing, a power of two in size */
    size_t memo_cap, memo_used;
    char path[PATH_MAX_LEN]; /* the JSON pointer of the current location */
    size_t path_len;
    int quiet; /* > 0: inside a trial whose failures Java does not report */
    int depth;
    size_t steps;   /* check_at calls so far (COMPAT_MAX_STEPS) */
    bool exhausted; /* the steps ran out: everything after is incompatible */
    char *reason;   /* NULL or the caller's buffer */
    size_t reason_size;
    bool has_reason;
    const char *reader_role, *writer_role; /* "reader"/"writer", or "new"/"old" */
} checker_t;

/* --- memo --------------------------------------------------------------------------------- */

static size_t pair_hash(const avs_node_t *r, const avs_node_t *w)
{
    uint64_t h = (uint64_t)(uintptr_t)r * 0x9e3779b97f4a7c15ULL;
    h ^= (uint64_t)(uintptr_t)w + 0x7f4a7c159e3779b9ULL + (h << 6) + (h >> 2);
    return (size_t)(h ^ (h >> 29));
}

static memo_entry_t *memo_slot(checker_t *c, const avs_node_t *r, const avs_node_t *w)
{
    size_t i = pair_hash(r, w) & (c->memo_cap - 1);
    while (c->memo[i].reader && !(c->memo[i].reader == r && c->memo[i].writer == w))
        i = (i + 1) & (c->memo_cap - 1);
    return &c->memo[i];
}

static void memo_grow(checker_t *c)
{
    memo_entry_t *old = c->memo;
    size_t old_cap = c->memo_cap;
    c->memo_cap = old_cap ? old_cap * 2 : 64;
    c->memo = xcalloc(c->memo_cap, sizeof(*c->memo));
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].reader)
            *memo_slot(c, old[i].reader, old[i].writer) = old[i];
    }
    xfree(old);
}

static memo_entry_t *memo_get(checker_t *c, const avs_node_t *r, const avs_node_t *w)
{
    if ((c->memo_used + 1) * 2 > c->memo_cap)
        memo_grow(c);
    memo_entry_t *e = memo_slot(c, r, w);
    if (!e->reader) {
        e->reader = r;
        e->writer = w;
        c->memo_used++;
    }
    return e;
}

/* --- location and reasons ----------------------------------------------------------------- */

static size_t path_push(checker_t *c, const char *token)
{
    size_t saved = c->path_len;
    int n = snprintf(c->path + c->path_len, sizeof(c->path) - c->path_len, "/%s", token);
    if (n > 0)
        c->path_len += (size_t)n;
    if (c->path_len >= sizeof(c->path))
        c->path_len = sizeof(c->path) - 1;
    return saved;
}

static size_t path_push_index(checker_t *c, size_t i)
{
    char token[24];
    snprintf(token, sizeof(token), "%zu", i);
    return path_push(c, token);
}

static void path_pop(checker_t *c, size_t saved)
{
    c->path_len = saved;
    c->path[saved] = '\0';
}

/* Records the first reported incompatibility as Confluent writes it:
 * {errorType:'...', description:'...', additionalInfo:'...'}. */
static void report(checker_t *c, const char *type, const char *info, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void report(checker_t *c, const char *type, const char *info, const char *fmt, ...)
{
    if (c->quiet || c->has_reason || !c->reason || !c->reason_size)
        return;
    c->has_reason = true;
    char desc[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(desc, sizeof(desc), fmt, ap);
    va_end(ap);
    snprintf(c->reason, c->reason_size, "{errorType:'%s', description:'%s', additionalInfo:'%s'}",
             type, desc, info);
}

static const char *where(const checker_t *c)
{
    return c->path_len ? c->path : "/";
}

/* Java prints Schema.Type constants: INT, RECORD, ... */
static const char *upper_type(avs_type_t t, char *buf, size_t size)
{
    snprintf(buf, size, "%s", avs__type_name(t));
    for (char *p = buf; *p; p++)
        *p = (char)(*p - ('a' <= *p && *p <= 'z' ? 'a' - 'A' : 0));
    return buf;
}

static bool type_mismatch(checker_t *c, const avs_node_t *r, const avs_node_t *w)
{
    char info[128], rt[16], wt[16];
    snprintf(info, sizeof(info), "reader type: %s not compatible with writer type: %s",
             upper_type(r->type, rt, sizeof(rt)), upper_type(w->type, wt, sizeof(wt)));
    report(c, "TYPE_MISMATCH", info,
           "The type (path '%s') of a field in the %s schema does not match with the %s schema",
           where(c), c->reader_role, c->writer_role);
    return false;
}

/* --- the walk ----------------------------------------------------------------------------- */

static bool check(checker_t *c, const avs_node_t *r, const avs_node_t *w);

/* Java's getCompatibility(token, reader, writer, location): memoised, recursion in progress
 * counts as compatible. */
static bool check_at(checker_t *c, const char *token, const avs_node_t *r, const avs_node_t *w)
{
    if (c->exhausted || ++c->steps > COMPAT_MAX_STEPS) {
        c->exhausted = true;
        return false;
    }
    size_t saved = token ? path_push(c, token) : c->path_len;
    bool ok;
    memo_entry_t *e = memo_get(c, r, w);
    if (e->state == MEMO_IN_PROGRESS) {
        ok = true;
    } else if (e->state) {
        ok = e->state == MEMO_COMPATIBLE;
        if (!ok)
            report(c, "TYPE_MISMATCH", "seen before",
                   "The %s schema cannot read the %s schema at path '%s'", c->reader_role,
                   c->writer_role, where(c));
    } else if (c->depth >= COMPAT_MAX_DEPTH) {
        ok = false;
        report(c, "TYPE_MISMATCH", "schemas nested too deeply",
               "The schemas nest deeper than %d levels at path '%s'", COMPAT_MAX_DEPTH, where(c));
    } else {
        e->state = MEMO_IN_PROGRESS;
        c->depth++;
        ok = check(c, r, w);
        c->depth--;
        /* The table may have grown during the walk: find the entry again. */
        memo_get(c, r, w)->state = ok ? MEMO_COMPATIBLE : MEMO_INCOMPATIBLE;
    }
    path_pop(c, saved);
    return ok;
}

/* Java's two-argument getCompatibility: a fresh location, and (here) failures unreported. */
static bool check_quiet(checker_t *c, const avs_node_t *r, const avs_node_t *w)
{
    char saved_path[PATH_MAX_LEN];
    size_t saved_len = c->path_len;
    memcpy(saved_path, c->path, saved_len + 1);
    c->path_len = 0;
    c->path[0] = '\0';
    c->quiet++;
    bool ok = check_at(c, NULL, r, w);
    c->quiet--;
    memcpy(c->path, saved_path, saved_len + 1);
    c->path_len = saved_len;
    return ok;
}

/* Java's schemaNameEquals: equal short names, or the writer's full name among the reader's
 * aliases. */
static bool names_match(const avs_node_t *r, const avs_node_t *w)
{
    const char *rs = strrchr(r->fullname, '.'), *ws = strrchr(w->fullname, '.');
    if (strcmp(rs ? rs + 1 : r->fullname, ws ? ws + 1 : w->fullname) == 0)
        return true;
    for (size_t i = 0; i < r->n_aliases; i++) {
        if (strcmp(r->aliases[i], w->fullname) == 0)
            return true;
    }
    return false;
}

static bool check_name(checker_t *c, const avs_node_t *r, const avs_node_t *w)
{
    if (names_match(r, w))
        return true;
    size_t saved = path_push(c, "name");
    char info[300];
    snprintf(info, sizeof(info), "expected: %s", w->fullname);
    report(c, "NAME_MISMATCH", info, "The name of the schema has changed (path '%s')", where(c));
    path_pop(c, saved);
    return false;
}

static bool check_fixed(checker_t *c, const avs_node_t *r, const avs_node_t *w)
{
    bool ok = check_name(c, r, w);
    if (r->size == w->size)
        return ok;
    size_t saved = path_push(c, "size");
    char info[64];
    snprintf(info, sizeof(info), "expected: %d, found: %d", (int)w->size, (int)r->size);
    report(c, "FIXED_SIZE_MISMATCH", info,
           "The size of FIXED type field at path '%s' in the %s schema does not match with the "
           "%s schema",
           where(c), c->reader_role, c->writer_role);
    path_pop(c, saved);
    return false;
}

static bool has_symbol(const avs_node_t *e, const char *sym)
{
    for (size_t i = 0; i < e->n_symbols; i++) {
        if (strcmp(e->symbols[i], sym) == 0)
            return true;
    }
    return false;
}

static int cmp_sym(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Writer symbols the reader lacks, sorted as Java's TreeSet prints them: "[A, B]". */
static void missing_symbols(const avs_node_t *r, const avs_node_t *w, char *out, size_t size)
{
    const char **miss = xcalloc(w->n_symbols + 1, sizeof(char *));
    size_t n = 0;
    for (size_t i = 0; i < w->n_symbols; i++) {
        if (!has_symbol(r, w->symbols[i]))
            miss[n++] = w->symbols[i];
    }
    qsort(miss, n, sizeof(*miss), cmp_sym);
    size_t len = (size_t)snprintf(out, size, "[");
    for (size_t i = 0; i < n && len < size; i++)
        len += (size_t)snprintf(out + len, size - len, "%s%s", i ? ", " : "", miss[i]);
    if (len < size)
        snprintf(out + len, size - len, "]");
    xfree(miss);
}

static bool check_enum(checker_t *c, const avs_node_t *r, const avs_node_t *w)
{
    bool ok = check_name(c, r, w);
    bool missing = false;
    for (size_t i = 0; i < w->n_symbols && !missing; i++)
        missing = !has_symbol(r, w->symbols[i]);
    if (!missing || r->enum_default) /* a reader default stands in for unknown symbols */
        return ok;
    size_t saved = path_push(c, "symbols");
    char info[256];
    missing_symbols(r, w, info, sizeof(info));
    report(c, "MISSING_ENUM_SYMBOLS", info,
           "The %s schema is missing enum symbols '%s' at path '%s' in the %s schema",
           c->reader_role, info, where(c), c->writer_role);
    path_pop(c, saved);
    return false;
}

/* Java's lookupWriterField: by name, then by the reader field's aliases. *several is set
 * when more than one writer field matches (Java throws; Confluent calls that incompatible). */
static const avs_field_t *writer_field(const avs_node_t *w, const avs_field_t *rf, bool *several)
{
    const avs_field_t *found = NULL;
    int matches = 0;
    for (size_t i = 0; i < w->n_fields; i++) {
        bool hit = strcmp(w->fields[i].name, rf->name) == 0;
        size_t na = rf->aliases ? json_object_array_length(rf->aliases) : 0;
        for (size_t k = 0; k < na && !hit; k++)
            hit = strcmp(json_object_get_string(json_object_array_get_idx(rf->aliases, k)),
                         w->fields[i].name) == 0;
        if (hit) {
            found = found ? found : &w->fields[i];
            matches++;
        }
    }
    *several = matches > 1;
    return found;
}

static bool check_field(checker_t *c, const avs_field_t *rf, const avs_node_t *w)
{
    bool several;
    const avs_field_t *wf = writer_field(w, rf, &several);
    if (several) {
        report(c, "TYPE_MISMATCH", rf->name,
               "The field '%s' at path '%s' in the %s schema matches several fields of the %s "
               "schema",
               rf->name, where(c), c->reader_role, c->writer_role);
        return false;
    }
    if (wf)
        return check_at(c, "type", rf->type, wf->type);
    if (rf->has_def)
        return true;
    /* Java checks an enum field with an enum default against the writer record itself. */
    if (rf->type->type == AVS_ENUM && rf->type->enum_default)
        return check_at(c, "type", rf->type, w);
    report(c, "READER_FIELD_MISSING_DEFAULT_VALUE", rf->name,
           "The field '%s' at path '%s' in the %s schema has no default value and is missing in "
           "the %s schema",
           rf->name, where(c), c->reader_role, c->writer_role);
    return false;
}

static bool check_record(checker_t *c, const avs_node_t *r, const avs_node_t *w)
{
    bool ok = check_name(c, r, w);
    size_t saved = path_push(c, "fields");
    for (size_t i = 0; i < r->n_fields; i++) {
        size_t saved_i = path_push_index(c, i);
        ok = check_field(c, &r->fields[i], w) && ok; /* every field is checked, as in Java */
        path_pop(c, saved_i);
    }
    path_pop(c, saved);
    return ok;
}

static bool union_branch_missing(checker_t *c, const avs_node_t *branch)
{
    char info[64], bt[16];
    snprintf(info, sizeof(info), "reader union lacking writer type: %s",
             upper_type(branch->type, bt, sizeof(bt)));
    report(c, "MISSING_UNION_BRANCH", info,
           "The %s schema is missing a type inside a union field at path '%s' in the %s schema",
           c->reader_role, where(c), c->writer_role);
    return false;
}

/* Both unions: every writer branch must be readable by the reader union. */
static bool check_unions(checker_t *c, const avs_node_t *r, const avs_node_t *w)
{
    bool ok = true;
    for (size_t i = 0; i < w->n_branches; i++) {
        if (check_quiet(c, r, w->branches[i]))
            continue;
        size_t saved = path_push_index(c, i);
        ok = union_branch_missing(c, w->branches[i]);
        path_pop(c, saved);
    }
    return ok;
}

/* Reader union, writer not: the first reader branch that reads the writer wins. */
static bool check_reader_union(checker_t *c, const avs_node_t *r, const avs_node_t *w)
{
    for (size_t i = 0; i < r->n_branches; i++) {
        if (check_quiet(c, r->branches[i], w))
            return true;
    }
    return union_branch_missing(c, w);
}

static bool promotable(avs_type_t r, avs_type_t w)
{
    switch (r) {
    case AVS_LONG:
        return w == AVS_INT;
    case AVS_FLOAT:
        return w == AVS_INT || w == AVS_LONG;
    case AVS_DOUBLE:
        return w == AVS_INT || w == AVS_LONG || w == AVS_FLOAT;
    case AVS_BYTES:
        return w == AVS_STRING;
    case AVS_STRING:
        return w == AVS_BYTES;
    default:
        return false;
    }
}

static bool check_same_type(checker_t *c, const avs_node_t *r, const avs_node_t *w)
{
    switch (r->type) {
    case AVS_ARRAY:
        return check_at(c, "items", r->items, w->items);
    case AVS_MAP:
        return check_at(c, "values", r->items, w->items);
    case AVS_FIXED:
        return check_fixed(c, r, w);
    case AVS_ENUM:
        return check_enum(c, r, w);
    case AVS_RECORD:
        return check_record(c, r, w);
    case AVS_UNION:
        return check_unions(c, r, w);
    default:
        return true;
    }
}

/* Java's calculateCompatibility. */
static bool check(checker_t *c, const avs_node_t *r, const avs_node_t *w)
{
    if (r->type == w->type)
        return check_same_type(c, r, w);
    if (w->type == AVS_UNION) { /* every writer branch must be readable */
        bool ok = true;
        for (size_t i = 0; i < w->n_branches; i++) {
            char token[24];
            snprintf(token, sizeof(token), "%zu", i);
            ok = check_at(c, token, r, w->branches[i]) && ok;
        }
        return ok;
    }
    if (r->type == AVS_UNION)
        return check_reader_union(c, r, w);
    return promotable(r->type, w->type) || type_mismatch(c, r, w);
}

static bool can_read_roles(const avs_schema_t *reader, const avs_schema_t *writer, char *reason,
                           size_t reason_size, const char *reader_role, const char *writer_role)
{
    checker_t c = {.reason = reason,
                   .reason_size = reason_size,
                   .reader_role = reader_role,
                   .writer_role = writer_role};
    if (reason && reason_size)
        reason[0] = '\0';
    bool ok = check_at(&c, NULL, reader->root, writer->root);
    if (c.exhausted) { /* whatever was reported on the way is not the reason */
        c.has_reason = false;
        c.quiet = 0;
        c.path_len = 0;
        c.path[0] = '\0';
        report(&c, "TYPE_MISMATCH", "too complex",
               "The schemas are too large to compare (more than %d type pairs)", COMPAT_MAX_STEPS);
    }
    xfree(c.memo);
    return ok;
}

bool avs_can_read(const avs_schema_t *reader, const avs_schema_t *writer, char *reason,
                  size_t reason_size)
{
    return can_read_roles(reader, writer, reason, reason_size, "reader", "writer");
}

/* --- levels ------------------------------------------------------------------------------- */

static const char *const LEVEL_NAMES[] = {
    [AVS_COMPAT_NONE] = "NONE",
    [AVS_COMPAT_BACKWARD] = "BACKWARD",
    [AVS_COMPAT_BACKWARD_TRANSITIVE] = "BACKWARD_TRANSITIVE",
    [AVS_COMPAT_FORWARD] = "FORWARD",
    [AVS_COMPAT_FORWARD_TRANSITIVE] = "FORWARD_TRANSITIVE",
    [AVS_COMPAT_FULL] = "FULL",
    [AVS_COMPAT_FULL_TRANSITIVE] = "FULL_TRANSITIVE",
};

const char *avs_compat_name(avs_compat_level_t level)
{
    if ((unsigned)level >= sizeof(LEVEL_NAMES) / sizeof(LEVEL_NAMES[0]))
        return NULL;
    return LEVEL_NAMES[level];
}

int avs_compat_parse(const char *name, avs_compat_level_t *out)
{
    for (size_t i = 0; name && i < sizeof(LEVEL_NAMES) / sizeof(LEVEL_NAMES[0]); i++) {
        if (strcasecmp(name, LEVEL_NAMES[i]) == 0) {
            *out = (avs_compat_level_t)i;
            return 0;
        }
    }
    return -1;
}

bool avs_check_compat(avs_compat_level_t level, const avs_schema_t *candidate,
                      const avs_schema_t *const *existing, size_t n_existing, char *reason,
                      size_t reason_size)
{
    if (reason && reason_size)
        reason[0] = '\0';
    if (level == AVS_COMPAT_NONE || n_existing == 0)
        return true;
    bool transitive = level == AVS_COMPAT_BACKWARD_TRANSITIVE ||
                      level == AVS_COMPAT_FORWARD_TRANSITIVE || level == AVS_COMPAT_FULL_TRANSITIVE;
    bool backward = level != AVS_COMPAT_FORWARD && level != AVS_COMPAT_FORWARD_TRANSITIVE;
    bool forward = level != AVS_COMPAT_BACKWARD && level != AVS_COMPAT_BACKWARD_TRANSITIVE;
    /* Confluent checks the newest version first. */
    size_t stop = transitive ? 0 : n_existing - 1;
    for (size_t i = n_existing; i-- > stop;) {
        if (backward && !can_read_roles(candidate, existing[i], reason, reason_size, "new", "old"))
            return false;
        if (forward && !can_read_roles(existing[i], candidate, reason, reason_size, "old", "new"))
            return false;
    }
    return true;
}
