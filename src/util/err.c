/* util/err.c -- error codes, HTTP statuses and default messages. Threads: any. */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>

int kr_err_set(kr_err_t *err, int code, const char *fmt, ...)
{
    if (!err)
        return -1;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return -1;
}

void kr_err_clear(kr_err_t *err)
{
    err->code = KR_ERR_NONE;
    err->msg[0] = '\0';
}

int kr_err_http_status(int code)
{
    if (code == KR_ERR_INVALID_CONSUMER_CONFIG_CONSTRAINT)
        return 422;
    if (code >= 10000)
        return code / 100;
    if (code >= 100 && code <= 599)
        return code;
    return 500;
}

const char *kr_err_default_message(int code)
{
    switch (code) {
    case KR_ERR_BAD_REQUEST:
        return "HTTP 400 Bad Request";
    case KR_ERR_NOT_FOUND:
        return "HTTP 404 Not Found";
    case KR_ERR_METHOD_NOT_ALLOWED:
        return "HTTP 405 Method Not Allowed";
    case KR_ERR_NOT_ACCEPTABLE:
        return "HTTP 406 Not Acceptable";
    case KR_ERR_TOO_LARGE:
        return "HTTP 413 Request Entity Too Large";
    case KR_ERR_UNSUPPORTED_MEDIA_TYPE:
        return "HTTP 415 Unsupported Media Type";
    case KR_ERR_UNPROCESSABLE:
        return "HTTP 422 Unprocessable Entity";
    case KR_ERR_RATE_LIMITED:
        return "Request rate limit exceeded: The rate limit of requests per second has been "
               "exceeded.";
    case KR_ERR_HEADER_TOO_LARGE:
        return "HTTP 431 Request Header Fields Too Large";
    case KR_ERR_NOT_IMPLEMENTED:
        return "HTTP 501 Not Implemented";
    case KR_ERR_BAD_GATEWAY:
        return "Kafka protocol version not supported.";
    case KR_ERR_SHUTTING_DOWN:
        return "krest is shutting down; retry on another instance";
    case KR_ERR_KAFKA_BAD_REQUEST:
        return "Kafka refused the request as invalid.";
    case KR_ERR_KAFKA_AUTHENTICATION:
        return "Authentication to Kafka failed.";
    case KR_ERR_KAFKA_AUTHORIZATION:
        return "Not authorized by Kafka.";
    case KR_ERR_TOPIC_NOT_FOUND:
        return "Topic not found.";
    case KR_ERR_PARTITION_NOT_FOUND:
        return "Partition not found.";
    case KR_ERR_CONSUMER_INSTANCE_NOT_FOUND:
        return "Consumer instance not found.";
    case KR_ERR_CONSUMER_FORMAT_MISMATCH:
        return "The requested embedded data format does not match the deserializer for this "
               "consumer instance";
    case KR_ERR_CONSUMER_ALREADY_EXISTS:
        return "Consumer with specified consumer ID already exists in the specified consumer "
               "group.";
    case KR_ERR_TOO_MANY_REQUESTS:
        return "Too many requests: krest's queues are full, retry later.";
    case KR_ERR_BROKER_NOT_AVAILABLE:
        return "Kafka brokers are not available.";
    case KR_ERR_KAFKA:
        return "Kafka error.";
    case KR_ERR_KAFKA_RETRIABLE:
        return "Retriable Kafka error.";
    default:
        return "Internal Server Error";
    }
}
