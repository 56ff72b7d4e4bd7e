"""Produce, the rejected requests (issue 4 point 4; API.md section K rows "unparsable JSON",
"well-formed JSON with a bad value", "unknown field", "known fields", "record larger than
message.max.bytes", "json embedded format"; §4.2). Each rejection is checked for its exact status,
error_code and (where the contract names it) message, and for nothing of the request having
reached Kafka."""

import gzip
import json
import time
import zlib

import pytest

from conftest import (
    BIN1,
    BIN2,
    JSON1,
    JSON2,
    V1,
    V2,
    KrestFactory,
    assert_error,
    assert_produced,
    b64,
    create_topic,
    delete_topics,
    end_offsets,
    media_type,
    post_records,
    produce_path,
    read_topic,
    topic_names,
    unique_topic,
)

MARKER = b"marker-after-rejection"


@pytest.fixture(scope="module")
def topic(admin):
    """One 1-partition topic shared by the rejection cases: each case only looks at what its
    own request changed."""
    name = create_topic(admin)
    yield name
    delete_topics(admin, [name])


def assert_nothing_produced(k, topic, before):
    """Nothing of a rejected request reached Kafka. A marker record produced afterwards through
    the same krest (one producer, one partition, so in order) lands exactly at the end offset
    from before the rejected request, and it is the only new record."""
    r = post_records(k, topic, {"records": [{"value": b64(MARKER), "partition": 0}]})
    assert assert_produced(r, 1) == [(0, before[0])], (
        f"a rejected request produced {r.json()['offsets'][0]['offset'] - before[0]} record(s)"
    )
    after = end_offsets(topic)
    assert after == {0: before[0] + 1}, (before, after)
    [rec] = read_topic(topic, start=before)
    assert rec.value == MARKER, rec


def rejected(k, topic, body, ctype, status, code, partition=None, headers=None):
    before = end_offsets(topic)
    r = post_records(k, topic, body, ctype=ctype, partition=partition, headers=headers)
    err = assert_error(r, status, code)
    assert_nothing_produced(k, topic, before)
    return r, err


V2_400_V1_422 = ((400, 400), (422, 422))
BOTH_422 = ((422, 422), (422, 422))
BOTH_400 = ((400, 400), (400, 400))

OK = '{"value":"YQ=="}'  # a valid record, so a bad one is never the first


def recs(*items):
    return '{"records":[' + ",".join(items) + "]}"


