"""Self-tests of v3_helpers.py: the names the v3 tests expect, and the Kafka-side helpers checked
against the broker with the AdminClient (so a broken helper cannot make a v3 test pass). The ACL
broker test starts the second broker (a few seconds, once per session)."""

import pytest

from conftest import end_offsets, kafka_committed, unique_group
from v3_helpers import (
    GroupMember,
    V3Names,
    admin_client,
    cluster_id,
    commit_offsets,
    create_topic_wait,
    delete_topic_wait,
    java_urlencode,
    produce_n,
)

# --------------------------------------------------------------------------------------------
# Expected names (no broker needed, but the conftest skips everything without one)


def test_names_of_resources():
    n = V3Names("http://127.0.0.1:8082/", "C1")
    assert n.topic("t") == {
        "self": "http://127.0.0.1:8082/v3/clusters/C1/topics/t",
        "resource_name": "crn:///kafka=C1/topic=t",
    }
    assert n.cluster_meta() == {
        "self": "http://127.0.0.1:8082/v3/clusters/C1",
        "resource_name": "crn:///kafka=C1",
    }
    assert n.partition("t", 2)["resource_name"] == "crn:///kafka=C1/topic=t/partition=2"
    assert n.replica("t", 0, 1)["self"].endswith("/topics/t/partitions/0/replicas/1")
    assert (
        n.reassignment("t", 0)["resource_name"]
        == "crn:///kafka=C1/topic=t/partition=0/reassignment"
    )
    assert n.broker_config(1, "a.b")["resource_name"] == "crn:///kafka=C1/broker=1/config=a.b"
    assert n.cluster_config("a.b") == {
        "self": "http://127.0.0.1:8082/v3/clusters/C1/broker-configs/a.b",
        "resource_name": "crn:///kafka=C1/broker-config=a.b",
    }
    assert n.lag_summary("g")["resource_name"] == "crn:///kafka=C1/consumer-group=g/lag-summary"
    assert n.assignment("g", "m", "t", 3) == {
        "self": "http://127.0.0.1:8082/v3/clusters/C1/consumer-groups/g/consumers/m/assignments/t/partitions/3",
        "resource_name": "crn:///kafka=C1/consumer-group=g/consumer=m/assignment=t/partition=3",
    }
    assert (
        n.lag("g", "t", 0)["resource_name"] == "crn:///kafka=C1/consumer-group=g/lag=t/partition=0"
    )
    assert n.partition_offsets("t", 0) == {
        "self": "http://127.0.0.1:8082/v3/clusters/C1/topics/t/partitions/0/offset?offset_type=earliest_and_latest",
        "resource_name": "crn:///kafka=C1/topic=t/partition=0/offset_type=earliest_and_latest",
    }
    assert n.list_meta("topics") == {
        "self": "http://127.0.0.1:8082/v3/clusters/C1/topics",
        "next": None,
    }
    assert n.related("topics", "t", "configs") == {
        "related": "http://127.0.0.1:8082/v3/clusters/C1/topics/t/configs"
    }
    assert V3Names("http://h:1", "C1", crn_authority="a.example").topic("t")["resource_name"] == (
        "crn://a.example/kafka=C1/topic=t"
    )


def test_acl_self_url_is_the_search_url():
    n = V3Names("http://h:1", "C1")
    meta = n.acl(
        resource_type="TOPIC",
        resource_name="topic-",
        pattern_type="PREFIXED",
        principal="User:alice",
        host="*",
        operation="ALL",
        permission="ALLOW",
    )
    assert meta == {
        "self": "http://h:1/v3/clusters/C1/acls?resource_type=TOPIC&resource_name=topic-"
        "&pattern_type=PREFIXED&principal=User%3Aalice&host=*&operation=ALL&permission=ALLOW"
    }
    with pytest.raises(AssertionError):
        n.acl(resource_type="TOPIC")


@pytest.mark.parametrize(
    "raw,encoded",
    [
        ("User:alice", "User%3Aalice"),
        ("*", "*"),
        ("a b", "a+b"),
        ("a.b-c_d", "a.b-c_d"),
        ("x~y", "x%7Ey"),
        ("a/b&c=d", "a%2Fb%26c%3Dd"),
        ("é", "%C3%A9"),
    ],
)
def test_java_urlencode(raw, encoded):
    assert java_urlencode(raw) == encoded


# --------------------------------------------------------------------------------------------
# Kafka-side helpers, each checked with an independent AdminClient call


