"""Kafka unreachable: krest starts, GET / stays 200, metadata calls fail within
client.timeout.ms with 503/50302 (or 500/50003, 500/50002), never hang (section K)."""

import time
import uuid

import pytest
import requests

from conftest import assert_error, free_port

SLACK_S = 2.0


def timed_get(k, path, **kw):
    t0 = time.monotonic()
    r = requests.get(k.url + path, timeout=10, **kw)
    return r, time.monotonic() - t0


def assert_unavailable(r, elapsed, timeout_s, allowed):
    assert elapsed < timeout_s + SLACK_S, f"answered after {elapsed:.2f} s"
    assert (r.status_code, r.json().get("error_code")) in allowed, (r.status_code, r.text)
    assert_error(r, r.status_code, r.json()["error_code"])


DOWN_CODES = {(503, 50302), (500, 50003), (500, 50002)}


@pytest.fixture(scope="module")
def closed_port():
    return free_port()


def test_kafka_unreachable_at_start(start_krest, closed_port):
    k = start_krest("--client.timeout.ms=1500", bootstrap=f"127.0.0.1:{closed_port}")
    r, elapsed = timed_get(k, "/")
    assert r.status_code == 200 and r.json() == {}
    assert elapsed < 1.0
    for path in [
        "/topics",
        "/brokers",
        "/topics/krest-test-x",
        "/topics/krest-test-x/partitions/0/offsets",
    ]:
        r, elapsed = timed_get(k, path)
        assert_unavailable(r, elapsed, 1.5, DOWN_CODES)
    # still alive and answering
    r, elapsed = timed_get(k, "/")
    assert r.status_code == 200 and r.json() == {}
    assert elapsed < 1.0


def test_kafka_unreachable_concurrent_requests_do_not_hang(start_krest, closed_port):
    from concurrent.futures import ThreadPoolExecutor

    k = start_krest("--client.timeout.ms=1500", bootstrap=f"127.0.0.1:{closed_port}")

    def one(path):
        r, elapsed = timed_get(k, path)
        return r.status_code, r.json().get("error_code"), elapsed

    with ThreadPoolExecutor(max_workers=20) as ex:
        results = list(ex.map(one, ["/topics", "/brokers"] * 10))
    for status, code, elapsed in results:
        assert (status, code) in DOWN_CODES, (status, code)
    slow = sorted(e for _, _, e in results if e >= 1.5 + SLACK_S)
    assert not slow, f"{len(slow)} of 20 concurrent requests took >= {1.5 + SLACK_S} s: {slow}"


def test_broker_goes_away(start_krest, second_broker):
    bootstrap, stop_broker = second_broker()
    k = start_krest(
        "--client.timeout.ms=1500", "--krest.metadata.max.age.ms=200", bootstrap=bootstrap
    )
    r = k.get("/brokers")
    assert r.status_code == 200, r.text
    assert r.json() == {"brokers": [1]}
    r = k.get("/topics")
    assert r.status_code == 200, r.text

    stop_broker()
    time.sleep(0.3)  # let krest's metadata cache (max age 200 ms) go stale

    allowed = {(503, 50302), (500, 50003)}
    r, elapsed = timed_get(k, "/topics/krest-test-new-" + uuid.uuid4().hex[:8])
    assert_unavailable(r, elapsed, 1.5, allowed)
    r, elapsed = timed_get(k, "/brokers")
    assert_unavailable(r, elapsed, 1.5, allowed)
    r, elapsed = timed_get(k, "/topics")
    assert_unavailable(r, elapsed, 1.5, allowed)
    r, elapsed = timed_get(k, "/")
    assert r.status_code == 200 and r.json() == {}
    assert elapsed < 1.0