# (id, body, ((v2 status, code), (v1 status, code)), substring of the message or None)
BINARY_BAD = [
    ("broken-json", '{\n  "records": [\n    {"value": "YQ==",}\n  ]\n}', BOTH_400, "line 3"),
    ("truncated-json", '{"records":[{"value":"YQ=="}', BOTH_400, "line 1"),
    ("single-quotes", "{'records':[{'value':'YQ=='}]}", BOTH_400, "line 1"),
    ("trailing-garbage", recs(OK) + " x", BOTH_400, "line 1"),
    ("body-array", "[" + OK + "]", V2_400_V1_422, None),
    ("body-string", '"records"', V2_400_V1_422, None),
    ("body-number", "42", V2_400_V1_422, None),
    ("records-object", '{"records":' + OK + "}", V2_400_V1_422, "records"),
    ("records-string", '{"records":"YQ=="}', V2_400_V1_422, "records"),
    ("record-string", recs(OK, '"YQ=="'), V2_400_V1_422, "records[1]"),
    ("record-array", recs(OK, "[]"), V2_400_V1_422, "records[1]"),
    ("record-null", recs(OK, "null"), V2_400_V1_422, "records[1]"),
    ("record-number", recs(OK, "7"), V2_400_V1_422, "records[1]"),
    ("key-number", recs(OK, '{"key":1,"value":"YQ=="}'), V2_400_V1_422, "records[1].key"),
    ("key-object", recs(OK, '{"key":{},"value":"YQ=="}'), V2_400_V1_422, "records[1].key"),
    ("value-object", recs(OK, '{"value":{"a":1}}'), V2_400_V1_422, "records[1].value"),
    ("value-array", recs(OK, '{"value":["YQ=="]}'), V2_400_V1_422, "records[1].value"),
    ("value-bool", recs(OK, '{"value":true}'), V2_400_V1_422, "records[1].value"),
    ("partition-string", recs(OK, '{"value":"YQ==","partition":"0"}'), V2_400_V1_422, "records[1].partition"),
    ("partition-float", recs(OK, '{"value":"YQ==","partition":0.5}'), V2_400_V1_422, "records[1].partition"),
    ("partition-bool", recs(OK, '{"value":"YQ==","partition":false}'), V2_400_V1_422, "records[1].partition"),
    ("partition-array", recs(OK, '{"value":"YQ==","partition":[0]}'), V2_400_V1_422, "records[1].partition"),
    ("headers-object", recs(OK, '{"value":"YQ==","headers":{"h":"YQ=="}}'), V2_400_V1_422, "records[1].headers"),
    ("header-string", recs(OK, '{"value":"YQ==","headers":["h"]}'), V2_400_V1_422, "records[1].headers"),
    ("header-value-number", recs(OK, '{"value":"YQ==","headers":[{"name":"h","value":1}]}'), V2_400_V1_422, "records[1].headers"),
    ("header-value-base64", recs(OK, '{"value":"YQ==","headers":[{"name":"h","value":"YQ="}]}'), V2_400_V1_422, "records[1].headers"),
    ("timestamp-string", recs(OK, '{"value":"YQ==","timestamp":"2024-01-01T00:00:00Z"}'), V2_400_V1_422, "records[1].timestamp"),
    ("timestamp-float", recs(OK, '{"value":"YQ==","timestamp":1.5}'), V2_400_V1_422, "records[1].timestamp"),
    ("missing-records", "{}", BOTH_422, "records"),
    ("records-null", '{"records":null}', BOTH_422, "records"),
    ("empty-records", '{"records":[]}', BOTH_422, "records"),
    ("schema-only", '{"value_schema":"\\"string\\""}', BOTH_422, "records"),
    ("negative-partition", recs(OK, '{"value":"YQ==","partition":-1}'), BOTH_422, "records[1].partition"),
    ("unknown-record-field", recs(OK, '{"value":"YQ==","partiton":0}'), BOTH_422, "Unrecognized field: partiton"),
    ("unknown-top-field", '{"records":[' + OK + '],"foo":1}', BOTH_422, "Unrecognized field: foo"),
    ("unknown-field-format", '{"records":[' + OK + '],"format":"binary"}', BOTH_422, "Unrecognized field: format"),
    ("unknown-header-field", recs(OK, '{"value":"YQ==","headers":[{"name":"h","value":"YQ==","foo":1}]}'), BOTH_422, "Unrecognized field: foo"),
    ("partition-out-of-range", recs(OK, '{"value":"YQ==","partition":5}'), ((404, 40402), (404, 40402)), None),
]

# invalid base64, in the value and in the key of the second record
BAD_BASE64 = [
    "YQ",  # length not a multiple of 4
    "YQ=",
    "YWJjZA",
    "YQ===",
    "Y===",  # too much padding
    "====",
    "YQ==YQ==",  # '=' in the middle
    "=YQ=",
    "Y=Q=",
    "YQ!=",  # not in the alphabet
    "YW Jj",
    "YWJj\\n",
    "-_-_",  # the URL-safe alphabet is not the standard one
    "YW\\u00e9j",
]
for s in BAD_BASE64:
    BINARY_BAD.append((f"value-base64-{s}", recs(OK, '{"value":"%s"}' % s), V2_400_V1_422, "records[1].value"))
for s in ("YQ", "YQ==YQ==", "-_-_"):
    BINARY_BAD.append((f"key-base64-{s}", recs(OK, '{"key":"%s","value":"YQ=="}' % s), V2_400_V1_422, "records[1].key"))


@pytest.mark.parametrize("version", ["v2", "v1"])
@pytest.mark.parametrize("body,codes,msg", [c[1:] for c in BINARY_BAD], ids=[c[0] for c in BINARY_BAD])
def test_binary_rejected(krest, topic, version, body, codes, msg):
    ctype, (status, code) = (BIN2, codes[0]) if version == "v2" else (BIN1, codes[1])
    r, err = rejected(krest, topic, body, ctype, status, code)
    if msg:
        assert msg in err["message"], err


