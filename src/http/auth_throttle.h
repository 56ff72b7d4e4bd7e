/* http/auth_throttle.h -- how often crypt(3) may run for a user name: after a failed check, one
 * client address waits CRYPT_RETRY_MS before its next attempt for that name, and at most
 * AUTH_THROTTLE_PER_NAME checks per second run for a name from all addresses together. Other
 * addresses are not held back by one address's failures, so a wrong attempt elsewhere does not
 * lock the right password out (docs/security.md, "Password checks"). Unknown names are counted
 * alike (no timing difference that tells them apart).
 * Threads: any (one mutex). */
#ifndef KR_HTTP_AUTH_THROTTLE_H
#define KR_HTTP_AUTH_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

#define AUTH_THROTTLE_RETRY_MS 1000
#define AUTH_THROTTLE_PER_NAME 5

typedef struct auth_throttle auth_throttle_t;

/** @return owned (auth_throttle_free), or NULL when no random key can be had. */
auth_throttle_t *auth_throttle_new(void);
void auth_throttle_free(auth_throttle_t *t);
/** May a crypt check of user's password from addr run now (counted when it may)? */
bool auth_throttle_begin(auth_throttle_t *t, const char *user, const char *addr, int64_t now_ms);
/** The check begun failed: addr waits AUTH_THROTTLE_RETRY_MS for user. */
void auth_throttle_failed(auth_throttle_t *t, const char *user, const char *addr, int64_t now_ms);

#endif
