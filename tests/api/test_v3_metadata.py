"""v3 read-only metadata endpoints (API.md §3.1-3.4): clusters, brokers, topics, partitions,
offsets, replicas, a broker's partition replicas, reassignments (501), the envelope (kind,
self, resource_name, related links, metadata.next), every error, media types and
api.v3.enable. Values are cross-checked against confluent_kafka's AdminClient."""

import pytest

from conftest import SCHEME, assert_error, media_type, produce, unique_topic, wait_until

JSON = "application/json"


# --- local helpers (TODO: the lead wires in tests/api/v3_helpers.py) -------------------------


def cluster_md(admin):
    """confluent_kafka ClusterMetadata: cluster_id, controller_id, brokers, topics."""
    return admin.list_topics(timeout=10)


def cluster_id(admin):
    return cluster_md(admin).cluster_id


def base(k):
    """The URL base krest builds from the request's Host header (requests sends host:port)."""
    return k.url


def get(k, path, **kw):
    headers = kw.pop("headers", {"Accept": JSON})
    return k.get(path, headers=headers, **kw)


def ok(r):
    assert r.status_code == 200, r.text[:500]
    assert media_type(r) == JSON
    return r.json()


def rel(url):
    return {"related": url}


def expected_broker(k, c, b):
    u = f"{base(k)}/v3/clusters/{c}/brokers/{b.id}"
    return {
        "kind": "KafkaBroker",
        "metadata": {"self": u, "resource_name": f"crn:///kafka={c}/broker={b.id}"},
        "cluster_id": c,
        "broker_id": b.id,
        "host": b.host,
        "port": b.port,
        "rack": None,
        "configs": rel(u + "/configs"),
        "partition_replicas": rel(u + "/partition-replicas"),
    }


def expected_topic(k, c, t, partitions, rf, crn_base="crn://"):
    u = f"{base(k)}/v3/clusters/{c}/topics/{t}"
    return {
        "kind": "KafkaTopic",
        "metadata": {"self": u, "resource_name": f"{crn_base}/kafka={c}/topic={t}"},
        "cluster_id": c,
        "topic_name": t,
        "is_internal": False,
        "replication_factor": rf,
        "partitions_count": partitions,
        "partitions": rel(u + "/partitions"),
        "configs": rel(u + "/configs"),
        "partition_reassignments": rel(u + "/partitions/-/reassignment"),
        "authorized_operations": [],
    }


def expected_partition(k, c, t, pm):
    """pm: confluent_kafka PartitionMetadata."""
    u = f"{base(k)}/v3/clusters/{c}/topics/{t}/partitions/{pm.id}"
    return {
        "kind": "KafkaPartition",
        "metadata": {"self": u, "resource_name": f"crn:///kafka={c}/topic={t}/partition={pm.id}"},
        "cluster_id": c,
        "topic_name": t,
        "partition_id": pm.id,
        "leader": rel(f"{u}/replicas/{pm.leader}") if pm.leader >= 0 else None,
        "replicas": rel(u + "/replicas"),
        "reassignment": rel(u + "/reassignment"),
    }


def expected_replica(k, c, t, pm, b):
    u = f"{base(k)}/v3/clusters/{c}/topics/{t}/partitions/{pm.id}/replicas/{b}"
    return {
        "kind": "KafkaReplica",
        "metadata": {
            "self": u,
            "resource_name": f"crn:///kafka={c}/topic={t}/partition={pm.id}/replica={b}",
        },
        "cluster_id": c,
        "topic_name": t,
        "partition_id": pm.id,
        "broker_id": b,
        "is_leader": b == pm.leader,
        "is_in_sync": b in pm.isrs,
        "broker": rel(f"{base(k)}/v3/clusters/{c}/brokers/{b}"),
    }


def get_listing(k, path, has):
    """GETs a listing until has(body) holds: listings come from the metadata cache, at most
    krest.metadata.max.age.ms (1 s) old, so a topic created a moment ago shows up within it."""
    bodies = []

    def fetch():
        bodies.append(ok(get(k, path)))
        return has(bodies[-1])

    assert wait_until(fetch, 2.0), bodies[-1]
    return bodies[-1]


def collection(k, kind, path, data):
    return {
        "kind": kind,
        "metadata": {"self": f"{base(k)}/v3/{path}", "next": None},
        "data": data,
    }


