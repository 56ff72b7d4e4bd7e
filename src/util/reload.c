/* util/reload.c -- the SIGHUP hook list (see reload.h): a fixed array under a mutex, which is
 * also held while the hooks run, so a module that unregisters waits for its running hook. */
#include "util/reload.h"

#include <pthread.h>

typedef struct hook {
    kr_reload_fn fn;
    void *arg;
} hook_t;

/* Guarded by g_lock; written by register/unregister (any thread), read by run (main). */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static hook_t g_hooks[KR_RELOAD_MAX];
static size_t g_n;

int kr_reload_register(kr_reload_fn fn, void *arg)
{
    pthread_mutex_lock(&g_lock);
    int rc = -1;
    if (g_n < KR_RELOAD_MAX) {
        g_hooks[g_n++] = (hook_t){fn, arg};
        rc = 0;
    }
    pthread_mutex_unlock(&g_lock);
    return rc;
}

void kr_reload_unregister(kr_reload_fn fn, void *arg)
{
    pthread_mutex_lock(&g_lock);
    for (size_t i = 0; i < g_n; i++) {
        if (g_hooks[i].fn == fn && g_hooks[i].arg == arg) {
            for (size_t j = i + 1; j < g_n; j++)
                g_hooks[j - 1] = g_hooks[j];
            g_n--;
            break;
        }
    }
    pthread_mutex_unlock(&g_lock);
}

size_t kr_reload_run(void)
{
    pthread_mutex_lock(&g_lock);
    size_t n = g_n;
    for (size_t i = 0; i < n; i++)
        g_hooks[i].fn(g_hooks[i].arg);
    pthread_mutex_unlock(&g_lock);
    return n;
}
