/* format/avro_codec.h -- Avro datums between Avro's JSON encoding (what REST clients send and
 * receive) and Avro binary (what goes to Kafka), for a schema of format/avro_schema.h. The
 * JSON side is Java Avro's JsonDecoder/JsonEncoder, which Confluent's REST Proxy uses, with
 * the differences written below. No Confluent framing here: the caller adds/strips it.
 * Pure: bytes in, bytes out. May use: util/, json-c (for schema defaults).
 * Threads: any; a schema may be shared read-only by many encoders at once.
 *
 * JSON -> binary (avs_encode_json), as Java's JsonDecoder except where noted:
 * - int and long take JSON integers only (Java/Jackson would truncate 1.5 to 1; krest
 *   refuses fractions and exponents), range-checked;
 * - float and double take any JSON number, and the strings "NaN", "Infinity", "-Infinity";
 *   a float is the double rounded to float, as Jackson's getFloatValue does;
 * - bytes and fixed: a string whose code points are 0-255, one byte each;
 * - a record is an object whose fields may come in any order; a missing field takes the
 *   schema's default (Java's JsonDecoder has no defaults and fails); a field that the record
 *   does not have is an error, as in Java ("Unknown fields"); a field given twice is an error;
 * - a union is null (for its null branch) or {"<branch>": value}, where <branch> is the
 *   primitive or "array"/"map", or the named type's full name (Java's labels; the short
 *   name is refused, as Java refuses it);
 * - logical types are their underlying types, unconverted.
 * Binary -> JSON (avs_decode_to_json) writes what Java's JsonEncoder writes (compact):
 * unions as {"<branch>": value}, null bare; bytes/fixed as strings of code points 0-255 with
 * Jackson's escapes (\b \t \n \f \r, other controls as \u00XX, '"' and '\\'), non-ASCII as
 * UTF-8; floats as Java's Float/Double.toString ("1.0", "1.0E10"); NaN and the infinities as
 * the strings "NaN", "Infinity", "-Infinity" (Jackson's default QUOTE_NON_NUMERIC_NUMBERS).
 * Decoding is strict where Java is lax: invalid UTF-8 in a string is an error (Java would
 * replace it), and an int varint must fit 32 bits (Java drops the high bits). */
#ifndef KR_FORMAT_AVRO_CODEC_H
#define KR_FORMAT_AVRO_CODEC_H

#include "format/avro_schema.h"
#include "util/buf.h"
#include "util/err.h"

#include <stddef.h>

/* Deepest nesting of a datum (records, arrays, maps, unions), both ways. */
#define AVS_MAX_DEPTH 512
/* Schema defaults one encoded datum may use: a record whose fields default to records with
 * several fields each expands exponentially with its depth, from a body of "{}". */
#define AVS_MAX_DEFAULT_VALUES 100000

/** Encodes one JSON value -- Avro's JSON encoding of a datum of schema s -- as Avro binary,
 * appended to out (on failure out is left as it was). json: len bytes holding one JSON value
 * (trailing whitespace allowed), normally checked as strict JSON by the caller; anything else
 * is refused too. path: the prefix of error messages, e.g. "records[3].value" (may be "").
 * @return 0, or -1 with err set: code KR_ERR_JSON_AVRO_CONVERSION (42203), a message naming
 *         the path, e.g. "records[3].value.address.zip: expected int, got \"x\""; or
 *         KR_ERR_TOO_LARGE when out's limit is reached. */
int avs_encode_json(const avs_schema_t *s, const char *json, size_t len, const char *path,
                    kr_buf_t *out, kr_err_t *err);

/** Decodes one Avro binary datum of schema s (exactly len bytes: trailing bytes are an error)
 * and appends its Avro JSON encoding (compact) to out (on failure out is left as it was).
 * @return 0, or -1 with err set: code KR_ERR_SERIALIZATION (40801) for data that is not a
 *         datum of s (truncated, overlong varint, negative or too large length, invalid UTF-8,
 *         union or enum index out of range, nesting deeper than AVS_MAX_DEPTH, trailing
 *         bytes) or when out's limit is reached. */
int avs_decode_to_json(const avs_schema_t *s, const void *data, size_t len, kr_buf_t *out,
                       kr_err_t *err);

#endif
