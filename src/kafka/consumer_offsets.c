/* kafka/consumer_offsets.c -- a consumer instance's committed offsets and offsets for times
 * (see consumer.h): blocking librdkafka calls, made on worker threads, whose errors go through
 * kafka_err_set (a retriable error is 50003).
 * Threads: worker threads. */
#include "kafka/consumer.h"

#include "kafka/consumer_int.h"
#include "kafka/errors.h"
#include "kafka/tplist_int.h"
#include "util/clock.h"

#include <string.h>

/* Each partition's own commit error, from the commit's result into l (NULL: nothing to do). */
static void copy_errs(const rd_kafka_topic_partition_list_t *l,
                      const rd_kafka_topic_partition_list_t *res)
{
    for (int i = 0; l && res && i < res->cnt; i++) {
        rd_kafka_topic_partition_t *p =
            rd_kafka_topic_partition_list_find(l, res->elems[i].topic, res->elems[i].partition);
        if (p)
            p->err = res->elems[i].err;
    }
}

/* Commits l (NULL: the current positions) through a queue of ours, waiting at most timeout_ms:
 * rd_kafka_commit() waits without a bound. Each partition's error is copied into l. */
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
            copy_errs(l, rd_kafka_event_topic_partition_list(ev));
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

/* The bound of the metadata request that tells a missing topic from a missing partition. */
#define UNKNOWN_MD_TIMEOUT_MS 5000

static bool unknown_tp(rd_kafka_resp_err_t e)
{
    return e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || e == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
           e == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION;
}

/* A commit the broker refused for an unknown topic or partition: 404/40401 when the cluster
 * has no such topic, else 404/40402 (one metadata request of every topic: naming the topic
 * could create it where the broker auto-creates topics). */
static int unknown_err(kafka_consumer_t *c, const rd_kafka_topic_partition_t *p, kr_err_t *err)
{
    const struct rd_kafka_metadata *md = NULL;
    bool found = false;
    if (rd_kafka_metadata(c->rk, 1, NULL, &md, UNKNOWN_MD_TIMEOUT_MS) == 0 && md) {
        for (int i = 0; i < md->topic_cnt && !found; i++)
            found = strcmp(md->topics[i].topic, p->topic) == 0 && !md->topics[i].err;
        rd_kafka_metadata_destroy(md);
    }
    if (!found)
        return kr_err_set(err, KR_ERR_TOPIC_NOT_FOUND, "Topic %s not found.", p->topic);
    return kr_err_set(err, KR_ERR_PARTITION_NOT_FOUND, "Partition %d of topic %s not found.",
                      (int)p->partition, p->topic);
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
    int rc = 0;
    for (int i = 0; l && e && i < l->cnt && rc == 0; i++)
        if (unknown_tp(l->elems[i].err) || (unknown_tp(e) && l->cnt == 1))
            rc = unknown_err(c, &l->elems[i], err);
    if (l)
        rd_kafka_topic_partition_list_destroy(l);
    if (rc == 0 && e && e != RD_KAFKA_RESP_ERR__NO_OFFSET)
        return kafka_err_set(err, e, "commit failed");
    return rc;
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