def test_invalid_base64_message(krest, topic):
    body = recs(OK, OK, OK, '{"value":"not base64"}')
    r, err = rejected(krest, topic, body, BIN2, 400, 400)
    assert "records[3].value: invalid base64" in err["message"], err
    r, err = rejected(krest, topic, body, BIN1, 422, 422)
    assert "records[3].value: invalid base64" in err["message"], err


def test_error_content_type_follows_version(krest, topic):
    r, _ = rejected(krest, topic, recs(OK, '{"value":"YQ"}'), BIN2, 400, 400)
    assert media_type(r) == V2
    r, _ = rejected(krest, topic, recs(OK, '{"value":"YQ"}'), BIN1, 422, 422)
    assert media_type(r) == V1


@pytest.mark.parametrize(
    "ctype,status",
    [("application/vnd.kafka.v2+json", 400), ("application/vnd.kafka.v1+json", 422), ("application/json", 400), ("application/octet-stream", 400)],
)
def test_generic_types_error_codes_by_version(krest, topic, ctype, status):
    rejected(krest, topic, recs(OK, '{"value":"YQ"}'), ctype, status, status)


@pytest.mark.parametrize("ctype", ["application/json", "application/vnd.kafka+json", "application/octet-stream"])
def test_generic_types_v1_by_accept(krest, topic, ctype):
    # with Accept v1 the generic types are v1: 422 for invalid base64
    rejected(krest, topic, recs(OK, '{"value":"YQ"}'), ctype, 422, 422, headers={"Accept": V1})


# --- json embedded format -------------------------------------------------------------------


def nested(depth):
    text = "1"
    for i in range(depth):
        text = "[%s]" % text if i % 2 == 0 else '{"a":%s}' % text
    return text


JOK = '{"value":{"ok":true}}'
JSON_BAD = [
    ("broken-json", '{"records":[{"value":{"a":}}]}', BOTH_400, "line 1"),
    ("broken-json-lines", '{"records":[\n' + JOK + ",\n" + '{"value":[1,2,}\n]}', BOTH_400, "line 3"),
    ("uint64-overflow", recs(JOK, '{"value":18446744073709551616}'), BOTH_422, "records[1].value"),
    ("int64-underflow", recs(JOK, '{"value":-9223372036854775809}'), BOTH_422, "records[1].value"),
    ("huge-int-nested", recs(JOK, '{"value":{"a":[1,99999999999999999999999]}}'), BOTH_422, "records[1].value"),
    ("huge-int-key", recs(JOK, '{"key":123456789012345678901234567890,"value":1}'), BOTH_422, "records[1].key"),
    ("depth-65", recs(JOK, '{"value":%s}' % nested(65)), BOTH_422, "records[1].value"),
    ("depth-65-key", recs(JOK, '{"key":%s}' % nested(65)), BOTH_422, "records[1].key"),
    ("depth-1000", recs(JOK, '{"value":%s}' % ("[" * 1000 + "]" * 1000)), BOTH_422, "records[1].value"),
    ("record-string", recs(JOK, '"x"'), V2_400_V1_422, "records[1]"),
    ("records-object", '{"records":' + JOK + "}", V2_400_V1_422, "records"),
    ("missing-records", "{}", BOTH_422, "records"),
    ("empty-records", '{"records":[]}', BOTH_422, "records"),
    ("negative-partition", recs(JOK, '{"value":1,"partition":-3}'), BOTH_422, "records[1].partition"),
    ("partition-string", recs(JOK, '{"value":1,"partition":"1"}'), V2_400_V1_422, "records[1].partition"),
    ("unknown-field", recs(JOK, '{"value":1,"partiton":0}'), BOTH_422, "Unrecognized field: partiton"),
    ("partition-out-of-range", recs(JOK, '{"value":1,"partition":1}'), ((404, 40402), (404, 40402)), None),
]


@pytest.mark.parametrize("version", ["v2", "v1"])
@pytest.mark.parametrize("body,codes,msg", [c[1:] for c in JSON_BAD], ids=[c[0] for c in JSON_BAD])
def test_json_rejected(krest, topic, version, body, codes, msg):
    ctype, (status, code) = (JSON2, codes[0]) if version == "v2" else (JSON1, codes[1])
    r, err = rejected(krest, topic, body, ctype, status, code)
    if msg:
        assert msg in err["message"], err


# --- topics and partitions that do not exist ------------------------------------------------


