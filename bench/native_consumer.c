/* bench/native_consumer.c -- the baseline for bench/consume: librdkafka used directly. Assigns
 * every partition of a topic from the beginning (no group join: a fresh group.id, nothing
 * committed), consumes COUNT messages with rd_kafka_consumer_poll as fast as it can and prints
 * one line:
 *
 *   msgs=N bytes=B seconds=T msgs_per_s=R mb_per_s=M cpu_s=C cpu_s_per_M=P first_ms=F
 *
 * The clock and the CPU time (getrusage, the whole process: this thread and librdkafka's) start
 * when the first message arrives (so connecting and the first fetch round trip are not
 * measured) and stop at the COUNT-th; N, B and the rates count the messages after the first
 * (N = COUNT - 1). B and MB are key+value bytes (MB = 10^6 bytes). first_ms is the time from
 * rd_kafka_new to the first message.
 *
 *   native_consumer BOOTSTRAP TOPIC COUNT [key=value ...]
 *
 * librdkafka's defaults apply (the consumer a program would write), with
 * enable.partition.eof=false, enable.auto.commit=false and one change for speed:
 * queued.min.messages=1000000, so that prefetching is bounded by queued.max.messages.kbytes
 * (64 MiB) alone. With librdkafka 2.0.2's default of 100000 messages per partition, 100-byte
 * records stall the fetcher whenever that count is reached (measured on one partition: 0.5 to
 * 1.3 M msgs/s from run to run, against a steady 2.6 to 2.9 M). Extra key=value arguments are
 * passed to librdkafka after these (e.g. queued.max.messages.kbytes=4096
 * fetch.max.bytes=4194304, which are krest's per-instance settings at its default
 * krest.consumer.buffer.bytes, or queued.min.messages=100000 for the plain default).
 * Exit status: 0 when COUNT messages were read, 1 when the topic ran dry (nothing for 10 s) or
 * on a consumer error, 2 on usage errors. */
#define _GNU_SOURCE
#include <librdkafka/rdkafka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s == '\0' || *s == '-' || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

static int set(rd_kafka_conf_t *conf, const char *key, const char *value)
{
    char errstr[512];
    if (rd_kafka_conf_set(conf, key, value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "native_consumer: %s=%s: %s\n", key, value, errstr);
        return -1;
    }
    return 0;
}

/* Every partition of the topic, at the beginning; NULL (and a message) when the topic is
 * unknown. */
static rd_kafka_topic_partition_list_t *all_partitions(rd_kafka_t *rk, const char *topic)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
    rd_kafka_topic_destroy(rkt);
    if (err) {
        fprintf(stderr, "native_consumer: metadata: %s\n", rd_kafka_err2str(err));
        return NULL;
    }
    rd_kafka_topic_partition_list_t *parts = NULL;
    if (md->topic_cnt != 1 || md->topics[0].err || md->topics[0].partition_cnt == 0) {
        fprintf(stderr, "native_consumer: topic %s: %s\n", topic,
                md->topic_cnt == 1 ? rd_kafka_err2str(md->topics[0].err) : "not found");
    } else {
        parts = rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
        for (int i = 0; i < md->topics[0].partition_cnt; i++)
            rd_kafka_topic_partition_list_add(parts, topic, md->topics[0].partitions[i].id)
                ->offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    rd_kafka_metadata_destroy(md);
    return parts;
}

int main(int argc, char **argv)
{
    uint64_t count;
    if (argc < 4 || parse_u64(argv[3], &count) || count < 2) {
        fprintf(stderr, "usage: %s BOOTSTRAP TOPIC COUNT(>=2) [key=value ...]\n", argv[0]);
        return 2;
    }
    char group[64];
    snprintf(group, sizeof(group), "native-consumer-%ld-%ld", (long)getpid(), (long)time(NULL));
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (set(conf, "bootstrap.servers", argv[1]) || set(conf, "client.id", "native-consumer") ||
        set(conf, "group.id", group) || set(conf, "enable.auto.commit", "false") ||
        set(conf, "enable.partition.eof", "false") || set(conf, "auto.offset.reset", "earliest") ||
        set(conf, "allow.auto.create.topics", "false") ||
        set(conf, "queued.min.messages", "1000000"))
        return 2;
    for (int i = 4; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (eq == NULL) {
            fprintf(stderr, "native_consumer: '%s' is not key=value\n", argv[i]);
            return 2;
        }
        *eq = '\0';
        if (set(conf, argv[i], eq + 1))
            return 2;
    }
    char errstr[512];
    double start = now_s();
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    if (rk == NULL) {
        fprintf(stderr, "native_consumer: %s\n", errstr);
        return 2;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *parts = all_partitions(rk, argv[2]);
    if (parts == NULL) {
        rd_kafka_destroy(rk);
        return 1;
    }
    rd_kafka_resp_err_t err = rd_kafka_assign(rk, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    if (err) {
        fprintf(stderr, "native_consumer: assign: %s\n", rd_kafka_err2str(err));
        rd_kafka_destroy(rk);
        return 1;
    }

    uint64_t seen = 0, bytes = 0;
    double t0 = 0, c0 = 0, last = now_s();
    int rc = 0;
    while (seen < count) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (m == NULL) {
            if (now_s() - last > 10.0) {
                fprintf(stderr, "native_consumer: nothing for 10 s after %" PRIu64 " messages\n",
                        seen);
                rc = 1;
                break;
            }
            continue;
        }
        if (m->err) {
            fprintf(stderr, "native_consumer: %s\n", rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            rc = 1;
            break;
        }
        if (seen++ == 0) {
            t0 = now_s();
            c0 = cpu_s();
        } else {
            bytes += m->len + m->key_len;
        }
        rd_kafka_message_destroy(m);
        if ((seen & 1023) == 0)
            last = now_s();
    }
    double t1 = now_s(), c1 = cpu_s();
    uint64_t n = seen > 1 ? seen - 1 : 0;
    double secs = t1 - t0, cpu = c1 - c0;
    if (seen > 0 && secs > 0)
        printf("msgs=%" PRIu64 " bytes=%" PRIu64 " seconds=%.3f msgs_per_s=%.0f mb_per_s=%.1f "
               "cpu_s=%.3f cpu_s_per_M=%.3f first_ms=%.0f\n",
               n, bytes, secs, (double)n / secs, (double)bytes / secs / 1e6, cpu,
               n ? cpu / ((double)n / 1e6) : 0.0, (t0 - start) * 1000);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return rc;
}
