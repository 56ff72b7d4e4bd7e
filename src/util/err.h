/* util/err.h -- krest's error codes and the fixed-size error object every fallible call
 * fills. The KR_ERR_* values *are* the REST API's Confluent error codes (API.md §4.2 and
 * section K); the HTTP status follows from the code (kr_err_http_status).
 * Threads: any. */
#ifndef KR_UTIL_ERR_H
#define KR_UTIL_ERR_H

typedef enum kr_err_code {
    KR_ERR_NONE = 0,
    KR_ERR_BAD_REQUEST = 400,
    KR_ERR_UNAUTHORIZED = 401, /* HTTP authentication (http/auth.c): no or wrong credentials */
    KR_ERR_FORBIDDEN = 403,    /* HTTP authentication: the user has no role allowed */
    KR_ERR_NOT_FOUND = 404,
    KR_ERR_METHOD_NOT_ALLOWED = 405,
    KR_ERR_NOT_ACCEPTABLE = 406,
    KR_ERR_STREAM_TOO_LONG = 408, /* v3 records: a stream past streaming.connection.max.duration */
    KR_ERR_TOO_LARGE = 413,
    KR_ERR_UNSUPPORTED_MEDIA_TYPE = 415,
    KR_ERR_UNPROCESSABLE = 422,
    KR_ERR_RATE_LIMITED =
        429, /* rate.limit.* and krest.rate.limit.per.client.* (http/admission.c) */
    KR_ERR_HEADER_TOO_LARGE = 431,
    KR_ERR_INTERNAL = 500,
    KR_ERR_NOT_IMPLEMENTED = 501, /* v3: what librdkafka 2.0.2 cannot ask Kafka (docs/v3.md) */
    KR_ERR_BAD_GATEWAY = 502,     /* v3: Kafka gave no cluster id (Metadata v2+ needed) */
    KR_ERR_SHUTTING_DOWN = 503,   /* krest's own: a new request while it drains */
    KR_ERR_NOT_READY = 503,       /* krest's own: GET /ready while Kafka or the registry is not */
    KR_ERR_BUSY = 503, /* krest's own: krest.max.buffered.bytes of bodies are buffered already */
    KR_ERR_INVALID_CONSUMER_CONFIG_CONSTRAINT = 40001, /* HTTP 422, Confluent's exception */
    KR_ERR_KAFKA_BAD_REQUEST = 40002,    /* Kafka refused the request as invalid (v3 admin) */
    KR_ERR_KAFKA_AUTHENTICATION = 40101, /* Kafka refused a user's credentials (propagation) */
    KR_ERR_KAFKA_AUTHORIZATION = 40301,
    KR_ERR_TOPIC_NOT_FOUND = 40401,
    KR_ERR_PARTITION_NOT_FOUND = 40402,
    KR_ERR_CONSUMER_INSTANCE_NOT_FOUND = 40403,
    /* v3 only: Kafka's UnknownTopicOrPartition (the same number as the v1/v2 code above,
     * which v3 never uses). */
    KR_ERR_UNKNOWN_TOPIC_OR_PARTITION = 40403,
    KR_ERR_CONSUMER_FORMAT_MISMATCH = 40601,
    KR_ERR_SERIALIZATION = 40801,
    KR_ERR_CONSUMER_ALREADY_SUBSCRIBED = 40901,
    KR_ERR_CONSUMER_ALREADY_EXISTS = 40902,
    KR_ERR_ILLEGAL_STATE = 40903,
    KR_ERR_KEY_SCHEMA_MISSING = 42201,
    KR_ERR_VALUE_SCHEMA_MISSING = 42202,
    KR_ERR_JSON_AVRO_CONVERSION = 42203,
    KR_ERR_INVALID_CONSUMER_CONFIG = 42204,
    KR_ERR_INVALID_SCHEMA = 42205,
    KR_ERR_PAYLOAD = 42206,
    KR_ERR_SERIALIZE = 42207,
    KR_ERR_BATCH = 42208,
    KR_ERR_TOO_MANY_REQUESTS = 42901,
    KR_ERR_KAFKA = 50002,
    KR_ERR_KAFKA_RETRIABLE = 50003,
    KR_ERR_BROKER_NOT_AVAILABLE = 50302,
} kr_err_code_t;

typedef struct kr_err {
    int code;      /* KR_ERR_* */
    char msg[512]; /* NUL-terminated, never empty once set */
} kr_err_t;

/** Sets err (when not NULL) to code and a printf-style message.
 * @return -1 always, so that `return kr_err_set(err, ...)` reads naturally. */
int kr_err_set(kr_err_t *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/** Clears err to KR_ERR_NONE and an empty message. */
void kr_err_clear(kr_err_t *err);
/** @return the HTTP status of a KR_ERR_* code: code/100 for five-digit codes, the code itself
 * for three-digit ones, with Confluent's exception 40001 -> 422. */
int kr_err_http_status(int code);
/** @return Confluent's default message for a code ("HTTP 404 Not Found", ...). */
const char *kr_err_default_message(int code);

#endif
