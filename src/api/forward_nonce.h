/* api/forward_nonce.h -- the nonces of forwarded requests seen within their validity window, so
 * that a captured signed request cannot be replayed (docs/cluster.md, "Forwarding").
 * Threads: any (one mutex). */
#ifndef KR_API_FORWARD_NONCE_H
#define KR_API_FORWARD_NONCE_H

#include <stdint.h>

#define FWD_NONCE_LEN 16 /* bytes; 32 hex digits in the mark */

typedef struct fwd_nonces fwd_nonces_t;

typedef enum { FWD_NONCE_NEW, FWD_NONCE_SEEN, FWD_NONCE_FULL } fwd_nonce_result_t;

/** A cache of at most max_live nonces (owned by the caller; fwd_nonces_free). */
fwd_nonces_t *fwd_nonces_new(uint32_t max_live);
void fwd_nonces_free(fwd_nonces_t *n);
/** Records nonce, remembered until expires_ms (wall clock) has passed. @return FWD_NONCE_NEW
 * (recorded), FWD_NONCE_SEEN (a replay: refuse it) or FWD_NONCE_FULL (max_live nonces are
 * still valid: refuse it, never forget one early). */
fwd_nonce_result_t fwd_nonces_add(fwd_nonces_t *n, const unsigned char nonce[FWD_NONCE_LEN],
                                  int64_t expires_ms, int64_t now_ms);

#endif
