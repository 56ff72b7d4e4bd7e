/* format/avro_codec_int.h -- what the files of the Avro codec share: avro_codec.c and its JSON
 * scanner avro_codec_json.c (JSON -> binary), avro_codec_dec.c (binary -> JSON).
 * Only format/ includes this header.
 * Threads: any. */
#ifndef KR_FORMAT_AVRO_CODEC_INT_H
#define KR_FORMAT_AVRO_CODEC_INT_H

#include "util/buf.h"
#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* The encoder's state (avro_codec.c); the scanner (avro_codec_json.c) reads the text with it. */
typedef struct avs_enc {
    const char *start, *p, *end;
    kr_buf_t *out; /* borrowed */
    kr_err_t *err;
    kr_buf_t tmp; /* unescaped strings, number texts, record reordering */
    int depth;
    size_t defaults; /* default values encoded so far (AVS_MAX_DEFAULT_VALUES) */
    bool too_deep;   /* the nesting or defaults limit was hit (no other union branch is tried) */
    size_t path_len;
    char path[256];
} avs_enc_t;

/** kr_buf_append, inlined: the codec appends many small pieces. @return 0, or -1 (limit). */
static inline int avs__put(kr_buf_t *b, const void *p, size_t n)
{
    if (b->cap - b->len > n && b->limit - b->len >= n) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
    }
    return kr_buf_append(b, p, n);
}

/** Decodes one UTF-8 sequence at s (s < end). @return its length (1-4) with *cp set, or 0
 * when it is not valid UTF-8 (truncated, overlong, a surrogate, beyond U+10FFFF). */
size_t avs__utf8_next(const unsigned char *s, const unsigned char *end, unsigned *cp);

/** An error at the scanner's position: 42203 "<path>: invalid JSON at offset N: <what>".
 * @return -1. */
int avs__enc_syntax(avs_enc_t *e, const char *what);
/** Skips whitespace. @return the next character (not consumed), or -1 at the end. */
int avs__enc_peek(avs_enc_t *e);
/** Consumes word (n bytes) when the text continues with it. */
bool avs__enc_literal(avs_enc_t *e, const char *word, size_t n);
/** Reads a JSON number at e->p: *s, *n its text; *is_int: no fraction, no exponent.
 * @return 0, or -1 (syntax error set). */
int avs__enc_number(avs_enc_t *e, const char **s, size_t *n, bool *is_int);
/** Reads a JSON string at e->p (its opening quote), unescaped: *s points into the text when it
 * has no escapes, else into e->tmp (valid until the next scan). @return 0, or -1 (error set). */
int avs__enc_string(avs_enc_t *e, const char **s, size_t *n);

#endif
