/* bench/native_admin.c -- the baseline for bench/v3's create latency: librdkafka's Admin API
 * used directly. Creates COUNT topics PREFIX-0 .. PREFIX-<COUNT-1> one after the other
 * (rd_kafka_CreateTopics, PARTITIONS partitions, replication factor 1, operation and request
 * timeout TIMEOUT_MS as krest sets them), each timed from the call to its result event, then
 * deletes them (not timed) and prints one line:
 *
 *   n=N median_ms=M p90_ms=P min_ms=A max_ms=B
 *
 * The handle is created and connected first (a metadata request), so connecting is not
 * measured, as krest's admin handle is connected before the first request.
 *
 *   native_admin BOOTSTRAP PREFIX COUNT [PARTITIONS=1] [TIMEOUT_MS=30000]
 *
 * Exit status: 0 when every topic was created, 1 on a Kafka error, 2 on usage errors. */
#define _GNU_SOURCE
#include <librdkafka/rdkafka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static rd_kafka_t *connect_admin(const char *bootstrap)
{
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK) {
        fprintf(stderr, "native_admin: %s\n", errstr);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (!rk) {
        fprintf(stderr, "native_admin: %s\n", errstr);
        return NULL;
    }
    const struct rd_kafka_metadata *md = NULL;
    if (rd_kafka_metadata(rk, 0, NULL, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "native_admin: no metadata from %s\n", bootstrap);
        rd_kafka_destroy(rk);
        return NULL;
    }
    rd_kafka_metadata_destroy(md);
    return rk;
}

/* Creates one topic and waits for its result. @return 0, or -1 (message printed). */
static int create_one(rd_kafka_t *rk, rd_kafka_queue_t *q, const char *name, int partitions,
                      int timeout_ms)
{
    char errstr[512];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(name, partitions, 1, errstr, sizeof(errstr));
    if (!nt) {
        fprintf(stderr, "native_admin: %s\n", errstr);
        return -1;
    }
    rd_kafka_AdminOptions_t *opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(opts, timeout_ms, errstr, sizeof(errstr));
    rd_kafka_AdminOptions_set_operation_timeout(opts, timeout_ms, errstr, sizeof(errstr));
    rd_kafka_CreateTopics(rk, &nt, 1, opts, q);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, timeout_ms + 5000);
    int rc = -1;
    if (!ev) {
        fprintf(stderr, "native_admin: %s: no result\n", name);
        return -1;
    }
    size_t n = 0;
    const rd_kafka_topic_result_t **res =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    if (rd_kafka_event_error(ev))
        fprintf(stderr, "native_admin: %s: %s\n", name, rd_kafka_event_error_string(ev));
    else if (n == 1 && rd_kafka_topic_result_error(res[0]))
        fprintf(stderr, "native_admin: %s: %s\n", name, rd_kafka_topic_result_error_string(res[0]));
    else
        rc = 0;
    rd_kafka_event_destroy(ev);
    return rc;
}

static void delete_all(rd_kafka_t *rk, rd_kafka_queue_t *q, const char *prefix, int count)
{
    rd_kafka_DeleteTopic_t **dts = calloc((size_t)count, sizeof(*dts));
    for (int i = 0; i < count; i++) {
        char name[256];
        snprintf(name, sizeof(name), "%s-%d", prefix, i);
        dts[i] = rd_kafka_DeleteTopic_new(name);
    }
    rd_kafka_DeleteTopics(rk, dts, (size_t)count, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 30000);
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_DeleteTopic_destroy_array(dts, (size_t)count);
    free(dts);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: native_admin BOOTSTRAP PREFIX COUNT [PARTITIONS] [TIMEOUT_MS]\n");
        return 2;
    }
    const char *prefix = argv[2];
    int count = atoi(argv[3]);
    int partitions = argc > 4 ? atoi(argv[4]) : 1;
    int timeout_ms = argc > 5 ? atoi(argv[5]) : 30000;
    if (count <= 0 || partitions <= 0 || timeout_ms <= 0)
        return 2;
    rd_kafka_t *rk = connect_admin(argv[1]);
    if (!rk)
        return 1;
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    double *ms = calloc((size_t)count, sizeof(*ms));
    int rc = 0;
    for (int i = 0; i < count && rc == 0; i++) {
        char name[256];
        snprintf(name, sizeof(name), "%s-%d", prefix, i);
        double t0 = now_ms();
        rc = create_one(rk, q, name, partitions, timeout_ms) == 0 ? 0 : 1;
        ms[i] = now_ms() - t0;
    }
    delete_all(rk, q, prefix, count);
    if (rc == 0) {
        qsort(ms, (size_t)count, sizeof(*ms), cmp_double);
        /* Nearest rank: the ceil(q*n)-th smallest. */
        printf("n=%d median_ms=%.2f p90_ms=%.2f min_ms=%.2f max_ms=%.2f\n", count,
               ms[(count + 1) / 2 - 1], ms[(9 * count + 9) / 10 - 1], ms[0], ms[count - 1]);
    }
    free(ms);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
    return rc;
}
