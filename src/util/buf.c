/* util/buf.c -- growable byte buffer with a limit. Threads: one owner at a time. */
#include "util/buf.h"

#include "util/mem.h"

#include <stdio.h>
#include <stdint.h>
#include <string.h>

void kr_buf_init(kr_buf_t *b, size_t limit)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->limit = limit ? limit : SIZE_MAX / 2;
}

void kr_buf_deinit(kr_buf_t *b)
{
    xfree(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void kr_buf_reset(kr_buf_t *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

int kr_buf_reserve(kr_buf_t *b, size_t n)
{
    if (n > b->limit || b->len > b->limit - n)
        return -1;
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
    return 0;
}

int kr_buf_append(kr_buf_t *b, const void *p, size_t n)
{
    if (kr_buf_reserve(b, n) != 0)
        return -1;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int kr_buf_puts(kr_buf_t *b, const char *s)
{
    return kr_buf_append(b, s, strlen(s));
}

int kr_buf_putc(kr_buf_t *b, char c)
{
    return kr_buf_append(b, &c, 1);
}

int kr_buf_vprintf(kr_buf_t *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || kr_buf_reserve(b, (size_t)n) != 0)
        return -1;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int kr_buf_printf(kr_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = kr_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

char *kr_buf_steal(kr_buf_t *b, size_t *len)
{
    if (!b->data)
        kr_buf_append(b, "", 0);
    char *p = b->data;
    *len = b->len;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
