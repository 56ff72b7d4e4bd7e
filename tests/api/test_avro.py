"""Avro produce and consume, v2 and v1 (issue 7; API.md section K rows "Avro produce errors",
"schema by id", "undecodable record on consume", "v2 consume extras", "Schema Registry URL";
§1.6b the seed walkthrough). krest runs with its built-in registry; what reaches Kafka is checked
with confluent-kafka (plain Consumer, AvroDeserializer) and what krest reads is produced with
confluent-kafka's AvroSerializer. The type-by-type round trips are in test_avro_types.py."""

import json
import re
import time

import pytest

from avro_helpers import (
    AVRO1,
    AVRO2,
    V1,
    V2,
    assert_avro_produced,
    assert_nothing_produced,
    avro_json,
    deserialize,
    env,  # noqa: F401  (fixture)
    post_avro,
    read_records,
    registries,  # noqa: F401  (fixture)
    serialize,
    serializer,
    split_wire,
    wire,
)
from conftest import (
    BIN2,
    LIVE_CONSUMERS,
    RestConsumer,
    KrestFactory,
    assert_error,
    b64,
    create_consumer,
    delete_live_consumers,
    end_offsets,
    free_port,
    media_type,
    produce_many,
    read_topic,
    unique_group,
)

USER = {"type": "record", "name": "User", "fields": [{"name": "username", "type": "string"}]}

PERSON = {
    "type": "record",
    "name": "Person",
    "namespace": "krest.test",
    "fields": [
        {"name": "name", "type": "string"},
        {"name": "age", "type": "int"},
        {
            "name": "address",
            "type": {
                "type": "record",
                "name": "Address",
                "fields": [
                    {"name": "street", "type": "string"},
                    {"name": "zip", "type": "int"},
                ],
            },
        },
        {"name": "email", "type": ["null", "string"], "default": None},
    ],
}

KEY = {"type": "record", "name": "Key", "namespace": "krest.test", "fields": [{"name": "id", "type": "long"}]}


def person(i, email=None):
    return {
        "name": f"p{i}",
        "age": 20 + i,
        "address": {"street": f"s{i}", "zip": 10000 + i},
        "email": None if email is None else {"string": email},
    }


def person_native(i, email=None):
    p = person(i)
    p["email"] = email
    return p


@pytest.fixture(autouse=True)
def _delete_instances(new_topic):
    """Deletes the instances a test left behind before its topics go."""
    yield
    delete_live_consumers()


def latest(env, subject):
    return env.reg.version(subject, "latest")


def check_wire(env, topic, raw, want_id, want_native, key=False):
    """raw is 0x00 + the id + an Avro datum that AvroDeserializer decodes to want_native."""
    sid, _ = split_wire(raw)
    assert sid == want_id, (sid, want_id)
    assert deserialize(env, topic, raw, key=key) == want_native


def assert_deser_error(r, topic, partition, offset):
    """408/40801 naming topic, partition and offset."""
    body = assert_error(r, 408, 40801)
    msg = body["message"]
    assert topic in msg, msg
    assert re.search(rf"offset\D{{0,3}}{offset}\b", msg), f"offset {offset} not named: {msg}"
    assert re.search(rf"partition\D{{0,3}}{partition}\b", msg) or f"{topic}-{partition}" in msg, (
        f"partition {partition} not named: {msg}"
    )
    return msg


# ============================================================================================
# 1. The seed walkthrough, verbatim (§1.6b)

SEED_BODY = """{
   "value_schema": "{\\"type\\": \\"record\\", \\"name\\": \\"User\\", \\"fields\\": [{\\"name\\": \\"username\\", \\"type\\": \\"string\\"}]}",
   "records": [ {"value": {"username": "testUser"}}, {"value": {"username": "testUser2"}} ]
}"""


def test_seed_body_is_the_seeds():
    body = json.loads(SEED_BODY)
    assert json.loads(body["value_schema"]) == USER
    assert body["records"] == [{"value": {"username": "testUser"}}, {"value": {"username": "testUser2"}}]


def test_seed_walkthrough_v1(env, new_topic):
    k = env.k
    t = new_topic()
    r = k.post(f"/topics/{t}", data=SEED_BODY, headers={"Content-Type": AVRO1})
    assert r.status_code == 200, r.text
    assert media_type(r) == V1, r.headers.get("Content-Type")
    body = r.json()
    assert set(body) == {"key_schema_id", "value_schema_id", "offsets"}, body
    assert body["key_schema_id"] is None, body
    vid = body["value_schema_id"]
    assert type(vid) is int and vid > 0, body
    assert body["offsets"] == [
        {"partition": 0, "offset": 0, "error_code": None, "error": None},
        {"partition": 0, "offset": 1, "error_code": None, "error": None},
    ], body
    # registered under <topic>-value (TopicNameStrategy)
    v = latest(env, f"{t}-value")
    assert v["id"] == vid and v["version"] == 1, v
    assert json.loads(v["schema"]) == USER, v
    # Kafka holds the wire format
    recs = read_topic(t)
    assert [(x.partition, x.offset, x.key) for x in recs] == [(0, 0, None), (0, 1, None)]
    for x, name in zip(recs, ["testUser", "testUser2"]):
        check_wire(env, t, x.value, vid, {"username": name})

    g = unique_group("my_avro_consumer")
    r = k.post(
        f"/consumers/{g}",
        data='{"format": "avro", "auto.offset.reset": "smallest"}',
        headers={"Content-Type": V1},
    )
    assert r.status_code == 200, r.text
    assert media_type(r) == V1
    j = r.json()
    assert set(j) == {"instance_id", "base_uri"}, j
    name = j["instance_id"]
    LIVE_CONSUMERS.append(RestConsumer(k, g, name))
    assert j["base_uri"] == f"{k.url}/consumers/{g}/instances/{name}", j

    r = k.get(f"/consumers/{g}/instances/{name}/topics/{t}", headers={"Accept": AVRO1}, timeout=30)
    assert r.status_code == 200, r.text
    assert media_type(r) == AVRO1, r.headers.get("Content-Type")
    # both records on the FIRST GET, in exactly the seed's shape
    assert r.json() == [
        {"key": None, "value": {"username": "testUser"}, "partition": 0, "offset": 0},
        {"key": None, "value": {"username": "testUser2"}, "partition": 0, "offset": 1},
    ]

    r = k.request("DELETE", f"/consumers/{g}/instances/{name}", headers={"Accept": "*/*"})
    assert r.status_code == 204, r.text
    assert r.content == b""


