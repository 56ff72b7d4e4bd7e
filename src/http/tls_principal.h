/* http/tls_principal.h -- the principal of a TLS client certificate: its subject as Java's
 * X500Principal.getName() prints it (RFC 2253), mapped by `ssl.principal.mapping.rules` as
 * Kafka's SslPrincipalMapper maps it (DEFAULT, RULE:pattern/replacement/ with /L or /U).
 * Patterns are PCRE2 (Perl syntax, the closest C library to java.util.regex: lazy
 * quantifiers, \d, \w, look-arounds).
 * May use: util/. Threads: a mapper is immutable after http_tls_mapper_new(); any thread may
 * apply it. */
#ifndef KR_HTTP_TLS_PRINCIPAL_H
#define KR_HTTP_TLS_PRINCIPAL_H

#include "util/err.h"

#include <gnutls/x509.h>
#include <stddef.h>

typedef struct http_tls_mapper http_tls_mapper_t;

/** Parses rules as Kafka does: comma-separated DEFAULT and RULE:pattern/replacement/[L|U]
 * items, whitespace around items ignored, empty items skipped; NULL or "" is DEFAULT.
 * @return the mapper (free with http_tls_mapper_free), or NULL with err set (422, naming the
 *         rule) for a malformed rule or a pattern PCRE2 cannot compile. */
http_tls_mapper_t *http_tls_mapper_new(const char *rules, kr_err_t *err);

/** Frees a mapper; NULL is a no-op. */
void http_tls_mapper_free(http_tls_mapper_t *m);

/** The principal of dn: the first rule whose pattern matches the whole of dn gives
 * dn.replaceAll(pattern, replacement) ($n and ${name} are groups; a $n naming no group and
 * \c are literal text), lower- or upper-cased (ASCII) with /L or /U; DEFAULT gives dn.
 * @return an owned string (free with xfree), or NULL when no rule applies. */
char *http_tls_mapper_apply(const http_tls_mapper_t *m, const char *dn);

/** The subject of crt as Java's X500Principal.getName() writes it: RDNs last first, joined by
 * ',', AVAs of one RDN by '+'; CN, C, L, ST, O, OU, STREET, DC and UID by keyword, other
 * attributes as dotted OIDs with a #hex DER value; ,=+<>#;"\ escaped with '\'.
 * @return an owned string (free with xfree), or NULL when the subject cannot be read. */
char *http_tls_subject_name(gnutls_x509_crt_t crt);

#endif
