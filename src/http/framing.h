/* http/framing.h -- the fence in front of libmicrohttpd's request framing (RFC 9112 §6). MHD
 * 0.9.75 takes the first of conflicting Content-Length headers, lets Transfer-Encoding win
 * over Content-Length and keeps the connection, ignores "Content-Length : 5" (the space stays
 * in the name), and reads a body of an unknown transfer coding until the client closes. Each
 * lets a request hide after a body that a proxy in front frames differently. This check runs
 * on a request's headers before any body is read; a request it refuses is answered at once,
 * which makes MHD close the connection without reading further.
 * May use: util/. Threads: any (MHD's threads). */
#ifndef KR_HTTP_FRAMING_H
#define KR_HTTP_FRAMING_H

#include "util/err.h"

#include <microhttpd.h>

/** Checks the framing headers of conn's current request; version is the request line's
 * ("HTTP/1.1"), borrowed. @return 0 when the body length is unambiguous, or -1 with err set:
 * 400 for whitespace before a header's colon, conflicting Content-Length headers,
 * Transfer-Encoding with Content-Length, in HTTP/1.0, given twice or not ending in chunked;
 * 501 for a transfer coding before chunked (only chunked is understood). */
int http_framing_check(struct MHD_Connection *conn, const char *version, kr_err_t *err);

#endif
