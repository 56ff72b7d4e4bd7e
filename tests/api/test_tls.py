"""HTTPS listeners (issue 15, item 1): keystores (PKCS12, PEM, JKS refused), mixed http and
https listeners, the registry and metrics listeners over https, protocol versions, plain HTTP on
a TLS port, reload on SIGHUP with open connections kept, and secrets never shown (item 6).
mTLS is in test_tls_mtls.py. Certificates are made by tls_helpers.Pki with openssl."""

import http.client
import os
import signal
import socket
import subprocess

import pytest
import requests
from cryptography import x509

from conftest import KREST_BIN, build_args, clean_env, free_port, read_topic, wait_until
from tls_helpers import (  # noqa: F401 (pki: a fixture)
    KEY_PASSWORD,
    STORE_PASSWORD,
    client_context,
    keystore_flags,
    pki,
    port_open,
    start_https,
)


def run_krest(*extra, timeout=20):
    """krest that is expected to stop at start-up: (exit code, output)."""
    args, _ = build_args(list(extra))
    r = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=clean_env())
    return r.returncode, r.stdout + r.stderr


def test_mixed_http_and_https_listeners_produce(start_krest, pki,  # noqa: F811
                                                 new_topic, kafka_bootstrap):
    topic = new_topic()
    k = start_https(start_krest, pki, "--ssl.endpoint.identification.algorithm=https",
                    "--ssl.protocol=TLSv1.3")
    r = requests.get(k.tls_url + "/topics", verify=pki.ca, timeout=10)
    assert r.status_code == 200, r.text
    assert topic in r.json()
    assert k.get("/topics").status_code == 200  # the http listener serves alike
    body = {"records": [{"value": "aGk="}]}
    r = requests.post(f"{k.tls_url}/topics/{topic}", json=body, verify=pki.ca, timeout=30,
                      headers={"Content-Type": "application/vnd.kafka.binary.v2+json"})
    assert r.status_code == 200, r.text
    recs = read_topic(topic, bootstrap=kafka_bootstrap)
    assert [rec.value for rec in recs] == [b"hi"]
    # an untrusting client refuses krest's certificate: it really is TLS with our CA
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(k.tls_url + "/", timeout=10)


def test_pem_keystore_with_encrypted_key(start_krest, pki):
    pem = pki.pem_keystore("server-ks-enc", pki.server, pki.server_key, KEY_PASSWORD)
    k = start_https(start_krest, pki, keystore=[
        f"--ssl.keystore.location={pem}", "--ssl.keystore.type=PEM",
        f"--ssl.key.password={KEY_PASSWORD}"])
    assert requests.get(k.tls_url + "/", verify=pki.ca, timeout=10).status_code == 200
    assert KEY_PASSWORD not in k.log()


def test_jks_keystore_refused_with_keytool_command(pki):
    p12 = pki.pkcs12("server-ks-jks", pki.server, pki.server_key)
    jks = pki.jks("server", p12)
    code, out = run_krest(f"--listeners=https://127.0.0.1:{free_port()}",
                          f"--ssl.keystore.location={jks}",
                          f"--ssl.keystore.password={STORE_PASSWORD}")
    assert code != 0
    assert "JKS" in out and "keytool -importkeystore" in out and "-deststoretype PKCS12" in out
    assert jks in out
    assert STORE_PASSWORD not in out
    code, out = run_krest(f"--listeners=https://127.0.0.1:{free_port()}", *keystore_flags(pki),
                          f"--ssl.truststore.location={jks}",
                          f"--ssl.truststore.password={STORE_PASSWORD}")
    assert code != 0 and "ssl.truststore.location" in out and "keytool -importkeystore" in out
    assert STORE_PASSWORD not in out


def test_wrong_password_is_an_error_without_the_password(pki):
    p12 = pki.pkcs12("server-ks-pw", pki.server, pki.server_key)
    code, out = run_krest(f"--listeners=https://127.0.0.1:{free_port()}",
                          f"--ssl.keystore.location={p12}", "--ssl.keystore.type=PKCS12",
                          "--ssl.keystore.password=Wr0ng-Passw0rd")
    assert code != 0
    assert "ssl.keystore.password" in out
    assert "Wr0ng-Passw0rd" not in out and STORE_PASSWORD not in out
    assert "the secret ssl.keystore.password is given on the command line" in out


def test_https_without_keystore_and_bad_settings_are_errors(pki):
    listener = f"--listeners=https://127.0.0.1:{free_port()}"
    code, out = run_krest(listener)
    assert code != 0 and "ssl.keystore.location" in out
    ks = keystore_flags(pki)
    code, out = run_krest(listener, *ks, "--ssl.cipher.suites=TLS_NO_SUCH_SUITE")
    assert code != 0 and "TLS_NO_SUCH_SUITE" in out
    code, out = run_krest(listener, *ks, "--ssl.enabled.protocols=SSLv3")
    assert code != 0 and "SSLv3" in out
    code, out = run_krest(listener, *ks, "--ssl.client.authentication=SOMETIMES")
    assert code != 0 and "ssl.client.authentication" in out


