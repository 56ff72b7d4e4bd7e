/* bench/v3_stream_client.c -- load generator for bench/produce's v3 streaming case: C
 * connections, each one HTTP/1.1 chunked POST …/records that streams BINARY records of SIZE
 * bytes for SECONDS, keeping at most WINDOW records without a result, and reads the results as
 * they come (full duplex). Prints wrk-like "BENCH requests=<200 results> duration_us=… p50_us=…
 * p99_us=… non200=…" (latency: a record's send to its result line), the line bench/produce
 * parses. RATE (optional, records/s over all connections; 0: as fast as the window allows)
 * paces each connection: the records due are sent every millisecond (for the latency at a given
 * load, e.g. half the peak rate).
 *   v3_stream_client HOST PORT PATH SIZE CONNS SECONDS WINDOW [RATE] */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES 2000000

static const char *host, *path;
static int port, size, seconds, window;
static double rate_per_conn; /* records/s per connection; 0: unpaced */
static char *record;         /* one chunk: "<hex>\r\n{...}\r\n" */
static size_t record_len;

typedef struct conn_stats {
    long ok, bad;
    int64_t *lat_us;
    long n_lat;
    int failed;
} conn_stats_t;

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void build_record(void)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = (size_t)(size + 2) / 3 * 4;
    char *data = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        data[i] = b64[(i * 7 + 3) % 64];
    data[n] = '\0';
    char *obj;
    int len = asprintf(&obj, "{\"value\":{\"type\":\"BINARY\",\"data\":\"%s\"}}\n", data);
    record_len = (size_t)asprintf(&record, "%x\r\n%s\r\n", len, obj);
    free(obj);
    free(data);
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Parses the chunked response in buf; calls back per result line. @return bytes consumed, or
 * -2 at the last chunk. */
static long parse(const char *buf, size_t len, conn_stats_t *st, int64_t *sent_at, long *next_res,
                  int *head_done)
{
    size_t pos = 0;
    if (!*head_done) {
        const char *e = memmem(buf, len, "\r\n\r\n", 4);
        if (!e)
            return 0;
        if (strncmp(buf, "HTTP/1.1 200", 12) != 0)
            st->failed = 1;
        pos = (size_t)(e - buf) + 4;
        *head_done = 1;
    }
    for (;;) {
        const char *nl = memmem(buf + pos, len - pos, "\r\n", 2);
        if (!nl)
            return (long)pos;
        size_t sz = strtoul(buf + pos, NULL, 16);
        size_t data = (size_t)(nl - buf) + 2;
        if (sz == 0)
            return -2;
        if (data + sz + 2 > len)
            return (long)pos;
        for (size_t p = data; p < data + sz;) {
            const char *end = memmem(buf + p, data + sz - p, "\r\n", 2);
            size_t l = end ? (size_t)(end - (buf + p)) : data + sz - p;
            if (l >= 17 && memcmp(buf + p, "{\"error_code\":200", 17) == 0)
                st->ok++;
            else
                st->bad++;
            int64_t t = sent_at[*next_res % window];
            if (st->n_lat < MAX_SAMPLES)
                st->lat_us[st->n_lat++] = now_us() - t;
            (*next_res)++;
            p += l + 2;
        }
        pos = data + sz + 2;
    }
}

static void *run(void *arg)
{
    conn_stats_t *st = arg;
    st->lat_us = malloc(sizeof(int64_t) * MAX_SAMPLES);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &sa.sin_addr);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        st->failed = 1;
        return NULL;
    }
    char head[512];
    int hl = snprintf(head, sizeof(head),
                      "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n",
                      path, host);
    send_all(fd, head, (size_t)hl);
    int64_t *sent_at = calloc((size_t)window, sizeof(int64_t));
    long next_send = 0, next_res = 0;
    int head_done = 0, ended = 0;
    size_t cap = 1 << 22, have = 0;
    char *buf = malloc(cap);
    char *out = malloc(record_len * (size_t)window);
    int64_t start = now_us();
    int64_t end_at = start + (int64_t)seconds * 1000000;
    for (;;) {
        int64_t now = now_us();
        if (!ended && now >= end_at) {
            send_all(fd, "0\r\n\r\n", 5);
            ended = 1;
        }
        long due = rate_per_conn > 0 ? (long)((double)(now - start) * rate_per_conn / 1e6) + 1
                                     : next_send + window;
        if (!ended && next_send - next_res < window && next_send < due) {
            size_t n = 0;
            while (next_send - next_res < window && next_send < due) {
                memcpy(out + n, record, record_len);
                n += record_len;
                sent_at[next_send % window] = now;
                next_send++;
            }
            if (send_all(fd, out, n) != 0) {
                st->failed = 1;
                break;
            }
        }
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        if (poll(&pf, 1, rate_per_conn > 0 ? 1 : 100) <= 0)
            continue;
        ssize_t r = recv(fd, buf + have, cap - have, 0);
        if (r <= 0)
            break;
        have += (size_t)r;
        long used = parse(buf, have, st, sent_at, &next_res, &head_done);
        if (used == -2)
            break;
        memmove(buf, buf + used, have - (size_t)used);
        have -= (size_t)used;
    }
    close(fd);
    free(buf);
    free(out);
    free(sent_at);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 8 && argc != 9) {
        fprintf(stderr,
                "usage: v3_stream_client HOST PORT PATH SIZE CONNS SECONDS WINDOW [RATE]\n");
        return 2;
    }
    host = argv[1];
    port = atoi(argv[2]);
    path = argv[3];
    size = atoi(argv[4]);
    int conns = atoi(argv[5]);
    seconds = atoi(argv[6]);
    window = atoi(argv[7]);
    rate_per_conn = argc == 9 && conns > 0 ? atof(argv[8]) / conns : 0;
    build_record();
    pthread_t *t = calloc((size_t)conns, sizeof(pthread_t));
    conn_stats_t *st = calloc((size_t)conns, sizeof(conn_stats_t));
    int64_t t0 = now_us();
    for (int i = 0; i < conns; i++)
        pthread_create(&t[i], NULL, run, &st[i]);
    for (int i = 0; i < conns; i++)
        pthread_join(t[i], NULL);
    int64_t dur = now_us() - t0;
    long ok = 0, bad = 0, n = 0, failed = 0;
    for (int i = 0; i < conns; i++) {
        ok += st[i].ok;
        bad += st[i].bad;
        n += st[i].n_lat;
        failed += st[i].failed;
    }
    int64_t *all = malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
    long k = 0;
    for (int i = 0; i < conns; i++) {
        memcpy(all + k, st[i].lat_us, sizeof(int64_t) * (size_t)st[i].n_lat);
        k += st[i].n_lat;
        free(st[i].lat_us);
    }
    qsort(all, (size_t)n, sizeof(int64_t), cmp);
    printf("BENCH requests=%ld duration_us=%lld bytes=0 p50_us=%lld p99_us=%lld non200=%ld "
           "rec_errors=0 checked=1 status_errors=0 connect=%ld read=0 write=0 timeout=0 "
           "body_bytes=%zu\n",
           ok + bad, (long long)dur, (long long)(n ? all[n / 2] : 0),
           (long long)(n ? all[n * 99 / 100] : 0), bad, failed, record_len);
    free(all);
    free(st);
    free(t);
    free(record);
    return failed ? 1 : 0;
}
