"""Helpers for the Avro produce/consume tests (issue 7; API.md section K rows "Avro produce
errors", "schema by id", "undecodable record on consume", "Schema Registry URL"): a krest with its
built-in registry, produce requests, Confluent's wire format, and an independent decoder from Avro
binary to Avro's JSON encoding (written here from the Avro specification, so that what krest
answers is compared with something krest did not compute)."""

import json
import math
import struct
import time
import uuid

import pytest

from conftest import (
    BIN2,
    SCHEME,
    assert_produced,
    b64,
    create_topic,
    delete_topics,
    end_offsets,
    free_port,
    media_type,
    post_records,
    registry_client_conf,
    read_topic,
    wait_until,
)
from registry_helpers import RegistryFactory

AVRO1 = "application/vnd.kafka.avro.v1+json"
AVRO2 = "application/vnd.kafka.avro.v2+json"
V1 = "application/vnd.kafka.v1+json"
V2 = "application/vnd.kafka.v2+json"

MARKER = b"avro-marker-after-rejection"


# --------------------------------------------------------------------------------------------
# A krest with its registry


class AvroEnv:
    """One krest whose built-in registry listens on a port of its own and a storage topic of
    its own, with schema.registry.url naming that registry explicitly."""

    def __init__(self, reg):
        self.reg = reg  # registry_helpers.Registry
        self.k = reg.krest  # conftest.Krest
        self.sr_url = reg.url

    def sr_client(self):
        """A new SchemaRegistryClient (no cache shared with earlier look-ups)."""
        from confluent_kafka.schema_registry import SchemaRegistryClient

        return SchemaRegistryClient(registry_client_conf(self.sr_url))


def start_avro_env(factory, *extra):
    """factory: a registry_helpers.RegistryFactory. Returns an AvroEnv."""
    port = free_port()
    reg = factory(None, f"--schema.registry.url={SCHEME}://127.0.0.1:{port}", *extra, port=port)
    return AvroEnv(reg)


@pytest.fixture(scope="module")
def registries(tmp_path_factory, kafka_bootstrap, krest_bin, admin):
    f = RegistryFactory(tmp_path_factory.mktemp("avro"), admin)
    yield f
    f.teardown()


@pytest.fixture(scope="module")
def env(registries):
    """The krest + registry shared by a module's tests (each test uses topics of its own)."""
    return start_avro_env(registries, "--consumer.request.timeout.ms=1000")


# --------------------------------------------------------------------------------------------
# Produce


def sjson(schema):
    """A schema (dict/list/str name) as the JSON text posted in value_schema/key_schema."""
    return json.dumps(schema)


def post_avro(k, topic, body, ctype=AVRO2, partition=None, headers=None):
    return post_records(k, topic, body, ctype=ctype, partition=partition, headers=headers)


def assert_avro_produced(r, n, version=V2, key_id=None, value_id="any"):
    """A 200 Avro produce response of Confluent's shape with n acknowledged records. key_id /
    value_id: None (must be null), "any" (must be a positive int), or an int (must equal).
    Returns (key_schema_id, value_schema_id, [(partition, offset), ...])."""
    assert r.status_code == 200, f"expected 200, got {r.status_code}: {r.text[:800]}"
    assert media_type(r) == version, r.headers.get("Content-Type")
    body = r.json()
    assert isinstance(body, dict) and set(body) == {"key_schema_id", "value_schema_id", "offsets"}, body
    for name, want in (("key_schema_id", key_id), ("value_schema_id", value_id)):
        got = body[name]
        if want is None:
            assert got is None, body
        elif want == "any":
            assert type(got) is int and got > 0, body
        else:
            assert got == want, body
    offsets = body["offsets"]
    assert isinstance(offsets, list) and len(offsets) == n, body
    out = []
    for o in offsets:
        assert set(o) == {"partition", "offset", "error_code", "error"}, o
        assert type(o["partition"]) is int and type(o["offset"]) is int, o
        assert o["error_code"] is None and o["error"] is None, o
        out.append((o["partition"], o["offset"]))
    return body["key_schema_id"], body["value_schema_id"], out


