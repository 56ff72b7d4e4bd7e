/* tests/fuzz/fuzz_encoding.c -- libFuzzer target for http/encoding: Accept-Encoding values and
 * krest.compression.codecs lists. The first byte is the mask of codecs offered; the rest, made
 * a string, is the header (and a codecs list).
 * Checks: the choice is identity, "nothing acceptable" or an offered codec; "nothing
 * acceptable" only when identity is refused; a refused identity never comes back as the
 * choice; a codecs list that parses names only known codecs. */
#include "http/encoding.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > 4096)
        return 0;
    unsigned allowed = (unsigned)data[0] & HTTP_CODINGS_ALL;
    char *s = malloc(size);
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    http_encoding_choice_t ch = http_encoding_choose(s, allowed);
    if (ch.coding != HTTP_CODING_IDENTITY && ch.coding != HTTP_CODING_NONE &&
        !(allowed & HTTP_CODING_BIT(ch.coding)))
        abort();
    if (ch.coding == HTTP_CODING_NONE && ch.identity_ok)
        abort();
    if (!ch.identity_ok && ch.coding == HTTP_CODING_IDENTITY)
        abort();
    unsigned mask = 0;
    kr_err_t err = {0};
    if (http_codings_parse(s, &mask, &err) == 0 && (mask & ~HTTP_CODINGS_ALL))
        abort();
    free(s);
    return 0;
}
