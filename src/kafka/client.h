/* kafka/client.h -- creating librdkafka handles from krest's configuration: bootstrap servers,
 * the pass-through `client.*` and `<kind>.*` keys (a key librdkafka rejects is a warning and is
 * skipped), krest's fixed settings (allow.auto.create.topics=false on every handle), and
 * librdkafka's logs routed into krest's log.
 * May use: config/, util/, librdkafka. Threads: start-up (and consumer creation) only. */
#ifndef KR_KAFKA_CLIENT_H
#define KR_KAFKA_CLIENT_H

#include "config/config.h"
#include "util/err.h"

#include <librdkafka/rdkafka.h>

/** Builds a configuration for a handle of the given kind ("producer", "consumer", "admin"):
 * krest's fixed settings, then defaults (key, value pairs, NULL-terminated; may be NULL), then
 * the pass-through keys, which override the defaults.
 * @return owned conf (hand to rd_kafka_new or destroy), never NULL. */
rd_kafka_conf_t *kafka_client_conf(const krest_config_t *cfg, const char *kind,
                                   const char *const *defaults);

/** Tries every pass-through client.*, producer.*, consumer.*, admin.* key on librdkafka once
 * and logs a warning naming each key it rejects (such keys are skipped later). Start-up. */
void kafka_client_check_config(const krest_config_t *cfg);

/** Creates the admin/metadata handle (a producer-type handle that never produces).
 * @return owned handle (rd_kafka_destroy), or NULL with err set. */
rd_kafka_t *kafka_client_new_admin(const krest_config_t *cfg, kr_err_t *err);

/** Who a per-principal handle authenticates as (krest.kafka.principal.propagation), and where
 * its authentication failures are recorded (error_cb on librdkafka's threads). */
typedef struct kafka_client_user {
    const char *name;     /* borrowed */
    const char *password; /* borrowed; never logged */
    int auth_failed;      /* atomic: 1 once the broker refused the credentials */
    char auth_msg[256];   /* librdkafka's reason, written before auth_failed is set */
} kafka_client_user_t;

/** Makes conf's handle authenticate as user (sasl.username/sasl.password override the
 * configuration's) and record its authentication failures in user instead of the proxy's own
 * state (kafka_client_auth_failure). user must outlive the handle. */
void kafka_client_as_user(rd_kafka_conf_t *conf, kafka_client_user_t *user);

/** Sets a user's SASL credentials on conf (overriding the configuration's) and keeps
 * librdkafka's complaints about them out of krest's warnings; conf's opaque is untouched. */
void kafka_client_set_credentials(rd_kafka_conf_t *conf, const char *name, const char *password);

/** Copies the latest authentication failure (SASL or TLS) of the proxy's own handles into buf.
 * @return 1 when it happened within the last minute, else 0. Any thread. */
int kafka_client_auth_failure(char *buf, size_t size);

#endif
