"""Metadata endpoints: /, /topics, /topics/{t}, partitions, offsets, brokers (API.md §1.2,
§1.4, §2.2 rows 1-10, §2.5, section K), checked against the AdminClient's view."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import (
    KAFKA_BOOTSTRAP,
    V1,
    V2,
    assert_error,
    media_type,
    produce,
    topic_configs,
    topic_meta,
    topic_names,
    unique_topic,
    wait_until,
)


def expected_partition(admin, topic, p):
    """The Partition entity krest should return, from the AdminClient's metadata."""
    pm = topic_meta(admin, topic).partitions[p]
    return {
        "partition": p,
        "leader": pm.leader,
        "replicas": [
            {"broker": b, "leader": b == pm.leader, "in_sync": b in pm.isrs} for b in pm.replicas
        ],
    }


def check_partition_shape(part):
    assert set(part) == {"partition", "leader", "replicas"}, part
    assert type(part["partition"]) is int and type(part["leader"]) is int, part
    assert isinstance(part["replicas"], list) and part["replicas"], part
    for rep in part["replicas"]:
        assert set(rep) == {"broker", "leader", "in_sync"}, rep
        assert type(rep["broker"]) is int, rep
        assert type(rep["leader"]) is bool and type(rep["in_sync"]) is bool, rep


# --- / ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", [None, V2, V1])
def test_root_get(krest, accept):
    headers = {"Accept": accept} if accept else {}
    r = krest.get("/", headers=headers)
    assert r.status_code == 200, r.text
    assert r.json() == {}


@pytest.mark.parametrize("ctype", [V2, V1, "application/json"])
def test_root_post(krest, ctype):
    r = krest.post("/", data='{"foo":"bar"}', headers={"Content-Type": ctype})
    assert r.status_code == 200, r.text
    assert r.json() == {}


# --- /topics -----------------------------------------------------------------------------------


def test_topics_lists_topic_just_created(krest, admin, new_topic, consumer_offsets_exists):
    # Warm krest's metadata cache first, so the new topic is missing from it.
    r = krest.get("/topics")
    assert r.status_code == 200, r.text
    name = new_topic()
    # A named look-up forces one refresh: found at once (section K).
    assert krest.get(f"/topics/{name}/partitions").status_code == 200
    # Listings are served from the cache, at most krest.metadata.max.age.ms (1 s) old
    # (README, docs/design-notes.md): the new topic shows up within that.
    deadline = time.monotonic() + 1.0 + 1.0
    while True:
        r = krest.get("/topics")
        assert r.status_code == 200, r.text
        if name in r.json() or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert r.status_code == 200, r.text
    assert media_type(r) == V2
    topics = r.json()
    assert isinstance(topics, list) and all(isinstance(t, str) for t in topics), topics
    assert len(topics) == len(set(topics)), "duplicates in the topic list"
    assert name in topics
    assert "__consumer_offsets" in topic_names(admin)
    assert "__consumer_offsets" not in topics
    assert not any(t.startswith("__") for t in topics), topics


def test_topics_v1(krest, new_topic):
    name = new_topic()
    # (test_topics_lists_topic_just_created checks that a new topic is listed at once)
    assert wait_until(lambda: name in krest.get("/topics").json(), 3, 0.1)
    r = krest.get("/topics", headers={"Accept": V1})
    assert r.status_code == 200, r.text
    assert media_type(r) == V1
    assert name in r.json()


def test_topics_omits_deleted_topic(krest, admin, new_topic):
    name = new_topic()
    assert wait_until(lambda: name in krest.get("/topics").json(), 3, 0.1)
    admin.delete_topics([name])[name].result(timeout=20)
    assert wait_until(lambda: name not in topic_names(admin), 10)
    # krest's cache may be up to krest.metadata.max.age.ms (1 s) old.
    gone = wait_until(lambda: name not in krest.get("/topics").json(), 5, 0.1)
    assert gone, f"{name} still listed 5 s after deletion"


# --- /topics/{t} -------------------------------------------------------------------------------

RETENTION = {"retention.ms": "123456789"}


