/* http/daemon_opts.h -- the options every libmicrohttpd daemon of krest shares (see
 * daemon_opts.c). May use: config/, util/. Threads: see each function. */
#ifndef KR_HTTP_DAEMON_OPTS_H
#define KR_HTTP_DAEMON_OPTS_H

#include "config/config.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stddef.h>

/** server.connection.limit, else three quarters of the descriptor limit (at least 768). */
unsigned http_daemon_connection_limit(const krest_config_t *cfg);
/** HTTP threads of a daemon: krest.http.threads, else one per online CPU. */
unsigned http_daemon_threads(const krest_config_t *cfg);
/** Each connection's memory pool: big enough for max.request.header.size (krest, not MHD,
 * answers oversized headers), small otherwise. */
size_t http_daemon_conn_memory(const krest_config_t *cfg);
/** MHD_OPTION_UNESCAPE_CALLBACK: percent-decoding in place, "%00" kept (see the .c). */
size_t http_daemon_unescape(void *cls, struct MHD_Connection *conn, char *s);
/** MHD_OPTION_EXTERNAL_LOGGER: MHD's messages as krest debug lines. */
__attribute__((format(printf, 2, 0))) void http_daemon_log(void *cls, const char *fmt, va_list ap);

#endif
