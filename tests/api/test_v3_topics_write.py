"""v3 topics, the write side (API.md §3.3): POST .../topics (create, validate_only),
PATCH .../topics/{t} (raise the partition count), DELETE .../topics/{t}, and every error.
Every response is checked against the OpenAPI document (the `v3` fixture); every change, and
the absence of one on a rejected request, is checked with confluent_kafka's AdminClient."""

import pytest

from conftest import assert_error, topic_configs, topic_meta, unique_topic, wait_until
from v3_helpers import delete_topic_wait

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def cleanup(kafka_bootstrap):
    """Names of topics a test may create through krest; deleted (if they exist) afterwards."""
    names = []
    yield names
    for n in names:
        delete_topic_wait(kafka_bootstrap, n)


def topics_path(c):
    return f"/v3/clusters/{c}/topics"


def create(v3, c, body, **kw):
    return v3.post(topics_path(c), json=body, **kw)


def expected_topic(v3_names, t, partitions, rf):
    base = ("topics", t)
    return {
        "kind": "KafkaTopic",
        "metadata": v3_names.topic(t),
        "cluster_id": v3_names.cluster,
        "topic_name": t,
        "is_internal": False,
        "replication_factor": rf,
        "partitions_count": partitions,
        "partitions": v3_names.related(*base, "partitions"),
        "configs": v3_names.related(*base, "configs"),
        "partition_reassignments": v3_names.related(*base, "partitions", "-", "reassignment"),
        "authorized_operations": [],
    }


def shape_now(admin, t):
    """(partition count, replication factor of partition 0) as the broker reports, or None."""
    m = topic_meta(admin, t)
    if m is None:
        return None
    return len(m.partitions), len(m.partitions[0].replicas) if 0 in m.partitions else 0


def shape(admin, t, want=None, timeout=10):
    """shape_now() once the topic is listed (and, with want, has that shape): the AdminClient's
    metadata may reach the broker a moment before the broker publishes a change."""
    return wait_until(
        lambda: (lambda s: s if s is not None and (want is None or s == want) else None)(
            shape_now(admin, t)
        ),
        timeout,
    )


def listed(v3, c, t):
    r = v3.get(topics_path(c))
    assert r.status_code == 200, r.text
    return t in [d["topic_name"] for d in r.json()["data"]]


# --- create --------------------------------------------------------------------------------


def test_create_201_location_body_and_kafka(v3, v3_names, admin, cleanup):
    c, t = v3_names.cluster, unique_topic("krest-v3w")
    cleanup.append(t)
    body = {
        "topic_name": t,
        "partitions_count": 3,
        "replication_factor": 1,
        "configs": [
            {"name": "retention.ms", "value": "123456"},
            {"name": "cleanup.policy", "value": "compact"},
            {"name": "segment.bytes", "value": None},
        ],
    }
    r = create(v3, c, body)
    assert r.status_code == 201, r.text
    assert r.headers["Location"] == v3_names.url("topics", t)
    assert r.json() == expected_topic(v3_names, t, 3, 1)
    assert shape(admin, t, (3, 1)) == (3, 1)
    cfg = topic_configs(admin, t)
    assert cfg["retention.ms"] == "123456"
    assert cfg["cleanup.policy"] == "compact"
    # The metadata cache noticed: the very next list shows it, and GET finds it.
    assert listed(v3, c, t)
    g = v3.get(f"{topics_path(c)}/{t}")
    assert g.status_code == 200 and g.json()["partitions_count"] == 3


def test_create_broker_defaults_are_the_true_counts(v3, v3_names, admin, cleanup):
    c, t = v3_names.cluster, unique_topic("krest-v3w")
    cleanup.append(t)
    r = create(v3, c, {"topic_name": t})
    assert r.status_code == 201, r.text
    pc, rf = shape(admin, t)
    assert (r.json()["partitions_count"], r.json()["replication_factor"]) == (pc, rf)


def test_create_with_replicas_assignments(v3, v3_names, admin, cleanup):
    c, t = v3_names.cluster, unique_topic("krest-v3w")
    cleanup.append(t)
    broker = admin.list_topics(timeout=10).brokers
    b = sorted(broker)[0]
    body = {"topic_name": t, "replicas_assignments": {"0": [b], "1": [b]}, "partitions_count": 7}
    r = create(v3, c, body)
    assert r.status_code == 201, r.text
    assert r.json() == expected_topic(v3_names, t, 2, 1)
    assert shape(admin, t, (2, 1)) == (2, 1)
    assert [topic_meta(admin, t).partitions[p].replicas for p in (0, 1)] == [[b], [b]]


