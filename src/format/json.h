/* format/json.h -- parsing request bodies with json-c, strictly (JSON_TOKENER_STRICT, UTF-8
 * validated, bounded depth), with an error message that says where the text went wrong.
 * May use: util/, json-c. Pure. Threads: any. */
#ifndef KR_FORMAT_JSON_H
#define KR_FORMAT_JSON_H

#include "util/err.h"

#include <json-c/json.h>
#include <stddef.h>

/* Deepest nesting json-c is allowed (fmt_json_check() bounds it first, to 512). */
#define FMT_JSON_MAX_DEPTH 520

/** Parses exactly one JSON text of len bytes (trailing whitespace allowed).
 * @return owned object (json_object_put; NULL for the JSON text `null` with *is_null set), or
 *         NULL with err set to 400 "Unexpected ... at line L, column C" when it is not JSON. */
json_object *fmt_json_parse(const char *text, size_t len, int *is_null, kr_err_t *err);

#endif
