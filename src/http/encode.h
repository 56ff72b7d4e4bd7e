/* http/encode.h -- a response's content coding from negotiation to the bytes sent: the
 * client's Accept-Encoding against krest's configuration (406 when nothing is acceptable), a
 * cheap sample that keeps bodies that will not shrink uncompressed, and the compression
 * itself, on this HTTP thread for small bodies and on the worker pool for large ones, so one
 * large read does not hold the other connections of its HTTP thread; a streamed body
 * (api_reply_more) is compressed as one stream, piece by piece, on the thread that writes it.
 * May use: util/, config/, api/. Threads: an http_encode_t belongs to its request's HTTP
 * thread; the worker only sees the job it is handed. */
#ifndef KR_HTTP_ENCODE_H
#define KR_HTTP_ENCODE_H

#include "api/api.h"
#include "config/config.h"
#include "http/encoding.h"
#include "http/zstream.h"
#include "util/pending.h"

#include <stdbool.h>
#include <stddef.h>

/** Bodies at least this large that are worth compressing go to the worker pool. */
#define HTTP_ENCODE_OFFLOAD_BYTES ((size_t)256 << 10)

/** Deadline of an offloaded compression (only a shutdown makes one this slow). */
#define HTTP_ENCODE_TIMEOUT_MS 60000

/** The compression settings, read once from the configuration. */
typedef struct http_encode_cfg {
    unsigned codecs; /* HTTP_CODING_BIT mask; 0 when compression.enable is false */
    size_t min_bytes;
    int level;
} http_encode_cfg_t;

/** Fills c from cfg. @return 0, or -1 with err set (an unknown codec in
 * krest.compression.codecs). */
int http_encode_cfg_init(http_encode_cfg_t *c, const krest_config_t *cfg, kr_err_t *err);

/** One response's coding. Zeroed = not negotiated: sent as it is. */
typedef struct http_encode {
    http_encoding_choice_t choice;
    bool negotiated;       /* Accept-Encoding was read: the response varies on it */
    bool ready;            /* body holds the response as it goes out */
    http_coding_t applied; /* the coding of body */
    size_t min_bytes;      /* krest.compression.min.bytes, for http_encode_compresses() */
    char *body;            /* owned */
    size_t len;
} http_encode_t;

/** Negotiates ae (the request's Accept-Encoding, NULL when absent) into e.
 * @return 0, or -1 with err set: 406 when neither identity nor an offered codec is
 *         acceptable. */
int http_encode_negotiate(http_encode_t *e, const http_encode_cfg_t *c, const char *ae,
                          kr_err_t *err);

/** Whether req's body must be compressed on the worker pool: large, a codec chosen, and a
 * sample of it shrinks (the sample is taken here). When not, the body is made ready here
 * (compressed when it pays, else as it is). */
bool http_encode_prepare(http_encode_t *e, const http_encode_cfg_t *c, api_req_t *req);

/** Hands req's body to the worker pool q; the job completes h (the caller has opened it and
 * suspended the connection). A full queue compresses here instead and completes h at once. */
void http_encode_start(http_encode_t *e, const http_encode_cfg_t *c, kr_workq_t *q, api_req_t *req,
                       kr_handle_t h);

/** Takes the finished job of woken handle h: e is ready. A job that timed out (shutdown)
 * leaves req with a 503 error, made ready here. */
void http_encode_finish(http_encode_t *e, api_req_t *req, kr_handle_t h);

/** For a body that streams (api_reply_more), whose first piece is first[0..n): decides its
 * coding from a sample of the first piece (always the codec when identity is not acceptable;
 * the handler already asked http_encode_compresses() with the whole body's size), and records
 * it in e (applied). @return the encoder the pipe filters the body through
 * (http_encode_filter, freed with http_encode_filter_free), or NULL: as it is. */
http_zstream_t *http_encode_stream(http_encode_t *e, const http_encode_cfg_t *c, const char *first,
                                   size_t n);

/** Whether a body of about total bytes starting with first[0..n) would be compressed, as a
 * whole body would be (krest.compression.min.bytes, the sample) and as http_encode_stream()
 * will decide (e: the negotiated http_encode_t; api_req_t.compresses). */
bool http_encode_compresses(const void *e, const char *first, size_t n, size_t total);

/** kr_pipe_filter_fn over an http_zstream_t (util/pipe.h). */
int http_encode_filter(void *z, const char *in, size_t n, bool last, kr_buf_t *out);

/** Frees the encoder of http_encode_stream(). */
void http_encode_filter_free(void *z);

/** Frees what e still holds. */
void http_encode_deinit(http_encode_t *e);

#endif
