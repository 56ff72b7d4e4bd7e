/* tests/fuzz/fuzz_json_valid.c -- differential libFuzzer target for format/json_valid: for any
 * bytes, fmt_json_valid() (SSE2 blocks, AVX2 for long strings) says true exactly when
 * fmt_json_check() (the produce decoder's scanner, format/json_scan.c) returns 0, and so does
 * the portable build of the validator (json_valid.c compiled again with FMT_JSON_VALID_SCALAR,
 * its strings scanned without AVX2). Any disagreement aborts. */
#include "format/json_scan.h"
#include "format/simd.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The portable build, under another name, beside the linked one. */
bool json_valid_scalar(const char *text, size_t len);
#define FMT_JSON_VALID_SCALAR 1
#define fmt_json_valid        json_valid_scalar
#include "format/json_valid.c"
#undef fmt_json_valid
bool fmt_json_valid(const char *text, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    kr_err_t err;
    bool check = fmt_json_check(text, size, &err) == 0;
    bool valid = fmt_json_valid(text, size);
    fmt_simd_enable(false);
    bool scalar = json_valid_scalar(text, size);
    fmt_simd_enable(true);
    if (valid != check || scalar != check) {
        fprintf(stderr, "fmt_json_check %d (%s), fmt_json_valid %d, scalar %d on %zu bytes\n",
                check, check ? "" : err.msg, valid, scalar, size);
        abort();
    }
    return 0;
}
