/* config/properties.c -- Java .properties parsing (java.util.Properties.load semantics: its
 * LineReader for natural/logical lines, then load0/loadConvert for the key/value split and the
 * escapes). Java reads files as ISO-8859-1; krest passes bytes through, so UTF-8 files work.
 * May use: util/. Threads: any. */
#include "config/properties.h"

#include "util/buf.h"
#include "util/mem.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct reader {
    const char *p;   /* next unread byte */
    const char *end; /* end of the input */
    size_t line;     /* number of the natural line last read */
} reader_t;

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\f';
}

static size_t skip_ws(const char *s, size_t n, size_t i)
{
    while (i < n && is_ws(s[i]))
        i++;
    return i;
}

/* Reads the next natural line (terminated by \n, \r, \r\n or the end) into [*s, *s + *n).
 * Returns 0 at the end of the input. */
static int next_natural_line(reader_t *r, const char **s, size_t *n)
{
    if (r->p >= r->end)
        return 0;
    const char *start = r->p;
    while (r->p < r->end && *r->p != '\n' && *r->p != '\r')
        r->p++;
    *s = start;
    *n = (size_t)(r->p - start);
    if (r->p < r->end) {
        if (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n')
            r->p++;
        r->p++;
    }
    r->line++;
    return 1;
}

/* An odd number of trailing backslashes continues the line on the next one. */
static int ends_with_continuation(const char *s, size_t n)
{
    size_t count = 0;
    while (count < n && s[n - 1 - count] == '\\')
        count++;
    return count % 2 == 1;
}

/* Reads the next logical line into line: comment and blank lines skipped, continuations joined
 * with their leading whitespace dropped (a continuation at the end of input is dropped, as
 * Java does). Returns 0 at the end of the input. */
static int next_logical_line(reader_t *r, kr_buf_t *line, size_t *lineno)
{
    const char *s = NULL;
    size_t n = 0;
    size_t i = 0;
    for (;;) {
        if (!next_natural_line(r, &s, &n))
            return 0;
        i = skip_ws(s, n, 0);
        if (i < n && s[i] != '#' && s[i] != '!')
            break;
    }
    *lineno = r->line;
    kr_buf_reset(line);
    kr_buf_append(line, "", 0);
    for (;;) {
        int cont = ends_with_continuation(s + i, n - i);
        kr_buf_append(line, s + i, n - i - (size_t)cont);
        if (!cont || !next_natural_line(r, &s, &n))
            return 1;
        i = skip_ws(s, n, 0);
    }
}

/* Finds the end of the key (the first unescaped '=', ':' or whitespace) and the start of the
 * value (after whitespace, one '=' or ':' when the key ended on whitespace, whitespace). */
static size_t split_key(const char *s, size_t n, size_t *value_start)
{
    size_t key_len = n;
    int has_sep = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\') {
            i++; /* the escaped character never ends the key */
            continue;
        }
        if (s[i] == '=' || s[i] == ':' || is_ws(s[i])) {
            key_len = i;
            has_sep = !is_ws(s[i]);
            break;
        }
    }
    size_t v = key_len < n ? key_len + 1 : n;
    while (v < n) {
        if (!is_ws(s[v])) {
            if (has_sep || (s[v] != '=' && s[v] != ':'))
                break;
            has_sep = 1;
        }
        v++;
    }
    *value_start = v;
    return key_len;
}

static int hex4(const char *s, size_t n, size_t i, uint32_t *out)
{
    if (i + 4 > n)
        return -1;
    uint32_t v = 0;
    for (size_t k = i; k < i + 4; k++) {
        char c = s[k];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + (uint32_t)d;
    }
    *out = v;
    return 0;
}

