"""Consumer instances, the management side: create (names, base_uri, fields, formats), delete,
subscription, assignments, positions, offsets and records error paths, expiry (issue 5;
API.md section K, §1.2 rows 11-14, §1.3, §2.2 rows 11-23, §2.4, §6.1)."""

import re
import socket
import time

import pytest

from conftest import (
    BIN2,
    JSON2,
    V1,
    V2,
    SCHEME,
    RestConsumer,
    assert_error,
    create_consumer,
    delete_live_consumers,
    group_members,
    media_type,
    produce_many,
    unique_group,
    wait_until,
)


@pytest.fixture(autouse=True)
def _delete_instances(new_topic):
    """Deletes the instances a test left behind before its topics go."""
    yield
    delete_live_consumers()


UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def post_create(k, group, body, ctype=V2, headers=None):
    import json

    h = {"Content-Type": ctype}
    h.update(headers or {})
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return k.post(f"/consumers/{group}", data=data, headers=h)


def tp_body(topic, partitions):
    return {"partitions": [{"topic": topic, "partition": p} for p in partitions]}


# --- create -----------------------------------------------------------------------------------


def test_create_named_v2(krest):
    g = unique_group()
    r = post_create(krest, g, {"name": "c1", "format": "binary", "auto.offset.reset": "earliest"})
    assert r.status_code == 200, r.text
    assert media_type(r) == V2
    body = r.json()
    assert body == {
        "instance_id": "c1",
        "base_uri": f"{krest.url}/consumers/{g}/instances/c1",
    }
    assert RestConsumer(krest, g, "c1").delete().status_code == 204


def test_create_base_uri_uses_host_header(krest):
    g = unique_group()
    r = post_create(krest, g, {"name": "c1"}, headers={"Host": "proxy.example:9999"})
    assert r.status_code == 200, r.text
    want = f"{krest.scheme}://proxy.example:9999/consumers/{g}/instances/c1"
    assert r.json()["base_uri"] == want
    assert RestConsumer(krest, g, "c1").delete().status_code == 204


def test_create_auto_name_default_id(krest):
    g = unique_group()
    names = []
    for body in (b"", {}):
        r = post_create(krest, g, body)
        assert r.status_code == 200, r.text
        j = r.json()
        want = rf"rest-consumer-{re.escape(socket.gethostname())}-{krest.port}-{UUID_RE}"
        assert re.fullmatch(want, j["instance_id"]), j
        assert j["base_uri"] == f"{krest.url}/consumers/{g}/instances/" + j["instance_id"]
        names.append(j["instance_id"])
    assert names[0] != names[1]
    for n in names:
        assert RestConsumer(krest, g, n).delete().status_code == 204


def test_create_id_config_and_advertised_listeners(start_krest):
    k = start_krest("--id=proxy-7", f"--advertised.listeners={SCHEME}://adv.example:8765")
    g = unique_group()
    r = post_create(k, g, {})
    assert r.status_code == 200, r.text
    j = r.json()
    assert re.fullmatch(rf"rest-consumer-proxy-7-{UUID_RE}", j["instance_id"]), j
    want = f"{SCHEME}://adv.example:8765/consumers/{g}/instances/{j['instance_id']}"
    assert j["base_uri"] == want
    assert "0.0.0.0" not in j["base_uri"]


def test_create_base_uri_never_0000(start_krest):
    """Listening on 0.0.0.0 with no advertised.listeners: the Host header is the authority."""
    from conftest import free_port

    port = free_port()
    k = start_krest(f"--listeners=http://0.0.0.0:{port}", port=port)
    g = unique_group()
    r = post_create(k, g, {"name": "c"})
    assert r.status_code == 200, r.text
    assert r.json()["base_uri"] == f"http://127.0.0.1:{port}/consumers/{g}/instances/c"


def test_create_v1_with_id_alias(krest):
    g = unique_group()
    r = post_create(krest, g, {"id": "old-style", "format": "binary"}, ctype=V1)
    assert r.status_code == 200, r.text
    assert media_type(r) == V1
    assert r.json() == {
        "instance_id": "old-style",
        "base_uri": f"{krest.url}/consumers/{g}/instances/old-style",
    }
    r = krest.request("DELETE", f"/consumers/{g}/instances/old-style", headers={"Accept": "*/*"})
    assert r.status_code == 204, r.text