@pytest.mark.parametrize(
    "body, partitions, rf",
    [({"partitions_count": 2, "replication_factor": 1}, 2, 1), ({}, None, None)],
)
def test_create_validate_only_200_nothing_created(v3, v3_names, admin, body, partitions, rf):
    c, t = v3_names.cluster, unique_topic("krest-v3w")
    r = create(v3, c, {"topic_name": t, "validate_only": True, **body})
    assert r.status_code == 200, r.text
    assert r.headers["Location"] == v3_names.url("topics", t)
    got = r.json()
    if partitions is None:  # the broker's defaults: what a real create gives
        partitions, rf = got["partitions_count"], got["replication_factor"]
        assert partitions >= 1 and rf >= 1
    assert got == expected_topic(v3_names, t, partitions, rf)
    assert topic_meta(admin, t) is None
    assert not listed(v3, c, t)


def test_create_existing_topic_400_40002(v3, v3_names, v3_topic, admin):
    t = v3_topic(partitions=1)
    for extra in ({}, {"validate_only": True}):
        r = create(v3, v3_names.cluster, {"topic_name": t, "partitions_count": 2, **extra})
        assert_error(r, 400, 40002)
    assert shape(admin, t) == (1, 1)


def test_create_rf_larger_than_brokers_400_40002(v3, v3_names, admin):
    t = unique_topic("krest-v3w")
    n = len(admin.list_topics(timeout=10).brokers)
    r = create(v3, v3_names.cluster, {"topic_name": t, "replication_factor": n + 1})
    assert_error(r, 400, 40002)
    assert topic_meta(admin, t) is None


def test_create_invalid_config_400_40002(v3, v3_names, admin):
    t = unique_topic("krest-v3w")
    for cfg in ({"name": "no.such.config", "value": "1"}, {"name": "retention.ms", "value": "x"}):
        r = create(v3, v3_names.cluster, {"topic_name": t, "configs": [cfg]})
        assert_error(r, 400, 40002)
    assert topic_meta(admin, t) is None


@pytest.mark.parametrize("name", ["", ".", "..", "a b", "x" * 250, "caf\u00e9", "a/b"])
def test_create_invalid_topic_name_422_42206(v3, v3_names, admin, name):
    r = create(v3, v3_names.cluster, {"topic_name": name})
    body = assert_error(r, 422, 42206)
    assert body["message"] == "Payload error. Invalid topic name."
    if name:
        assert topic_meta(admin, name) is None


def test_create_longest_legal_name(v3, v3_names, admin, cleanup):
    t = ("krest-v3w-" + unique_topic("x") + "._-" * 100)[:249]
    cleanup.append(t)
    r = create(v3, v3_names.cluster, {"topic_name": t})
    assert r.status_code == 201, r.text
    assert topic_meta(admin, t) is not None


@pytest.mark.parametrize("data", [None, "", "  ", "null"])
def test_create_empty_body_422_42206(v3, v3_names, data):
    r = v3.post(topics_path(v3_names.cluster), data=data, headers=JSON)
    body = assert_error(r, 422, 42206)
    assert body["message"] == "Payload error. Request body is empty. Data is required."


@pytest.mark.parametrize(
    "data",
    [
        "foobar",
        "{}",
        "[]",
        '{"topic_name": 5}',
        '{"topic_name": null}',
        '{"topic_name": "T", "partitions_count": "2"}',
        '{"topic_name": "T", "partitions_count": 2.5}',
        '{"topic_name": "T", "partitions_count": 3000000000}',
        '{"topic_name": "T", "replication_factor": 40000}',
        '{"topic_name": "T", "validate_only": "yes"}',
        '{"topic_name": "T", "configs": {"a": "b"}}',
        '{"topic_name": "T", "configs": [{"value": "1"}]}',
        '{"topic_name": "T", "configs": [{"name": "a", "value": [1]}]}',
        '{"topic_name": "T", "replicas_assignments": [[0]]}',
        '{"topic_name": "T", "replicas_assignments": {"x": [0]}}',
        '{"topic_name": "T", "replicas_assignments": {"0": ["a"]}}',
        '{"topic_name": "T", "unknown_field": 1}',
    ],
)
def test_create_bad_json_400(v3, v3_names, admin, data):
    t = unique_topic("krest-v3w")
    r = v3.post(topics_path(v3_names.cluster), data=data.replace('"T"', f'"{t}"'), headers=JSON)
    assert_error(r, 400)
    assert topic_meta(admin, t) is None


def test_create_assignment_not_consecutive_400_40002(v3, v3_names, admin):
    t = unique_topic("krest-v3w")
    body = {"topic_name": t, "replicas_assignments": {"0": [1], "2": [1]}}
    assert_error(create(v3, v3_names.cluster, body), 400, 40002)
    assert topic_meta(admin, t) is None