def assert_nothing_produced(k, topic, before):
    """Nothing of a rejected request reached Kafka: a binary marker record produced afterwards
    through the same krest lands exactly at the end offset of partition 0 from before, and it
    is the only new record. `before` = end_offsets(topic) taken before the rejected request."""
    r = post_records(k, topic, {"records": [{"value": b64(MARKER), "partition": 0}]}, ctype=BIN2)
    got = assert_produced(r, 1)
    assert got == [(0, before[0])], (
        f"a rejected request produced {got[0][1] - before[0]} record(s) on partition 0"
    )
    after = end_offsets(topic)
    want = dict(before)
    want[0] = before[0] + 1
    assert after == want, (before, after)
    [rec] = read_topic(topic, start=before)
    assert rec.value == MARKER, rec


# --------------------------------------------------------------------------------------------
# Confluent's wire format


def split_wire(data):
    """0x00, 4-byte big-endian id, datum -> (id, datum); fails on anything else."""
    assert data is not None, "expected a wire-format payload, got null"
    assert len(data) >= 5, f"too short for the wire format: {data!r}"
    assert data[0] == 0, f"magic byte {data[0]} != 0: {data[:16]!r}"
    (sid,) = struct.unpack(">I", data[1:5])
    return sid, data[5:]


def wire(schema_id, datum):
    return b"\x00" + struct.pack(">I", schema_id) + datum


def deserialize(env, topic, data, key=False):
    """confluent-kafka's AvroDeserializer (a fresh registry client, so no cache) on bytes.

    Two quirks of confluent-kafka-python 2.16 (not of Avro): it refuses payloads under 6 bytes
    (a datum of 0 bytes, e.g. an empty record, is valid Avro), and it treats a top-level
    "bytes" schema as raw bytes without Avro's length prefix. For those, the datum is decoded
    with fastavro and the writer schema the registry gives for the id."""
    import io

    from confluent_kafka.schema_registry.avro import AvroDeserializer
    from confluent_kafka.serialization import MessageField, SerializationContext
    from fastavro import parse_schema, schemaless_reader

    sid, datum = split_wire(data)
    writer = json.loads(env.sr_client().get_schema(sid).schema_str)
    top_bytes = writer == "bytes" or (isinstance(writer, dict) and writer.get("type") == "bytes")
    if len(data) < 6 or top_bytes:
        buf = io.BytesIO(datum)
        out = schemaless_reader(buf, parse_schema(writer))
        assert buf.tell() == len(datum), f"{len(datum) - buf.tell()} bytes left after the datum"
        return out

    de = AvroDeserializer(env.sr_client())
    ctx = SerializationContext(topic, MessageField.KEY if key else MessageField.VALUE)
    return de(data, ctx)


def serializer(env, schema, conf=None):
    """confluent-kafka's AvroSerializer against krest's registry (auto-registers)."""
    from confluent_kafka.schema_registry.avro import AvroSerializer

    return AvroSerializer(env.sr_client(), json.dumps(schema), conf=conf or {"auto.register.schemas": True})


def serialize(ser, topic, value, key=False):
    from confluent_kafka.serialization import MessageField, SerializationContext

    return ser(value, SerializationContext(topic, MessageField.KEY if key else MessageField.VALUE))


def fastavro_from_json(schema, value):
    """The Python datum fastavro's JSON decoder makes of a value in Avro's JSON encoding (what
    AvroDeserializer should give for the same datum; logical types converted as fastavro
    does)."""
    import io

    from fastavro import json_reader, parse_schema

    text = json.dumps(value)
    recs = list(json_reader(io.StringIO(text), parse_schema(schema)))
    assert len(recs) == 1, recs
    return recs[0]


# --------------------------------------------------------------------------------------------
# Avro binary -> Avro JSON encoding, from the specification


PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}


class _Buf:
    def __init__(self, b):
        self.b = b
        self.i = 0

    def take(self, n):
        assert self.i + n <= len(self.b), f"datum ends early at {self.i} (+{n}) of {len(self.b)}"
        out = self.b[self.i : self.i + n]
        self.i += n
        return out

    def long(self):
        shift = 0
        acc = 0
        while True:
            (c,) = self.take(1)
            acc |= (c & 0x7F) << shift
            shift += 7
            if not c & 0x80:
                break
            assert shift < 70, "varint too long"
        return (acc >> 1) ^ -(acc & 1)


def _fullname(name, namespace):
    if "." in name:
        return name
    return f"{namespace}.{name}" if namespace else name


def _namespace_of(fullname):
    return fullname.rsplit(".", 1)[0] if "." in fullname else ""


