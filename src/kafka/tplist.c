/* kafka/tplist.c -- krest's partition lists (see tplist.h, tplist_int.h).
 * Threads: any. */
#include "kafka/tplist.h"

#include "kafka/errors.h"
#include "kafka/tplist_int.h"
#include "util/mem.h"

#include <string.h>

kafka_tp_list_t *kafka_tp_list_new(size_t cap)
{
    kafka_tp_list_t *l = xcalloc(1, sizeof(*l));
    l->_cap = cap ? cap : 1;
    l->elems = xcalloc(l->_cap, sizeof(*l->elems));
    return l;
}

kafka_tp_t *kafka_tp_list_add(kafka_tp_list_t *l, const char *topic, int32_t partition)
{
    if (l->cnt == l->_cap) {
        l->_cap *= 2;
        l->elems = xrealloc(l->elems, l->_cap * sizeof(*l->elems));
    }
    kafka_tp_t *tp = &l->elems[l->cnt++];
    *tp = (kafka_tp_t){
        .topic = xstrdup(topic), .partition = partition, .offset = KAFKA_OFFSET_INVALID};
    return tp;
}

void kafka_tp_list_free(kafka_tp_list_t *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->cnt; i++) {
        xfree(l->elems[i].topic);
        xfree(l->elems[i].metadata);
    }
    xfree(l->elems);
    xfree(l);
}

static void set_metadata(kafka_tp_t *tp, const void *md, size_t len)
{
    xfree(tp->metadata);
    tp->metadata = NULL;
    tp->metadata_len = 0;
    if (!md)
        return;
    tp->metadata = xmalloc(len + 1);
    memcpy(tp->metadata, md, len);
    tp->metadata[len] = '\0';
    tp->metadata_len = len;
}

rd_kafka_topic_partition_list_t *kafka_tp_to_rd(const kafka_tp_list_t *l)
{
    rd_kafka_topic_partition_list_t *rl =
        rd_kafka_topic_partition_list_new(l && l->cnt ? (int)l->cnt : 1);
    for (size_t i = 0; l && i < l->cnt; i++) {
        const kafka_tp_t *tp = &l->elems[i];
        rd_kafka_topic_partition_t *rp =
            rd_kafka_topic_partition_list_add(rl, tp->topic, tp->partition);
        rp->offset = tp->offset;
        if (tp->metadata) {
            /* librdkafka frees it with the list (free()); xmalloc allocates with malloc. */
            rp->metadata = xmalloc(tp->metadata_len + 1);
            memcpy(rp->metadata, tp->metadata, tp->metadata_len + 1);
            rp->metadata_size = tp->metadata_len;
        }
    }
    return rl;
}

kafka_tp_list_t *kafka_tp_from_rd(const rd_kafka_topic_partition_list_t *rl)
{
    kafka_tp_list_t *l = kafka_tp_list_new(rl && rl->cnt > 0 ? (size_t)rl->cnt : 1);
    for (int i = 0; rl && i < rl->cnt; i++)
        kafka_tp_list_add(l, rl->elems[i].topic, rl->elems[i].partition);
    kafka_tp_copy_back(l, rl);
    return l;
}

void kafka_tp_copy_back(kafka_tp_list_t *l, const rd_kafka_topic_partition_list_t *rl)
{
    for (size_t i = 0; rl && i < l->cnt && i < (size_t)rl->cnt; i++) {
        const rd_kafka_topic_partition_t *rp = &rl->elems[i];
        l->elems[i].offset = rp->offset;
        l->elems[i].err = rp->err ? kafka_err_code(rp->err) : 0;
        set_metadata(&l->elems[i], rp->metadata, rp->metadata_size);
    }
}
