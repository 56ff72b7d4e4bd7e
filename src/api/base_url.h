/* api/base_url.h -- the "<scheme>://<authority>" that starts every absolute URL krest hands out
 * (v2 consumer base_uri, v3 self and related links), built as API.md §6.1 says.
 * May use: config/, util/. Threads: HTTP threads (reads the request's Host header). */
#ifndef KR_API_BASE_URL_H
#define KR_API_BASE_URL_H

#include "api/api.h"
#include "util/buf.h"

/** Appends "<scheme>://<authority>" to out (the request's scheme, http or https): the first
 * advertised.listeners entry of that scheme, else host.name (with the port of the first
 * listener of that scheme when the request named a port), else the
 * request's Host header, else the listener's own address (a wildcard address becomes this
 * machine's host name), never 0.0.0.0. No trailing slash. */
void api_base_url_write(const api_req_t *req, kr_buf_t *out);

#endif
