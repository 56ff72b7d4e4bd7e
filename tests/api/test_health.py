"""GET /healthy (liveness) and GET /ready (readiness), docs/operations.md: /healthy answers 200
while krest serves HTTP, even while it drains; /ready answers 200 when the cluster answered
metadata within client.timeout.ms and the built-in registry has read its topic, else 503 naming
what is not ready. Neither waits for Kafka: every answer comes from cached state."""

import shutil
import signal
import tempfile
import threading
import time

import requests

from conftest import Broker, free_port, wait_until

FAST_S = 1.0  # a health answer comes from memory: never near client.timeout.ms


def timed_get(k, path, **kw):
    t0 = time.monotonic()
    r = requests.get(k.url + path, timeout=10, **kw)
    return r, time.monotonic() - t0


def assert_healthy(k):
    r, took = timed_get(k, "/healthy")
    assert r.status_code == 200, r.text
    assert r.json() == {}
    assert r.headers["Content-Type"] == "application/json"
    assert took < FAST_S, f"/healthy took {took:.2f} s"


def ready_status(k):
    """One GET /ready: (status, body); checks the answer's shape and speed on the way."""
    r, took = timed_get(k, "/ready")
    assert took < FAST_S, f"/ready took {took:.2f} s"
    assert r.headers["Content-Type"] == "application/json"
    body = r.json()
    if r.status_code == 200:
        assert body == {}
    else:
        assert r.status_code == 503, r.text
        assert body["error_code"] == 503
        assert body["message"].startswith("not ready: "), body
    return r.status_code, body


