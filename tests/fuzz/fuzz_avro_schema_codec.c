/* tests/fuzz/fuzz_avro_schema_codec.c -- libFuzzer target for the Avro codec against arbitrary
 * schemas: any bytes are parsed as a schema and, when they parse, a few fixed JSON values and
 * byte strings are encoded and decoded with it (defaults, recursion, empty unions and enums,
 * odd names). Never a crash; what converts one way converts back to the same bytes/JSON. */
#include "avro_fuzz_schemas.h"
#include "format/avro_codec.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const JSONS[] = {"null", "{}", "[]", "0", "\"\"", "[{}]", "{\"a\":{}}", "1.5"};
static const char BINS[][4] = {"", "\x00", "\x02\x02", "\x02\x00\x00", "\x01\x02\x00", "\x04"};
static const size_t BIN_LENS[] = {0, 1, 2, 3, 3, 1};

/* bin decodes to JSON that encodes to bytes that decode to the same JSON. */
static void check_decoded(avs_schema_t *s, const char *bin, size_t n)
{
    kr_buf_t out, again, out2;
    kr_buf_init(&out, 1 << 22), kr_buf_init(&again, 1 << 22), kr_buf_init(&out2, 1 << 22);
    kr_err_t err;
    if (avs_decode_to_json(s, bin, n, &out, &err) == 0) {
        if (avs_encode_json(s, out.data, out.len, "v", &again, &err) != 0)
            fuzz_die("decoded JSON does not encode:", out.data, out.len, err.msg, strlen(err.msg));
        if (avs_decode_to_json(s, again.data, again.len, &out2, &err) != 0 || out2.len != out.len ||
            memcmp(out2.data, out.data, out.len) != 0)
            fuzz_die("decoding is not a fixpoint:", out.data, out.len, out2.data, out2.len);
    }
    kr_buf_deinit(&out), kr_buf_deinit(&again), kr_buf_deinit(&out2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kr_err_t err;
    avs_schema_t *s = avs_parse((const char *)data, size, &err);
    if (!s)
        return 0;
    for (size_t i = 0; i < sizeof(JSONS) / sizeof(JSONS[0]); i++) {
        kr_buf_t bin;
        kr_buf_init(&bin, 1 << 22);
        if (avs_encode_json(s, JSONS[i], strlen(JSONS[i]), "v", &bin, &err) == 0)
            check_decoded(s, bin.data ? bin.data : "", bin.len);
        kr_buf_deinit(&bin);
    }
    for (size_t i = 0; i < sizeof(BINS) / sizeof(BINS[0]); i++)
        check_decoded(s, BINS[i], BIN_LENS[i]);
    avs_free(s);
    return 0;
}
