"""Consumer instances, the data side: the seed's v1 walkthrough, first read after subscribe,
seek, commit and resume, groups splitting partitions, formats, v2 extras, max_bytes, order,
auto-commit (issue 5; API.md section K, §1.6, §1.6b, §2.4, §2.5). Data is produced with
confluent_kafka.Producer; committed offsets and group membership are checked with
confluent-kafka too."""

import base64
import json
import time
from datetime import datetime, timezone

import pytest

from conftest import (
    BIN1,
    BIN2,
    JSON1,
    JSON2,
    LIVE_CONSUMERS,
    V1,
    V2,
    RestConsumer,
    assert_error,
    create_consumer,
    delete_live_consumers,
    group_members,
    kafka_committed,
    media_type,
    produce_many,
    read_n,
    unique_group,
    wait_until,
)


@pytest.fixture(autouse=True)
def _delete_instances(new_topic):
    """Deletes the instances a test left behind before its topics go."""
    yield
    delete_live_consumers()


def b64(b):
    return base64.b64encode(b).decode()


def buffered_bytes(k):
    """krest's krest_consumer_buffer_bytes gauge: key and value bytes buffered in its consumer
    instances (a test polls it instead of sleeping until records are buffered)."""
    from prometheus_client.parser import text_string_to_metric_families

    for f in text_string_to_metric_families(k.get("/metrics").text):
        if f.name == "krest_consumer_buffer_bytes":
            return sum(s.value for s in f.samples)
    return 0


def positions(recs):
    return [(r["partition"], r["offset"]) for r in recs]


def read_until_quiet(c, **kw):
    """Reads until a GET answers empty; returns everything read."""
    out = []
    while True:
        got = c.records(**kw)
        if not got:
            return out
        out += got


# --- the seed walkthrough, v1, binary -----------------------------------------------------------


def test_v1_seed_walkthrough_binary(krest, new_topic, kafka_bootstrap):
    t = new_topic()
    produce_many(kafka_bootstrap, t, [{"value": b"testUser"}, {"value": b"testUser2"}])
    g = unique_group("my_binary_consumer")
    r = krest.post(
        f"/consumers/{g}",
        data='{"format": "binary", "auto.offset.reset": "smallest"}',
        headers={"Content-Type": V1},
    )
    assert r.status_code == 200, r.text
    assert media_type(r) == V1
    j = r.json()
    assert set(j) == {"instance_id", "base_uri"}, j
    name = j["instance_id"]
    LIVE_CONSUMERS.append(RestConsumer(krest, g, name))  # deleted at teardown if we fail early
    assert j["base_uri"] == f"{krest.url}/consumers/{g}/instances/{name}"
    r = krest.get(f"/consumers/{g}/instances/{name}/topics/{t}", headers={"Accept": BIN1})
    assert r.status_code == 200, r.text
    assert media_type(r) == BIN1
    # both records on the FIRST read, in exactly Confluent's v1 shape
    assert r.json() == [
        {"key": None, "value": b64(b"testUser"), "partition": 0, "offset": 0},
        {"key": None, "value": b64(b"testUser2"), "partition": 0, "offset": 1},
    ]
    r = krest.request("DELETE", f"/consumers/{g}/instances/{name}", headers={"Accept": "*/*"})
    assert r.status_code == 204, r.text
    assert r.content == b""


def test_v1_first_read_returns_all_buffered(krest, new_topic, kafka_bootstrap):
    """Several rounds of the walkthrough with 5 records in one partition: the first read
    hands out all of them (a fetch brings the whole batch)."""
    t = new_topic()
    produce_many(kafka_bootstrap, t, [{"value": b"r%d" % i} for i in range(5)])
    for _ in range(4):
        c = create_consumer(
            krest, body={"format": "binary", "auto.offset.reset": "smallest"}, ctype=V1
        )
        r = c.req("GET", f"/topics/{t}", headers={"Accept": BIN1})
        assert r.status_code == 200, r.text
        assert positions(r.json()) == [(0, i) for i in range(5)], r.json()
        assert c.delete().status_code == 204


# --- first read after subscribe ----------------------------------------------------------------


