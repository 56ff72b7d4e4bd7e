"""v3 records produce (API.md §3.5, §3.6): POST /v3/clusters/{c}/topics/{t}/records (a stream of
ProduceRequest objects, one result line each in input order) and .../records:batch (207).
What reaches Kafka is read back with an independent confluent-kafka consumer: bytes, keys,
partitions, headers, timestamps; bad inputs get their in-band error and leave Kafka as they
should (nothing of theirs is written)."""

import base64
import json

import pytest
import requests

from conftest import KrestFactory, assert_error, end_offsets, read_topic
from v3_helpers import cluster_id

CT = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def k(tmp_path_factory, kafka_bootstrap, krest_bin):
    f = KrestFactory(tmp_path_factory.mktemp("v3rec"))
    yield f(
        "--krest.topic.auto.create=false",
        "--api.v3.produce.request.size.limit.max.bytes=3000",
        "--api.v3.produce.batch.maximum.entries=3",
    )
    f.teardown()


def url(k, topic, cluster=None, batch=False):
    c = cluster or cluster_id()
    return f"http://127.0.0.1:{k.port}/v3/clusters/{c}/topics/{topic}/records" + (
        ":batch" if batch else ""
    )


def lines(r):
    """The result objects of a records response: each followed by CRLF."""
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    parts = r.text.split("\r\n")
    assert parts[-1] == "", f"the body does not end with CRLF: {r.text[-100:]!r}"
    return [json.loads(p) for p in parts[:-1]]


def stream(objs):
    return "\n".join(o if isinstance(o, str) else json.dumps(o) for o in objs)


def b64(b):
    return base64.b64encode(b).decode()


def test_stream_mixed_types_and_in_band_errors(k, new_topic):
    t = new_topic(partitions=3)
    objs = [
        {"key": {"type": "BINARY", "data": b64(b"\x00k1")}, "value": {"type": "BINARY", "data": b64(b"v1")}},
        {"value": {"type": "BINARY", "data": 1}},
        {
            "partition_id": 2,
            "key": {"type": "STRING", "data": "k\u00e9"},
            "value": {"type": "JSON", "data": {"a": [1, 2.5, "/"], "b": None}},
            "headers": [{"name": "h1", "value": b64(b"x")}, {"name": "h2", "value": None}],
            "timestamp": "2021-02-05T19:14:42.120Z",
        },
        {"partition_id": 7, "value": {"type": "STRING", "data": "no such partition"}},
        {"value": {"type": "STRING", "data": None}},
        {},
    ]
    before = end_offsets(t)
    r = requests.post(url(k, t), data=stream(objs), headers=CT)
    res = lines(r)
    assert [x["error_code"] for x in res] == [200, 400, 200, 40402, 200, 200], res
    assert res[1]["message"] == "Bad Request: data=1 is not a base64 string."
    assert res[3] == {"error_code": 40402, "message": "Partition not found."}
    ok = res[0]
    assert ok["cluster_id"] == cluster_id() and ok["topic_name"] == t
    assert ok["key"] == {"type": "BINARY", "size": 3} and ok["value"] == {"type": "BINARY", "size": 2}
    assert res[2]["partition_id"] == 2 and res[2]["timestamp"] == "2021-02-05T19:14:42.120Z"
    assert res[2]["key"] == {"type": "STRING", "size": 3}
    assert res[4]["value"] == {"type": "STRING", "size": -1} and "key" not in res[4]
    assert "key" not in res[5] and "value" not in res[5]
    got = {(x.partition, x.offset): x for x in read_topic(t, start=before)}
    assert len(got) == 4, got
    a = got[(ok["partition_id"], ok["offset"])]
    assert a.key == b"\x00k1" and a.value == b"v1"
    c = got[(2, res[2]["offset"])]
    assert c.key == "k\u00e9".encode() and c.value == b'{"a":[1,2.5,"/"],"b":null}'
    assert c.headers == [("h1", b"x"), ("h2", None)]
    assert c.timestamp[1] == 1612552482120
    e = got[(res[4]["partition_id"], res[4]["offset"])]
    assert e.value is None and e.key is None
    # a result's timestamp is the record's (CreateTime set when sent)
    assert abs(a.timestamp[1] - _ms(ok["timestamp"])) < 1000


def _ms(iso):
    from datetime import datetime

    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def test_keys_pick_partitions_as_java(k, new_topic):
    t = new_topic(partitions=4)
    objs = [{"key": {"type": "STRING", "data": f"key-{i}"}, "value": {"type": "STRING", "data": "v"}} for i in range(8)]
    res = lines(requests.post(url(k, t), data=stream(objs * 2), headers=CT))
    first, second = res[:8], res[8:]
    assert [x["partition_id"] for x in first] == [x["partition_id"] for x in second]
    assert len({x["partition_id"] for x in first}) > 1


