"""Response compression and request body codecs (issue 18): Accept-Encoding negotiation as
RFC 9110 §12.5.3 says (q-values, identity;q=0, *, unknown codings), every codec's response
decoded here equal to the identity body, bodies that do not shrink sent uncompressed, large
compressible reads compressed (on the worker pool), Content-Encoding request bodies of every
codec produced to Kafka and their bombs refused with 413. Kafka's side is read with
confluent-kafka."""

import base64
import gzip
import json
import os
import subprocess
import zlib

import brotli
import pytest
import requests
from backports import zstd

from conftest import (
    BIN2,
    JSON2,
    KrestFactory,
    assert_error,
    assert_produced,
    b64,
    clean_env,
    create_consumer,
    create_topic,
    decode,
    delete_live_consumers,
    delete_topics,
    end_offsets,
    free_port,
    post_records,
    produce_many,
    read_n,
    raw_get,
    read_topic,
)


@pytest.fixture(scope="module")
def factory(tmp_path_factory, kafka_bootstrap, krest_bin):
    f = KrestFactory(tmp_path_factory.mktemp("krest-compression"))
    yield f
    f.teardown()


@pytest.fixture(scope="module")
def k(factory):
    return factory()


@pytest.fixture(scope="module")
def topic_path(k, admin):
    """A topic whose GET answer is several KiB (configs, 40 partitions): compressible."""
    name = create_topic(admin, partitions=40)
    path = f"/topics/{name}"
    r = requests.get(k.url + path, headers={"Accept-Encoding": "identity"}, timeout=10)
    assert r.status_code == 200 and len(r.content) > 2048, r.text[:200]
    yield path
    delete_topics(admin, [name])


@pytest.fixture(autouse=True)
def _delete_instances():
    yield
    delete_live_consumers()


# --- negotiation --------------------------------------------------------------------------------

NEGOTIATION = [
    ("gzip", "gzip"),
    ("x-gzip", "gzip"),
    ("deflate", "deflate"),
    ("br", "br"),
    ("zstd", "zstd"),
    ("gzip, deflate", "gzip"),
    ("gzip, deflate, br, zstd", "zstd"),  # equal q: zstd > br > gzip > deflate
    ("deflate, gzip", "gzip"),
    ("gzip;q=1.0, zstd;q=0.5", "gzip"),
    ("br;q=0.9, gzip;q=0.8, zstd;q=0.1", "br"),
    ("GZIP;Q=0.5", "gzip"),
    ("*", "zstd"),
    ("*;q=0.5, deflate", "deflate"),
    ("gzip;q=0", None),
    ("gzip;q=0, *", "zstd"),
    ("foo, bar;q=1", None),  # unknown codings are ignored
    ("foo, deflate;q=0.1", "deflate"),
    ("identity", None),
    ("identity;q=1, gzip;q=0.5", None),  # the client prefers identity
    ("gzip;q=0.5, identity;q=0.5", "gzip"),
    ("", None),
    (None, None),  # no header: anything goes, identity is chosen
    ("gzip;q=2", None),  # a malformed weight drops the element
    ("gzip;q=abc, br", "br"),
]


@pytest.mark.parametrize("ae,expected", NEGOTIATION, ids=[repr(a) for a, _ in NEGOTIATION])
def test_negotiation(k, topic_path, ae, expected):
    _, identity = raw_get(k, topic_path, "identity")
    r, raw = raw_get(k, topic_path, ae)
    assert r.status_code == 200
    assert r.headers.get("Content-Encoding") == expected
    assert r.headers.get("Vary") == "Accept-Encoding"
    body = decode(expected, raw)
    assert json.loads(body) == json.loads(identity)
    if expected:
        assert len(raw) < 0.5 * len(identity)


@pytest.mark.parametrize("ae", ["identity;q=0", "identity;q=0, foo", "*;q=0", "br;q=0, *;q=0"])
def test_nothing_acceptable_406(k, topic_path, ae):
    r, raw = raw_get(k, topic_path, ae)
    assert r.status_code == 406
    assert "Content-Encoding" not in r.headers
    j = json.loads(raw)
    assert j["error_code"] == 406 and "Accept-Encoding" in j["message"], j


def test_identity_refused_compresses_even_small_bodies(k):
    """identity;q=0: the client cannot take an uncompressed body, however small."""
    r, raw = raw_get(k, "/", "identity;q=0, gzip")
    assert r.status_code == 200 and r.headers.get("Content-Encoding") == "gzip"
    assert json.loads(gzip.decompress(raw)) == {}


def test_small_body_not_compressed(k):
    r, raw = raw_get(k, "/", "gzip, deflate, br, zstd")
    assert r.status_code == 200 and "Content-Encoding" not in r.headers
    assert r.headers.get("Vary") == "Accept-Encoding"
    assert json.loads(raw) == {}


