/* api/consumers_int.h -- what consumers.c, consumer_subscription.c and consumer_read.c share:
 * the path parameters, the instance lookup and the request body helpers (only api/ includes
 * this). May use: kafka/, format/, util/. Threads: HTTP threads. */
#ifndef KR_API_CONSUMERS_INT_H
#define KR_API_CONSUMERS_INT_H

#include "api/api.h"
#include "util/err.h"

#include <json-c/json.h>

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

/** Parses the request body as a JSON object. @return 0 with *obj the object (owned, put it
 * with json_object_put) or NULL for an empty or null body; -1 with err set (400 for text that
 * is not JSON; not an object: 422 in v1, 400 otherwise). */
int api_consumer_body_object(api_req_t *req, json_object **obj, kr_err_t *err);

/** @return obj's member key (borrowed), or NULL when obj is NULL or the member absent or null. */
json_object *api_consumer_member(json_object *obj, const char *key);

/** @return 0 when every member of obj is in known (NULL-terminated), else -1 with err set to
 * 422 "Unrecognized field: <name>". */
int api_consumer_check_known(api_req_t *req, json_object *obj, const char *const *known,
                             kr_err_t *err);

/** Sets err to a wrong-type error "<field>: <what>" (422 in v1, 400 otherwise). @return -1. */
int api_consumer_type_err(api_req_t *req, kr_err_t *err, const char *field, const char *what);

#endif