RULES = [
    ({"value": {"type": "BINARY", "data": "!!"}}, 400, 'data="!!" is not a valid base64 string.'),
    ({"value": {"type": "STRING", "data": 5}}, 400, "data=5 is not a string."),
    ({"value": {"type": "BINARY", "subject": "s", "data": "eA=="}}, 400, "'type=BINARY' cannot be used with 'subject'."),
    ({"value": {"type": "JSON", "schema_version": 1}}, 400, "'type=JSON' cannot be used with 'schema_version'."),
    ({"value": {"schema_id": 1, "schema": "x"}}, 400, "'schema' cannot be used with 'schema_id'."),
    ({"value": {"subject": "a", "subject_name_strategy": "TOPIC_NAME"}}, 400, "'subject' cannot be used with 'subject_name_strategy'."),
    ({"value": {"type": "AVRO", "data": 1}}, 400, "'type=AVRO' requires 'schema'."),
    ({"value": {"type": "binary"}}, 400, "EmbeddedFormat"),
    ({"value": {"subject_name_strategy": "NAME"}}, 400, "EnumSubjectNameStrategy"),
    ({"records": []}, 400, 'Unrecognized field "records"'),
    ({"partition_id": -1}, 40402, "Partition not found."),
    ({"partition_id": "0"}, 400, "partition_id"),
    ({"timestamp": "yesterday"}, 400, "ISO-8601"),
    ({"headers": [{"value": "eA=="}]}, 400, "a header needs a name"),
    ({"value": {"type": "JSONSCHEMA", "schema": "{}", "data": 1}}, 400, "not supported"),
    ({"value": {"type": "PROTOBUF", "schema": "x", "data": 1}}, 400, "not supported"),
    ({"value": {"schema_id": 1, "data": 1}}, 422, "Schema Registry must be configured"),
    ([1, 2], 400, "Cannot deserialize"),
]


def test_every_rule_in_band(k, new_topic):
    t = new_topic()
    before = end_offsets(t)
    good = {"value": {"type": "STRING", "data": "good"}}
    objs = []
    for body, _, _ in RULES:
        objs += [body, good]
    res = lines(requests.post(url(k, t), data=stream(objs), headers=CT))
    assert len(res) == 2 * len(RULES)
    for i, (body, code, words) in enumerate(RULES):
        got = res[2 * i]
        assert set(got) == {"error_code", "message"}, (body, got)
        assert got["error_code"] == code and words in got["message"], (body, got)
        assert res[2 * i + 1]["error_code"] == 200, res[2 * i + 1]
    recs = read_topic(t, start=before)
    assert [r.value for r in recs] == [b"good"] * len(RULES)


def test_malformed_json_ends_the_stream(k, new_topic):
    t = new_topic()
    body = '{"value":{"type":"STRING","data":"a"}}\n{"value": nope}\n{"value":{"type":"STRING","data":"b"}}'
    res = lines(requests.post(url(k, t), data=body, headers=CT))
    assert len(res) == 2
    assert res[0]["error_code"] == 200
    assert res[1]["error_code"] == 400
    assert res[1]["message"].startswith("Bad Request: Error processing JSON: ")
    assert [r.value for r in read_topic(t)] == [b"a"]


def test_size_limit_ends_the_stream(k, new_topic):
    t = new_topic()
    big = {"value": {"type": "STRING", "data": "x" * 4000}}
    small = {"value": {"type": "STRING", "data": "s"}}
    res = lines(requests.post(url(k, t), data=stream([small, big, small]), headers=CT))
    assert res == [
        res[0],
        {
            "error_code": 400,
            "message": "Bad Request: Error processing message: Produce request size is larger "
            "than allowed threshold",
        },
    ]
    assert res[0]["error_code"] == 200
    assert [r.value for r in read_topic(t)] == [b"s"]


def test_empty_body_and_whitespace(k, new_topic):
    t = new_topic()
    for body in ("", "  \r\n "):
        r = requests.post(url(k, t), data=body, headers=CT)
        assert r.status_code == 200 and r.text == ""


def test_missing_topic_in_band_at_once(k):
    t = "krest-v3rec-missing-topic"
    r = requests.post(url(k, t), data=stream([{"value": {"type": "STRING", "data": "a"}}] * 2 + [{"value": {"type": "STRING", "data": 1}}]), headers=CT, timeout=10)
    res = lines(r)
    assert [x["error_code"] for x in res] == [40401, 40401, 400], res


def test_unknown_cluster_is_404(k, new_topic):
    t = new_topic()
    r = requests.post(url(k, t, cluster="nope"), data="{}", headers=CT)
    assert_error(r, 404, 404)
    assert r.json()["message"] == "Cluster nope cannot be found."


