/* kafka/consumer_offsets.c -- a consumer instance's committed offsets and offsets for times
 * (see consumer.h): blocking librdkafka calls, made on worker threads, whose errors go through
 * kafka_err_set (a retriable error is 50003).
 * Threads: worker threads. */
#include "kafka/consumer.h"

#include "kafka/consumer_int.h"
#include "kafka/errors.h"
#include "kafka/tplist_int.h"

int kafka_consumer_commit(kafka_consumer_t *c, const kafka_tp_list_t *offsets, kr_err_t *err)
{
    if (offsets && offsets->cnt == 0)
        return 0;
    rd_kafka_topic_partition_list_t *l = offsets ? kafka_tp_to_rd(offsets) : NULL;
    rd_kafka_resp_err_t e = rd_kafka_commit(c->rk, l, 0);
    if (l)
        rd_kafka_topic_partition_list_destroy(l);
    if (e && e != RD_KAFKA_RESP_ERR__NO_OFFSET)
        return kafka_err_set(err, e, "commit failed");
    return 0;
}

int kafka_consumer_committed(kafka_consumer_t *c, kafka_tp_list_t *parts, int64_t timeout_ms,
                             kr_err_t *err)
{
    rd_kafka_topic_partition_list_t *l = kafka_tp_to_rd(parts);
    rd_kafka_resp_err_t e = rd_kafka_committed(c->rk, l, (int)timeout_ms);
    if (!e)
        kafka_tp_copy_back(parts, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (e)
        return kafka_err_set(err, e, "committed offsets");
    return 0;
}

int kafka_consumer_offsets_for_times(kafka_consumer_t *c, kafka_tp_list_t *parts,
                                     int64_t timeout_ms, kr_err_t *err)
{
    rd_kafka_topic_partition_list_t *l = kafka_tp_to_rd(parts);
    rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(c->rk, l, (int)timeout_ms);
    if (!e)
        kafka_tp_copy_back(parts, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (e)
        return kafka_err_set(err, e, "offsets for times failed");
    return 0;
}
