/* schema/registry_client.h -- the Schema Registry client of Avro produce and consume: libcurl
 * against `schema.registry.url` (default: the built-in registry's own listener), Confluent's
 * basic auth (`schema.registry.basic.auth.credentials.source=USER_INFO`,
 * `schema.registry.basic.auth.user.info`), and two caches -- schemas by id, and ids by
 * (subject, schema text) -- so the hot path asks the registry once per thing, ever.
 * The peek functions only read the caches and never block; the others call the registry and
 * block (run them on the worker pool, never on an HTTP or Kafka loop thread).
 * May use: format/, config/, util/, libcurl. Threads: any; the caches are locked inside. */
#ifndef KR_SCHEMA_REGISTRY_CLIENT_H
#define KR_SCHEMA_REGISTRY_CLIENT_H

#include "config/config.h"
#include "format/avro_schema.h"
#include "util/err.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct sr_client sr_client_t;

/** Creates the client (call once at start-up: it initialises libcurl). Never fails; without a
 * registry URL every call fails with 40801. @return owned client (sr_client_free). */
sr_client_t *sr_client_new(const krest_config_t *cfg);
void sr_client_free(sr_client_t *c);

/** A cached schema by id. @return the schema (lives as long as the client) or NULL; *failed is
 * set when a recent look-up of this id failed (the id is unknown: answer 40801 at once). */
const avs_schema_t *sr_client_peek_id(sr_client_t *c, int32_t id, bool *failed);

/** A cached registration of schema text under subject. @return its id, or -1. */
int32_t sr_client_peek_subject(sr_client_t *c, const char *subject, const char *text,
                               const avs_schema_t **schema);

/** GET /schemas/ids/{id}, cached (failures too, for a short while). Blocks.
 * @return the schema, or NULL with err set (40801 "Schema registration or lookup failed: …"). */
const avs_schema_t *sr_client_get_id(sr_client_t *c, int32_t id, kr_err_t *err);

/** Registers text under subject (POST /subjects/{s}/versions) unless cached. Blocks. The text is
 * parsed here first: an invalid schema is 422/42205 without asking the registry.
 * @return the id with *schema set, or -1 with err set (42205, or 40801). */
int32_t sr_client_register(sr_client_t *c, const char *subject, const char *text,
                           const avs_schema_t **schema, kr_err_t *err);

/** A version of a subject as the registry gives it. */
typedef struct sr_subject_version {
    int32_t id;
    int32_t version;
    const avs_schema_t *schema; /* the client's id cache's */
} sr_subject_version_t;

/** GET /subjects/{subject}/versions/{version} (version < 0: "latest", the newest live one) and
 * the schema of its id (cached by id). Not cached itself: a subject gains versions. Blocks.
 * @return 0 with *out set, or -1 with err set: KR_ERR_NOT_FOUND "Subject '…' not found.",
 * "Version N not found for subject '…'.", "Subject '…' has no live version."; else 40801. */
int sr_client_subject_version(sr_client_t *c, const char *subject, int32_t version,
                              sr_subject_version_t *out, kr_err_t *err);

#endif