@pytest.fixture(scope="module")
def three(admin):
    """A topic with three partitions, records in partition 1 (module-scoped, deleted after)."""
    from confluent_kafka.admin import NewTopic

    from conftest import KAFKA_BOOTSTRAP, topic_meta

    name = unique_topic("krest-v3")
    admin.create_topics([NewTopic(name, 3, 1)])[name].result(timeout=20)

    def ready():
        t = topic_meta(admin, name)
        return t is not None and len(t.partitions) == 3 and all(
            p.leader >= 0 for p in t.partitions.values()
        )

    assert wait_until(ready, 15)
    produce(KAFKA_BOOTSTRAP, name, 5, partition=1)
    yield name
    admin.delete_topics([name])[name].result(timeout=20)


def topic_md(admin, name):
    return cluster_md(admin).topics[name]


# --- clusters ------------------------------------------------------------------------------


def expected_cluster(k, admin):
    md = cluster_md(admin)
    c = md.cluster_id
    u = f"{base(k)}/v3/clusters/{c}"
    return {
        "kind": "KafkaCluster",
        "metadata": {"self": u, "resource_name": f"crn:///kafka={c}"},
        "cluster_id": c,
        "controller": rel(f"{u}/brokers/{md.controller_id}"),
        "acls": rel(u + "/acls"),
        "brokers": rel(u + "/brokers"),
        "broker_configs": rel(u + "/broker-configs"),
        "consumer_groups": rel(u + "/consumer-groups"),
        "topics": rel(u + "/topics"),
        "partition_reassignments": rel(u + "/topics/-/partitions/-/reassignment"),
    }


def test_clusters_list(krest, admin):
    body = ok(get(krest, "/v3/clusters"))
    want = [expected_cluster(krest, admin)]
    assert body == collection(krest, "KafkaClusterList", "clusters", want)


@pytest.mark.parametrize("accept", [None, "*/*", JSON, "application/*"])
def test_cluster_get(krest, admin, accept):
    headers = {"Accept": accept} if accept else {}
    body = ok(krest.get(f"/v3/clusters/{cluster_id(admin)}", headers=headers))
    assert body == expected_cluster(krest, admin)


def test_unknown_cluster_get(krest):
    assert_error(get(krest, "/v3/clusters/foobar"), 404)


@pytest.mark.parametrize(
    "suffix",
    [
        "/brokers",
        "/brokers/1",
        "/brokers/1/partition-replicas",
        "/topics",
        "/topics/t",
        "/topics/t/partitions",
        "/topics/t/partitions/0",
        "/topics/t/partitions/0/offset",
        "/topics/t/partitions/0/replicas",
        "/topics/t/partitions/0/replicas/1",
        "/topics/-/partitions/-/reassignment",
        "/topics/t/partitions/-/reassignment",
        "/topics/t/partitions/0/reassignment",
    ],
)
def test_unknown_cluster(krest, suffix):
    body = assert_error(get(krest, "/v3/clusters/foobar" + suffix), 404)
    assert body["message"] == "Cluster foobar cannot be found."


# --- brokers -------------------------------------------------------------------------------


def test_brokers(krest, admin):
    md = cluster_md(admin)
    c = md.cluster_id
    brokers = sorted(md.brokers.values(), key=lambda b: b.id)
    body = ok(get(krest, f"/v3/clusters/{c}/brokers"))
    want = [expected_broker(krest, c, b) for b in brokers]
    assert body == collection(krest, "KafkaBrokerList", f"clusters/{c}/brokers", want)
    for b in brokers:
        assert ok(get(krest, f"/v3/clusters/{c}/brokers/{b.id}")) == expected_broker(krest, c, b)


def test_unknown_broker(krest, admin):
    c = cluster_id(admin)
    body = assert_error(get(krest, f"/v3/clusters/{c}/brokers/99"), 404)
    assert body["message"] == "Broker 99 cannot be found."
    body = assert_error(get(krest, f"/v3/clusters/{c}/brokers/99/partition-replicas"), 404)
    assert body["message"] == "Broker 99 cannot be found."
    assert_error(get(krest, f"/v3/clusters/{c}/brokers/abc"), 404)


