/* util/reload.h -- what SIGHUP reloads: a small list of hooks that modules register at
 * start-up (Basic authentication's password file, TLS certificates...) and that main.c runs,
 * in registration order, when the process receives SIGHUP.
 * May use: nothing. Threads: register at start-up or from any thread; run from the main
 * thread (hooks run there, one after the other; each is responsible for its own locking). */
#ifndef KR_UTIL_RELOAD_H
#define KR_UTIL_RELOAD_H

#include <stddef.h>

#define KR_RELOAD_MAX 16

/** A reload hook: re-reads whatever its module reads from files, keeping the old state (and
 * logging why) when the new one is invalid. */
typedef void (*kr_reload_fn)(void *arg);

/** Adds a hook (arg borrowed: it must stay valid until kr_reload_unregister or the end).
 * @return 0, or -1 when KR_RELOAD_MAX hooks are registered already. */
int kr_reload_register(kr_reload_fn fn, void *arg);

/** Removes the hook registered with fn and arg; nothing when there is none. */
void kr_reload_unregister(kr_reload_fn fn, void *arg);

/** Runs every hook in registration order. @return the number of hooks run. */
size_t kr_reload_run(void);

#endif
