"""GET /metrics: the Prometheus text format 0.0.4, read with prometheus_client's own parser.

Counters must move by exactly what a known sequence of requests moves them; librdkafka's
figures must appear within two statistics intervals; label sets must stay bounded whatever
paths clients send; krest.metrics.listener serves /metrics and nothing else."""

import base64
import time
import uuid

import pytest
import requests
from confluent_kafka import Consumer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families

from conftest import V2, free_port, wait_until

BINARY_V2 = "application/vnd.kafka.binary.v2+json"

FAMILIES = {
    "krest_http_requests": "counter",
    "krest_http_request_duration_seconds": "histogram",
    "krest_http_request_bytes": "counter",
    "krest_http_response_bytes": "counter",
    "krest_http_open_connections": "gauge",
    "krest_produce_records": "counter",
    "krest_produce_bytes": "counter",
    "krest_produce_record_errors": "counter",
    "krest_consumer_instances": "gauge",
    "krest_consumer_handles": "gauge",
    "krest_consumer_records": "counter",
    "krest_consumer_bytes": "counter",
    "krest_consumer_buffer_bytes": "gauge",
    "krest_consumer_read_waits": "counter",
    "krest_registry_requests": "counter",
    "krest_worker_queue_depth": "gauge",
    "krest_worker_rejected": "counter",
    "krest_kafka_principal_handles": "gauge",
    "krest_kafka_queue_messages": "gauge",
    "krest_kafka_inflight_requests": "gauge",
    "krest_kafka_broker_rtt_seconds": "gauge",
    "krest_kafka_consumer_lag": "gauge",
    "krest_process_cpu_seconds": "counter",
    "krest_process_resident_memory_bytes": "gauge",
    "krest_process_threads": "gauge",
    "krest_process_open_fds": "gauge",
    "krest_build_info": "gauge",
}


