/* util/metrics_kafka.c -- librdkafka's own figures per handle, as its statistics callback
 * gives them (kafka/stats.c parses the JSON and calls kr_metrics_handle_update()).
 * A fixed table of KR_METRICS_MAX_HANDLES slots keyed by handle name; a slot whose figures are
 * older than stats_max_age_ms is not written and may be taken by another handle (a consumer
 * instance that went away). Topic labels (krest.metrics.topic.labels) come from a table of
 * KR_METRICS_MAX_TOPICS names; later topics are "other".
 * Threads: g_lock guards every static here; updates come every statistics interval from
 * librdkafka's callbacks, and scrapes read; no request path takes it. */
#include "util/metrics.h"

#include "util/clock.h"
#include "util/metrics_int.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define NAME_MAX_LEN 128
#define OTHER_TOPIC  KR_METRICS_MAX_TOPICS

typedef struct lag_entry {
    uint16_t topic; /* index into g_topics, OTHER_TOPIC for "other" */
    int32_t partition;
    int64_t lag;
} lag_entry_t;

typedef struct handle_slot {
    char name[NAME_MAX_LEN]; /* "" : free */
    char type[16];
    int64_t updated_ms;
    int64_t msg_cnt, inflight;
    double rtt_avg_s;
    lag_entry_t lags[KR_METRICS_MAX_LAGS];
    size_t n_lags;
} handle_slot_t;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static handle_slot_t g_handles[KR_METRICS_MAX_HANDLES]; /* g_lock */
static char *g_topics[KR_METRICS_MAX_TOPICS];           /* g_lock; owned, never freed */
static size_t g_n_topics;                               /* g_lock */

static bool stale(const handle_slot_t *s, int64_t now)
{
    return now - s->updated_ms > g_metrics_opts.stats_max_age_ms;
}

/* The slot of name: its own, else a free or stale one. Lock held. @return NULL when full. */
static handle_slot_t *find_slot(const char *name, int64_t now)
{
    handle_slot_t *spare = NULL;
    for (size_t i = 0; i < KR_METRICS_MAX_HANDLES; i++) {
        handle_slot_t *s = &g_handles[i];
        if (strncmp(s->name, name, NAME_MAX_LEN - 1) == 0 && s->name[0])
            return s;
        if (!spare && (!s->name[0] || stale(s, now)))
            spare = s;
    }
    return spare;
}

/* Lock held. */
static uint16_t topic_index(const char *topic)
{
    for (size_t i = 0; i < g_n_topics; i++) {
        if (strcmp(g_topics[i], topic) == 0)
            return (uint16_t)i;
    }
    if (g_n_topics == KR_METRICS_MAX_TOPICS)
        return OTHER_TOPIC;
    g_topics[g_n_topics] = xstrdup(topic);
    return (uint16_t)g_n_topics++;
}

/* Adds one partition's lag; partitions of "other" topics with the same number are summed.
 * Lock held. */
static void add_lag(handle_slot_t *s, const kr_metrics_lag_t *l)
{
    uint16_t t = topic_index(l->topic);
    for (size_t i = 0; t == OTHER_TOPIC && i < s->n_lags; i++) {
        if (s->lags[i].topic == t && s->lags[i].partition == l->partition) {
            s->lags[i].lag += l->lag;
            return;
        }
    }
    if (s->n_lags < KR_METRICS_MAX_LAGS)
        s->lags[s->n_lags++] = (lag_entry_t){t, l->partition, l->lag};
}

void kr_metrics_handle_update(const kr_metrics_handle_t *h)
{
    if (!kr_metrics_enabled())
        return;
    int64_t now = kr_clock_mono_ms();
    pthread_mutex_lock(&g_lock);
    handle_slot_t *s = find_slot(h->name, now);
    if (s) {
        snprintf(s->name, sizeof(s->name), "%s", h->name);
        snprintf(s->type, sizeof(s->type), "%s", h->type);
        s->updated_ms = now;
        s->msg_cnt = h->msg_cnt;
        s->inflight = h->inflight;
        s->rtt_avg_s = h->rtt_avg_s;
        s->n_lags = 0;
        for (size_t i = 0; g_metrics_opts.topic_labels && i < h->n_lags; i++)
            add_lag(s, &h->lags[i]);
    }
    pthread_mutex_unlock(&g_lock);
}

static void series_start(kr_buf_t *out, const char *family, const handle_slot_t *s)
{
    kr_buf_printf(out, "%s{client=\"", family);
    metrics_label(out, s->name);
    kr_buf_printf(out, "\",type=\"%s\"", s->type);
}

/* Lock held. */
static void write_lags(kr_buf_t *out, int64_t now)
{
    metrics_family(out, "krest_kafka_consumer_lag", "gauge",
                   "Consumer lag per partition, from librdkafka's statistics (topic labels on).");
    for (size_t i = 0; i < KR_METRICS_MAX_HANDLES; i++) {
        const handle_slot_t *s = &g_handles[i];
        if (!s->name[0] || stale(s, now))
            continue;
        for (size_t k = 0; k < s->n_lags; k++) {
            const lag_entry_t *l = &s->lags[k];
            series_start(out, "krest_kafka_consumer_lag", s);
            kr_buf_puts(out, ",topic=\"");
            metrics_label(out, l->topic == OTHER_TOPIC ? "other" : g_topics[l->topic]);
            kr_buf_printf(out, "\",partition=\"%d\"} %lld\n", l->partition, (long long)l->lag);
        }
    }
}

void metrics_write_handles(kr_buf_t *out)
{
    static const struct {
        const char *name, *help;
    } fam[] = {
        {"krest_kafka_queue_messages", "Messages in a librdkafka handle's queues (msg_cnt)."},
        {"krest_kafka_inflight_requests",
         "Requests of a librdkafka handle waiting to be sent or answered, all brokers."},
        {"krest_kafka_broker_rtt_seconds",
         "Mean of the brokers' average round-trip times of a librdkafka handle."},
    };
    int64_t now = kr_clock_mono_ms();
    pthread_mutex_lock(&g_lock);
    for (size_t f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
        metrics_family(out, fam[f].name, "gauge", fam[f].help);
        for (size_t i = 0; i < KR_METRICS_MAX_HANDLES; i++) {
            const handle_slot_t *s = &g_handles[i];
            if (!s->name[0] || stale(s, now) || (f == 2 && s->rtt_avg_s < 0))
                continue;
            series_start(out, fam[f].name, s);
            if (f == 0)
                kr_buf_printf(out, "} %lld\n", (long long)s->msg_cnt);
            else if (f == 1)
                kr_buf_printf(out, "} %lld\n", (long long)s->inflight);
            else
                kr_buf_printf(out, "} %.6f\n", s->rtt_avg_s);
        }
    }
    write_lags(out, now);
    pthread_mutex_unlock(&g_lock);
}
