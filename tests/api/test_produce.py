"""Produce, the accepted paths: POST /topics/{t} and /topics/{t}/partitions/{p}, binary and json,
v2 and v1 (issue 4; API.md section K, §1.3, §1.5, §2.3). What reached Kafka is read back with an
independent consumer (confluent-kafka) and compared byte for byte, partition and offset."""

import gzip
import json
import time

import pytest

from conftest import (
    BIN1,
    BIN2,
    JSON1,
    JSON2,
    V1,
    V2,
    assert_produced,
    b64,
    create_topic,
    delete_topics,
    end_offsets,
    media_type,
    post_records,
    read_topic,
    topic_meta,
    wait_until,
)

NODE_ACCEPT = "application/vnd.kafka.v1+json, application/vnd.kafka+json; q=0.9, application/json; q=0.8"


def by_pos(recs):
    return {(r.partition, r.offset): r for r in recs}


# --- murmur2, the Java client's partitioner -------------------------------------------------


def murmur2(data):
    """Kafka's org.apache.kafka.common.utils.Utils.murmur2 (seed 0x9747b28c), as an unsigned
    32-bit int."""
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
    """Where the Java client's default partitioner puts a record with this key."""
    return (murmur2(key) & 0x7FFFFFFF) % n


def test_murmur2_reference_vectors():
    # Kafka's UtilsTest.testMurmur2 (signed Java ints).
    cases = {
        b"21": -973932308,
        b"foobar": -790332482,
        b"a-little-bit-long-string": -985981536,
        b"a-little-bit-longer-string": -1486304829,
        b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
        b"abc": 479470107,
    }
    for data, want in cases.items():
        assert murmur2(data) == want & 0xFFFFFFFF, data


# --- binary, v2 -----------------------------------------------------------------------------


def test_binary_v2_explicit_partitions_roundtrip(krest, new_topic):
    t = new_topic(partitions=3)
    body = {
        "records": [
            {"key": b64(b"k1"), "value": b64(b"v1"), "partition": 2},
            {"value": b64(b"v2"), "partition": 0},
            {"key": None, "value": None, "partition": 1},
            {"key": b64(b"k4"), "value": b64(b"v4"), "partition": 2},
        ]
    }
    r = post_records(krest, t, body)
    assert assert_produced(r, 4) == [(2, 0), (0, 0), (1, 0), (2, 1)]
    assert r.json()["offsets"][0] == {"partition": 2, "offset": 0, "error_code": None, "error": None}
    got = by_pos(read_topic(t))
    assert len(got) == 4, got
    assert (got[(2, 0)].key, got[(2, 0)].value) == (b"k1", b"v1")
    assert (got[(0, 0)].key, got[(0, 0)].value) == (None, b"v2")
    assert (got[(1, 0)].key, got[(1, 0)].value) == (None, None)  # a tombstone
    assert (got[(2, 1)].key, got[(2, 1)].value) == (b"k4", b"v4")
    for rec in got.values():
        assert rec.headers is None, rec


def test_offsets_consecutive_across_requests(krest, new_topic):
    t = new_topic()
    r1 = post_records(krest, t, {"records": [{"value": b64(b"a")}, {"value": b64(b"b")}]})
    r2 = post_records(krest, t, {"records": [{"value": b64(b"c")}, {"value": b64(b"d")}]})
    assert assert_produced(r1, 2) == [(0, 0), (0, 1)]
    assert assert_produced(r2, 2) == [(0, 2), (0, 3)]
    assert [r.value for r in read_topic(t)] == [b"a", b"b", b"c", b"d"]


def test_no_key_no_partition_lands_where_reported(krest, new_topic):
    t = new_topic(partitions=3)
    values = [f"nokey-{i}".encode() for i in range(30)]
    r = post_records(krest, t, {"records": [{"value": b64(v)} for v in values]})
    pos = assert_produced(r, 30)
    assert len(set(pos)) == 30
    assert all(0 <= p < 3 for p, _ in pos)
    got = by_pos(read_topic(t))
    assert len(got) == 30
    for (p, o), v in zip(pos, values):
        assert got[(p, o)].value == v and got[(p, o)].key is None, (p, o, got[(p, o)])


