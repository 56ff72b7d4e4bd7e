"""Auto-created topics (issue 13 part 2; API.md section K "auto-created topics"): a v1/v2 produce
to a missing topic creates it when krest.topic.auto.create says so -- "broker" (default) follows
the cluster's auto.create.topics.enable, "true"/"false" override -- with the broker's
num.partitions and default.replication.factor, then produces. Otherwise 404/40401 at once.
Metadata GETs (v2 and v3) and consumer subscriptions never create topics. Kafka's side is
checked with confluent_kafka's AdminClient. The test broker runs with auto.create.topics.enable
=true (scripts/kafka-local); the "broker says false" case starts a second broker."""

import threading
import time

import pytest
from confluent_kafka.admin import ConfigResource

from avro_helpers import AVRO1, V1, env, registries  # noqa: F401  (fixtures)
from conftest import (
    BIN1,
    BIN2,
    JSON2,
    LIVE_CONSUMERS,
    Broker,
    RestConsumer,
    assert_error,
    assert_produced,
    b64,
    create_consumer,
    delete_live_consumers,
    delete_topics,
    free_port,
    media_type,
    post_records,
    read_topic,
    topic_meta,
    topic_names,
    unique_group,
    unique_topic,
    wait_until,
)
from test_avro import SEED_BODY


@pytest.fixture
def fresh(admin):
    """fresh(prefix) -> a topic name nobody created; whatever exists under it at teardown is
    deleted."""
    names = []

    def make(prefix="krest-test-auto"):
        name = unique_topic(prefix)
        assert name not in topic_names(admin)
        names.append(name)
        return name

    yield make
    delete_live_consumers()
    delete_topics(admin, [n for n in names if n in topic_names(admin)])


def broker_defaults(admin, bootstrap_admin=None):
    """(num.partitions, default.replication.factor) as the broker describes them."""
    a = bootstrap_admin or admin
    broker_id = next(iter(a.list_topics(timeout=10).brokers))
    res = ConfigResource(ConfigResource.Type.BROKER, str(broker_id))
    entries = a.describe_configs([res])[res].result(timeout=15)
    return int(entries["num.partitions"].value), int(entries["default.replication.factor"].value)


def assert_created_with_defaults(admin, name):
    t = topic_meta(admin, name)
    assert t is not None and t.error is None, f"{name} was not created"
    partitions, rf = broker_defaults(admin)
    assert len(t.partitions) == partitions, (len(t.partitions), partitions)
    assert all(len(p.replicas) == rf for p in t.partitions.values()), t.partitions


def assert_not_created(admin, name):
    # A negative cannot be polled for: check now and once more a moment later (a creation in
    # flight would have shown by then).
    assert name not in topic_names(admin), f"krest created {name}"
    time.sleep(0.3)
    assert name not in topic_names(admin), f"krest created {name}"


@pytest.fixture(scope="module")
def krest_off(tmp_path_factory, kafka_bootstrap, krest_bin):
    from conftest import KrestFactory

    f = KrestFactory(tmp_path_factory.mktemp("autocreate-off"))
    yield f("--krest.topic.auto.create=false")
    f.teardown()


@pytest.fixture(scope="module")
def krest_on(tmp_path_factory, kafka_bootstrap, krest_bin):
    from conftest import KrestFactory

    f = KrestFactory(tmp_path_factory.mktemp("autocreate-on"))
    yield f("--krest.topic.auto.create=TRUE")
    f.teardown()


# --- (1) default "broker", the broker allows it -----------------------------------------------


def test_broker_default_v2_binary_creates(krest, admin, fresh):
    t = fresh()
    body = {"records": [{"value": b64(b"a")}, {"key": b64(b"k"), "value": b64(b"b")}]}
    r = post_records(krest, t, body, ctype=BIN2)
    assert assert_produced(r, 2) == [(0, 0), (0, 1)]
    assert_created_with_defaults(admin, t)
    assert [(x.key, x.value) for x in read_topic(t)] == [(None, b"a"), (b"k", b"b")]
    # the topic exists now: the next produce is an ordinary one
    assert assert_produced(post_records(krest, t, {"records": [{"value": b64(b"c")}]}), 1) == [(0, 2)]


