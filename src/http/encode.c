/* http/encode.c -- a response's coding (see encode.h).
 * Threads: the request's HTTP thread; run_job() on a worker. */
#include "http/encode.h"

#include "http/compress.h"
#include "util/mem.h"
#include "util/workq.h"

#include <stdint.h>

/* A body compressed on a worker. */
typedef struct encode_job {
    char *in; /* owned */
    size_t in_len;
    http_coding_t coding;
    int level;
    bool must;
    char *out; /* owned; NULL: send in as it is */
    size_t out_len;
    kr_handle_t h;
} encode_job_t;

int http_encode_cfg_init(http_encode_cfg_t *c, const krest_config_t *cfg, kr_err_t *err)
{
    c->min_bytes = (size_t)cfg->compression_min_bytes;
    c->level = cfg->compression_level;
    if (http_codings_parse(cfg->compression_codecs, &c->codecs, err) != 0)
        return -1;
    if (!cfg->compression_enable)
        c->codecs = 0;
    return 0;
}

int http_encode_negotiate(http_encode_t *e, const http_encode_cfg_t *c, const char *ae,
                          kr_err_t *err)
{
    e->choice = http_encoding_choose(ae, c->codecs);
    e->negotiated = c->codecs != 0;
    e->min_bytes = c->min_bytes;
    if (e->choice.coding != HTTP_CODING_NONE)
        return 0;
    e->choice.coding = HTTP_CODING_IDENTITY;
    e->choice.identity_ok = true; /* the 406 itself goes out as it is */
    return kr_err_set(err, KR_ERR_NOT_ACCEPTABLE,
                      "Accept-Encoding '%s': none of the codings krest offers is acceptable", ae);
}

static void make_ready(http_encode_t *e, char *body, size_t len, http_coding_t applied)
{
    e->body = body;
    e->len = len;
    e->applied = applied;
    e->ready = true;
}

bool http_encode_prepare(http_encode_t *e, const http_encode_cfg_t *c, api_req_t *req)
{
    if (e->ready)
        return false;
    size_t len = 0;
    char *body = kr_buf_steal(&req->resp, &len);
    http_coding_t coding = e->choice.coding;
    bool must = !e->choice.identity_ok;
    bool want = coding != HTTP_CODING_IDENTITY && req->status != 204 &&
                (must || (len > 0 && len >= c->min_bytes));
    if (want && !must && len > HTTP_COMPRESS_SAMPLE && !http_compress_sample_pays(body, len))
        want = false;
    if (want && len >= HTTP_ENCODE_OFFLOAD_BYTES) {
        make_ready(e, body, len, HTTP_CODING_IDENTITY);
        e->ready = false; /* the body waits in e for http_encode_start() */
        return true;
    }
    size_t zlen = 0;
    char *z = want ? http_compress_if_pays(coding, c->level, must, body, len, &zlen) : NULL;
    if (z) {
        xfree(body);
        make_ready(e, z, zlen, coding);
    } else {
        make_ready(e, body, len, HTTP_CODING_IDENTITY);
    }
    return false;
}

static void job_free(void *p)
{
    encode_job_t *j = p;
    if (!j)
        return;
    xfree(j->in);
    xfree(j->out);
    xfree(j);
}

static void run_job(void *arg)
{
    encode_job_t *j = arg;
    /* The sample paid already: compress the whole body, and keep it if it still pays. */
    j->out = http_compress(j->coding, j->level, j->in, j->in_len, &j->out_len);
    if (j->out && !j->must && !http_compress_pays(j->in_len, j->out_len)) {
        xfree(j->out);
        j->out = NULL;
    }
    kr_pending_complete(j->h, j, job_free);
}

void http_encode_start(http_encode_t *e, const http_encode_cfg_t *c, kr_workq_t *q, api_req_t *req,
                       kr_handle_t h)
{
    (void)req;
    encode_job_t *j = xcalloc(1, sizeof(*j));
    j->in = e->body;
    j->in_len = e->len;
    j->coding = e->choice.coding;
    j->level = c->level;
    j->must = !e->choice.identity_ok;
    j->h = h;
    e->body = NULL;
    e->len = 0;
    if (kr_workq_submit(q, run_job, j) != 0)
        run_job(j);
}

void http_encode_finish(http_encode_t *e, api_req_t *req, kr_handle_t h)
{
    bool timed_out = false;
    encode_job_t *j = kr_pending_take(h, &timed_out);
    if (!j) {
        api_reply_error(req, KR_ERR_SHUTTING_DOWN,
                        "krest is shutting down; the response could not be compressed in time");
        size_t len = 0;
        char *body = kr_buf_steal(&req->resp, &len);
        make_ready(e, body, len, HTTP_CODING_IDENTITY);
        return;
    }
    if (j->out) {
        make_ready(e, j->out, j->out_len, j->coding);
        j->out = NULL;
    } else {
        make_ready(e, j->in, j->in_len, HTTP_CODING_IDENTITY);
        j->in = NULL;
    }
    job_free(j);
}

bool http_encode_compresses(const void *arg, const char *first, size_t n, size_t total)
{
    const http_encode_t *e = arg;
    http_coding_t coding = e->choice.coding;
    if (!e->negotiated || coding == HTTP_CODING_IDENTITY || coding == HTTP_CODING_NONE)
        return false;
    if (!e->choice.identity_ok)
        return true;
    return total >= e->min_bytes && http_compress_sample_pays(first, n);
}

http_zstream_t *http_encode_stream(http_encode_t *e, const http_encode_cfg_t *c, const char *first,
                                   size_t n)
{
    e->applied = HTTP_CODING_IDENTITY;
    /* the handler streams only a body it was told would be compressed, size included */
    if (!http_encode_compresses(e, first, n, SIZE_MAX))
        return NULL;
    http_coding_t coding = e->choice.coding;
    http_zstream_t *z = http_zstream_new(coding, c->level);
    if (z)
        e->applied = coding;
    return z;
}

int http_encode_filter(void *z, const char *in, size_t n, bool last, kr_buf_t *out)
{
    return http_zstream_write(z, in, n, last, out);
}

void http_encode_filter_free(void *z)
{
    http_zstream_free(z);
}

void http_encode_deinit(http_encode_t *e)
{
    xfree(e->body);
    e->body = NULL;
    e->len = 0;
}
