/* http/request_id.c -- taking or making request ids (see request_id.h). New ids come from a
 * per-thread splitmix64 generator seeded from getrandom(): unique enough to follow a request
 * through the logs, cheap enough for every request, and never a secret.
 * Threads: any. */
#include "http/request_id.h"

#include "util/clock.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>

/* This thread's generator state; 0 until seeded. */
static _Thread_local uint64_t g_request_id_state;

bool http_request_id_sane(const char *given)
{
    if (!given || !*given)
        return false;
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)given; *p; p++, n++) {
        if (n >= HTTP_REQUEST_ID_MAX || *p < 0x21 || *p > 0x7e)
            return false;
    }
    return true;
}

static uint64_t next_random(void)
{
    if (g_request_id_state == 0) {
        uint64_t seed = 0;
        if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
            seed = (uint64_t)kr_clock_mono_us() ^ (uint64_t)pthread_self();
        g_request_id_state = seed | 1;
    }
    uint64_t z = (g_request_id_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

bool http_request_id_take(const char *given, char *out)
{
    if (http_request_id_sane(given)) {
        size_t n = strlen(given);
        memcpy(out, given, n + 1);
        return true;
    }
    static const char hex[] = "0123456789abcdef";
    uint64_t v = next_random();
    for (int i = 0; i < 16; i++)
        out[i] = hex[(v >> (i * 4)) & 0xf];
    out[16] = '\0';
    return false;
}
