/* bench/consume_client.c -- the load side of bench/consume: reads a topic through krest
 * (libcurl, one keep-alive connection). Creates a consumer instance (a fresh name,
 * auto.offset.reset=earliest), subscribes it to TOPIC, then loops
 * GET .../records?timeout=T&max_bytes=M until COUNT records have come back, deletes the
 * instance and prints one line:
 *
 *   msgs=N seconds=T msgs_per_s=R mb_per_s=M requests=Q resp_mb_per_s=W client_cpu_s=C
 *   client_pct=P krest_cpu_s=K krest_cpu_s_per_M=X krest_pct=Y broker_cpu_s=S broker_pct=Z
 *   idle_pct=I first_ms=F first_records=G extra=E wire_mb_per_s=V wire_ratio=Z
 *
 * Records are counted without parsing JSON, as the body streams in: occurrences of "offset":
 * (krest writes compact JSON, and a binary value is base64, so the pattern only occurs as the
 * member name; the json-format benchmark values are plain strings of 'a'), found by their ':'
 * (see count_cb). No body is kept.
 * The clock starts when the first non-empty response has arrived (the group join and the first
 * fetch are not measured) and the records of that response are not counted:
 * N = COUNT - first_records, as in native_consumer.c. MB are value bytes (N * SIZE, 10^6);
 * resp_mb_per_s is response body bytes. krest's CPU (utime+stime of /proc/PID/stat, when a
 * PID is given) and this process's CPU (getrusage) are taken over the same window. After the
 * count is reached, one more read (timeout 300 ms, not measured) must return no records:
 * extra=E is what it returned (anything but 0: records delivered twice, or the topic holds
 * more than COUNT).
 *
 *   consume_client URL GROUP TOPIC FORMAT COUNT SIZE [pid=P] [broker_pid=B]
 *                  [max_bytes=67108864] [timeout=1000] [ae=gzip,deflate]
 *
 * FORMAT is binary, json or avro; pid is krest's, broker_pid the broker's (its CPU over the same
 * window is printed as broker_cpu_s and broker_pct when given). idle_pct is the machine's idle
 * time over the window (/proc/stat, % of all cores). ae sends that Accept-Encoding on the reads
 * (commas for ", "; libcurl decodes what krest sends; none: no header, as before);
 * wire_mb_per_s is the bytes on the wire (compressed), wire_ratio wire over decoded bytes.
 * Exit status: 0 when exactly COUNT records were read, 1 otherwise, 2 on usage errors. */
#define _GNU_SOURCE
#include <curl/curl.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define PAT     "\"offset\":"
#define PAT_LEN (sizeof(PAT) - 1)

typedef struct counter {
    uint64_t count;     /* occurrences of PAT so far */
    uint64_t bytes;     /* body bytes so far */
    char tail[PAT_LEN]; /* the last PAT_LEN - 1 bytes seen */
    size_t tail_len;
    char err[256]; /* start of a non-record body (errors), for messages */
    size_t err_len;
} counter_t;

/* Whether the PAT_LEN bytes ending at p[i] (a ':') are PAT; bytes before p come from the
 * previous chunk's tail. */
static int pat_ends_at(const counter_t *c, const char *p, size_t i)
{
    if (i + 1 >= PAT_LEN)
        return memcmp(p + i + 1 - PAT_LEN, PAT, PAT_LEN) == 0;
    size_t from_tail = PAT_LEN - (i + 1);
    if (from_tail > c->tail_len)
        return 0;
    return memcmp(c->tail + c->tail_len - from_tail, PAT, from_tail) == 0 &&
           memcmp(p, PAT + from_tail, i + 1) == 0;
}

/* Counts PAT by its last byte: memchr for ':' (vectorised in glibc, and neither base64 nor the
 * benchmark's json values hold one), then a compare of the bytes before it. memmem cost the
 * client ~0.27 us per 1 KiB record, 40% of its CPU, on the cores krest and the broker share. */
