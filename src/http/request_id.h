/* http/request_id.h -- request ids: the client's X-Request-ID when it is sane (1 to
 * HTTP_REQUEST_ID_MAX visible ASCII characters, 0x21-0x7e), else a new one of 16 random hex
 * characters. The id is echoed as a response header and carried by the request's log lines.
 * May use: util/. Threads: any (the generator's state is per thread). */
#ifndef KR_HTTP_REQUEST_ID_H
#define KR_HTTP_REQUEST_ID_H

#include <stdbool.h>

#define HTTP_REQUEST_ID_HEADER "X-Request-ID"
#define HTTP_REQUEST_ID_MAX    128

/** @return whether given (NUL-terminated, may be NULL) is a sane request id. */
bool http_request_id_sane(const char *given);

/** Writes the request's id into out (room for HTTP_REQUEST_ID_MAX + 1 bytes): given when
 * sane, else a new one. @return true when given was kept. */
bool http_request_id_take(const char *given, char *out);

#endif