@pytest.fixture(scope="module")
def krest_no_auto_create(tmp_path_factory, kafka_bootstrap, krest_bin):
    """A krest that never creates a produce's missing topic (krest.topic.auto.create=false; the
    default follows the broker, which allows it: test_auto_create.py)."""
    from conftest import KrestFactory

    f = KrestFactory(tmp_path_factory.mktemp("no-auto-create"))
    yield f("--krest.topic.auto.create=false")
    f.teardown()


@pytest.mark.parametrize("ctype", [BIN2, BIN1, JSON2, JSON1])
def test_unknown_topic_404_not_created(krest_no_auto_create, admin, ctype):
    krest = krest_no_auto_create
    name = unique_topic("krest-test-missing")
    value = '"YQ=="' if "binary" in ctype else '{"a":1}'
    body = '{"records":[{"value":%s}]}' % value
    r = post_records(krest, name, body, ctype=ctype)
    assert_error(r, 404, 40401)
    assert media_type(r) == (V1 if ".v1" in ctype else V2)
    r = post_records(krest, name, body, ctype=ctype, partition=0)
    assert_error(r, 404, 40401)
    time.sleep(0.3)
    assert name not in topic_names(admin), "krest created the topic"


def test_unknown_topic_with_explicit_partition_not_created(krest_no_auto_create, admin):
    krest = krest_no_auto_create
    name = unique_topic("krest-test-missing")
    r = post_records(krest, name, {"records": [{"value": "YQ==", "partition": 0}]})
    assert_error(r, 404, 40401)
    time.sleep(0.3)
    assert name not in topic_names(admin), "krest created the topic"


@pytest.mark.parametrize("ctype", [BIN2, BIN1])
def test_partition_endpoint_out_of_range(krest, topic, ctype):
    rejected(krest, topic, recs(OK), ctype, 404, 40402, partition=5)
    rejected(krest, topic, recs(OK), ctype, 404, 40402, partition=1)


def test_partition_endpoint_record_partition_out_of_range_v2(krest, topic):
    # v2: the record's partition overrides the path's, and is checked
    rejected(krest, topic, recs(OK, '{"value":"YQ==","partition":3}'), BIN2, 404, 40402, partition=0)


def test_partition_endpoint_non_numeric(krest, topic):
    before = end_offsets(topic)
    for p in ("abc", "1x", "0.5"):
        r = post_records(krest, topic, recs(OK), partition=p)
        assert_error(r, 404, 404)
    assert_nothing_produced(krest, topic, before)


@pytest.mark.parametrize("ctype", [BIN1, JSON1])
def test_partition_endpoint_v1_record_partition_unknown(krest, topic, ctype):
    value = '"YQ=="' if "binary" in ctype else "1"
    body = '{"records":[{"value":%s},{"value":%s,"partition":0}]}' % (value, value)
    r, err = rejected(krest, topic, body, ctype, 422, 422, partition=0)
    assert "Unrecognized field: partition" in err["message"], err


# --- content types --------------------------------------------------------------------------

BAD_TYPES = [
    ("text/plain", None),
    ("application/xml", None),
    ("application/x-www-form-urlencoded", None),
    ("application/vnd.kafka.jsonschema.v2+json", "not supported by this krest"),
    ("application/vnd.kafka.protobuf.v2+json", "not supported by this krest"),
]


@pytest.mark.parametrize("ctype,msg", BAD_TYPES)
def test_unsupported_content_type_415(krest, topic, ctype, msg):
    r, err = rejected(krest, topic, recs(OK), ctype, 415, 415)
    if msg:
        assert msg in err["message"], err


def test_unsupported_content_type_on_partition_endpoint_415(krest, topic):
    rejected(krest, topic, recs(OK), "text/plain", 415, 415, partition=0)
    rejected(krest, topic, recs(OK), "application/vnd.kafka.protobuf.v2+json", 415, 415, partition=0)


# --- sizes: message.max.bytes ---------------------------------------------------------------


@pytest.fixture(scope="module")
def mmb_krest(tmp_path_factory, kafka_bootstrap, krest_bin):
    f = KrestFactory(tmp_path_factory.mktemp("krest-mmb"))
    k = f("--producer.message.max.bytes=10000")
    yield k
    f.teardown()