def test_create_duplicate_name_409(krest):
    g = unique_group()
    c = create_consumer(krest, g, {"name": "dup"})
    assert_error(post_create(krest, g, {"name": "dup"}), 409, 40902)
    assert_error(post_create(krest, g, {"name": "dup", "format": "json"}, ctype=V1), 409, 40902)
    # the same name in another group is another instance
    c2 = create_consumer(krest, unique_group(), {"name": "dup"})
    assert c.delete().status_code == 204
    assert c2.delete().status_code == 204
    # once deleted, the name is free again
    c3 = create_consumer(krest, g, {"name": "dup"})
    assert c3.delete().status_code == 204


@pytest.mark.parametrize("fmt", ["binary", "json", "BINARY", "Json"])
def test_create_formats(krest, fmt):
    c = create_consumer(krest, body={"format": fmt})
    assert c.delete().status_code == 204


@pytest.mark.parametrize("fmt", ["jsonschema", "protobuf"])
def test_create_schema_formats_not_supported(krest, fmt):
    assert_error(post_create(krest, unique_group(), {"format": fmt}), 422, 42204)


@pytest.mark.parametrize("fmt", ["xml", "", "string"])
def test_create_invalid_format(krest, fmt):
    body = assert_error(post_create(krest, unique_group(), {"format": fmt}), 422, 422)
    assert body["message"] == "Invalid format type.", body


@pytest.mark.parametrize("reset", ["earliest", "latest", "smallest", "largest"])
def test_create_auto_offset_reset_values(krest, reset):
    c = create_consumer(krest, body={"auto.offset.reset": reset})
    assert c.delete().status_code == 204


def test_create_auto_offset_reset_invalid(krest):
    assert_error(post_create(krest, unique_group(), {"auto.offset.reset": "sideways"}), 422, 42204)


def test_create_all_known_fields(krest):
    body = {
        "name": "all",
        "format": "json",
        "auto.offset.reset": "earliest",
        "auto.commit.enable": "false",
        "fetch.min.bytes": 1,
        "consumer.request.timeout.ms": 800,
    }
    c = create_consumer(krest, body=body)
    assert c.instance == "all"
    assert c.delete().status_code == 204
    # Confluent's aliases of fetch.min.bytes and consumer.request.timeout.ms
    c = create_consumer(krest, body={"name": "alias", "responseMinBytes": 1, "requestWaitMs": 800})
    assert c.delete().status_code == 204


@pytest.mark.parametrize("value", [-2, 10000001])
def test_create_fetch_min_bytes_out_of_range(krest, value):
    assert_error(post_create(krest, unique_group(), {"fetch.min.bytes": value}), 422, 40001)


@pytest.mark.parametrize("value", [-2, 2147483648, 9223372036854775807])
def test_create_request_timeout_out_of_range(krest, value):
    """An Integer in Confluent's; INT64_MAX used to overflow a read's deadline into "never"."""
    r = post_create(krest, unique_group(), {"consumer.request.timeout.ms": value})
    assert_error(r, 422, 40001)
    assert "consumer.request.timeout.ms" in r.json()["message"]


def test_create_host_name(start_krest):
    """host.name (no advertised.listeners) replaces the host; the port is the listener's."""
    k = start_krest("--host.name=bar.example")
    g = unique_group()
    r = post_create(k, g, {"name": "c"})
    assert r.status_code == 200, r.text
    assert r.json()["base_uri"] == f"{k.scheme}://bar.example:{k.port}/consumers/{g}/instances/c"


def test_create_other_dotted_keys_ignored(krest):
    c = create_consumer(
        krest, body={"name": "dotted", "topic.metadata.refresh.interval.ms": "1000", "a.b": 1}
    )
    assert c.delete().status_code == 204


def test_create_unknown_field_422(krest):
    body = assert_error(post_create(krest, unique_group(), {"name": "x", "formatt": "binary"}), 422)
    assert body["message"] == "Unrecognized field: formatt", body


def test_create_invalid_json_400(krest):
    assert_error(post_create(krest, unique_group(), b'{"name": '), 400)


def test_create_null_field_means_absent(krest):
    c = create_consumer(krest, body={"name": None, "format": None})
    assert c.instance.startswith("rest-consumer-"), c.instance
    assert c.delete().status_code == 204