@pytest.mark.parametrize("ctype", [BIN1, JSON2])
def test_broker_default_other_formats_and_partition_endpoint(krest, admin, fresh, ctype):
    t = fresh()
    value = b64(b"x") if "binary" in ctype else {"a": 1}
    version = V1 if ".v1" in ctype else "application/vnd.kafka.v2+json"
    r = post_records(krest, t, {"records": [{"value": value}]}, ctype=ctype, partition=0)
    assert assert_produced(r, 1, version=version) == [(0, 0)]
    assert_created_with_defaults(admin, t)


def test_concurrent_produces_to_one_new_topic(krest, admin, fresh):
    """Both requests may send CreateTopics; TopicExists counts as success for the later one."""
    t = fresh()
    results = [None] * 6

    def go(i):
        results[i] = post_records(krest, t, {"records": [{"value": b64(b"%d" % i)}]})

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(results))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    offsets = sorted(assert_produced(r, 1)[0] for r in results)
    assert offsets == [(0, i) for i in range(len(results))], offsets
    assert_created_with_defaults(admin, t)
    assert len(read_topic(t)) == len(results)


@pytest.mark.parametrize("name", ["krest-test-auto-bad!name", "t" * 250, "krest-test-auto-a%2Fb"])
def test_invalid_names_not_created(krest_on, krest, admin, name):
    """A name Kafka would refuse keeps today's answer, even under "true"."""
    for k in (krest, krest_on):
        r = post_records(k, name, {"records": [{"value": b64(b"a")}]})
        # "a%2Fb": the router answers 404/404 before any handler, as it did before
        assert_error(r, 404, 404 if "%2F" in name else 40401)
    names = topic_names(admin)
    assert name not in names and "krest-test-auto-a/b" not in names


# --- (2) "false" ------------------------------------------------------------------------------


@pytest.mark.parametrize("ctype", [BIN2, BIN1])
def test_false_404_at_once_not_created(krest_off, admin, fresh, ctype):
    t = fresh()
    started = time.monotonic()
    r = post_records(krest_off, t, {"records": [{"value": b64(b"a")}]}, ctype=ctype)
    assert_error(r, 404, 40401)
    assert time.monotonic() - started < 2.0  # no wait for a topic to appear
    assert_error(post_records(krest_off, t, {"records": [{"value": b64(b"a")}]}, partition=0), 404, 40401)
    assert_not_created(admin, t)


def test_false_existing_topic_still_produces(krest_off, new_topic):
    t = new_topic()
    assert assert_produced(post_records(krest_off, t, {"records": [{"value": b64(b"a")}]}), 1) == [(0, 0)]


# --- (3) "true" -------------------------------------------------------------------------------


def test_true_creates(krest_on, admin, fresh):
    t = fresh()
    r = post_records(krest_on, t, {"records": [{"value": b64(b"a")}]}, ctype=BIN2)
    assert assert_produced(r, 1) == [(0, 0)]
    assert_created_with_defaults(admin, t)
    assert [x.value for x in read_topic(t)] == [b"a"]


# --- (4) the seed walkthrough, verbatim, first request included ------------------------------


def test_seed_walkthrough_on_a_topic_nobody_created(env, admin, fresh):  # noqa: F811
    k = env.k
    t = fresh("avrotest")
    r = k.post(f"/topics/{t}", data=SEED_BODY, headers={"Content-Type": AVRO1})
    assert r.status_code == 200, r.text
    assert media_type(r) == V1, r.headers.get("Content-Type")
    body = r.json()
    assert body["key_schema_id"] is None and type(body["value_schema_id"]) is int, body
    assert body["offsets"] == [
        {"partition": 0, "offset": 0, "error_code": None, "error": None},
        {"partition": 0, "offset": 1, "error_code": None, "error": None},
    ], body
    assert_created_with_defaults(admin, t)

    g = unique_group("my_avro_consumer")
    r = k.post(
        f"/consumers/{g}",
        data='{"format": "avro", "auto.offset.reset": "smallest"}',
        headers={"Content-Type": V1},
    )
    assert r.status_code == 200, r.text
    name = r.json()["instance_id"]
    LIVE_CONSUMERS.append(RestConsumer(k, g, name))
    r = k.get(f"/consumers/{g}/instances/{name}/topics/{t}", headers={"Accept": AVRO1}, timeout=30)
    assert r.status_code == 200, r.text
    # both records on the FIRST read
    assert r.json() == [
        {"key": None, "value": {"username": "testUser"}, "partition": 0, "offset": 0},
        {"key": None, "value": {"username": "testUser2"}, "partition": 0, "offset": 1},
    ]
    r = k.request("DELETE", f"/consumers/{g}/instances/{name}", headers={"Accept": "*/*"})
    assert r.status_code == 204, r.text


