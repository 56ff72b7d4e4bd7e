"""Issue 19, findings 4 and 6: consumer handles must not outlive their DELETE (threads creating,
subscribing and deleting the same names left thousands of librdkafka threads behind for tens of
seconds: the closes queued on the worker pool), and krest.consumer.instance.max refuses a create
beyond it with 429/42901 before any handle is made. Scaled down from the probe's 20 threads;
bench/instances runs the full shape."""

import os
import threading

import requests

from conftest import V2, assert_error, unique_group, wait_until

THREADS = 8
CYCLES = 15
# A delete's close is bounded by 5 s (kafka/consumer.c); its destroy follows at once.
SETTLE_S = 12.0


def threads_of(pid):
    return len(os.listdir(f"/proc/{pid}/task"))


def gauge(k, name):
    for line in k.get("/metrics").text.splitlines():
        if line.startswith(name + " "):
            return int(float(line.split()[1]))
    raise AssertionError(f"{name} not in /metrics")


def create(s, k, group, name):
    return s.post(f"{k.url}/consumers/{group}", json={"name": name, "format": "binary"},
                  headers={"Content-Type": V2}, timeout=30)


def delete(s, k, group, name):
    return s.delete(f"{k.url}/consumers/{group}/instances/{name}",
                    headers={"Content-Type": V2}, timeout=30)


def test_deleted_instances_leave_no_handle_behind(start_krest, new_topic):
    k = start_krest()
    topic = new_topic(partitions=3)
    base = threads_of(k.proc.pid)
    group = unique_group()
    statuses = []
    lock = threading.Lock()

    def churn(t):
        s = requests.Session()
        for i in range(CYCLES):
            name = f"n{(t + i) % 4}"  # the same names from every thread
            r = create(s, k, group, name)
            if r.status_code == 200:
                s.post(f"{k.url}/consumers/{group}/instances/{name}/subscription",
                       json={"topics": [topic]}, headers={"Content-Type": V2}, timeout=30)
            d = delete(s, k, group, name)
            with lock:
                statuses.append((r.status_code, d.status_code))

    ts = [threading.Thread(target=churn, args=(t,)) for t in range(THREADS)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    made = sum(1 for c, _ in statuses if c == 200)
    assert made > 0 and all(c in (200, 409) for c, _ in statuses), statuses
    assert sum(1 for _, d in statuses if d == 204) == made
    assert gauge(k, "krest_consumer_instances") == 0
    assert wait_until(lambda: gauge(k, "krest_consumer_handles") == 0, SETTLE_S), (
        f"{gauge(k, 'krest_consumer_handles')} handles alive {SETTLE_S} s after the deletes")
    assert wait_until(lambda: threads_of(k.proc.pid) <= base + 4, SETTLE_S), (
        f"{threads_of(k.proc.pid)} threads, {base} at baseline")


def test_instance_max_refuses_before_any_handle(start_krest):
    k = start_krest("--krest.consumer.instance.max=3")
    s = requests.Session()
    group = unique_group()
    for i in range(3):
        assert create(s, k, group, f"c{i}").status_code == 200
    threads = threads_of(k.proc.pid)
    r = create(s, k, group, "c3")
    assert_error(r, 429, 42901)
    assert "krest.consumer.instance.max" in r.json()["message"]
    # Nothing was made for the refused one: no librdkafka threads, no instance.
    assert threads_of(k.proc.pid) <= threads
    assert gauge(k, "krest_consumer_handles") == 3
    assert delete(s, k, group, "c3").status_code == 404
    # A delete frees a place once its handle is gone (bounded: the close, then the destroy).
    assert delete(s, k, group, "c0").status_code == 204
    assert wait_until(lambda: create(s, k, group, "c3").status_code == 200, SETTLE_S)
    assert gauge(k, "krest_consumer_instances") == 3
    assert_error(create(s, k, group, "c4"), 429, 42901)