def test_v2_first_poll_after_subscribe_returns_data(krest, new_topic, kafka_bootstrap):
    t = new_topic()
    produce_many(kafka_bootstrap, t, [{"value": b"x%d" % i} for i in range(5)])
    c = create_consumer(krest, body={"auto.offset.reset": "earliest"})
    c.subscribe([t])
    gets = 0
    got = []
    t0 = time.monotonic()
    while not got and gets < 20:
        r = c.records(timeout=500, accept=None, raw=True)  # no Accept: binary
        assert r.status_code == 200, r.text
        assert media_type(r) == BIN2, r.headers
        got = r.json()
        gets += 1
    assert got, "no data after 20 GETs"
    assert gets == 1, f"the first data came on GET number {gets}"
    assert time.monotonic() - t0 < 5.5
    assert positions(got) == [(0, i) for i in range(len(got))]
    rest = read_until_quiet(c)
    assert positions(got + rest) == [(0, i) for i in range(5)]


def test_v1_first_read_after_subscribe_3_partitions(krest, new_topic, kafka_bootstrap):
    t = new_topic(partitions=3)
    produce_many(kafka_bootstrap, t, [{"value": b"x", "partition": p} for p in (0, 1, 2)])
    c = create_consumer(krest, body={"auto.offset.reset": "smallest"}, ctype=V1)
    r = c.req("GET", f"/topics/{t}", headers={"Accept": BIN1})
    assert r.status_code == 200, r.text
    assert r.json(), "first v1 read returned nothing"


# --- seek ---------------------------------------------------------------------------------------


def read_exactly(c, n, **kw):
    """Reads until n records have come (a seek may take a fetch round trip to show), then
    once more, which must answer empty; returns the n records."""
    got, _ = read_n(c, n, 10, **kw)
    more = c.records(timeout=300)
    return got + more


# Seeks here come after a first read: a seek straight after POST …/assignments is tested on its
# own (test_consumer.py::test_positions_right_after_assign).


def test_seek_then_read_exact_offsets(krest, new_topic, kafka_bootstrap):
    t = new_topic()
    produce_many(kafka_bootstrap, t, [{"value": b"v%d" % i} for i in range(10)])
    c = create_consumer(krest, body={"auto.offset.reset": "earliest"})
    c.assign(t, [0])
    assert positions(read_exactly(c, 10)) == [(0, i) for i in range(10)]
    c.seek(t, 0, 7)
    got = read_exactly(c, 3)
    assert positions(got) == [(0, 7), (0, 8), (0, 9)]
    assert [base64.b64decode(r["value"]) for r in got] == [b"v7", b"v8", b"v9"]
    # back again: exactly from 3
    c.seek(t, 0, 3)
    assert positions(read_exactly(c, 7)) == [(0, i) for i in range(3, 10)]
    # beginning
    r = c.req("POST", "/positions/beginning", {"partitions": [{"topic": t, "partition": 0}]})
    assert r.status_code == 204, r.text
    assert positions(read_exactly(c, 10)) == [(0, i) for i in range(10)]
    # end: nothing until something new comes, then only the new record
    c.seek(t, 0, 2)
    r = c.req("POST", "/positions/end", {"partitions": [{"topic": t, "partition": 0}]})
    assert r.status_code == 204, r.text
    assert c.records(timeout=800) == []
    produce_many(kafka_bootstrap, t, [{"value": b"new"}])
    assert positions(read_exactly(c, 1)) == [(0, 10)]


def test_seek_subscribed_drops_buffered_records(krest, new_topic, kafka_bootstrap):
    """With a subscription: records already buffered for a re-seeked partition are dropped;
    the next read starts exactly at the offset asked."""
    t = new_topic()
    produce_many(kafka_bootstrap, t, [{"value": b"v%d" % i} for i in range(30)])
    c = create_consumer(krest, body={"auto.offset.reset": "earliest"})
    c.subscribe([t])
    first, _ = read_n(c, 1, 10, max_bytes=3)  # one record; the rest stay buffered
    assert positions(first) == [(0, 0)]
    # polled: v1..v29 (78 bytes) are buffered before the seek drops them
    assert wait_until(lambda: buffered_bytes(krest) >= 78, 15), buffered_bytes(krest)
    c.seek(t, 0, 20)
    assert positions(read_exactly(c, 10)) == [(0, i) for i in range(20, 30)]
    # the optional "metadata" of a position is accepted
    body = {"offsets": [{"topic": t, "partition": 0, "offset": 5, "metadata": "m"}]}
    r = c.req("POST", "/positions", body)
    assert r.status_code == 204, r.text
    got, _ = read_n(c, 1, 10, max_bytes=3)
    assert positions(got) == [(0, 5)]


