/* kafka/consumer_seek.c -- one client seek of a consumer instance's partitions, bounded and
 * retried while librdkafka cannot make it yet (see consumer_int.h).
 *
 * DESIGN. rd_kafka_seek_partitions() answers per partition from the partition's handler thread.
 * A partition being assigned (its committed offset still being fetched), revoked by a group
 * rebalance or stopped for a re-assign refuses the seek for a moment (__STATE,
 * __PREV_IN_PROGRESS), and a seek overtaken by a pause, resume or seek made at the same moment
 * is answered __OUTDATED: all are retried until the timeout, so a seek that races a rebalance
 * waits for the partition to fetch again. What still fails at the timeout is a retriable 50003
 * with the reason, or 40903 when the partition left the assignment meanwhile.
 * librdkafka before 2.1.0 (Debian 12 has 2.0.2) waits timeout_ms MICROseconds for the answers
 * (its issue #4230): on a loaded machine the seek then "timed out" after 5 ms while it still
 * happened later. The timeout given is scaled for those versions.
 * Threads: any thread but the kafka loop (it blocks); the caller holds the instance's turn. */
#include "kafka/consumer_int.h"

#include "kafka/errors.h"
#include "util/clock.h"

#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#define SEEK_RETRY_MS 50
/* The first librdkafka version whose seek timeout is in milliseconds (2.1.0-RC1). */
#define SEEK_TIMEOUT_MS_VERSION 0x02010000

/* rd_kafka_seek_partitions() waiting at most wait_ms (at least 1: 0 would not wait at all). */
static rd_kafka_error_t *seek_once(rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts,
                                   int64_t wait_ms)
{
    int64_t t = wait_ms > 0 ? wait_ms : 1;
    if (rd_kafka_version() < SEEK_TIMEOUT_MS_VERSION)
        t *= 1000;
    return rd_kafka_seek_partitions(rk, parts, t > INT_MAX ? INT_MAX : (int)t);
}

/* Whether librdkafka refused a seek for a moment only (see DESIGN). */
static bool transient(rd_kafka_resp_err_t e)
{
    return e == RD_KAFKA_RESP_ERR__STATE || e == RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS ||
           e == RD_KAFKA_RESP_ERR__OUTDATED;
}

int kafka_consumer_seek_err_code(rd_kafka_resp_err_t e)
{
    if (e == RD_KAFKA_RESP_ERR__INVALID_ARG || e == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE)
        return KR_ERR_UNPROCESSABLE;
    if (transient(e))
        return KR_ERR_KAFKA_RETRIABLE;
    int code = kafka_err_code(e);
    return code ? code : KR_ERR_KAFKA;
}

/* A partition still refusing at the timeout: 40903 when it is not assigned any more, else a
 * retriable 50003 that says why. */
static int refused(kafka_consumer_t *c, const rd_kafka_topic_partition_t *p, kr_err_t *err)
{
    rd_kafka_topic_partition_list_t *a = kafka_consumer_query(c, KAFKA_CALL_ASSIGNMENT, err);
    if (a && !rd_kafka_topic_partition_list_find(a, p->topic, p->partition)) {
        rd_kafka_topic_partition_list_destroy(a);
        return kr_err_set(err, KR_ERR_ILLEGAL_STATE,
                          "Illegal state: No current assignment for partition %s-%d", p->topic,
                          p->partition);
    }
    if (a)
        rd_kafka_topic_partition_list_destroy(a);
    return kr_err_set(err, KR_ERR_KAFKA_RETRIABLE,
                      "seek of %s-%d failed: the partition is not fetching yet (an assign or a "
                      "group rebalance is under way: %s); retry",
                      p->topic, p->partition, rd_kafka_err2str(p->err));
}

/* The outcome of the last attempt. */
static int outcome(kafka_consumer_t *c, const rd_kafka_topic_partition_list_t *parts,
                   rd_kafka_error_t *e, int64_t timeout_ms, kr_err_t *err)
{
    if (e) {
        rd_kafka_resp_err_t code = rd_kafka_error_code(e);
        if (code == RD_KAFKA_RESP_ERR__TIMED_OUT)
            kr_err_set(err, kafka_consumer_seek_err_code(code),
                       "seek failed: librdkafka did not confirm it within %lld ms (%s); retry",
                       (long long)timeout_ms, rd_kafka_error_string(e));
        else
            kr_err_set(err, kafka_consumer_seek_err_code(code), "seek failed: %s",
                       rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
        return -1;
    }
    for (int i = 0; i < parts->cnt; i++) {
        const rd_kafka_topic_partition_t *p = &parts->elems[i];
        if (transient(p->err))
            return refused(c, p, err);
        if (p->err)
            return kr_err_set(err, kafka_consumer_seek_err_code(p->err), "seek of %s-%d failed: %s",
                              p->topic, p->partition, rd_kafka_err2str(p->err));
    }
    return 0;
}

int kafka_consumer_seek_bounded(kafka_consumer_t *c, rd_kafka_topic_partition_list_t *parts,
                                int64_t timeout_ms, kr_err_t *err)
{
    int64_t deadline = kr_clock_mono_ms() + timeout_ms;
    rd_kafka_error_t *e = NULL;
    for (;;) {
        for (int i = 0; i < parts->cnt; i++)
            parts->elems[i].err = RD_KAFKA_RESP_ERR_NO_ERROR;
        e = seek_once(c->rk, parts, deadline - kr_clock_mono_ms());
        bool again = false;
        for (int i = 0; !e && i < parts->cnt; i++)
            again = again || transient(parts->elems[i].err);
        if (!again || kr_clock_mono_ms() + SEEK_RETRY_MS >= deadline)
            break;
        usleep(SEEK_RETRY_MS * 1000);
    }
    return outcome(c, parts, e, timeout_ms, err);
}
