/* tests/fuzz/fuzz_base64.c -- libFuzzer target for format/base64: any bytes are decoded.
 * Checks: the decoder accepts exactly the strict RFC 4648 §4 form (alphabet only, length a
 * multiple of 4, "=" or "==" only at the end); when it accepts, encoding the result gives the
 * input back except for the ignored unused bits of the last character, decoding that again
 * gives the same bytes, OpenSSL's EVP_DecodeBlock decodes the same bytes, and the scalar code
 * gives what the AVX2 blocks give, both ways. */
#include "format/base64.h"
#include "format/simd.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int value_of(uint8_t c)
{
    const char *p = c ? memchr(alphabet, c, 64) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

/* The strict form, written independently of the decoder. @return the number of '=' or -1. */
static int strict_padding(const uint8_t *s, size_t n)
{
    if (n % 4 != 0)
        return -1;
    size_t pad = 0;
    while (pad < 2 && pad < n && s[n - 1 - pad] == '=')
        pad++;
    for (size_t i = 0; i < n - pad; i++) {
        if (value_of(s[i]) < 0)
            return -1;
    }
    return (int)pad;
}

/* The scalar code decodes and encodes data as the AVX2 blocks did. */
static void check_scalar(const uint8_t *data, size_t size, long got, const uint8_t *out)
{
    uint8_t *dec = malloc(fmt_base64_decoded_max(size));
    char *enc = malloc(fmt_base64_encoded_len(size) + 1);
    char *enc_simd = malloc(fmt_base64_encoded_len(size) + 1);
    fmt_base64_encode(data, size, enc_simd);
    fmt_simd_enable(false);
    long again = fmt_base64_decode((const char *)data, size, dec);
    fmt_base64_encode(data, size, enc);
    fmt_simd_enable(true);
    if (again != got || (got > 0 && memcmp(dec, out, (size_t)got) != 0))
        abort();
    if (memcmp(enc, enc_simd, fmt_base64_encoded_len(size)) != 0)
        abort();
    free(enc_simd);
    free(enc);
    free(dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *out = malloc(fmt_base64_decoded_max(size));
    long got = fmt_base64_decode((const char *)data, size, out);
    check_scalar(data, size, got, out);
    int pad = strict_padding(data, size);
    if ((got >= 0) != (pad >= 0))
        abort(); /* accepts exactly the strict form */
    if (got < 0) {
        free(out);
        return 0;
    }
    if ((size_t)got != size / 4 * 3 - (size_t)pad)
        abort();

    /* re-encode: the same text but for the unused bits of the last data character */
    size_t elen = fmt_base64_encoded_len((size_t)got);
    if (elen != size)
        abort();
    char *enc = malloc(elen + 1);
    fmt_base64_encode(out, (size_t)got, enc);
    for (size_t i = 0; i < size; i++) {
        if (enc[i] == (char)data[i])
            continue;
        /* only the last data character may differ, and only in its unused low bits */
        size_t last = size - 1 - (size_t)pad;
        int unused = pad == 2 ? 0x0f : pad == 1 ? 0x03 : 0;
        if (i != last || value_of((uint8_t)enc[i]) != (value_of(data[i]) & ~unused))
            abort();
    }
    uint8_t *again = malloc(fmt_base64_decoded_max(elen));
    if (fmt_base64_decode(enc, elen, again) != got || memcmp(again, out, (size_t)got) != 0)
        abort();

    /* OpenSSL agrees (its length counts the padding as zero bytes) */
    if (size > 0 && size < (size_t)INT32_MAX) {
        unsigned char *ossl = malloc(size / 4 * 3 + 1);
        int n = EVP_DecodeBlock(ossl, data, (int)size);
        if (n < 0 || (size_t)n != size / 4 * 3 || memcmp(ossl, out, (size_t)got) != 0)
            abort();
        free(ossl);
    }
    free(again);
    free(enc);
    free(out);
    return 0;
}
