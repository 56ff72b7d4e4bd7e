/* api/consumers_int.h -- what consumers.c, consumer_subscription.c, consumer_read.c and
 * consumer_stream.c share:
 * the path parameters, the instance lookup and small answers (only api/ includes this). May use:
 * kafka/, format/, util/. Threads: HTTP threads. */
#ifndef KR_API_CONSUMERS_INT_H
#define KR_API_CONSUMERS_INT_H

#include "api/api.h"
#include "kafka/record.h"

typedef struct kafka_consumer kafka_consumer_t;

/* Path parameters of the consumer routes, in template order (router/routes.c). */
enum { API_CONSUMER_P_GROUP = 0, API_CONSUMER_P_INSTANCE = 1, API_CONSUMER_P_TOPIC = 2 };

/** @return the request's instance (group and instance path parameters): a reference, release
 * with kafka_consumer_release(); NULL when there is none. */
kafka_consumer_t *api_consumer_instance(api_req_t *req);

/** Answers 404/40403 "Consumer instance not found.". */
api_status_t api_consumer_no_instance(api_req_t *req);

/** Answers 204 with an empty body. */
api_status_t api_consumer_reply_204(api_req_t *req);

/* --- streamed reads (consumer_stream.c) ------------------------------------------------- */

/** Reads whose answer would be larger than this many bytes are streamed. */
#define API_READ_STREAM_BYTES ((size_t)256 << 10)

/** About the bytes a read of these records (borrowed) of an instance of format takes in its
 * answer, for the answers that can stream (binary, json; 0 for avro, which is decoded whole):
 * one over API_READ_STREAM_BYTES is answered by api_consumer_stream(). */
size_t api_consumer_stream_room(kafka_record_t *const *msgs, size_t n, int format);

/** Answers a read of n records taken from instance c (kafka_consumer_take's take; total: their
 * api_consumer_stream_room): the first piece now (in req->resp), the rest from the worker pool
 * (api_reply_more) when it goes out compressed, else whole. Takes over c's reference and msgs
 * (each record and the array). @return API_DONE. */
api_status_t api_consumer_stream(api_req_t *req, kafka_consumer_t *c, kafka_record_t **msgs,
                                 size_t n, uint64_t take, int format, size_t total);

#endif
