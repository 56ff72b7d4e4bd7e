"""Avro round trips, one case per row of CASES (issue 7 point 1: every Avro type, in Avro's JSON
encoding). Each case is produced through krest (v2, as the value, and again as the key), then:
  - Kafka holds Confluent's wire format with the id krest answered, and the datum decodes with
    confluent-kafka's AvroDeserializer to what fastavro makes of the expected JSON;
  - an independent decoder (avro_helpers.AvroJson, from the specification) turns the datum into
    Avro's JSON encoding, which must be the expected JSON;
  - a v2 consumer instance of krest (format avro) reads the record back as the expected JSON.
All cases share one topic (the module's registry has compatibility NONE, so every schema is a
new version of <topic>-value / <topic>-key)."""

import json
import time

import pytest

from avro_helpers import (
    AVRO2,
    assert_avro_produced,
    avro_json,
    deserialize,
    fastavro_from_json,
    post_avro,
    registries,  # noqa: F401  (fixture)
    same,
    same_native,
    split_wire,
    start_avro_env,
)
from conftest import create_consumer, create_topic, delete_live_consumers, delete_topics, read_topic

BYTES_ALL = "".join(chr(i) for i in range(256))
UUID = "123e4567-e89b-12d3-a456-426614174000"


def rec(name, fields, **extra):
    out = {"type": "record", "name": name, "fields": fields}
    out.update(extra)
    return out


def f(name, type_, **extra):
    out = {"name": name, "type": type_}
    out.update(extra)
    return out


ADDRESS = rec("Address", [f("street", "string"), f("zip", "int")])
COLOR = {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "BLUE"]}
MD5 = {"type": "fixed", "name": "MD5", "size": 16}

# Defaults of every kind, for "missing fields take their defaults".
DEFAULTS = rec(
    "Defaults",
    [
        f("id", "int"),
        f("b", "boolean", default=True),
        f("i", "int", default=-7),
        f("l", "long", default=9007199254740993),
        f("d", "double", default=2.5),
        f("s", "string", default="dflt"),
        f("by", "bytes", default="\u0000\u00ff"),
        f("opt", ["null", "string"], default=None),
        f("e", {"type": "enum", "name": "Level", "symbols": ["LOW", "HIGH"]}, default="HIGH"),
        f("arr", {"type": "array", "items": "int"}, default=[1, 2]),
        f("m", {"type": "map", "values": "long"}, default={"a": 1}),
        f("fx", {"type": "fixed", "name": "Two", "size": 2}, default="\u0001\u00fe"),
        f("sub", rec("Sub", [f("x", "int", default=3), f("y", "string")]), default={"y": "why"}),
    ],
)
DEFAULTS_FULL = {
    "id": 1,
    "b": True,
    "i": -7,
    "l": 9007199254740993,
    "d": 2.5,
    "s": "dflt",
    "by": "\u0000\u00ff",
    "opt": None,
    "e": "HIGH",
    "arr": [1, 2],
    "m": {"a": 1},
    "fx": "\u0001\u00fe",
    "sub": {"x": 3, "y": "why"},
}

LINKED = rec("Node", [f("v", "int"), f("next", ["null", "Node"], default=None)], namespace="ll")

NS_REC = rec(
    "Outer",
    [
        f("inner", rec("Inner", [f("v", "int")])),  # full name ns.one.Inner
        f("other", rec("Other", [f("w", "string")], namespace="ns.two")),
        f("again", "Inner"),  # reference by short name within ns.one
        f("u", ["null", "Inner", "ns.two.Other"]),
    ],
    namespace="ns.one",
)