@pytest.mark.parametrize("ctype", [BIN2, BIN1])
def test_record_over_message_max_bytes_413(mmb_krest, topic, ctype):
    body = {"records": [{"value": b64(b"small")}, {"value": b64(b"x" * 20000)}]}
    r, err = rejected(mmb_krest, topic, body, ctype, 413, 413)
    assert "records[1]" in err["message"], err


def test_record_over_message_max_bytes_counts_key_and_headers(mmb_krest, topic):
    body = {"records": [{"key": b64(b"k" * 5000), "value": b64(b"v" * 5000)}]}
    r, err = rejected(mmb_krest, topic, body, BIN2, 413, 413)
    assert "records[0]" in err["message"], err
    body = {
        "records": [
            {"value": b64(b"ok")},
            {"value": b64(b"ok")},
            {"value": b64(b"v" * 6000), "headers": [{"name": "h", "value": b64(b"h" * 6000)}]},
        ]
    }
    r, err = rejected(mmb_krest, topic, body, BIN2, 413, 413)
    assert "records[2]" in err["message"], err


def test_record_over_message_max_bytes_json(mmb_krest, topic):
    body = {"records": [{"value": {"s": "ok"}}, {"value": "x" * 20000}]}
    r, err = rejected(mmb_krest, topic, body, JSON2, 413, 413)
    assert "records[1]" in err["message"], err


def test_record_under_message_max_bytes_ok(mmb_krest, topic):
    before = end_offsets(topic)
    value = bytes(range(256)) * 20  # 5120 bytes
    r = post_records(mmb_krest, topic, {"records": [{"key": b64(b"k" * 1000), "value": b64(value)}]})
    assert assert_produced(r, 1) == [(0, before[0])]
    [rec] = read_topic(topic, start=before)
    assert rec.value == value and rec.key == b"k" * 1000


# --- sizes: the request body, gzip ----------------------------------------------------------

LIMIT = 1048576


@pytest.fixture(scope="module")
def small_krest(tmp_path_factory, kafka_bootstrap, krest_bin):
    f = KrestFactory(tmp_path_factory.mktemp("krest-small"))
    k = f(f"--krest.max.request.size={LIMIT}")
    yield k
    f.teardown()


def big_body(size):
    """A valid binary produce body of about `size` bytes (records of 6 KiB values)."""
    per = len(json.dumps({"value": b64(b"x" * 6000)})) + 1
    n = size // per + 1
    return json.dumps({"records": [{"value": b64(b"%06d" % i + b"x" * 5994)} for i in range(n)]}).encode()


def test_body_under_limit_ok(small_krest, topic):
    body = big_body(LIMIT - 100_000)
    assert len(body) < LIMIT
    before = end_offsets(topic)
    n = len(json.loads(body)["records"])
    r = post_records(small_krest, topic, body)
    assert assert_produced(r, n) == [(0, before[0] + i) for i in range(n)]


def test_body_over_limit_413(small_krest, topic):
    body = big_body(LIMIT + 50_000)
    assert len(body) > LIMIT
    rejected(small_krest, topic, body, BIN2, 413, 413)
    rejected(small_krest, topic, body, BIN1, 413, 413)


def gz(data):
    return gzip.compress(data)


def test_gzip_body_ok(small_krest, topic):
    before = end_offsets(topic)
    body = json.dumps({"records": [{"value": b64(b"gz%d" % i)} for i in range(10)]}).encode()
    r = post_records(small_krest, topic, gz(body), headers={"Content-Encoding": "gzip"})
    assert assert_produced(r, 10) == [(0, before[0] + i) for i in range(10)]
    assert [x.value for x in read_topic(topic, start=before)] == [b"gz%d" % i for i in range(10)]


def test_gzip_body_inflating_past_limit_413(small_krest, topic):
    # small on the wire, over the limit once inflated
    body = big_body(LIMIT + 200_000)
    packed = gz(body)
    assert len(packed) < LIMIT // 4
    rejected(small_krest, topic, packed, BIN2, 413, 413, headers={"Content-Encoding": "gzip"})


def vm_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"{field} not in /proc/{pid}/status")


