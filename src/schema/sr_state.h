/* schema/sr_state.h -- the built-in Schema Registry's state: subjects, versions, schema ids,
 * compatibility configs and modes, rebuilt from the records of the `_schemas` topic in
 * Confluent's own format (sr_state_apply), queried by the API, and the pure "plans" that turn
 * an API write (register, delete, config) into the records to append. No Kafka, no HTTP, no
 * locks: schema/registry.c owns the state, serialises writers and locks readers.
 * May use: format/, util/, json-c. Threads: whoever holds the registry's lock. */
#ifndef KR_SCHEMA_SR_STATE_H
#define KR_SCHEMA_SR_STATE_H

#include "format/avro_schema.h"
#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Error codes of the Schema Registry API: Confluent Schema Registry's own code space (not the
 * REST Proxy's; API.md section K). The HTTP status follows from the code as for KR_ERR_*. */
enum {
    SR_ERR_SUBJECT_NOT_FOUND = 40401,
    SR_ERR_VERSION_NOT_FOUND = 40402,
    SR_ERR_SCHEMA_NOT_FOUND = 40403,
    SR_ERR_SUBJECT_SOFT_DELETED = 40404,
    SR_ERR_SUBJECT_NOT_SOFT_DELETED = 40405,
    SR_ERR_VERSION_SOFT_DELETED = 40406,
    SR_ERR_VERSION_NOT_SOFT_DELETED = 40407,
    SR_ERR_SUBJECT_COMPAT_NOT_CONFIGURED = 40408,
    SR_ERR_INCOMPATIBLE = 409,
    SR_ERR_INVALID_SCHEMA = 42201,
    SR_ERR_INVALID_VERSION = 42202,
    SR_ERR_INVALID_COMPAT_LEVEL = 42203,
    SR_ERR_INVALID_MODE = 42204,
    SR_ERR_OPERATION_NOT_PERMITTED = 42205,
    SR_ERR_REFERENCE_EXISTS = 42206,
    SR_ERR_INVALID_SUBJECT = 42208,
    SR_ERR_STORE = 50001,
    SR_ERR_TIMEOUT = 50002,
    SR_ERR_FORWARD = 50003,
};

/** The version selector "latest" (also -1 in Confluent's API). */
#define SR_VERSION_LATEST (-1)

/** One schema, by id (several subjects and versions may share it). */
typedef struct sr_schema {
    int32_t id;
    char *type;         /* owned; NULL for AVRO (Confluent omits schemaType for Avro) */
    char *text;         /* owned: the schema as stored */
    char *norm;         /* owned: what duplicates are found by (normalised Avro, else text) */
    char *refs;         /* owned JSON array of references as stored, NULL when none */
    avs_schema_t *avro; /* owned; NULL when not Avro or when the stored text does not parse */
} sr_schema_t;

typedef struct sr_version {
    int32_t version;
    int32_t id;
    bool deleted; /* soft-deleted */
    char *value;  /* owned: the record's value as stored (rewritten on soft delete) */
} sr_version_t;

typedef struct sr_subject {
    char *name;      /* owned */
    sr_version_t *v; /* owned, sorted by version */
    size_t n, cap;
    int compat; /* avs_compat_level_t, or -1 when the subject has no config of its own */
    char *mode; /* owned, NULL when unset */
} sr_subject_t;

typedef struct sr_state sr_state_t;

/** A record to append to `_schemas`: JSON key and value (NULL value: a tombstone). */
typedef struct sr_record {
    char *key;
    char *value;
} sr_record_t;

typedef struct sr_records {
    sr_record_t *v;
    size_t n, cap;
} sr_records_t;

void sr_records_free(sr_records_t *r);
/** Appends a record; takes ownership of key and value. */
void sr_records_add(sr_records_t *r, char *key, char *value);
/** The key of Confluent's NOOP record (owned). */
char *sr_noop_key(void);

sr_state_t *sr_state_new(void);
void sr_state_free(sr_state_t *st);

/** Applies one record of `_schemas` (value NULL: a tombstone). Unknown key types and fields
 * are ignored, as Confluent's registry does. @return 0, or -1 with err set when the record is
 * malformed (the caller logs and skips it). */
int sr_state_apply(sr_state_t *st, const char *key, size_t key_len, const char *value,
                   size_t value_len, kr_err_t *err);

/* --- reads (borrowed results, valid until the next apply) --------------------------------- */

const sr_schema_t *sr_state_schema(const sr_state_t *st, int32_t id);
const sr_subject_t *sr_state_subject(const sr_state_t *st, const char *name);
/** Subjects in name order: *out borrowed. */
size_t sr_state_subjects(const sr_state_t *st, const sr_subject_t *const **out);
/** Whether a subject has a version that is not soft-deleted. */
bool sr_subject_live(const sr_subject_t *s);
/** A subject's version by number (soft-deleted ones only when deleted), or for
 * SR_VERSION_LATEST the latest one that is not soft-deleted. @return the version or NULL. */
const sr_version_t *sr_subject_version(const sr_subject_t *s, int32_t version, bool deleted);
/** The compatibility level in force for a subject (its own, else the global one, else
 * BACKWARD); subject may be NULL. */