def test_key_partitioning_matches_java_client(krest, new_topic):
    t = new_topic(partitions=6)
    keys = [f"key-{i}".encode() for i in range(40)]
    keys += [b"\x00", b"\xff\xfe\xfd", b"a" * 7, bytes(range(256)), "clé-ü".encode(), b"user:42"]
    keys += [f"order-{i * 7919}".encode() for i in range(10)]
    records = [{"key": b64(k), "value": b64(b"v-" + k)} for k in keys]
    body = json.dumps({"records": records})
    # a key written with JSON escapes is hashed on the decoded bytes: "S2Fma2E=" is b"Kafka"
    keys.append(b"Kafka")
    body = body[:-2] + ', {"key": "S2Fm\\u0061\\u0032E=", "value": "%s"}]}' % b64(b"v-Kafka")
    pos = assert_produced(post_records(krest, t, body), len(keys))
    want = [java_partition(k, 6) for k in keys]
    assert len(set(want)) == 6  # the keys do spread over every partition
    wrong = [(k, p, w) for k, (p, _), w in zip(keys, pos, want) if p != w]
    assert not wrong, f"(key, krest's partition, Java's partition): {wrong[:10]}"
    got = by_pos(read_topic(t))
    assert len(got) == len(keys)
    for k, (p, o) in zip(keys, pos):
        assert (got[(p, o)].key, got[(p, o)].value) == (k, b"v-" + k)


def test_key_partitioning_same_key_same_partition_across_requests(krest, new_topic):
    t = new_topic(partitions=6)
    key = b"sticky-key"
    seen = set()
    for i in range(3):
        r = post_records(krest, t, {"records": [{"key": b64(key), "value": b64(b"%d" % i)}]})
        seen.add(assert_produced(r, 1)[0][0])
    assert seen == {java_partition(key, 6)}


def test_empty_key_is_hashed_like_java(krest, new_topic):
    # An empty key is a key (Java hashes the 0 bytes); it is stored empty, not null.
    t = new_topic(partitions=6)
    r = post_records(krest, t, {"records": [{"key": "", "value": b64(b"x")}]})
    [(p, o)] = assert_produced(r, 1)
    assert p == java_partition(b"", 6)
    [rec] = read_topic(t)
    assert rec.key == b"" and rec.value == b"x", rec


def test_explicit_partition_beats_key(krest, new_topic):
    t = new_topic(partitions=6)
    key = b"key-0"
    target = (java_partition(key, 6) + 1) % 6
    r = post_records(krest, t, {"records": [{"key": b64(key), "value": "", "partition": target}]})
    assert assert_produced(r, 1) == [(target, 0)]


def test_empty_value_is_empty_bytes_not_null(krest, new_topic):
    t = new_topic()
    r = post_records(krest, t, {"records": [{"value": ""}, {"key": "", "value": None}]})
    assert assert_produced(r, 2) == [(0, 0), (0, 1)]
    a, b = read_topic(t)
    assert a.value == b"" and a.key is None, a
    assert b.key == b"" and b.value is None, b


def test_all_byte_values_roundtrip(krest, new_topic):
    t = new_topic()
    blobs = [bytes(range(256)), bytes(range(255, -1, -1)) * 3, b"\x00" * 17, b"\xff", b"\x00\x01"]
    records = [{"key": b64(b), "value": b64(b[::-1] + b"!")} for b in blobs]
    assert_produced(post_records(krest, t, {"records": records}), len(blobs))
    got = read_topic(t)
    assert [(r.key, r.value) for r in got] == [(b, b[::-1] + b"!") for b in blobs]


def test_thousand_records_one_request(krest, new_topic):
    t = new_topic()
    # something before, so the offsets do not start at 0
    assert_produced(post_records(krest, t, {"records": [{"value": b64(b"first")}]}), 1)
    values = [f"rec-{i:04d}".encode() for i in range(1000)]
    r = post_records(krest, t, {"records": [{"value": b64(v)} for v in values]})
    assert assert_produced(r, 1000) == [(0, 1 + i) for i in range(1000)]
    got = read_topic(t, start={0: 1})
    assert [(r.offset, r.value) for r in got] == [(1 + i, v) for i, v in enumerate(values)]


