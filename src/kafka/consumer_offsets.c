/* kafka/consumer_offsets.c -- a consumer instance's committed offsets and offsets for times
 * (see consumer.h): blocking librdkafka calls, made on worker threads, whose errors go through
 * kafka_err_set (a retriable error is 50003).
 * Threads: worker threads. */
#include "kafka/consumer.h"

#include "kafka/consumer_int.h"
#include "kafka/errors.h"
#include "kafka/tplist_int.h"
#include "util/clock.h"

/* Commits l (NULL: the current positions) through a queue of ours, waiting at most timeout_ms:
 * rd_kafka_commit() waits without a bound. */
static rd_kafka_resp_err_t
commit_bounded(kafka_consumer_t *c, const rd_kafka_topic_partition_list_t *l, int64_t timeout_ms)
{
    rd_kafka_queue_t *q = rd_kafka_queue_new(c->rk);
    rd_kafka_resp_err_t e = rd_kafka_commit_queue(c->rk, l, q, NULL, NULL);
    int64_t deadline = kr_clock_mono_ms() + timeout_ms;
    bool done = e != RD_KAFKA_RESP_ERR_NO_ERROR;
    while (!done) {
        int64_t left = deadline - kr_clock_mono_ms();
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, (int)(left > 0 ? left : 0));
        if (ev && rd_kafka_event_type(ev) == RD_KAFKA_EVENT_OFFSET_COMMIT) {
            e = rd_kafka_event_error(ev);
            done = true;
        } else if (!ev && left <= 0) {
            e = RD_KAFKA_RESP_ERR__TIMED_OUT;
            done = true;
        }
        if (ev)
            rd_kafka_event_destroy(ev);
    }
    rd_kafka_queue_destroy(q);
    return e;
}

int kafka_consumer_commit(kafka_consumer_t *c, const kafka_tp_list_t *offsets, kr_err_t *err)
{
    if (offsets && offsets->cnt == 0)
        return 0;
    int64_t timeout_ms = c->reg->cfg->client_timeout_ms;
    if (kafka_consumer_turn_take(c, timeout_ms, false, err) != 0)
        return -1;
    rd_kafka_topic_partition_list_t *l = NULL;
    if (offsets) {
        rd_kafka_topic_partition_list_t *all = kafka_tp_to_rd(offsets);
        l = kafka_consumer_dedup(all);
        rd_kafka_topic_partition_list_destroy(all);
    }
    rd_kafka_resp_err_t e = commit_bounded(c, l, timeout_ms);
    kafka_consumer_turn_give(c);
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
