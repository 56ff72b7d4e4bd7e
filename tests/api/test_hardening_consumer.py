"""Issue 19, findings 1 and 2: concurrent huge seeks on one consumer instance, then its delete,
must neither crash krest (librdkafka's assertion in rdkafka_assignment.c) nor hang its shutdown
(workers blocked in rd_kafka_assign); bodies with more than 10,000 partition entries are 422
(docs/design-notes.md). Scaled down from the probe's 100,000 entries so that it stays fast; the
ASan build runs it too (KREST_BIN=build-asan/krest)."""

import json
import signal
import threading
import time

import requests

from conftest import assert_error, create_consumer, produce_many, unique_group, wait_until

MAX_ENTRIES = 10000
GRACEFUL_MS = 3000
# SIGTERM to exit: shutdown.graceful.ms plus what the process needs to start and end its drain.
STOP_MARGIN_S = 3.0


def offsets_body(topic, n, base=0):
    return {"offsets": [{"topic": topic, "partition": 0, "offset": base + i} for i in range(n)]}


def concurrent_posts(k, path, bodies, timeout=60):
    """POSTs each body at the same moment from its own thread; returns the statuses (None when
    the request failed at the connection level)."""
    out = [None] * len(bodies)
    start = threading.Barrier(len(bodies))

    def run(i):
        data = json.dumps(bodies[i])
        start.wait()
        try:
            r = requests.post(
                k.url + path,
                data=data,
                headers={"Content-Type": "application/vnd.kafka.v2+json"},
                timeout=timeout,
            )
            out[i] = r.status_code
        except requests.RequestException as e:
            out[i] = repr(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def stop_timed(k):
    """SIGTERM; returns (exit code or None when still running, seconds taken)."""
    t0 = time.monotonic()
    k.signal(signal.SIGTERM)
    code = k.wait(timeout=GRACEFUL_MS / 1000 + STOP_MARGIN_S + 30)
    return code, time.monotonic() - t0


def open_connections(k):
    """krest's krest_http_open_connections gauge (this GET's own connection included)."""
    from prometheus_client.parser import text_string_to_metric_families

    for f in text_string_to_metric_families(k.get("/metrics").text):
        if f.name == "krest_http_open_connections":
            return f.samples[0].value
    return 0


def loaded_instance(start_krest, new_topic, kafka_bootstrap):
    k = start_krest(f"--shutdown.graceful.ms={GRACEFUL_MS}", "--krest.worker.threads=4")
    t = new_topic(partitions=1)
    produce_many(kafka_bootstrap, t, [{"value": b"v%d" % i} for i in range(50)])
    c = create_consumer(k, unique_group(), {"format": "binary", "auto.offset.reset": "earliest"})
    c.assign(t, [0])
    return k, t, c


def test_concurrent_huge_seeks_then_delete_no_crash(start_krest, new_topic, kafka_bootstrap):
    k, t, c = loaded_instance(start_krest, new_topic, kafka_bootstrap)
    bodies = [offsets_body(t, MAX_ENTRIES, base=i) for i in range(6)]
    statuses = concurrent_posts(k, c.path + "/positions", bodies)
    # Each is either done (204) or refused as retriable under load (429/500-series with JSON).
    assert all(isinstance(s, int) for s in statuses), statuses
    assert all(s in (204, 429, 500, 503) for s in statuses), statuses
    r = c.req("DELETE", timeout=30)
    assert r.status_code == 204, r.text
    # krest stays up and answers, and the instance is gone.
    assert k.proc.poll() is None, k.log_tail()
    assert k.get("/topics").status_code == 200
    assert_error(c.req("GET", "/assignments"), 404, 40403)
    time.sleep(0)  # nothing to wait for: the delete answered after the close was queued
    code, took = stop_timed(k)
    assert code == 0, f"exit {code} after {took:.1f} s\n{k.log_tail()}"
    assert took < GRACEFUL_MS / 1000 + STOP_MARGIN_S, f"{took:.1f} s\n{k.log_tail()}"


def test_sigterm_during_seeks_bounded(start_krest, new_topic, kafka_bootstrap):
    """SIGTERM while the seeks of the crash shape are still queued or running: krest is gone
    within shutdown.graceful.ms (plus the margin), exit 0 (nothing was produced)."""
    k, t, c = loaded_instance(start_krest, new_topic, kafka_bootstrap)
    bodies = [offsets_body(t, MAX_ENTRIES, base=i) for i in range(6)]
    base = open_connections(k)
    done = threading.Thread(target=concurrent_posts, args=(k, c.path + "/positions", bodies, 60))
    done.start()
    # Term once the seeks' requests are in krest (polled, not a fixed sleep: on a loaded machine
    # the term came before them and tested nothing; in krest, the term found some suspended and
    # MHD aborted krest at the end of the drain).
    assert wait_until(lambda: open_connections(k) > base or not done.is_alive(), 30), k.log_tail()
    code, took = stop_timed(k)
    done.join()
    assert code == 0, f"exit {code} after {took:.1f} s\n{k.log_tail()}"
    assert took < GRACEFUL_MS / 1000 + STOP_MARGIN_S, f"{took:.1f} s\n{k.log_tail()}"


def test_entries_bound_422(start_krest, new_topic, kafka_bootstrap):
    k, t, c = loaded_instance(start_krest, new_topic, kafka_bootstrap)
    over = MAX_ENTRIES + 1
    parts = {"partitions": [{"topic": t, "partition": 0} for _ in range(over)]}
    for method, sub, body in [
        ("POST", "/positions", offsets_body(t, over)),
        ("POST", "/positions/beginning", parts),
        ("POST", "/positions/end", parts),
        ("POST", "/assignments", parts),
        ("POST", "/offsets", offsets_body(t, over)),
        ("GET", "/offsets", parts),
    ]:
        r = c.req(method, sub, body)
        assert_error(r, 422, 422)
        assert "10000" in r.json()["message"], r.text
    # At the bound: accepted.
    assert c.req("POST", "/positions", offsets_body(t, MAX_ENTRIES)).status_code == 204
    assert k.proc.poll() is None


def test_sigterm_with_blocked_worker_bounded(start_krest):
    """A worker blocked in librdkafka (committed offsets of a group whose coordinator cannot be
    reached, waiting up to client.timeout.ms = 30 s) does not hold the shutdown: krest is gone
    within shutdown.graceful.ms plus the margin, exit 0 (the worker is abandoned and logged)."""
    from conftest import free_port

    k = start_krest(
        f"--shutdown.graceful.ms={GRACEFUL_MS}",
        "--client.timeout.ms=30000",
        bootstrap=f"127.0.0.1:{free_port()}",  # nothing listens there
    )
    c = create_consumer(k, unique_group(), {"format": "binary"})
    c.assign("t", [0])
    blocked = threading.Thread(
        target=lambda: c.req("GET", "/offsets", {"partitions": [{"topic": "t", "partition": 0}]},
                             timeout=60)
    )
    blocked.start()
    assert k.wait_log(r"access GET /consumers/.*/offsets", timeout=0.5) is None  # still waiting
    code, took = stop_timed(k)
    blocked.join()
    assert code == 0, f"exit {code} after {took:.1f} s\n{k.log_tail()}"
    assert took < GRACEFUL_MS / 1000 + STOP_MARGIN_S, f"{took:.1f} s\n{k.log_tail()}"
    assert "abandoned" in k.log(), k.log_tail()
