/* format/base64.h -- standard base64 (RFC 4648 §4, with padding), strict: only the alphabet,
 * '=' only as the last one or two characters of a length that is a multiple of 4. Unused bits of
 * the last group are ignored, as Java's decoder does.
 * May use: util/. Pure. Threads: any. */
#ifndef KR_FORMAT_BASE64_H
#define KR_FORMAT_BASE64_H

#include <stddef.h>
#include <stdint.h>

/** @return the decoded size of n base64 characters (an upper bound when n is malformed). */
size_t fmt_base64_decoded_max(size_t n);

/** Decodes n characters of in into out (room for fmt_base64_decoded_max(n) bytes).
 * @return the number of bytes written, or -1 when in is not valid base64. */
long fmt_base64_decode(const char *in, size_t n, uint8_t *out);

/** @return the encoded size of n bytes. */
size_t fmt_base64_encoded_len(size_t n);

/** Encodes n bytes into out (room for fmt_base64_encoded_len(n) chars; no NUL is added). */
void fmt_base64_encode(const uint8_t *in, size_t n, char *out);

#endif
