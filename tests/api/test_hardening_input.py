"""Issue 19, findings 3 and 9: strings that reach Kafka are bounded and checked (422 before any
handle is made: consumer names, group ids, topic names, commit metadata, topic patterns), and
client input never gives a 5xx or a silent change (commits to missing topics and partitions,
invalid patterns, offsets past int64, invalid UTF-8 subjects). docs/design-notes.md, "Strings
that reach Kafka"."""

import json

import pytest
import requests

from conftest import (
    V2,
    RestConsumer,
    assert_error,
    create_consumer,
    delete_live_consumers,
    kafka_committed,
    topic_names,
    unique_group,
    unique_topic,
)
from registry_helpers import RegistryFactory, record, sjson, unique_subject


@pytest.fixture(autouse=True)
def _delete_instances(new_topic):
    yield
    delete_live_consumers()


def post_create(k, group, body):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return k.post(f"/consumers/{group}", data=data, headers={"Content-Type": V2}, timeout=60)


def no_instance(k, group, name):
    r = RestConsumer(k, group, name).req("GET", "/subscription")
    return r.status_code == 404


# --- finding 3: names ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a" * 256, "a" * 40000, "bad\u0001name", "bad\x7fname"])
def test_consumer_name_bounded(krest, name):
    g = unique_group()
    r = post_create(krest, g, {"name": name})
    body = assert_error(r, 422)
    assert "name" in body["message"]
    assert name not in body["message"]
    if len(name) < 300:
        assert no_instance(krest, g, name)


def test_consumer_name_255_accepted(krest):
    c = create_consumer(krest, body={"name": "n" * 255})
    assert c.instance == "n" * 255


def test_consumer_name_30mib_refused_early(krest):
    g = unique_group()
    r = post_create(krest, g, '{"name": "' + "A" * (30 << 20) + '"}')
    assert_error(r, 422)


def test_consumer_name_nul_refused(krest):
    g = unique_group()
    r = post_create(krest, g, '{"name": "probe\\u0000evil"}')
    assert r.status_code in (400, 422), r.text
    assert no_instance(krest, g, "probe")


@pytest.mark.parametrize("group", ["g" * 256, "%ff%fe", "bad%01group"])
def test_group_id_bounded(krest, group):
    r = post_create(krest, group, {"name": "c1"})
    body = assert_error(r, 422)
    assert "group" in body["message"]
    assert "\ufffd" not in r.text and b"\xff" not in r.content


BAD_TOPICS = ["t" * 250, "bad name", ".", "..", "a/b", "caf\u00e9"]


@pytest.mark.parametrize("topic", BAD_TOPICS)
def test_subscribe_bad_topic(krest, admin, topic):
    c = create_consumer(krest)
    r = c.req("POST", "/subscription", {"topics": ["ok-topic", topic]})
    body = assert_error(r, 422)
    assert "topics[1]" in body["message"]
    assert c.req("GET", "/subscription").json() == {"topics": []}


def test_subscribe_nul_topic_subscribes_nothing(krest, new_topic):
    t = new_topic()
    c = create_consumer(krest)
    r = c.req("POST", "/subscription", '{"topics": ["%s\\u0000evil"]}' % t)
    assert r.status_code in (400, 422), r.text
    assert c.req("GET", "/subscription").json() == {"topics": []}


@pytest.mark.parametrize("sub", ["/assignments", "/positions/beginning", "/offsets"])
def test_partition_lists_bad_topic(krest, sub):
    c = create_consumer(krest)
    body = {"partitions": [{"topic": "x" * 40000, "partition": 0}]}
    r = c.req("GET" if sub == "/offsets" else "POST", sub, body)
    msg = assert_error(r, 422)["message"]
    assert "partitions[0].topic" in msg
    assert c.req("GET", "/assignments").json() == {"partitions": []}


def test_positions_bad_topic(krest):
    c = create_consumer(krest)
    r = c.req("POST", "/positions", {"offsets": [{"topic": "a b", "partition": 0, "offset": 1}]})
    assert "offsets[0].topic" in assert_error(r, 422)["message"]


def test_commit_bad_topic_nothing_committed(krest, kafka_bootstrap):
    c = create_consumer(krest)
    r = c.req("POST", "/offsets", {"offsets": [{"topic": "y" * 300, "partition": 0, "offset": 1}]})
    assert "offsets[0].topic" in assert_error(r, 422)["message"]


@pytest.mark.parametrize("size", [4097, 5000, 40000])
def test_commit_metadata_bounded(krest, kafka_bootstrap, new_topic, size):
    t = new_topic()
    c = create_consumer(krest)
    c.assign(t, [0])
    off = [{"topic": t, "partition": 0, "offset": 3, "metadata": "m" * size}]
    r = c.req("POST", "/offsets", {"offsets": off})
    assert "metadata" in assert_error(r, 422)["message"]
    assert kafka_committed(kafka_bootstrap, c.group, t, [0]) == {0: None}