def test_headers_and_timestamp(krest, new_topic):
    t = new_topic()
    ts = int(time.time() * 1000) - 3_600_000
    rec = {
        "value": b64(b"with-headers"),
        "headers": [
            {"name": "h1", "value": b64(b"one")},
            {"key": "h2", "value": b64(bytes(range(256)))},
            {"name": "h1", "value": b64(b"again")},
            {"name": "nul", "value": None},
            {"name": "empty", "value": ""},
        ],
        "timestamp": ts,
    }
    r = post_records(krest, t, {"records": [rec, {"value": b64(b"plain"), "headers": []}]})
    assert assert_produced(r, 2) == [(0, 0), (0, 1)]
    a, b = read_topic(t)
    assert a.headers == [
        ("h1", b"one"),
        ("h2", bytes(range(256))),
        ("h1", b"again"),
        ("nul", None),
        ("empty", b""),
    ], a
    assert a.timestamp == (1, ts), a  # (TIMESTAMP_CREATE_TIME, ms)
    assert b.headers in (None, []), b


def test_mixed_records_keep_order_and_fields(krest, new_topic):
    """Plain records go to librdkafka in runs (produce_batch, 128 at most), records with headers
    or a timestamp one at a time: a request mixing them keeps its order within each partition,
    and every record its key, partition, headers and timestamp."""
    t = new_topic(partitions=3)
    ts = int(time.time() * 1000) - 7_200_000
    recs, want = [], []
    for i in range(300):
        rec = {"value": b64(f"v{i}".encode())}
        if i % 7 == 3:
            rec["headers"] = [{"name": "i", "value": b64(str(i).encode())}]
        if i % 11 == 5:
            rec["timestamp"] = ts + i
        if i % 5 == 0:
            rec["partition"] = i % 3
        elif i % 5 == 1:
            rec["key"] = b64(f"k{i}".encode())
        recs.append(rec)
    r = post_records(krest, t, {"records": recs})
    pos = assert_produced(r, 300)
    got = by_pos(read_topic(t))
    assert len(got) == 300
    last = {}
    for i, (p, o) in enumerate(pos):
        rec, g = recs[i], got[(p, o)]
        assert g.value == f"v{i}".encode(), (i, g)
        assert o > last.get(p, -1), ("order within a partition", i, p, o)
        last[p] = o
        if "partition" in rec:
            assert p == rec["partition"], (i, p)
        if "key" in rec:
            assert g.key == f"k{i}".encode() and p == java_partition(g.key, 3), (i, p)
        else:
            assert g.key is None, (i, g)
        if "headers" in rec:
            assert g.headers == [("i", str(i).encode())], (i, g)
        else:
            assert g.headers in (None, []), (i, g)
        if "timestamp" in rec:
            assert g.timestamp == (1, ts + i), (i, g)
        else:
            assert abs(g.timestamp[1] - time.time() * 1000) < 120_000, (i, g)


def test_default_timestamp_is_now(krest, new_topic):
    t = new_topic()
    before = int(time.time() * 1000)
    assert_produced(post_records(krest, t, {"records": [{"value": b64(b"x")}]}), 1)
    after = int(time.time() * 1000)
    [rec] = read_topic(t)
    kind, ms = rec.timestamp
    assert kind == 1, rec
    assert before - 2000 <= ms <= after + 2000, (before, ms, after)


def test_headers_json_format_and_v1(krest, new_topic):
    t = new_topic()
    body = {"records": [{"value": {"a": 1}, "headers": [{"name": "h", "value": b64(b"\x00x")}], "timestamp": 1700000000000}]}
    assert_produced(post_records(krest, t, body, ctype=JSON2), 1)
    body["records"][0]["value"] = b64(b"bin-v1")
    assert_produced(post_records(krest, t, body, ctype=BIN1), 1, version=V1)
    a, b = read_topic(t)
    assert (a.value, a.headers, a.timestamp) == (b'{"a":1}', [("h", b"\x00x")], (1, 1700000000000))
    assert (b.value, b.headers, b.timestamp) == (b"bin-v1", [("h", b"\x00x")], (1, 1700000000000))


def test_schema_fields_accepted_and_ignored(krest, new_topic):
    t = new_topic()
    schema = '{"type":"string"}'
    for ctype, value, stored in [(BIN2, b64(b"bin"), b"bin"), (JSON2, "json", b'"json"')]:
        body = {
            "key_schema": schema,
            "value_schema": schema,
            "key_schema_id": 1,
            "value_schema_id": 2,
            "records": [{"value": value}],
        }
        r = post_records(krest, t, body, ctype=ctype)
        assert_produced(r, 1)  # key_schema_id/value_schema_id stay null
        body = {"key_schema": None, "value_schema_id": None, "records": [{"value": value}]}
        assert_produced(post_records(krest, t, body, ctype=ctype), 1)
    assert [r.value for r in read_topic(t)] == [b"bin", b"bin", b'"json"', b'"json"']