def test_default_client_sends_every_codec(k, topic_path):
    """The suite's client (requests with brotli and backports.zstd) offers all four codecs and
    decodes what krest picks: zstd."""
    assert requests.utils.default_headers()["Accept-Encoding"] == "gzip, deflate, br, zstd"
    r = requests.get(k.url + topic_path, timeout=10)
    assert r.status_code == 200 and r.headers.get("Content-Encoding") == "zstd"
    assert r.json()["name"] == topic_path.rsplit("/", 1)[1]


def test_codecs_key_limits_the_offer(factory, topic_path):
    kk = factory("--krest.compression.codecs=gzip", "--krest.compression.level=6")
    r, raw = raw_get(kk, topic_path, "zstd, br, gzip;q=0.1")
    assert r.headers.get("Content-Encoding") == "gzip"
    assert json.loads(gzip.decompress(raw))["name"]
    r, _ = raw_get(kk, topic_path, "zstd, br")
    assert r.status_code == 200 and "Content-Encoding" not in r.headers
    r, _ = raw_get(kk, topic_path, "zstd, identity;q=0")
    assert r.status_code == 406


def test_compression_enable_false_turns_everything_off(factory, topic_path):
    kk = factory("--compression.enable=false")
    r, raw = raw_get(kk, topic_path, "gzip, deflate, br, zstd")
    assert r.status_code == 200 and "Content-Encoding" not in r.headers
    assert "Vary" not in r.headers
    assert json.loads(raw)["name"]


def test_min_bytes(factory, topic_path):
    kk = factory("--krest.compression.min.bytes=1000000")
    r, _ = raw_get(kk, topic_path, "gzip")
    assert r.status_code == 200 and "Content-Encoding" not in r.headers


@pytest.mark.parametrize("flag", ["--krest.compression.codecs=gzip,lzma", "--krest.compression.level=10"])
def test_bad_compression_config_exits_nonzero(krest_bin, kafka_bootstrap, flag):
    p = subprocess.run(
        [krest_bin, f"--bootstrap.servers={kafka_bootstrap}", f"--listeners=http://127.0.0.1:{free_port()}",
         "--krest.schema.registry.listeners=", flag],
        capture_output=True, stdin=subprocess.DEVNULL, timeout=20, env=clean_env(),
    )
    out = (p.stdout + p.stderr).decode(errors="replace")
    assert p.returncode != 0, out
    assert flag.split("=")[0][2:] in out, out


# --- consumer reads: compressible and incompressible --------------------------------------------


def read_all_raw(k, c, n, ae, accept):
    """Reads n records with Accept-Encoding ae: (records, [(Content-Encoding, wire bytes,
    identity bytes)])."""
    got, wire = [], []
    for _ in range(60):
        if len(got) >= n:
            break
        r, raw = raw_get(
            k, c.path + "/records?timeout=1000&max_bytes=67108864", ae, {"Accept": accept}
        )
        assert r.status_code == 200, raw[:300]
        enc = r.headers.get("Content-Encoding")
        plain = decode(enc, raw)
        recs = json.loads(plain)
        if recs:
            wire.append((enc, len(raw), len(plain)))
        got += recs
    assert len(got) == n
    return got, wire


def test_incompressible_read_sent_uncompressed(k, admin, kafka_bootstrap):
    t = create_topic(admin)
    try:
        values = [os.urandom(1024) for _ in range(400)]  # ~550 KB of base64: the offload size
        produce_many(kafka_bootstrap, t, [{"value": v} for v in values])
        c = create_consumer(k, body={"format": "binary", "auto.offset.reset": "earliest"})
        c.subscribe([t])
        got, wire = read_all_raw(k, c, len(values), "gzip, deflate", BIN2)
        assert [base64.b64decode(x["value"]) for x in got] == values
        assert all(enc is None for enc, _, _ in wire), wire
    finally:
        delete_topics(admin, [t])


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "zstd"])
def test_compressible_read_compressed(k, admin, kafka_bootstrap, coding):
    t = create_topic(admin)
    try:
        values = [
            {"id": i, "name": f"user-{i % 100}", "count": i % 7, "active": True, "tags": ["a", "b"]}
            for i in range(5000)
        ]
        produce_many(kafka_bootstrap, t, [{"value": json.dumps(v).encode()} for v in values])
        c = create_consumer(k, body={"format": "json", "auto.offset.reset": "earliest"})
        c.subscribe([t])
        got, wire = read_all_raw(k, c, len(values), coding, JSON2)
        assert [x["value"] for x in got] == values
        assert all(enc == coding for enc, _, _ in wire), wire
        sent, plain = sum(w for _, w, _ in wire), sum(p for _, _, p in wire)
        assert sent <= 0.4 * plain, (sent, plain)
    finally:
        delete_topics(admin, [t])


# --- request bodies -----------------------------------------------------------------------------

LIMIT = 1048576


