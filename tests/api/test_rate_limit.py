"""Rate limits (rate.limit.* as Confluent, krest.rate.limit.per.client.permits.per.sec),
api.endpoints.allowlist/blocklist and api.v2.enable. docs/operations.md, "Rate limits"."""

import http.client
import json
import time

import pytest

from conftest import (
    BIN2,
    V1,
    V2,
    assert_error,
    assert_produced,
    b64,
    post_records,
    read_topic,
    wait_until,
)

LIMITED = {
    "error_code": 429,
    "message": "Request rate limit exceeded: The rate limit of requests per second has been "
    "exceeded.",
}


def assert_limited(r):
    assert r.status_code == 429, f"{r.status_code}: {r.text[:300]}"
    assert r.json() == LIMITED


def burst(k, n, path="/brokers", **kw):
    return [k.get(path, **kw) for _ in range(n)]


def codes(rs):
    return [r.status_code for r in rs]


def start_quiet(start_krest, *flags):
    """krest without the fixture's GET / readiness poll (it may be limited, listed or off):
    polls /v3/clusters, which these tests leave unlimited."""
    k = start_krest(*flags, wait=False)

    def up():
        try:
            return k.get("/v3/clusters", timeout=1).status_code == 200
        except Exception:
            return False

    assert wait_until(up, 20), k.log_tail()
    return k


def test_burst_over_the_global_limit_gets_429(start_krest):
    k = start_quiet(
        start_krest,
        "--rate.limit.enable=true",
        "--rate.limit.permits.per.sec=10",
        "--rate.limit.costs=api.v3.clusters.list=0",
    )
    rs = burst(k, 40)
    ok = codes(rs).count(200)
    # A full bucket (10) plus what refills while the burst runs.
    assert 10 <= ok <= 20, codes(rs)
    assert codes(rs).count(429) == 40 - ok
    for r in rs:
        if r.status_code == 429:
            assert_limited(r)
    # The bucket refills: a second later requests pass again.
    time.sleep(1.0)
    assert k.get("/brokers").status_code == 200


def test_off_by_default(krest):
    assert 429 not in codes(burst(krest, 120))


def test_rejected_produce_requests_produce_nothing(start_krest, new_topic):
    topic = new_topic()
    k = start_quiet(
        start_krest,
        "--rate.limit.enable=true",
        "--rate.limit.permits.per.sec=5",
        "--rate.limit.costs=api.v3.clusters.list=0",
    )
    accepted, refused = [], []
    for i in range(30):
        value = f"record-{i}".encode()
        r = post_records(k, topic, {"records": [{"value": b64(value)}]})
        if r.status_code == 200:
            assert_produced(r, 1)
            accepted.append(value)
        else:
            assert_limited(r)
            refused.append(value)
    assert len(accepted) >= 5 and len(refused) >= 15, (len(accepted), len(refused))
    got = [rec.value for rec in read_topic(topic)]
    assert sorted(got) == sorted(accepted)


