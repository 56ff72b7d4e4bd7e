/* http/zstream.c -- a streaming encoder for one response body (see zstream.h).
 *
 * A large consumer read is produced in pieces (~256 KiB each) and each piece goes out as an
 * HTTP chunk while the next one is made. The whole body is one coded stream, and every write
 * ends with a sync flush (igzip SYNC_FLUSH, zlib Z_SYNC_FLUSH, ZSTD_e_flush,
 * BROTLI_OPERATION_FLUSH): the bytes written so far then decode to all the input given so far,
 * so the client decodes piece n while krest makes piece n+1, and no input waits in a codec's
 * buffer for a piece that may come much later.
 *
 * DESIGN. A flush ends the current block and byte-aligns the stream, a few bytes each (deflate's
 * empty stored block is 4-5); the history window is kept, so matches still reach into earlier
 * pieces. Measured on an 8 MiB consumer read of 1 KiB
 * JSON objects in 256 KiB pieces (32 flushes) against http_compress on the whole body: igzip
 * level 1 +54 bytes (0.004%) and no measurable time, zstd 1 +0% bytes and ~10% time, br 1
 * +0.02% bytes. gzip and deflate are igzip's stateful isal_deflate at levels 1-2 (as in
 * compress.c, for its speed) and zlib's deflate at 3-9: libdeflate, compress.c's codec there,
 * has no streaming API, and zlib at 3 is ~2.5x slower than it for ~6% more bytes. zstd is a
 * ZSTD_CCtx of the stream's own, br a BrotliEncoderState (quality = level, text mode).
 * Unlike compress.c the codec state is per stream, not per thread: it lives from the first
 * piece to the last, and the pieces may be made on different threads. Its size per stream:
 * igzip ~360-400 KiB, zlib ~260 KiB, zstd ~1.3 MiB at level 1 (~3.5 at 3, ~17 at 9), brotli
 * ~1.1 MiB at quality 1 (~9 at 3, ~44 at 9).
 * Clients: some brotli decoders (curl 7.88's loop) hand on what a piece decodes to only up to
 * their output buffer until more input comes (the decoder says NEEDS_MORE_INPUT while it still
 * holds output); the body is right in the end, but its pieces reach them late.
 * Threads: one stream is used by one thread at a time; it may be handed to another thread with
 * a happens-before (a work-queue submit). Different streams: any threads. */
#include "http/zstream.h"

#include "http/compress.h"
#include "util/mem.h"

#include <brotli/encode.h>
#include <isa-l/igzip_lib.h>
#include <stdint.h>
#include <zlib.h>
#include <zstd.h>

/* igzip's levels: krest's 1 and 2 map to them (as compress.c). */
#define IGZIP_MAX_LEVEL 2

/* Input given to a codec per call: igzip's and zlib's counts are 32 bits wide. A write of more
 * is cut into pieces of this size, each flushed (a few bytes each). */
#define MAX_PIECE ((size_t)1 << 30)

/* The most output room handed to a codec per call (its counts are 32 bits wide). */
#define MAX_ROOM ((size_t)UINT32_MAX)

typedef enum zs_kind { ZS_IGZIP, ZS_ZLIB, ZS_ZSTD, ZS_BR } zs_kind_t;

struct http_zstream {
    zs_kind_t kind;
    bool done; /* the stream's end is written, or a write failed: no more writes */
    union {
        struct isal_zstream *igzip; /* ~80 KiB: on the heap, as in compress.c */
        z_stream *zlib;
        ZSTD_CCtx *zstd;
        BrotliEncoderState *br;
    } u;
    uint8_t *igzip_buf; /* igzip's level buffer */
};

/* Output room wanted for in_left bytes still to code: stored blocks at worst, plus framing. */
static size_t room_for(size_t in_left)
{
    return in_left + in_left / 8 + 4096;
}

/* Makes room at out's end: want bytes when out's limit allows, else what is left up to it.
 * @return the bytes of room (at most MAX_ROOM), 0 when out is full. */
static size_t out_room(kr_buf_t *out, size_t want)
{
    size_t left = out->limit > out->len ? out->limit - out->len : 0;
    if (want > left)
        want = left;
    if (want == 0 || kr_buf_reserve(out, want) != 0)
        return 0;
    size_t room = out->cap - out->len - 1; /* the NUL's byte stays */
    room = room < left ? room : left;
    return room < MAX_ROOM ? room : MAX_ROOM;
}