def test_plain_http_on_the_tls_port_fails_cleanly(start_krest, pki):
    k = start_https(start_krest, pki)
    with socket.create_connection(("127.0.0.1", k.tls_port), timeout=5) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break  # closed by krest
            data += chunk
        assert b"HTTP/1.1 200" not in data
    assert requests.get(k.tls_url + "/", verify=pki.ca, timeout=10).status_code == 200
    assert k.proc.poll() is None


def s_client(port, *args, cafile):
    r = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}",
                        "-CAfile", cafile, *args],
                       input="", capture_output=True, text=True, timeout=20)
    return r.returncode, r.stdout + r.stderr


def test_tls_1_0_and_1_1_refused_1_2_and_1_3_accepted(start_krest, pki):
    k = start_https(start_krest, pki)
    for old in ("-tls1", "-tls1_1"):
        code, out = s_client(k.tls_port, old, cafile=pki.ca)
        assert code != 0, out
        assert "Cipher is (NONE)" in out or "no protocols available" in out or \
            "alert" in out, out
    for new, name in (("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")):
        code, out = s_client(k.tls_port, new, cafile=pki.ca)
        assert code == 0, out
        assert f"Protocol  : {name}" in out or f"New, {name}" in out, out
        assert "Verify return code: 0 (ok)" in out


def test_cipher_suites_restrict_the_handshake(start_krest, pki):
    k = start_https(start_krest, pki, "--ssl.enabled.protocols=TLSv1.2",
                    "--ssl.cipher.suites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
    code, out = s_client(k.tls_port, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256",
                         cafile=pki.ca)
    assert code == 0 and "ECDHE-ECDSA-AES128-GCM-SHA256" in out, out
    code, out = s_client(k.tls_port, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384",
                         cafile=pki.ca)
    assert code != 0, out


def peer_serial(conn):
    der = conn.sock.getpeercert(binary_form=True)
    return x509.load_der_x509_certificate(der).serial_number


def test_sighup_reloads_the_certificate_and_keeps_open_connections(start_krest, pki, tmp_path):
    ks = tmp_path / "reload.p12"
    os.replace(pki.pkcs12("reload-a", pki.server, pki.server_key), ks)
    k = start_https(start_krest, pki, keystore=keystore_flags(pki, str(ks)))
    ctx = client_context(pki)
    old = http.client.HTTPSConnection("localhost", k.tls_port, context=ctx, timeout=10)
    old.request("GET", "/")
    r = old.getresponse()
    assert r.status == 200
    r.read()
    assert peer_serial(old) == 1001
    key, cert = pki.server_cert("server-new", serial=1002)
    new_p12 = pki.pkcs12("reload-b", cert, key)
    os.replace(new_p12, ks)
    k.signal(signal.SIGHUP)
    assert k.wait_log(r"reloaded: subject CN=localhost, serial 03ea", timeout=10), k.log_tail()
    # the connection opened before the reload still works
    for _ in range(2):
        old.request("GET", "/healthy")
        r = old.getresponse()
        assert r.status == 200
        r.read()
    assert peer_serial(old) == 1001
    old.close()
    fresh = http.client.HTTPSConnection("localhost", k.tls_port, context=ctx, timeout=10)
    fresh.request("GET", "/")
    assert fresh.getresponse().status == 200
    assert peer_serial(fresh) == 1002
    fresh.close()
    # a broken keystore on SIGHUP keeps the current certificate
    ks.write_bytes(b"not a keystore")
    k.signal(signal.SIGHUP)
    assert k.wait_log(r"reload failed, the previous certificates stay in use", timeout=10)
    assert requests.get(k.tls_url + "/", verify=pki.ca, timeout=10).status_code == 200
    assert k.proc.poll() is None


def test_registry_and_metrics_listeners_over_https(start_krest, pki):
    sr_port = free_port()
    m_port = free_port()
    k = start_https(start_krest, pki,
                    f"--krest.schema.registry.listeners=https://127.0.0.1:{sr_port}",
                    f"--krest.metrics.listener=https://127.0.0.1:{m_port}")

    def registry_answers():
        try:
            return requests.get(f"https://localhost:{sr_port}/subjects", verify=pki.ca,
                                timeout=5).status_code == 200
        except requests.RequestException:
            return False

    assert wait_until(registry_answers, 30), k.log_tail()
    assert wait_until(lambda: port_open(m_port), 10), k.log_tail()
    r = requests.get(f"https://localhost:{m_port}/metrics", verify=pki.ca, timeout=10)
    assert r.status_code == 200 and "krest_" in r.text
    assert STORE_PASSWORD not in r.text
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"http://127.0.0.1:{m_port}/metrics", timeout=5)


