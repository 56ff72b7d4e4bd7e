/* http/piped.h -- sending a body that is still being written (api_reply_more): the handler's
 * first piece and what its writer adds go through a util/pipe.h pipe, compressed as one stream
 * when the client asks for it and the first piece shows it pays, and out as HTTP/1.1 chunks as
 * they come. When the pipe runs dry the connection is suspended from libmicrohttpd's content
 * reader (the pattern its manual gives for "no data yet") and resumed by the writer.
 * May use: api/, util/, http/encode.h, http/response.h, libmicrohttpd. Threads: the request's
 * HTTP thread; the resume comes from the writer's. */
#ifndef KR_HTTP_PIPED_H
#define KR_HTTP_PIPED_H

#include "api/api.h"
#include "http/encode.h"
#include "http/response.h"

#include <microhttpd.h>
#include <stdatomic.h>

/** Answers req (req->more set) on conn: req->resp is the first piece; the writer is started
 * with req->more. holding counts the connection while it is suspended for bytes (the server
 * stops its daemons only when nothing is held); once expiring is set the connection is not
 * suspended any more, its answer is cut short where the pipe runs dry. *pipe gets a reference to
 * the pipe (for the bytes written; kr_pipe_unref it), NULL when none was made.
 * @return as http_response_queue(). */
enum MHD_Result http_piped_respond(struct MHD_Connection *conn, api_req_t *req, http_encode_t *enc,
                                   const http_encode_cfg_t *cfg, atomic_long *holding,
                                   const atomic_bool *expiring, bool close,
                                   const http_headers_t *extra, kr_pipe_t **pipe);

/** Ends every streamed answer still being sent as failed (kr_pipe_abort): the shutdown's last
 * step before the daemons stop, so no connection stays suspended waiting for a worker that
 * cannot run any more. Any thread. */
void http_piped_abort_all(void);

#endif
