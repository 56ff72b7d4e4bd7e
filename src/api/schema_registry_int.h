/* api/schema_registry_int.h -- what the Schema Registry API's files share (schema_registry.c:
 * subjects, versions, register, deletes, configs; schema_registry_schemas.c: schema listings
 * by id and prefix; schema_registry_mode.c: modes): the job that runs a request on the worker
 * pool, and the parsers and writers of common shapes.
 * May use: schema/, format/, config/, util/. Threads: HTTP threads and workers. */
#ifndef KR_API_SCHEMA_REGISTRY_INT_H
#define KR_API_SCHEMA_REGISTRY_INT_H

#include "api/api.h"
#include "api/job.h"
#include "format/avro_schema.h"
#include "format/jsonw.h"
#include "schema/registry.h"

#include <stdbool.h>
#include <stdint.h>

/* A schema's storage record must fit one Kafka message (broker default 1 MiB). */
#define SR_ERR_SCHEMA_TOO_LARGE 42209
/* GET /mode/{subject} of a subject without a mode of its own. */
#define SR_ERR_SUBJECT_MODE_NOT_CONFIGURED 40409

typedef struct sr_job sr_job_t;
typedef void (*sr_exec_fn)(sr_job_t *j);

struct sr_job {
    api_job_t job; /* first member (api/job.h); job.err: the registry's error */
    sr_registry_t *reg;
    sr_exec_fn exec;
    /* inputs */
    char *subject; /* owned; NULL: global (config, mode) */
    int32_t version;
    int32_t id;
    bool deleted, permanent, verbose, to_global, max_id, raw, latest_only, force;
    bool subject_param; /* subject is a path parameter (checked in job_submit) */
    avs_schema_t *schema;
    bool has_id;          /* register: the body's id (IMPORT) */
    int32_t want_id;      /* register: the body's id */
    int32_t want_version; /* register: the body's version, <= 0: none */
    int level;            /* config PUT: the level, or -1 when the body named none */
    const char *mode;     /* mode PUT: the canonical mode (static) */
    char *mode_text;      /* owned: mode PUT: the mode as the body spelt it (echoed) */
    int64_t offset, limit;
    /* outputs */
    int status;
    kr_buf_t out;
};

/** A job for req that runs exec on the worker pool (owned by the job framework once
 * submitted). */
sr_job_t *api_sr_job_new(api_req_t *req, sr_exec_fn exec);
/** Submits (takes ownership of j); checks a path subject first (42208). */
api_status_t api_sr_job_submit(api_req_t *req, sr_job_t *j);
/** A job for a /.../{subject}/... path: subject, deleted and permanent taken from req. */
sr_job_t *api_sr_subject_job(api_req_t *req, sr_exec_fn exec);
/** A subject job for a /.../{subject}/versions/{version}/... path: the version parsed first
 * (answers 42202 when it is none), raw set as given; submitted. */
api_status_t api_sr_version_job(api_req_t *req, sr_exec_fn exec, bool raw);
/** Java's Boolean.valueOf of a query parameter: "true" in any case. */
bool api_sr_query_bool(const api_req_t *req, const char *key);
/** Confluent's VersionId. @return 0, or -1 with err 42202. */
int api_sr_parse_version(const char *text, int32_t *out, kr_err_t *err);
/** The {id} path parameter; @return 0, or -1 after answering 40403. */
int api_sr_param_id(api_req_t *req, int32_t *id);
/** A job for a /schemas/ids/{id}/... path: id parsed first (answers 40403 when it is none),
 * deleted and fetchMaxId taken from the query; submitted. */
api_status_t api_sr_id_job(api_req_t *req, sr_exec_fn exec);
/** ["schemaType"],["references"],"schema" of a schema entity. */
void api_sr_write_schema_fields(fmt_jsonw_t *w, const sr_schema_t *s);
/** {"subject","version","id",["schemaType"],["references"],"schema"} */
void api_sr_write_version(kr_buf_t *out, const char *subject, const sr_version_t *v,
                          const sr_schema_t *s);
/** Sets j's error to 40401 for j->subject. */
void api_sr_subject_not_found(sr_job_t *j);
/** Sets j's error to 40402 for j->version. */
void api_sr_version_not_found(sr_job_t *j);

#endif