@pytest.fixture(scope="module")
def config_topic(admin):
    """A 2-partition topic with one config override, shared by the read-only tests below."""
    from confluent_kafka.admin import NewTopic

    name = unique_topic()
    admin.create_topics([NewTopic(name, 2, 1, config=RETENTION)])[name].result(timeout=20)
    assert wait_until(
        lambda: (t := topic_meta(admin, name)) is not None
        and len(t.partitions) == 2
        and all(p.leader >= 0 for p in t.partitions.values()),
        15,
    )
    yield name
    admin.delete_topics([name])


def test_topic_v2_shape(krest, admin, config_topic):
    r = krest.get(f"/topics/{config_topic}")
    assert r.status_code == 200, r.text
    assert media_type(r) == V2
    body = r.json()
    assert set(body) == {"name", "configs", "partitions"}, body
    assert body["name"] == config_topic
    parts = body["partitions"]
    assert [p["partition"] for p in parts] == [0, 1]
    for p in parts:
        check_partition_shape(p)
        assert p == expected_partition(admin, config_topic, p["partition"])


def test_topic_v2_configs_include_defaults(krest, admin, config_topic):
    configs = krest.get(f"/topics/{config_topic}").json()["configs"]
    assert isinstance(configs, dict)
    assert configs["retention.ms"] == "123456789"
    assert configs["cleanup.policy"] == "delete"
    for k, v in configs.items():
        assert isinstance(k, str) and (v is None or isinstance(v, str)), (k, v)
    want = {k: v for k, v in topic_configs(admin, config_topic).items() if v is not None}
    missing = set(want) - set(configs)
    assert not missing, f"configs the broker describes but krest omits: {sorted(missing)}"
    wrong = {k: (configs[k], v) for k, v in want.items() if configs[k] != v}
    assert not wrong, f"(krest, broker) differ: {wrong}"


def test_topic_v1_configs_are_overrides(krest, admin, config_topic):
    r = krest.get(f"/topics/{config_topic}", headers={"Accept": V1})
    assert r.status_code == 200, r.text
    assert media_type(r) == V1
    body = r.json()
    assert set(body) == {"name", "configs", "partitions"}, body
    assert body["name"] == config_topic
    assert body["configs"] == RETENTION
    for p in body["partitions"]:
        check_partition_shape(p)
        assert p == expected_partition(admin, config_topic, p["partition"])


def test_topic_v1_no_overrides(krest, new_topic):
    name = new_topic()
    r = krest.get(f"/topics/{name}", headers={"Accept": V1})
    assert r.status_code == 200, r.text
    assert r.json()["configs"] == {}


def test_topic_just_created_is_found(krest, new_topic):
    krest.get("/topics")  # warm the cache
    name = new_topic(partitions=2)
    r = krest.get(f"/topics/{name}")
    assert r.status_code == 200, r.text
    assert len(r.json()["partitions"]) == 2


# --- partitions ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def three_partitions(admin):
    from confluent_kafka.admin import NewTopic

    name = unique_topic()
    admin.create_topics([NewTopic(name, 3, 1)])[name].result(timeout=20)
    assert wait_until(
        lambda: (t := topic_meta(admin, name)) is not None
        and len(t.partitions) == 3
        and all(p.leader >= 0 for p in t.partitions.values()),
        15,
    )
    yield name
    admin.delete_topics([name])


