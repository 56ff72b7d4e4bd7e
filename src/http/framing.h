/* http/framing.h -- the fence in front of libmicrohttpd's request framing (RFC 9112 §6). MHD
 * 0.9.75 takes the first of conflicting Content-Length headers, lets Transfer-Encoding win
 * over Content-Length and keeps the connection, ignores "Content-Length : 5" (the space stays
 * in the name), and reads a body of an unknown transfer coding until the client closes. Each
 * lets a request hide after a body that a proxy in front frames differently. It also passes a
 * CR or NUL inside a field value and a missing or doubled Host, which RFC 9110/9112 say to
 * refuse; this check answers them with krest's JSON 400 (MHD would answer a missing Host with
 * its HTML page only at MHD_OPTION_STRICT_FOR_CLIENT=1). This check runs
 * on a request's headers before any body is read; a request it refuses is answered at once,
 * which makes MHD close the connection without reading further.
 * May use: util/. Threads: any (MHD's threads). */
#ifndef KR_HTTP_FRAMING_H
#define KR_HTTP_FRAMING_H

#include "util/err.h"

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

/** Checks the framing headers of conn's current request; version is the request line's
 * ("HTTP/1.1"), borrowed. @return 0 when the body length is unambiguous, or -1 with err set:
 * 400 for whitespace before a header's colon, CR, LF or NUL in a header field, an HTTP/1.1
 * request without Host or any request with two (RFC 9112 §3.2), conflicting Content-Length headers,
 * Transfer-Encoding with Content-Length, in HTTP/1.0, given twice or not ending in chunked;
 * 501 for a transfer coding before chunked (only chunked is understood). */
int http_framing_check(struct MHD_Connection *conn, const char *version, kr_err_t *err);

/** The size of the request's header block as max.request.header.size counts it: the request
 * line and every header line. */
size_t http_framing_header_bytes(struct MHD_Connection *conn, const char *method, const char *path);

/** Whether the request announces a body (a Content-Length above 0, or a Transfer-Encoding). */
bool http_framing_has_body(struct MHD_Connection *conn);

#endif