def iso(ms):
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{ms % 1000:03d}Z"
    )


def test_seek_by_timestamp(krest, new_topic, kafka_bootstrap):
    t = new_topic()
    base = 1767225600000  # 2026-01-01T00:00:00.000Z
    produce_many(
        kafka_bootstrap, t, [{"value": b"v%d" % i, "timestamp": base + 1000 * i} for i in range(5)]
    )
    c = create_consumer(krest, body={"auto.offset.reset": "earliest"})
    c.assign(t, [0])
    assert len(read_exactly(c, 5)) == 5
    body = {"timestamps": [{"topic": t, "partition": 0, "timestamp": iso(base + 2000)}]}
    r = c.req("POST", "/positions", body)
    assert r.status_code == 204, r.text
    assert positions(read_exactly(c, 3)) == [(0, 2), (0, 3), (0, 4)]
    # a time between two records: the first at or after it
    body = {"timestamps": [{"topic": t, "partition": 0, "timestamp": iso(base + 500)}]}
    assert c.req("POST", "/positions", body).status_code == 204
    assert positions(read_exactly(c, 4)) == [(0, i) for i in range(1, 5)]
    # after the last record: nothing to read until a new one comes
    body = {"timestamps": [{"topic": t, "partition": 0, "timestamp": iso(base + 60000)}]}
    assert c.req("POST", "/positions", body).status_code == 204
    assert c.records(timeout=800) == []


@pytest.mark.parametrize(
    "ts", ["2026-01-01T00:00:03Z", "2026-01-01T00:00:03.000000Z", "2026-01-01T01:00:03.000+01:00"]
)
def test_seek_by_timestamp_iso_spellings(krest, new_topic, kafka_bootstrap, ts):
    t = new_topic()
    base = 1767225600000  # 2026-01-01T00:00:00.000Z
    produce_many(
        kafka_bootstrap, t, [{"value": b"v%d" % i, "timestamp": base + 1000 * i} for i in range(5)]
    )
    c = create_consumer(krest, body={"auto.offset.reset": "earliest"})
    c.assign(t, [0])
    assert len(read_exactly(c, 5)) == 5
    body = {"timestamps": [{"topic": t, "partition": 0, "timestamp": ts}]}
    r = c.req("POST", "/positions", body)
    assert r.status_code == 204, (ts, r.text)
    assert positions(read_exactly(c, 2)) == [(0, 3), (0, 4)], ts


# --- commit and resume ----------------------------------------------------------------------------


def test_commit_then_get_offsets_and_resume(
    krest, new_topic, kafka_bootstrap, consumer_offsets_exists
):
    t = new_topic(partitions=2)
    produce_many(kafka_bootstrap, t, [{"value": b"v%d" % i, "partition": 0} for i in range(10)])
    g = unique_group()
    body = {"auto.offset.reset": "earliest", "auto.commit.enable": "false"}
    a = create_consumer(krest, g, body)
    a.subscribe([t])
    got, _ = read_n(a, 10, 15)
    assert positions(got) == [(0, i) for i in range(10)]
    r = a.req("POST", "/offsets", {"offsets": [{"topic": t, "partition": 0, "offset": 4}]})
    assert r.status_code == 200, r.text
    assert media_type(r) == V2
    assert r.json() == []
    # offset + 1: the next one to read, as krest and as Kafka see it
    j = a.committed(t, [0])
    assert j == {"offsets": [{"topic": t, "partition": 0, "offset": 5, "metadata": ""}]}, j
    assert kafka_committed(kafka_bootstrap, g, t, [0, 1]) == {0: 5, 1: None}
    assert a.delete().status_code == 204
    # a new instance of the group resumes there
    b = create_consumer(krest, g, body)
    b.subscribe([t])
    got, _ = read_n(b, 5, 15)
    assert positions(got) == [(0, i) for i in range(5, 10)], got


def test_get_offsets_omits_uncommitted_partitions(krest, new_topic, consumer_offsets_exists):
    t = new_topic(partitions=2)
    c = create_consumer(krest)
    c.assign(t, [0, 1])
    r = c.req("POST", "/offsets", {"offsets": [{"topic": t, "partition": 1, "offset": 41}]})
    assert r.status_code == 200, r.text
    j = c.committed(t, [0, 1])
    assert j == {"offsets": [{"topic": t, "partition": 1, "offset": 42, "metadata": ""}]}, j