def test_null_optional_fields_are_absent(krest, new_topic):
    t = new_topic(partitions=3)
    body = {
        "records": [
            {"key": None, "value": b64(b"a"), "partition": None, "headers": None, "timestamp": None}
        ]
    }
    [(p, o)] = assert_produced(post_records(krest, t, body), 1)
    assert 0 <= p < 3
    rec = by_pos(read_topic(t))[(p, o)]
    assert rec.value == b"a" and rec.key is None and rec.headers is None


def test_gzip_request_body(krest, new_topic):
    t = new_topic()
    values = [b"gz-%d" % i + b"x" * 100 for i in range(50)]
    raw = json.dumps({"records": [{"value": b64(v)} for v in values]}).encode()
    r = krest.post(
        f"/topics/{t}",
        data=gzip.compress(raw),
        headers={"Content-Type": BIN2, "Content-Encoding": "gzip"},
        timeout=30,
    )
    assert assert_produced(r, 50) == [(0, i) for i in range(50)]
    assert [x.value for x in read_topic(t)] == values


# --- content types and versions -------------------------------------------------------------

ACCEPTED_BINARY_TYPES = [
    (BIN2, V2),
    ("application/vnd.kafka.v2+json", V2),
    (BIN1, V1),
    ("application/vnd.kafka.v1+json", V1),
    ("application/vnd.kafka+json", V2),
    ("application/json", V2),
    ("application/octet-stream", V2),
    (BIN2 + "; charset=utf-8", V2),
]


@pytest.mark.parametrize("ctype,version", ACCEPTED_BINARY_TYPES)
def test_binary_content_types(krest, new_topic, ctype, version):
    t = new_topic()
    body = {"records": [{"key": b64(b"k"), "value": b64(b"Kafka")}]}
    r = post_records(krest, t, body, ctype=ctype, headers={"Accept": "*/*"})
    assert assert_produced(r, 1, version=version) == [(0, 0)]
    [rec] = read_topic(t)
    # these types all mean binary: the base64 is decoded
    assert (rec.key, rec.value) == (b"k", b"Kafka")


@pytest.mark.parametrize("ctype", ["application/vnd.kafka+json", "application/json", "application/octet-stream"])
def test_generic_types_v1_when_accept_says_v1(krest, new_topic, ctype):
    t = new_topic()
    body = {"records": [{"value": b64(b"Kafka")}]}
    r = post_records(krest, t, body, ctype=ctype, headers={"Accept": V1})
    assert assert_produced(r, 1, version=V1) == [(0, 0)]
    r = post_records(krest, t, body, ctype=ctype, headers={"Accept": NODE_ACCEPT})
    assert assert_produced(r, 1, version=V1) == [(0, 1)]
    assert [x.value for x in read_topic(t)] == [b"Kafka", b"Kafka"]


def test_v1_seed_walkthrough_body(krest, new_topic):
    t = new_topic()
    r = krest.post(
        f"/topics/{t}",
        data='{"records":[{"value":"S2Fma2E="}]}',
        headers={"Content-Type": BIN1},
    )
    assert r.status_code == 200, r.text
    assert media_type(r) == V1
    assert r.json() == {
        "key_schema_id": None,
        "value_schema_id": None,
        "offsets": [{"partition": 0, "offset": 0, "error_code": None, "error": None}],
    }
    [rec] = read_topic(t)
    assert (rec.key, rec.value) == (None, b"Kafka")


def test_node_client_style_partition_null(krest, new_topic):
    t = new_topic(partitions=2)
    body = '{"records":[{"key":null,"value":"aGVsbG8=","partition":null},{"value":"d29ybGQ=","partition":null}]}'
    r = post_records(krest, t, body, ctype=BIN1, headers={"Accept": NODE_ACCEPT})
    pos = assert_produced(r, 2, version=V1)
    got = by_pos(read_topic(t))
    assert [got[p].value for p in pos] == [b"hello", b"world"]


# --- partition endpoint ---------------------------------------------------------------------