def test_seed_walkthrough_default_registry_url(registries, new_topic):  # noqa: F811
    """Without schema.registry.url, krest uses its built-in registry (Avro out of the box)."""
    port = free_port()
    reg = registries(None, port=port)  # no --schema.registry.url
    k = reg.krest
    t = new_topic()
    r = k.post(f"/topics/{t}", data=SEED_BODY, headers={"Content-Type": AVRO1})
    assert r.status_code == 200, r.text
    vid = r.json()["value_schema_id"]
    assert reg.version(f"{t}-value", "latest")["id"] == vid
    c = create_consumer(k, body={"format": "avro", "auto.offset.reset": "smallest"}, ctype=V1)
    r = c.req("GET", f"/topics/{t}", headers={"Accept": AVRO1}, timeout=30)
    assert r.status_code == 200, r.text
    assert [x["value"] for x in r.json()] == [{"username": "testUser"}, {"username": "testUser2"}]
    assert c.delete().status_code == 204


# ============================================================================================
# 2. v2 produce


def test_v2_value_schema(env, new_topic):
    t = new_topic()
    body = {"value_schema": json.dumps(PERSON), "records": [{"value": person(i)} for i in range(3)]}
    body["records"][1]["value"]["email"] = {"string": "a@b.c"}
    r = post_avro(env.k, t, body)
    kid, vid, offs = assert_avro_produced(r, 3, key_id=None)
    assert offs == [(0, 0), (0, 1), (0, 2)]
    v = latest(env, f"{t}-value")
    assert v["id"] == vid and v["version"] == 1, v
    assert json.loads(v["schema"]) == PERSON
    assert env.reg.get(f"/subjects/{t}-key/versions").status_code == 404  # no key subject
    recs = read_topic(t)
    assert len(recs) == 3
    for i, x in enumerate(recs):
        assert x.key is None
        want = person_native(i, "a@b.c" if i == 1 else None)
        check_wire(env, t, x.value, vid, want)
        # and, independently of confluent-kafka, Avro's JSON encoding of the datum
        assert avro_json(PERSON, split_wire(x.value)[1]) == body["records"][i]["value"]


def test_v2_same_schema_same_id_one_version(env, new_topic):
    t = new_topic()
    r1 = post_avro(env.k, t, {"value_schema": json.dumps(USER), "records": [{"value": {"username": "a"}}]})
    _, vid1, _ = assert_avro_produced(r1, 1)
    spaced = json.dumps(USER, indent=4)  # same schema, other whitespace
    r2 = post_avro(env.k, t, {"value_schema": spaced, "records": [{"value": {"username": "b"}}]})
    _, vid2, offs = assert_avro_produced(r2, 1)
    assert vid2 == vid1
    assert offs == [(0, 1)]
    assert env.reg.versions(f"{t}-value") == [1]


def test_v2_value_schema_id_from_earlier_response(env, new_topic):
    t = new_topic()
    r = post_avro(env.k, t, {"value_schema": json.dumps(PERSON), "records": [{"value": person(0)}]})
    _, vid, _ = assert_avro_produced(r, 1)
    r = post_avro(env.k, t, {"value_schema_id": vid, "records": [{"value": person(1)}, {"value": person(2)}]})
    _, vid2, offs = assert_avro_produced(r, 2, key_id=None, value_id=vid)
    assert offs == [(0, 1), (0, 2)]
    recs = read_topic(t)
    for i, x in enumerate(recs):
        check_wire(env, t, x.value, vid, person_native(i))


def test_v2_schema_id_registered_under_another_subject(env, new_topic):
    """Confluent fetches a schema by id whatever its subject."""
    t = new_topic()
    schema = dict(USER, name="OtherUser")
    sid = env.reg.register(f"unrelated-subject-{t}", schema)
    r = post_avro(env.k, t, {"value_schema_id": sid, "records": [{"value": {"username": "x"}}]})
    _, vid, _ = assert_avro_produced(r, 1, key_id=None, value_id=sid)
    [x] = read_topic(t)
    check_wire(env, t, x.value, sid, {"username": "x"})


def test_v2_key_schema_id_registered_through_api(env, new_topic):
    t = new_topic()
    kid = env.reg.register(f"{t}-key", "string")
    vid = env.reg.register(f"{t}-value", USER)
    body = {"key_schema_id": kid, "value_schema_id": vid,
            "records": [{"key": "k1", "value": {"username": "u1"}}]}
    r = post_avro(env.k, t, body)
    assert_avro_produced(r, 1, key_id=kid, value_id=vid)
    [x] = read_topic(t)
    check_wire(env, t, x.key, kid, "k1", key=True)
    check_wire(env, t, x.value, vid, {"username": "u1"})


