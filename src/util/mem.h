/* util/mem.h -- allocation that never returns NULL: out of memory logs and aborts (as Redis
 * and h2o do). Every limit in krest bounds memory before it is asked for.
 * Threads: any. */
#ifndef KR_UTIL_MEM_H
#define KR_UTIL_MEM_H

#include <stddef.h>

/** malloc() that aborts on failure. @return owned memory, free with xfree(). */
void *xmalloc(size_t n);
/** calloc() that aborts on failure (and on n * size overflow). */
void *xcalloc(size_t n, size_t size);
/** realloc() that aborts on failure. */
void *xrealloc(void *p, size_t n);
/** strdup() that aborts on failure; xstrdup(NULL) is NULL. */
char *xstrdup(const char *s);
/** A NUL-terminated copy of the first n bytes of s. */
char *xstrndup(const char *s, size_t n);
/** free(); xfree(NULL) is a no-op. */
void xfree(void *p);

#endif
