/* schema/registry.h -- the built-in Schema Registry: its state (schema/sr_state.h) kept in
 * step with the `_schemas` topic by kafka/txlog.h, readers under a read lock, and writes
 * serialised through Kafka (sync, plan on the complete state, append; planned again when
 * another krest instance wrote in between). The HTTP side is api/schema_registry.c.
 * May use: kafka/, format/, config/, util/. Threads: reads from any thread; writes block (run
 * them on the worker pool). */
#ifndef KR_SCHEMA_REGISTRY_H
#define KR_SCHEMA_REGISTRY_H

#include "config/config.h"
#include "schema/sr_state.h"
#include "util/err.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct sr_registry sr_registry_t;

/** Starts following cfg->schema_registry_topic (created when missing). Does not wait.
 * @return owned registry (sr_registry_free), or NULL with err set. */
sr_registry_t *sr_registry_start(const krest_config_t *cfg, kr_err_t *err);

/** Shutdown, first step: whoever waits for the registry gives up now. */
void sr_registry_stop(sr_registry_t *reg);

/** Stops the reader and frees everything; sr_registry_free(NULL) is a no-op. */
void sr_registry_free(sr_registry_t *reg);

/** Waits until the topic was read to its end once (bounded by client.init.timeout.ms).
 * @return 0, or -1 with err set (50002). */
int sr_registry_wait_ready(sr_registry_t *reg, kr_err_t *err);

/** @return whether the topic was read to its end once (never waits; any thread). */
bool sr_registry_is_ready(sr_registry_t *reg);

/** Takes the read lock and returns the state; every pointer taken from it is valid until
 * sr_registry_read_end(). */
const sr_state_t *sr_registry_read_begin(sr_registry_t *reg);
void sr_registry_read_end(sr_registry_t *reg);

/** A write planner (sr_state.h's sr_plan_* bound to their arguments). */
typedef int (*sr_plan_fn)(const sr_state_t *st, void *arg, sr_records_t *out, kr_err_t *err);

/** Runs plan on the complete state and appends what it asks for, retrying when another
 * writer intervened. @return 0, or -1 with err set (the plan's error, or 500xx). */
int sr_registry_write(sr_registry_t *reg, sr_plan_fn plan, void *arg, kr_err_t *err);

#endif