def test_v2_key_and_value_schema(env, new_topic):
    t = new_topic(partitions=3)
    body = {
        "key_schema": json.dumps(KEY),
        "value_schema": json.dumps(PERSON),
        "records": [{"key": {"id": i}, "value": person(i)} for i in range(6)],
    }
    r = post_avro(env.k, t, body)
    kid, vid, offs = assert_avro_produced(r, 6, key_id="any")
    assert kid != vid
    assert latest(env, f"{t}-key")["id"] == kid
    assert latest(env, f"{t}-value")["id"] == vid
    recs = read_topic(t)
    assert sorted((x.partition, x.offset) for x in recs) == sorted(offs)
    by_pos = {(x.partition, x.offset): x for x in recs}
    for i, pos in enumerate(offs):
        x = by_pos[pos]
        check_wire(env, t, x.key, kid, {"id": i}, key=True)
        check_wire(env, t, x.value, vid, person_native(i))
        # keys are partitioned on their serialised bytes, as the Java client does
        assert pos[0] == java_partition(x.key, 3), (i, pos)
    # the same key again lands on the same partition
    r = post_avro(env.k, t, {"key_schema_id": kid, "value_schema_id": vid,
                             "records": [{"key": {"id": 4}, "value": person(4)}]})
    _, _, [(p, _)] = assert_avro_produced(r, 1, key_id=kid, value_id=vid)
    assert p == offs[4][0]


def test_v2_key_only_null_value_without_value_schema(env, new_topic):
    t = new_topic()
    r = post_avro(env.k, t, {"key_schema": '"string"', "records": [{"key": "tomb", "value": None}]})
    kid, _, _ = assert_avro_produced(r, 1, key_id="any", value_id=None)
    [x] = read_topic(t)
    assert x.value is None
    check_wire(env, t, x.key, kid, "tomb", key=True)


def test_v2_partition_endpoint(env, new_topic):
    t = new_topic(partitions=2)
    body = {"value_schema": json.dumps(USER), "records": [{"value": {"username": "p1"}}, {"value": {"username": "p2"}}]}
    r = post_avro(env.k, t, body, partition=1)
    _, vid, offs = assert_avro_produced(r, 2, key_id=None)
    assert offs == [(1, 0), (1, 1)]
    recs = read_topic(t)
    assert [(x.partition, x.offset) for x in recs] == [(1, 0), (1, 1)]
    check_wire(env, t, recs[1].value, vid, {"username": "p2"})


def test_v2_record_partition_field(env, new_topic):
    t = new_topic(partitions=3)
    body = {"value_schema": json.dumps(USER),
            "records": [{"value": {"username": "a"}, "partition": 2}, {"value": {"username": "b"}, "partition": 0}]}
    r = post_avro(env.k, t, body)
    _, _, offs = assert_avro_produced(r, 2, key_id=None)
    assert offs == [(2, 0), (0, 0)]


def test_v2_headers_and_timestamp_with_avro(env, new_topic):
    t = new_topic()
    ts = 1600000000000
    body = {"value_schema": json.dumps(USER),
            "records": [{"value": {"username": "h"}, "headers": [{"name": "h1", "value": b64(b"x")}],
                         "timestamp": ts}]}
    r = post_avro(env.k, t, body)
    assert_avro_produced(r, 1, key_id=None)
    [x] = read_topic(t)
    assert x.headers == [("h1", b"x")]
    assert x.timestamp[1] == ts


def test_v1_avro_produce_with_key_and_partition_endpoint(env, new_topic):
    t = new_topic(partitions=2)
    body = {"key_schema": '"long"', "value_schema": json.dumps(USER),
            "records": [{"key": 7, "value": {"username": "v1"}}]}
    r = post_avro(env.k, t, body, ctype=AVRO1, partition=1)
    kid, vid, offs = assert_avro_produced(r, 1, version=V1, key_id="any")
    assert offs == [(1, 0)]
    [x] = read_topic(t)
    check_wire(env, t, x.key, kid, 7, key=True)
    check_wire(env, t, x.value, vid, {"username": "v1"})


def test_v1_avro_produce_value_schema_id(env, new_topic):
    t = new_topic()
    vid = env.reg.register(f"{t}-value", USER)
    r = post_avro(env.k, t, {"value_schema_id": vid, "records": [{"value": {"username": "i"}}]}, ctype=AVRO1)
    assert_avro_produced(r, 1, version=V1, key_id=None, value_id=vid)


def test_schema_evolution_new_version(env, new_topic):
    """A compatible new schema is a new version with a new id; records keep their own ids."""
    t = new_topic()
    v1 = dict(USER, name="Evo")
    v2 = dict(v1, fields=v1["fields"] + [{"name": "n", "type": "int", "default": 0}])
    r = post_avro(env.k, t, {"value_schema": json.dumps(v1), "records": [{"value": {"username": "a"}}]})
    _, id1, _ = assert_avro_produced(r, 1)
    r = post_avro(env.k, t, {"value_schema": json.dumps(v2), "records": [{"value": {"username": "b", "n": 5}}]})
    _, id2, _ = assert_avro_produced(r, 1)
    assert id1 != id2
    assert env.reg.versions(f"{t}-value") == [1, 2]
    a, b = read_topic(t)
    check_wire(env, t, a.value, id1, {"username": "a"})
    check_wire(env, t, b.value, id2, {"username": "b", "n": 5})
    # read back through krest, each with its own writer schema
    c = create_consumer(env.k, body={"format": "avro", "auto.offset.reset": "earliest"})
    c.subscribe([t])
    got = read_records(c, 2)
    assert [x["value"] for x in got] == [{"username": "a"}, {"username": "b", "n": 5}]


