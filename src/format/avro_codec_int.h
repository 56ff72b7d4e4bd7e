/* format/avro_codec_int.h -- what the two halves of the Avro codec share: avro_codec.c
 * (JSON -> binary) and avro_codec_dec.c (binary -> JSON). Only format/ includes this header.
 * Threads: any. */
#ifndef KR_FORMAT_AVRO_CODEC_INT_H
#define KR_FORMAT_AVRO_CODEC_INT_H

#include <stddef.h>

/** Decodes one UTF-8 sequence at s (s < end). @return its length (1-4) with *cp set, or 0
 * when it is not valid UTF-8 (truncated, overlong, a surrogate, beyond U+10FFFF). */
size_t avs__utf8_next(const unsigned char *s, const unsigned char *end, unsigned *cp);

#endif
