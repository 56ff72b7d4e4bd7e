/* format/json_scan.h -- a strict JSON scanner (RFC 8259: grammar, UTF-8, escapes, bounded
 * nesting) that walks text in place, with no tree: the produce decoder (format/produce.c) builds
 * on it, and fmt_json_check() checks any text with it before json-c reads it. Errors carry
 * line and column (syntax) or the caller's path (type and value errors); the first one wins.
 * May use: util/. Pure. Threads: any (a scanner is its caller's). */
#ifndef KR_FORMAT_JSON_SCAN_H
#define KR_FORMAT_JSON_SCAN_H

#include "util/buf.h"
#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Deepest nesting fmt_json_check() accepts (records read from Kafka may nest deeper than the
 * 64 levels produce bodies allow; the bound keeps the recursion's stack small). */
#define FMT_JSON_CHECK_MAX_DEPTH 512

/* A scanner over one text. Callers read and move p (the next byte) between calls. */
typedef struct fmt_jscan {
    const char *start, *p, *end;
    kr_err_t *err; /* borrowed: where the first error goes */
    kr_buf_t tmp;  /* unescaped strings that need a second step (fmt_jscan_unescape) */
    int max_depth; /* deepest nesting of a value */
    int type_code; /* code of a wrong-type error: 400, or 422 where v1 wants it */
    char path[96]; /* what is being read, for messages ("records[2].value"); the caller's */
} fmt_jscan_t;

/** Starts a scanner over text (borrowed, must outlive it); clears err. Free with
 * fmt_jscan_deinit. */
void fmt_jscan_init(fmt_jscan_t *js, const char *text, size_t len, int max_depth, int type_code,
                    kr_err_t *err);

/** Frees the scanner's buffer (not the struct). */
void fmt_jscan_deinit(fmt_jscan_t *js);

/** Checks that text is exactly one JSON value (RFC 8259: strict grammar, UTF-8, escapes,
 * nesting <= FMT_JSON_CHECK_MAX_DEPTH), with the scanner of the produce decoder. json-c 0.16 is
 * laxer even in strict mode (NaN, 01, raw control characters, bad UTF-8), so format/json.c
 * checks with this first. @return 0, or -1 with err set (400 "Invalid JSON: ..." with line and
 * column). */
int fmt_json_check(const char *text, size_t len, kr_err_t *err);

/* --- errors: each sets js->err unless it is set already, and returns -1 ------------------ */

/** An error with this code and message. */
int fmt_jscan_fail(fmt_jscan_t *js, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** 400 "Invalid JSON: <what> at line L, column C" (at p; "unexpected end of data" past end). */
int fmt_jscan_syntax(fmt_jscan_t *js, const char *what);

/** A wrong JSON type: js->type_code, "<path>: <what>". */
int fmt_jscan_type_error(fmt_jscan_t *js, const char *what);

/** A value of the right type that is not allowed: 422 "<path>: <what>". */
int fmt_jscan_value_error(fmt_jscan_t *js, const char *what);

/* --- tokens ------------------------------------------------------------------------------ */

/** Skips JSON whitespace. */
static inline void fmt_jscan_skip_ws(fmt_jscan_t *js)
{
    while (js->p < js->end && (*js->p == ' ' || *js->p == '\n' || *js->p == '\r' || *js->p == '\t'))
        js->p++;
}

/** @return whether the next byte after whitespace is c (not consumed). */
static inline bool fmt_jscan_peek_is(fmt_jscan_t *js, char c)
{
    fmt_jscan_skip_ws(js);
    return js->p < js->end && *js->p == c;
}

/** Consumes c after optional whitespace. @return 0, or a syntax error saying what. */
int fmt_jscan_expect(fmt_jscan_t *js, char c, const char *what);

/** Consumes a null literal after optional whitespace. @return whether there was one. */
bool fmt_jscan_null(fmt_jscan_t *js);

/** Scans a string (p at its opening quote). Raw span in *s and *n (without quotes, borrowed
 * from the text), escapes noted in *escaped; when out is given, the unescaped text is appended
 * to it. @return 0 or -1 (syntax error). */
int fmt_jscan_string(fmt_jscan_t *js, const char **s, size_t *n, bool *escaped, kr_buf_t *out);

/** Scans a number (p at its first byte); *is_int when it has neither fraction nor exponent.
 * @return 0 or -1 (syntax error). */
int fmt_jscan_number(fmt_jscan_t *js, const char **s, size_t *n, bool *is_int);

/** The text of a scanned string: the raw span when it had no escapes, else its unescaped copy
 * in js->tmp (valid until the next use of tmp). @return 0 or -1. */
int fmt_jscan_unescape(fmt_jscan_t *js, const char *s, size_t n, const char **u, size_t *un);

/** A string value's text, unescaped (p after optional whitespace): as fmt_jscan_unescape. A
 * value that is not a string is consumed and is a type error saying what. @return 0 or -1. */
int fmt_jscan_text(fmt_jscan_t *js, const char *what, const char **s, size_t *n);

/** A string value, or null (*present false): its unescaped text appended to out (a full out:
 * 413 "the request is too large"); any other value a type error "expected a string".
 * @return 0 or -1. */
int fmt_jscan_text_append(fmt_jscan_t *js, kr_buf_t *out, bool *present);

/* --- values ------------------------------------------------------------------------------ */

/** Checks one JSON value at p (after optional whitespace) at nesting depth and, when out is
 * given, writes it compactly (no whitespace, strings unescaped and re-escaped only where JSON
 * requires, integers outside int64/uint64 a 422). @return 0 or -1. */
int fmt_jscan_value(fmt_jscan_t *js, kr_buf_t *out, int depth);

/** An integer (int64) or null: *present false for null. Any other value is a type error, a
 * number out of range a value error. @return 0 or -1. */
int fmt_jscan_int(fmt_jscan_t *js, int64_t *v, bool *present);

/** Called with p at each member's value; must consume it. @return 0 or -1 (stops the walk). */
typedef int (*fmt_jscan_member_fn)(fmt_jscan_t *js, const char *name, void *ctx);

/** Called with p at each element; must consume it. @return 0 or -1 (stops the walk). */
typedef int (*fmt_jscan_element_fn)(fmt_jscan_t *js, size_t index, void *ctx);

/** Walks an object, calling member() with each member's name (unescaped, NUL-terminated; a
 * name of 64 bytes or more, or holding a NUL, comes cut to at most 62 bytes with a '?'
 * appended, so that it matches no known field). A value that is not an object is a type error
 * saying what.
 * @return 0 or -1. */
int fmt_jscan_object(fmt_jscan_t *js, fmt_jscan_member_fn member, void *ctx, const char *what);

/** Walks an array, calling element() for each element. A value that is not an array is a type
 * error saying what. @return 0 or -1. */
int fmt_jscan_array(fmt_jscan_t *js, fmt_jscan_element_fn element, void *ctx, const char *what);

#endif
