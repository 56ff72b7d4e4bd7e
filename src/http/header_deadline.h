/* http/header_deadline.h -- krest.http.header.timeout.ms: each request's header block must be
 * in within a bounded time, however slowly its bytes trickle. libmicrohttpd 0.9.75's only
 * timeout (idle.timeout.ms) restarts with every byte received, so a client sending one byte per
 * second keeps a connection slot for ever. This module keeps the connections of the daemons
 * it watches in a table; a watchdog thread shuts down the socket (shutdown(2), not close: MHD
 * still owns the descriptor) of every connection whose headers are overdue, and MHD then
 * closes the connection as if the client had gone.
 * Deadlines: a new connection has header_ms for its first request's headers; after a response
 * the next request's headers are due within idle_ms + header_ms (a kept-alive connection may
 * stay idle as long as idle.timeout.ms allows). From the headers to the response there is none
 * (bodies and long polls are bounded elsewhere).
 * May use: util/, libmicrohttpd. Threads: new/free on the main thread; the notifications from
 * any MHD thread; the watchdog is a thread of its own. The table's lock is held around each
 * shutdown(2), and MHD notifies a close before it closes the descriptor, so a descriptor
 * number never reaches shutdown(2) after it was reused. */
#ifndef KR_HTTP_HEADER_DEADLINE_H
#define KR_HTTP_HEADER_DEADLINE_H

#include <microhttpd.h>
#include <stdint.h>

typedef struct http_header_deadline http_header_deadline_t;

/** Starts the watchdog. header_ms <= 0: returns NULL (no deadline; every other function
 * accepts NULL and does nothing). @return owned (http_header_deadline_free) or NULL. */
http_header_deadline_t *http_header_deadline_new(int64_t header_ms, int64_t idle_ms);

/** Stops the watchdog and frees the table; call after the daemons stopped. NULL: no-op. */
void http_header_deadline_free(http_header_deadline_t *hd);

/** A connection started or closed (MHD_OPTION_NOTIFY_CONNECTION's code). */
void http_header_deadline_notify(http_header_deadline_t *hd, struct MHD_Connection *conn,
                                 enum MHD_ConnectionNotificationCode toe);

/** conn's current request has its headers in (the access handler's first call). */
void http_header_deadline_headers_in(http_header_deadline_t *hd, struct MHD_Connection *conn);

/** conn's current request ended (MHD_OPTION_NOTIFY_COMPLETED): the next request's headers are
 * due within idle_ms + header_ms. */
void http_header_deadline_request_done(http_header_deadline_t *hd, struct MHD_Connection *conn);

#endif
