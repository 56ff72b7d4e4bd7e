/* tests/fuzz/fuzz_tls_rules.c -- libFuzzer target for http/tls_principal: the input's first
 * line is ssl.principal.mapping.rules, the rest a distinguished name. Checks: a rule set is
 * accepted or refused with a message naming the key, never a crash; an accepted one maps the
 * name to a NUL-terminated string or to nothing; DEFAULT alone gives the name back. */
#include "http/tls_principal.h"

#include "util/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *text = xstrndup((const char *)data, size); /* stops at a NUL, as a C string would */
    char *nl = strchr(text, '\n');
    const char *dn = "CN=fuzz,O=krest";
    if (nl) {
        *nl = '\0';
        dn = nl + 1;
    }
    kr_err_t err = {0};
    http_tls_mapper_t *m = http_tls_mapper_new(text, &err);
    if (!m) {
        if (!strstr(err.msg, "ssl.principal.mapping.rules"))
            abort();
    } else {
        char *res = http_tls_mapper_apply(m, dn);
        if (res && strlen(res) > ((size_t)64 << 10))
            abort();
        xfree(res);
        http_tls_mapper_free(m);
    }
    http_tls_mapper_t *d = http_tls_mapper_new("DEFAULT", &err);
    char *same = http_tls_mapper_apply(d, dn);
    if (!same || strcmp(same, dn) != 0)
        abort();
    xfree(same);
    http_tls_mapper_free(d);
    xfree(text);
    return 0;
}
