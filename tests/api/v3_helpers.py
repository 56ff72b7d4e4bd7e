"""Shared pieces of the v3 API tests (API.md section 3). conftest.py imports this module last, so
its fixtures are visible to every test; tests import the helpers from here.

Fixtures
  acl_broker     session, lazy: a second real broker with an ACL authorizer (kafka-local with
                 KAFKA_AUTHORIZER=1) on a free port and data dir of its own, started the first
                 time a test asks for it, stopped at the end of the session (kafka-local stop,
                 by its pid file). An AclBroker: .bootstrap, .port, .data, .cluster_id.
  acl_admin      session: a confluent_kafka AdminClient of the ACL broker.
  acl_krest      session: a krest connected to the ACL broker (a conftest.Krest).
  v3             session: an openapi_check.V3Client of the session krest: every response is
                 checked against docs/openapi/krest-v3.yaml.
  v3_names       session: a V3Names for the session krest and the main broker's cluster.
  v3_topic       function: v3_topic(partitions=1, config=None, name=None) -> name, created with
                 the AdminClient and visible with leaders; deleted (and gone) at teardown.
  (The AdminClient of the main broker is conftest's `admin` fixture.)

Helpers
  cluster_id(bootstrap)                          the cluster id the broker reports
  admin_client(bootstrap)                        one cached AdminClient per bootstrap
  create_topic_wait(bootstrap, name=None, partitions=1, config=None) -> name
  delete_topic_wait(bootstrap, name)             deletes, waits until metadata no longer has it
  produce_n(bootstrap, topic, n, partition=None, key=None) -> [(partition, offset)]
  commit_offsets(bootstrap, group, {(topic, partition): offset})   commits as the group (no
                 member stays), waits until the broker returns those offsets
  GroupMember(bootstrap, group, topics, ...)     a real group member (subscribed, assigned);
                 .member_id, .client_id, .instance_id, .assignment(); close() leaves the group
  V3Names(base_url, cluster)                     expected metadata: .topic(t) ->
                 {"self": "http://h:p/v3/clusters/<c>/topics/<t>", "resource_name":
                 "crn:///kafka=<c>/topic=<t>"}; .url(...), .crn(...), .list_meta(...)
"""

import shutil
import tempfile
import time
import uuid
from urllib.parse import quote_plus

import pytest

from conftest import (
    KAFKA_BOOTSTRAP,
    Broker,
    KrestFactory,
    free_port,
    unique_topic,
    wait_until,
)
from openapi_check import V3Client

# --------------------------------------------------------------------------------------------
# Kafka-side helpers (confluent_kafka, independent of krest)

_ADMINS = {}


def admin_client(bootstrap=None):
    """One AdminClient per bootstrap, kept for the session."""
    from confluent_kafka.admin import AdminClient

    bootstrap = bootstrap or KAFKA_BOOTSTRAP
    a = _ADMINS.get(bootstrap)
    if a is None:
        a = _ADMINS[bootstrap] = AdminClient({"bootstrap.servers": bootstrap})
    return a


def cluster_id(bootstrap=None):
    """The cluster id the broker reports in its metadata."""
    cid = admin_client(bootstrap).list_topics(timeout=10).cluster_id
    assert cid, f"broker {bootstrap} reports no cluster id"
    return cid


def _topic_ready(admin, name, partitions):
    t = admin.list_topics(timeout=10).topics.get(name)
    return (
        t is not None
        and t.error is None
        and len(t.partitions) == partitions
        and all(p.leader >= 0 for p in t.partitions.values())
    )


def create_topic_wait(bootstrap=None, name=None, partitions=1, config=None, timeout=15):
    """Creates a topic (replication factor 1) and waits until its metadata shows every partition
    with a leader. Returns its name; the caller deletes it."""
    from confluent_kafka.admin import NewTopic

    admin = admin_client(bootstrap)
    name = name or unique_topic("krest-v3")
    nt = NewTopic(name, num_partitions=partitions, replication_factor=1, config=config or {})
    admin.create_topics([nt], operation_timeout=timeout)[name].result(timeout=timeout + 5)
    assert wait_until(
        lambda: _topic_ready(admin, name, partitions), timeout
    ), f"topic {name} has no leaders after {timeout} s"
    return name


def delete_topic_wait(bootstrap, name, timeout=15):
    """Deletes a topic and waits until the broker's metadata no longer lists it."""
    from confluent_kafka import KafkaError, KafkaException

    admin = admin_client(bootstrap)
    try:
        admin.delete_topics([name], operation_timeout=timeout)[name].result(timeout=timeout + 5)
    except KafkaException as e:
        if e.args[0].code() != KafkaError.UNKNOWN_TOPIC_OR_PART:
            raise
    assert wait_until(
        lambda: name not in admin.list_topics(timeout=10).topics, timeout
    ), f"topic {name} still listed {timeout} s after its deletion"