def test_broker_partition_replicas(krest, admin, three):
    md = cluster_md(admin)
    c = md.cluster_id
    for b in md.brokers:
        body = get_listing(
            krest,
            f"/v3/clusters/{c}/brokers/{b}/partition-replicas",
            lambda body: any(r["topic_name"] == three for r in body["data"]),
        )
        assert body["kind"] == "KafkaReplicaList"
        assert body["metadata"] == {
            "self": f"{base(krest)}/v3/clusters/{c}/brokers/{b}/partition-replicas",
            "next": None,
        }
        keys = [(r["topic_name"], r["partition_id"]) for r in body["data"]]
        assert keys == sorted(keys)
        assert all(r["broker_id"] == b for r in body["data"])
        t = md.topics[three]
        want = [expected_replica(krest, c, three, t.partitions[p], b) for p in sorted(t.partitions)]
        got = [r for r in body["data"] if r["topic_name"] == three]
        assert got == [w for w in want if b in t.partitions[w["partition_id"]].replicas]


# --- topics --------------------------------------------------------------------------------


def test_topics_list(krest, admin, new_topic):
    a = new_topic(partitions=2, name=unique_topic("krest-v3-b"))
    b = new_topic(partitions=1, name=unique_topic("krest-v3-a"))
    c = cluster_id(admin)
    body = get_listing(
        krest,
        f"/v3/clusters/{c}/topics",
        lambda body: {a, b} <= {t["topic_name"] for t in body["data"]},
    )
    assert body["kind"] == "KafkaTopicList"
    assert body["metadata"] == {"self": f"{base(krest)}/v3/clusters/{c}/topics", "next": None}
    names = [t["topic_name"] for t in body["data"]]
    assert names == sorted(names)
    assert not [n for n in names if n.startswith("__")]
    by_name = {t["topic_name"]: t for t in body["data"]}
    assert by_name[a] == expected_topic(krest, c, a, 2, 1)
    assert by_name[b] == expected_topic(krest, c, b, 1, 1)
    # Every listed topic agrees with Kafka's own view.
    md = cluster_md(admin)
    for t in body["data"]:
        if t["topic_name"] in md.topics:
            tm = md.topics[t["topic_name"]]
            assert t["partitions_count"] == len(tm.partitions)
            assert t["replication_factor"] == len(tm.partitions[0].replicas)


def test_topics_list_hides_internal(krest, admin, consumer_offsets_exists):
    c = cluster_id(admin)
    names = [t["topic_name"] for t in ok(get(krest, f"/v3/clusters/{c}/topics"))["data"]]
    assert "__consumer_offsets" not in names
    # ... but the topic itself can be read, and says it is internal.
    body = ok(get(krest, f"/v3/clusters/{c}/topics/__consumer_offsets"))
    assert body["is_internal"] is True


def test_topic_get(krest, admin, three):
    c = cluster_id(admin)
    body = ok(get(krest, f"/v3/clusters/{c}/topics/{three}"))
    assert body == expected_topic(krest, c, three, 3, 1)


def test_topic_just_created_is_found(krest, admin, new_topic):
    c = cluster_id(admin)
    ok(get(krest, f"/v3/clusters/{c}/topics"))  # the cache now holds a snapshot without it
    t = new_topic()
    assert ok(get(krest, f"/v3/clusters/{c}/topics/{t}"))["topic_name"] == t


def test_unknown_topic(krest, admin):
    c = cluster_id(admin)
    name = unique_topic("krest-v3-missing")
    for suffix in ["", "/partitions", "/partitions/0", "/partitions/0/offset",
                   "/partitions/0/replicas", "/partitions/0/replicas/1"]:
        assert_error(get(krest, f"/v3/clusters/{c}/topics/{name}{suffix}"), 404, 40403)
    assert name not in cluster_md(admin).topics  # reads never create topics


@pytest.mark.parametrize("value,status", [("true", 501), ("TRUE", 501), ("false", 200), ("x", 200)])
def test_authorized_operations(krest, admin, three, value, status):
    c = cluster_id(admin)
    r1 = get(krest, f"/v3/clusters/{c}/topics?includeAuthorizedOperations={value}")
    r2 = get(krest, f"/v3/clusters/{c}/topics/{three}?include_authorized_operations={value}")
    for r in (r1, r2):
        if status == 200:
            assert ok(r)
        else:
            assert_error(r, 501)
    if status == 200:
        assert ok(r2)["authorized_operations"] == []
    # The other endpoint's spelling is not this one's: ignored.
    r = get(krest, f"/v3/clusters/{c}/topics/{three}?includeAuthorizedOperations={value}")
    assert ok(r)["authorized_operations"] == []


