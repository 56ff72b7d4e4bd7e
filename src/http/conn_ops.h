/* http/conn_ops.h -- the accessors handlers use to read a libmicrohttpd request (api.h's
 * api_conn_ops_t): query arguments and headers, without seeing libmicrohttpd.
 * May use: api/, libmicrohttpd. Threads: the request's HTTP thread. */
#ifndef KR_HTTP_CONN_OPS_H
#define KR_HTTP_CONN_OPS_H

#include "api/api.h"

/** The accessors over a struct MHD_Connection (api_req_t.conn). */
extern const api_conn_ops_t http_conn_ops;

#endif