def produce_n(bootstrap, topic, n, partition=None, key=None, value=b"v"):
    """Produces n records (values value+i) with a confluent_kafka Producer, to `partition` or
    spread by key/partitioner, and waits for every acknowledgement. Returns [(partition, offset)]
    in production order."""
    from confluent_kafka import Producer

    p = Producer({"bootstrap.servers": bootstrap or KAFKA_BOOTSTRAP, "acks": "all"})
    out = [None] * n
    errors = []

    def cb_for(i):
        def cb(err, msg):
            if err is not None:
                errors.append(err)
            else:
                out[i] = (msg.partition(), msg.offset())

        return cb

    for i in range(n):
        kw = {"value": value + str(i).encode(), "key": key, "on_delivery": cb_for(i)}
        if partition is not None:
            kw["partition"] = partition
        p.produce(topic, **kw)
    left = p.flush(20)
    assert left == 0 and not errors, (left, errors)
    return out


def committed_offsets(bootstrap, group, tps):
    """{(topic, partition): committed offset or None} as the broker reports them."""
    from confluent_kafka import Consumer, TopicPartition

    c = Consumer({"bootstrap.servers": bootstrap or KAFKA_BOOTSTRAP, "group.id": group})
    try:
        got = c.committed([TopicPartition(t, p) for t, p in tps], timeout=10)
        return {(tp.topic, tp.partition): (tp.offset if tp.offset >= 0 else None) for tp in got}
    finally:
        c.close()


