/* tests/fuzz/fuzz_avro_json.c -- libFuzzer target for avs_encode_json: the first byte picks a
 * schema (avro_fuzz_schemas.h), the rest is JSON text. Never a crash; what encodes is strict
 * JSON (fmt_json_check agrees, nesting apart: produce bodies stop at 64 levels, the codec at
 * 512); and its bytes decode to JSON that encodes to the same bytes and decodes to itself. */
#include "avro_fuzz_schemas.h"
#include "format/avro_codec.h"
#include "format/json_scan.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    avs_schema_t *s = fuzz_schema(data[0] % N_FUZZ_SCHEMAS);
    const char *json = (const char *)data + 1;
    size_t len = size - 1;
    kr_buf_t bin, out, again, out2;
    kr_buf_init(&bin, 1 << 20), kr_buf_init(&out, 1 << 22), kr_buf_init(&again, 1 << 20);
    kr_buf_init(&out2, 1 << 22);
    kr_err_t err;
    if (avs_encode_json(s, json, len, "v", &bin, &err) == 0) {
        kr_err_t jerr;
        if (fmt_json_check(json, len, &jerr) != 0 && !strstr(jerr.msg, "nesting"))
            fuzz_die("encoded text that is not JSON:", json, len, jerr.msg, strlen(jerr.msg));
        if (avs_decode_to_json(s, bin.data, bin.len, &out, &err) != 0)
            fuzz_die("encoded bytes do not decode:", json, len, err.msg, strlen(err.msg));
        if (avs_encode_json(s, out.data, out.len, "v", &again, &err) != 0)
            fuzz_die("decoded JSON does not encode:", out.data, out.len, err.msg, strlen(err.msg));
        if (again.len != bin.len || memcmp(again.data, bin.data, bin.len) != 0)
            fuzz_die("decoded JSON encodes to other bytes:", json, len, out.data, out.len);
        if (avs_decode_to_json(s, again.data, again.len, &out2, &err) != 0 || out2.len != out.len ||
            memcmp(out2.data, out.data, out.len) != 0)
            fuzz_die("decoding is not a fixpoint:", out.data, out.len, out2.data, out2.len);
    } else if (err.code != KR_ERR_JSON_AVRO_CONVERSION && err.code != KR_ERR_TOO_LARGE) {
        fuzz_die("unexpected error code:", json, len, err.msg, strlen(err.msg));
    }
    kr_buf_deinit(&bin), kr_buf_deinit(&out), kr_buf_deinit(&again), kr_buf_deinit(&out2);
    return 0;
}