def test_gzip_bomb_413_quickly(small_krest, topic):
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    bomb = b"".join(c.compress(bytes(1 << 20)) for _ in range(100)) + c.flush()  # 100 MiB of zeros
    assert len(bomb) < 200_000
    pid = small_krest.proc.pid
    hwm_before = vm_kib(pid, "VmHWM")
    t0 = time.monotonic()
    r, _ = rejected(small_krest, topic, bomb, BIN2, 413, 413, headers={"Content-Encoding": "gzip"})
    elapsed = r.elapsed.total_seconds()
    assert elapsed < 2.0, f"the bomb took {elapsed:.2f} s to reject"
    grown = vm_kib(pid, "VmHWM") - hwm_before
    assert grown < 40 * 1024, f"krest's peak RSS grew by {grown} KiB on a gzip bomb"
    assert time.monotonic() - t0 < 10


@pytest.mark.parametrize(
    "body",
    [
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage-not-deflate",
        b'{"records":[{"value":"YQ=="}]}',  # not gzip at all
        gzip.compress(b'{"records":[{"value":"YQ=="}]}')[:-12],  # truncated stream
        gzip.compress(b'{"records":[{"value":"YQ=="}]}')[:-4] + b"\x00\x00\x00\x00",  # wrong size
    ],
    ids=["garbage", "plain-json", "truncated", "bad-trailer"],
)
def test_gzip_body_that_does_not_inflate_400(small_krest, topic, body):
    rejected(small_krest, topic, body, BIN2, 400, 400, headers={"Content-Encoding": "gzip"})


# --- hostile bodies -------------------------------------------------------------------------


def test_json_invalid_utf8_400(krest, topic):
    body = b'{"records":[{"value":"ok"},{"value":"\xff\xfe"}]}'
    rejected(krest, topic, body, JSON2, 400, 400)
    rejected(krest, topic, body, JSON1, 400, 400)


@pytest.mark.parametrize("ctype", [BIN2, JSON2])
def test_very_deep_nesting_no_crash(krest, topic, ctype):
    deep = "[" * 200_000 + "]" * 200_000
    for body in (
        '{"records":[{"value":"YQ=="},{"value":%s}]}' % deep,
        '{"records":[{"value":"YQ=="}],"x":%s}' % deep,
        deep,
    ):
        before = end_offsets(topic)
        r = post_records(krest, topic, body, ctype=ctype)
        assert r.status_code in (400, 422), (r.status_code, r.text[:300])
        assert_error(r, r.status_code)
        assert_nothing_produced(krest, topic, before)


@pytest.mark.parametrize("ctype,codes", [(BIN2, (422, 422)), (BIN1, (422, 422))])
def test_negative_timestamp_422(krest, topic, ctype, codes):
    # A bad value for a field (section K): Kafka's Java client refuses negative timestamps too.
    r, err = rejected(krest, topic, recs(OK, '{"value":"YQ==","timestamp":-5}'), ctype, *codes)
    assert "records[1].timestamp" in err["message"], err


# --- keep-alive after a rejection -----------------------------------------------------------


def test_keep_alive_after_rejections(krest, topic):
    """After a rejected produce request the same connection either serves the next request or
    is closed; it never reads the rest of the rejected body as a new request."""
    import rawhttp

    good = b'{"records":[{"value":"YQ=="}]}'
    cases = [
        ({"Content-Type": "text/plain"}, good, produce_path(topic)),
        # a name Kafka refuses: 404/40401 whatever krest.topic.auto.create says
        ({"Content-Type": BIN2}, good, produce_path("krest-test-missing!keepalive")),
        ({"Content-Type": BIN2}, good, produce_path(topic, 9)),
        ({"Content-Type": BIN2}, b'{"records":[{"value":"YQ"}]}' + b" " * 5000, produce_path(topic)),
        ({"Content-Type": BIN2, "Content-Encoding": "gzip"}, b"x" * 5000, produce_path(topic)),
    ]
    for headers, body, path in cases:
        before = end_offsets(topic)
        s = rawhttp.connect(krest.port)
        try:
            s.sendall(rawhttp.request_bytes("POST", path, headers, body))
            first = rawhttp.read_response(s)
            assert first.status in (400, 404, 415), first
            s.sendall(rawhttp.request_bytes("POST", produce_path(topic), {"Content-Type": BIN2}, good))
            try:
                second = rawhttp.read_response(s)
            except ConnectionError:
                continue  # closed: fine
            assert second.status == 200, (headers, path, second)
            assert json.loads(second.body)["offsets"][0]["offset"] == before[0], second
        finally:
            s.close()