class AvroJson:
    """Decodes Avro binary with a writer schema into Avro's JSON encoding (unions as
    {"<type name>": value} with full names for named types, bytes/fixed as strings of code
    points 0-255, logical types as their underlying type)."""

    def __init__(self, schema):
        self.schema = schema
        self.names = {}
        self._collect(schema, "")

    def _collect(self, s, ns):
        if isinstance(s, list):
            for b in s:
                self._collect(b, ns)
        elif isinstance(s, dict):
            t = s["type"]
            if t in ("record", "error", "enum", "fixed"):
                full = _fullname(s["name"], s.get("namespace", ns) if "." not in s["name"] else "")
                self.names[full] = (s, _namespace_of(full))
                if t in ("record", "error"):
                    for f in s["fields"]:
                        self._collect(f["type"], _namespace_of(full))
            elif t == "array":
                self._collect(s["items"], ns)
            elif t == "map":
                self._collect(s["values"], ns)
            elif isinstance(t, (dict, list)):
                self._collect(t, ns)

    def _resolve(self, s, ns):
        """(schema node, namespace) for a name reference, else (s, ns)."""
        if isinstance(s, str) and s not in PRIMITIVES:
            for cand in (_fullname(s, ns), s):
                if cand in self.names:
                    return self.names[cand]
            raise AssertionError(f"unknown type name {s!r} in namespace {ns!r}")
        if isinstance(s, dict) and s.get("type") in PRIMITIVES:
            return s["type"], ns
        if isinstance(s, dict) and isinstance(s.get("type"), (dict, list)):
            return self._resolve(s["type"], ns)
        if isinstance(s, dict) and isinstance(s.get("type"), str) and s["type"] not in (
            "record", "error", "enum", "fixed", "array", "map"
        ):
            return self._resolve(s["type"], ns)
        return s, ns

    def _branch_name(self, s, ns):
        if isinstance(s, str):
            return s if s in PRIMITIVES else self._resolve_name(s, ns)
        t = s["type"]
        if t in ("record", "error", "enum", "fixed"):
            return _fullname(s["name"], s.get("namespace", ns) if "." not in s["name"] else "")
        if t in ("array", "map") or t in PRIMITIVES:
            return t
        return self._branch_name(t, ns)

    def _resolve_name(self, s, ns):
        for cand in (_fullname(s, ns), s):
            if cand in self.names:
                return cand
        raise AssertionError(f"unknown type name {s!r}")

    def decode(self, datum):
        buf = _Buf(datum)
        out = self._read(self.schema, buf, "")
        assert buf.i == len(datum), f"{len(datum) - buf.i} bytes left after the datum: {datum!r}"
        return out

    def _read(self, s, buf, ns):
        s, ns = self._resolve(s, ns)
        if isinstance(s, list):
            idx = buf.long()
            assert 0 <= idx < len(s), f"union index {idx} out of range"
            branch = s[idx]
            if branch == "null" or (isinstance(branch, dict) and branch.get("type") == "null"):
                return None
            return {self._branch_name(branch, ns): self._read(branch, buf, ns)}
        if isinstance(s, str):
            if s == "null":
                return None
            if s == "boolean":
                (b,) = buf.take(1)
                assert b in (0, 1), f"boolean byte {b}"
                return b == 1
            if s in ("int", "long"):
                v = buf.long()
                if s == "int":
                    assert -(2**31) <= v < 2**31, v
                return v
            if s in ("float", "double"):
                v = struct.unpack("<f" if s == "float" else "<d", buf.take(4 if s == "float" else 8))[0]
                if math.isnan(v):  # Java's JsonEncoder (Jackson) quotes the non-finite values
                    return "NaN"
                if math.isinf(v):
                    return "Infinity" if v > 0 else "-Infinity"
                return v
            if s == "bytes":
                return buf.take(buf.long()).decode("latin-1")
            if s == "string":
                return buf.take(buf.long()).decode("utf-8")
            raise AssertionError(s)
        t = s["type"]
        if t in ("record", "error"):
            full = _fullname(s["name"], s.get("namespace", ns) if "." not in s["name"] else "")
            inner = _namespace_of(full)
            return {f["name"]: self._read(f["type"], buf, inner) for f in s["fields"]}
        if t == "enum":
            i = buf.long()
            assert 0 <= i < len(s["symbols"]), i
            return s["symbols"][i]
        if t == "fixed":
            return buf.take(s["size"]).decode("latin-1")
        if t == "array":
            out = []
            while True:
                n = buf.long()
                if n == 0:
                    return out
                if n < 0:
                    n = -n
                    buf.long()  # block size in bytes
                for _ in range(n):
                    out.append(self._read(s["items"], buf, ns))
        if t == "map":
            out = {}
            while True:
                n = buf.long()
                if n == 0:
                    return out
                if n < 0:
                    n = -n
                    buf.long()
                for _ in range(n):
                    key = buf.take(buf.long()).decode("utf-8")
                    out[key] = self._read(s["values"], buf, ns)
        raise AssertionError(f"unsupported schema node {s!r}")