static size_t count_cb(char *p, size_t size, size_t nmemb, void *arg)
{
    counter_t *c = arg;
    size_t n = size * nmemb;
    if (c->err_len < sizeof(c->err) - 1) {
        size_t k = sizeof(c->err) - 1 - c->err_len;
        if (k > n)
            k = n;
        memcpy(c->err + c->err_len, p, k);
        c->err_len += k;
        c->err[c->err_len] = '\0';
    }
    c->bytes += n;
    for (const char *s = p, *end = p + n; s < end;) {
        const char *colon = memchr(s, ':', (size_t)(end - s));
        if (!colon)
            break;
        c->count += (uint64_t)pat_ends_at(c, p, (size_t)(colon - p));
        s = colon + 1;
    }
    /* Keep the last PAT_LEN - 1 bytes (with the previous tail when this chunk is shorter). */
    if (n >= PAT_LEN - 1) {
        memcpy(c->tail, p + n - (PAT_LEN - 1), PAT_LEN - 1);
        c->tail_len = PAT_LEN - 1;
    } else {
        char t[2 * PAT_LEN];
        memcpy(t, c->tail, c->tail_len);
        memcpy(t + c->tail_len, p, n);
        size_t tl = c->tail_len + n;
        size_t keep = tl < PAT_LEN - 1 ? tl : PAT_LEN - 1;
        memcpy(c->tail, t + tl - keep, keep);
        c->tail_len = keep;
    }
    return n;
}