def test_cluster_id_is_the_brokers(kafka_bootstrap, admin):
    described = admin.describe_cluster(request_timeout=10).result(timeout=15)
    assert cluster_id(kafka_bootstrap) == described.cluster_id


def test_create_and_delete_topic_wait(kafka_bootstrap, admin):
    name = create_topic_wait(kafka_bootstrap, partitions=3, config={"retention.ms": "3600000"})
    try:
        t = admin.list_topics(name, timeout=10).topics[name]
        assert t.error is None and sorted(t.partitions) == [0, 1, 2]
    finally:
        delete_topic_wait(kafka_bootstrap, name)
    assert name not in admin.list_topics(timeout=10).topics
    delete_topic_wait(kafka_bootstrap, name)  # deleting a missing topic is not an error


def test_produce_n_and_commit_offsets(kafka_bootstrap, admin, v3_topic):
    t = v3_topic(partitions=2)
    got = produce_n(kafka_bootstrap, t, 5, partition=1)
    assert got == [(1, i) for i in range(5)]
    produce_n(kafka_bootstrap, t, 2, partition=0)
    assert end_offsets(t, kafka_bootstrap) == {0: 2, 1: 5}

    group = unique_group("krest-v3-helpers")
    commit_offsets(kafka_bootstrap, group, {(t, 0): 1, (t, 1): 2})
    assert kafka_committed(kafka_bootstrap, group, t, [0, 1]) == {0: 1, 1: 2}
    d = admin.describe_consumer_groups([group])[group].result(timeout=10)
    assert len(d.members) == 0


def test_group_member_is_in_the_group(kafka_bootstrap, admin, v3_topic):
    t = v3_topic(partitions=2)
    group = unique_group("krest-v3-member")
    with GroupMember(kafka_bootstrap, group, [t], instance_id="inst-1") as m:
        assert m.assignment() == [(t, 0), (t, 1)]
        d = admin.describe_consumer_groups([group])[group].result(timeout=10)
        assert [x.member_id for x in d.members] == [m.member_id]
        assert d.members[0].client_id == m.client_id
        assert d.members[0].group_instance_id == "inst-1"


# --------------------------------------------------------------------------------------------
# The ACL broker


def _acl_filter():
    from confluent_kafka.admin import (
        AclBindingFilter,
        AclOperation,
        AclPermissionType,
        ResourcePatternType,
        ResourceType,
    )

    return AclBindingFilter(
        ResourceType.ANY,
        None,
        ResourcePatternType.ANY,
        None,
        None,
        AclOperation.ANY,
        AclPermissionType.ANY,
    )


def test_acl_broker_keeps_acls(acl_broker, acl_admin):
    from confluent_kafka.admin import (
        AclBinding,
        AclOperation,
        AclPermissionType,
        ResourcePatternType,
        ResourceType,
    )

    assert acl_broker.cluster_id and acl_broker.bootstrap.endswith(f":{acl_broker.port}")
    b = AclBinding(
        ResourceType.TOPIC,
        "krest-acl-test",
        ResourcePatternType.LITERAL,
        "User:alice",
        "*",
        AclOperation.READ,
        AclPermissionType.ALLOW,
    )
    acl_admin.create_acls([b])[b].result(timeout=15)
    f = _acl_filter()
    try:
        assert b in acl_admin.describe_acls(f).result(timeout=15)
    finally:
        deleted = acl_admin.delete_acls([f])[f].result(timeout=15)
    assert b in deleted
    assert acl_admin.describe_acls(f).result(timeout=15) == []
    # ANONYMOUS (every PLAINTEXT client) is a super user: topics still work
    name = create_topic_wait(acl_broker.bootstrap)
    delete_topic_wait(acl_broker.bootstrap, name)


def test_main_broker_has_no_authorizer(admin):
    """The default kafka-local broker stays without an authorizer: creating an ACL is refused
    (describing answers an empty list on Kafka 4)."""
    from confluent_kafka import KafkaError, KafkaException
    from confluent_kafka.admin import (
        AclBinding,
        AclOperation,
        AclPermissionType,
        ResourcePatternType,
        ResourceType,
    )

    b = AclBinding(
        ResourceType.TOPIC,
        "krest-acl-test",
        ResourcePatternType.LITERAL,
        "User:alice",
        "*",
        AclOperation.READ,
        AclPermissionType.ALLOW,
    )
    with pytest.raises(KafkaException) as e:
        admin.create_acls([b])[b].result(timeout=15)
    assert e.value.args[0].code() == KafkaError.SECURITY_DISABLED
