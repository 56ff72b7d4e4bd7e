"""Consumer instances whose buffer fills (krest.consumer.buffer.bytes): krest pauses the
partitions and resumes them once a client drained half of it (issue 5, bench/consume). Every
record comes exactly once and in order, without the 1-second stall librdkafka 2.0.2 adds to a
plain resume; seeks, commits and rebalances stay exact while partitions are paused."""

import time

import pytest

from conftest import (
    create_consumer,
    delete_live_consumers,
    group_members,
    kafka_committed,
    produce_many,
    unique_group,
    wait_until,
)

BUFFER = 131072  # 128 KiB: librdkafka's queue bounds follow it (half a buffer a fetch)
VALUE = 1000


@pytest.fixture
def small(start_krest):
    return start_krest(f"--krest.consumer.buffer.bytes={BUFFER}")


@pytest.fixture(autouse=True)
def _delete_instances(new_topic):
    yield
    delete_live_consumers()


def fill(bootstrap, topic, n, partitions=1):
    recs = [
        {"key": b"k%d" % i, "value": b"%06d" % i + b"x" * (VALUE - 6), "partition": i % partitions}
        for i in range(n)
    ]
    produce_many(bootstrap, topic, recs)


def read_all(c, n, deadline_s, max_bytes=20000):
    """GETs until n records came (or time runs out); returns them."""
    got = []
    deadline = time.monotonic() + deadline_s
    while len(got) < n and time.monotonic() < deadline:
        got += c.records(timeout=1000, max_bytes=max_bytes)
    return got


def exactly_once_in_order(got, partitions, per_partition, start=0):
    pos = [(r["partition"], r["offset"]) for r in got]
    assert len(set(pos)) == len(pos), "duplicates"
    for p in range(partitions):
        offs = [o for q, o in pos if q == p]
        assert offs == list(range(start, per_partition)), (p, offs[:5], len(offs))


def test_many_buffer_fills_every_record_once_without_stalls(small, new_topic, kafka_bootstrap):
    """4 MB through a 128 KiB buffer: dozens of pause/resume cycles. A resume that waited for
    librdkafka's 1-second fetcher wake-up made this take half a minute."""
    t = new_topic(partitions=3)
    fill(kafka_bootstrap, t, 4002, partitions=3)
    g = unique_group()
    c = create_consumer(small, g, {"auto.offset.reset": "earliest", "auto.commit.enable": "false"})
    c.subscribe([t])
    first = read_all(c, 1, 15, max_bytes=1)  # the join; then the buffer fills
    assert len(first) == 1
    time.sleep(0.5)
    t0 = time.monotonic()
    got = read_all(c, 4001, 60)
    elapsed = time.monotonic() - t0
    assert len(got) == 4001, len(got)
    exactly_once_in_order(first + got, 3, 1334)
    assert elapsed < 12, f"{elapsed:.1f} s for 4 MB"
    assert c.records(timeout=300) == []


def test_order_and_commit_through_pauses(small, new_topic, kafka_bootstrap):
    t = new_topic(partitions=3)
    fill(kafka_bootstrap, t, 3000, partitions=3)
    g = unique_group()
    c = create_consumer(small, g, {"auto.offset.reset": "earliest", "auto.commit.enable": "false"})
    c.subscribe([t])
    got = read_all(c, 3000, 60)
    assert len(got) == 3000, len(got)
    exactly_once_in_order(got, 3, 1000)
    assert c.records(timeout=300) == []
    assert c.req("POST", "/offsets").status_code == 200
    assert kafka_committed(kafka_bootstrap, g, t, [0, 1, 2]) == {0: 1000, 1: 1000, 2: 1000}


@pytest.mark.parametrize("how", ["subscribe", "assign"])
def test_seek_while_paused(small, new_topic, kafka_bootstrap, how):
    t = new_topic()
    fill(kafka_bootstrap, t, 2000)
    c = create_consumer(small, body={"auto.offset.reset": "earliest"})
    if how == "subscribe":
        c.subscribe([t])
    else:
        c.assign(t, [0])
    first = read_all(c, 1, 15, max_bytes=1)
    assert [(r["partition"], r["offset"]) for r in first] == [(0, 0)]
    time.sleep(0.5)  # the buffer is full: the partition is paused
    c.seek(t, 0, 100)
    got = read_all(c, 1900, 30)
    exactly_once_in_order(got, 1, 2000, start=100)
    # back again while paused: the seek wins over krest's own resume position
    c.seek(t, 0, 1500)
    part = read_all(c, 1, 15, max_bytes=1)
    assert [(r["partition"], r["offset"]) for r in part] == [(0, 1500)]
    time.sleep(0.5)
    c.seek(t, 0, 10)
    got = read_all(c, 1990, 30)
    exactly_once_in_order(got, 1, 2000, start=10)
    assert c.records(timeout=300) == []