/* Takes n bytes the codec wrote at out's end into out. */
static void out_commit(kr_buf_t *out, size_t n)
{
    out->len += n;
    out->data[out->len] = '\0';
}

static int igzip_init(http_zstream_t *z, bool gzip, int level)
{
    uint32_t lb = level == 1 ? ISAL_DEF_LVL1_DEFAULT : ISAL_DEF_LVL2_DEFAULT;
    struct isal_zstream *s = xmalloc(sizeof(*s));
    isal_deflate_init(s);
    z->kind = ZS_IGZIP;
    z->u.igzip = s;
    z->igzip_buf = xmalloc(lb);
    s->level = (uint32_t)level;
    s->level_buf = z->igzip_buf;
    s->level_buf_size = lb;
    s->gzip_flag = gzip ? IGZIP_GZIP : IGZIP_ZLIB;
    s->flush = SYNC_FLUSH;
    return 0;
}

/* isal_deflate: a flush is complete when all input is taken and the output was not filled
 * (or the state is back at a new block header); the end when the state is ZSTATE_END. */
static int igzip_write(http_zstream_t *z, const char *in, size_t n, bool last, kr_buf_t *out)
{
    struct isal_zstream *s = z->u.igzip;
    s->next_in = (uint8_t *)in;
    s->avail_in = (uint32_t)n;
    s->end_of_stream = last;
    for (;;) {
        size_t room = out_room(out, room_for(s->avail_in));
        if (room == 0)
            return -1;
        s->next_out = (uint8_t *)out->data + out->len;
        s->avail_out = (uint32_t)room;
        if (isal_deflate(s) != COMP_OK)
            return -1;
        out_commit(out, room - s->avail_out);
        if (last ? s->internal_state.state == ZSTATE_END
                 : s->avail_in == 0 &&
                       (s->avail_out != 0 || s->internal_state.state == ZSTATE_NEW_HDR))
            return 0;
    }
}