# --- per-record errors inside a 200 ---------------------------------------------------------


@pytest.mark.parametrize("ctype,version", [(BIN2, V2), (BIN1, V1)])
def test_per_record_error_inside_200(krest, topic, consumer_offsets_exists, ctype, version):
    # The broker refuses client writes to its internal topics (InvalidTopicException, not
    # retriable): each record comes back with 50002 inside a 200 (§1.5, §2.3, §4.3).
    body = {"records": [{"value": b64(b"x")}, {"key": b64(b"k"), "value": b64(b"y")}]}
    r = post_records(krest, "__consumer_offsets", body, ctype=ctype)
    assert r.status_code == 200, r.text
    assert media_type(r) == version
    out = r.json()
    assert set(out) == {"key_schema_id", "value_schema_id", "offsets"}, out
    assert out["key_schema_id"] is None and out["value_schema_id"] is None
    assert len(out["offsets"]) == 2, out
    for o in out["offsets"]:
        assert set(o) == {"partition", "offset", "error_code", "error"}, o
        assert o["partition"] is None and o["offset"] is None, o
        assert o["error_code"] == 50002, o
        assert isinstance(o["error"], str) and o["error"], o
    # the shared producer is still healthy
    before = end_offsets(topic)
    r = post_records(krest, topic, {"records": [{"value": b64(b"after-error")}]})
    assert assert_produced(r, 1) == [(0, before[0])]


def test_timestamp_zero_not_silently_replaced(krest, topic):
    # The Java client stores timestamp 0 as given. librdkafka reads 0 as "now": krest must
    # either store 0 or refuse the record (422), never store another time than the one asked.
    before = end_offsets(topic)
    r = post_records(krest, topic, {"records": [{"value": b64(b"ts0"), "timestamp": 0}]})
    if r.status_code == 422:
        assert_error(r, 422, 422)
        assert_nothing_produced(krest, topic, before)
        return
    assert assert_produced(r, 1) == [(0, before[0])]
    [rec] = read_topic(topic, start=before)
    assert rec.timestamp == (1, 0), f"asked for timestamp 0, Kafka holds {rec.timestamp}"


@pytest.mark.parametrize("ctype,version", [(BIN2, V2), (BIN1, V1)])
def test_mixed_outcomes_in_request_order(krest, new_topic, ctype, version):
    # The broker refuses a timestamp in year 9999 (message.timestamp.after.max.ms): that record
    # fails with 50002 inside the 200, the others (other partitions, so other batches) succeed.
    t = new_topic(partitions=3)
    body = {
        "records": [
            {"value": b64(b"ok-0"), "partition": 0},
            {"value": b64(b"bad"), "partition": 1, "timestamp": 253402300799999},
            {"value": b64(b"ok-2"), "partition": 2},
        ]
    }
    r = post_records(krest, t, body, ctype=ctype)
    assert r.status_code == 200, r.text
    assert media_type(r) == version
    offs = r.json()["offsets"]
    assert offs[0] == {"partition": 0, "offset": 0, "error_code": None, "error": None}, offs
    assert offs[2] == {"partition": 2, "offset": 0, "error_code": None, "error": None}, offs
    assert offs[1]["partition"] is None and offs[1]["offset"] is None, offs
    assert offs[1]["error_code"] == 50002 and offs[1]["error"], offs
    got = read_topic(t)
    assert [(x.partition, x.offset, x.value) for x in got] == [(0, 0, b"ok-0"), (2, 0, b"ok-2")]


def test_more_than_a_million_records_413(krest, topic):
    """Besides the body's size, a request holds at most 1000000 records and 1000000 headers:
    a 64 MiB body of tiny records was 22 million of them, each with its bookkeeping."""
    records = b",".join([b'{"value":null}'] * 1_000_001)
    r, err = rejected(krest, topic, b'{"records":[' + records + b"]}", BIN2, 413, 413)
    assert "more than 1000000 records" in err["message"], err
    hdrs = b",".join([b'{"name":"h"}'] * 1_000_001)
    body = b'{"records":[{"value":null,"headers":[' + hdrs + b"]}]}"
    r, err = rejected(krest, topic, body, BIN2, 413, 413)
    assert "more than 1000000 headers" in err["message"], err
