/* bench/native_producer.c -- the baseline for bench/produce: librdkafka used directly, with the
 * producer settings krest uses (acks=all, idempotence, linger.ms=5, murmur2_random, no
 * compression, message.timeout.ms=30000). Produces N messages of S bytes (fixed pseudo-random
 * content, no key) to a topic as fast as it can with at most I messages in flight (or stops
 * producing after T seconds, when T > 0), waits for every delivery report, checks that each one
 * is a success and prints one line:
 *
 *   msgs=N seconds=T msgs_per_s=R mb_per_s=M cpu_s=C cpu_s_per_M=P threads=NAME:S,...
 *
 * threads= gives each thread's CPU-seconds over the measured window (/proc/self/task): the
 * application thread (produce calls, delivery reports) apart from librdkafka's broker threads.
 * MB is 10^6 bytes of values. The clock and the CPU time (getrusage, the whole process: this
 * thread and librdkafka's) start after a warm-up batch (connections and metadata ready) and
 * stop when the last delivery report has been served. The value is copied into each message
 * (RD_KAFKA_MSG_F_COPY), as a program producing from transient buffers would.
 *
 *   native_producer BOOTSTRAP TOPIC COUNT SIZE [INFLIGHT=1000 [SECONDS=0 [key=value ...]]]
 *
 * Extra key=value arguments are passed to librdkafka after the defaults (e.g. linger.ms=0).
 * The in-flight bound matters with librdkafka 2.0.2: with idempotence, ten thousand or more
 * messages queued on one partition make its broker thread busy-poll (a full core for the same
 * msgs/s), so bench/produce bounds the bytes in flight (1 MiB by default).
 * Exit status: 0 when every message was delivered, 1 otherwise, 2 on usage errors. */
#define _GNU_SOURCE
#include <librdkafka/rdkafka.h>

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static uint64_t n_ok;
static uint64_t n_failed;
static rd_kafka_resp_err_t first_err;

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    (void)opaque;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        n_ok++;
        return;
    }
    if (n_failed++ == 0)
        first_err = m->err;
}

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

/* Per-thread CPU: name and seconds of up to MAX_THREADS threads of this process. */
#define MAX_THREADS 64
typedef struct thread_cpu {
    int n;
    long tid[MAX_THREADS];
    char name[MAX_THREADS][32];
    double secs[MAX_THREADS];
} thread_cpu_t;

static void threads_read(thread_cpu_t *t)
{
    t->n = 0;
    DIR *d = opendir("/proc/self/task");
    if (d == NULL)
        return;
    double hz = (double)sysconf(_SC_CLK_TCK);
    struct dirent *e;
    while ((e = readdir(d)) != NULL && t->n < MAX_THREADS) {
        if (e->d_name[0] == '.')
            continue;
        char path[288], line[1024];
        snprintf(path, sizeof(path), "/proc/self/task/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        size_t len = fread(line, 1, sizeof(line) - 1, f);
        fclose(f);
        line[len] = '\0';
        /* "tid (comm) state ..." : comm may hold spaces, fields 14 and 15 follow the ')' */
        char *l = strchr(line, '('), *r = strrchr(line, ')');
        unsigned long ut, st;
        if (l == NULL || r == NULL ||
            sscanf(r + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
            continue;
        int i = t->n++;
        t->tid[i] = strtol(e->d_name, NULL, 10);
        snprintf(t->name[i], sizeof(t->name[i]), "%.*s", (int)(r - l - 1), l + 1);
        for (char *c = t->name[i]; *c; c++)
            if (*c == ' ' || *c == ',' || *c == ':')
                *c = '_';
        t->secs[i] = (double)(ut + st) / hz;
    }
    closedir(d);
}

/* Prints " threads=name:secs,..." for the CPU each thread used between a and b. */
static void threads_print(const thread_cpu_t *a, const thread_cpu_t *b)
{
    printf(" threads=");
    for (int i = 0; i < b->n; i++) {
        double before = 0;
        for (int j = 0; j < a->n; j++)
            if (a->tid[j] == b->tid[i])
                before = a->secs[j];
        printf("%s%s:%.2f", i ? "," : "", b->name[i], b->secs[i] - before);
    }
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
        fprintf(stderr, "native_producer: %s=%s: %s\n", key, value, errstr);
        return -1;
    }
    return 0;
}

/* Produces count messages, at most inflight of them without a delivery report, and stops
 * early at the deadline (now_s() clock; 0: none). Returns how many it produced, or -1. */
static int64_t produce(rd_kafka_t *rk, rd_kafka_topic_t *rkt, const char *value, size_t size,
                       uint64_t count, uint64_t inflight, double deadline)
{
    uint64_t base = n_ok + n_failed;
    uint64_t sent = 0;
    while (sent < count) {
        if (deadline > 0 && (sent & 1023) == 0 && now_s() >= deadline)
            break;
        if (sent - (n_ok + n_failed - base) >= inflight) {
            rd_kafka_poll(rk, 1);
            continue;
        }
        if (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, (void *)value, size,
                             NULL, 0, NULL) == -1) {
            rd_kafka_resp_err_t err = rd_kafka_last_error();
            if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                rd_kafka_poll(rk, 1);
                continue;
            }
            fprintf(stderr, "native_producer: produce: %s\n", rd_kafka_err2str(err));
            while (n_ok + n_failed - base < sent)
                rd_kafka_poll(rk, 100);
            return -1;
        }
        sent++;
        rd_kafka_poll(rk, 0);
    }
    while (n_ok + n_failed - base < sent)
        rd_kafka_poll(rk, 100);
    return (int64_t)sent;
}