def test_commit_with_metadata(krest, new_topic, kafka_bootstrap, consumer_offsets_exists):
    t = new_topic()
    g = unique_group()
    c = create_consumer(krest, g)
    c.assign(t, [0])
    body = {"offsets": [{"topic": t, "partition": 0, "offset": 9, "metadata": "checkpoint-1"}]}
    r = c.req("POST", "/offsets", body)
    assert r.status_code == 200, r.text
    j = c.committed(t, [0])
    assert j == {
        "offsets": [{"topic": t, "partition": 0, "offset": 10, "metadata": "checkpoint-1"}]
    }
    assert kafka_committed(kafka_bootstrap, g, t, [0]) == {0: 10}


def test_commit_all_handed_out(krest, new_topic, kafka_bootstrap, consumer_offsets_exists):
    """An empty commit commits exactly what was handed to the client, not what is buffered."""
    t = new_topic()
    produce_many(kafka_bootstrap, t, [{"value": b"0123456789"} for _ in range(20)])
    g = unique_group()
    c = create_consumer(krest, g, {"auto.offset.reset": "earliest", "auto.commit.enable": "false"})
    c.subscribe([t])
    got, _ = read_n(c, 1, 10, max_bytes=35)  # at most 3 records of 10 bytes
    assert 1 <= len(got) <= 3, positions(got)
    time.sleep(0.3)  # let the rest be buffered
    n = len(got)
    r = c.req("POST", "/offsets")
    assert r.status_code == 200, r.text
    assert r.json() == []
    assert kafka_committed(kafka_bootstrap, g, t, [0]) == {0: n}
    assert c.committed(t, [0])["offsets"] == [
        {"topic": t, "partition": 0, "offset": n, "metadata": ""}
    ]


def test_auto_commit_resumes_after_handed_out(
    krest, new_topic, kafka_bootstrap, consumer_offsets_exists
):
    t = new_topic()
    produce_many(kafka_bootstrap, t, [{"value": b"0123456789"} for _ in range(20)])
    g = unique_group()
    body = {"auto.offset.reset": "earliest", "auto.commit.enable": "true"}
    a = create_consumer(krest, g, body)
    a.subscribe([t])
    got, _ = read_n(a, 3, 15, max_bytes=35)
    n = len(got)
    assert positions(got) == [(0, i) for i in range(n)]
    time.sleep(0.3)  # the rest is buffered in krest, never handed out
    assert a.delete().status_code == 204
    assert kafka_committed(kafka_bootstrap, g, t, [0]) == {0: n}
    b = create_consumer(krest, g, body)
    b.subscribe([t])
    got, _ = read_n(b, 1, 10)
    assert got and got[0]["offset"] == n, positions(got)


def test_v1_commit(krest, new_topic, kafka_bootstrap, consumer_offsets_exists):
    t = new_topic(partitions=2)
    produce_many(kafka_bootstrap, t, [{"value": b"v", "partition": i % 2} for i in range(6)])
    g = unique_group()
    c = create_consumer(krest, g, {"format": "binary", "auto.offset.reset": "smallest"}, ctype=V1)
    got = []
    deadline = time.monotonic() + 10
    while len(got) < 6 and time.monotonic() < deadline:
        r = c.req("GET", f"/topics/{t}", headers={"Accept": BIN1})
        assert r.status_code == 200, r.text
        got += r.json()
    assert sorted(positions(got)) == [(p, o) for p in (0, 1) for o in range(3)]
    r = c.req("POST", "/offsets", b"", ctype=V1, headers={"Accept": V1})
    assert r.status_code == 200, r.text
    assert media_type(r) == V1
    body = r.json()
    assert sorted(body, key=lambda x: x["partition"]) == [
        {"topic": t, "partition": 0, "consumed": 2, "committed": 2},
        {"topic": t, "partition": 1, "consumed": 2, "committed": 2},
    ], body
    assert kafka_committed(kafka_bootstrap, g, t, [0, 1]) == {0: 3, 1: 3}