# --- delete, unknown instance -------------------------------------------------------------------


def test_delete_twice(krest):
    c = create_consumer(krest, body={"name": "twice"})
    r = c.delete()
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert_error(c.delete(), 404, 40403)
    assert_error(c.req("GET", "/subscription"), 404, 40403)


UNKNOWN_ROUTES = [
    ("DELETE", "", None),
    ("POST", "/subscription", {"topics": ["t"]}),
    ("GET", "/subscription", None),
    ("DELETE", "/subscription", None),
    ("POST", "/assignments", {"partitions": [{"topic": "t", "partition": 0}]}),
    ("GET", "/assignments", None),
    ("POST", "/positions", {"offsets": [{"topic": "t", "partition": 0, "offset": 0}]}),
    ("POST", "/positions/beginning", {"partitions": [{"topic": "t", "partition": 0}]}),
    ("POST", "/positions/end", {"partitions": [{"topic": "t", "partition": 0}]}),
    ("POST", "/offsets", None),
    ("POST", "/offsets", {"offsets": [{"topic": "t", "partition": 0, "offset": 0}]}),
    ("GET", "/offsets", {"partitions": [{"topic": "t", "partition": 0}]}),
    ("GET", "/records?timeout=100", None),
    ("GET", "/topics/t", None),
]


@pytest.mark.parametrize("method,sub,body", UNKNOWN_ROUTES, ids=lambda x: str(x))
def test_unknown_instance_404(krest, method, sub, body):
    c = RestConsumer(krest, unique_group(), "no-such-instance")
    assert_error(c.req(method, sub, body), 404, 40403)


def test_unknown_group_of_existing_instance_404(krest):
    c = create_consumer(krest, body={"name": "mine"})
    other = RestConsumer(krest, unique_group(), "mine")
    assert_error(other.req("GET", "/subscription"), 404, 40403)
    assert_error(other.delete(), 404, 40403)
    assert c.delete().status_code == 204


# --- subscription ---------------------------------------------------------------------------------


def test_subscription_lifecycle(krest, new_topic):
    t1, t2 = new_topic(), new_topic()
    c = create_consumer(krest)
    r = c.req("GET", "/subscription")
    assert r.status_code == 200 and media_type(r) == V2, r.text
    assert r.json() == {"topics": []}
    c.subscribe([t1, t2])
    r = c.req("GET", "/subscription")
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"topics"} and sorted(r.json()["topics"]) == sorted([t1, t2])
    r = c.req("DELETE", "/subscription")
    assert r.status_code == 204, r.text
    assert c.req("GET", "/subscription").json() == {"topics": []}
    # subscribe again after unsubscribing
    c.subscribe([t2])
    assert c.req("GET", "/subscription").json() == {"topics": [t2]}
    assert c.delete().status_code == 204


def test_subscription_topic_pattern(krest, new_topic):
    prefix = unique_group("krest-test-pat")
    ta = new_topic(name=f"{prefix}-a")
    tb = new_topic(name=f"{prefix}-b")
    new_topic(name=f"{prefix}-bc")  # the pattern matches whole names: not this one
    c = create_consumer(krest)
    r = c.req("POST", "/subscription", {"topic_pattern": f"{prefix}-(a|b)"})
    assert r.status_code == 204, r.text

    def listed():
        r = c.req("GET", "/subscription")
        assert r.status_code == 200, r.text
        return sorted(r.json()["topics"])

    got = wait_until(lambda: listed() == sorted([ta, tb]) and listed(), 10, 0.2)
    assert listed() == sorted([ta, tb]), got
    assert c.delete().status_code == 204


def test_subscription_bad_bodies(krest, new_topic):
    t = new_topic()
    c = create_consumer(krest)
    assert_error(
        c.req("POST", "/subscription", {"topics": [t], "topic_pattern": "x.*"}), 409, 40903
    )
    assert_error(c.req("POST", "/subscription", {}), 422)
    assert_error(c.req("POST", "/subscription", b"", ctype=V2), 422)
    assert_error(
        c.k.post(c.path + "/subscription", headers={"Content-Type": V2}), 422
    )  # no body at all
    assert_error(c.req("POST", "/subscription", {"topics": [t], "topicz": [t]}), 422)
    assert_error(c.req("POST", "/subscription", b'{"topics": ['), 400)
    # a pattern too long to anchor whole would match other names: refused, not cut short
    r = c.req("POST", "/subscription", {"topic_pattern": "x" * 1100 + ".*"})
    assert_error(r, 422, 422)
    assert "topic_pattern" in r.json()["message"]
    # nothing of the refused requests stuck
    assert c.req("GET", "/subscription").json() == {"topics": []}
    assert c.delete().status_code == 204