def test_incompatible_schema_rejected(env, new_topic):
    """A schema the subject's compatibility level (BACKWARD) refuses is a registry failure:
    408/40801 as Confluent 5.x (section K); not registered, nothing produced."""
    t = new_topic()
    r = post_avro(env.k, t, {"value_schema": json.dumps(USER), "records": [{"value": {"username": "a"}}]})
    assert_avro_produced(r, 1)
    incompatible = dict(USER, fields=[{"name": "username", "type": "int"}])
    before = end_offsets(t)
    r = post_avro(env.k, t, {"value_schema": json.dumps(incompatible), "records": [{"value": {"username": 1}}]})
    b = assert_error(r, 408, 40801)
    # The registry's own reason, after Confluent's words (issue 18).
    assert b["message"].startswith("Error when registering schema: "), b
    assert "incompatible" in b["message"].lower(), b
    assert env.reg.versions(f"{t}-value") == [1]
    assert_nothing_produced(env.k, t, before)


# ============================================================================================
# 3. v2 and v1 consume of natively produced records


def test_v2_consume_native_avro_with_keys(env, new_topic, kafka_bootstrap):
    t = new_topic(partitions=2)
    kser = serializer(env, KEY)
    vser = serializer(env, PERSON)
    recs = []
    for i in range(6):
        recs.append({
            "key": serialize(kser, t, {"id": i}, key=True),
            "value": serialize(vser, t, person_native(i, "e@x" if i == 3 else None)),
            "partition": i % 2,
            "timestamp": 1500000000000 + i,
            "headers": [("h", b"v%d" % i)] if i == 5 else None,
        })
    pos = produce_many(kafka_bootstrap, t, recs)
    c = create_consumer(env.k, body={"format": "avro", "auto.offset.reset": "earliest"})
    c.subscribe([t])
    got = read_records(c, 6)
    assert len(got) == 6, got
    by_pos = {(x["partition"], x["offset"]): x for x in got}
    assert set(by_pos) == set(pos)
    for i, p in enumerate(pos):
        x = by_pos[p]
        want_keys = {"topic", "key", "value", "partition", "offset", "timestamp"}
        if i == 5:
            want_keys.add("headers")
        assert set(x) == want_keys, x
        assert x["topic"] == t
        assert x["key"] == {"id": i}, x
        assert x["value"] == person(i, "e@x" if i == 3 else None), x
        assert x["timestamp"] == 1500000000000 + i, x
        if i == 5:
            assert x["headers"] == [{"key": "h", "value": b64(b"v5")}], x


def test_v2_consume_what_krest_produced(env, new_topic):
    t = new_topic()
    body = {"key_schema": '"string"', "value_schema": json.dumps(PERSON),
            "records": [{"key": f"k{i}", "value": person(i)} for i in range(3)]}
    assert_avro_produced(post_avro(env.k, t, body), 3, key_id="any")
    c = create_consumer(env.k, body={"format": "avro", "auto.offset.reset": "earliest"})
    c.subscribe([t])
    got = read_records(c, 3)
    assert [(x["key"], x["value"], x["offset"]) for x in got] == [
        (f"k{i}", person(i), i) for i in range(3)
    ]


def test_v2_consume_null_key_and_tombstone(env, new_topic, kafka_bootstrap):
    t = new_topic()
    vser = serializer(env, USER)
    produce_many(kafka_bootstrap, t, [{"value": serialize(vser, t, {"username": "a"})}, {"value": None}])
    c = create_consumer(env.k, body={"format": "avro", "auto.offset.reset": "earliest"})
    c.assign(t, [0])
    got = read_records(c, 2)
    assert [(x["key"], x["value"]) for x in got] == [(None, {"username": "a"}), (None, None)]


def test_v1_consume_native_avro_with_keys(env, new_topic, kafka_bootstrap):
    t = new_topic()
    kser = serializer(env, "string")
    vser = serializer(env, USER)
    produce_many(kafka_bootstrap, t, [
        {"key": serialize(kser, t, f"k{i}", key=True), "value": serialize(vser, t, {"username": f"u{i}"}),
         "headers": [("h", b"x")]}
        for i in range(3)
    ])
    c = create_consumer(env.k, body={"format": "avro", "auto.offset.reset": "smallest"}, ctype=V1)
    got = []
    deadline = time.monotonic() + 15
    while len(got) < 3 and time.monotonic() < deadline:
        r = c.req("GET", f"/topics/{t}", headers={"Accept": AVRO1}, timeout=30)
        assert r.status_code == 200, r.text
        assert media_type(r) == AVRO1
        got += r.json()
    # v1 shapes stay exactly Confluent's: no topic, timestamp or headers
    assert got == [
        {"key": f"k{i}", "value": {"username": f"u{i}"}, "partition": 0, "offset": i} for i in range(3)
    ]