def test_secrets_never_shown_and_readable_file_warned(start_krest, pki, tmp_path):
    p12 = pki.pkcs12("server-ks-props", pki.server, pki.server_key)
    props = tmp_path / "krest.properties"
    props.write_text(f"ssl.keystore.location={p12}\nssl.keystore.type=PKCS12\n"
                     f"ssl.keystore.password={STORE_PASSWORD}\n")
    props.chmod(0o644)
    k = start_https(start_krest, pki, "--krest.log.level=debug", keystore=[],
                    positional=(str(props),))
    assert k.wait_log(r"holds secrets \(ssl\.keystore\.password.*readable by every user")
    assert requests.get(k.tls_url + "/", verify=pki.ca, timeout=10).status_code == 200
    metrics = k.get("/metrics").text
    assert STORE_PASSWORD not in metrics
    assert STORE_PASSWORD not in k.log()
    assert "given on the command line" not in k.log()
    props.chmod(0o600)
    k2 = start_https(start_krest, pki, keystore=[], positional=(str(props),))
    assert requests.get(k2.tls_url + "/", verify=pki.ca, timeout=10).status_code == 200
    assert "holds secrets" not in k2.log()
    helptext = subprocess.run([KREST_BIN, "--help"], capture_output=True, text=True).stdout
    assert "ssl.keystore.password" in helptext and STORE_PASSWORD not in helptext


def test_pkcs12_truststore_and_json_error_unaffected(start_krest, pki):
    ts = pki.pkcs12_truststore("trust")
    k = start_https(start_krest, pki, f"--ssl.truststore.location={ts}",
                    f"--ssl.truststore.password={STORE_PASSWORD}", "--ssl.truststore.type=PKCS12",
                    "--ssl.client.authentication=REQUIRED")
    r = requests.get(k.tls_url + "/no/such/path", verify=pki.ca, cert=(pki.alice, pki.alice_key),
                     timeout=10)
    assert r.status_code == 404 and r.json()["error_code"] == 404
    with pytest.raises((requests.exceptions.SSLError, requests.exceptions.ConnectionError)):
        requests.get(k.tls_url + "/", verify=pki.ca, cert=(pki.wrong, pki.wrong_key), timeout=10)


def test_absolute_urls_over_https_name_https(start_krest, pki):
    """v2 base_uri and v3 self links carry the request's scheme; advertised.listeners gives the
    entry of that scheme (API.md §6.1)."""
    k = start_https(start_krest, pki)
    group = f"tls-group-{free_port()}"
    r = requests.post(f"{k.tls_url}/consumers/{group}", json={"format": "binary"},
                      headers={"Content-Type": "application/vnd.kafka.v2+json"}, verify=pki.ca,
                      timeout=20)
    assert r.status_code == 200, r.text
    base = r.json()["base_uri"]
    assert base.startswith(f"https://localhost:{k.tls_port}/consumers/{group}/instances/"), base
    assert requests.delete(base, verify=pki.ca, timeout=20).status_code == 204
    r = requests.get(k.tls_url + "/v3/clusters", verify=pki.ca, timeout=20)
    assert r.status_code == 200, r.text
    assert r.json()["metadata"]["self"].startswith(f"https://localhost:{k.tls_port}/v3/"), r.text
    # over plain HTTP, the same krest still says http
    r = k.get("/v3/clusters")
    assert r.json()["metadata"]["self"].startswith(f"http://127.0.0.1:{k.port}/v3/")
    k2 = start_https(start_krest, pki, "--advertised.listeners=http://proxy.example:80,"
                     "https://proxy.example:443")
    r = requests.get(k2.tls_url + "/v3/clusters", verify=pki.ca, timeout=20)
    assert r.json()["metadata"]["self"].startswith("https://proxy.example:443/v3/"), r.text
    assert k2.get("/v3/clusters").json()["metadata"]["self"].startswith(
        "http://proxy.example:80/v3/")


def test_avro_produce_through_an_https_only_builtin_registry(start_krest, pki, new_topic,  # noqa: F811
                                                             kafka_bootstrap):
    """krest's registry client reaches its own https registry listener when told the CA
    (schema.registry.ssl.truststore.location, Confluent's key), and registers the schema."""
    topic = new_topic()
    sr_port = free_port()
    k = start_https(start_krest, pki,
                    f"--krest.schema.registry.listeners=https://127.0.0.1:{sr_port}",
                    f"--schema.registry.ssl.truststore.location={pki.ca}")
    sr = f"https://localhost:{sr_port}"

    def registry_answers():
        try:
            return requests.get(sr + "/subjects", verify=pki.ca, timeout=5).status_code == 200
        except requests.RequestException:
            return False

    assert wait_until(registry_answers, 30), k.log_tail()
    schema = '{"type":"record","name":"U","fields":[{"name":"n","type":"string"}]}'
    r = requests.post(f"{k.tls_url}/topics/{topic}", verify=pki.ca, timeout=30,
                      headers={"Content-Type": "application/vnd.kafka.avro.v2+json"},
                      json={"value_schema": schema, "records": [{"value": {"n": "x"}}]})
    assert r.status_code == 200, r.text
    vid = r.json()["value_schema_id"]
    r = requests.get(f"{sr}/subjects/{topic}-value/versions/latest", verify=pki.ca, timeout=10)
    assert r.status_code == 200 and r.json()["id"] == vid
    recs = read_topic(topic, bootstrap=kafka_bootstrap)
    assert len(recs) == 1 and recs[0].value[:5] == b"\x00" + vid.to_bytes(4, "big")
