/* util/buf.h -- a growable byte buffer with a hard maximum size (curl's dynbuf). The contents
 * are always NUL-terminated so they can be logged, but may hold NULs themselves.
 * Threads: a buffer belongs to one thread at a time. */
#ifndef KR_UTIL_BUF_H
#define KR_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct kr_buf {
    char *data;   /* owned; NULL until the first append */
    size_t len;   /* bytes used, not counting the trailing NUL */
    size_t cap;   /* bytes allocated */
    size_t limit; /* appends that would grow len past this fail */
} kr_buf_t;

/** Initialises an empty buffer that may grow up to limit bytes (0 = SIZE_MAX / 2). */
void kr_buf_init(kr_buf_t *b, size_t limit);
/** Frees the contents; the buffer is empty and reusable afterwards. */
void kr_buf_deinit(kr_buf_t *b);
/** Empties the buffer, keeping its allocation. */
void kr_buf_reset(kr_buf_t *b);
/** Makes room for n more bytes (plus the NUL) without changing the contents.
 * @return 0, or -1 when the limit would be exceeded. */
int kr_buf_reserve(kr_buf_t *b, size_t n);
/** Appends n bytes. @return 0, or -1 when the limit would be exceeded (nothing appended). */
int kr_buf_append(kr_buf_t *b, const void *p, size_t n);
/** Appends a NUL-terminated string. @return as kr_buf_append(). */
int kr_buf_puts(kr_buf_t *b, const char *s);
/** Appends one byte. @return as kr_buf_append(). */
int kr_buf_putc(kr_buf_t *b, char c);
/** Appends printf-style text. @return as kr_buf_append(). */
int kr_buf_printf(kr_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** kr_buf_printf() with a va_list (ap is used up). @return as kr_buf_append(). */
int kr_buf_vprintf(kr_buf_t *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/** Takes the contents out: @return owned memory (free with xfree), *len set; b is empty. */
char *kr_buf_steal(kr_buf_t *b, size_t *len);

#endif