def test_partition_endpoint_v2(krest, new_topic):
    t = new_topic(partitions=3)
    body = {
        "records": [
            {"key": b64(b"a"), "value": b64(b"to-path")},
            {"value": b64(b"also-path")},
            {"value": b64(b"override"), "partition": 2},  # v2: a record's partition wins
            {"value": b64(b"null-part"), "partition": None},
        ]
    }
    r = post_records(krest, t, body, partition=1)
    assert assert_produced(r, 4) == [(1, 0), (1, 1), (2, 0), (1, 2)]
    got = by_pos(read_topic(t))
    assert len(got) == 4
    assert got[(1, 0)].key == b"a" and got[(1, 0)].value == b"to-path"
    assert got[(1, 1)].value == b"also-path"
    assert got[(2, 0)].value == b"override"
    assert got[(1, 2)].value == b"null-part"


def test_partition_endpoint_v1(krest, new_topic):
    t = new_topic(partitions=3)
    body = {"records": [{"key": b64(b"a"), "value": b64(b"p2")}, {"value": b64(b"p2b")}]}
    r = post_records(krest, t, body, ctype=BIN1, partition=2)
    assert assert_produced(r, 2, version=V1) == [(2, 0), (2, 1)]
    r = post_records(krest, t, {"records": [{"value": {"j": 1}}]}, ctype=JSON1, partition=0)
    assert assert_produced(r, 1, version=V1) == [(0, 0)]
    got = by_pos(read_topic(t))
    assert (got[(2, 0)].key, got[(2, 0)].value, got[(2, 1)].value) == (b"a", b"p2", b"p2b")
    assert got[(0, 0)].value == b'{"j":1}'


def test_partition_endpoint_json_v2(krest, new_topic):
    t = new_topic(partitions=2)
    r = post_records(krest, t, {"records": [{"key": "k", "value": [1, 2]}]}, ctype=JSON2, partition=1)
    assert assert_produced(r, 1) == [(1, 0)]
    [rec] = read_topic(t)
    assert (rec.partition, rec.key, rec.value) == (1, b'"k"', b"[1,2]")


# --- json embedded format -------------------------------------------------------------------

# (JSON text as the client writes it, the bytes Kafka must hold)
JSON_STORED = [
    ('{ "a" : 1 ,\n "b" : [ true , false , null ] }', b'{"a":1,"b":[true,false,null]}'),
    ('"hello"', b'"hello"'),
    ('"S2Fma2E="', b'"S2Fma2E="'),  # json is not base64-decoded
    ("42", b"42"),
    ("1.50", b"1.50"),
    ("1e3", b"1e3"),
    ("-1.5E-7", b"-1.5E-7"),
    ("-0", b"-0"),
    ("0.1000", b"0.1000"),
    ("true", b"true"),
    ("false", b"false"),
    ("[]", b"[]"),
    ("{}", b"{}"),
    ('"http://x/y"', b'"http://x/y"'),
    ('"a\\/b"', b'"a/b"'),
    ('"é"', '"é"'.encode()),
    ('"\\u00e9"', '"é"'.encode()),
    ('"\\ud83d\\ude00"', '"\U0001F600"'.encode()),
    ('"日本"', '"日本"'.encode()),
    ('"q\\"b\\\\s\\n\\t"', b'"q\\"b\\\\s\\n\\t"'),
    ("18446744073709551615", b"18446744073709551615"),
    ("-9223372036854775808", b"-9223372036854775808"),
    ("9223372036854775807", b"9223372036854775807"),
    ('{"nested":{"deep":[1,{"x":"y"}],"n":-12.0e+2}}', b'{"nested":{"deep":[1,{"x":"y"}],"n":-12.0e+2}}'),
]


@pytest.fixture(scope="module")
def json_topic(admin):
    name = create_topic(admin)
    yield name
    delete_topics(admin, [name])


@pytest.mark.parametrize("text,stored", JSON_STORED, ids=[t for t, _ in JSON_STORED])
def test_json_stored_bytes(krest, json_topic, text, stored):
    body = '{"records":[{"value":%s}]}' % text
    r = post_records(krest, json_topic, body.encode(), ctype=JSON2)
    [(p, o)] = assert_produced(r, 1)
    rec = read_topic(json_topic, start={0: o})[0]
    assert rec.offset == o
    assert rec.value == stored


