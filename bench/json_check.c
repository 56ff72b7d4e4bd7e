/* bench/json_check.c -- how fast a consumed record's JSON is checked: fmt_json_check() (the
 * produce decoder's scanner) against fmt_json_valid() (the consume path's validator), in MB/s of
 * JSON text, on the values bench/consume reads:
 *   jsonobj  1 KiB orders as bench/consume's "jsonobj" fill makes them (~860 bytes compact: an
 *            order id, a customer, a status and items of sku/qty/price)
 *   spaced   the same orders with a space after each ':' and ',' (Python's json.dumps())
 *   string   a 1 KiB JSON string "aaa..." (bench/consume's "json")
 *   base64   a 1 KiB JSON string of base64 text
 *   utf8     a 1 KiB JSON string of mixed ASCII and 2-, 3- and 4-byte UTF-8
 * Each figure is the best of BENCH_RUNS (5) passes of about 0.2 s, taking turns;
 * BENCH_VALUES="jsonobj utf8" measures only those. Built by CMake as build/bench/json_check; run it
 * alone (it is single-threaded). Threads: main only. */
#include "format/json_scan.h"
#include "format/json_valid.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { NVALUES = 1000, SIZE = 1024 };

typedef struct value {
    char text[2 * SIZE];
    size_t len;
} value_t;

static unsigned rnd_state = 1;

static unsigned rnd(unsigned n)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 8) % n;
}

static void put(value_t *v, const char *s)
{
    size_t n = strlen(s);
    memcpy(v->text + v->len, s, n);
    v->len += n;
}

/* An order as bench/consume's fill writes it: items are added while Python's spaced
 * json.dumps() (a space after each ':' and ',') is shorter than SIZE - 60; the value is the
 * compact form. */
static void make_order(value_t *v, unsigned i)
{
    static const char *status[] = {"new", "paid", "shipped"};
    char s[160];
    snprintf(s, sizeof(s), "{\"order_id\":%u,\"customer\":\"customer-%u\",\"status\":\"%s\"",
             100000 + i, rnd(500), status[rnd(3)]);
    v->len = 0;
    put(v, s);
    put(v, ",\"items\":[");
    size_t seps = 4, items = 0; /* ':' and ',' so far; the spaced form has one more byte each */
    while (v->len + 2 + seps < SIZE - 60) {
        snprintf(s, sizeof(s), "%s{\"sku\":\"SKU-%u\",\"qty\":%u,\"price\":%u}", items ? "," : "",
                 rnd(50), 1 + rnd(4), 100 + rnd(4900));
        put(v, s);
        seps += 5 + (items > 0);
        items++;
    }
    put(v, "]}");
}

/* The order as Python's json.dumps() writes it by default: a space after each ':' and ','. */
static void add_spaces(value_t *v)
{
    char out[sizeof(v->text)];
    size_t n = 0;
    for (size_t i = 0; i < v->len && n + 2 <= sizeof(out); i++) {
        out[n++] = v->text[i];
        if (v->text[i] == ':' || v->text[i] == ',')
            out[n++] = ' ';
    }
    memcpy(v->text, out, n);
    v->len = n;
}

/* A JSON string of SIZE bytes in all: the quotes and SIZE - 2 bytes of content from gen. */
static void make_string(value_t *v, int kind)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static const char *utf8[] = {"a", "b", " ", "\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x98\x80"};
    v->len = 0;
    put(v, "\"");
    while (v->len < SIZE - 1 - 4) {
        if (kind == 0) {
            v->text[v->len++] = 'a';
        } else if (kind == 1) {
            v->text[v->len++] = b64[rnd(64)];
        } else {
            put(v, utf8[rnd(6)]);
        }
    }
    while (v->len < SIZE - 1)
        v->text[v->len++] = 'a';
    put(v, "\"");
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool by_check(const char *s, size_t n)
{
    kr_err_t err;
    return fmt_json_check(s, n, &err) == 0;
}

/* MB/s of one pass of about 0.2 s over the values with f. */
static double pass(bool (*f)(const char *, size_t), const value_t *vals)
{
    size_t bytes = 0;
    for (int i = 0; i < NVALUES; i++)
        bytes += vals[i].len;
    size_t done = 0, ok = 0;
    double t0 = now(), t = t0;
    while (t - t0 < 0.2) {
        for (int i = 0; i < NVALUES; i++)
            ok += f(vals[i].text, vals[i].len);
        done += bytes;
        t = now();
    }
    if (ok * bytes != done * NVALUES) {
        fprintf(stderr, "json_check: a valid value was rejected\n");
        exit(1);
    }
    return (double)done / (t - t0) / 1e6;
}

/* The best MB/s of each function over runs passes, the two taking turns so that a busy
 * machine slows both alike. */
static void measure(const value_t *vals, int runs, double *check, double *valid)
{
    *check = *valid = 0;
    for (int r = 0; r < runs; r++) {
        double c = pass(by_check, vals), v = pass(fmt_json_valid, vals);
        *check = c > *check ? c : *check;
        *valid = v > *valid ? v : *valid;
    }
}

int main(void)
{
    const char *env = getenv("BENCH_RUNS");
    int runs = env ? atoi(env) : 5;
    if (runs < 1)
        runs = 1;
    static const char *names[] = {"jsonobj", "spaced", "string", "base64", "utf8"};
    static value_t vals[NVALUES];
    printf("%-8s %6s %16s %16s %7s\n", "values", "bytes", "check MB/s", "valid MB/s", "speedup");
    const char *only = getenv("BENCH_VALUES");
    for (int kind = 0; kind < 5; kind++) {
        if (only && !strstr(only, names[kind]))
            continue;
        size_t bytes = 0;
        for (unsigned i = 0; i < NVALUES; i++) {
            if (kind < 2)
                make_order(&vals[i], i);
            else
                make_string(&vals[i], kind - 2);
            if (kind == 1)
                add_spaces(&vals[i]);
            bytes += vals[i].len;
        }
        double check, valid;
        measure(vals, runs, &check, &valid);
        printf("%-8s %6zu %16.0f %16.0f %6.2fx\n", names[kind], bytes / NVALUES, check, valid,
               valid / check);
    }
    return 0;
}
