/* util/metrics_proc.c -- the process's own figures, read from /proc/self at each scrape, and
 * krest_build_info. Threads: any (a scrape); nothing static but the read-only options. */
#include "util/metrics_int.h"
#include "util/proc.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct proc_stat {
    double cpu_s;
    long long threads, rss_bytes;
} proc_stat_t;

/* Fields of /proc/self/stat after the command (which may hold spaces, hence the last ')'):
 * 14 utime, 15 stime (clock ticks), 20 num_threads, 24 rss (pages). */
static int read_stat(proc_stat_t *ps)
{
    char line[1024];
    FILE *f = fopen("/proc/self/stat", "r");
    if (!f)
        return -1;
    size_t n = fread(line, 1, sizeof(line) - 1, f);
    fclose(f);
    line[n] = '\0';
    const char *p = strrchr(line, ')');
    if (!p)
        return -1;
    unsigned long long ut = 0, st = 0;
    long long thr = 0, rss = 0;
    int got = sscanf(p + 2,
                     "%*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu %*s %*s %*s %*s %lld "
                     "%*s %*s %*s %lld",
                     &ut, &st, &thr, &rss);
    if (got != 4)
        return -1;
    long tick = sysconf(_SC_CLK_TCK);
    ps->cpu_s = (double)(ut + st) / (double)(tick > 0 ? tick : 100);
    ps->threads = thr;
    ps->rss_bytes = rss * (long long)sysconf(_SC_PAGESIZE);
    return 0;
}

static void write_build_info(kr_buf_t *out)
{
    metrics_family(out, "krest_build_info", "gauge",
                   "Always 1; the labels give krest's version and its libraries'.");
    kr_buf_puts(out, "krest_build_info{version=\"");
    metrics_label(out, g_metrics_opts.version);
    kr_buf_puts(out, "\",librdkafka=\"");
    metrics_label(out, g_metrics_opts.librdkafka);
    kr_buf_puts(out, "\",libmicrohttpd=\"");
    metrics_label(out, g_metrics_opts.libmicrohttpd);
    kr_buf_puts(out, "\"} 1\n");
}

void metrics_write_process(kr_buf_t *out)
{
    proc_stat_t ps = {0};
    if (read_stat(&ps) == 0) {
        metrics_family(out, "krest_process_cpu_seconds_total", "counter",
                       "User and system CPU time of the process.");
        kr_buf_printf(out, "krest_process_cpu_seconds_total %.2f\n", ps.cpu_s);
        metrics_family(out, "krest_process_resident_memory_bytes", "gauge",
                       "Resident memory of the process.");
        kr_buf_printf(out, "krest_process_resident_memory_bytes %lld\n", ps.rss_bytes);
        metrics_family(out, "krest_process_threads", "gauge", "Threads of the process.");
        kr_buf_printf(out, "krest_process_threads %lld\n", ps.threads);
    }
    long long fds = kr_proc_open_fds();
    if (fds >= 0) {
        metrics_family(out, "krest_process_open_fds", "gauge", "Open file descriptors.");
        kr_buf_printf(out, "krest_process_open_fds %lld\n", fds);
    }
    write_build_info(out);
}
