/* http/tls.h -- HTTPS listeners and mTLS through libmicrohttpd's GnuTLS (docs/security.md):
 * the ssl.* keys, the certificate handed to each handshake, client certificate verification
 * and its principal, reload on SIGHUP, and a send function for code that writes on a
 * connection's socket itself.
 * The certificate is given per handshake (MHD_OPTION_HTTPS_CERT_CALLBACK) from the current
 * generation of keys; a reload makes a new generation and keeps the older ones until
 * http_tls_free(), so no handshake or open connection ever sees freed keys, and none is
 * dropped. Client certificates are requested per connection (the notify-connection callback
 * runs after gnutls_init() and before the handshake) and verified in the handshake against
 * the current truststore; a refused one fails the handshake, as Jetty does.
 * May use: config/, util/. Threads: http_tls_new/reload/free on the main thread; the
 * callbacks on MHD's threads; http_tls_send on any thread (see its note). */
#ifndef KR_HTTP_TLS_H
#define KR_HTTP_TLS_H

#include "config/config.h"
#include "util/err.h"

#include <microhttpd.h>
#include <stdbool.h>
#include <sys/types.h>

typedef struct http_tls http_tls_t;

/* Room http_tls_mhd_options() needs, MHD_OPTION_END included. */
#define HTTP_TLS_MHD_OPTIONS 4

/** Reads the ssl.* keys, the keystore and the truststore; checks the protocol and cipher
 * settings with GnuTLS.
 * @return owned (free with http_tls_free), or NULL with err set (422, naming the key). */
http_tls_t *http_tls_new(const krest_config_t *cfg, kr_err_t *err);

/** Frees tls and every generation of keys; only after the daemons using it stopped. */
void http_tls_free(http_tls_t *tls);

/** Reads the keystore and truststore again (SIGHUP). New handshakes use them; connections
 * already open keep theirs. @return 0, or -1 with err set and the old keys still in use. */
int http_tls_reload(http_tls_t *tls, kr_err_t *err);

/** Writes an HTTPS daemon's options (certificate callback, priorities) into opts, ended by
 * MHD_OPTION_END; opts has HTTP_TLS_MHD_OPTIONS items. Use with MHD_USE_TLS and
 * MHD_OPTION_ARRAY, and http_tls_on_connection() as MHD_OPTION_NOTIFY_CONNECTION with tls as
 * its closure. */
void http_tls_mhd_options(http_tls_t *tls, struct MHD_OptionItem *opts);

/** MHD_OPTION_NOTIFY_CONNECTION of HTTPS daemons (cls: the http_tls_t): counts the
 * connection (http_metrics_connection) and arranges the client certificate request. Uses the
 * connection's socket_context. */
void http_tls_on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                            enum MHD_ConnectionNotificationCode toe);

/** Whether conn is a TLS connection (of an https listener). */
bool http_tls_is_tls(struct MHD_Connection *conn);

/** The mapped principal of conn's verified client certificate (ssl.principal.mapping.rules),
 * borrowed for the connection's life; NULL on plain HTTP or without a client certificate. */
const char *http_tls_principal(struct MHD_Connection *conn);

/** Sends len bytes of buf on conn: gnutls_record_send() on a TLS connection, send() with
 * MSG_NOSIGNAL on a plain one. The socket is non-blocking: -1 with errno EAGAIN means "wait
 * for POLLOUT on MHD_CONNECTION_INFO_CONNECTION_FD and call again with the same buf and len"
 * (GnuTLS requires the same data after EAGAIN). One thread may send while MHD's thread reads
 * the same connection (GnuTLS allows one sender and one receiver at a time).
 * @return bytes sent (maybe fewer than len), or -1 with errno set (EPIPE: the peer left). */
ssize_t http_tls_send(struct MHD_Connection *conn, const void *buf, size_t len);

#endif