def test_rebalance_while_buffer_full(small, new_topic, kafka_bootstrap, admin):
    """A's buffer is full and its client never reads: B still joins, the partitions split, and
    together they read every record once they are drained (commits carry A's hand-outs)."""
    t = new_topic(partitions=2)
    fill(kafka_bootstrap, t, 2000, partitions=2)
    g = unique_group()
    body = {"auto.offset.reset": "earliest", "auto.commit.enable": "false"}
    a = create_consumer(small, g, body)
    a.subscribe([t])
    got_a = read_all(a, 1, 15, max_bytes=1)
    assert got_a
    assert a.req("POST", "/offsets").status_code == 200
    time.sleep(0.5)  # A is paused with a full buffer
    b = create_consumer(small, g, body)
    b.subscribe([t])
    got_b = b.records(timeout=500)
    everything = {(t, 0), (t, 1)}

    def split():
        sa, sb = set(a.assignments()), set(b.assignments())
        return sa and sb and not (sa & sb) and (sa | sb) == everything

    assert wait_until(split, 20, 0.2), (a.assignments(), b.assignments())
    assert group_members(admin, g) == 2
    mine_a = {p for _, p in a.assignments()}
    got_a += read_all(a, 10**6, 4)
    got_b += read_all(b, 10**6, 4)
    assert all(r["partition"] in mine_a for r in got_a[1:]), "A read a partition it lost"
    assert all(r["partition"] not in mine_a for r in got_b)
    seen = [(r["partition"], r["offset"]) for r in got_a + got_b]
    assert len(set(seen)) == len(seen), "duplicates"
    assert set(seen) == {(p, o) for p in range(2) for o in range(1000)}


def test_manual_seek_keeps_the_other_partitions_exact(small, new_topic, kafka_bootstrap):
    """A seek on a manual assignment assigns every partition again: the ones not sought go on
    exactly after what was handed out, although records fetched while paused were dropped."""
    t = new_topic(partitions=2)
    fill(kafka_bootstrap, t, 2000, partitions=2)
    c = create_consumer(small, body={"auto.offset.reset": "earliest"})
    c.assign(t, [0, 1])
    first = read_all(c, 1, 15, max_bytes=1)
    assert len(first) == 1
    time.sleep(0.5)  # both partitions paused
    c.seek(t, 0, 100)
    got = first + read_all(c, 1900 - (first[0]["partition"] == 1), 30)
    p1 = [r["offset"] for r in got if r["partition"] == 1]
    p0 = [r["offset"] for r in got if r["partition"] == 0 and r is not first[0]]
    assert p1 == list(range(1000)), (p1[:5], len(p1))
    assert p0 == list(range(100, 1000)), (p0[:5], len(p0))
    assert c.records(timeout=300) == []


def test_empty_records_fill_the_buffer_too(start_krest, new_topic, kafka_bootstrap):
    """Records without key and value (or all headers) count against the buffer's bound as well
    (128 bytes each for librdkafka's structures, plus their headers): counting key and value
    alone, an instance never paused and buffered a whole backlog of them."""
    k = start_krest(f"--krest.consumer.buffer.bytes={BUFFER}", "--krest.log.level=debug")
    t = new_topic()
    n = 20000
    produce_many(kafka_bootstrap, t, [{"partition": 0} for _ in range(n - 1)]
                 + [{"partition": 0, "headers": [("h", b"x" * 100)]}])
    g = unique_group()
    c = create_consumer(k, g, {"auto.offset.reset": "earliest", "auto.commit.enable": "false"})
    c.subscribe([t])
    # the wait for data is the join; the buffer then fills and pauses (max_bytes counts key and
    # value only, so this read takes whatever is buffered: at most 1.5 bounds of records)
    first = read_all(c, 1, 15, max_bytes=1)
    assert 1 <= len(first) <= 1.5 * BUFFER / 128 + 256, len(first)
    assert k.wait_log(r"consumer %s/\S+: buffer full" % g, timeout=10), k.log_tail()
    got = first + read_all(c, n - len(first), 60)
    assert [r["offset"] for r in got] == list(range(n))
    assert all(r["key"] is None and r["value"] is None for r in got)
    assert got[-1]["headers"] == [{"key": "h", "value": "eHh4" * 33 + "eA=="}]
    assert c.records(timeout=300) == []