# --- partitions and replicas ---------------------------------------------------------------


def test_partitions(krest, admin, three):
    c = cluster_id(admin)
    t = topic_md(admin, three)
    want = [expected_partition(krest, c, three, t.partitions[p]) for p in sorted(t.partitions)]
    body = ok(get(krest, f"/v3/clusters/{c}/topics/{three}/partitions"))
    path = f"clusters/{c}/topics/{three}/partitions"
    assert body == collection(krest, "KafkaPartitionList", path, want)
    for p, w in zip(sorted(t.partitions), want):
        assert ok(get(krest, f"/v3/clusters/{c}/topics/{three}/partitions/{p}")) == w


def test_unknown_partition(krest, admin, three):
    c = cluster_id(admin)
    p = f"/v3/clusters/{c}/topics/{three}/partitions"
    body = assert_error(get(krest, p + "/3"), 404)
    assert body["message"] == f"Partition 3 of topic {three} could not be found on cluster {c}."
    assert_error(get(krest, p + "/3/replicas"), 404)
    assert_error(get(krest, p + "/3/replicas/1"), 404)
    assert_error(get(krest, p + "/-1"), 404)
    body = assert_error(get(krest, p + "/3/offset"), 404, 40402)
    assert body["message"] == "Partition not found."
    for bad in ["abc", "1.5", "2147483648"]:
        assert_error(get(krest, f"{p}/{bad}"), 404)  # not an int32: no route, as Confluent
        assert_error(get(krest, f"{p}/{bad}/replicas"), 404)


def test_replicas(krest, admin, three):
    c = cluster_id(admin)
    t = topic_md(admin, three)
    for p in sorted(t.partitions):
        pm = t.partitions[p]
        want = [expected_replica(krest, c, three, pm, b) for b in pm.replicas]
        path = f"clusters/{c}/topics/{three}/partitions/{p}/replicas"
        assert ok(get(krest, "/v3/" + path)) == collection(krest, "KafkaReplicaList", path, want)
        for b, w in zip(pm.replicas, want):
            assert ok(get(krest, f"/v3/{path}/{b}")) == w
        assert any(w["is_leader"] for w in want)


def test_unknown_replica(krest, admin, three):
    c = cluster_id(admin)
    assert_error(get(krest, f"/v3/clusters/{c}/topics/{three}/partitions/0/replicas/99"), 404)
    assert_error(get(krest, f"/v3/clusters/{c}/topics/{three}/partitions/0/replicas/x"), 404)


# --- offsets -------------------------------------------------------------------------------


def expected_offsets(k, c, t, p, earliest, latest):
    return {
        "kind": "KafkaPartitionWithOffsets",
        "metadata": {
            "self": f"{base(k)}/v3/clusters/{c}/topics/{t}/partitions/{p}/offset",
            "resource_name": f"crn:///kafka={c}/topic={t}/partition={p}"
            "/offset_type=earliest_and_latest",
        },
        "cluster_id": c,
        "topic_name": t,
        "partition_id": p,
        "earliest_offset": earliest,
        "latest_offset": latest,
    }


@pytest.mark.parametrize("query", ["", "?offset_type=earliest_and_latest"])
def test_partition_offsets(krest, admin, three, query):
    from confluent_kafka import Consumer, TopicPartition

    from conftest import KAFKA_BOOTSTRAP

    c = cluster_id(admin)
    cons = Consumer({"bootstrap.servers": KAFKA_BOOTSTRAP, "group.id": "krest-v3-wm"})
    try:
        for p in range(3):
            lo, hi = cons.get_watermark_offsets(TopicPartition(three, p), timeout=10)
            body = ok(get(krest, f"/v3/clusters/{c}/topics/{three}/partitions/{p}/offset{query}"))
            assert body == expected_offsets(krest, c, three, p, lo, hi)
    finally:
        cons.close()
    assert (lo, hi) == (0, 0)  # partition 2 is empty; partition 1 holds the 5 records
    body = ok(get(krest, f"/v3/clusters/{c}/topics/{three}/partitions/1/offset"))
    assert (body["earliest_offset"], body["latest_offset"]) == (0, 5)