def test_v1_commit_content_type_only(krest, new_topic, kafka_bootstrap, consumer_offsets_exists):
    """The v1 commit as v1 clients send it: Content-Type v1, no Accept (requests: */*)."""
    t = new_topic()
    produce_many(kafka_bootstrap, t, [{"value": b"v"}])
    c = create_consumer(krest, body={"auto.offset.reset": "smallest"}, ctype=V1)
    r = c.req("GET", f"/topics/{t}", headers={"Accept": BIN1})
    assert positions(r.json()) == [(0, 0)]
    r = c.k.post(c.path + "/offsets", headers={"Content-Type": V1})
    assert r.status_code == 200, r.text
    assert media_type(r) == V1, r.headers
    assert r.json() == [{"topic": t, "partition": 0, "consumed": 0, "committed": 0}]


# --- groups -------------------------------------------------------------------------------------


def test_two_instances_split_then_take_over(krest, new_topic, kafka_bootstrap, admin):
    t = new_topic(partitions=3)
    recs = [{"value": b"p%d-%d" % (i % 3, i // 3), "partition": i % 3} for i in range(30)]
    produce_many(kafka_bootstrap, t, recs)
    g = unique_group()
    body = {"auto.offset.reset": "earliest", "auto.commit.enable": "false"}
    a = create_consumer(krest, g, body)
    b = create_consumer(krest, g, body)
    a.subscribe([t])
    b.subscribe([t])
    a.records(timeout=500)  # both join; A may read some before the split
    read_b = b.records(timeout=500)
    everything = {(t, p) for p in range(3)}

    def split():
        sa, sb = set(a.assignments()), set(b.assignments())
        return sa and sb and not (sa & sb) and (sa | sb) == everything and (sa, sb)

    assert wait_until(split, 20, 0.2), (a.assignments(), b.assignments())
    assert group_members(admin, g) == 2
    # each reads only from its own partitions
    sa, sb = split()
    after_a = read_until_quiet(a)
    after_b = read_until_quiet(b)
    assert all((t, r["partition"]) in sa for r in after_a), (sa, positions(after_a))
    assert all((t, r["partition"]) in sb for r in after_b), (sb, positions(after_b))
    read_b += after_b
    # delete one: the other gets every partition and every record within 30 s
    assert a.delete().status_code == 204
    deadline = time.monotonic() + 30
    seen = {(r["partition"], r["offset"]) for r in read_b}
    want = {(p, o) for p in range(3) for o in range(10)}
    while time.monotonic() < deadline and (seen != want or set(b.assignments()) != everything):
        seen |= {(r["partition"], r["offset"]) for r in b.records(timeout=500)}
    assert set(b.assignments()) == everything
    assert seen == want, sorted(want - seen)
    assert group_members(admin, g) == 1


def test_delete_leaves_group_at_once(krest, new_topic, kafka_bootstrap, admin):
    t = new_topic()
    produce_many(kafka_bootstrap, t, [{"value": b"x"}])
    c = create_consumer(krest, body={"auto.offset.reset": "earliest"})
    c.subscribe([t])
    got, _ = read_n(c, 1, 10)
    assert got
    assert wait_until(lambda: group_members(admin, c.group) == 1, 5, 0.1)
    t0 = time.monotonic()
    assert c.delete().status_code == 204
    assert wait_until(lambda: group_members(admin, c.group) == 0, 5, 0.1)
    assert time.monotonic() - t0 < 3


# --- formats and record shapes -----------------------------------------------------------------


def test_json_format_roundtrip(krest, new_topic, kafka_bootstrap):
    t = new_topic()
    values = [{"a": 1, "b": [True, None, "x"]}, [1, 2.5, "é"], "text", 42, None]
    recs = [
        {
            "key": json.dumps("k%d" % i).encode() if i != 3 else None,
            "value": None if v is None else json.dumps(v).encode(),
        }
        for i, v in enumerate(values)
    ]
    produce_many(kafka_bootstrap, t, recs)
    c = create_consumer(krest, body={"format": "json", "auto.offset.reset": "earliest"})
    c.subscribe([t])
    got, _ = read_n(c, 5, 15, accept=JSON2)
    assert len(got) == 5
    r = c.records(raw=True, accept=JSON2)
    assert r.status_code == 200 and media_type(r) == JSON2, r.text
    for i, (rec, v) in enumerate(zip(got, values)):
        assert rec["topic"] == t and rec["partition"] == 0 and rec["offset"] == i, rec
        assert rec["value"] == v, rec
        assert rec["key"] == (None if i == 3 else "k%d" % i), rec
        assert set(rec) == {"topic", "key", "value", "partition", "offset", "timestamp"}, rec


def test_json_format_v1_shapes(krest, new_topic, kafka_bootstrap):
    t = new_topic()
    produce_many(kafka_bootstrap, t, [{"value": b'{"n":1}'}])
    c = create_consumer(krest, body={"format": "json", "auto.offset.reset": "smallest"}, ctype=V1)
    r = c.req("GET", f"/topics/{t}", headers={"Accept": JSON1})
    assert r.status_code == 200, r.text
    assert media_type(r) == JSON1
    assert r.json() == [{"key": None, "value": {"n": 1}, "partition": 0, "offset": 0}]
    assert_error(c.req("GET", f"/topics/{t}", headers={"Accept": BIN1}), 406, 40601)


def test_json_format_undecodable_record(krest, new_topic, kafka_bootstrap):
    """A record that is not JSON: 408/40801 naming topic, partition and offset, and the
    position stays on it until the client seeks past it."""
    t = new_topic()
    produce_many(
        kafka_bootstrap,
        t,
        [{"value": b'{"ok":0}'}, {"value": b"{not json"}, {"value": b'{"ok":2}'}],
    )
    c = create_consumer(krest, body={"format": "json", "auto.offset.reset": "earliest"})
    c.assign(t, [0])
    good = []
    r = None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        r = c.records(accept=JSON2, raw=True)
        if r.status_code != 200:
            break
        good += r.json()
    assert positions(good) == [(0, 0)], positions(good)
    body = assert_error(r, 408, 40801)
    assert t in body["message"] and "1" in body["message"], body
    assert_error(c.records(accept=JSON2, raw=True), 408, 40801)
    c.seek(t, 0, 2)
    got, _ = read_n(c, 1, 10, accept=JSON2)
    assert [(x["offset"], x["value"]) for x in got] == [(2, {"ok": 2})]


def test_one_instance_table_across_versions(
    krest, new_topic, kafka_bootstrap, consumer_offsets_exists
):
    """An instance made through v1 is driven through v2 routes (and shapes), and back."""
    t = new_topic()
    produce_many(kafka_bootstrap, t, [{"value": b"a"}, {"value": b"b"}])
    c = create_consumer(krest, body={"format": "binary", "auto.offset.reset": "smallest"}, ctype=V1)
    c.subscribe([t])
    got, _ = read_n(c, 1, 10, accept=BIN2, max_bytes=1)
    assert got == [
        {
            "topic": t,
            "key": None,
            "value": b64(b"a"),
            "partition": 0,
            "offset": 0,
            "timestamp": got[0]["timestamp"],
        }
    ]
    r = c.req("POST", "/offsets")
    assert r.status_code == 200 and r.json() == [], r.text
    r = c.req("GET", f"/topics/{t}", headers={"Accept": BIN1})
    assert r.status_code == 200, r.text
    assert r.json() == [{"key": None, "value": b64(b"b"), "partition": 0, "offset": 1}]


def test_v2_headers_and_timestamp(krest, new_topic, kafka_bootstrap):
    t = new_topic()
    ts = 1767225600123
    recs = [
        {
            "key": b"k0",
            "value": b"v0",
            "timestamp": ts,
            "headers": [("h1", b"\x00\xff"), ("h2", b"two")],
        },
        {"key": b"k1", "value": b"v1", "timestamp": ts + 1},
        {"value": b"v2", "timestamp": ts + 2, "headers": [("dup", b"1"), ("dup", b"2")]},
    ]
    produce_many(kafka_bootstrap, t, recs)
    c = create_consumer(krest, body={"auto.offset.reset": "earliest"})
    c.assign(t, [0])
    got, _ = read_n(c, 3, 15)
    base = {"topic", "key", "value", "partition", "offset", "timestamp"}
    assert len(got) == 3, got
    assert set(got[0]) == base | {"headers"}, got[0]
    assert got[0]["headers"] == [
        {"key": "h1", "value": b64(b"\x00\xff")},
        {"key": "h2", "value": b64(b"two")},
    ]
    assert got[0]["timestamp"] == ts and type(got[0]["timestamp"]) is int
    assert got[0]["key"] == b64(b"k0") and got[0]["value"] == b64(b"v0")
    assert set(got[1]) == base, got[1]
    assert got[1]["timestamp"] == ts + 1
    assert got[2]["key"] is None
    assert got[2]["headers"] == [
        {"key": "dup", "value": b64(b"1")},
        {"key": "dup", "value": b64(b"2")},
    ]
    assert got[2]["timestamp"] == ts + 2


def test_v1_accept_on_v2_instance_gives_v1_shapes(krest, new_topic, kafka_bootstrap):
    t = new_topic()
    produce_many(kafka_bootstrap, t, [{"key": b"k", "value": b"v", "headers": [("h", b"x")]}])
    c = create_consumer(krest, body={"auto.offset.reset": "earliest"})
    c.assign(t, [0])
    got = []
    deadline = time.monotonic() + 10
    r = None
    while not got and time.monotonic() < deadline:
        r = c.records(accept=BIN1, raw=True)
        assert r.status_code == 200, r.text
        got = r.json()
    assert media_type(r) == BIN1
    assert got == [{"key": b64(b"k"), "value": b64(b"v"), "partition": 0, "offset": 0}]


# --- max_bytes, timing, order -------------------------------------------------------------------


def test_max_bytes_limits_reads(krest, new_topic, kafka_bootstrap):
    t = new_topic()
    produce_many(kafka_bootstrap, t, [{"key": b"kk", "value": b"x" * 98} for _ in range(10)])
    produce_many(kafka_bootstrap, t, [{"value": b"B" * 1000}, {"value": b"y" * 10}])
    c = create_consumer(krest, body={"auto.offset.reset": "earliest"})
    c.assign(t, [0])
    first, _ = read_n(c, 1, 10, max_bytes=250)
    # everything buffered now: 10 records of 100 bytes, then 1000 and 10
    rest = 10 * 100 + 1000 + 10 - 100 * len(first)
    assert wait_until(lambda: buffered_bytes(krest) >= rest, 15), buffered_bytes(krest)
    got = list(first)
    sizes = []
    while len(got) < 10:
        part = c.records(max_bytes=250)
        assert part
        sizes.append(len(part))
        got += part
    # 100 bytes a record (key + value): two fit in 250, three do not
    assert len(first) <= 2
    assert all(n == 2 for n in sizes[:-1]) and sizes[-1] <= 2, sizes
    assert positions(got) == [(0, i) for i in range(10)]
    # one record larger than max_bytes comes alone
    big = c.records(max_bytes=100)
    assert positions(big) == [(0, 10)], positions(big)
    assert base64.b64decode(big[0]["value"]) == b"B" * 1000
    assert positions(c.records(max_bytes=100)) == [(0, 11)]


def test_v1_max_bytes(krest, new_topic, kafka_bootstrap):
    t = new_topic()
    produce_many(kafka_bootstrap, t, [{"value": b"x" * 100} for _ in range(6)])
    c = create_consumer(krest, body={"auto.offset.reset": "smallest"}, ctype=V1)
    got = []
    deadline = time.monotonic() + 10
    while len(got) < 6 and time.monotonic() < deadline:
        r = c.req("GET", f"/topics/{t}?max_bytes=250", headers={"Accept": BIN1})
        assert r.status_code == 200, r.text
        assert len(r.json()) <= 2, positions(r.json())
        got += r.json()
    assert positions(got) == [(0, i) for i in range(6)]


def test_records_answer_at_once_when_buffered(krest, new_topic, kafka_bootstrap):
    t = new_topic()
    produce_many(kafka_bootstrap, t, [{"value": b"v%d" % i} for i in range(4)])
    c = create_consumer(
        krest, body={"auto.offset.reset": "earliest", "consumer.request.timeout.ms": 10000}
    )
    c.assign(t, [0])
    got, _ = read_n(c, 1, 10, max_bytes=3, timeout=None)
    assert positions(got) == [(0, 0)], positions(got)
    # polled, not slept: the other three records (2 bytes each) are buffered
    assert wait_until(lambda: buffered_bytes(krest) >= 6, 15), buffered_bytes(krest)
    t0 = time.monotonic()
    got = c.records(timeout=None)
    # at once, not after the 10 s timeout (the bound leaves room for a loaded machine)
    assert got and time.monotonic() - t0 < 5.0, (positions(got), time.monotonic() - t0)


def test_records_query_timeout_lowers_wait(krest, new_topic):
    t = new_topic()
    c = create_consumer(krest, body={"consumer.request.timeout.ms": 3000})
    c.assign(t, [0])
    t0 = time.monotonic()
    assert c.records(timeout=300) == []
    assert 0.25 <= time.monotonic() - t0 < 1.5
    # a larger query timeout does not raise the instance's
    c2 = create_consumer(krest, body={"consumer.request.timeout.ms": 700})
    c2.assign(t, [0])
    c2.records(timeout=None)
    t0 = time.monotonic()
    assert c2.records(timeout=5000) == []
    assert 0.6 <= time.monotonic() - t0 < 1.8


def test_fetch_min_bytes_waits_for_bytes(krest, new_topic, kafka_bootstrap):
    t = new_topic()
    produce_many(kafka_bootstrap, t, [{"value": b"0123456789"} for _ in range(3)])
    c = create_consumer(
        krest,
        body={
            "auto.offset.reset": "earliest",
            "fetch.min.bytes": 1000,
            "consumer.request.timeout.ms": 10000,
        },
    )
    c.assign(t, [0])
    t0 = time.monotonic()
    got = c.records(timeout=1500)
    took = time.monotonic() - t0
    # 30 bytes < fetch.min.bytes: the read waits for its timeout, then answers what it has (the
    # upper bound only catches a read that does not end: a loaded machine answers late)
    assert positions(got) == [(0, 0), (0, 1), (0, 2)], positions(got)
    assert 1.3 <= took < 1.5 + 5.0, took
    # Once fetch.min.bytes are there, a read answers without waiting for its timeout (10 s): no
    # fixed sleep for the fetch, the read itself waits until the bytes come.
    produce_many(kafka_bootstrap, t, [{"value": b"x" * 600} for _ in range(2)])
    t0 = time.monotonic()
    got = c.records(timeout=None)
    took = time.monotonic() - t0
    assert positions(got) == [(0, 3), (0, 4)], positions(got)
    assert took < 5.0, took


def test_fifty_records_in_order_across_gets(krest, new_topic, kafka_bootstrap):
    t = new_topic(partitions=3)
    recs = [{"key": b"k%d" % i, "value": b"value-%02d" % i, "partition": i % 3} for i in range(50)]
    where = produce_many(kafka_bootstrap, t, recs)
    c = create_consumer(krest, body={"auto.offset.reset": "earliest"})
    c.subscribe([t])
    got, gets = read_n(c, 50, 20, max_bytes=60)  # about 4 records a GET
    assert gets > 3, gets
    assert len(got) == 50, (len(got), positions(got))
    assert len(set(positions(got))) == 50, "duplicates"
    for p in range(3):
        offs = [r["offset"] for r in got if r["partition"] == p]
        assert offs == list(range(len(offs))), (p, offs)
    by_pos = {(r["partition"], r["offset"]): r for r in got}
    for rec, pos in zip(recs, where):
        assert base64.b64decode(by_pos[pos]["value"]) == rec["value"], pos
        assert base64.b64decode(by_pos[pos]["key"]) == rec["key"], pos
    assert c.records(timeout=300) == []


# --- v1 reads: errors ---------------------------------------------------------------------------


def test_v1_read_other_topic_409(krest, new_topic, kafka_bootstrap):
    t1, t2 = new_topic(), new_topic()
    produce_many(kafka_bootstrap, t1, [{"value": b"x"}])
    c = create_consumer(krest, body={"auto.offset.reset": "smallest"}, ctype=V1)
    r = c.req("GET", f"/topics/{t1}", headers={"Accept": BIN1})
    assert r.status_code == 200, r.text
    # the first read subscribed the instance
    assert c.req("GET", "/subscription").json() == {"topics": [t1]}
    assert_error(c.req("GET", f"/topics/{t2}", headers={"Accept": BIN1}), 409, 40901)
    # the first topic is still fine
    assert c.req("GET", f"/topics/{t1}", headers={"Accept": BIN1}).status_code == 200


def test_v1_read_unknown_topic_404(krest):
    c = create_consumer(krest, body={"auto.offset.reset": "smallest"}, ctype=V1)
    missing = unique_group("krest-test-missing")
    assert_error(c.req("GET", f"/topics/{missing}", headers={"Accept": BIN1}), 404, 40401)


def test_v1_read_bad_max_bytes_400(krest, new_topic):
    t = new_topic()
    c = create_consumer(krest, body={"auto.offset.reset": "smallest"}, ctype=V1)
    body = assert_error(c.req("GET", f"/topics/{t}?max_bytes=x", headers={"Accept": BIN1}), 400)
    assert "max_bytes" in body["message"], body
