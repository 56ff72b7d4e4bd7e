/* http/auth.h -- HTTP Basic authentication as Confluent's rest-utils sets up Jetty
 * (authentication.method=BASIC, .realm, .roles, .skip.paths, access.control.skip.options):
 * users from the password file that the realm's JAAS section names (config/jaas.h,
 * config/users.h), checked with constant-time comparisons (crypt(3) for CRYPT:/bcrypt, MD5,
 * plain); 401 with WWW-Authenticate, 403 for a user without a required role; the files
 * re-read on SIGHUP (util/reload.h). Applies to every listener (proxy, registry, metrics).
 * May use: config/, format/, api/ (api_principal_t), util/, libcrypt, OpenSSL, libmicrohttpd.
 * Threads: new/free at start-up and shutdown; http_auth_check from any MHD thread; the reload
 * on the main thread (the user table is swapped under a lock, each check holds a reference). */
#ifndef KR_HTTP_AUTH_H
#define KR_HTTP_AUTH_H

#include "api/api.h"
#include "config/config.h"
#include "http/response.h"
#include "util/err.h"

#include <microhttpd.h>

typedef struct http_auth http_auth_t;
/** A request's decoded credentials: owned by the request (free with http_auth_cred_free);
 * the principal's strings point into it. */
typedef struct http_auth_cred http_auth_cred_t;

/** Builds the authentication of cfg: with authentication.method=BASIC finds the JAAS file
 * (krest.authentication.jaas.file, else KAFKAREST_OPTS's -Djava.security.auth.login.config=),
 * reads it and the password file, and registers the SIGHUP reload.
 * @return owned (free with http_auth_free; does nothing when the method is NONE), or NULL with
 *         err set (422) on an unknown or unsupported method or an unreadable file. */
http_auth_t *http_auth_new(const krest_config_t *cfg, kr_err_t *err);

/** Unregisters the reload and frees; http_auth_free(NULL) is a no-op. */
void http_auth_free(http_auth_t *auth);

/** Re-reads the JAAS and password files; on an error the users in force stay.
 * @return 0, or -1 with err set. */
int http_auth_reload(http_auth_t *auth, kr_err_t *err);

/** Decides whether a request may go on (before it is routed): a skipped path, an OPTIONS
 * request while CORS is on and access.control.skip.options, or a user of the file whose
 * password matches and who has a required role.
 * @param cred out: the decoded credentials when the request carries Basic ones (owned by the
 *        caller also when the check fails)
 * @param who out: API_AUTH_BASIC with the user's name and password (borrowed from *cred) when
 *        the request authenticated; untouched otherwise
 * @param hs out: WWW-Authenticate on a 401 (the value borrowed from auth)
 * @return 0, or -1 with err set: 401 (no, malformed or wrong credentials) or 403 (no role). */
int http_auth_check(http_auth_t *auth, struct MHD_Connection *conn, const char *method,
                    const char *path, http_auth_cred_t **cred, api_principal_t *who,
                    http_headers_t *hs, kr_err_t *err);

/** Frees (and wipes) a request's credentials; http_auth_cred_free(NULL) is a no-op. */
void http_auth_cred_free(http_auth_cred_t *cred);

#endif