def scrape(base_url):
    r = requests.get(base_url + "/metrics", timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    return {f.name: f for f in text_string_to_metric_families(r.text)}, r.text


def value(fams, family, sample_name=None, **labels):
    """The value of the one sample of family with these labels (0 when there is none)."""
    found = [
        s.value
        for s in fams[family].samples
        if (sample_name is None or s.name == sample_name)
        and all(s.labels.get(k) == v for k, v in labels.items())
    ]
    assert len(found) <= 1, (family, labels, found)
    return found[0] if found else 0


def test_every_family_well_formed(start_krest):
    k = start_krest()
    for path in ("/topics", "/brokers", "/topics/no-such-topic-" + uuid.uuid4().hex):
        k.get(path)
    fams, text = scrape(k.url)
    for name, typ in FAMILIES.items():
        assert name in fams, f"family {name} missing:\n{text}"
        assert fams[name].type == typ, (name, fams[name].type)
    # Every line is a comment or a sample of a declared family.
    for line in text.splitlines():
        assert line == "" or line.startswith("# ") or line.split("{")[0].split(" ")[0]
    # Histograms: cumulative buckets ending in +Inf, which equals _count.
    hist = fams["krest_http_request_duration_seconds"]
    routes = {s.labels["route"] for s in hist.samples}
    assert "/topics" in routes and "/topics/{topic}" in routes
    for route in routes:
        buckets = [s for s in hist.samples if s.name.endswith("_bucket") and s.labels["route"] == route]
        counts = [s.value for s in buckets]
        assert counts == sorted(counts) and buckets[-1].labels["le"] == "+Inf"
        assert counts[-1] == value(fams, hist.name, hist.name + "_count", route=route)
    info = fams["krest_build_info"].samples[0]
    assert info.value == 1 and info.labels["librdkafka"] and info.labels["libmicrohttpd"]
    assert value(fams, "krest_process_resident_memory_bytes") > 1 << 20
    assert value(fams, "krest_process_threads") > 2
    assert value(fams, "krest_process_open_fds") > 3
    assert value(fams, "krest_http_open_connections") >= 1


def test_counters_move_exactly(start_krest, new_topic, kafka_bootstrap):
    k = start_krest()
    topic = new_topic()
    s = requests.Session()
    before, _ = scrape(k.url)
    for _ in range(3):
        assert s.get(k.url + "/topics", timeout=10).status_code == 200
    assert s.get(k.url + "/topics/missing-" + uuid.uuid4().hex, timeout=10).status_code == 404
    values = [b"abc", b"defgh"]
    body = {"records": [{"value": base64.b64encode(v).decode()} for v in values]}
    r = s.post(k.url + f"/topics/{topic}", json=body, headers={"Content-Type": BINARY_V2})
    assert r.status_code == 200 and all(o["error_code"] is None for o in r.json()["offsets"])
    req = "krest_http_requests"

    # A request is counted when libmicrohttpd reports it completed, which can come a moment after
    # the client has read the response: scrape until the last one shows (then exact deltas).
    deadline = time.monotonic() + 5
    while True:
        after, _ = scrape(k.url)
        last = value(after, req, None, route="/topics/{topic}", method="POST", code_class="2xx")
        last -= value(before, req, None, route="/topics/{topic}", method="POST", code_class="2xx")
        if last >= 1 or time.monotonic() > deadline:
            break
        time.sleep(0.02)

    def delta(family, sample=None, **labels):
        return value(after, family, sample, **labels) - value(before, family, sample, **labels)

    assert delta(req, route="/topics", method="GET", code_class="2xx") == 3
    assert delta(req, route="/topics/{topic}", method="GET", code_class="4xx") == 1
    assert delta(req, route="/topics/{topic}", method="POST", code_class="2xx") == 1
    h = "krest_http_request_duration_seconds"
    assert delta(h, h + "_count", route="/topics") == 3
    assert delta("krest_produce_records") == 2
    assert delta("krest_produce_bytes") == sum(len(v) for v in values)
    assert delta("krest_http_request_bytes") == len(r.request.body)
    # Kafka has the two records (an independent client).
    c = Consumer({"bootstrap.servers": kafka_bootstrap, "group.id": "metrics-check"})
    try:
        lo, hi = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
        assert hi - lo == 2
    finally:
        c.close()


def test_consumer_counters(start_krest, new_topic):
    k = start_krest()
    topic = new_topic()
    values = [b"one", b"three"]
    body = {"records": [{"value": base64.b64encode(v).decode()} for v in values]}
    assert k.post(f"/topics/{topic}", json=body, headers={"Content-Type": BINARY_V2}).ok
    g = "metrics-" + uuid.uuid4().hex[:8]
    h = {"Content-Type": V2}
    r = k.post(f"/consumers/{g}", json={"name": "c1", "format": "binary",
                                        "auto.offset.reset": "earliest"}, headers=h)
    assert r.status_code == 200, r.text
    inst = f"/consumers/{g}/instances/c1"
    assert k.post(inst + "/subscription", json={"topics": [topic]}, headers=h).status_code == 204
    fams, _ = scrape(k.url)
    assert value(fams, "krest_consumer_instances") == 1
    got = []
    accept = {"Accept": "application/vnd.kafka.binary.v2+json"}
    wait_until(lambda: got.extend(k.get(inst + "/records", headers=accept).json()) or len(got) >= 2, 20)
    assert len(got) == 2
    fams, _ = scrape(k.url)
    assert value(fams, "krest_consumer_records") == 2
    assert value(fams, "krest_consumer_bytes") == sum(len(v) for v in values)
    assert k.request("DELETE", inst, headers=h).status_code == 204
    fams, _ = scrape(k.url)
    assert value(fams, "krest_consumer_instances") == 0


def test_librdkafka_figure_within_two_intervals(start_krest):
    interval_ms = 1000
    k = start_krest(f"--krest.metrics.statistics.interval.ms={interval_ms}")
    t0 = time.monotonic()

    def producer_figure():
        fams, _ = scrape(k.url)
        return [s for s in fams["krest_kafka_queue_messages"].samples
                if s.labels.get("type") == "producer"]

    found = wait_until(producer_figure, 2 * interval_ms / 1000 + 0.5)
    assert found, "no librdkafka statistics in /metrics"
    assert time.monotonic() - t0 <= 2 * interval_ms / 1000 + 0.5


@pytest.mark.parametrize("labels", [False, True])
def test_consumer_statistics_only_for_topic_labels(start_krest, new_topic, labels):
    """A consumer instance's librdkafka statistics (~0.2 MiB of resident memory per idle
    instance) are on only with krest.metrics.topic.labels, whose consumer lag needs them; the
    producer's come either way."""
    interval_ms = 300
    k = start_krest(f"--krest.metrics.statistics.interval.ms={interval_ms}",
                    f"--krest.metrics.topic.labels={'true' if labels else 'false'}")
    topic = new_topic()
    body = {"records": [{"value": base64.b64encode(b"x").decode()} for _ in range(3)]}
    assert k.post(f"/topics/{topic}", json=body, headers={"Content-Type": BINARY_V2}).ok
    g, h = "metrics-" + uuid.uuid4().hex[:8], {"Content-Type": V2}
    r = k.post(f"/consumers/{g}", json={"name": "c1", "format": "binary",
                                        "auto.offset.reset": "earliest"}, headers=h)
    assert r.status_code == 200, r.text
    inst = f"/consumers/{g}/instances/c1"
    assert k.post(inst + "/subscription", json={"topics": [topic]}, headers=h).status_code == 204
    got = []
    accept = {"Accept": BINARY_V2}
    wait_until(lambda: got.extend(k.get(inst + "/records", headers=accept).json()) or got, 20)

    def of_type(typ):
        fams, _ = scrape(k.url)
        return [s for s in fams["krest_kafka_queue_messages"].samples
                if s.labels.get("type") == typ]

    if labels:  # the instance's figures and its lag come
        assert wait_until(lambda: of_type("consumer"), 10)
        assert wait_until(lambda: [s for s in scrape(k.url)[0]["krest_kafka_consumer_lag"].samples
                                   if s.labels.get("topic") == topic], 10)
    else:  # three intervals after the producer's came, still none of the instance's
        assert wait_until(lambda: of_type("producer"), 10)
        time.sleep(3 * interval_ms / 1000)
        assert of_type("consumer") == []
    assert k.request("DELETE", inst, headers=h).status_code == 204


def test_statistics_off(start_krest):
    k = start_krest("--krest.metrics.statistics.interval.ms=0")
    time.sleep(0.3)  # nothing to poll for: statistics never come
    fams, _ = scrape(k.url)
    assert fams["krest_kafka_queue_messages"].samples == []


def test_cardinality_bounded(start_krest):
    k = start_krest()
    s = requests.Session()
    names = [uuid.uuid4().hex for _ in range(10000)]
    for n in names:
        assert s.get(f"{k.url}/topics/{n}", timeout=10).status_code == 404
    fams, text = scrape(k.url)
    series = sum(len(f.samples) for f in fams.values())
    assert series < 200, series
    assert value(fams, "krest_http_requests", route="/topics/{topic}", method="GET",
                 code_class="4xx") == 10000
    assert not any(n in text for n in names[:100] + names[-100:])
    # Unknown paths and methods are bounded too.
    for i in range(50):
        s.request(f"M{i}", f"{k.url}/nowhere/{i}", timeout=10)
    fams, _ = scrape(k.url)
    methods = {s.labels["method"] for s in fams["krest_http_requests"].samples}
    routes = {s.labels["route"] for s in fams["krest_http_requests"].samples}
    assert methods <= {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "other"}
    assert "unmatched" in routes and not any(r.startswith("/nowhere") for r in routes)


def test_separate_listener(start_krest):
    mport = free_port()
    k = start_krest(f"--krest.metrics.listener=http://127.0.0.1:{mport}")
    murl = f"http://127.0.0.1:{mport}"
    k.get("/topics")
    fams, _ = scrape(murl)
    assert value(fams, "krest_http_requests", route="/topics", method="GET", code_class="2xx") == 1
    assert requests.get(murl + "/topics", timeout=10).status_code == 404
    assert requests.get(murl + "/", timeout=10).status_code == 404
    scrape(k.url)  # the main listeners keep serving it


def test_disabled(start_krest):
    k = start_krest("--krest.metrics.enable=false")
    assert k.get("/metrics").status_code == 404