def test_create_unknown_cluster_404(v3, admin):
    t = unique_topic("krest-v3w")
    r = create(v3, "no-such-cluster", {"topic_name": t})
    body = assert_error(r, 404)
    assert body["message"] == "Cluster no-such-cluster cannot be found."
    assert topic_meta(admin, t) is None


def test_create_wrong_content_type_415(v3, v3_names, admin):
    t = unique_topic("krest-v3w")
    r = v3.post(
        topics_path(v3_names.cluster),
        data=f'{{"topic_name":"{t}"}}',
        headers={"Content-Type": "text/plain"},
    )
    assert r.status_code == 415
    assert topic_meta(admin, t) is None


# --- PATCH: raise the partition count ------------------------------------------------------


def test_patch_increase_200(v3, v3_names, v3_topic, admin):
    t = v3_topic(partitions=2)
    r = v3.patch(f"{topics_path(v3_names.cluster)}/{t}", json={"partitions_count": 5})
    assert r.status_code == 200, r.text
    assert r.json() == expected_topic(v3_names, t, 5, 1)
    assert shape(admin, t, (5, 1)) == (5, 1)
    g = v3.get(f"/v3/clusters/{v3_names.cluster}/topics/{t}/partitions")
    assert len(g.json()["data"]) == 5


@pytest.mark.parametrize("count", [3, 2, 1])
def test_patch_same_or_fewer_400_40002(v3, v3_names, v3_topic, admin, count):
    t = v3_topic(partitions=3)
    r = v3.patch(f"{topics_path(v3_names.cluster)}/{t}", json={"partitions_count": count})
    body = assert_error(r, 400, 40002)
    assert "3 partition" in body["message"], body
    assert shape(admin, t) == (3, 1)


def test_patch_unknown_topic_404_40403(v3, v3_names, admin):
    t = unique_topic("krest-v3w")
    r = v3.patch(f"{topics_path(v3_names.cluster)}/{t}", json={"partitions_count": 2})
    assert_error(r, 404, 40403)
    assert topic_meta(admin, t) is None


def test_patch_unknown_cluster_404(v3, v3_topic, admin):
    t = v3_topic(partitions=1)
    r = v3.patch(f"/v3/clusters/nope/topics/{t}", json={"partitions_count": 2})
    assert_error(r, 404)
    assert shape(admin, t) == (1, 1)


@pytest.mark.parametrize("data", [None, ""])
def test_patch_empty_body_422_42206(v3, v3_names, v3_topic, data):
    t = v3_topic(partitions=1)
    r = v3.patch(f"{topics_path(v3_names.cluster)}/{t}", data=data, headers=JSON)
    body = assert_error(r, 422, 42206)
    assert body["message"] == "Payload error. Request body is empty. Partitions_count is required."


@pytest.mark.parametrize(
    "data", ["foobar", "{}", '{"partitions_count": "4"}', '{"partitions_count": 4, "x": 1}']
)
def test_patch_bad_json_400(v3, v3_names, v3_topic, admin, data):
    t = v3_topic(partitions=1)
    r = v3.patch(f"{topics_path(v3_names.cluster)}/{t}", data=data, headers=JSON)
    assert_error(r, 400)
    assert shape(admin, t) == (1, 1)


# --- DELETE -----------------------------------------------------------------------------------


def test_delete_204_gone(v3, v3_names, kafka_bootstrap, admin):
    from v3_helpers import create_topic_wait

    c = v3_names.cluster
    t = create_topic_wait(kafka_bootstrap, partitions=2)
    # Created by another client: the cached list may be up to krest.metadata.max.age.ms old.
    assert wait_until(lambda: listed(v3, c, t), 5)
    r = v3.delete(f"{topics_path(c)}/{t}")
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert wait_until(lambda: topic_meta(admin, t) is None, 15)
    assert not listed(v3, c, t)
    assert_error(v3.get(f"{topics_path(c)}/{t}"), 404, 40403)


def test_delete_unknown_topic_404_40403(v3, v3_names):
    r = v3.delete(f"{topics_path(v3_names.cluster)}/{unique_topic('krest-v3w')}")
    assert_error(r, 404, 40403)


def test_delete_unknown_cluster_404(v3, v3_topic, admin):
    t = v3_topic(partitions=1)
    assert_error(v3.delete(f"/v3/clusters/nope/topics/{t}"), 404)
    assert topic_meta(admin, t) is not None


def test_create_then_delete_through_krest(v3, v3_names, admin):
    c, t = v3_names.cluster, unique_topic("krest-v3w")
    assert create(v3, c, {"topic_name": t, "partitions_count": 1}).status_code == 201
    assert v3.delete(f"{topics_path(c)}/{t}").status_code == 204
    assert wait_until(lambda: topic_meta(admin, t) is None, 15)
    assert not listed(v3, c, t)