def request_from(source_ip, port, path="/brokers"):
    """A GET from a given local address (krest keys its per-client limit by address)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source_ip, 0))
    try:
        c.request("GET", path, headers={"Accept": V2})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def test_one_client_cannot_starve_another(start_krest):
    k = start_quiet(start_krest, "--krest.rate.limit.per.client.permits.per.sec=5")
    greedy = [request_from("127.0.0.1", k.port)[0] for _ in range(30)]
    assert greedy.count(429) >= 20, greedy
    # While 127.0.0.1 keeps flooding, 127.0.0.2 is served at its own pace (4/s < 5/s).
    polite = []
    end = time.monotonic() + 1.5
    next_polite = 0.0
    flooded = []
    while time.monotonic() < end:
        flooded.append(request_from("127.0.0.1", k.port)[0])
        if time.monotonic() >= next_polite:
            polite.append(request_from("127.0.0.2", k.port))
            next_polite = time.monotonic() + 0.25
    assert len(polite) >= 5
    assert all(s == 200 for s, _ in polite), polite
    assert flooded.count(429) > flooded.count(200), flooded
    refused = [b for s, b in (request_from("127.0.0.1", k.port) for _ in range(5)) if s == 429]
    assert refused and json.loads(refused[0]) == LIMITED


def test_costs_by_resource_name(start_krest):
    k = start_quiet(
        start_krest,
        "--rate.limit.enable=true",
        "--rate.limit.permits.per.sec=10",
        "--rate.limit.costs=api.v2.topics.list=5,api.v2.brokers.*=0,api.v3.clusters.list=0",
    )
    # brokers cost nothing: never limited.
    assert 429 not in codes(burst(k, 40))
    # topics.list costs 5 of 10: two pass in a burst.
    rs = burst(k, 6, "/topics")
    assert codes(rs)[:2] == [200, 200] and codes(rs).count(200) <= 3, codes(rs)
    assert_limited(rs[-1])
    # the default cost (1) of another route: the bucket is nearly empty now.
    assert 429 in codes(burst(k, 10, "/topics/x/partitions"))


def test_per_cluster_limit(start_krest):
    k = start_quiet(
        start_krest,
        "--rate.limit.enable=true",
        "--rate.limit.permits.per.sec=1000",
        "--rate.limit.per.cluster.permits.per.sec=5",
        "--rate.limit.costs=api.v3.clusters.list=0",
    )
    cid = k.get("/v3/clusters").json()["data"][0]["cluster_id"]
    rs = burst(k, 20, f"/v3/clusters/{cid}/brokers")
    assert codes(rs).count(200) <= 8 and 429 in codes(rs), codes(rs)
    assert 429 not in codes(burst(k, 20, "/brokers"))  # no cluster in the path


def test_timeout_holds_requests_instead_of_refusing(start_krest):
    k = start_quiet(
        start_krest,
        "--rate.limit.enable=true",
        "--rate.limit.permits.per.sec=4",
        "--rate.limit.timeout.ms=3000",
        "--rate.limit.costs=api.v3.clusters.list=0",
    )
    t0 = time.monotonic()
    rs = burst(k, 8)
    took = time.monotonic() - t0
    assert codes(rs) == [200] * 8
    assert took >= 0.75, took  # 4 from the bucket, 4 more at 4/s
    # Past the timeout's worth of reservations (3 s at 4/s): refused at once.
    from concurrent.futures import ThreadPoolExecutor

    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=30) as pool:
        rs = list(pool.map(lambda _: k.get("/brokers", timeout=20), range(30)))
    assert 429 in codes(rs) and 200 in codes(rs), codes(rs)
    assert codes(rs).count(200) <= 4 + 13, codes(rs)  # the bucket, then 3 s worth
    for r in rs:
        if r.status_code == 429:
            assert_limited(r)
    assert time.monotonic() - t0 < 6


def test_blocklist(start_krest):
    k = start_quiet(
        start_krest,
        "--api.endpoints.blocklist=api.v2.topics.list,api.v3.topics.*,"
        "api.v2.produce-to-topic.json",
    )
    assert_error(k.get("/topics"), 404)
    assert k.get("/topics/x").status_code == 404 and "40401" in k.get("/topics/x").text
    assert k.get("/brokers").status_code == 200
    cid = k.get("/v3/clusters").json()["data"][0]["cluster_id"]
    assert_error(k.get(f"/v3/clusters/{cid}/topics"), 404)
    r = k.post(f"/v3/clusters/{cid}/topics", json={"topic_name": "blocked-topic"})
    assert_error(r, 405)
    assert k.get(f"/v3/clusters/{cid}/brokers").status_code == 200
    body = {"records": [{"value": {"a": 1}}]}
    assert_error(post_records(k, "t", body, ctype="application/vnd.kafka.json.v2+json"), 405)


def test_allowlist(start_krest, new_topic):
    topic = new_topic()
    k = start_quiet(
        start_krest,
        "--api.endpoints.allowlist=api.v2.brokers.list,api.v2.produce-to-topic.*,api.v3.clusters.*",
    )
    assert k.get("/brokers").status_code == 200
    assert_error(k.get("/topics"), 404)
    assert_error(k.post("/consumers/g", json={}, headers={"Content-Type": V2}), 405)
    r = post_records(k, topic, {"records": [{"value": b64(b"x")}]}, ctype=BIN2)
    assert_produced(r, 1)
    assert_error(post_records(k, topic, {"records": [{"value": b64(b"x")}]}, partition=0), 405)


def test_api_v2_disabled(start_krest, new_topic):
    topic = new_topic()
    k = start_quiet(start_krest, "--api.v2.enable=false")
    assert_error(k.get("/", headers={"Accept": V2}), 404)  # Confluent's DisableV2Test
    assert_error(k.get("/topics"), 404)
    assert_error(k.get("/topics", headers={"Accept": V1}), 404)  # v1 lives on v2's paths
    assert_error(post_records(k, topic, {"records": [{"value": b64(b"x")}]}), 404)
    assert read_topic(topic) == []
    assert k.get("/v3/clusters").status_code == 200


def test_bad_costs_refused_at_start(krest_bin, kafka_bootstrap):
    import subprocess

    from conftest import free_port

    args = [
        krest_bin,
        f"--bootstrap.servers={kafka_bootstrap}",
        f"--listeners=http://127.0.0.1:{free_port()}",
        "--krest.schema.registry.listeners=",
        "--rate.limit.costs=api.v2.topics.list",
    ]
    p = subprocess.run(args, capture_output=True, text=True, timeout=30)
    assert p.returncode != 0
    assert "rate.limit.costs" in p.stdout + p.stderr


def test_keys_listed_by_help(krest_bin):
    import subprocess

    out = subprocess.run([krest_bin, "--help"], capture_output=True, text=True).stdout
    for key in (
        "rate.limit.enable",
        "rate.limit.permits.per.sec",
        "rate.limit.per.cluster.permits.per.sec",
        "rate.limit.default.cost",
        "rate.limit.costs",
        "rate.limit.timeout.ms",
        "krest.rate.limit.per.client.permits.per.sec",
        "api.endpoints.allowlist",
        "api.endpoints.blocklist",
        "api.v2.enable",
    ):
        assert key in out, key