static void counter_reset(counter_t *c)
{
    memset(c, 0, sizeof(*c));
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

/* utime + stime of a process, in seconds (0 without a pid). */
static double proc_cpu_s(long pid)
{
    if (pid <= 0)
        return 0;
    char path[64], buf[2048];
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (!p)
        return 0;
    /* After ") ": state(3) ... utime is field 14, stime 15. */
    unsigned long long ut = 0, st = 0;
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return 0;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* The machine's idle and total jiffies (all cores, /proc/stat). */
static void sys_jiffies(double *idle, double *total)
{
    *idle = *total = 0;
    FILE *f = fopen("/proc/stat", "r");
    if (!f)
        return;
    unsigned long long v[10] = {0};
    int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                   &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
    fclose(f);
    for (int i = 0; i < n && i < 8; i++) /* guest times are already in user/nice */
        *total += (double)v[i];
    *idle = (double)(v[3] + v[4]);
}

typedef struct client {
    CURL *h;
    struct curl_slist *json_hdrs;
    struct curl_slist *read_hdrs;
    counter_t body;
} client_t;

/* One request; returns the HTTP status (0 on a transport error). */
static long call(client_t *cl, const char *method, const char *url, const char *body,
                 struct curl_slist *hdrs)
{
    counter_reset(&cl->body);
    curl_easy_setopt(cl->h, CURLOPT_URL, url);
    curl_easy_setopt(cl->h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(cl->h, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(cl->h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(cl->h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    } else {
        curl_easy_setopt(cl->h, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(cl->h, CURLOPT_CUSTOMREQUEST, strcmp(method, "GET") ? method : NULL);
    }
    CURLcode rc = curl_easy_perform(cl->h);
    if (rc != CURLE_OK) {
        fprintf(stderr, "consume_client: %s %s: %s\n", method, url, curl_easy_strerror(rc));
        return 0;
    }
    long status = 0;
    curl_easy_getinfo(cl->h, CURLINFO_RESPONSE_CODE, &status);
    return status;
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

int main(int argc, char **argv)
{
    uint64_t count = 0, size = 0, pid = 0, bpid = 0, max_bytes = 67108864, timeout = 1000;
    char ae[128] = "";
    int bad = argc < 7 || parse_u64(argv[5], &count) || parse_u64(argv[6], &size) || count < 2 ||
              (strcmp(argv[4], "binary") && strcmp(argv[4], "json") && strcmp(argv[4], "avro"));
    for (int i = 7; i < argc && !bad; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq) {
            bad = 1;
            break;
        }
        *eq = '\0';
        if (!strcmp(argv[i], "ae")) {
            snprintf(ae, sizeof(ae), "%s", eq + 1);
            for (char *c = ae; (c = strchr(c, ',')) != NULL; c++)
                *c = ';'; /* a marker: ", " is written below */
            continue;
        }
        uint64_t *dst = !strcmp(argv[i], "pid")          ? &pid
                        : !strcmp(argv[i], "broker_pid") ? &bpid
                        : !strcmp(argv[i], "max_bytes")  ? &max_bytes
                        : !strcmp(argv[i], "timeout")    ? &timeout
                                                         : NULL;
        bad = !dst || parse_u64(eq + 1, dst);
    }
    if (bad) {
        fprintf(stderr,
                "usage: %s URL GROUP TOPIC binary|json|avro COUNT SIZE [pid=P] [broker_pid=B] "
                "[max_bytes=M] [timeout=MS] [ae=gzip,deflate]\n",
                argv[0]);
        return 2;
    }
    const char *url = argv[1], *group = argv[2], *topic = argv[3], *fmt = argv[4];
    curl_global_init(CURL_GLOBAL_DEFAULT);
    client_t cl = {0};
    cl.h = curl_easy_init();
    if (!cl.h)
        return 2;
    curl_easy_setopt(cl.h, CURLOPT_WRITEFUNCTION, count_cb);
    curl_easy_setopt(cl.h, CURLOPT_WRITEDATA, &cl.body);
    curl_easy_setopt(cl.h, CURLOPT_BUFFERSIZE, 512L * 1024);
    curl_easy_setopt(cl.h, CURLOPT_TCP_NODELAY, 1L);
    if (*ae) {
        char list[256] = "";
        for (char *tok = strtok(ae, ";"); tok; tok = strtok(NULL, ";"))
            snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", *list ? ", " : "",
                     tok);
        curl_easy_setopt(cl.h, CURLOPT_ACCEPT_ENCODING, list); /* sent, and decoded */
    }
    curl_easy_setopt(cl.h, CURLOPT_TIMEOUT, 120L);
    cl.json_hdrs = curl_slist_append(NULL, "Content-Type: application/vnd.kafka.v2+json");
    cl.json_hdrs = curl_slist_append(cl.json_hdrs, "Accept: application/vnd.kafka.v2+json");
    char accept[96];
    snprintf(accept, sizeof(accept), "Accept: application/vnd.kafka.%s.v2+json", fmt);
    cl.read_hdrs = curl_slist_append(NULL, accept);

    if (strlen(url) + strlen(group) + strlen(topic) > 800) {
        fprintf(stderr, "consume_client: URL, group or topic too long\n");
        return 2;
    }
    char name[96], u[1200], body[1024];
    snprintf(name, sizeof(name), "bench-%ld-%ld", (long)getpid(), (long)time(NULL));
    snprintf(u, sizeof(u), "%s/consumers/%s", url, group);
    snprintf(body, sizeof(body),
             "{\"name\":\"%s\",\"format\":\"%s\",\"auto.offset.reset\":\"earliest\"}", name, fmt);
    long st = call(&cl, "POST", u, body, cl.json_hdrs);
    if (st != 200) {
        fprintf(stderr, "consume_client: create instance: HTTP %ld: %s\n", st, cl.body.err);
        return 1;
    }
    char base[1024];
    snprintf(base, sizeof(base), "%s/consumers/%s/instances/%s", url, group, name);
    snprintf(u, sizeof(u), "%s/subscription", base);
    snprintf(body, sizeof(body), "{\"topics\":[\"%s\"]}", topic);
    st = call(&cl, "POST", u, body, cl.json_hdrs);
    if (st != 204) {
        fprintf(stderr, "consume_client: subscribe: HTTP %ld: %s\n", st, cl.body.err);
        return 1;
    }

    char rurl[1200];
    snprintf(rurl, sizeof(rurl), "%s/records?timeout=%" PRIu64 "&max_bytes=%" PRIu64, base, timeout,
             max_bytes);
    uint64_t total = 0, first_records = 0, requests = 0, resp_bytes = 0, wire_bytes = 0;
    double start = now_s(), last = start, t0 = 0, c0 = 0, k0 = 0, b0 = 0, first_ms = 0;
    double si0 = 0, st0 = 0, si1 = 0, st1 = 0;
    int rc = 0;
    while (total < count) {
        st = call(&cl, "GET", rurl, NULL, cl.read_hdrs);
        if (st != 200) {
            fprintf(stderr, "consume_client: GET records: HTTP %ld: %s\n", st, cl.body.err);
            rc = 1;
            break;
        }
        uint64_t n = cl.body.count;
        double now = now_s();
        if (t0 == 0) {
            if (n == 0) {
                if (now - start > 20) {
                    fprintf(stderr, "consume_client: no records within 20 s\n");
                    rc = 1;
                    break;
                }
                continue;
            }
            t0 = now;
            c0 = cpu_s();
            k0 = proc_cpu_s((long)pid);
            b0 = proc_cpu_s((long)bpid);
            sys_jiffies(&si0, &st0);
            first_ms = (now - start) * 1000;
            first_records = total = n;
            last = now;
            continue;
        }
        requests++;
        resp_bytes += cl.body.bytes;
        curl_off_t wire = 0;
        curl_easy_getinfo(cl.h, CURLINFO_SIZE_DOWNLOAD_T, &wire);
        wire_bytes += (uint64_t)wire;
        total += n;
        if (n) {
            last = now;
        } else if (now - last > 20) {
            fprintf(stderr, "consume_client: nothing for 20 s after %" PRIu64 " records\n", total);
            rc = 1;
            break;
        }
    }
    double t1 = now_s(), c1 = cpu_s(), k1 = proc_cpu_s((long)pid), b1 = proc_cpu_s((long)bpid);
    sys_jiffies(&si1, &st1);

    long long extra = -1;
    if (rc == 0) {
        snprintf(u, sizeof(u), "%s/records?timeout=300&max_bytes=%" PRIu64, base, max_bytes);
        if (call(&cl, "GET", u, NULL, cl.read_hdrs) == 200)
            extra = (long long)cl.body.count;
        if (total != count || extra != 0) {
            fprintf(stderr,
                    "consume_client: read %" PRIu64 " records of %" PRIu64 ", then %lld more\n",
                    total, count, extra);
            rc = 1;
        }
    }
    call(&cl, "DELETE", base, NULL, cl.json_hdrs);

    if (t0 > 0) {
        uint64_t n = total - first_records;
        double secs = t1 - t0 > 1e-9 ? t1 - t0 : 1e-9;
        double kcpu = k1 - k0, ccpu = c1 - c0;
        printf("msgs=%" PRIu64 " seconds=%.3f msgs_per_s=%.0f mb_per_s=%.1f requests=%" PRIu64
               " resp_mb_per_s=%.1f client_cpu_s=%.3f client_pct=%.0f krest_cpu_s=%.3f "
               "krest_cpu_s_per_M=%.3f krest_pct=%.0f broker_cpu_s=%.3f broker_pct=%.0f "
               "idle_pct=%.0f first_ms=%.0f first_records=%" PRIu64
               " extra=%lld wire_mb_per_s=%.1f wire_ratio=%.3f\n",
               n, secs, (double)n / secs, (double)n * (double)size / secs / 1e6, requests,
               (double)resp_bytes / secs / 1e6, ccpu, ccpu / secs * 100, kcpu,
               n ? kcpu / ((double)n / 1e6) : 0.0, kcpu / secs * 100, b1 - b0,
               (b1 - b0) / secs * 100, st1 > st0 ? (si1 - si0) / (st1 - st0) * 100 : 0.0, first_ms,
               first_records, extra, (double)wire_bytes / secs / 1e6,
               resp_bytes ? (double)wire_bytes / (double)resp_bytes : 0.0);
    } else {
        rc = 1;
    }
    curl_slist_free_all(cl.json_hdrs);
    curl_slist_free_all(cl.read_hdrs);
    curl_easy_cleanup(cl.h);
    curl_global_cleanup();
    return rc;
}