# (id, schema, posted JSON, expected JSON (None = as posted), float32 comparison[, the Python
# datum AvroDeserializer gives, where fastavro's JSON reader cannot compute it])
CASES = [
    # null (a top-level null value is a Kafka null, so null is tested inside a record)
    ("null-field", rec("N", [f("n", "null")]), {"n": None}, None, False),
    # boolean
    ("boolean-true", "boolean", True, None, False),
    ("boolean-false", "boolean", False, None, False),
    # int
    ("int-zero", "int", 0, None, False),
    ("int-min", "int", -2147483648, None, False),
    ("int-max", "int", 2147483647, None, False),
    ("int-varint-edge", "int", 64, None, False),
    ("int-negative", "int", -65, None, False),
    # long
    ("long-min", "long", -9223372036854775808, None, False),
    ("long-max", "long", 9223372036854775807, None, False),
    ("long-2^32", "long", 4294967296, None, False),
    ("long-2^53+1", "long", 9007199254740993, None, False),
    # float
    ("float-1.5", "float", 1.5, None, True),
    ("float-negative", "float", -1234.5, None, True),
    ("float-max", "float", 3.4028234663852886e38, None, True),
    ("float-0.1", "float", 0.1, None, True),
    ("float-integer-literal", "float", 3, 3.0, True),
    # double
    ("double-0.1", "double", 0.1, None, False),
    ("double-max", "double", 1.7976931348623157e308, None, False),
    ("double-min-subnormal", "double", -5e-324, None, False),
    ("double-integer-literal", "double", 42, 42.0, False),
    ("double-nan", "double", "NaN", None, False, float("nan")),
    ("double-infinity", "double", "Infinity", None, False, float("inf")),
    ("float-minus-infinity", "float", "-Infinity", None, True, float("-inf")),
    # bytes
    ("bytes-empty", "bytes", "", None, False),
    ("bytes-00-ff", "bytes", "\u0000\u00ff", None, False),
    ("bytes-all-256", "bytes", BYTES_ALL, None, False),
    # string
    ("string-empty", "string", "", None, False),
    ("string-unicode", "string", "h\u00e9llo w\u00f6rld \u2713 \U0001F600 \u4e2d\u6587", None, False),
    ("string-escapes", "string", 'q"b\\s/n\nt\tc\u0001\u001f\u007f', None, False),
    # records
    ("record-simple", rec("User", [f("username", "string"), f("age", "int")]),
     {"username": "testUser", "age": 30}, None, False),
    ("record-all-defaults", DEFAULTS, {"id": 1}, DEFAULTS_FULL, False),
    ("record-some-defaults", DEFAULTS, {"id": 2, "s": "given", "opt": {"string": "x"}, "arr": []},
     dict(DEFAULTS_FULL, id=2, s="given", opt={"string": "x"}, arr=[]), False),
    ("record-nested", rec("Person", [f("name", "string"), f("address", ADDRESS)]),
     {"name": "Ada", "address": {"street": "Main", "zip": 12345}}, None, False),
    ("record-namespaces", NS_REC,
     {"inner": {"v": 1}, "other": {"w": "x"}, "again": {"v": 2}, "u": {"ns.two.Other": {"w": "y"}}},
     None, False),
    ("record-recursive", LINKED,
     {"v": 1, "next": {"ll.Node": {"v": 2, "next": {"ll.Node": {"v": 3, "next": None}}}}},
     None, False, {"v": 1, "next": {"v": 2, "next": {"v": 3, "next": None}}}),
    ("record-empty", rec("Empty", []), {}, None, False),
    # enum
    ("enum", COLOR, "GREEN", None, False),
    ("enum-in-record", rec("Paint", [f("c", COLOR), f("c2", "Color")]),
     {"c": "BLUE", "c2": "RED"}, None, False),
    # array
    ("array-int", {"type": "array", "items": "int"}, [1, -1, 2147483647], None, False),
    ("array-empty", {"type": "array", "items": "string"}, [], None, False),
    ("array-records", {"type": "array", "items": ADDRESS},
     [{"street": "a", "zip": 1}, {"street": "b", "zip": 2}], None, False),
    ("array-nested", {"type": "array", "items": {"type": "array", "items": "long"}},
     [[1, 2], [], [3]], None, False),
    # map
    ("map-string", {"type": "map", "values": "string"}, {"a": "x", "\u00e9": "y"}, None, False),
    ("map-empty", {"type": "map", "values": "int"}, {}, None, False),
    ("map-records", {"type": "map", "values": ADDRESS}, {"home": {"street": "s", "zip": 9}}, None, False),
    # fixed
    ("fixed-4", {"type": "fixed", "name": "F4", "size": 4}, "\u0001\u0002\u0003\u00ff", None, False),
    ("fixed-16", MD5, "".join(chr(i * 16) for i in range(16)), None, False),
    # unions
    ("union-null-branch", rec("U", [f("u", ["null", "string"])]), {"u": None}, None, False),
    ("union-string-branch", ["null", "string"], {"string": "x"}, None, False),
    ("union-primitive-branches", ["int", "long", "float", "double", "boolean", "string"],
     {"double": 2.5}, None, False),
    ("union-long-branch", ["int", "long"], {"long": 5}, None, False),
    ("union-bytes-branch", ["null", "bytes"], {"bytes": "\u0000\u00ff"}, None, False),
    ("union-record-fullname", ["null", rec("Rec", [f("a", "int")], namespace="com.example")],
     {"com.example.Rec": {"a": 1}}, None, False),
    ("union-enum-fullname", ["null", dict(COLOR, namespace="com.example")],
     {"com.example.Color": "RED"}, None, False),
    ("union-fixed-name", ["string", {"type": "fixed", "name": "F2", "size": 2}],
     {"F2": "\u00ab\u00cd"}, None, False),
    ("union-array-branch", ["null", {"type": "array", "items": "int"}], {"array": [1, 2]}, None, False),
    ("union-map-branch", ["null", {"type": "map", "values": "int"}], {"map": {"k": 1}}, None, False),
    ("union-in-array", {"type": "array", "items": ["null", "int"]}, [None, {"int": 1}], None, False),
    # logical types on their underlying types
    ("date", {"type": "int", "logicalType": "date"}, 19000, None, False),
    ("time-millis", {"type": "int", "logicalType": "time-millis"}, 3723004, None, False),
    ("time-micros", {"type": "long", "logicalType": "time-micros"}, 3723000004, None, False),
    ("timestamp-millis", {"type": "long", "logicalType": "timestamp-millis"}, 1700000000123, None, False),
    ("timestamp-micros", {"type": "long", "logicalType": "timestamp-micros"}, 1700000000123456, None,
     False),
    ("decimal-bytes",
     {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}, "09", None, False),
    ("decimal-bytes-negative",
     {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}, "\u00ff\u0085", None,
     False),
    ("decimal-fixed",
     {"type": "fixed", "name": "Dec", "size": 4, "logicalType": "decimal", "precision": 9, "scale": 3},
     "\u0000\u0001\u00e2\u0040", None, False),
    ("uuid", {"type": "string", "logicalType": "uuid"}, UUID, None, False),
    ("logical-in-record",
     rec("Event", [f("day", {"type": "int", "logicalType": "date"}),
                   f("at", {"type": "long", "logicalType": "timestamp-millis"}),
                   f("id", {"type": "string", "logicalType": "uuid"}),
                   f("amount", ["null", {"type": "bytes", "logicalType": "decimal",
                                         "precision": 8, "scale": 2}])]),
     {"day": 1, "at": 0, "id": UUID, "amount": {"bytes": "\u0001\u0000"}}, None, False),
]