@pytest.mark.parametrize("accept", [V2, V1])
def test_partitions_list(krest, admin, three_partitions, accept):
    r = krest.get(f"/topics/{three_partitions}/partitions", headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert media_type(r) == accept
    parts = r.json()
    assert isinstance(parts, list) and len(parts) == 3
    assert [p["partition"] for p in parts] == [0, 1, 2]
    brokers = set(admin.list_topics(timeout=10).brokers)
    for p in parts:
        check_partition_shape(p)
        assert p["leader"] == 1
        assert p["leader"] in brokers
        assert p == expected_partition(admin, three_partitions, p["partition"])


@pytest.mark.parametrize("p", [0, 1, 2])
def test_partition_get(krest, admin, three_partitions, p):
    r = krest.get(f"/topics/{three_partitions}/partitions/{p}")
    assert r.status_code == 200, r.text
    assert media_type(r) == V2
    part = r.json()
    check_partition_shape(part)
    assert part == expected_partition(admin, three_partitions, p)


def test_partition_get_v1(krest, admin, three_partitions):
    r = krest.get(f"/topics/{three_partitions}/partitions/1", headers={"Accept": V1})
    assert r.status_code == 200, r.text
    assert media_type(r) == V1
    assert r.json() == expected_partition(admin, three_partitions, 1)


def test_partition_offsets(krest, new_topic):
    name = new_topic(partitions=2)
    produce(KAFKA_BOOTSTRAP, name, 7, partition=0)
    produce(KAFKA_BOOTSTRAP, name, 2, partition=1)
    r = krest.get(f"/topics/{name}/partitions/0/offsets")
    assert r.status_code == 200, r.text
    assert media_type(r) == V2
    body = r.json()
    assert body == {"beginning_offset": 0, "end_offset": 7}
    assert type(body["end_offset"]) is int
    r = krest.get(f"/topics/{name}/partitions/1/offsets")
    assert r.status_code == 200, r.text
    assert r.json() == {"beginning_offset": 0, "end_offset": 2}
    produce(KAFKA_BOOTSTRAP, name, 3, partition=1)
    assert krest.get(f"/topics/{name}/partitions/1/offsets").json() == {
        "beginning_offset": 0,
        "end_offset": 5,
    }


def test_partition_offsets_right_after_create(krest, new_topic):
    # A topic whose partitions have leaders in the AdminClient's view: its offsets must be
    # answered: a retriable error (NOT_LEADER) should be retried within client.timeout.ms.
    for _ in range(3):
        name = new_topic(partitions=2)
        for p in (0, 1):
            r = krest.get(f"/topics/{name}/partitions/{p}/offsets")
            assert r.status_code == 200, r.text
            assert r.json() == {"beginning_offset": 0, "end_offset": 0}


# --- brokers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", [None, V2, V1])
def test_brokers(krest, admin, accept):
    headers = {"Accept": accept} if accept else {}
    r = krest.get("/brokers", headers=headers)
    assert r.status_code == 200, r.text
    assert media_type(r) == (accept or V2)
    body = r.json()
    assert body == {"brokers": sorted(admin.list_topics(timeout=10).brokers)}
    assert body == {"brokers": [1]}


# --- unknown topic / partition ------------------------------------------------------------------

UNKNOWN_TOPIC_PATHS = [
    "/topics/{t}",
    "/topics/{t}/partitions",
    "/topics/{t}/partitions/0",
    "/topics/{t}/partitions/0/offsets",
]


@pytest.mark.parametrize("accept", [V2, V1])
def test_unknown_topic_is_404_and_not_created(krest, admin, accept):
    name = unique_topic("krest-test-missing")
    for path in UNKNOWN_TOPIC_PATHS:
        r = krest.get(path.format(t=name), headers={"Accept": accept})
        assert_error(r, 404, 40401)
    # The broker has auto.create.topics.enable=true: a Metadata request that allowed
    # auto-creation would create the topic (asynchronously, hence the short wait).
    time.sleep(0.3)
    assert name not in topic_names(admin), "a GET created the topic"
    r = krest.get(f"/topics/{name}")
    assert_error(r, 404, 40401)


@pytest.mark.parametrize("p", ["7", "-1", "2"])
@pytest.mark.parametrize("suffix", ["", "/offsets"])
def test_unknown_partition(krest, config_topic, p, suffix):
    # config_topic has partitions 0 and 1.
    r = krest.get(f"/topics/{config_topic}/partitions/{p}{suffix}")
    assert_error(r, 404, 40402)


@pytest.mark.parametrize("p", ["abc", "1x", "0x1", "99999999999999999999"])
def test_non_numeric_partition(krest, config_topic, p):
    r = krest.get(f"/topics/{config_topic}/partitions/{p}")
    assert_error(r, 404, 404)


# --- load ---------------------------------------------------------------------------------------


def test_burst_of_concurrent_topic_lists(krest, config_topic):
    n = 200
    barrier = threading.Barrier(n)

    def one(_):
        barrier.wait(timeout=30)
        try:
            r = requests.get(krest.url + "/topics", timeout=20)
            return r.status_code, (config_topic in r.json()) if r.status_code == 200 else r.text
        except requests.RequestException as e:
            return repr(e), None

    with ThreadPoolExecutor(max_workers=n) as ex:
        results = list(ex.map(one, range(n)))
    bad = [r for r in results if r != (200, True)]
    assert not bad, f"{len(bad)} of {n} failed, e.g. {bad[:5]}"
    assert krest.get("/").status_code == 200
