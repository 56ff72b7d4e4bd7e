"""Each user's own Kafka identity (issue 15 item 4; kafka/principals.c, api/identity.c): with
Basic authentication and krest.kafka.principal.propagation=true, a request reaches Kafka as its
user over SASL/PLAIN, so the broker's ACLs (StandardAuthorizer, deny by default) decide.

The broker (secure_kafka.py) knows alice, bob and u000..u199; alice may WRITE topic a; every
user (User:*) may WRITE topic many; bob has no ACL; eve is a krest user unknown to Kafka. What
reached Kafka is read with confluent-kafka as a super user.
"""

import base64
import concurrent.futures
import re
import uuid

import pytest
import requests
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import NewTopic

from conftest import basic_auth_files, basic_header, wait_until
from secure_kafka import MANY, USERS, secure_broker  # noqa: F401 (fixture)

BIN2 = "application/vnd.kafka.binary.v2+json"
V2 = "application/vnd.kafka.v2+json"
HTTP_USERS = {"alice": USERS["alice"], "bob": USERS["bob"], "eve": "eve-pw", **MANY}
MAX = 8


@pytest.fixture(scope="module")
def topics(secure_broker):
    a, many = "a-" + uuid.uuid4().hex[:8], "many-" + uuid.uuid4().hex[:8]
    adm = secure_broker.admin()
    for f in adm.create_topics([NewTopic(a, 1, 1), NewTopic(many, 1, 1)]).values():
        f.result(timeout=30)
    secure_broker.allow("alice", a)
    secure_broker.allow("*", many)
    return {"a": a, "many": many}


@pytest.fixture(scope="module")
def krest_as_users(tmp_path_factory, secure_broker, krest_bin, topics):
    from conftest import KrestFactory

    tmp = tmp_path_factory.mktemp("identity")
    jaas, _ = basic_auth_files(tmp, [f"{u}: {p},krest" for u, p in HTTP_USERS.items()])
    f = KrestFactory(tmp)
    k = f(
        "--authentication.method=BASIC",
        "--authentication.realm=KafkaRest",
        "--authentication.roles=krest",
        f"--krest.authentication.jaas.file={jaas}",
        "--client.security.protocol=SASL_PLAINTEXT",
        "--client.sasl.mechanism=PLAIN",
        "--client.sasl.username=admin",
        "--client.sasl.password=" + USERS["admin"],
        "--krest.kafka.principal.propagation=true",
        f"--krest.kafka.principal.max={MAX}",
        bootstrap=secure_broker.sasl,
        wait=False,
    )
    k.ready_headers = f"Authorization: {basic_header('alice', USERS['alice'])}\r\n".encode()
    k.wait_ready()
    yield k
    f.teardown()


def as_user(user, password=None):
    return (user, HTTP_USERS[user] if password is None else password)


def produce(k, user, topic, values, password=None):
    body = {"records": [{"value": base64.b64encode(v).decode()} for v in values]}
    return requests.post(f"{k.url}/topics/{topic}", json=body, auth=as_user(user, password),
                         headers={"Content-Type": BIN2}, timeout=40)


def kafka_values(broker, topic, timeout=15.0):
    """Every value of partition 0, read as a super user up to the end offset."""
    c = Consumer({"bootstrap.servers": broker.plain, "group.id": "r-" + uuid.uuid4().hex,
                  "enable.auto.commit": False})
    try:
        lo, hi = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
        c.assign([TopicPartition(topic, 0, lo)])
        out = []
        wait_until(lambda: out.extend(m.value() for m in c.consume(100, 0.3) if not m.error())
                   or len(out) >= hi - lo, timeout)
        assert len(out) == hi - lo, f"read {len(out)} of {hi - lo} records"
        return out
    finally:
        c.close()


def metric(k, name):
    r = requests.get(k.url + "/metrics", auth=as_user("alice"), timeout=10)
    assert r.status_code == 200, r.text
    m = re.search(rf"^{name} (\S+)$", r.text, re.M)
    assert m, f"{name} not in /metrics"
    return float(m.group(1))


def test_alice_writes_bob_is_refused_per_record(krest_as_users, secure_broker, topics):
    k, a = krest_as_users, topics["a"]
    r = produce(k, "alice", a, [b"alice-1", b"alice-2"])
    assert r.status_code == 200, r.text
    assert [o["error_code"] for o in r.json()["offsets"]] == [None, None], r.text
    for _ in range(2):  # the second time on a fresh handle: bob's first one failed for good
        r = produce(k, "bob", a, [b"bob-1", b"bob-2"])
        assert r.status_code == 200, r.text
        for o in r.json()["offsets"]:
            assert o["error_code"] == 40301, r.text
            assert o["partition"] is None and o["offset"] is None
            assert "authorization failed" in o["error"].lower()
    assert kafka_values(secure_broker, a) == [b"alice-1", b"alice-2"]
    assert "bob-secret" not in k.log()


def test_wrong_kafka_password_is_401_40101(krest_as_users, topics):
    """eve passes krest's Basic check, but Kafka does not know her."""
    r = produce(krest_as_users, "eve", topics["a"], [b"eve"])
    assert r.status_code == 401, r.text
    assert r.json()["error_code"] == 40101
    assert "eve" in r.json()["message"] and "eve-pw" not in r.json()["message"]
    # the whole request, on any route that reaches Kafka
    r = requests.get(krest_as_users.url + "/topics", auth=as_user("eve"), timeout=20)
    assert (r.status_code, r.json()["error_code"]) == (401, 40101), r.text
    # routes that never reach Kafka do not open a Kafka identity
    r = requests.get(krest_as_users.url + "/healthy", auth=as_user("eve"), timeout=20)
    assert r.status_code == 200, r.text