# --- (5) metadata reads never create ------------------------------------------------------------


def test_metadata_gets_do_not_create(krest_on, krest, admin, fresh):
    t = fresh()
    for k in (krest, krest_on):
        for path in (f"/topics/{t}", f"/topics/{t}/partitions", f"/topics/{t}/partitions/0"):
            assert_error(k.get(path), 404, 40401)
        r = k.get("/v3/clusters")
        assert r.status_code == 200, r.text
        c = r.json()["data"][0]["cluster_id"]
        for path in (f"/v3/clusters/{c}/topics/{t}", f"/v3/clusters/{c}/topics/{t}/partitions"):
            assert_error(k.get(path), 404, 40403)
    assert_not_created(admin, t)


# --- (6) consumer subscriptions never create ----------------------------------------------------


def test_subscription_does_not_create(krest_on, admin, fresh):
    t = fresh()
    c = create_consumer(krest_on)
    c.subscribe([t])
    assert c.records(timeout=1000) == []  # the instance joins and fetches metadata meanwhile
    assert c.delete().status_code == 204
    assert_not_created(admin, t)


# --- (7) "broker" on a cluster with auto.create.topics.enable=false ----------------------------


class NoAutoCreateBroker(Broker):
    def env(self):
        return dict(super().env(), KAFKA_AUTO_CREATE_TOPICS="false")


@pytest.fixture(scope="module")
def no_auto_broker(tmp_path_factory, kafka_bootstrap):
    b = NoAutoCreateBroker(free_port(), tmp_path_factory.mktemp("broker-no-auto"))
    b.start()
    yield b.bootstrap
    b.stop()


def test_broker_false_404_and_override(start_krest, no_auto_broker):
    from confluent_kafka.admin import AdminClient

    a = AdminClient({"bootstrap.servers": no_auto_broker})
    k = start_krest(bootstrap=no_auto_broker)
    t = unique_topic("krest-test-auto")
    body = {"records": [{"value": b64(b"a")}]}
    started = time.monotonic()
    assert_error(post_records(k, t, body), 404, 40401)
    assert time.monotonic() - started < 2.0
    assert_not_created(a, t)
    # "true" overrides the cluster's "no"
    k2 = start_krest("--krest.topic.auto.create=true", bootstrap=no_auto_broker)
    assert assert_produced(post_records(k2, t, body), 1) == [(0, 0)]
    assert wait_until(lambda: t in topic_names(a), 5)
    # and the first krest's cached "no" stays a "no" for another name
    t2 = unique_topic("krest-test-auto")
    assert_error(post_records(k, t2, body, ctype=BIN1), 404, 40401)
    assert t2 not in topic_names(a)


def test_config_value_rejected(start_krest):
    from conftest import build_args, clean_env
    import subprocess

    args, _ = build_args(["--krest.topic.auto.create=maybe"])
    r = subprocess.run(args, env=clean_env(), capture_output=True, text=True, timeout=20)
    assert r.returncode != 0
    assert "krest.topic.auto.create" in r.stderr + r.stdout
    assert "broker, true or false" in r.stderr + r.stdout


def test_help_lists_key(krest_bin):
    import subprocess

    out = subprocess.run([krest_bin, "--help"], capture_output=True, text=True, timeout=10).stdout
    line = [x for x in out.splitlines() if "krest.topic.auto.create" in x]
    assert line and "broker" in line[0], out