int main(int argc, char **argv)
{
    uint64_t count, size, inflight = 1000, seconds = 0;
    if (argc < 5 || parse_u64(argv[3], &count) || parse_u64(argv[4], &size) || count == 0 ||
        (argc > 5 && (parse_u64(argv[5], &inflight) || inflight == 0)) ||
        (argc > 6 && parse_u64(argv[6], &seconds))) {
        fprintf(
            stderr,
            "usage: %s BOOTSTRAP TOPIC COUNT SIZE [INFLIGHT=1000 [SECONDS=0 [key=value ...]]]\n",
            argv[0]);
        return 2;
    }
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (set(conf, "bootstrap.servers", argv[1]) || set(conf, "client.id", "native-producer") ||
        set(conf, "acks", "all") || set(conf, "enable.idempotence", "true") ||
        set(conf, "linger.ms", "5") || set(conf, "partitioner", "murmur2_random") ||
        set(conf, "compression.type", "none") || set(conf, "message.timeout.ms", "30000") ||
        set(conf, "allow.auto.create.topics", "false"))
        return 2;
    for (int i = 7; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (eq == NULL) {
            fprintf(stderr, "native_producer: '%s' is not key=value\n", argv[i]);
            return 2;
        }
        *eq = '\0';
        if (set(conf, argv[i], eq + 1))
            return 2;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    char errstr[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (rk == NULL) {
        fprintf(stderr, "native_producer: %s\n", errstr);
        return 2;
    }
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, argv[2], NULL);

    char *value = malloc(size ? size : 1);
    if (value == NULL)
        return 2;
    uint32_t x = 2463534242u; /* xorshift32: the same bytes on every run */
    for (uint64_t i = 0; i < size; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        value[i] = (char)(x >> 24);
    }

    /* Warm-up: connections, metadata, producer id; not measured. */
    uint64_t warm = count < 1000 ? count : 1000;
    if (produce(rk, rkt, value, size, warm, inflight, 0) < 0)
        return 1;
    if (n_failed) {
        fprintf(stderr, "native_producer: warm-up failed: %s\n", rd_kafka_err2str(first_err));
        return 1;
    }
    n_ok = 0;

    static thread_cpu_t th0, th1;
    threads_read(&th0);
    double t0 = now_s(), c0 = cpu_s();
    int64_t sent =
        produce(rk, rkt, value, size, count, inflight, seconds ? t0 + (double)seconds : 0);
    double t1 = now_s(), c1 = cpu_s();
    threads_read(&th1);
    int rc = sent < 0;

    double secs = t1 - t0, cpu = c1 - c0;
    printf("msgs=%" PRIu64 " seconds=%.3f msgs_per_s=%.0f mb_per_s=%.1f cpu_s=%.3f "
           "cpu_s_per_M=%.3f",
           n_ok, secs, (double)n_ok / secs, (double)n_ok * (double)size / secs / 1e6, cpu,
           n_ok ? cpu / ((double)n_ok / 1e6) : 0.0);
    threads_print(&th0, &th1);
    printf("\n");
    if (n_failed || rc) {
        fprintf(stderr, "native_producer: %" PRIu64 " of %" PRIu64 " not delivered (first: %s)\n",
                n_failed, n_ok + n_failed,
                n_failed ? rd_kafka_err2str(first_err) : "produce error");
        rc = 1;
    }
    rd_kafka_topic_destroy(rkt);
    rd_kafka_flush(rk, 10000);
    rd_kafka_destroy(rk);
    free(value);
    return rc ? 1 : 0;
}
