/* http/encoding.h -- content codings: their names, the codecs krest is configured to offer
 * (krest.compression.codecs), and Accept-Encoding negotiation as RFC 9110 §12.5.3 describes it
 * (q-values, "identity", "*", unknown codings ignored).
 * May use: util/. Pure. Threads: any. */
#ifndef KR_HTTP_ENCODING_H
#define KR_HTTP_ENCODING_H

#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>

/** A content coding. HTTP's "deflate" is the zlib format (RFC 1950), not raw DEFLATE. */
typedef enum http_coding {
    HTTP_CODING_NONE = -1, /* nothing the client accepts: 406 */
    HTTP_CODING_IDENTITY = 0,
    HTTP_CODING_GZIP,
    HTTP_CODING_DEFLATE,
    HTTP_CODING_BR,
    HTTP_CODING_ZSTD,
    HTTP_CODING_COUNT
} http_coding_t;

/** Bit of coding c in a codec mask. */
#define HTTP_CODING_BIT(c) (1u << (unsigned)(c))

/** Every compressing codec krest has (the default of krest.compression.codecs). */
#define HTTP_CODINGS_ALL                                                                           \
    (HTTP_CODING_BIT(HTTP_CODING_GZIP) | HTTP_CODING_BIT(HTTP_CODING_DEFLATE) |                    \
     HTTP_CODING_BIT(HTTP_CODING_BR) | HTTP_CODING_BIT(HTTP_CODING_ZSTD))

/** @return c's token ("gzip"...; "identity"), a static string. */
const char *http_coding_name(http_coding_t c);

/** @return the coding named by the n bytes at s (case-insensitive; "x-gzip" is gzip), or
 *          HTTP_CODING_NONE for a name krest does not know. */
http_coding_t http_coding_parse(const char *s, size_t n);

/** Parses a krest.compression.codecs value (comma list of gzip, deflate, br, zstd; may be
 * empty) into *mask. @return 0, or -1 with err set (422) naming the unknown codec. */
int http_codings_parse(const char *list, unsigned *mask, kr_err_t *err);

/** What a request's Accept-Encoding allows. */
typedef struct http_encoding_choice {
    http_coding_t coding; /* the codec to use when compressing pays; IDENTITY: none wanted;
                             NONE: nothing acceptable at all (answer 406) */
    bool identity_ok;     /* the body may go out uncompressed */
} http_encoding_choice_t;

/** Negotiates ae (the Accept-Encoding value; NULL: the header is absent, which allows
 * anything and gets identity) against the codecs in allowed. The client's highest q wins;
 * among equal q: zstd, br, gzip, deflate; a codec wins over identity at equal q. */
http_encoding_choice_t http_encoding_choose(const char *ae, unsigned allowed);

#endif