def test_v1_partition_messages_avro(env, new_topic, kafka_bootstrap):
    """v1's stateless partition read answers in the format Accept names (§1.6), avro too."""
    t = new_topic()
    vser = serializer(env, USER)
    produce_many(kafka_bootstrap, t, [{"value": serialize(vser, t, {"username": f"m{i}"})} for i in range(3)])
    r = env.k.get(f"/topics/{t}/partitions/0/messages?offset=1&count=2", headers={"Accept": AVRO1}, timeout=30)
    assert r.status_code == 200, r.text
    assert media_type(r) == AVRO1
    assert r.json() == [
        {"key": None, "value": {"username": f"m{i}"}, "partition": 0, "offset": i} for i in (1, 2)
    ]


def test_accept_must_match_format(env, new_topic, kafka_bootstrap):
    t = new_topic()
    vser = serializer(env, USER)
    produce_many(kafka_bootstrap, t, [{"value": serialize(vser, t, {"username": "a"})}])
    c = create_consumer(env.k, body={"format": "avro", "auto.offset.reset": "earliest"})
    c.subscribe([t])
    assert_error(c.records(accept=BIN2, raw=True), 406, 40601)
    b = create_consumer(env.k, body={"format": "binary", "auto.offset.reset": "earliest"})
    b.subscribe([t])
    assert_error(b.records(accept=AVRO2, raw=True), 406, 40601)
    # the avro instance still reads its record
    assert [x["value"] for x in read_records(c, 1)] == [{"username": "a"}]


# ============================================================================================
# 5. Bad input: nothing produced


@pytest.fixture
def topic1(new_topic):
    return new_topic()


@pytest.mark.parametrize("ctype", [AVRO2, AVRO1])
def test_value_without_value_schema_42202(env, topic1, ctype):
    before = end_offsets(topic1)
    r = post_avro(env.k, topic1, {"records": [{"value": {"username": "a"}}]}, ctype=ctype)
    assert_error(r, 422, 42202)
    assert_nothing_produced(env.k, topic1, before)


@pytest.mark.parametrize("ctype", [AVRO2, AVRO1])
def test_key_without_key_schema_42201(env, topic1, ctype):
    before = end_offsets(topic1)
    body = {"value_schema": json.dumps(USER), "records": [{"key": "k", "value": {"username": "a"}}]}
    r = post_avro(env.k, topic1, body, ctype=ctype)
    assert_error(r, 422, 42201)
    assert_nothing_produced(env.k, topic1, before)
    assert env.reg.get(f"/subjects/{topic1}-key/versions").status_code == 404


def test_key_in_second_record_only_42201(env, topic1):
    before = end_offsets(topic1)
    body = {"value_schema": json.dumps(USER),
            "records": [{"value": {"username": "a"}}, {"key": 1, "value": {"username": "b"}}]}
    assert_error(post_avro(env.k, topic1, body), 422, 42201)
    assert_nothing_produced(env.k, topic1, before)


INVALID_SCHEMAS = [
    "not json",
    '{"type": "record", "name": "R"}',  # no fields
    '{"type": "nosuchtype"}',
    '"nosuchname"',
    '{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int", "default": "x"}]}',
    '{"type": "enum", "name": "E", "symbols": ["A", "A"]}',
    '{"type": "fixed", "name": "F"}',
    '{"type": "record", "name": "1bad", "fields": []}',
    "",
]


@pytest.mark.parametrize("schema", INVALID_SCHEMAS)
def test_invalid_value_schema_42205(env, topic1, schema):
    before = end_offsets(topic1)
    r = post_avro(env.k, topic1, {"value_schema": schema, "records": [{"value": {"a": 1}}]})
    body = assert_error(r, 422, 42205)
    assert body["message"].startswith("Invalid schema"), body
    assert_nothing_produced(env.k, topic1, before)
    assert env.reg.get(f"/subjects/{topic1}-value/versions").status_code == 404


def test_value_schema_over_registry_limit_42205(env, topic1):
    """A schema inside a produce body is held to the registry's 1 MB limit before it is parsed
    (parsing a crafted one is not linear in its size)."""
    before = end_offsets(topic1)
    schema = '{"type": "string"' + " " * 1000000 + "}"
    r = post_avro(env.k, topic1, {"value_schema": schema, "records": [{"value": "a"}]})
    body = assert_error(r, 422, 42205)
    assert "larger than 1000000 bytes" in body["message"], body
    assert_nothing_produced(env.k, topic1, before)


def test_defaults_expanding_exponentially_42203(env, topic1):
    """Record k has fields a (record k+1, defined inline) and b (a reference to it), both
    defaulting to {}: the value {} would expand into 2^40 defaults. Refused at 100000."""
    depth = 40
    t = {"type": "record", "name": f"R{depth}",
         "fields": [{"name": "x", "type": "int", "default": 1}]}
    for k in range(depth - 1, -1, -1):
        t = {"type": "record", "name": f"R{k}",
             "fields": [{"name": "a", "type": t, "default": {}},
                        {"name": "b", "type": f"R{k + 1}", "default": {}}]}
    before = end_offsets(topic1)
    r = post_avro(env.k, topic1, {"value_schema": json.dumps(t), "records": [{"value": {}}]})
    body = assert_error(r, 422, 42203)
    assert "defaults expand into more than 100000 values" in body["message"], body
    assert_nothing_produced(env.k, topic1, before)