def test_wrong_content_type_is_415(k, new_topic):
    t = new_topic()
    r = requests.post(url(k, t), data="{}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415


def test_chunked_upload_is_answered(k, new_topic):
    t = new_topic()

    def gen():
        for i in range(5):
            yield (json.dumps({"value": {"type": "STRING", "data": f"c{i}"}}) + "\n").encode()

    res = lines(requests.post(url(k, t), data=gen(), headers=CT))
    assert [x["offset"] for x in res] == [0, 1, 2, 3, 4]
    assert [r.value for r in read_topic(t)] == [f"c{i}".encode() for i in range(5)]


# ---- records:batch ----------------------------------------------------------------------------


def test_batch_successes_and_failures(k, new_topic):
    t = new_topic()
    body = {
        "entries": [
            {"id": "a-1", "value": {"type": "STRING", "data": "x"}, "headers": [{"name": "h", "value": b64(b"1")}]},
            {"id": "b_2", "value": {"type": "BINARY", "data": 1}},
            {"id": "c", "key": {"type": "JSON", "data": [1]}, "value": {"type": "JSON", "data": {"z": 1}}},
        ]
    }
    r = requests.post(url(k, t, batch=True), json=body)
    assert r.status_code == 207, r.text
    out = r.json()
    assert [s["id"] for s in out["successes"]] == ["a-1", "c"]
    assert out["failures"] == [{"id": "b_2", "error_code": 400, "message": "Bad Request: data=1 is not a base64 string."}]
    assert out["successes"][1]["key"] == {"type": "JSON", "size": 3}
    recs = read_topic(t)
    assert [(r.key, r.value) for r in recs] == [(None, b"x"), (b"[1]", b'{"z":1}')]
    assert recs[0].headers == [("h", b"1")]


@pytest.mark.parametrize(
    "body,message",
    [
        ("", "Request body is empty. Data is required."),
        ("null", "Request body is empty. Data is required."),
        ({"entries": []}, "Empty batch."),
        ({}, "Empty batch."),
        ({"entries": [{"id": str(i)} for i in range(4)]}, "Too many entries in batch."),
        ({"entries": [{"id": "a"}, {"id": "a"}]}, "Batch entry IDs are not distinct."),
        ({"entries": [{"id": 1}]}, "Batch entry identifier is not a valid string."),
        ({"entries": [{"id": ""}]}, "Batch entry identifier is not a valid string."),
        ({"entries": [{"id": "a" * 81}]}, "Batch entry identifier is not a valid string."),
        ({"entries": [{"id": "a b"}]}, "Batch entry identifier is not a valid string."),
        ({"entries": [{"value": {}}]}, "Batch entry identifier is not a valid string."),
    ],
)
def test_batch_prevalidation(k, new_topic, body, message):
    t = new_topic()
    data = body if isinstance(body, str) else json.dumps(body)
    r = requests.post(url(k, t, batch=True), data=data, headers=CT)
    assert_error(r, 422, 42208)
    assert r.json()["message"] == message
    assert end_offsets(t) == {0: 0}


def test_batch_bad_json_and_unknown_field(k, new_topic):
    t = new_topic()
    r = requests.post(url(k, t, batch=True), data='{"entries": [', headers=CT)
    assert_error(r, 400, 400)
    r = requests.post(url(k, t, batch=True), data='{"entries": [{"id":"a"}], "x": 1}', headers=CT)
    assert_error(r, 400, 400)
    assert "Unrecognized field" in r.json()["message"]


def test_missing_topic_auto_created_as_v2(start_krest, admin):
    """krest.topic.auto.create=true: a records request with a known length creates the topic
    (as v1/v2 produce does), then produces."""
    from conftest import unique_topic

    t = unique_topic("krest-v3rec-auto")
    kr = start_krest("--krest.topic.auto.create=true")
    try:
        body = stream([{"value": {"type": "STRING", "data": "a"}}])
        res = lines(requests.post(url(kr, t), data=body, headers=CT))
        assert [x["error_code"] for x in res] == [200], res
        assert [r.value for r in read_topic(t)] == [b"a"]
    finally:
        for f in admin.delete_topics([t], operation_timeout=15).values():
            try:
                f.result(timeout=20)
            except Exception:
                pass


def _add_partitions(admin, t, n):
    from confluent_kafka.admin import NewPartitions

    from conftest import wait_until

    admin.create_partitions([NewPartitions(t, n)])[t].result(timeout=20)
    assert wait_until(lambda: len(admin.list_topics(t, timeout=5).topics[t].partitions) == n, 10)


def test_partitions_added_after_metadata_cached(k, admin, new_topic):
    """As v2: a partition added a moment ago (krest's cached metadata and its producer do not
    know it yet) is found by one more snapshot, never answered 40402; a partition that does
    not exist still is."""
    t = new_topic(partitions=1)
    rec = {"value": {"type": "STRING", "data": "a"}}
    assert [x["error_code"] for x in lines(requests.post(url(k, t), data=stream([rec]), headers=CT))] == [200]
    _add_partitions(admin, t, 3)
    objs = [dict(rec, partition_id=2), dict(rec, partition_id=1), dict(rec, partition_id=7)]
    res = lines(requests.post(url(k, t), data=stream(objs), headers=CT))
    assert [(x["error_code"], x.get("partition_id")) for x in res] == [(200, 2), (200, 1), (40402, None)], res
    assert sorted((x.partition, x.offset) for x in read_topic(t)) == [(0, 0), (1, 0), (2, 0)]
