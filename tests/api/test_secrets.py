"""Secrets are masked everywhere (issue 15 item 6; config_key_is_secret() in
src/config/secrets.c): the keys client.sasl.jaas.config, client.sasl.password,
client.ssl.*password* and krest.cluster.secret, each with its own recognisable value, never reach
krest's log (at debug level, including the warnings about the keys), error messages, --help or
/metrics, whether they come from a properties file, the environment or a malformed argument.
"""

import subprocess

from conftest import KREST_BIN

SECRETS = {
    "client.sasl.jaas.config": 'org.apache.kafka.common.security.plain.PlainLoginModule required '
                               'username="svc" password="Jaas-S3cret-1";',
    "client.sasl.password": "Sasl-S3cret-2",
    "client.ssl.key.password": "Key-S3cret-3",
    "client.ssl.keystore.password": "Keystore-S3cret-4",
    "client.ssl.truststore.password": "Truststore-S3cret-5",
    "krest.cluster.secret": "Cluster-S3cret-6",
    "producer.sasl.password": "Producer-S3cret-7",
}
VALUES = ("S3cret",)


def assert_clean(text, where):
    for v in VALUES:
        assert v not in text, f"a secret value reached {where}: ...{text[text.find(v) - 200:][:400]}"


def test_secrets_masked_in_log_errors_metrics_help(start_krest, tmp_path):
    junk = tmp_path / "junk.p12"
    junk.write_bytes(b"\x30\x82not a pkcs12 store")  # a store krest cannot read: a warning
    props = tmp_path / "krest.properties"
    props.write_text("".join(f"{k}={v}\n" for k, v in SECRETS.items()) +
                     f"client.ssl.keystore.location={junk}\n"
                     f"client.ssl.truststore.location={junk}\n"
                     "krest.log.level=debug\n")
    props.chmod(0o600)
    k = start_krest(positional=(str(props),),
                    env={"KAFKA_REST_CONSUMER_SSL_KEY_PASSWORD": "Env-S3cret-8"})
    assert k.wait_log(r"client\.ssl\.(truststore|keystore)\.location' skipped"), k.log_tail()
    assert k.get("/").status_code == 200
    metrics = k.get("/metrics")
    assert metrics.status_code == 200 and "krest_" in metrics.text
    assert_clean(metrics.text, "/metrics")
    # a request that reaches the handles configured with the secrets (their warnings logged)
    r = k.get("/topics")
    assert_clean(r.text, "an answer")
    k.stop()
    assert_clean(k.log(), "the log")
    # --help prints the defaults only, never a configured value
    r = subprocess.run([KREST_BIN, str(props), "--help"], capture_output=True, text=True,
                       timeout=20)
    assert "client.timeout.ms" in r.stdout
    assert_clean(r.stdout + r.stderr, "--help")


def test_malformed_secret_arguments_not_echoed(tmp_path):
    """Start-up errors quote a malformed argument, except when it carries a secret."""
    for arg in ("client.sasl.password=Arg-S3cret-9", "-krest.cluster.secret=Arg-S3cret-10",
                "client.ssl.keystore.password=Arg-S3cret-11"):
        r = subprocess.run([KREST_BIN, arg], capture_output=True, text=True, timeout=20,
                           cwd=tmp_path)
        assert r.returncode != 0
        assert "must be written --key=value" in r.stdout + r.stderr, r.stderr
        assert_clean(r.stdout + r.stderr, "a start-up error")
