/* format/avro_schema.h -- krest's Avro schema model: a schema's JSON parsed and validated into a
 * tree that keeps what avro-c drops (field defaults, logical types, docs, aliases, custom
 * properties), its normalised JSON (how the registry tells duplicates apart, API.md section K),
 * its Parsing Canonical Form and CRC-64-AVRO fingerprint, and the compatibility rules of Java
 * Avro's SchemaCompatibility (what Confluent's registry answers).
 * Pure: bytes in, bytes out; no Kafka, no HTTP. May use: util/, json-c.
 * Threads: any; a parsed schema is immutable and may be shared read-only.
 *
 * Which Java: Avro 1.12 (Confluent 8.x parses new schemas with NameValidator.STRICT_VALIDATOR
 * and default validation on). Where krest differs, it is stricter, on purpose:
 * - a named type must be defined before it is referenced (1.12 also resolves forward
 *   references), and a name may be defined once (1.12 allows an identical redefinition);
 * - integers beyond int64/uint64 anywhere in the JSON are refused (json-c would clamp them);
 * - JSON is strict (format/json.h): no comments, NaN tokens or single quotes (Jackson's
 *   defaults refuse those too).
 * As in 1.12: a union default may match any branch (1.11 and older: the first); a string
 * default of a float/double field may be any Double.parseDouble text ("NaN", "-Infinity");
 * invalid logical types are kept as properties and ignored; a non-string "doc", "namespace"
 * or enum "default" is ignored; {"type":"Name"} refers to a named type; empty unions and
 * enums without symbols are accepted.
 *
 * avro-c is not asked to accept the schema here. avro-c 1.11.1 is laxer than Java (it checks
 * no defaults, duplicates or enum symbols) and refuses three things Java accepts: an empty
 * union, an enum with no symbols, and the "error" type. The registry must accept what
 * Confluent accepts, so those three are valid here. The binary encoder should give avro-c
 * avs_canonical() (full names, nothing avro-c reads differently; not yet checked against
 * avro-c for every accepted schema) and refuse those three at produce time with
 * KR_ERR_INVALID_SCHEMA (42205). */
#ifndef KR_FORMAT_AVRO_SCHEMA_H
#define KR_FORMAT_AVRO_SCHEMA_H

#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct avs_schema avs_schema_t;

/* The Schema Registry's "invalid schema" code that avs_parse() sets (Confluent 42201; the
 * REST API's produce path answers such a schema with its own KR_ERR_INVALID_SCHEMA, 42205). */
#define AVS_ERR_INVALID_SCHEMA 42201
/** The largest schema text krest parses: Confluent's Schema Registry limit, also for schemas
 * that come inside a produce request (parsing is not linear in every schema's size). */
#define AVS_MAX_SCHEMA_TEXT (1000 * 1000)

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
 * @return an owned schema (avs_free), or NULL with err set (code AVS_ERR_INVALID_SCHEMA, a
 *         message a user can act on, e.g. "Invalid schema: field 'a' of record 'r': default
 *         "x" is not a valid int"; text that is not JSON: "Invalid schema: Invalid JSON: ..."). */
avs_schema_t *avs_parse(const char *json, size_t len, kr_err_t *err);

/** Frees a schema; avs_free(NULL) is a no-op. */
void avs_free(avs_schema_t *s);

/** The schema's normalised JSON: no whitespace; keys in a fixed order (type, name, doc,
 * aliases, fields/symbols/size/items/values, enum default, then custom properties sorted;
 * fields: name, type, doc, default, order, aliases, then properties sorted); a primitive with
 * no properties as its bare name ("string"); every name fully qualified and no "namespace"
 * key (a type's aliases too), except "namespace":"" on a type in no namespace nested in a
 * namespaced record (else it would inherit that namespace when parsed again) and ".x" for
 * such an alias of a namespaced type; a named type written
 * in full once, then by name; "order" left out when ascending. Kept as written: defaults and
 * property values (object keys sorted, numbers as written: 1.0 and 1 differ), docs, field aliases,
 * logical types and all custom properties, field and symbol order, "error" vs "record". Java's
 * reserved keys that do not apply to a type (a "doc" on an array) are dropped, as Java drops them.
 * Two schemas are the registry's duplicates when this text is equal. @return borrowed,
 * NUL-terminated, lives as long as s. */
const char *avs_normalized(const avs_schema_t *s);

/** The schema's JSON without whitespace, keys in the order the user wrote them: what the
 * registry stores and returns. Strings are re-escaped minimally (", \\ and control characters;
 * "/" and non-ASCII as is); numbers: a fraction or exponent is kept exactly as written
 * ("1.50", "1E3"), an integer is written in decimal ("-0" becomes "0"). A key written twice
 * keeps its last value at its first place (json-c). @return borrowed, lives as long as s. */
const char *avs_compact(const avs_schema_t *s);

/** The Parsing Canonical Form (Avro specification, as Java's SchemaNormalization writes it:
 * an "error" is a "record"). Like Java's, it is for fingerprints, not for parsing again: a
 * type in no namespace nested in a namespaced record would then inherit the namespace.
 * @return borrowed, lives as long as s. */
const char *avs_canonical(const avs_schema_t *s);

/** CRC-64-AVRO fingerprint of the Parsing Canonical Form. */
uint64_t avs_fingerprint64(const avs_schema_t *s);

/** Whether data written with writer can be read with reader (Java Avro's
 * SchemaCompatibility.checkReaderWriterCompatibility). When not, and reason is not NULL, the
 * first incompatibility is written to reason (always NUL-terminated, truncated to fit) in
 * Confluent's words, e.g. "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The
 * field 'b' at path '/fields/1' in the reader schema has no default value and is missing in
 * the writer schema', additionalInfo:'b'}". errorType is one of Java's: TYPE_MISMATCH,
 * NAME_MISMATCH, FIXED_SIZE_MISMATCH, MISSING_ENUM_SYMBOLS, MISSING_UNION_BRANCH,
 * READER_FIELD_MISSING_DEFAULT_VALUE. */
bool avs_can_read(const avs_schema_t *reader, const avs_schema_t *writer, char *reason,
                  size_t reason_size);

/** Confluent's check of a new schema against a subject's existing versions (oldest first; the
 * non-transitive levels only look at the last one, the transitive ones at all, newest first).
 * BACKWARD: candidate reads the existing; FORWARD: the existing reads the candidate; FULL:
 * both (backward checked first). NONE, or no existing version: true. @return true when
 * compatible; otherwise false with a reason as for avs_can_read, where the candidate is the
 * "new" schema and the existing one the "old". */
bool avs_check_compat(avs_compat_level_t level, const avs_schema_t *candidate,
                      const avs_schema_t *const *existing, size_t n_existing, char *reason,
                      size_t reason_size);

/** Level names as Confluent writes them ("BACKWARD", ...); NULL for a value out of range. */
const char *avs_compat_name(avs_compat_level_t level);
/** @return 0 with *out set, or -1 when name is not a level. Case-insensitive, as Confluent's
 * CompatibilityLevel.forName (it upper-cases the name first): "backward" is BACKWARD. */
int avs_compat_parse(const char *name, avs_compat_level_t *out);

#endif
