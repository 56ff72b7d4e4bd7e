/* format/json_valid.h -- a boolean-only strict JSON validator for the consume path: whether a
 * text is exactly one JSON value, accepting exactly what fmt_json_check() (format/json_scan.h)
 * accepts, several times faster, with no error message and no position.
 * May use: format/simd.h. Pure, no allocation. Threads: any. */
#ifndef KR_FORMAT_JSON_VALID_H
#define KR_FORMAT_JSON_VALID_H

#include <stdbool.h>
#include <stddef.h>

/** Checks that text (borrowed; len bytes, no NUL needed) is exactly one JSON value (RFC 8259:
 * strict grammar, UTF-8, escapes with paired surrogates, no raw control characters in strings,
 * nesting <= FMT_JSON_CHECK_MAX_DEPTH), whitespace allowed around it: the same texts as
 * fmt_json_check(). @return true when it is. */
bool fmt_json_valid(const char *text, size_t len);

#endif
