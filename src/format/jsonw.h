/* format/jsonw.h -- a small streaming JSON writer into a kr_buf_t: objects, arrays, keys,
 * strings with correct escaping, int64, bool, null, and pre-encoded JSON. Commas are placed
 * for the caller. Measured 60-100x cheaper than building a json-c tree for fixed shapes
 * (DESIGN.md §8). Output is compact (no spaces), "/" is not escaped.
 * May use: util/. Pure. Threads: one writer per thread. */
#ifndef KR_FORMAT_JSONW_H
#define KR_FORMAT_JSONW_H

#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FMT_JSONW_MAX_DEPTH 64

typedef struct fmt_jsonw {
    kr_buf_t *out;                   /* borrowed */
    int depth;                       /* open containers */
    bool first[FMT_JSONW_MAX_DEPTH]; /* no element written yet at this depth */
    bool after_key;                  /* a key was written; the value needs no comma */
    bool failed;                     /* the buffer limit was hit or nesting too deep */
} fmt_jsonw_t;

/** Starts writing into out (borrowed; appended to). */
void fmt_jsonw_init(fmt_jsonw_t *w, kr_buf_t *out);
void fmt_jsonw_obj_begin(fmt_jsonw_t *w);
void fmt_jsonw_obj_end(fmt_jsonw_t *w);
void fmt_jsonw_arr_begin(fmt_jsonw_t *w);
void fmt_jsonw_arr_end(fmt_jsonw_t *w);
/** Writes an object key (NUL-terminated). */
void fmt_jsonw_key(fmt_jsonw_t *w, const char *key);
/** Writes a string value of n bytes (UTF-8 passes through; control characters, '"' and '\\'
 * are escaped; a byte that is not part of well-formed UTF-8 is written as \ufffd). */
void fmt_jsonw_strn(fmt_jsonw_t *w, const char *s, size_t n);
/** Writes a NUL-terminated string value; NULL writes null. */
void fmt_jsonw_str(fmt_jsonw_t *w, const char *s);
void fmt_jsonw_int(fmt_jsonw_t *w, int64_t v);
void fmt_jsonw_bool(fmt_jsonw_t *w, bool v);
void fmt_jsonw_null(fmt_jsonw_t *w);
/** Writes n bytes as a base64 string value, encoded straight into the output (base64 needs no
 * escaping). */
void fmt_jsonw_base64(fmt_jsonw_t *w, const void *p, size_t n);
/** Writes n bytes that are already valid JSON, as one value. */
void fmt_jsonw_raw(fmt_jsonw_t *w, const char *json, size_t n);
/** @return 0 when everything was written, -1 when the buffer limit or depth was exceeded. */
int fmt_jsonw_finish(const fmt_jsonw_t *w);
/** Room fmt_json_i64() needs: "-9223372036854775808". */
#define FMT_JSON_I64_MAX 20
/** Writes v in decimal into out (room for FMT_JSON_I64_MAX chars; no NUL). @return its length. */
size_t fmt_json_i64(char *out, int64_t v);
/** Appends s (n bytes) to out as a quoted, escaped JSON string (as fmt_jsonw_strn: invalid
 * UTF-8 bytes become \ufffd). @return kr_buf_append's. */
int fmt_json_quote(kr_buf_t *out, const char *s, size_t n);
/** @return the length (1..4) of the well-formed UTF-8 sequence s starts with (n bytes
 * available; no overlongs, surrogates or code points past U+10FFFF), 0 if none (or n is 0). */
size_t fmt_utf8_len(const char *s, size_t n);

#endif