def test_json_keys_stored_and_partitioned(krest, new_topic):
    t = new_topic(partitions=6)
    # (JSON text of the key, stored bytes)
    keys = [('"k"', b'"k"')] + [('"user-%d"' % i, b'"user-%d"' % i) for i in range(15)]
    keys += [("42", b"42"), ('{"id": 7, "r": "eu/w"}', b'{"id":7,"r":"eu/w"}'), ("[1, 2]", b"[1,2]")]
    # hashed on the stored (normalised) bytes, not on the text as sent
    keys += [('"a\\/b"', b'"a/b"'), ('"\\u00e9t\\u00e9"', '"été"'.encode()), ("1.50", b"1.50")]
    items = ",".join('{"key":%s,"value":{"n":%d}}' % (k, i) for i, (k, _) in enumerate(keys))
    r = post_records(krest, t, '{"records":[' + items + "]}", ctype=JSON2)
    pos = assert_produced(r, len(keys))
    wrong = [(text, p, java_partition(b, 6)) for (text, b), (p, _) in zip(keys, pos) if p != java_partition(b, 6)]
    assert not wrong, f"(key, krest's partition, Java's partition): {wrong}"
    got = by_pos(read_topic(t))
    for i, ((_, kb), p) in enumerate(zip(keys, pos)):
        assert got[p].key == kb and got[p].value == b'{"n":%d}' % i, got[p]


def test_json_null_key_and_value(krest, new_topic):
    t = new_topic()
    r = post_records(krest, t, {"records": [{"key": None, "value": None}, {"value": "x"}, {"key": "k"}]}, ctype=JSON2)
    assert assert_produced(r, 3) == [(0, 0), (0, 1), (0, 2)]
    a, b, c = read_topic(t)
    assert (a.key, a.value) == (None, None)
    assert (b.key, b.value) == (None, b'"x"')
    assert (c.key, c.value) == (b'"k"', None)


def nested(depth):
    """A JSON value nested `depth` levels deep (arrays and objects alternating)."""
    text = "1"
    for i in range(depth):
        text = "[%s]" % text if i % 2 == 0 else '{"a":%s}' % text
    return text


def test_json_depth_64_accepted(krest, new_topic):
    t = new_topic()
    body = '{"records":[{"key":%s,"value":%s}]}' % (nested(64), nested(64))
    assert_produced(post_records(krest, t, body, ctype=JSON2), 1)
    [rec] = read_topic(t)
    assert rec.value == nested(64).encode() and rec.key == nested(64).encode()


def test_json_v1(krest, new_topic):
    t = new_topic()
    body = '{"records":[{"key":"k1","value":{"x": [1, 2.50, "a/b"]}},{"value":null}]}'
    r = post_records(krest, t, body, ctype=JSON1)
    assert assert_produced(r, 2, version=V1) == [(0, 0), (0, 1)]
    a, b = read_topic(t)
    assert (a.key, a.value) == (b'"k1"', b'{"x":[1,2.50,"a/b"]}')
    assert (b.key, b.value) == (None, None)


def test_json_large_request(krest, new_topic):
    t = new_topic()
    records = [{"key": i, "value": {"i": i, "s": "x" * 50}} for i in range(500)]
    r = post_records(krest, t, {"records": records}, ctype=JSON2)
    assert assert_produced(r, 500) == [(0, i) for i in range(500)]
    got = read_topic(t)
    assert [(x.key, json.loads(x.value)) for x in got] == [(str(i).encode(), {"i": i, "s": "x" * 50}) for i in range(500)]


# --- after all that -------------------------------------------------------------------------


def test_topic_end_offsets_match_responses(krest, new_topic):
    # The response is sent after Kafka acknowledged (acks=all): the end offset already counts
    # every record when the 200 arrives.
    t = new_topic(partitions=2)
    for i in range(5):
        r = post_records(krest, t, {"records": [{"value": b64(b"%d" % i), "partition": i % 2}]})
        [(p, o)] = assert_produced(r, 1)
        assert end_offsets(t)[p] == o + 1


# --- JSON syntax the decoder must understand ------------------------------------------------


def test_base64_strings_with_json_escapes(krest, new_topic):
    # A base64 string is a JSON string: escapes are decoded before the base64 is.
    t = new_topic()
    body = (
        '{"records":['
        '{"value":"\\u0059Q=="},'  # "YQ==" -> a
        '{"value":"YQ\\u003d\\u003d"},'  # "YQ==" -> a
        '{"value":"\\/\\/\\/\\/"},'  # "////" -> ff ff ff
        '{"key":"S2Fm\\u0061\\u0032E=","value":"a\\u002bb/"}'  # "S2Fma2E=", "a+b/"
        "]}"
    )
    r = post_records(krest, t, body)
    assert assert_produced(r, 4) == [(0, i) for i in range(4)]
    got = read_topic(t)
    assert [(x.key, x.value) for x in got] == [
        (None, b"a"),
        (None, b"a"),
        (None, b"\xff\xff\xff"),
        (b"Kafka", bytes.fromhex("6be6ff")),
    ]


