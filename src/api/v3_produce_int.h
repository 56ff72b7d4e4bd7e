/* api/v3_produce_int.h -- what the v3 produce files share: a request's records ("slots"), each
 * with its in-band outcome, and the steps that take them to Kafka. api/v3_produce.c runs the
 * steps and writes the answers; api/v3_produce_schema.c resolves schemas and encodes Avro (on
 * a worker); api/v3_produce_batch.c reads records:batch bodies.
 * May use: api/, schema/, kafka/, format/, config/, util/. Threads: HTTP threads, except
 * v3p_schemas_resolve() (a worker). */
#ifndef KR_API_V3_PRODUCE_INT_H
#define KR_API_V3_PRODUCE_INT_H

#include "api/api.h"
#include "api/job.h"
#include "format/avro_schema.h"
#include "format/v3_record.h"
#include "kafka/metadata.h"
#include "kafka/producer.h"
#include "util/buf.h"

#include <stdbool.h>
#include <stdint.h>

/* One side (key or value) of a record once resolved: what the answer says about it and where
 * its bytes are. */
typedef struct v3p_side {
    fmt_v3_type_t type; /* AVRO once a schema was found for a record without type */
    char *subject;      /* owned; schema types only */
    int32_t schema_id;  /* -1: none */
    int32_t schema_version;
    const avs_schema_t *schema; /* the registry client's */
    bool in_enc;                /* the bytes are enc[span] (Avro), else the store's data */
    fmt_span_t span;
} v3p_side_t;

typedef struct v3p_slot {
    int code;  /* 0: valid so far (sent when the request goes to Kafka); else in-band error */
    char *msg; /* owned: the error's message */
    fmt_v3_record_t rec;
    v3p_side_t key, value;
    int32_t msg_idx; /* index into msgs, -1: not sent */
} v3p_slot_t;

typedef struct v3p_job {
    api_job_t job; /* first member (api/job.h) */
    char *cluster, *topic;
    kr_buf_t quoted; /* cluster and topic as JSON strings, one after the other (results) */
    size_t quoted_cluster_len;
    bool batch;
    fmt_v3_store_t st;
    v3p_slot_t *slots;
    size_t n, cap;
    int broken_code;  /* the stream ended with this error object (0: none) */
    char *broken_msg; /* owned */
    bool auto_tried;
    bool forced;       /* a snapshot fetched after the request came was asked for (partitions) */
    bool refreshed;    /* the producer was told of the partitions that snapshot found */
    bool needs_sr;     /* some slot needs the registry */
    kr_buf_t enc;      /* Avro-encoded keys and values (Confluent's wire format) */
    kafka_msg_t *msgs; /* one per sent slot */
    kafka_msg_header_t *hdrs;
    size_t n_msgs;
} v3p_job_t;

/** A new job for req's topic (params[0] cluster, params[1] topic). */
v3p_job_t *v3p_job_new(api_req_t *req, bool batch);
/** A new job for a topic of a cluster (strings copied). */
v3p_job_t *v3p_job_new_for(const api_ctx_t *ctx, const char *cluster, const char *topic,
                           bool batch);
void v3p_job_free(api_job_t *job);

/** Adds a slot (zeroed, msg_idx -1). @return it (valid until the next add). */
v3p_slot_t *v3p_slot_add(v3p_job_t *job);
/** Marks a slot failed in-band (message printf-style; the first failure stays). */
void v3p_slot_fail(v3p_slot_t *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** The v3 produce rate limiter (api/v3_rate.c): a valid slot over a limit fails in-band
 * (429). Call once per record, in input order. */
void v3p_rate_check(const api_ctx_t *ctx, v3p_slot_t *s);

/** Checks the cluster and topic, resolves schemas, sends and answers (takes job). */
api_status_t v3p_run(api_req_t *req, v3p_job_t *job);

/** Classifies each valid slot's sides: the types that need no registry are done here; the
 * others set job->needs_sr. Never blocks. */
void v3p_sides_plan(const api_ctx_t *ctx, v3p_job_t *job);
/** Fails (in-band) every slot not failed yet. */
void v3p_fail_all(v3p_job_t *job, int code, const char *msg);
/** Whether a valid slot names a partition t does not have (maybe added a moment ago: the
 * caller asks for one snapshot fetched after the request came, and makes the producer learn
 * the partitions it finds, before it answers 40402, as v2 produce does). */
bool v3p_partitions_missing(const v3p_job_t *job, const kafka_md_topic_t *t);
/** Fails the slots naming a partition the topic does not have (40402). */
void v3p_check_partitions(v3p_job_t *job, const kafka_md_topic_t *t);
/** Builds a producer message per valid slot (a record over message.max.bytes fails, 413). */
void v3p_build_msgs(const api_ctx_t *ctx, v3p_job_t *job);
/** Appends the records stream's result lines (one object + CRLF per slot, then the broken
 * stream's error); known false: every sent record's outcome is unknown (50003). */
void v3p_write_stream(kr_buf_t *out, const v3p_job_t *job, bool known);
/** Resolves every schema a slot needs and encodes its Avro data (blocks: a worker). A slot
 * whose schema or data fails gets its in-band error. */
void v3p_schemas_resolve(const api_ctx_t *ctx, v3p_job_t *job);

#endif