# --- assignments ------------------------------------------------------------------------------


def test_assignments_lifecycle(krest, new_topic):
    t = new_topic(partitions=3)
    c = create_consumer(krest)
    r = c.req("GET", "/assignments")
    assert r.status_code == 200 and media_type(r) == V2, r.text
    assert r.json() == {"partitions": []}
    c.assign(t, [0, 2])
    r = c.req("GET", "/assignments")
    assert r.status_code == 200, r.text
    parts = r.json()["partitions"]
    assert all(set(p) == {"topic", "partition"} for p in parts), parts
    assert sorted((p["topic"], p["partition"]) for p in parts) == [(t, 0), (t, 2)]
    # a manual assignment excludes a subscription
    assert_error(c.req("POST", "/subscription", {"topics": [t]}), 409, 40903)
    assert c.delete().status_code == 204


def test_assign_when_subscribed_409(krest, new_topic):
    t = new_topic()
    c = create_consumer(krest)
    c.subscribe([t])
    assert_error(c.req("POST", "/assignments", tp_body(t, [0])), 409, 40903)
    assert c.delete().status_code == 204


@pytest.mark.parametrize(
    "body",
    [
        {"partitions": [{"topic": "t", "partition": -1}]},
        {"partitions": [{"topic": "t", "partition": "x"}]},
        {"partitions": [{"partition": 0}]},
        {"partitions": "t"},
        {"partitions": [{"topic": "t", "partition": 0, "bogus": 1}]},
    ],
    ids=["negative", "string", "no-topic", "not-array", "unknown-field"],
)
def test_assign_bad_bodies(krest, body):
    c = create_consumer(krest)
    r = c.req("POST", "/assignments", body)
    assert r.status_code in (400, 422), r.text
    assert_error(r, r.status_code)
    assert c.assignments() == []
    assert c.delete().status_code == 204


# --- positions ----------------------------------------------------------------------------------


def test_positions_unassigned_partition_409(krest, new_topic):
    t = new_topic(partitions=2)
    c = create_consumer(krest)
    c.assign(t, [0])
    off = {"offsets": [{"topic": t, "partition": 1, "offset": 0}]}
    assert_error(c.req("POST", "/positions", off), 409, 40903)
    ts = {"timestamps": [{"topic": t, "partition": 1, "timestamp": "2026-01-01T00:00:00.000Z"}]}
    assert_error(c.req("POST", "/positions", ts), 409, 40903)
    assert_error(c.req("POST", "/positions/beginning", tp_body(t, [1])), 409, 40903)
    assert_error(c.req("POST", "/positions/end", tp_body(t, [1])), 409, 40903)
    # a partition of a topic the instance knows nothing of
    assert_error(c.req("POST", "/positions/end", tp_body(t + "-x", [0])), 409, 40903)
    assert c.delete().status_code == 204


def test_positions_right_after_assign(krest, new_topic):
    """A seek straight after the assignment is a seek of an assigned partition: 204, every
    time (several rounds: it must not depend on how far the fetcher has come)."""
    t = new_topic()
    for _ in range(6):
        c = create_consumer(krest)
        c.assign(t, [0])
        r = c.req("POST", "/positions", {"offsets": [{"topic": t, "partition": 0, "offset": 0}]})
        assert r.status_code == 204, r.text
        assert c.req("POST", "/positions/end", tp_body(t, [0])).status_code == 204
        assert c.req("POST", "/positions/beginning", tp_body(t, [0])).status_code == 204
        assert c.delete().status_code == 204


def test_positions_with_nothing_assigned_409(krest, new_topic):
    t = new_topic()
    c = create_consumer(krest)
    assert_error(
        c.req("POST", "/positions", {"offsets": [{"topic": t, "partition": 0, "offset": 0}]}),
        409,
        40903,
    )
    assert c.delete().status_code == 204


