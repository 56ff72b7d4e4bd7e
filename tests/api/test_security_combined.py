"""HTTPS, mTLS, Basic authentication and many instances together (issue 15's "the API over
HTTPS with Basic auth on", issue 17 item 4 "a forwarded request keeps its authenticated
principal"). The suite's representative files also run with KREST_TEST_TLS=1 and
KREST_TEST_AUTH=basic (scripts/run-tests); this file checks what only the combination has:

- mTLS and Basic on one listener: the Basic user is the principal; a good client certificate
  without Basic credentials is 401 under authentication.method=BASIC, as Confluent's rest-utils
  (Jetty's BASIC authenticator on every path: the certificate authenticates the connection,
  never the request).
- Two instances with krest.cluster.enable, Basic auth and https between them (the forwarder
  trusts krest.cluster.ssl.ca.location): alice's consumer made on A is read through B; the owner
  sees alice as the request's principal; no credentials, a wrong password or a forged
  X-Krest-Forwarded through B are refused and never served.
"""

import subprocess
import uuid

import pytest
import requests

from conftest import (
    KREST_BIN,
    V2,
    assert_error,
    basic_auth_files,
    basic_header,
    free_port,
    produce,
    session_pki,
    wait_until,
)
from tls_helpers import KEY_PASSWORD, STORE_PASSWORD

BIN2 = "application/vnd.kafka.binary.v2+json"
SECRET = "combined-cluster-secret"
USERS = ["alice: alice-pw,krest", "bob: bob-pw,krest"]
ALICE = ("alice", "alice-pw")


@pytest.fixture(scope="module")
def pki():
    return session_pki()


@pytest.fixture(scope="module")
def keystore(pki):
    return pki.pkcs12("combined-server-ks", pki.server, pki.server_key)


def tls_flags(pki, keystore, port):
    return [
        f"--listeners=https://127.0.0.1:{port}",
        f"--ssl.keystore.location={keystore}",
        f"--ssl.keystore.password={STORE_PASSWORD}",
        "--ssl.keystore.type=PKCS12",
    ]


def auth_flags(tmp_path):
    jaas, _ = basic_auth_files(tmp_path, USERS, name="combined")
    return [
        "--authentication.method=BASIC",
        "--authentication.realm=KafkaRest",
        "--authentication.roles=krest",
        f"--krest.authentication.jaas.file={jaas}",
    ]


def start(start_krest, port, *flags, cert=None):
    """krest on https://127.0.0.1:port (flags name the listener), ready once alice gets
    GET / (conftest speaks TLS to it, trusting the session CA; with cert as client)."""
    k = start_krest(*flags, port=port, wait=False)
    k.ready_headers = f"Authorization: {basic_header(*ALICE)}\r\n".encode()
    k.ready_cert = cert
    assert k.url.startswith("https://"), k.url
    return k.wait_ready()


def call(k, pki, method, path, auth=None, cert=None, headers=None, **kw):
    """A request to k over https trusting the test CA; auth None sends no credentials."""
    return requests.request(method, k.url + path, auth=auth or False, cert=cert,
                            verify=pki.ca, headers=headers, timeout=30, **kw)


# --------------------------------------------------------------------------------------------
# mTLS and Basic on one listener


def test_mtls_and_basic_on_one_listener(start_krest, pki, keystore, tmp_path):
    port = free_port()
    cert = (pki.alice, pki.alice_key)
    k = start(start_krest, port, *tls_flags(pki, keystore, port), *auth_flags(tmp_path),
              f"--ssl.truststore.location={pki.ca}", "--ssl.truststore.type=PEM",
              "--ssl.client.authentication=REQUIRED", "--krest.log.level=debug", cert=cert)
    # both: the Basic user is the principal, not the certificate's subject
    r = call(k, pki, "GET", "/topics", auth=("bob", "bob-pw"), cert=cert)
    assert r.status_code == 200, r.text
    assert k.wait_log(r"verified: principal 'CN=alice,OU=eng,O=krest,C=US'"), k.log_tail()
    assert k.wait_log(r"access GET /topics 200 .* user=bob\b"), k.log_tail()
    assert "user=CN=alice" not in k.log()
    # a good certificate without Basic credentials: 401 with the challenge, as rest-utils
    r = call(k, pki, "GET", "/topics", cert=cert)
    assert_error(r, 401)
    assert r.headers.get("WWW-Authenticate") == 'Basic realm="KafkaRest"', r.headers
    # a good certificate with a wrong password: 401 too
    assert_error(call(k, pki, "GET", "/topics", auth=("bob", "nope"), cert=cert), 401)
    # good Basic credentials without a certificate: refused in the handshake (REQUIRED)
    with pytest.raises((requests.exceptions.SSLError, requests.exceptions.ConnectionError)):
        call(k, pki, "GET", "/topics", auth=("bob", "bob-pw"))


# --------------------------------------------------------------------------------------------
# Two instances, Basic auth, https between them


