/* kafka/errors.c -- librdkafka error mapping. Threads: any. */
#include "kafka/errors.h"

int kafka_err_code(rd_kafka_resp_err_t e)
{
    switch (e) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
        return KR_ERR_NONE;
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
        return KR_ERR_BROKER_NOT_AVAILABLE;
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
        return KR_ERR_TOPIC_NOT_FOUND;
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
        return KR_ERR_PARTITION_NOT_FOUND;
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
        return e == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE ? KR_ERR_TOO_LARGE
                                                         : KR_ERR_KAFKA_RETRIABLE;
    case RD_KAFKA_RESP_ERR_THROTTLING_QUOTA_EXCEEDED:
        return KR_ERR_TOO_MANY_REQUESTS;
    default:
        break;
    }
    /* librdkafka has no "is retriable" for a bare code; the broker's retriable errors are
     * the ones the Java client marks RetriableException. */
    switch (e) {
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR:
    case RD_KAFKA_RESP_ERR_FENCED_LEADER_EPOCH:
    case RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH:
    case RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
        return KR_ERR_KAFKA_RETRIABLE;
    default:
        return KR_ERR_KAFKA;
    }
}

int kafka_err_set(kr_err_t *err, rd_kafka_resp_err_t e, const char *what)
{
    int code = kafka_err_code(e);
    if (code == KR_ERR_BROKER_NOT_AVAILABLE)
        return kr_err_set(err, code, "Kafka brokers are not available: %s: %s", what,
                          rd_kafka_err2str(e));
    return kr_err_set(err, code ? code : KR_ERR_KAFKA, "%s: %s", what, rd_kafka_err2str(e));
}

int kafka_err_code_v3(rd_kafka_resp_err_t e)
{
    switch (e) {
    case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
    case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR:
    case RD_KAFKA_RESP_ERR_INVALID_PARTITIONS:
    case RD_KAFKA_RESP_ERR_INVALID_CONFIG:
    case RD_KAFKA_RESP_ERR_INVALID_REQUEST:
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
    case RD_KAFKA_RESP_ERR_SECURITY_DISABLED:
    case RD_KAFKA_RESP_ERR_TOPIC_DELETION_DISABLED:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_INVALID_REPLICA_ASSIGNMENT:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION:
        return KR_ERR_KAFKA_BAD_REQUEST;
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
        return KR_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_DELEGATION_TOKEN_AUTHORIZATION_FAILED:
        return KR_ERR_KAFKA_AUTHORIZATION;
    case RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND:
        return KR_ERR_NOT_FOUND;
    default:
        return kafka_err_code(e);
    }
}

int kafka_err_set_v3(kr_err_t *err, rd_kafka_resp_err_t e, const char *what, const char *msg)
{
    int code = kafka_err_code_v3(e);
    const char *text = msg && *msg ? msg : rd_kafka_err2str(e);
    if (code == KR_ERR_BROKER_NOT_AVAILABLE)
        return kr_err_set(err, code, "Kafka brokers are not available: %s: %s", what, text);
    return kr_err_set(err, code ? code : KR_ERR_KAFKA, "%s: %s", what, text);
}