static void put_utf8(kr_buf_t *b, uint32_t cp)
{
    char u[4];
    size_t n = 0;
    if (cp < 0x80) {
        u[n++] = (char)cp;
    } else if (cp < 0x800) {
        u[n++] = (char)(0xC0 | (cp >> 6));
        u[n++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        u[n++] = (char)(0xE0 | (cp >> 12));
        u[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[n++] = (char)(0x80 | (cp & 0x3F));
    } else {
        u[n++] = (char)(0xF0 | (cp >> 18));
        u[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[n++] = (char)(0x80 | (cp & 0x3F));
    }
    kr_buf_append(b, u, n);
}

/* Decodes the \uXXXX escape whose 'u' is at s[*i] (a UTF-16 surrogate pair is two escapes),
 * leaving *i on its last hex digit. Java's strings are UTF-16; krest's are UTF-8. */
static int unescape_u(const char *s, size_t n, size_t *i, kr_buf_t *out, size_t line, kr_err_t *err)
{
    uint32_t cp = 0;
    if (hex4(s, n, *i + 1, &cp) != 0)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE, "line %zu: malformed \\uXXXX escape", line);
    *i += 4;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        uint32_t lo = 0;
        if (*i + 2 >= n || s[*i + 1] != '\\' || s[*i + 2] != 'u' || hex4(s, n, *i + 3, &lo) != 0 ||
            lo < 0xDC00 || lo > 0xDFFF)
            return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                              "line %zu: unpaired UTF-16 surrogate in \\u escape", line);
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        *i += 6;
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                          "line %zu: unpaired UTF-16 surrogate in \\u escape", line);
    } else if (cp == 0) {
        return kr_err_set(err, KR_ERR_UNPROCESSABLE, "line %zu: \\u0000 is not allowed", line);
    }
    put_utf8(out, cp);
    return 0;
}

/* Writes s[0..n) with its escapes decoded into out (reset first, always NUL-terminated). */
static int unescape(const char *s, size_t n, kr_buf_t *out, size_t line, kr_err_t *err)
{
    kr_buf_reset(out);
    kr_buf_append(out, "", 0);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c != '\\') {
            kr_buf_putc(out, c);
            continue;
        }
        if (++i == n)
            break; /* a lone trailing backslash (continuation at end of input) */
        c = s[i];
        if (c == 'u') {
            if (unescape_u(s, n, &i, out, line, err) != 0)
                return -1;
            continue;
        }
        kr_buf_putc(out, c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c == 'f' ? '\f' : c);
    }
    return 0;
}

int config_props_parse(const char *text, size_t len, config_props_fn fn, void *ctx, kr_err_t *err)
{
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        size_t line = 1;
        for (const char *p = text; p < nul; p++)
            line += *p == '\n';
        return kr_err_set(err, KR_ERR_UNPROCESSABLE, "line %zu: NUL byte", line);
    }
    reader_t r = {.p = text, .end = text + len, .line = 0};
    kr_buf_t line, key, value;
    kr_buf_init(&line, 0);
    kr_buf_init(&key, 0);
    kr_buf_init(&value, 0);
    int rc = 0;
    size_t lineno = 0;
    while (rc == 0 && next_logical_line(&r, &line, &lineno)) {
        size_t value_start = 0;
        size_t key_len = split_key(line.data, line.len, &value_start);
        if (unescape(line.data, key_len, &key, lineno, err) != 0 ||
            unescape(line.data + value_start, line.len - value_start, &value, lineno, err) != 0)
            rc = -1;
        else
            rc = fn(ctx, key.data, value.data, lineno, err) == 0 ? 0 : -1;
    }
    kr_buf_deinit(&line);
    kr_buf_deinit(&key);
    kr_buf_deinit(&value);
    return rc;
}

/* Reads the whole file into b. */
static int read_file(const char *path, kr_buf_t *b, kr_err_t *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE, "cannot read properties file '%s': %s", path,
                          strerror(errno));
    char chunk[65536];
    int rc = 0;
    for (;;) {
        size_t n = fread(chunk, 1, sizeof(chunk), f);
        if (n > 0 && kr_buf_append(b, chunk, n) != 0) {
            rc = kr_err_set(err, KR_ERR_UNPROCESSABLE,
                            "properties file '%s' is larger than %u bytes", path,
                            CONFIG_PROPS_MAX_FILE);
            break;
        }
        if (n < sizeof(chunk)) {
            if (ferror(f))
                rc = kr_err_set(err, KR_ERR_UNPROCESSABLE, "cannot read properties file '%s': %s",
                                path, strerror(errno));
            break;
        }
    }
    fclose(f);
    return rc;
}

int config_props_load_file(const char *path, config_props_fn fn, void *ctx, kr_err_t *err)
{
    kr_buf_t b;
    kr_buf_init(&b, CONFIG_PROPS_MAX_FILE);
    int rc = read_file(path, &b, err);
    if (rc == 0 && b.len > 0 && config_props_parse(b.data, b.len, fn, ctx, err) != 0) {
        /* Name the file in front of the parser's "line N: ..." message. */
        char msg[sizeof(err->msg)];
        snprintf(msg, sizeof(msg), "%s", err->msg);
        rc = kr_err_set(err, err->code, "properties file '%s': %s", path, msg);
    }
    kr_buf_deinit(&b);
    return rc;
}
