/* format/avro_schema.h -- krest's Avro schema model: a schema's JSON parsed and validated into a
 * tree that keeps what avro-c drops (field defaults, logical types, docs, aliases, custom
 * properties), its normalised JSON (how the registry tells duplicates apart, API.md section K),
 * its Parsing Canonical Form and CRC-64-AVRO fingerprint, and the compatibility rules of Java
 * Avro's SchemaCompatibility (what Confluent's registry answers).
 * Pure: bytes in, bytes out; no Kafka, no HTTP. May use: util/, json-c, avro-c.
 * Threads: any; a parsed schema is immutable and may be shared read-only. */
#ifndef KR_FORMAT_AVRO_SCHEMA_H
#define KR_FORMAT_AVRO_SCHEMA_H

#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct avs_schema avs_schema_t;

/** Compatibility levels of Confluent's registry. */
typedef enum avs_compat_level {
    AVS_COMPAT_NONE = 0,
    AVS_COMPAT_BACKWARD,
    AVS_COMPAT_BACKWARD_TRANSITIVE,
    AVS_COMPAT_FORWARD,
    AVS_COMPAT_FORWARD_TRANSITIVE,
    AVS_COMPAT_FULL,
    AVS_COMPAT_FULL_TRANSITIVE,
} avs_compat_level_t;

/** Parses and validates a schema given as JSON text (len bytes, need not be NUL-terminated).
 * Validation is Java Avro's (Schema.Parser with default validation on): names, namespaces,
 * duplicate names/fields/symbols, unions (no nested unions, no duplicate types), fixed sizes,
 * defaults that match their type (for unions: the first branch), references to named types
 * defined earlier.
 * @return an owned schema (avs_free), or NULL with err set (code 42201, a message a user can
 *         act on, e.g. "Invalid schema: field 'a' of record 'r': default is not an int"). */
avs_schema_t *avs_parse(const char *json, size_t len, kr_err_t *err);

/** Frees a schema; avs_free(NULL) is a no-op. */
void avs_free(avs_schema_t *s);

/** The schema's normalised JSON: no whitespace, object keys in a fixed order, a primitive
 * type with no other attributes written as its bare name ("string"), names fully qualified;
 * defaults, docs, aliases, order, logical types and custom properties kept. Two schemas are
 * the registry's duplicates when this text is equal. @return borrowed, NUL-terminated,
 * lives as long as s. */
const char *avs_normalized(const avs_schema_t *s);

/** The schema's JSON without whitespace, keys in the order the user wrote them: what the
 * registry stores and returns. @return borrowed, lives as long as s. */
const char *avs_compact(const avs_schema_t *s);

/** The Parsing Canonical Form (Avro specification). @return borrowed, lives as long as s. */
const char *avs_canonical(const avs_schema_t *s);

/** CRC-64-AVRO fingerprint of the Parsing Canonical Form. */
uint64_t avs_fingerprint64(const avs_schema_t *s);

/** Whether data written with writer can be read with reader (Java Avro's
 * SchemaCompatibility.checkReaderWriterCompatibility). When not, and reason is not NULL, a
 * one-line reason naming the location (e.g. "/fields/1/type: reader type int not compatible
 * with writer type long") is written to reason (always NUL-terminated). */
bool avs_can_read(const avs_schema_t *reader, const avs_schema_t *writer, char *reason,
                  size_t reason_size);

/** Confluent's check of a new schema against a subject's existing versions (oldest first; the
 * non-transitive levels only look at the last one). @return true when compatible; otherwise
 * false with a reason written as for avs_can_read. */
bool avs_check_compat(avs_compat_level_t level, const avs_schema_t *candidate,
                      const avs_schema_t *const *existing, size_t n_existing, char *reason,
                      size_t reason_size);

/** Level names as Confluent writes them ("BACKWARD", ...). */
const char *avs_compat_name(avs_compat_level_t level);
/** @return 0 with *out set, or -1 when name is not a level (case-sensitive, as Confluent). */
int avs_compat_parse(const char *name, avs_compat_level_t *out);

#endif
