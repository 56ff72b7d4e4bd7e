/* tests/fuzz/fuzz_router.c -- libFuzzer target: any bytes as a request path (and the first
 * byte choosing the method) through krest's real route table. A match must give parameters
 * that are non-empty NUL-terminated segments of the path. */
#include "router/router.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"};
    if (size < 1)
        return 0;
    const char *method = methods[data[0] % 6];
    char *path = malloc(size);
    memcpy(path, data + 1, size - 1);
    path[size - 1] = '\0';
    router_match_t m;
    kr_err_t err = {0};
    if (router_match(router_routes, router_n_routes, method, path, &m, &err) == 0) {
        for (size_t i = 0; i < m.n_params; i++) {
            if (!m.params[i][0] || strchr(m.params[i], '/'))
                abort();
        }
        router_match_free(&m);
    } else if (err.code != 404 && err.code != 405) {
        abort();
    }
    free(path);
    return 0;
}