@pytest.mark.parametrize("ctype", [AVRO2, AVRO1])
def test_invalid_key_schema_42205(env, topic1, ctype):
    before = end_offsets(topic1)
    body = {"key_schema": '{"type": "bogus"}', "value_schema": json.dumps(USER),
            "records": [{"key": 1, "value": {"username": "a"}}]}
    r = post_avro(env.k, topic1, body, ctype=ctype)
    assert r.headers.get("Content-Type", "").startswith(V1 if ctype == AVRO1 else V2), r.headers
    b = assert_error(r, 422, 42205)
    assert b["message"].startswith("Invalid schema"), b
    assert_nothing_produced(env.k, topic1, before)


NESTED = {
    "type": "record",
    "name": "Order",
    "fields": [
        {"name": "id", "type": "int"},
        {"name": "address", "type": {"type": "record", "name": "Addr",
                                     "fields": [{"name": "zip", "type": "int"}]}},
    ],
}

# (id, schema, bad value, field name the message must name (or None))
MISMATCHES = [
    ("string-for-int", USER, {"username": 5}, "username"),
    ("missing-required", PERSON, {"name": "x", "address": {"street": "s", "zip": 1}}, "age"),
    ("unknown-field", USER, {"username": "a", "nosuch": 1}, "nosuch"),
    ("nested-zip", NESTED, {"id": 1, "address": {"zip": "12345"}}, "zip"),
    ("number-for-record", USER, 5, None),
    ("int-overflow", "int", 2147483648, None),
    ("int-underflow", "int", -2147483649, None),
    ("long-overflow", "long", 9223372036854775808, None),
    ("fraction-for-int", "int", 1.5, None),
    ("string-for-long", "long", "1", None),
    ("bool-for-int", "int", True, None),
    ("int-for-boolean", "boolean", 1, None),
    ("int-for-string", "string", 1, None),
    ("bytes-codepoint-256", "bytes", "\u0100", None),
    ("bytes-not-string", "bytes", [1, 2], None),
    ("fixed-too-short", {"type": "fixed", "name": "F", "size": 4}, "abc", None),
    ("fixed-too-long", {"type": "fixed", "name": "F", "size": 2}, "abc", None),
    ("enum-unknown-symbol", {"type": "enum", "name": "E", "symbols": ["A", "B"]}, "C", None),
    ("array-bad-item", {"type": "array", "items": "int"}, [1, "x"], None),
    ("array-not-array", {"type": "array", "items": "int"}, {"a": 1}, None),
    ("map-bad-value", {"type": "map", "values": "int"}, {"a": "x"}, None),
    ("union-unwrapped", ["null", "string"], "x", None),
    ("union-unknown-branch", ["null", "string"], {"int": 1}, None),
    ("union-two-keys", ["null", "string", "int"], {"string": "a", "int": 1}, None),
    ("union-short-name-of-namespaced",
     ["null", {"type": "record", "name": "R", "namespace": "a.b", "fields": []}], {"R": {}}, None),
    ("null-for-string-field", USER, {"username": None}, "username"),
]


@pytest.mark.parametrize("case", MISMATCHES, ids=[m[0] for m in MISMATCHES])
def test_value_mismatch_42203(env, topic1, case):
    _, schema, bad, fname = case
    before = end_offsets(topic1)
    good = {"username": "ok"} if schema in (USER,) else None
    records = [{"value": bad}]
    index = 0
    if good is not None:
        records = [{"value": good}, {"value": bad}]  # the first record is fine
        index = 1
    r = post_avro(env.k, topic1, {"value_schema": json.dumps(schema), "records": records})
    body = assert_error(r, 422, 42203)
    msg = body["message"]
    assert f"records[{index}].value" in msg, msg
    if fname:
        assert fname in msg, msg
    assert_nothing_produced(env.k, topic1, before)


def test_value_mismatch_path_names_nested_field(env, topic1):
    """The example of section K: records[i].value.<path>."""
    before = end_offsets(topic1)
    recs = [{"value": {"id": i, "address": {"zip": i}}} for i in range(3)]
    recs.append({"value": {"id": 3, "address": {"zip": "x"}}})
    r = post_avro(env.k, topic1, {"value_schema": json.dumps(NESTED), "records": recs})
    msg = assert_error(r, 422, 42203)["message"]
    assert "records[3].value.address.zip" in msg, msg
    assert_nothing_produced(env.k, topic1, before)


def test_key_mismatch_42203(env, topic1):
    before = end_offsets(topic1)
    body = {"key_schema": json.dumps(KEY), "value_schema": json.dumps(USER),
            "records": [{"key": {"id": "nope"}, "value": {"username": "a"}}]}
    r = post_avro(env.k, topic1, body)
    msg = assert_error(r, 422, 42203)["message"]
    assert "records[0].key" in msg and "id" in msg, msg
    assert_nothing_produced(env.k, topic1, before)


def test_v1_value_mismatch_42203(env, topic1):
    before = end_offsets(topic1)
    r = post_avro(env.k, topic1, {"value_schema": json.dumps(USER), "records": [{"value": {"username": 1}}]},
                  ctype=AVRO1)
    assert media_type(r) == V1
    msg = assert_error(r, 422, 42203)["message"]
    assert "records[0].value" in msg and "username" in msg, msg
    assert_nothing_produced(env.k, topic1, before)


def test_unknown_schema_id_40801(env, topic1):
    before = end_offsets(topic1)
    for field in ("value_schema_id", "key_schema_id"):
        if field == "key_schema_id":
            body = {"key_schema_id": 987654321, "value_schema": json.dumps(USER),
                    "records": [{"key": "k", "value": {"username": "a"}}]}
        else:
            body = {"value_schema_id": 987654321, "records": [{"value": {"username": "a"}}]}
        r = post_avro(env.k, topic1, body)
        b = assert_error(r, 408, 40801)
        assert b["message"].startswith("Schema registration or lookup failed"), b
    assert_nothing_produced(env.k, topic1, before)