@pytest.fixture(scope="module")
def small(factory):
    return factory(f"--krest.max.request.size={LIMIT}")


@pytest.fixture(scope="module")
def ptopic(admin):
    name = create_topic(admin)
    yield name
    delete_topics(admin, [name])


ENCODERS = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": zstd.compress,
}


@pytest.mark.parametrize("coding", sorted(ENCODERS))
def test_request_body_codec(small, ptopic, coding):
    before = end_offsets(ptopic)
    vals = [b"%s-%d" % (coding.encode(), i) for i in range(10)]
    body = json.dumps({"records": [{"value": b64(v)} for v in vals]}).encode()
    r = post_records(small, ptopic, ENCODERS[coding](body), headers={"Content-Encoding": coding})
    assert assert_produced(r, 10) == [(0, before[0] + i) for i in range(10)]
    assert [x.value for x in read_topic(ptopic, start=before)] == vals


@pytest.mark.parametrize("coding", ["gzip", "zstd"])
def test_request_body_of_several_members(small, ptopic, coding):
    """A gzip body of several members (RFC 1952 2.2) and a zstd body of several frames
    (RFC 8878 3) decode to their concatenation, as gzip -d and zstd -d do."""
    before = end_offsets(ptopic)
    vals = [b"%s-multi-%d" % (coding.encode(), i) for i in range(10)]
    body = json.dumps({"records": [{"value": b64(v)} for v in vals]}).encode()
    cut = len(body) // 3
    parts = [body[:cut], body[cut : 2 * cut], b"", body[2 * cut :]]
    data = b"".join(ENCODERS[coding](p) for p in parts)
    r = post_records(small, ptopic, data, headers={"Content-Encoding": coding})
    assert assert_produced(r, 10) == [(0, before[0] + i) for i in range(10)]
    assert [x.value for x in read_topic(ptopic, start=before)] == vals
    # junk after the last member is still refused
    r = post_records(small, ptopic, data + b"trailing", headers={"Content-Encoding": coding})
    assert_error(r, 400, 400)


def test_inflated_body_counts_against_buffered_bytes(factory, ptopic):
    """krest.max.buffered.bytes bounds the request bodies krest holds: an inflated body counts
    with its inflated size (a small gzip body must not hold megabytes past the budget), and
    the same body sent as it is is refused alike."""
    k = factory("--krest.max.buffered.bytes=1048576", "--krest.max.request.size=8388608")
    before = end_offsets(ptopic)
    body = json.dumps({"records": [{"value": b64(bytes(3 << 20))}]}).encode()  # 4 MiB of JSON
    r = post_records(k, ptopic, body)
    assert_error(r, 503, 503)
    r = post_records(k, ptopic, gzip.compress(body), headers={"Content-Encoding": "gzip"})
    err = assert_error(r, 503, 503)
    assert "buffer" in err["message"], err
    assert end_offsets(ptopic) == before
    # the budget was given back: a small compressed body still goes through
    small = json.dumps({"records": [{"value": b64(b"ok")}]}).encode()
    r = post_records(k, ptopic, gzip.compress(small), headers={"Content-Encoding": "gzip"})
    assert assert_produced(r, 1) == [(0, before[0])]


def bomb(coding):
    """~100 MiB of zeros in that coding (a few hundred KiB at most)."""
    zeros = bytes(100 << 20)
    if coding == "gzip":
        return gzip.compress(zeros, 6)
    if coding == "deflate":
        return zlib.compress(zeros, 6)
    if coding == "br":
        return brotli.compress(zeros, quality=5)
    return zstd.compress(zeros)


def vm_hwm_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("VmHWM")


@pytest.mark.parametrize("coding", sorted(ENCODERS))
def test_request_bomb_413(small, ptopic, coding):
    data = bomb(coding)
    assert len(data) < 300_000
    before = end_offsets(ptopic)
    hwm = vm_hwm_kib(small.proc.pid)
    r = post_records(small, ptopic, data, headers={"Content-Encoding": coding})
    assert_error(r, 413, 413)
    assert r.elapsed.total_seconds() < 5
    assert vm_hwm_kib(small.proc.pid) - hwm < 40 * 1024
    assert end_offsets(ptopic) == before


@pytest.mark.parametrize("coding", sorted(ENCODERS))
def test_request_body_garbage_400(small, ptopic, coding):
    good = ENCODERS[coding](b'{"records":[{"value":"YQ=="}]}')
    for data in (b"not compressed at all", good[: len(good) // 2], good + b"trailing"):
        r = post_records(small, ptopic, data, headers={"Content-Encoding": coding})
        assert_error(r, 400, 400)


def test_request_unknown_coding_415(small, ptopic):
    r = post_records(small, ptopic, b"xx", headers={"Content-Encoding": "lzma"})
    err = assert_error(r, 415, 415)
    assert "lzma" in err["message"]