@pytest.mark.parametrize(
    "body",
    [
        {"offsets": [{"topic": "T", "partition": 0, "offset": -5}]},
        {"offsets": [{"topic": "T", "partition": 0, "offset": "a"}]},
        {"offsets": [{"topic": "T", "partition": -1, "offset": 0}]},
        {"timestamps": [{"topic": "T", "partition": 0, "timestamp": "yesterday"}]},
        {"timestamps": [{"topic": "T", "partition": 0, "timestamp": 12}]},
        {"offsets": [{"topic": "T", "partition": 0, "offset": 1}], "bogus": 1},
    ],
    ids=["neg-offset", "str-offset", "neg-partition", "bad-ts", "num-ts", "unknown-field"],
)
def test_positions_bad_bodies(krest, new_topic, body):
    import json

    t = new_topic()
    c = create_consumer(krest)
    c.assign(t, [0])
    r = c.req("POST", "/positions", json.dumps(body).replace('"T"', json.dumps(t)))
    assert r.status_code in (400, 422), r.text
    assert_error(r, r.status_code)
    assert c.delete().status_code == 204


def test_positions_invalid_json_400(krest, new_topic):
    t = new_topic()
    c = create_consumer(krest)
    c.assign(t, [0])
    assert_error(c.req("POST", "/positions", b'{"offsets": [}'), 400)
    assert c.delete().status_code == 204


# --- offsets ------------------------------------------------------------------------------------


@pytest.mark.parametrize("offset", [-5, 9223372036854775807])
def test_commit_offset_out_of_range_422(krest, new_topic, offset):
    """The committed offset is the given one + 1: negative ones and INT64_MAX are refused."""
    t = new_topic()
    c = create_consumer(krest)
    c.assign(t, [0])
    r = c.req("POST", "/offsets", {"offsets": [{"topic": t, "partition": 0, "offset": offset}]})
    assert_error(r, 422, 422)
    assert "offsets[0]" in r.json()["message"]
    assert c.delete().status_code == 204


def test_get_offsets_without_body_404_40402(krest, new_topic):
    t = new_topic()
    c = create_consumer(krest)
    c.assign(t, [0])
    assert_error(c.req("GET", "/offsets"), 404, 40402)
    assert c.delete().status_code == 204


def test_commit_nothing_consumed(krest, new_topic, consumer_offsets_exists):
    t = new_topic()
    c = create_consumer(krest)
    c.subscribe([t])
    r = c.req("POST", "/offsets")
    assert r.status_code == 200, r.text
    assert media_type(r) == V2
    assert r.json() == []
    assert c.delete().status_code == 204


def test_commit_empty_offsets_list(krest, new_topic, consumer_offsets_exists):
    """An explicit empty list commits nothing (Confluent: commitSync of an empty map)."""
    t = new_topic()
    c = create_consumer(krest)
    c.assign(t, [0])
    r = c.req("POST", "/offsets", {"offsets": []})
    assert r.status_code == 200, r.text
    assert r.json() == []
    assert c.delete().status_code == 204


# --- records: errors ---------------------------------------------------------------------------


def test_records_accept_mismatch_406(krest, new_topic):
    t = new_topic()
    b = create_consumer(krest, body={"format": "binary"})
    j = create_consumer(krest, body={"format": "json"})
    for c in (b, j):
        c.assign(t, [0])
    assert_error(b.records(accept=JSON2, raw=True), 406, 40601)
    assert_error(j.records(accept=BIN2, raw=True), 406, 40601)
    # no Accept means binary
    assert_error(j.records(accept=None, raw=True), 406, 40601)
    assert b.records(accept=None) == []
    assert j.records(accept=JSON2) == []
    assert b.delete().status_code == 204 and j.delete().status_code == 204


@pytest.mark.parametrize(
    "query,name",
    [
        ("timeout=x", "timeout"),
        ("timeout=1.5", "timeout"),
        ("max_bytes=-", "max_bytes"),
        ("max_bytes=abc", "max_bytes"),
        ("timeout=100&max_bytes=1e3", "max_bytes"),
        ("timeout=99999999999999999999999", "timeout"),
    ],
)
def test_records_bad_query_400(krest, new_topic, query, name):
    t = new_topic()
    c = create_consumer(krest)
    c.assign(t, [0])
    r = c.req("GET", f"/records?{query}", headers={"Accept": BIN2})
    body = assert_error(r, 400, 400)
    assert name in body["message"], body
    assert c.delete().status_code == 204