avs_compat_level_t sr_state_compat(const sr_state_t *st, const sr_subject_t *s);
/** The global mode ("READWRITE" when none is stored). */
const char *sr_state_mode(const sr_state_t *st);
/** The next schema id: one more than any id ever seen. */
int32_t sr_state_next_id(const sr_state_t *st);
/** Whether a version holds this schema id (soft-deleted versions count when deleted). */
bool sr_state_id_used(const sr_state_t *st, int32_t id, bool deleted);
/** The id of a schema some version (soft-deleted too) holds with this normalised text and
 * type, or -1. A schema whose versions were all deleted for good gets a new id (Confluent). */
int32_t sr_state_find_schema(const sr_state_t *st, const char *type, const char *norm);

/* --- plans: what an API write appends (pure; err codes are SR_ERR_*) --------------------- */

typedef struct sr_register {
    /* in */
    const char *subject;
    const avs_schema_t *schema; /* parsed candidate (borrowed) */
    bool has_id;                /* the body named an id (IMPORT mode only) */
    int32_t want_id;
    int32_t want_version; /* the body's version, <= 0: none */
    /* out */
    int32_t id;
    int32_t version;
} sr_register_t;

/** Register (schema/sr_register.c): the subject's mode first (42205: read-only; an id only in
 * IMPORT, none only in READWRITE); the same schema already live under the subject returns its
 * id and version and appends nothing; otherwise the compatibility check against the live
 * versions (409; none in IMPORT), then the id (the one given, the stored schema's when it
 * exists anywhere, else a new one) and the version (the one given, else the next).
 * @return 0 (records may be empty), or -1 with err set. */
int sr_plan_register(const sr_state_t *st, sr_register_t *r, sr_records_t *out, kr_err_t *err);

/** Deletes a subject (soft, or permanent after soft). *versions (owned) gets the deleted
 * versions. @return 0, or -1 with err set. */
int sr_plan_delete_subject(const sr_state_t *st, const char *subject, bool permanent,
                           int32_t **versions, size_t *n_versions, sr_records_t *out,
                           kr_err_t *err);

/** Deletes one version (soft, or permanent after soft); version may be SR_VERSION_LATEST.
 * *deleted gets the version number. @return 0, or -1 with err set. */
int sr_plan_delete_version(const sr_state_t *st, const char *subject, int32_t version,
                           bool permanent, int32_t *deleted, sr_records_t *out, kr_err_t *err);

/** Sets the global (subject NULL) or a subject's compatibility level. @return 0. */
int sr_plan_set_config(const sr_state_t *st, const char *subject, avs_compat_level_t level,
                       sr_records_t *out, kr_err_t *err);

/** Removes the global or a subject's level; *old gets the level removed (the global default
 * when the global one was not set). @return 0, or -1 with err set (40401 unknown subject). */
int sr_plan_delete_config(const sr_state_t *st, const char *subject, avs_compat_level_t *old,
                          sr_records_t *out, kr_err_t *err);

/* --- records' keys and values, Confluent's field order (for the plans of other files) ------ */

/** {"keytype":type[,"subject"][,"version" when > 0],"magic"} (owned). */
char *sr_key_make(const char *type, const char *subject, int32_t version, int magic);
/** {["subject":subject,]name:value} (subject NULL: the global one), a CONFIG's or MODE's
 * value; name and value are written as given (plain names). Owned. */
char *sr_value_scoped(const char *subject, const char *name, const char *value);
/** A SCHEMA record's value (owned). */
char *sr_value_schema(const char *subject, int32_t version, const sr_schema_t *s, bool deleted);

/* --- modes (schema/sr_mode.c): READWRITE, READONLY, READONLY_OVERRIDE, IMPORT ------------ */

/** The canonical (static) name of a mode given in any case, or NULL when it is none. */
const char *sr_mode_parse(const char *name);
/** The mode in force for a subject (NULL: the global one): a global READONLY_OVERRIDE, else
 * the subject's own, else the global one, else READWRITE. Borrowed. */
const char *sr_state_mode_in_scope(const sr_state_t *st, const char *subject);
/** The subject's own mode, or a global READONLY_OVERRIDE; NULL when neither. Borrowed. */
const char *sr_state_mode_own(const sr_state_t *st, const char *subject);
/** @return 0, or -1 with err 42205 when the subject (NULL: global) is read-only. */
int sr_check_writable(const sr_state_t *st, const char *subject, kr_err_t *err);
/** Sets the global (subject NULL) or a subject's mode (canonical name). Changing to IMPORT
 * needs no live subject in scope unless force; then the scope's soft-deleted versions are
 * deleted for good (Confluent). @return 0, or -1 with err set (42205). */
int sr_plan_set_mode(const sr_state_t *st, const char *subject, const char *mode, bool force,
                     sr_records_t *out, kr_err_t *err);
/** Removes a subject's mode; old (32 bytes) gets it. @return 0, or -1 with err 40401. */
int sr_plan_delete_mode(const sr_state_t *st, const char *subject, char old[32], sr_records_t *out,
                        kr_err_t *err);

#endif