@pytest.mark.parametrize("value", ["foobar", "EARLIEST_AND_LATEST", ""])
def test_partition_offsets_bad_type(krest, admin, three, value):
    c = cluster_id(admin)
    r = get(krest, f"/v3/clusters/{c}/topics/{three}/partitions/0/offset?offset_type={value}")
    body = assert_error(r, 400)
    assert body["message"] == f"offset_type:{value} is invalid"


# --- reassignments -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "suffix",
    ["/topics/-/partitions/-/reassignment", "/topics/{t}/partitions/-/reassignment",
     "/topics/{t}/partitions/0/reassignment"],
)
def test_reassignments_not_implemented(krest, admin, three, suffix):
    c = cluster_id(admin)
    body = assert_error(get(krest, f"/v3/clusters/{c}" + suffix.format(t=three)), 501)
    assert "ListPartitionReassignments" in body["message"]


# --- routing, media types, configuration ---------------------------------------------------


def test_unknown_path_and_method(krest, admin):
    c = cluster_id(admin)
    body = assert_error(get(krest, f"/v3/clusters/{c}/nothing"), 404)
    assert body["message"] == "HTTP 404 Not Found"
    assert media_type(get(krest, "/v3/nothing")) == JSON
    assert_error(get(krest, "/v3"), 404)
    body = assert_error(krest.request("DELETE", f"/v3/clusters/{c}", headers={"Accept": JSON}), 405)
    assert body["message"] == "HTTP 405 Method Not Allowed"
    assert_error(krest.post("/v3/clusters", headers={"Content-Type": JSON}, data="{}"), 405)


@pytest.mark.parametrize(
    "accept", ["application/vnd.kafka.v2+json", "text/plain", "application/xml"]
)
def test_not_acceptable(krest, accept):
    r = krest.get("/v3/clusters", headers={"Accept": accept})
    assert r.status_code == 406
    assert media_type(r) == JSON


def test_json_accept_with_others(krest):
    r = krest.get("/v3/clusters", headers={"Accept": "text/html, application/json;q=0.5"})
    assert ok(r)["kind"] == "KafkaClusterList"


def test_v3_disabled(start_krest, admin):
    k = start_krest("--api.v3.enable=false")
    c = cluster_id(admin)
    for path in ["/v3/clusters", f"/v3/clusters/{c}", f"/v3/clusters/{c}/topics", "/v3"]:
        body = assert_error(get(k, path), 404)
        assert body["message"] == "HTTP 404 Not Found"
    assert k.get("/topics").status_code == 200  # v2 still serves


@pytest.mark.parametrize("authority,crn", [("rest.example.com", "crn://rest.example.com"),
                                           ("/rest.example.com/", "crn://rest.example.com")])
def test_crn_authority(start_krest, admin, three, authority, crn):
    k = start_krest(f"--confluent.resource.name.authority={authority}")
    c = cluster_id(admin)
    body = ok(get(k, f"/v3/clusters/{c}/topics/{three}"))
    assert body == expected_topic(k, c, three, 3, 1, crn_base=crn)
    assert ok(get(k, f"/v3/clusters/{c}"))["metadata"]["resource_name"] == f"{crn}/kafka={c}"


def test_self_urls_follow_advertised_listeners(start_krest, admin):
    k = start_krest(f"--advertised.listeners={SCHEME}://proxy.example:9999")
    c = cluster_id(admin)
    body = ok(get(k, f"/v3/clusters/{c}"))
    assert body["metadata"]["self"] == f"{SCHEME}://proxy.example:9999/v3/clusters/{c}"
    assert body["topics"] == rel(f"{SCHEME}://proxy.example:9999/v3/clusters/{c}/topics")


def test_self_urls_follow_host_header(krest, admin):
    c = cluster_id(admin)
    body = ok(krest.get(f"/v3/clusters/{c}", headers={"Host": "lb.example:8443"}))
    assert body["metadata"]["self"] == f"{krest.scheme}://lb.example:8443/v3/clusters/{c}"