def avro_json(schema, datum):
    return AvroJson(schema).decode(datum)


# --------------------------------------------------------------------------------------------
# Comparisons


def same(got, want, f32=False, path="$"):
    """Deep equality of JSON-like values with exact types (True is not 1, 1 is not 1.0 unless
    the expected value is a float); with f32, floats compare as float32 values."""
    if isinstance(want, float):
        assert isinstance(got, (int, float)) and not isinstance(got, bool), f"{path}: {got!r} vs {want!r}"
        if f32:
            g = struct.unpack("<f", struct.pack("<f", float(got)))[0]
            w = struct.unpack("<f", struct.pack("<f", want))[0]
            assert g == w or (math.isnan(g) and math.isnan(w)), f"{path}: {got!r} vs {want!r} (float32)"
        else:
            assert float(got) == want, f"{path}: {got!r} vs {want!r}"
        return
    if isinstance(want, bool) or want is None:
        assert got is want, f"{path}: {got!r} vs {want!r}"
        return
    if isinstance(want, int):
        assert type(got) is int, f"{path}: {got!r} ({type(got).__name__}) vs {want!r}"
        assert got == want, f"{path}: {got!r} vs {want!r}"
        return
    if isinstance(want, dict):
        assert isinstance(got, dict), f"{path}: {got!r} vs {want!r}"
        assert set(got) == set(want), f"{path}: keys {sorted(got)} vs {sorted(want)}"
        for k in want:
            same(got[k], want[k], f32, f"{path}.{k}")
        return
    if isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{path}: {got!r} vs {want!r}"
        for i, (g, w) in enumerate(zip(got, want)):
            same(g, w, f32, f"{path}[{i}]")
        return
    assert type(got) is type(want) and got == want, f"{path}: {got!r} vs {want!r}"


def same_native(got, want, f32=False, path="$"):
    """Deep equality of deserialised Python data (bytes, Decimal, date, UUID...)."""
    if isinstance(want, float) and math.isnan(want):
        assert isinstance(got, float) and math.isnan(got), f"{path}: {got!r} vs nan"
        return
    if isinstance(want, float) and f32:
        same(got, want, True, path)
        return
    if isinstance(want, dict):
        assert isinstance(got, dict) and set(got) == set(want), f"{path}: {got!r} vs {want!r}"
        for k in want:
            same_native(got[k], want[k], f32, f"{path}.{k}")
        return
    if isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{path}: {got!r} vs {want!r}"
        for i, (g, w) in enumerate(zip(got, want)):
            same_native(g, w, f32, f"{path}[{i}]")
        return
    assert type(got) is type(want) and got == want, f"{path}: {got!r} vs {want!r}"


# --------------------------------------------------------------------------------------------
# Consumers


def read_records(c, n, accept=AVRO2, deadline_s=15.0):
    """GETs …/records (Accept: accept) until n records have come; asserts 200 and the media
    type on each GET; returns the records."""
    got = []
    deadline = time.monotonic() + deadline_s
    while len(got) < n and time.monotonic() < deadline:
        r = c.records(timeout=500, accept=accept, raw=True)
        assert r.status_code == 200, f"records: {r.status_code} {r.text[:500]}"
        assert media_type(r) == accept, r.headers.get("Content-Type")
        body = r.json()
        assert isinstance(body, list), body
        got += body
    assert len(got) >= n, f"only {len(got)} of {n} records after {deadline_s} s: {got}"
    return got


def unique_name(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def topic_with_cleanup(admin, created, partitions=1):
    name = create_topic(admin, partitions=partitions)
    created.append(name)
    return name


__all__ = [
    "AVRO1",
    "AVRO2",
    "V1",
    "V2",
    "AvroEnv",
    "AvroJson",
    "assert_avro_produced",
    "assert_nothing_produced",
    "avro_json",
    "delete_topics",
    "deserialize",
    "env",
    "fastavro_from_json",
    "post_avro",
    "read_records",
    "registries",
    "same",
    "same_native",
    "serialize",
    "serializer",
    "split_wire",
    "sjson",
    "start_avro_env",
    "unique_name",
    "wait_until",
    "wire",
]
