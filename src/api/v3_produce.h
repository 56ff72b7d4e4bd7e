/* api/v3_produce.h -- v3 records produce (API.md §3.5, §3.6): POST
 * /v3/clusters/{c}/topics/{t}/records (a stream of ProduceRequest objects, one result line each,
 * in input order) and …/records:batch (207 {successes, failures}).
 * A request's records are decoded (format/v3_record.h), the cluster checked (404 for the whole
 * request), the topic found (auto-created as v2 does, else an in-band 40401 per record), schemas
 * resolved and Avro encoded on a worker when a record needs the registry, then every valid
 * record goes to the shared producer; the answer is written once each record has its outcome
 * (error_code 200 only for what Kafka acknowledged).
 * May use: api/, schema/, kafka/, format/, config/, util/. Threads: handlers on HTTP threads. */
#ifndef KR_API_V3_PRODUCE_H
#define KR_API_V3_PRODUCE_H

#include "api/api.h"

/** POST /v3/clusters/{cluster}/topics/{topic}/records */
api_status_t api_v3_records_produce(api_req_t *req);
/** The same route's full duplex for HTTP/1.1 chunked uploads (api/v3_stream.c). */
extern const api_stream_handler_t api_v3_records_stream;
/** POST /v3/clusters/{cluster}/topics/{topic}/records:batch */
api_status_t api_v3_records_batch(api_req_t *req);

#endif