def test_field_order_whitespace_and_escaped_names(krest, new_topic):
    t = new_topic(partitions=2)
    body = (
        ' \r\n\t{ "value_schema_id" : null ,\n'
        '  "rec\\u006frds" : [\n'
        '    { "partition" : 1 , "value" : "djE=" , "key" : "azE=" } ,\n'
        '    {"val\\u0075e":"djI=","p\\u0061rtition":0}\n'
        "  ]\n} \n"
    )
    r = post_records(krest, t, body)
    assert assert_produced(r, 2) == [(1, 0), (0, 0)]
    got = by_pos(read_topic(t))
    assert (got[(1, 0)].key, got[(1, 0)].value) == (b"k1", b"v1")
    assert (got[(0, 0)].key, got[(0, 0)].value) == (None, b"v2")


# --- more transports and shapes -------------------------------------------------------------


def test_chunked_request_body(krest, new_topic):
    t = new_topic()
    raw = json.dumps({"records": [{"value": b64(b"chunk-%d" % i)} for i in range(200)]}).encode()

    def chunks():
        for i in range(0, len(raw), 1000):
            yield raw[i : i + 1000]

    r = krest.post(f"/topics/{t}", data=chunks(), headers={"Content-Type": BIN2}, timeout=30)
    assert r.request.headers.get("Transfer-Encoding") == "chunked"
    assert assert_produced(r, 200) == [(0, i) for i in range(200)]
    assert [x.value for x in read_topic(t)] == [b"chunk-%d" % i for i in range(200)]


def test_large_single_record(krest, new_topic):
    # under the producer's default message.max.bytes (1000000) and the broker's limit
    t = new_topic()
    value = bytes(range(256)) * 3500  # 896000 bytes
    r = post_records(krest, t, {"records": [{"key": b64(b"big"), "value": b64(value)}]})
    assert assert_produced(r, 1) == [(0, 0)]
    [rec] = read_topic(t)
    assert rec.key == b"big" and rec.value == value


def test_media_type_case_insensitive(krest, new_topic):
    t = new_topic()
    r = post_records(krest, t, {"records": [{"value": b64(b"x")}]}, ctype="Application/Vnd.Kafka.Binary.V2+JSON")
    assert assert_produced(r, 1) == [(0, 0)]


def test_v1_topic_endpoint_explicit_partition(krest, new_topic):
    t = new_topic(partitions=3)
    body = {"records": [{"value": b64(b"p2"), "partition": 2}, {"value": b64(b"p0"), "partition": 0}]}
    assert assert_produced(post_records(krest, t, body, ctype=BIN1), 2, version=V1) == [(2, 0), (0, 0)]
    body = {"records": [{"value": [1], "partition": 1}]}
    assert assert_produced(post_records(krest, t, body, ctype=JSON1), 1, version=V1) == [(1, 0)]


def test_header_names_utf8(krest, new_topic):
    t = new_topic()
    body = '{"records":[{"value":"eA==","headers":[{"name":"ключ","value":"eQ=="},{"key":"\\u00e9t\\u00e9","value":null}]}]}'
    assert_produced(post_records(krest, t, body), 1)
    [rec] = read_topic(t)
    assert rec.headers == [("ключ", b"y"), ("été", None)], rec


def test_partitions_added_after_metadata_cached(krest, admin, new_topic):
    # Not spelled out in section K; the analogue of "a topic missing from cached metadata
    # triggers one forced refresh": a partition that exists must not be answered 40402.
    from confluent_kafka.admin import NewPartitions

    t = new_topic(partitions=1)
    assert_produced(post_records(krest, t, {"records": [{"value": b64(b"a")}]}), 1)
    admin.create_partitions([NewPartitions(t, 3)])[t].result(timeout=20)
    assert wait_until(lambda: len(topic_meta(admin, t).partitions) == 3, 10)
    r = post_records(krest, t, {"records": [{"value": b64(b"b"), "partition": 2}]})
    assert assert_produced(r, 1) == [(2, 0)]
    r = post_records(krest, t, {"records": [{"value": b64(b"c")}]}, partition=1)
    assert assert_produced(r, 1) == [(1, 0)]