@pytest.mark.parametrize("bad", ["1", 1.5, True, [1], {"id": 1}])
def test_schema_id_wrong_json_type(env, topic1, bad):
    """v2: a wrong JSON type for a field is 400/400; v1: 422/422 (section K)."""
    vid = env.reg.register(f"{topic1}-value", USER)
    if bad == "1":
        bad = str(vid)  # an id that exists, as a string
    before = end_offsets(topic1)
    body = {"value_schema_id": bad, "records": [{"value": {"username": "a"}}]}
    assert_error(post_avro(env.k, topic1, body), 400, 400)
    assert_error(post_avro(env.k, topic1, body, ctype=AVRO1), 422, 422)
    assert_nothing_produced(env.k, topic1, before)


@pytest.mark.parametrize("bad", [0, -1, 2**31, 2**63])
def test_schema_id_out_of_range(env, topic1, bad):
    """Ids are positive 32-bit ints: others are a bad value (422) or an id the registry does
    not know (408/40801); never a produce."""
    before = end_offsets(topic1)
    r = post_avro(env.k, topic1, {"value_schema_id": bad, "records": [{"value": {"username": "a"}}]})
    assert (r.status_code, r.json().get("error_code")) in {(422, 422), (408, 40801), (400, 400)}, r.text
    assert_error(r, r.status_code, r.json()["error_code"])
    assert_nothing_produced(env.k, topic1, before)


@pytest.mark.parametrize("body", ['{"value_schema": "\\"string\\"", "records": [', "not json", ""])
def test_broken_json_body(env, topic1, body):
    """Broken JSON is 400/400 (v2) whatever the format, with nothing produced."""
    before = end_offsets(topic1)
    r = post_avro(env.k, topic1, body)
    if body == "":
        assert_error(r, 422, 422)  # an empty body: no records (section K)
    else:
        assert_error(r, 400, 400)
    assert_nothing_produced(env.k, topic1, before)


def test_unknown_topic_40401(env):
    # A name Kafka refuses, so that krest.topic.auto.create (default: as the broker, which allows
    # it here) cannot create it; a legal one is created (test_auto_create.py).
    body = {"value_schema": json.dumps(USER), "records": [{"value": {"username": "a"}}]}
    for ctype in (AVRO2, AVRO1):
        assert_error(post_avro(env.k, "krest-no-such-topic-avro!", body, ctype=ctype), 404, 40401)


def test_value_schema_wrong_json_type(env, topic1):
    before = end_offsets(topic1)
    body = {"value_schema": USER, "records": [{"value": {"username": "a"}}]}  # an object, not a string
    assert_error(post_avro(env.k, topic1, body), 400, 400)
    assert_error(post_avro(env.k, topic1, body, ctype=AVRO1), 422, 422)
    assert_nothing_produced(env.k, topic1, before)


def test_nothing_registered_when_a_value_does_not_match(env, topic1):
    """A rejected request leaves no record; the later good request gets offset 0."""
    before = end_offsets(topic1)
    body = {"value_schema": json.dumps(USER), "records": [{"value": {"username": 1}}]}
    assert_error(post_avro(env.k, topic1, body), 422, 42203)
    assert end_offsets(topic1) == before
    body = {"value_schema": json.dumps(USER), "records": [{"value": {"username": "x"}}]}
    _, _, offs = assert_avro_produced(post_avro(env.k, topic1, body), 1)
    assert offs == [(0, before[0])]


# --- an unreachable registry


@pytest.fixture(scope="module")
def no_registry(tmp_path_factory, kafka_bootstrap, krest_bin):
    """A krest whose schema.registry.url names a closed port (its own registry is off)."""
    f = KrestFactory(tmp_path_factory.mktemp("avro-noreg"))
    port = free_port()
    k = f(f"--schema.registry.url=http://127.0.0.1:{port}", "--consumer.request.timeout.ms=1000")
    yield k
    f.teardown()


def test_registry_unreachable_produce_40801(no_registry, topic1):
    k = no_registry
    before = end_offsets(topic1)
    for body in (
        {"value_schema": json.dumps(USER), "records": [{"value": {"username": "a"}}]},
        {"value_schema_id": 1, "records": [{"value": {"username": "a"}}]},
        {"key_schema": '"string"', "records": [{"key": "k", "value": None}]},
    ):
        for ctype in (AVRO2, AVRO1):
            t0 = time.monotonic()
            r = post_avro(k, topic1, body, ctype=ctype)
            b = assert_error(r, 408, 40801)
            assert b["message"].startswith("Schema registration or lookup failed"), b
            assert time.monotonic() - t0 < 15, "the registry failure took too long to report"
    assert_nothing_produced(k, topic1, before)


def test_registry_unreachable_consume_40801(no_registry, topic1, kafka_bootstrap):
    k = no_registry
    produce_many(kafka_bootstrap, topic1, [{"value": wire(1, b"\x02a")}])
    c = create_consumer(k, body={"format": "avro", "auto.offset.reset": "earliest"})
    c.assign(topic1, [0])
    deadline = time.monotonic() + 15
    while True:
        r = c.records(timeout=500, accept=AVRO2, raw=True)
        if r.status_code != 200 or time.monotonic() > deadline:
            break
        assert r.json() == [], r.text
    assert_deser_error(r, topic1, 0, 0)