def test_listings_are_the_users_view(krest_as_users, topics):
    """GET /topics and the v3 topic list as the user: Kafka shows a topic only to those with
    DESCRIBE on it (implied by WRITE); a named topic is still checked in krest's own view."""
    k = krest_as_users

    def names(user):
        r = requests.get(k.url + "/topics", auth=as_user(user), timeout=20)
        assert r.status_code == 200, r.text
        v2 = set(r.json())
        r = requests.get(k.url + "/v3/clusters", auth=as_user(user), timeout=20)
        cid = r.json()["data"][0]["cluster_id"]
        r = requests.get(f"{k.url}/v3/clusters/{cid}/topics", auth=as_user(user), timeout=20)
        assert r.status_code == 200, r.text
        assert {t["topic_name"] for t in r.json()["data"]} == v2
        return v2

    assert topics["a"] in names("alice") and topics["many"] in names("alice")
    bob = names("bob")
    assert topics["a"] not in bob and topics["many"] in bob


def test_v3_topic_create_is_the_users(krest_as_users, secure_broker):
    k = krest_as_users
    r = requests.get(k.url + "/v3/clusters", auth=as_user("bob"), timeout=10)
    assert r.status_code == 200, r.text
    cid = r.json()["data"][0]["cluster_id"]
    name = "bob-" + uuid.uuid4().hex[:8]
    r = requests.post(f"{k.url}/v3/clusters/{cid}/topics", json={"topic_name": name},
                      auth=as_user("bob"), timeout=20)
    assert r.status_code == 403, r.text
    assert r.json()["error_code"] == 40301
    adm = secure_broker.admin()
    assert name not in adm.list_topics(timeout=10).topics


def test_consumer_instances_belong_to_their_creator(krest_as_users, topics):
    k = krest_as_users
    g = "g-" + uuid.uuid4().hex[:8]
    r = requests.post(f"{k.url}/consumers/{g}", json={"name": "ci", "format": "binary"},
                      auth=as_user("alice"), headers={"Content-Type": V2}, timeout=20)
    assert r.status_code == 200, r.text
    base = f"{k.url}/consumers/{g}/instances/ci"
    r = requests.post(base + "/subscription", json={"topics": [topics["a"]]},
                      auth=as_user("alice"), headers={"Content-Type": V2}, timeout=20)
    assert r.status_code == 204, r.text
    for method, path, body in [("GET", "/subscription", None), ("GET", "/records", None),
                               ("POST", "/offsets", {}), ("DELETE", "", None)]:
        accept = BIN2 if "records" in path else V2
        r = requests.request(method, base + path, json=body, auth=as_user("bob"), timeout=20,
                             headers={"Content-Type": V2, "Accept": accept})
        assert r.status_code == 404, (method, path, r.text)
        assert r.json()["error_code"] == 40403
    r = requests.get(base + "/subscription", auth=as_user("alice"), timeout=20,
                     headers={"Accept": V2})
    assert r.status_code == 200 and r.json()["topics"] == [topics["a"]], r.text
    r = requests.delete(base, auth=as_user("alice"), headers={"Content-Type": V2}, timeout=20)
    assert r.status_code == 204, r.text


def test_200_users_stay_within_the_handle_bound(krest_as_users, secure_broker, topics):
    k, many = krest_as_users, topics["many"]
    peak = [0.0]

    def one(user):
        r = produce(k, user, many, [user.encode()])
        assert r.status_code == 200, r.text
        assert r.json()["offsets"][0]["error_code"] is None, r.text
        peak[0] = max(peak[0], metric(k, "krest_kafka_principal_handles"))

    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        list(ex.map(one, sorted(MANY)))
    assert 0 < peak[0] <= 2 * MAX, peak
    assert metric(k, "krest_kafka_principal_handles") <= 2 * MAX
    assert sorted(kafka_values(secure_broker, many)) == sorted(u.encode() for u in MANY)


def stream_records(k, user, topic, values):
    """A chunked POST …/v3/…/records as user (full duplex once the user's identity is open);
    returns the result objects."""
    import json
    import socket

    r = requests.get(k.url + "/v3/clusters", auth=as_user("alice"), timeout=20)
    cid = r.json()["data"][0]["cluster_id"]
    s = socket.create_connection(("127.0.0.1", k.port), timeout=30)
    try:
        path = f"/v3/clusters/{cid}/topics/{topic}/records"
        s.sendall(
            f"POST {path} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            f"Authorization: {basic_header(*as_user(user))}\r\n"
            "Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        )
        for v in values:
            b = json.dumps({"value": {"type": "STRING", "data": v}}).encode()
            s.sendall(b"%x\r\n%s\r\n" % (len(b), b))
        s.sendall(b"0\r\n\r\n")
        out = b""
        while got := s.recv(65536):
            out += got
    finally:
        s.close()
    head, _, body = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), out[:500]
    return [json.loads(x) for x in re.findall(rb'\{"error_code".*\}', body)], head


def test_a_stream_produces_as_its_user(krest_as_users, secure_broker, topics):
    """Full duplex (the head is written at once) still works as the user's own identity: bob,
    who may not write topic a, is refused record by record, and alice's records land."""
    k, a = krest_as_users, topics["a"]
    before = kafka_values(secure_broker, a)
    heads = []
    for i in range(2):  # the first may open bob's identity (then answered at the end)
        results, head = stream_records(k, "bob", a, [f"bob-stream-{i}"])
        heads.append(head)
        assert [r["error_code"] for r in results] == [40301], results
    assert b"Transfer-Encoding: chunked" in heads[1], heads  # the second in full duplex
    results, _ = stream_records(k, "alice", a, ["alice-stream"])
    assert [r["error_code"] for r in results] == [200], results
    assert kafka_values(secure_broker, a) == before + [b"alice-stream"]
