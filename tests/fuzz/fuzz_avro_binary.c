/* tests/fuzz/fuzz_avro_binary.c -- libFuzzer target for avs_decode_to_json: the first byte
 * picks a schema (avro_fuzz_schemas.h), the rest is an Avro datum. Never a crash; what
 * decodes gives JSON that encodes, and those bytes decode to the same JSON. The bytes
 * themselves need not come back: the input may use non-canonical varints, several or
 * negative-count blocks, or NaNs with other payloads, which all decode to the same JSON. */
#include "avro_fuzz_schemas.h"
#include "format/avro_codec.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    avs_schema_t *s = fuzz_schema(data[0] % N_FUZZ_SCHEMAS);
    kr_buf_t out, bin, out2;
    kr_buf_init(&out, 1 << 24), kr_buf_init(&bin, 1 << 22), kr_buf_init(&out2, 1 << 24);
    kr_err_t err;
    if (avs_decode_to_json(s, data + 1, size - 1, &out, &err) == 0) {
        if (avs_encode_json(s, out.data, out.len, "v", &bin, &err) != 0)
            fuzz_die("decoded JSON does not encode:", out.data, out.len, err.msg, strlen(err.msg));
        if (avs_decode_to_json(s, bin.data, bin.len, &out2, &err) != 0 || out2.len != out.len ||
            memcmp(out2.data, out.data, out.len) != 0)
            fuzz_die("re-encoded bytes decode to other JSON:", out.data, out.len, out2.data,
                     out2.len);
        if (bin.len > size - 1)
            fuzz_die("re-encoding is longer than the input:", out.data, out.len, "", 0);
    } else if (err.code != KR_ERR_SERIALIZATION) {
        fuzz_die("unexpected error code:", out.data, out.len, err.msg, strlen(err.msg));
    }
    kr_buf_deinit(&out), kr_buf_deinit(&bin), kr_buf_deinit(&out2);
    return 0;
}