def owns_instances():
    """Whether this krest has issue 15 item 4 (per-user identity: a consumer instance belongs to
    its creator); known by its key krest.kafka.principal.propagation in --help."""
    r = subprocess.run([KREST_BIN, "--help"], capture_output=True, text=True, timeout=10)
    return "krest.kafka.principal.propagation" in r.stdout + r.stderr


def cluster_flags(name, topic, port, ca=True):
    return [
        f"--id={name}",
        f"--advertised.listeners=https://127.0.0.1:{port}",  # the internal URL too
        "--krest.cluster.enable=true",
        f"--krest.cluster.topic={topic}",
        f"--krest.cluster.secret={SECRET}",
        "--krest.cluster.heartbeat.interval.ms=300",
        "--krest.cluster.heartbeat.timeout.ms=3000",
        "--consumer.heartbeat.interval.ms=500",
        *([f"--krest.cluster.ssl.ca.location={session_pki().ca}"] if ca else []),
    ]


def live_instances(k, pki):
    r = call(k, pki, "GET", "/metrics", auth=ALICE)
    assert r.status_code == 200, r.text
    for line in r.text.splitlines():
        if line.startswith("krest_cluster_instances "):
            return int(float(line.split()[1]))
    return -1


@pytest.fixture
def pair(start_krest, pki, keystore, tmp_path, admin):
    """Two krests A and B on one cluster topic, https listeners, Basic auth; the topic is
    deleted at teardown (after the krests stop: start_krest's teardown runs first)."""
    topic = "_krest_instances_" + uuid.uuid4().hex[:8]
    auth = auth_flags(tmp_path)
    nodes = []
    for name in ("a", "b"):
        port = free_port()
        nodes.append(start(start_krest, port, *tls_flags(pki, keystore, port), *auth,
                           *cluster_flags(f"{name}-{uuid.uuid4().hex[:6]}", topic, port)))
    assert wait_until(lambda: all(live_instances(k, pki) == 2 for k in nodes), 10), [
        k.log_tail() for k in nodes
    ]
    yield (*nodes, topic, auth)
    admin.delete_topics([topic])


def test_forwarded_request_keeps_its_principal_over_https(pair, pki, new_topic, kafka_bootstrap):
    a, b, _, _ = pair
    topic = new_topic()
    produce(kafka_bootstrap, topic, 5)
    g = "gsec-" + uuid.uuid4().hex[:8]
    r = call(a, pki, "POST", f"/consumers/{g}", auth=ALICE, headers={"Content-Type": V2},
             json={"format": "binary", "auto.offset.reset": "earliest"})
    assert r.status_code == 200, r.text
    name = r.json()["instance_id"]
    assert r.json()["base_uri"] == f"{a.url}/consumers/{g}/instances/{name}"
    path = f"/consumers/{g}/instances/{name}"
    # through B (which does not own it): forwarded to A over https, as alice
    r = call(b, pki, "POST", path + "/subscription", auth=ALICE, headers={"Content-Type": V2},
             json={"topics": [topic]})
    assert r.status_code == 204, r.text
    got = []

    def read():
        r = call(b, pki, "GET", path + "/records?timeout=500", auth=ALICE,
                 headers={"Accept": BIN2})
        assert r.status_code == 200, r.text
        got.extend(r.json())
        return len(got) >= 5

    assert wait_until(read, 20, interval=0), got
    import base64

    assert [base64.b64decode(m["value"]) for m in got] == [b"v%d" % i for i in range(5)]
    # the owner served them as alice: its access log names her on the forwarded requests
    assert a.wait_log(rf"access GET {path}/records 200 .* user=alice\b"), a.log_tail()
    assert a.wait_log(rf"access POST {path}/subscription 204 .* user=alice\b"), a.log_tail()
    assert b.wait_log(rf"access GET {path}/records 200 .* user=alice\b")

    def served():
        return [k.log().count(f"access GET {path}/records 200 ") for k in (a, b)]

    before = served()
    # no credentials, a wrong password, an unknown user through B: 401 from B, nothing forwarded
    for auth in (None, ("alice", "wrong"), ("mallory", "alice-pw")):
        r = call(b, pki, "GET", path + "/records", auth=auth, headers={"Accept": BIN2})
        assert_error(r, 401)
    # a forged forwarding mark without credentials, on B and on A (the owner): 403, never served
    for k in (b, a):
        for mark in (f"1:{'0' * 64}", "x", ""):
            h = {"Accept": BIN2, "X-Krest-Forwarded": mark, "X-Krest-Principal": "alice"}
            r = call(k, pki, "GET", path + "/records", headers=h)
            assert_error(r, 403, 40301)
    for k in (a, b):
        assert k.wait_log(rf"access GET {path}/records 403 "), k.log_tail()
    assert served() == before
    # another user through B: the owner compares the forwarded principal with the instance's
    # creator (issue 15 item 4, "consumer instances belong to their creator")
    if owns_instances():
        for k in (b, a):
            r = call(k, pki, "GET", path + "/records", auth=("bob", "bob-pw"),
                     headers={"Accept": BIN2})
            assert_error(r, 404, 40403)
        assert served() == before
    r = call(b, pki, "DELETE", path, auth=ALICE, headers={"Content-Type": V2})
    assert r.status_code == 204, r.text


