"""v3 consumer groups, consumers, assignments, lags and the lag summary (API.md §3.3, §3.4):
exact values against offsets committed and records produced with confluent_kafka, members
(a confluent_kafka GroupMember and a krest v2 consumer instance) cross-checked with
confluent_kafka's describe_consumer_groups, ordering rules, and every 404. Every response is
checked against docs/openapi/krest-v3.yaml (the `v3` fixture)."""

import json
import uuid

import pytest
from confluent_kafka import TopicPartition

from conftest import V2, assert_error, wait_until
from v3_helpers import GroupMember, admin_client, commit_offsets, produce_n

BIN2 = "application/vnd.kafka.binary.v2+json"


def group_name(prefix="krest-v3-group"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def ok(r):
    assert r.status_code == 200, r.text[:500]
    return r.json()


def describe(bootstrap, group):
    """confluent_kafka's ConsumerGroupDescription of group (independent of krest)."""
    a = admin_client(bootstrap)
    return a.describe_consumer_groups([group], request_timeout=10)[group].result(timeout=15)


def expected_lag(n, g, t, p, current, end, consumer_id="", client_id="", instance_id=None):
    return {
        "kind": "KafkaConsumerLag",
        "metadata": n.lag(g, t, p),
        "cluster_id": n.cluster,
        "consumer_group_id": g,
        "topic_name": t,
        "partition_id": p,
        "consumer_id": consumer_id,
        "instance_id": instance_id,
        "client_id": client_id,
        "current_offset": current,
        "log_end_offset": end,
        "lag": max(0, end - current),
    }


def expected_consumer(n, g, cid, client_id, instance_id=None):
    return {
        "kind": "KafkaConsumer",
        "metadata": n.consumer(g, cid),
        "cluster_id": n.cluster,
        "consumer_group_id": g,
        "consumer_id": cid,
        "instance_id": instance_id,
        "client_id": client_id,
        "assignments": n.related("consumer-groups", g, "consumers", cid, "assignments"),
    }


def expected_assignment(n, g, cid, t, p):
    return {
        "kind": "KafkaConsumerAssignment",
        "metadata": n.assignment(g, cid, t, p),
        "cluster_id": n.cluster,
        "consumer_group_id": g,
        "consumer_id": cid,
        "topic_name": t,
        "partition_id": p,
        "partition": n.related("topics", t, "partitions", p),
        "lag": n.related("consumer-groups", g, "lags", t, "partitions", p),
    }


def expected_group(n, g, desc):
    return {
        "kind": "KafkaConsumerGroup",
        "metadata": n.group(g),
        "cluster_id": n.cluster,
        "consumer_group_id": g,
        "is_simple": desc.is_simple_consumer_group,
        "partition_assignor": desc.partition_assignor,
        "state": desc.state.name,
        "type": "CLASSIC",
        "is_mixed_consumer_group": False,
        "coordinator": n.related("brokers", desc.coordinator.id),
        "consumers": n.related("consumer-groups", g, "consumers"),
        "lag_summary": n.related("consumer-groups", g, "lag-summary"),
    }


def base(n, g):
    return f"/v3/clusters/{n.cluster}/consumer-groups/{g}"


# --- committed offsets, no member --------------------------------------------------------------


def test_lags_exact_without_member(v3, v3_names, v3_topic, kafka_bootstrap):
    n, t = v3_names, v3_topic(partitions=2)
    produce_n(kafka_bootstrap, t, 10, partition=0)
    produce_n(kafka_bootstrap, t, 4, partition=1)
    g = group_name()
    commit_offsets(kafka_bootstrap, g, {(t, 0): 3, (t, 1): 4})

    lags = ok(v3.get(base(n, g) + "/lags"))
    assert lags == {
        "kind": "KafkaConsumerLagList",
        "metadata": n.list_meta("consumer-groups", g, "lags"),
        "data": [expected_lag(n, g, t, 0, 3, 10), expected_lag(n, g, t, 1, 4, 4)],
    }
    assert ok(v3.get(base(n, g) + f"/lags/{t}/partitions/1")) == expected_lag(n, g, t, 1, 4, 4)

    summary = ok(v3.get(base(n, g) + "/lag-summary"))
    assert summary == {
        "kind": "KafkaConsumerGroupLagSummary",
        "metadata": n.lag_summary(g),
        "cluster_id": n.cluster,
        "consumer_group_id": g,
        "max_lag_consumer_id": "",
        "max_lag_instance_id": None,
        "max_lag_client_id": "",
        "max_lag_topic_name": t,
        "max_lag_partition_id": 0,
        "max_lag": 7,
        "total_lag": 7,
        "max_lag_consumer": {"related": n.url("consumer-groups", g, "consumers", "")},
        "max_lag_partition": n.related("topics", t, "partitions", 0),
    }

    # The group itself: no member, offsets only (Kafka: simple, EMPTY).
    desc = describe(kafka_bootstrap, g)
    group = ok(v3.get(base(n, g)))
    assert group == expected_group(n, g, desc)
    assert group["is_simple"] is True and group["state"] == "EMPTY"
    assert ok(v3.get(base(n, g) + "/consumers")) == {
        "kind": "KafkaConsumerList",
        "metadata": n.list_meta("consumer-groups", g, "consumers"),
        "data": [],
    }
    listed = ok(v3.get(f"/v3/clusters/{n.cluster}/consumer-groups"))
    assert listed["kind"] == "KafkaConsumerGroupList"
    assert listed["metadata"] == n.list_meta("consumer-groups")
    assert expected_group(n, g, desc) in listed["data"]

    # More records move the log end; the lag follows.
    produce_n(kafka_bootstrap, t, 5, partition=1)
    assert ok(v3.get(base(n, g) + f"/lags/{t}/partitions/1")) == expected_lag(n, g, t, 1, 4, 9)
    summary = ok(v3.get(base(n, g) + "/lag-summary"))
    assert (summary["max_lag"], summary["total_lag"]) == (7, 12)


def test_lag_ordering_and_ties(v3, v3_names, kafka_bootstrap, v3_topic):
    n = v3_names
    suffix = uuid.uuid4().hex[:8]
    ta = v3_topic(partitions=2, name=f"krest-v3-a-{suffix}")
    tb = v3_topic(partitions=2, name=f"krest-v3-b-{suffix}")
    for t in (ta, tb):
        for p in (0, 1):
            produce_n(kafka_bootstrap, t, 6, partition=p)
    g = group_name()
    # lags: tb/1 = 6, ta/1 = 4, tb/0 = 4, ta/0 = 0
    commit_offsets(kafka_bootstrap, g, {(ta, 0): 6, (ta, 1): 2, (tb, 0): 2, (tb, 1): 0})
    lags = ok(v3.get(base(n, g) + "/lags"))["data"]
    assert [(x["topic_name"], x["partition_id"], x["lag"]) for x in lags] == [
        (tb, 1, 6),
        (ta, 1, 4),
        (tb, 0, 4),
        (ta, 0, 0),
    ]
    summary = ok(v3.get(base(n, g) + "/lag-summary"))
    assert (summary["max_lag_topic_name"], summary["max_lag_partition_id"]) == (tb, 1)
    assert (summary["max_lag"], summary["total_lag"]) == (6, 14)

    # A tie for the largest lag goes to the first by topic, then partition.
    g2 = group_name()
    commit_offsets(kafka_bootstrap, g2, {(ta, 1): 1, (tb, 0): 1, (ta, 0): 6})
    summary = ok(v3.get(base(n, g2) + "/lag-summary"))
    assert (summary["max_lag_topic_name"], summary["max_lag_partition_id"]) == (ta, 1)
    assert (summary["max_lag"], summary["total_lag"]) == (5, 10)


def test_group_list_sorted(v3, v3_names, v3_topic, kafka_bootstrap):
    n, t = v3_names, v3_topic()
    prefix = group_name("krest-v3-sort")
    groups = [f"{prefix}-{s}" for s in ("c", "a", "b")]
    for g in groups:
        commit_offsets(kafka_bootstrap, g, {(t, 0): 0})
    listed = ok(v3.get(f"/v3/clusters/{n.cluster}/consumer-groups"))["data"]
    ids = [x["consumer_group_id"] for x in listed]
    assert ids == sorted(ids)
    assert [i for i in ids if i.startswith(prefix)] == sorted(groups)


# --- live members ------------------------------------------------------------------------------


def test_static_member(v3, v3_names, v3_topic, kafka_bootstrap):
    n, t = v3_names, v3_topic(partitions=3)
    produce_n(kafka_bootstrap, t, 5, partition=2)
    g = group_name()
    with GroupMember(kafka_bootstrap, g, [t], instance_id="krest-static-1") as m:
        assigned = m.assignment()
        assert assigned == [(t, 0), (t, 1), (t, 2)]
        m.consumer.commit(offsets=[TopicPartition(t, 2, 1)], asynchronous=False)
        desc = describe(kafka_bootstrap, g)
        [dm] = desc.members
        assert dm.member_id == m.member_id and dm.group_instance_id == "krest-static-1"

        assert wait_until(lambda: ok(v3.get(base(n, g)))["state"] == "STABLE", 15)
        group = ok(v3.get(base(n, g)))
        assert group == expected_group(n, g, describe(kafka_bootstrap, g))
        assert group["is_simple"] is False and group["partition_assignor"]

        want = expected_consumer(n, g, m.member_id, m.client_id, "krest-static-1")
        assert ok(v3.get(base(n, g) + "/consumers"))["data"] == [want]
        assert ok(v3.get(base(n, g) + f"/consumers/{m.member_id}")) == want

        cbase = base(n, g) + f"/consumers/{m.member_id}/assignments"
        assert ok(v3.get(cbase)) == {
            "kind": "KafkaConsumerAssignmentList",
            "metadata": n.list_meta("consumer-groups", g, "consumers", m.member_id, "assignments"),
            "data": [expected_assignment(n, g, m.member_id, t, p) for p in (0, 1, 2)],
        }
        assert ok(v3.get(cbase + f"/{t}/partitions/1")) == expected_assignment(
            n, g, m.member_id, t, 1
        )
        assert_error(v3.get(cbase + f"/{t}/partitions/7"), 404)
        assert_error(v3.get(cbase + f"/{t}-other/partitions/0"), 404)

        lag = expected_lag(n, g, t, 2, 1, 5, m.member_id, m.client_id, "krest-static-1")
        assert ok(v3.get(base(n, g) + "/lags"))["data"] == [lag]
        summary = ok(v3.get(base(n, g) + "/lag-summary"))
        assert summary["max_lag_consumer_id"] == m.member_id
        assert summary["max_lag_client_id"] == m.client_id
        assert summary["max_lag_instance_id"] == "krest-static-1"
        assert summary["max_lag_consumer"] == n.related(
            "consumer-groups", g, "consumers", m.member_id
        )


def test_krest_v2_instance_is_a_member(v3, v3_names, v3_topic, kafka_bootstrap, krest):
    """A consumer instance created through krest's v2 API joins the group; v3 shows it, with
    another (confluent_kafka) member, sorted by consumer_id."""
    n, t = v3_names, v3_topic(partitions=2)
    produce_n(kafka_bootstrap, t, 3, partition=0)
    produce_n(kafka_bootstrap, t, 3, partition=1)
    g, name = group_name(), "krest-v3-inst"
    r = krest.post(
        f"/consumers/{g}",
        data=json.dumps({"name": name, "format": "binary", "auto.offset.reset": "earliest"}),
        headers={"Content-Type": V2},
    )
    assert r.status_code == 200, r.text
    inst = f"/consumers/{g}/instances/{name}"
    try:
        r = krest.post(
            inst + "/subscription", data=json.dumps({"topics": [t]}), headers={"Content-Type": V2}
        )
        assert r.status_code == 204, r.text
        krest.get(inst + "/records?timeout=2000", headers={"Accept": BIN2})
        assert wait_until(lambda: len(describe(kafka_bootstrap, g).members) == 1, 20)
        with GroupMember(kafka_bootstrap, g, [t], expect_assignment=False) as m:

            def both_assigned():
                krest.get(inst + "/records?timeout=200", headers={"Accept": BIN2})
                m.consumer.poll(0.1)
                d = describe(kafka_bootstrap, g)
                return (
                    len(d.members) == 2
                    and all(len(x.assignment.topic_partitions) == 1 for x in d.members)
                    and d.state.name == "STABLE"
                )

            assert wait_until(both_assigned, 40)
            desc = describe(kafka_bootstrap, g)
            want = sorted(
                (expected_consumer(n, g, x.member_id, x.client_id) for x in desc.members),
                key=lambda c: c["consumer_id"],
            )
            assert {c["client_id"] for c in want} == {name, m.client_id}
            got = ok(v3.get(base(n, g) + "/consumers"))
            assert got["data"] == want
            kmember = next(x for x in desc.members if x.client_id == name)
            [ktp] = kmember.assignment.topic_partitions
            assert ok(v3.get(base(n, g) + f"/consumers/{kmember.member_id}/assignments"))[
                "data"
            ] == [expected_assignment(n, g, kmember.member_id, t, ktp.partition)]

            # Offsets committed through krest (v2) show as the lag's current offset.
            r = krest.post(
                inst + "/offsets",
                data=json.dumps(
                    {"offsets": [{"topic": t, "partition": ktp.partition, "offset": 0}]}
                ),
                headers={"Content-Type": V2},
            )
            assert r.status_code == 200, r.text
            lag = ok(v3.get(base(n, g) + f"/lags/{t}/partitions/{ktp.partition}"))
            assert lag == expected_lag(n, g, t, ktp.partition, 1, 3, kmember.member_id, name)
    finally:
        krest.request("DELETE", inst, headers={"Content-Type": V2})


# --- errors ------------------------------------------------------------------------------------


def test_unknown_group(v3, v3_names):
    n, g = v3_names, group_name("krest-v3-nogroup")
    body = assert_error(v3.get(base(n, g)), 404)
    assert body["message"] == f"Consumer Group {g} does not exist."
    for suffix in (
        "/consumers",
        "/consumers/x",
        "/consumers/x/assignments",
        "/consumers/x/assignments/t/partitions/0",
    ):
        body = assert_error(v3.get(base(n, g) + suffix), 404)
        assert body["message"] == f"Consumer Group {g} does not exist."
    for suffix in ("/lags", "/lags/t/partitions/0", "/lag-summary"):
        body = assert_error(v3.get(base(n, g) + suffix), 404)
        assert body["message"] == f"Consumer Group {g} could not be found."


def test_unknown_consumer_and_lag_partition(v3, v3_names, v3_topic, kafka_bootstrap):
    n, t = v3_names, v3_topic()
    produce_n(kafka_bootstrap, t, 2, partition=0)
    g = group_name()
    commit_offsets(kafka_bootstrap, g, {(t, 0): 1})
    for suffix in (
        "/consumers/nobody",
        "/consumers/nobody/assignments",
        f"/consumers/nobody/assignments/{t}/partitions/0",
    ):
        body = assert_error(v3.get(base(n, g) + suffix), 404)
        assert body["message"] == "Consumer nobody does not exist."
    assert_error(v3.get(base(n, g) + f"/lags/{t}/partitions/1"), 404)
    assert_error(v3.get(base(n, g) + f"/lags/{t}-x/partitions/0"), 404)
    assert_error(v3.get(base(n, g) + f"/lags/{t}/partitions/abc"), 404)
    assert ok(v3.get(base(n, g) + f"/lags/{t}/partitions/0"))["lag"] == 1


def test_member_without_offsets_has_no_lags(v3, v3_names, v3_topic, kafka_bootstrap):
    n, t = v3_names, v3_topic()
    g = group_name()
    with GroupMember(kafka_bootstrap, g, [t]):
        assert ok(v3.get(base(n, g)))["consumer_group_id"] == g
        for suffix in ("/lags", "/lag-summary", f"/lags/{t}/partitions/0"):
            body = assert_error(v3.get(base(n, g) + suffix), 404)
            assert body["message"] == "Consumer group offsets could not be found."


@pytest.mark.parametrize(
    "suffix",
    [
        "",
        "/g",
        "/g/consumers",
        "/g/consumers/c",
        "/g/consumers/c/assignments",
        "/g/consumers/c/assignments/t/partitions/0",
        "/g/lags",
        "/g/lags/t/partitions/0",
        "/g/lag-summary",
    ],
)
def test_unknown_cluster(v3, suffix):
    body = assert_error(v3.get("/v3/clusters/no-such-cluster/consumer-groups" + suffix), 404)
    assert body["message"] == "Cluster no-such-cluster cannot be found."


def test_log_end_is_read_committed(v3, v3_names, v3_topic, kafka_bootstrap):
    """log_end_offset is the last stable offset, as Confluent's ListOffsets(READ_COMMITTED):
    records of an open transaction do not count until it commits."""
    from confluent_kafka import Producer

    n, t = v3_names, v3_topic()
    produce_n(kafka_bootstrap, t, 2, partition=0)
    g = group_name()
    commit_offsets(kafka_bootstrap, g, {(t, 0): 0})
    p = Producer({"bootstrap.servers": kafka_bootstrap, "transactional.id": group_name("tx")})
    p.init_transactions(20)
    p.begin_transaction()
    for i in range(3):
        p.produce(t, value=b"tx%d" % i, partition=0)
    assert p.flush(20) == 0
    lag_url = base(n, g) + f"/lags/{t}/partitions/0"
    assert ok(v3.get(lag_url)) == expected_lag(n, g, t, 0, 0, 2)
    p.commit_transaction(20)
    # 2 records, 3 transactional ones and the commit marker.
    assert wait_until(lambda: ok(v3.get(lag_url))["log_end_offset"] == 6, 10)
    assert ok(v3.get(lag_url)) == expected_lag(n, g, t, 0, 0, 6)