def poll_ready(k, want, timeout, healthy_too=True):
    """Polls /ready until it answers want; /healthy must answer 200 at every round. Returns the
    last body."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if healthy_too:
            assert_healthy(k)
        status, last = ready_status(k)
        if status == want:
            return last
        time.sleep(0.1)
    raise AssertionError(f"/ready did not answer {want} within {timeout} s (last: {last})")


def test_healthy(start_krest):
    k = start_krest()
    assert_healthy(k)
    r = requests.head(k.url + "/healthy", timeout=5)
    assert r.status_code == 200
    r = k.post("/healthy", json={})
    assert r.status_code == 405


def test_ready_with_a_good_broker(start_krest):
    k = start_krest()
    poll_ready(k, 200, 10)
    # it stays ready: the check on the kafka loop keeps the state fresh
    for _ in range(5):
        assert ready_status(k)[0] == 200
        time.sleep(0.2)


def test_ready_follows_the_broker(start_krest, kafka_bootstrap):
    """The test's own broker: ready, stopped (503 naming kafka, /healthy still 200), started again
    on the same port and data (200 again)."""
    data = tempfile.mkdtemp(prefix="krest-health-broker-")
    broker = Broker(free_port(), data)
    try:
        bootstrap = broker.start()
        k = start_krest("--client.timeout.ms=1500", "--krest.metadata.max.age.ms=200",
                        bootstrap=bootstrap)
        poll_ready(k, 200, 15)
        broker.stop()
        t_stop = time.monotonic()
        body = poll_ready(k, 503, 20)
        assert "kafka (" in body["message"], body
        assert "no metadata answer" in body["message"], body
        # 1.5 s of client.timeout.ms, one check interval (750 ms), and slack for the test machine
        assert time.monotonic() - t_stop < 10
        for _ in range(5):  # stays not ready while the broker is away
            assert_healthy(k)
            assert ready_status(k)[0] == 503
            time.sleep(0.2)
        broker.start()
        # librdkafka reconnects with a backoff of up to 10 s (reconnect.backoff.max.ms)
        poll_ready(k, 200, 60)
    finally:
        broker.stop()
        shutil.rmtree(data, ignore_errors=True)


def test_ready_names_kafka_and_the_registry(start_krest):
    """No broker at all, the built-in registry on: both are named, and the answer is immediate."""
    k = start_krest(
        "--client.timeout.ms=1000",
        f"--krest.schema.registry.listeners=http://127.0.0.1:{free_port()}",
        bootstrap=f"127.0.0.1:{free_port()}",
    )
    body = poll_ready(k, 503, 5)
    msg = body["message"]
    assert "kafka (" in msg and "schema registry (" in msg, msg
    # the first failed check (after client.timeout.ms) adds the reason; still not ready
    assert wait_until(lambda: "metadata request failed" in ready_status(k)[1]["message"], 5)
    status, body = ready_status(k)
    assert status == 503 and "kafka (" in body["message"], body


def test_ready_waits_for_the_registry(start_krest):
    """A good broker and the built-in registry on: /ready is 200 only once the registry has read
    its topic; the registry then answers too."""
    sr_port = free_port()
    k = start_krest(f"--krest.schema.registry.listeners=http://127.0.0.1:{sr_port}")
    poll_ready(k, 200, 20)
    r = requests.get(f"http://127.0.0.1:{sr_port}/subjects", timeout=10)
    assert r.status_code == 200, r.text


def test_health_during_drain(start_krest, new_topic):
    """While krest drains (a suspended read keeps it waiting), /healthy still answers 200 and
    /ready answers 503 "shutting down"; both close the connection."""
    t = new_topic()
    k = start_krest("--shutdown.graceful.ms=10000")
    poll_ready(k, 200, 10)
    v2 = "application/vnd.kafka.v2+json"
    r = requests.post(f"{k.url}/consumers/health-drain-g",
                      json={"name": "c", "format": "binary"}, headers={"Content-Type": v2})
    assert r.status_code == 200, r.text
    base = f"{k.url}/consumers/health-drain-g/instances/c"
    r = requests.post(f"{base}/subscription", json={"topics": [t]}, headers={"Content-Type": v2})
    assert r.status_code == 204, r.text
    read = {}

    def long_read():
        read["r"] = requests.get(f"{base}/records?timeout=4000",
                                 headers={"Accept": "application/vnd.kafka.binary.v2+json"},
                                 timeout=30)

    th = threading.Thread(target=long_read)
    th.start()
    # the read is suspended once the consumer has joined; wait for its fetch to be in flight
    time.sleep(0.5)
    k.signal(signal.SIGTERM)
    assert k.wait_log(r"Terminated received", timeout=5)
    r = k.get("/healthy")
    assert r.status_code == 200 and r.json() == {}, r.text
    assert r.headers.get("Connection", "").lower() == "close"
    r = k.get("/ready")
    assert r.status_code == 503, r.text
    assert r.json()["error_code"] == 503 and "shutting down" in r.json()["message"]
    th.join(30)
    assert read["r"].status_code == 200, read["r"].text
    assert k.wait(timeout=20) == 0, k.log_tail()


def _bytes_from(pid, bootstrap):
    """Bytes krest (pid) received so far on its connections to the broker (ss -ti)."""
    import re
    import subprocess

    host, port = bootstrap.rsplit(":", 1)
    out = subprocess.run(
        ["ss", "-tinpH", f"dst {host}:{port}"], capture_output=True, text=True, check=True
    ).stdout
    total, mine = 0, False
    for line in out.splitlines():
        if not line.startswith((" ", "\t")):
            mine = f"pid={pid}," in line
        elif mine:
            m = re.search(r"bytes_received:(\d+)", line)
            total += int(m.group(1)) if m else 0
    return total


def test_idle_readiness_probe_is_cheap(start_krest, admin, kafka_bootstrap):
    """An idle krest checks the cluster every second with a Metadata request for one topic
    whose name Kafka refuses (brokers and an error: ~200 bytes), not for every topic: with 100
    topics of long names (~22 KB of metadata) it receives a few hundred bytes per second from
    the broker; the all-topics check received the whole list each second (issue 19)."""
    import uuid

    from confluent_kafka.admin import NewTopic

    prefix = "krest-test.probe_" + uuid.uuid4().hex[:8] + "_" + "x" * 180
    names = [f"{prefix}_{i:03d}" for i in range(100)]
    for f in admin.create_topics([NewTopic(n, 1, 1) for n in names]).values():
        f.result(timeout=30)
    try:
        k = start_krest("--krest.access.log=false")
        assert wait_until(lambda: k.get("/ready").status_code == 200, 10)
        time.sleep(1.5)  # start-up's own metadata fetches are over
        before = _bytes_from(k.proc.pid, kafka_bootstrap)
        time.sleep(5)
        got = _bytes_from(k.proc.pid, kafka_bootstrap) - before
        assert k.get("/ready").status_code == 200
        assert got < 22_000, f"{got} bytes from the broker in 5 s of idling"
    finally:
        for f in admin.delete_topics(names).values():
            f.result(timeout=30)
