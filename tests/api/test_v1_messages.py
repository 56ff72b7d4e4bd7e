"""v1's stateless partition read: GET /topics/{t}/partitions/{p}/messages?offset=&count= (or
?timestamp=). Records are written with an independent producer (confluent-kafka)."""
import base64
import time

import pytest

from conftest import assert_error, produce_many

BIN1 = "application/vnd.kafka.binary.v1+json"
JSON1 = "application/vnd.kafka.json.v1+json"


def get(krest, path, accept=BIN1):
    return krest.get(path, headers={"Accept": accept}, timeout=30)


@pytest.fixture
def filled(new_topic, kafka_bootstrap):
    t = new_topic(partitions=2)
    produce_many(kafka_bootstrap, t, [{"value": b"v%d" % i, "key": b"k", "partition": 0}
                                      for i in range(5)])
    return t


def test_offset_and_count(krest, filled):
    r = get(krest, f"/topics/{filled}/partitions/0/messages?offset=1&count=3")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith(BIN1)
    body = r.json()
    assert [(m["offset"], base64.b64decode(m["value"])) for m in body] == [
        (1, b"v1"), (2, b"v2"), (3, b"v3")]
    assert all(set(m) == {"key", "value", "partition", "offset"} for m in body)
    assert all(m["partition"] == 0 and base64.b64decode(m["key"]) == b"k" for m in body)


def test_count_defaults_to_one_and_end_of_partition(krest, filled):
    r = get(krest, f"/topics/{filled}/partitions/0/messages?offset=4")
    assert [m["offset"] for m in r.json()] == [4]
    r = get(krest, f"/topics/{filled}/partitions/0/messages?offset=4&count=10")
    assert [m["offset"] for m in r.json()] == [4]
    r = get(krest, f"/topics/{filled}/partitions/0/messages?offset=50")
    assert r.status_code == 200 and r.json() == []
    r = get(krest, f"/topics/{filled}/partitions/1/messages?offset=0")
    assert r.status_code == 200 and r.json() == []


def test_by_timestamp(krest, filled):
    r = get(krest, f"/topics/{filled}/partitions/0/messages?timestamp=2000-01-01T00:00:00Z&count=2")
    assert [m["offset"] for m in r.json()] == [0, 1]
    future = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() + 3600)) + ".000Z"
    r = get(krest, f"/topics/{filled}/partitions/0/messages?timestamp={future}")
    assert r.status_code == 200 and r.json() == []


def test_json_format(krest, new_topic, kafka_bootstrap):
    t = new_topic()
    produce_many(kafka_bootstrap, t, [{"value": b'{"a":1}'}, {"value": b"not json"}])
    r = get(krest, f"/topics/{t}/partitions/0/messages?offset=0", accept=JSON1)
    assert r.status_code == 200 and r.json() == [
        {"key": None, "value": {"a": 1}, "partition": 0, "offset": 0}]
    r = get(krest, f"/topics/{t}/partitions/0/messages?offset=1", accept=JSON1)
    assert_error(r, 408, 40801)


def test_unknown_topic_and_partition(krest, filled, admin):
    assert_error(get(krest, "/topics/krest-no-such-topic-v1m/partitions/0/messages?offset=0"),
                 404, 40401)
    assert "krest-no-such-topic-v1m" not in admin.list_topics(timeout=10).topics
    assert_error(get(krest, f"/topics/{filled}/partitions/7/messages?offset=0"), 404, 40402)
    assert_error(get(krest, f"/topics/{filled}/partitions/abc/messages?offset=0"), 404, 404)


@pytest.mark.parametrize("query", [
    "", "?offset=1&timestamp=2000-01-01T00:00:00Z", "?offset=x", "?offset=-1",
    "?offset=0&count=0", "?offset=0&count=abc", "?timestamp=yesterday",
])
def test_bad_query_400(krest, filled, query):
    assert_error(get(krest, f"/topics/{filled}/partitions/0/messages{query}"), 400, 400)


def test_read_bounded_by_request_max_bytes(start_krest, new_topic, kafka_bootstrap):
    """count alone does not bound a read: it also stops at consumer.request.max.bytes of keys and
    values (as GET …/records counts them), and a first record larger than that comes alone."""
    k = start_krest("--consumer.request.max.bytes=100000")
    t = new_topic()
    values = [bytes([65 + i]) * 40000 for i in range(5)] + [b"Z" * 150000, b"y"]
    produce_many(kafka_bootstrap, t, [{"value": v, "partition": 0} for v in values])

    def read(offset, count):
        r = get(k, f"/topics/{t}/partitions/0/messages?offset={offset}&count={count}")
        assert r.status_code == 200, r.text
        return [(m["offset"], base64.b64decode(m["value"])) for m in r.json()]

    assert read(0, 5) == [(0, values[0]), (1, values[1])]  # a third would make 120000
    assert read(4, 3) == [(4, values[4])]  # 40000 + 150000 > 100000
    assert read(5, 3) == [(5, values[5])]  # larger than the bound, first: alone
    assert read(6, 3) == [(6, b"y")]
    assert read(1, 1) == [(1, values[1])]
