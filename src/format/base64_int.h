/* format/base64_int.h -- what format/base64.c shares with its AVX2 block loops
 * (format/base64_avx2.c), which it calls when fmt_simd_avx2(). Not for other modules. */
#ifndef KR_FORMAT_BASE64_INT_H
#define KR_FORMAT_BASE64_INT_H

#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define KR_BASE64_HAVE_AVX2 1
/* Decodes whole blocks of 32 characters from in (n of them) into out; stops before a block
 * holding a character outside the alphabet ('=' included) and sets *bad.
 * @return the number of characters decoded (a multiple of 32). */
size_t kr_base64_decode_avx2(const uint8_t *in, size_t n, uint8_t *out, int *bad);
/* Encodes whole blocks of 24 bytes while 28 bytes can be read from in.
 * @return the number of bytes encoded (a multiple of 24). */
size_t kr_base64_encode_avx2(const uint8_t *in, size_t n, char *out);
#else
#define KR_BASE64_HAVE_AVX2 0
#endif

#endif