def test_records_empty_topic_waits_for_timeout(krest, new_topic):
    t = new_topic()
    c = create_consumer(krest, body={"auto.offset.reset": "earliest"})
    c.subscribe([t])
    c.records(timeout=300)  # the first read may wait for the join
    t0 = time.monotonic()
    assert c.records(timeout=600) == []
    took = time.monotonic() - t0
    assert 0.45 <= took < 2.5, took
    assert c.delete().status_code == 204


# --- expiry -------------------------------------------------------------------------------------


def test_idle_instance_expires(start_krest, new_topic, admin, kafka_bootstrap):
    k = start_krest("--consumer.instance.timeout.ms=1500")
    t = new_topic()
    produce_many(kafka_bootstrap, t, [{"value": b"x"}])
    idle = create_consumer(k, body={"auto.offset.reset": "earliest"})
    idle.subscribe([t])
    got = []
    deadline = time.monotonic() + 8
    while not got and time.monotonic() < deadline:
        got = idle.records(timeout=500)
    assert got, "the idle-to-be instance never read its record"
    assert wait_until(lambda: group_members(admin, idle.group) == 1, 5, 0.2)
    busy = create_consumer(k)
    t0 = time.monotonic()
    while time.monotonic() - t0 < 3.2:
        r = busy.req("GET", "/subscription")  # every request resets the idle timer
        assert r.status_code == 200, r.text
        time.sleep(0.4)
    assert_error(idle.req("GET", "/subscription"), 404, 40403)
    assert_error(idle.records(raw=True), 404, 40403)
    # an expired instance has left its group
    assert wait_until(lambda: group_members(admin, idle.group) == 0, 10, 0.2), group_members(
        admin, idle.group
    )
    # its name is free again
    again = create_consumer(k, idle.group, {"name": idle.instance})
    assert again.delete().status_code == 204
    assert busy.delete().status_code == 204


# --- shutdown -----------------------------------------------------------------------------------


def test_shutdown_closes_instances(start_krest, new_topic, admin, kafka_bootstrap):
    """SIGTERM with live instances (subscribed and read, assigned, idle): exit 0 at once, and
    the subscribed one has left its group."""
    k = start_krest()
    t = new_topic()
    produce_many(kafka_bootstrap, t, [{"value": b"x"}])
    sub = create_consumer(k, body={"auto.offset.reset": "earliest"})
    sub.subscribe([t])
    got = []
    deadline = time.monotonic() + 8
    while not got and time.monotonic() < deadline:
        got = sub.records(timeout=500)
    assert got
    create_consumer(k).assign(t, [0])
    create_consumer(k)
    assert wait_until(lambda: group_members(admin, sub.group) == 1, 5, 0.2)
    t0 = time.monotonic()
    k.signal(15)
    assert k.wait(10) == 0, f"exit {k.returncode}: {k.log_tail()}"
    assert time.monotonic() - t0 < 5
    assert wait_until(lambda: group_members(admin, sub.group) == 0, 5, 0.2)


def test_shutdown_with_instance_on_deleted_topic(start_krest, admin, kafka_bootstrap):
    """An instance whose topic was deleted under it must not keep krest from stopping."""
    from conftest import create_topic, delete_topics

    k = start_krest()
    t = create_topic(admin)
    try:
        produce_many(kafka_bootstrap, t, [{"value": b"x"}])
        sub = create_consumer(k, body={"auto.offset.reset": "earliest"})
        sub.subscribe([t])
        got = []
        deadline = time.monotonic() + 8
        while not got and time.monotonic() < deadline:
            got = sub.records(timeout=500)
        assert got
        asg = create_consumer(k, body={"auto.offset.reset": "earliest"})
        asg.assign(t, [0])
        got = []
        deadline = time.monotonic() + 8  # this test is about shutdown, not first-read latency
        while not got and time.monotonic() < deadline:
            got = asg.records(timeout=1000)
        assert got
    finally:
        delete_topics(admin, [t])
    time.sleep(1.5)
    k.signal(15)
    rc = k.wait(10)
    if rc is None:
        k.proc.kill()
        k.proc.wait()
        pytest.fail(f"krest did not exit within 10 s of SIGTERM:\n{k.log_tail(15)}")
    assert rc == 0, k.log_tail()