static int zlib_init(http_zstream_t *z, bool gzip, int level)
{
    z_stream *s = xcalloc(1, sizeof(*s));
    z->kind = ZS_ZLIB;
    if (deflateInit2(s, level, Z_DEFLATED, gzip ? 31 : 15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        xfree(s);
        return -1;
    }
    z->u.zlib = s;
    return 0;
}

/* deflate: a sync flush is complete when it returns with output room left (Z_BUF_ERROR then
 * only says there was nothing to do); Z_FINISH is repeated until Z_STREAM_END. */
static int zlib_write(http_zstream_t *z, const char *in, size_t n, bool last, kr_buf_t *out)
{
    z_stream *s = z->u.zlib;
    s->next_in = (Bytef *)in;
    s->avail_in = (uInt)n;
    for (;;) {
        size_t room = out_room(out, room_for(s->avail_in));
        if (room == 0)
            return -1;
        s->next_out = (Bytef *)out->data + out->len;
        s->avail_out = (uInt)room;
        int rc = deflate(s, last ? Z_FINISH : Z_SYNC_FLUSH);
        out_commit(out, room - s->avail_out);
        if (rc == Z_STREAM_END)
            return 0;
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            return -1;
        if (s->avail_out != 0 && !last)
            return 0; /* the flush is complete */
        if (s->avail_out != 0 && rc == Z_BUF_ERROR)
            return -1; /* no progress towards the end */
    }
}

static int zstd_init(http_zstream_t *z, int level)
{
    z->kind = ZS_ZSTD;
    z->u.zstd = ZSTD_createCCtx();
    if (!z->u.zstd ||
        ZSTD_isError(ZSTD_CCtx_setParameter(z->u.zstd, ZSTD_c_compressionLevel, level)))
        return -1;
    return 0;
}

/* ZSTD_compressStream2 with ZSTD_e_flush or ZSTD_e_end returns 0 once the input is taken and
 * all of it (and the frame's end) is out. */
static int zstd_write(http_zstream_t *z, const char *in, size_t n, bool last, kr_buf_t *out)
{
    ZSTD_inBuffer ib = {in, n, 0};
    for (;;) {
        size_t room = out_room(out, room_for(n - ib.pos));
        if (room == 0)
            return -1;
        ZSTD_outBuffer ob = {out->data + out->len, room, 0};
        size_t left = ZSTD_compressStream2(z->u.zstd, &ob, &ib, last ? ZSTD_e_end : ZSTD_e_flush);
        out_commit(out, ob.pos);
        if (ZSTD_isError(left))
            return -1;
        if (left == 0)
            return 0;
    }
}

static int br_init(http_zstream_t *z, int level)
{
    z->kind = ZS_BR;
    z->u.br = BrotliEncoderCreateInstance(NULL, NULL, NULL);
    if (!z->u.br || !BrotliEncoderSetParameter(z->u.br, BROTLI_PARAM_QUALITY, (uint32_t)level) ||
        !BrotliEncoderSetParameter(z->u.br, BROTLI_PARAM_MODE, BROTLI_MODE_TEXT))
        return -1;
    return 0;
}

/* BrotliEncoderCompressStream: called with the same operation until the input is taken and the
 * encoder has no more output (and, to finish, until it says it is finished). */
static int br_write(http_zstream_t *z, const char *in, size_t n, bool last, kr_buf_t *out)
{
    const uint8_t *next_in = (const uint8_t *)in;
    size_t avail_in = n;
    BrotliEncoderOperation op = last ? BROTLI_OPERATION_FINISH : BROTLI_OPERATION_FLUSH;
    for (;;) {
        size_t room = out_room(out, room_for(avail_in));
        if (room == 0)
            return -1;
        uint8_t *next_out = (uint8_t *)out->data + out->len;
        size_t avail_out = room;
        if (!BrotliEncoderCompressStream(z->u.br, op, &avail_in, &next_in, &avail_out, &next_out,
                                         NULL))
            return -1;
        out_commit(out, room - avail_out);
        if (avail_in == 0 && !BrotliEncoderHasMoreOutput(z->u.br) &&
            (!last || BrotliEncoderIsFinished(z->u.br)))
            return 0;
    }
}

http_zstream_t *http_zstream_new(http_coding_t c, int level)
{
    level = http_compress_clamp_level(level);
    http_zstream_t *z = xcalloc(1, sizeof(*z));
    int rc;
    switch (c) {
    case HTTP_CODING_GZIP:
    case HTTP_CODING_DEFLATE:
        rc = level <= IGZIP_MAX_LEVEL ? igzip_init(z, c == HTTP_CODING_GZIP, level)
                                      : zlib_init(z, c == HTTP_CODING_GZIP, level);
        break;
    case HTTP_CODING_ZSTD:
        rc = zstd_init(z, level);
        break;
    case HTTP_CODING_BR:
        rc = br_init(z, level);
        break;
    default:
        xfree(z);
        return NULL;
    }
    if (rc != 0) {
        http_zstream_free(z);
        return NULL;
    }
    return z;
}

static int encode(http_zstream_t *z, const char *in, size_t n, bool last, kr_buf_t *out)
{
    switch (z->kind) {
    case ZS_IGZIP:
        return igzip_write(z, in, n, last, out);
    case ZS_ZLIB:
        return zlib_write(z, in, n, last, out);
    case ZS_ZSTD:
        return zstd_write(z, in, n, last, out);
    case ZS_BR:
        return br_write(z, in, n, last, out);
    }
    return -1;
}

int http_zstream_write(http_zstream_t *z, const char *in, size_t n, bool last, kr_buf_t *out)
{
    if (z->done)
        return -1;
    size_t off = 0;
    do {
        size_t k = n - off > MAX_PIECE ? MAX_PIECE : n - off;
        if (encode(z, k ? in + off : NULL, k, last && off + k == n, out) != 0) {
            z->done = true;
            return -1;
        }
        off += k;
    } while (off < n);
    z->done = last;
    return 0;
}

void http_zstream_free(http_zstream_t *z)
{
    if (!z)
        return;
    switch (z->kind) {
    case ZS_IGZIP:
        xfree(z->u.igzip);
        break;
    case ZS_ZLIB:
        if (z->u.zlib)
            deflateEnd(z->u.zlib);
        xfree(z->u.zlib);
        break;
    case ZS_ZSTD:
        ZSTD_freeCCtx(z->u.zstd);
        break;
    case ZS_BR:
        if (z->u.br)
            BrotliEncoderDestroyInstance(z->u.br);
        break;
    }
    xfree(z->igzip_buf);
    xfree(z);
}
