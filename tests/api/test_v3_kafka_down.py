"""v3 with Kafka down: every family answers 503/50302 (or 500/50003, 500/50002) within
client.timeout.ms, never hangs (section K). Two cases: Kafka unreachable from the start (the
cluster check fails), and a broker that goes away while krest's metadata snapshot still names
its cluster (the admin call itself meets the dead broker)."""

import time

import pytest
import requests

from conftest import assert_error, free_port
from v3_helpers import cluster_id, create_topic_wait

TIMEOUT_S = 1.5
SLACK_S = 2.0
DOWN_CODES = {(503, 50302), (500, 50003), (500, 50002)}


def calls(c, topic, admin_only=False):
    """One request (or more) per v3 family: (method, path, JSON body or None). admin_only:
    without the reads a fresh metadata snapshot answers by itself."""
    b = f"/v3/clusters/{c}"
    t = f"{b}/topics/{topic}"
    acl = dict(resource_type="TOPIC", resource_name="t", pattern_type="LITERAL",
               principal="User:x", host="*", operation="READ", permission="ALLOW")
    cached = [("GET", f"{b}/topics", None), ("GET", f"{t}/partitions/0", None)]
    return ([] if admin_only else cached) + [
        ("POST", f"{b}/topics", {"topic_name": topic + "-new", "partitions_count": 1}),
        ("PATCH", t, {"partitions_count": 3}),
        ("DELETE", t, None),
        ("GET", f"{t}/configs", None),
        ("GET", f"{b}/brokers/1/configs", None),
        ("PUT", f"{t}/configs/retention.ms", {"value": "1000"}),
        ("POST", f"{t}/configs:alter", {"data": [{"name": "retention.ms", "value": "1000"}]}),
        ("POST", f"{b}/topics/-/configs:alter",
         {"data": [{"topic_name": topic, "configs": [{"name": "retention.ms", "value": "1"}]}]}),
        ("GET", f"{b}/consumer-groups", None),
        ("GET", f"{b}/consumer-groups/g1", None),
        ("GET", f"{b}/consumer-groups/g1/lags", None),
        ("GET", f"{b}/consumer-groups/g1/lag-summary", None),
        ("GET", f"{b}/acls", None),
        ("POST", f"{b}/acls", acl),
        ("POST", f"{b}/acls:batch", {"data": [acl]}),
        ("DELETE", f"{b}/acls?resource_type=TOPIC&pattern_type=LITERAL&operation=READ"
                   "&permission=ALLOW", None),
    ]


def assert_all_unavailable(k, c, topic, admin_only=False):
    slow = []
    for method, path, body in calls(c, topic, admin_only):
        t0 = time.monotonic()
        r = requests.request(method, k.url + path, json=body, timeout=30)
        elapsed = time.monotonic() - t0
        key = (r.status_code, r.json().get("error_code") if r.content else None)
        assert key in DOWN_CODES, (method, path, r.status_code, r.text[:300])
        assert_error(r, r.status_code, key[1])
        if elapsed >= TIMEOUT_S + SLACK_S:
            slow.append((method, path, round(elapsed, 2)))
    assert not slow, f"answered after client.timeout.ms + {SLACK_S} s: {slow}"
    r = requests.get(k.url + "/", timeout=5)
    assert r.status_code == 200


def test_v3_kafka_unreachable(start_krest):
    k = start_krest(f"--client.timeout.ms={int(TIMEOUT_S * 1000)}",
                    bootstrap=f"127.0.0.1:{free_port()}")
    assert_all_unavailable(k, "some-cluster", "krest-test-down")


def test_v3_broker_goes_away(start_krest, second_broker):
    bootstrap, stop_broker = second_broker()
    c = cluster_id(bootstrap)
    topic = create_topic_wait(bootstrap, partitions=1)
    # A metadata snapshot that stays fresh for a minute: the cluster (and topic) checks pass
    # from it, so each call reaches the admin layer with the broker gone.
    k = start_krest(f"--client.timeout.ms={int(TIMEOUT_S * 1000)}",
                    "--krest.metadata.max.age.ms=60000", bootstrap=bootstrap)
    r = requests.get(f"{k.url}/v3/clusters/{c}/topics/{topic}", timeout=10)
    assert r.status_code == 200, r.text
    stop_broker()
    assert_all_unavailable(k, c, topic, admin_only=True)


def test_v3_partition_offset_broker_gone(start_krest, second_broker):
    bootstrap, stop_broker = second_broker()
    c = cluster_id(bootstrap)
    topic = create_topic_wait(bootstrap, partitions=1)
    k = start_krest(f"--client.timeout.ms={int(TIMEOUT_S * 1000)}",
                    "--krest.metadata.max.age.ms=60000", bootstrap=bootstrap)
    path = f"{k.url}/v3/clusters/{c}/topics/{topic}/partitions/0/offset"
    assert requests.get(path, timeout=10).status_code == 200
    stop_broker()
    t0 = time.monotonic()
    r = requests.get(path, timeout=30)
    assert (r.status_code, r.json().get("error_code")) in DOWN_CODES, r.text
    assert time.monotonic() - t0 < TIMEOUT_S + SLACK_S


@pytest.mark.parametrize("n", [8])
def test_v3_broker_gone_concurrent_writes_do_not_hang(start_krest, second_broker, n):
    from concurrent.futures import ThreadPoolExecutor

    bootstrap, stop_broker = second_broker()
    c = cluster_id(bootstrap)
    topic = create_topic_wait(bootstrap, partitions=1)
    k = start_krest(f"--client.timeout.ms={int(TIMEOUT_S * 1000)}",
                    "--krest.metadata.max.age.ms=60000", bootstrap=bootstrap)
    assert requests.get(f"{k.url}/v3/clusters/{c}/topics/{topic}", timeout=10).status_code == 200
    stop_broker()
    path = f"{k.url}/v3/clusters/{c}/topics/{topic}/configs:alter"
    body = {"data": [{"name": "retention.ms", "value": "1000"}]}

    def one(_):
        t0 = time.monotonic()
        r = requests.post(path, json=body, timeout=30)
        return r.status_code, r.json().get("error_code"), time.monotonic() - t0

    with ThreadPoolExecutor(max_workers=n) as ex:
        results = list(ex.map(one, range(n)))
    for status, code, elapsed in results:
        assert (status, code) in DOWN_CODES, (status, code)
        assert elapsed < TIMEOUT_S + SLACK_S, results
