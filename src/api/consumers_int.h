/* api/consumers_int.h -- what consumers.c, consumer_subscription.c and consumer_read.c share:
 * the path parameters, the instance lookup and small answers (only api/ includes this). May use:
 * kafka/, format/, util/. Threads: HTTP threads. */
#ifndef KR_API_CONSUMERS_INT_H
#define KR_API_CONSUMERS_INT_H

#include "api/api.h"

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

#endif
