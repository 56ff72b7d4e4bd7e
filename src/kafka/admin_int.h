/* kafka/admin_int.h -- what the admin families (admin_topics.c, admin_configs.c, ...) share
 * with the core (admin.c): the request object and the helpers that issue and complete it.
 * May use: util/, librdkafka. Threads: see each function. */
#ifndef KR_KAFKA_ADMIN_INT_H
#define KR_KAFKA_ADMIN_INT_H

#include "kafka/admin.h"

#include <librdkafka/rdkafka.h>

typedef struct admin_op admin_op_t;

/** Handles the result event of op's librdkafka request, on the loop thread: it must end with
 * admin_op_done(), or issue the next step of op with the same op as opaque. The event is
 * destroyed by the caller. */
typedef void (*admin_event_fn)(admin_op_t *op, rd_kafka_event_t *ev);

/** One call of the public API, in flight from admin_op_new() to admin_op_done(). */
struct admin_op {
    kafka_admin_t *a;
    admin_event_fn on_event;
    kafka_admin_cb cb;
    void *arg;
    int64_t deadline_ms;             /* monotonic */
    void *state;                     /* the family's own, freed with state_free */
    void (*state_free)(void *state); /* may be NULL */
    kr_err_t deferred;               /* admin_op_defer_fail's error */
    admin_op_t *next;                /* in the deferred list */
};

/** Reserves a slot for a request. @return owned op (issue it, or admin_op_cancel), or NULL
 * with err 503 (shutting down) or 42901 (too many in flight). Any thread. */
admin_op_t *admin_op_new(kafka_admin_t *a, admin_event_fn on_event, kafka_admin_cb cb, void *arg,
                         int64_t timeout_ms, kr_err_t *err);

/** Frees an op that was never issued; its callback never runs. */
void admin_op_cancel(admin_op_t *op);

/** Calls op's callback with result (handed to it) or err, then frees op. Loop thread. */
void admin_op_done(admin_op_t *op, void *result, const kr_err_t *err);

/** Ends op with err from the loop thread soon (for a call that found, after accepting op, that
 * it cannot issue it: the callback must not run on the caller's thread). Any thread. */
void admin_op_defer_fail(admin_op_t *op, const kr_err_t *err);

/** admin_op_done() with an error. */
void admin_op_fail(admin_op_t *op, const kr_err_t *err);

/** @return new options for a request of kind with op as opaque, the request timeout set to
 * what is left of op's deadline (and the operation timeout for the kinds that wait on the
 * broker), validate_only set when asked. Owned: rd_kafka_AdminOptions_destroy after the call. */
rd_kafka_AdminOptions_t *admin_options(admin_op_t *op, rd_kafka_admin_op_t kind,
                                       bool validate_only);

/** @return the milliseconds left before op's deadline (at least 1). */
int admin_left_ms(const admin_op_t *op);

/** @return true once kafka_admin_free began (a chained op stops before its next step). */
bool admin_closing(kafka_admin_t *a);

/** @return the admin handle and the result queue of a. */
rd_kafka_t *admin_rk(const kafka_admin_t *a);
rd_kafka_queue_t *admin_queue(const kafka_admin_t *a);

/** Checks the request-level error of a result event (timeouts, no broker, bad arguments).
 * @return 0 when there is none, else -1 with err set ("<what>: ..."; 50302 when timed out). */
int admin_event_err(rd_kafka_event_t *ev, const char *what, kr_err_t *err);

/** Sets an item's err (a topic's, a resource's) from Kafka's code and message (msg may be NULL:
 * librdkafka's text), with the v3 mapping and no prefix; clears it for no error. */
void admin_item_err(kr_err_t *err, rd_kafka_resp_err_t e, const char *msg);

/** @return a result with n items named after names[] (copied), their errors cleared. */
kafka_admin_items_t *admin_items_new(const char *const *names, size_t n);

/** Caches the cluster's auto.create.topics.enable for kafka_admin_auto_create_peek(). Any
 * thread. */
void admin_auto_create_store(kafka_admin_t *a, bool enabled);

/** Sets err from a librdkafka error object (NULL: clears err). */
void admin_error_set(kr_err_t *err, const rd_kafka_error_t *e, const char *what);

#endif