IDS = [c[0] for c in CASES]
assert len(IDS) == len(set(IDS))
N_CASES = len(CASES)


@pytest.fixture(scope="module")
def rt(registries, admin):  # noqa: F811
    """krest + registry (compatibility NONE), one 1-partition topic, one v2 avro consumer
    instance assigned to it."""
    env = start_avro_env(registries, "--consumer.request.timeout.ms=1000")
    env.reg.set_config("NONE")
    topic = create_topic(admin)
    c = create_consumer(env.k, body={"format": "avro", "auto.offset.reset": "earliest"})
    c.assign(topic, [0])
    yield env, topic, c
    delete_live_consumers()
    delete_topics(admin, [topic])


def krest_read_at(c, topic, offset, deadline_s=15.0):
    """Seeks the instance to offset and GETs records until the one at offset comes."""
    c.seek(topic, 0, offset)
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        r = c.records(timeout=500, accept=AVRO2, raw=True)
        assert r.status_code == 200, f"GET records: {r.status_code} {r.text[:800]}"
        assert r.headers.get("Content-Type", "").startswith(AVRO2), r.headers
        for x in r.json():
            if x["offset"] == offset:
                return x
    pytest.fail(f"krest did not return offset {offset} within {deadline_s} s")


@pytest.mark.parametrize("field", ["value", "key"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_roundtrip(rt, case, field):
    env, topic, c = rt
    _, schema, posted, expected, f32 = case[:5]
    native_want = case[5] if len(case) > 5 else None
    if expected is None:
        expected = posted
    record = {field: posted}
    if field == "key":
        record["value"] = None
    body = {f"{field}_schema": json.dumps(schema), "records": [record]}
    r = post_avro(env.k, topic, body)
    kid, vid, [(p, off)] = assert_avro_produced(
        r, 1, key_id="any" if field == "key" else None, value_id="any" if field == "value" else None
    )
    sid = kid if field == "key" else vid
    assert p == 0

    # what Kafka holds
    [got] = read_topic(topic, start={0: off})[:1]
    assert got.offset == off
    raw = got.key if field == "key" else got.value
    other = got.value if field == "key" else got.key
    assert other is None, f"the {'value' if field == 'key' else 'key'} should be null: {other!r}"
    wire_id, datum = split_wire(raw)
    assert wire_id == sid, (wire_id, sid)
    same(avro_json(schema, datum), expected, f32)
    native = deserialize(env, topic, raw, key=(field == "key"))
    if native_want is None:
        native_want = fastavro_from_json(schema, expected)
    same_native(native, native_want, f32)

    # what krest reads back
    x = krest_read_at(c, topic, off)
    assert x["topic"] == topic and x["partition"] == 0, x
    same(x[field], expected, f32, path=field)
    if field == "key":
        assert x["value"] is None, x
    else:
        assert x["key"] is None, x


def test_case_count():
    """The closing note of issue 7 quotes this number."""
    assert N_CASES >= 40, N_CASES