def test_commit_metadata_4096_stored(krest, new_topic):
    t = new_topic()
    c = create_consumer(krest)
    c.assign(t, [0])
    off = [{"topic": t, "partition": 0, "offset": 3, "metadata": "m" * 4096}]
    r = c.req("POST", "/offsets", {"offsets": off})
    assert r.status_code == 200, r.text
    got = c.committed(t, [0])["offsets"]
    assert got == [{"topic": t, "partition": 0, "offset": 4, "metadata": "m" * 4096}]


@pytest.mark.parametrize("pattern", ["p" * 1025, "(("])
def test_topic_pattern_refused(krest, pattern):
    c = create_consumer(krest)
    r = c.req("POST", "/subscription", {"topic_pattern": pattern})
    assert "topic_pattern" in assert_error(r, 422)["message"]
    assert c.req("GET", "/subscription").json() == {"topics": []}


def test_v1_read_bad_topic(krest):
    r = krest.get("/topics/" + "z" * 300 + "/partitions/0/messages?offset=0")
    assert_error(r, 404, 40401)


def test_produce_bad_topic_path(krest, admin):
    name = "q" * 250
    r = krest.post(
        f"/topics/{name}",
        data=json.dumps({"records": [{"value": "dg=="}]}),
        headers={"Content-Type": "application/vnd.kafka.binary.v2+json"},
    )
    assert r.status_code in (404, 422), r.text
    assert name not in topic_names(admin)


# --- finding 9 ----------------------------------------------------------------------------------


def test_commit_missing_topic_404(krest, kafka_bootstrap):
    c = create_consumer(krest)
    t = unique_topic("missing")
    r = c.req("POST", "/offsets", {"offsets": [{"topic": t, "partition": 0, "offset": 1}]})
    assert_error(r, 404, 40401)


def test_commit_missing_partition_404(krest, kafka_bootstrap, new_topic):
    t = new_topic()
    c = create_consumer(krest)
    r = c.req("POST", "/offsets", {"offsets": [{"topic": t, "partition": 99999, "offset": 1}]})
    assert_error(r, 404, 40402)
    assert kafka_committed(kafka_bootstrap, c.group, t, [0]) == {0: None}


@pytest.mark.parametrize("number", ["18446744073709551616", "9223372036854775808", "9" * (10 << 20)])
def test_positions_offset_past_int64(krest, new_topic, number):
    t = new_topic()
    c = create_consumer(krest)
    c.assign(t, [0])
    body = '{"offsets": [{"topic": "%s", "partition": 0, "offset": %s}]}' % (t, number)
    r = c.req("POST", "/positions", body, timeout=60)
    assert "offset" in assert_error(r, 422)["message"]


@pytest.fixture(scope="module")
def reg(tmp_path_factory, kafka_bootstrap, krest_bin, admin):
    f = RegistryFactory(tmp_path_factory.mktemp("registry"), admin)
    yield f()
    f.teardown()


@pytest.mark.parametrize("subject", ["%ff%fe", "a%c3", "bad%01subject"])
def test_registry_invalid_subject(reg, subject):
    r = reg.post(f"/subjects/{subject}/versions", {"schema": sjson(record("A", [("a", "int")]))})
    assert_error(r, 422, 42208)
    assert b"\xff" not in r.content and b"\xc3" not in r.content
    ok = unique_subject()
    reg.register(ok, record("B", [("b", "int")]))  # the registry still reads back its topic
    assert ok in reg.subjects()


def test_registry_invalid_subject_lookups_escaped(reg):
    r = reg.get("/subjects/%ff%fe/versions")
    assert r.status_code in (404, 422), r.text
    assert b"\xff" not in r.content
    r.content.decode("utf-8")


@pytest.mark.parametrize("sub", ["", "/consumers", "/lags", "/lag-summary"])
def test_v3_group_invalid_utf8(krest, sub):
    """librdkafka aborted (DescribeConsumerGroups_response_merge) when the broker answered for
    another group id than the invalid UTF-8 one asked; and the id came back raw."""
    cid = krest.get("/v3/clusters").json()["data"][0]["cluster_id"]
    r = krest.get(f"/v3/clusters/{cid}/consumer-groups/ab%ff%fecd{sub}")
    assert_error(r, 404)
    assert b"\xff" not in r.content and b"\xfe" not in r.content
    assert "ab\ufffd\ufffdcd" in r.json()["message"]
    assert krest.proc.poll() is None
    assert krest.get("/v3/clusters").status_code == 200


def test_v2_topic_invalid_utf8_not_echoed(krest):
    r = krest.get("/topics/ab%ff%fecd")
    assert_error(r, 404, 40401)
    r.content.decode("utf-8")
