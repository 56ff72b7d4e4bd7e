/* kafka/client_java.h -- the Java client's security keys translated into librdkafka's, so that a
 * Confluent configuration (client.security.protocol, client.ssl.*, client.sasl.*) works
 * unchanged (issue 15 item 5):
 *   sasl.jaas.config (PlainLoginModule / ScramLoginModule with username="..." password="...")
 *       -> sasl.username, sasl.password;
 *   ssl.truststore.location: PEM -> ssl.ca.location; PKCS12 -> its certificates as PEM in
 *       ssl.ca.pem (converted here with OpenSSL's libcrypto, password ssl.truststore.password);
 *   ssl.keystore.location: PKCS12 -> kept (librdkafka reads it, with ssl.keystore.password);
 *       PEM (key and chain in one file) -> ssl.key.location + ssl.certificate.location;
 *   ssl.truststore.certificates / ssl.keystore.key / ssl.keystore.certificate.chain (inline PEM)
 *       -> ssl.ca.pem / ssl.key.pem / ssl.certificate.pem;
 *   ssl.endpoint.identification.algorithm "" -> none.
 * A JKS store, and the Java-only keys librdkafka has no equivalent for (ssl.protocol,
 * ssl.enabled.protocols, ssl.keymanager.algorithm, ...), are warnings naming the key and are
 * never passed on. Every other key is passed as it is.
 * May use: config/, util/, OpenSSL's libcrypto. Threads: start-up and handle creation (any
 * thread; no shared state). */
#ifndef KR_KAFKA_CLIENT_JAVA_H
#define KR_KAFKA_CLIENT_JAVA_H

#include "config/config.h"

#include <stdbool.h>
#include <stddef.h>

/** Translates librdkafka-bound pairs (prefix already stripped). prefix ("client.", ...) only
 * names the keys in warnings, logged when warn is set (once, at start-up).
 * @return the number of pairs in *out (owned, config_kv_free). */
size_t kafka_java_translate(const config_kv_t *in, size_t n, const char *prefix, bool warn,
                            config_kv_t **out);

/** Parses a JAAS login-module line's username="..." and password="..." options.
 * @return 0 with both copied (NUL-terminated, truncated to the sizes), -1 when either is
 * missing. */
int kafka_java_jaas_credentials(const char *jaas, char *user, size_t user_size, char *password,
                                size_t password_size);

#endif