# ============================================================================================
# 6. Consume errors: the position stays on an undecodable record


def _read_until_error(c, accept=AVRO2, deadline_s=15.0, path=None):
    """GETs until a non-200 answer; returns (records before it, the error response)."""
    got = []
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if path is None:
            r = c.records(timeout=500, accept=accept, raw=True)
        else:
            r = c.req("GET", path, headers={"Accept": accept}, timeout=30)
        if r.status_code != 200:
            return got, r
        got += r.json()
    pytest.fail(f"no error within {deadline_s} s; got {got}")


BAD_PAYLOADS = [
    ("not-wire-format", b"hello, not avro"),
    ("magic-1", b"\x01\x00\x00\x00\x01\x02a"),
    ("too-short", b"\x00\x00\x01"),
    ("empty", b""),
    ("unknown-id", wire(987654321, b"\x02a")),
]


@pytest.mark.parametrize("payload", [p[1] for p in BAD_PAYLOADS], ids=[p[0] for p in BAD_PAYLOADS])
def test_v2_undecodable_value_position_stays(env, new_topic, kafka_bootstrap, payload):
    t = new_topic()
    vser = serializer(env, USER)
    produce_many(kafka_bootstrap, t, [
        {"value": serialize(vser, t, {"username": "before"})},
        {"value": payload},
        {"value": serialize(vser, t, {"username": "after"})},
    ])
    c = create_consumer(env.k, body={"format": "avro", "auto.offset.reset": "earliest"})
    c.subscribe([t])
    got, r = _read_until_error(c)
    assert [(x["offset"], x["value"]) for x in got] == [(0, {"username": "before"})], got
    assert_deser_error(r, t, 0, 1)
    # the position did not move past it
    for _ in range(2):
        assert_deser_error(c.records(timeout=500, accept=AVRO2, raw=True), t, 0, 1)
    # seeking past it on purpose gives the next record
    c.seek(t, 0, 2)
    got = read_records(c, 1)
    assert [(x["offset"], x["value"]) for x in got] == [(2, {"username": "after"})], got


def test_v2_undecodable_key(env, new_topic, kafka_bootstrap):
    t = new_topic()
    vser = serializer(env, USER)
    produce_many(kafka_bootstrap, t, [
        {"key": b"raw key", "value": serialize(vser, t, {"username": "k"})},
        {"value": serialize(vser, t, {"username": "next"})},
    ])
    c = create_consumer(env.k, body={"format": "avro", "auto.offset.reset": "earliest"})
    c.assign(t, [0])
    got, r = _read_until_error(c)
    assert got == []
    assert_deser_error(r, t, 0, 0)
    assert_deser_error(c.records(timeout=500, accept=AVRO2, raw=True), t, 0, 0)
    c.seek(t, 0, 1)
    assert [x["value"] for x in read_records(c, 1)] == [{"username": "next"}]


def test_v2_datum_that_does_not_fit_its_schema(env, new_topic, kafka_bootstrap):
    """A registered id but a truncated datum (a string length past the end)."""
    t = new_topic()
    sid = env.reg.register(f"{t}-value", USER)
    produce_many(kafka_bootstrap, t, [{"value": wire(sid, b"\x40ab")}, {"value": wire(sid, b"\x02z")}])
    c = create_consumer(env.k, body={"format": "avro", "auto.offset.reset": "earliest"})
    c.assign(t, [0])
    got, r = _read_until_error(c)
    assert got == []
    assert_deser_error(r, t, 0, 0)
    c.seek(t, 0, 1)
    assert [x["value"] for x in read_records(c, 1)] == [{"username": "z"}]


def test_v1_undecodable_record(env, new_topic, kafka_bootstrap):
    t = new_topic()
    vser = serializer(env, USER)
    produce_many(kafka_bootstrap, t, [
        {"value": serialize(vser, t, {"username": "a"})},
        {"value": b"garbage"},
    ])
    c = create_consumer(env.k, body={"format": "avro", "auto.offset.reset": "smallest"}, ctype=V1)
    got, r = _read_until_error(c, accept=AVRO1, path=f"/topics/{t}")
    assert got == [{"key": None, "value": {"username": "a"}, "partition": 0, "offset": 0}], got
    assert_deser_error(r, t, 0, 1)
    r = c.req("GET", f"/topics/{t}", headers={"Accept": AVRO1}, timeout=30)
    assert_deser_error(r, t, 0, 1)


def test_krest_alive_after_bad_records(env):
    """Every bad input above was an answer, never a crash (the teardown checks the exit code)."""
    assert env.k.proc.poll() is None
    assert env.k.get("/").status_code == 200


# --------------------------------------------------------------------------------------------


def murmur2(data):
    """Kafka's Utils.murmur2 (seed 0x9747b28c), unsigned 32-bit."""
    m = 0x5BD1E995
    n = len(data)
    h = (0x9747B28C ^ n) & 0xFFFFFFFF
    for i in range(n // 4):
        k = int.from_bytes(data[4 * i : 4 * i + 4], "little")
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> 24
        k = (k * m) & 0xFFFFFFFF
        h = (h * m) & 0xFFFFFFFF
        h ^= k
    tail = n & ~3
    rem = n % 4
    if rem == 3:
        h ^= data[tail + 2] << 16
    if rem >= 2:
        h ^= data[tail + 1] << 8
    if rem >= 1:
        h ^= data[tail]
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return h


def java_partition(key, n):
    return (murmur2(key) & 0x7FFFFFFF) % n