def commit_offsets(bootstrap, group, offsets, timeout=20):
    """Commits {(topic, partition): offset} for `group` from a consumer that never joins it (the
    group is left with committed offsets and no member), retrying while the coordinator loads;
    waits until the broker returns exactly those offsets."""
    from confluent_kafka import Consumer, KafkaException, TopicPartition

    tps = [TopicPartition(t, p, o) for (t, p), o in offsets.items()]
    c = Consumer(
        {
            "bootstrap.servers": bootstrap or KAFKA_BOOTSTRAP,
            "group.id": group,
            "enable.auto.commit": False,
        }
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                c.commit(offsets=tps, asynchronous=False)
                break
            except KafkaException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        c.close()
    want = dict(offsets)
    assert wait_until(
        lambda: committed_offsets(bootstrap, group, list(want)) == want, timeout
    ), f"group {group}: committed {committed_offsets(bootstrap, group, list(want))}, want {want}"


class GroupMember:
    """A live member of a consumer group: subscribes to `topics` and polls until the group has
    assigned it partitions (or, with expect_assignment=False, until it has joined). The member
    stays in the group until close() (librdkafka heartbeats in the background; it is not
    removed for not polling before max.poll.interval.ms, 5 minutes)."""

    def __init__(
        self,
        bootstrap,
        group,
        topics,
        client_id=None,
        instance_id=None,
        expect_assignment=True,
        timeout=30,
    ):
        from confluent_kafka import Consumer

        self.group = group
        self.client_id = client_id or f"krest-test-client-{uuid.uuid4().hex[:8]}"
        self.instance_id = instance_id
        conf = {
            "bootstrap.servers": bootstrap or KAFKA_BOOTSTRAP,
            "group.id": group,
            "client.id": self.client_id,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        }
        if instance_id:
            conf["group.instance.id"] = instance_id
        self._assigned = []
        self.consumer = Consumer(conf)
        self.consumer.subscribe(list(topics), on_assign=self._on_assign)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.consumer.poll(0.1)
            if self.consumer.memberid() and (self._assigned or not expect_assignment):
                break
        else:
            self.close()
            pytest.fail(f"group {group}: no assignment within {timeout} s")
        self.member_id = self.consumer.memberid()

    def _on_assign(self, consumer, partitions):
        self._assigned = [(tp.topic, tp.partition) for tp in partitions]

    def assignment(self):
        """[(topic, partition)] assigned to this member, sorted."""
        return sorted((tp.topic, tp.partition) for tp in self.consumer.assignment())

    def close(self):
        if self.consumer is not None:
            self.consumer.close()
            self.consumer = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --------------------------------------------------------------------------------------------
# Expected URLs and resource names


def java_urlencode(value):
    """A query value encoded as Java's URLEncoder does (what Confluent's ACL self URLs use):
    letters, digits and . - * _ kept, space as '+', everything else %XX of its UTF-8 bytes."""
    return quote_plus(value, safe="*").replace("~", "%7E")


ACL_FIELDS = (
    "resource_type",
    "resource_name",
    "pattern_type",
    "principal",
    "host",
    "operation",
    "permission",
)


class V3Names:
    """The URLs and CRNs krest must write for one krest (base_url, e.g. 'http://127.0.0.1:8082')
    and one cluster id. Each resource method returns the expected `metadata` object:
    {"self": url, "resource_name": crn}; list_meta(...) gives a collection's."""

    def __init__(self, base_url, cluster, crn_authority=""):
        self.base = base_url.rstrip("/")
        self.cluster = cluster
        self.crn_authority = crn_authority

    def url(self, *segments, **query):
        """base/v3/clusters/<c>/<segments...>[?query]; segments are joined as they are."""
        u = "/".join([self.base, "v3", "clusters", self.cluster, *map(str, segments)])
        if query:
            u += "?" + "&".join(f"{k}={java_urlencode(str(v))}" for k, v in query.items())
        return u

    def crn(self, *segments):
        """crn://<authority>/kafka=<c>/...; a segment is a (type, id) pair or a bare word
        ('lag-summary', 'reassignment')."""
        out = f"crn://{self.crn_authority}/kafka={self.cluster}"
        for s in segments:
            out += f"/{s[0]}={s[1]}" if isinstance(s, tuple) else f"/{s}"
        return out

    def meta(self, url_segments, crn_segments):
        return {"self": self.url(*url_segments), "resource_name": self.crn(*crn_segments)}

    def list_meta(self, *segments, **query):
        return {"self": self.url(*segments, **query), "next": None}

    def related(self, *segments):
        return {"related": self.url(*segments)}

    # one method per kind

    def cluster_meta(self):
        return {"self": self.url(), "resource_name": self.crn()}

    def broker(self, b):
        return self.meta(("brokers", b), [("broker", b)])

    def broker_config(self, b, name):
        return self.meta(("brokers", b, "configs", name), [("broker", b), ("config", name)])

    def cluster_config(self, name):
        return self.meta(("broker-configs", name), [("broker-config", name)])

    def topic(self, t):
        return self.meta(("topics", t), [("topic", t)])

    def topic_config(self, t, name):
        return self.meta(("topics", t, "configs", name), [("topic", t), ("config", name)])

    def partition(self, t, p):
        return self.meta(("topics", t, "partitions", p), [("topic", t), ("partition", p)])

    def partition_offsets(self, t, p, offset_type="earliest_and_latest"):
        return {
            "self": self.url("topics", t, "partitions", p, "offset", offset_type=offset_type),
            "resource_name": self.crn(("topic", t), ("partition", p), ("offset_type", offset_type)),
        }

    def replica(self, t, p, b):
        return self.meta(
            ("topics", t, "partitions", p, "replicas", b),
            [("topic", t), ("partition", p), ("replica", b)],
        )

    def reassignment(self, t, p):
        return self.meta(
            ("topics", t, "partitions", p, "reassignment"),
            [("topic", t), ("partition", p), "reassignment"],
        )

    def group(self, g):
        return self.meta(("consumer-groups", g), [("consumer-group", g)])

    def consumer(self, g, cid):
        return self.meta(
            ("consumer-groups", g, "consumers", cid), [("consumer-group", g), ("consumer", cid)]
        )

    def assignment(self, g, cid, t, p):
        return self.meta(
            ("consumer-groups", g, "consumers", cid, "assignments", t, "partitions", p),
            [("consumer-group", g), ("consumer", cid), ("assignment", t), ("partition", p)],
        )

    def lag(self, g, t, p):
        return self.meta(
            ("consumer-groups", g, "lags", t, "partitions", p),
            [("consumer-group", g), ("lag", t), ("partition", p)],
        )

    def lag_summary(self, g):
        return self.meta(
            ("consumer-groups", g, "lag-summary"), [("consumer-group", g), "lag-summary"]
        )

    def acl(self, **fields):
        """An ACL's metadata: only `self`, the search URL with all seven filters in order."""
        missing = [f for f in ACL_FIELDS if f not in fields]
        assert not missing, f"acl(): missing {missing}"
        return {"self": self.url("acls", **{f: fields[f] for f in ACL_FIELDS})}


# --------------------------------------------------------------------------------------------
# Fixtures


class AclBroker(Broker):
    """A kafka-local broker started with KAFKA_AUTHORIZER=1."""

    cluster_id = None

    def env(self):
        return dict(super().env(), KAFKA_AUTHORIZER="1")


@pytest.fixture(scope="session")
def acl_broker(kafka_bootstrap):
    """A second broker with an ACL authorizer, started on first use, stopped at session end."""
    data = tempfile.mkdtemp(prefix="krest-acl-broker-")
    b = AclBroker(free_port(), data)
    try:
        b.start()
        b.cluster_id = cluster_id(b.bootstrap)
        yield b
    finally:
        _ADMINS.pop(b.bootstrap, None)
        b.stop()
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="session")
def acl_admin(acl_broker):
    return admin_client(acl_broker.bootstrap)


@pytest.fixture(scope="session")
def acl_krest(tmp_path_factory, acl_broker, krest_bin):
    """A krest whose Kafka is the ACL broker."""
    f = KrestFactory(tmp_path_factory.mktemp("krest-acl"))
    k = f(bootstrap=acl_broker.bootstrap)
    yield k
    f.teardown()


@pytest.fixture(scope="session")
def v3(krest):
    return V3Client(krest.url)


@pytest.fixture(scope="session")
def v3_names(krest, kafka_bootstrap):
    return V3Names(krest.url, cluster_id(kafka_bootstrap))


@pytest.fixture
def v3_topic(kafka_bootstrap):
    made = []

    def make(partitions=1, config=None, name=None):
        name = create_topic_wait(kafka_bootstrap, name, partitions, config)
        made.append(name)
        return name

    yield make
    for name in made:
        delete_topic_wait(kafka_bootstrap, name)
