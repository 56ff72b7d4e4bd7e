/* http/access_log.c -- the access log line (see access_log.h). The JSON line is written with
 * format/jsonw.h; a path or User-Agent that is not valid UTF-8 has its bytes above 0x7f
 * replaced by '?', so that every line parses as JSON.
 * Threads: MHD threads (one stdio call per line). */
#include "http/access_log.h"

#include "format/jsonw.h"
#include "util/buf.h"
#include "util/log.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* Longest JSON line: the request line is already bounded by max.request.header.size. */
#define LINE_MAX_BYTES ((size_t)64 << 10)

/* @return the length of the UTF-8 sequence at s (n bytes left), or 0 when it is invalid
 * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xbf; /* the range of the second byte */
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3;
        lo = s[0] == 0xe0 ? 0xa0 : 0x80;
        hi = s[0] == 0xed ? 0x9f : 0xbf;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4;
        lo = s[0] == 0xf0 ? 0x90 : 0x80;
        hi = s[0] == 0xf4 ? 0x8f : 0xbf;
    }
    if (len == 0 || len > n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    }
    return len;
}

/* Writes s as a JSON string value; invalid UTF-8 bytes become '?'. */
static void put_text(fmt_jsonw_t *w, kr_buf_t *scratch, const char *s)
{
    if (!s) {
        fmt_jsonw_null(w);
        return;
    }
    kr_buf_reset(scratch);
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t len = utf8_len(p + i, n - i);
        if (len == 0) {
            kr_buf_putc(scratch, '?');
            i++;
        } else {
            kr_buf_append(scratch, p + i, len);
            i += len;
        }
    }
    fmt_jsonw_strn(w, scratch->data ? scratch->data : "", scratch->len);
}

/* The client's address as text ("-" when MHD does not know it). */
static void remote_addr(struct MHD_Connection *conn, char *out, size_t size)
{
    snprintf(out, size, "-");
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    socklen_t len =
        sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    if (getnameinfo(sa, len, out, (socklen_t)size, NULL, 0, NI_NUMERICHOST) != 0)
        snprintf(out, size, "-");
}

static void now_iso8601(char *out, size_t size)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

static void write_json(const http_access_t *a)
{
    char time_text[64], remote[NI_MAXHOST], ms[32];
    now_iso8601(time_text, sizeof(time_text));
    remote_addr(a->conn, remote, sizeof(remote));
    snprintf(ms, sizeof(ms), "%.3f", a->duration_ms);
    const char *ua = MHD_lookup_connection_value(a->conn, MHD_HEADER_KIND, "User-Agent");
    kr_buf_t line, scratch;
    kr_buf_init(&line, LINE_MAX_BYTES);
    kr_buf_init(&scratch, LINE_MAX_BYTES);
    fmt_jsonw_t w;
    fmt_jsonw_init(&w, &line);
    fmt_jsonw_obj_begin(&w);
    fmt_jsonw_key(&w, "time");
    fmt_jsonw_str(&w, time_text);
    fmt_jsonw_key(&w, "request_id");
    fmt_jsonw_str(&w, a->request_id);
    fmt_jsonw_key(&w, "remote");
    fmt_jsonw_str(&w, remote);
    fmt_jsonw_key(&w, "method");
    put_text(&w, &scratch, a->method);
    fmt_jsonw_key(&w, "path");
    put_text(&w, &scratch, a->path);
    fmt_jsonw_key(&w, "status");
    fmt_jsonw_int(&w, a->status);
    fmt_jsonw_key(&w, "bytes");
    fmt_jsonw_int(&w, (int64_t)a->bytes);
    fmt_jsonw_key(&w, "duration_ms");
    fmt_jsonw_raw(&w, ms, strlen(ms));
    fmt_jsonw_key(&w, "user_agent");
    put_text(&w, &scratch, ua);
    fmt_jsonw_key(&w, "aborted");
    fmt_jsonw_bool(&w, a->aborted);
    fmt_jsonw_key(&w, "user");
    put_text(&w, &scratch, a->user);
    fmt_jsonw_obj_end(&w);
    if (fmt_jsonw_finish(&w) == 0)
        kr_log_raw(line.data, line.len);
    kr_buf_deinit(&scratch);
    kr_buf_deinit(&line);
}

/* A user name for the text line: printable ASCII but blanks, 64 bytes at most ('?' else). */
static void loggable_user(const char *s, char out[72])
{
    size_t n = 0;
    for (; *s && n < 64; s++)
        out[n++] = (*s > 0x20 && *s < 0x7f) ? *s : '?';
    out[n] = '\0';
}

void http_access_log(const krest_config_t *cfg, const http_access_t *a)
{
    if (!cfg->access_log || !KR_LOG_ENABLED(KR_LOG_INFO))
        return;
    if (cfg->access_log_format == CONFIG_ACCESS_LOG_JSON) {
        write_json(a);
        return;
    }
    /* krest's line; kr_log() adds the request id after the level. */
    char user[72] = "";
    if (a->user)
        loggable_user(a->user, user);
    log_info("access %s %s %d %zu %.3fms%s%s%s", a->method, a->path, a->status, a->bytes,
             a->duration_ms, a->aborted ? " (aborted)" : "", a->user ? " user=" : "", user);
}