def test_forwarder_checks_the_owners_certificate(pair, pki, keystore, start_krest):
    """Without krest.cluster.ssl.ca.location the forwarder trusts only the system's CAs: an
    owner whose certificate the test CA signed is refused (never reached with verification
    off), the request fails with a message naming the cause, and the owner is not taken for
    gone (its instances stay reachable from the instances that trust it)."""
    a, b, topic, auth = pair
    port = free_port()
    c = start(start_krest, port, *tls_flags(pki, keystore, port), *auth,
              *cluster_flags(f"c-{uuid.uuid4().hex[:6]}", topic, port, ca=False))
    assert wait_until(lambda: live_instances(c, pki) == 3, 10), c.log_tail()
    g = "gca-" + uuid.uuid4().hex[:8]
    r = call(a, pki, "POST", f"/consumers/{g}", auth=ALICE, headers={"Content-Type": V2},
             json={"format": "binary"})
    assert r.status_code == 200, r.text
    path = f"/consumers/{g}/instances/{r.json()['instance_id']}"
    r = call(c, pki, "GET", path + "/assignments", auth=ALICE)
    body = assert_error(r, 500)
    assert "certificate" in body["message"].lower(), body
    assert not a.wait_log(rf"access GET {path}/assignments", timeout=0.5)
    assert live_instances(c, pki) == 3  # not marked gone
    r = call(b, pki, "GET", path + "/assignments", auth=ALICE)
    assert r.status_code == 200, r.text
    assert call(b, pki, "DELETE", path, auth=ALICE).status_code == 204


def live_instances_cert(k, pki, cert):
    r = call(k, pki, "GET", "/metrics", auth=ALICE if cert else None, cert=cert)
    for line in r.text.splitlines():
        if line.startswith("krest_cluster_instances "):
            return int(float(line.split()[1]))
    return -1


@pytest.mark.parametrize("store,mode", [("PKCS12", "REQUIRED"), ("PEM", "REQUESTED")])
def test_forwarding_between_mtls_instances(start_krest, pki, tmp_path, admin, store, mode):
    """Instances whose listeners ask for client certificates: the forwarder presents the
    instance's own keystore (as Kafka brokers do between themselves), so a forwarded request
    reaches the owner and is served as the user who sent it. Before, a REQUIRED owner refused
    the forwarder's handshake, which took the owner for gone: its instances answered 404.
    REQUESTED, no Basic auth, a client without a certificate: the forwarded request is
    anonymous on the owner too, never the forwarding instance's certificate."""
    node_key, node_cert = pki._sign(f"node-{store}", "/CN=localhost", "ca", 2,
                                    "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                                    "extendedKeyUsage=serverAuth,clientAuth\n", 1101)
    if store == "PKCS12":
        ks = [f"--ssl.keystore.location={pki.pkcs12('combined-node-ks', node_cert, node_key)}",
              f"--ssl.keystore.password={STORE_PASSWORD}", "--ssl.keystore.type=PKCS12"]
    else:  # Kafka's PEM keystore: an encrypted PKCS#8 key and the chain in one file
        pem = pki.pem_keystore("combined-node-ks", node_cert, node_key, KEY_PASSWORD)
        ks = [f"--ssl.keystore.location={pem}", "--ssl.keystore.type=PEM",
              f"--ssl.key.password={KEY_PASSWORD}"]
    required = mode == "REQUIRED"
    auth = auth_flags(tmp_path) if required else []
    cert = (pki.alice, pki.alice_key) if required else None
    who = ALICE if required else None
    topic = "_krest_instances_" + uuid.uuid4().hex[:8]
    nodes = []
    for name in ("a", "b"):
        port = free_port()
        nodes.append(start(start_krest, port, f"--listeners=https://127.0.0.1:{port}", *ks, *auth,
                           f"--ssl.truststore.location={pki.ca}", "--ssl.truststore.type=PEM",
                           f"--ssl.client.authentication={mode}",
                           *cluster_flags(f"{name}-{uuid.uuid4().hex[:6]}", topic, port),
                           cert=cert))
    a, b = nodes
    try:
        assert wait_until(lambda: live_instances_cert(b, pki, cert) == 2, 10), b.log_tail()
        g = "gmtls-" + uuid.uuid4().hex[:8]
        r = call(a, pki, "POST", f"/consumers/{g}", auth=who, cert=cert,
                 headers={"Content-Type": V2}, json={"format": "binary"})
        assert r.status_code == 200, r.text
        path = f"/consumers/{g}/instances/{r.json()['instance_id']}"
        r = call(b, pki, "GET", path + "/assignments", auth=who, cert=cert)
        assert r.status_code == 200, (r.text, b.log_tail())
        line = a.wait_log(rf"access GET {path}/assignments 200 .*")
        assert line, a.log_tail()
        if required:
            assert line.group(0).endswith(" user=alice"), line.group(0)
        else:
            assert "user=" not in line.group(0), line.group(0)
        assert call(b, pki, "DELETE", path, auth=who, cert=cert).status_code == 204
    finally:
        admin.delete_topics([topic])
