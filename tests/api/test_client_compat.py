"""What another REST proxy's integration suite found (issue 18, item 5), each a regression test:
a read answers in its instance's format when the client's Accept lists that type among others
(JAX-RS ordering; v2 and v1), seeking to the beginning or end of no partitions is Kafka's
"every assigned partition" (never a 5xx), empty path segments are merged, the Content-Types
Confluent's @Consumes lists never had stay 415, and not-found errors name the topic."""

import base64

import pytest

from conftest import (
    V1,
    V2,
    assert_error,
    create_consumer,
    delete_live_consumers,
    media_type,
    produce_many,
    read_n,
)


@pytest.fixture(autouse=True)
def _delete_instances(new_topic):
    yield
    delete_live_consumers()


def listing(fmt, v):
    return f"application/vnd.kafka.{fmt}.v{v}+json, application/vnd.kafka.v{v}+json, application/json, */*"


@pytest.mark.parametrize("fmt", ["binary", "json", "avro"])
def test_v2_read_answers_in_the_listed_instance_format(krest, new_topic, kafka_bootstrap, fmt):
    t = new_topic()
    if fmt != "avro":
        produce_many(kafka_bootstrap, t, [{"value": b'"x"'}])
    c = create_consumer(krest, body={"format": fmt, "auto.offset.reset": "earliest"})
    c.subscribe([t])
    want = 0 if fmt == "avro" else 1
    got = []
    for _ in range(20):
        r = c.records(accept=listing(fmt, 2), raw=True)
        assert r.status_code == 200, r.text
        assert media_type(r) == f"application/vnd.kafka.{fmt}.v2+json"
        got += r.json()
        if len(got) >= want:
            break
    assert len(got) == want
    if fmt == "binary":
        assert base64.b64decode(got[0]["value"]) == b'"x"'
    elif fmt == "json":
        assert got[0]["value"] == "x"


def test_v2_read_still_refuses_a_format_not_listed(krest, new_topic):
    t = new_topic()
    c = create_consumer(krest, body={"format": "json"})
    c.subscribe([t])
    r = c.records(accept=listing("avro", 2), raw=True)  # json.v2 is not named: a mismatch
    assert_error(r, 406, 40601)


@pytest.mark.parametrize("fmt", ["binary", "json", "avro"])
def test_v1_read_answers_in_the_listed_instance_format(krest, new_topic, kafka_bootstrap, fmt):
    t = new_topic()
    r = krest.post(
        f"/consumers/v1compat-{fmt}-{t}",
        data=f'{{"format": "{fmt}", "auto.offset.reset": "smallest"}}',
        headers={"Content-Type": V1},
    )
    assert r.status_code == 200, r.text
    base = r.json()["base_uri"].split(f":{krest.port}", 1)[1]
    try:
        r = krest.get(f"{base}/topics/{t}", headers={"Accept": listing(fmt, 1)}, timeout=30)
        assert r.status_code == 200, r.text
        assert media_type(r) == f"application/vnd.kafka.{fmt}.v1+json"
        assert r.json() == []
    finally:
        krest.request("DELETE", base)


def test_seek_edges_of_no_partitions(krest, new_topic, kafka_bootstrap):
    t = new_topic()
    produce_many(kafka_bootstrap, t, [{"value": b"a"}, {"value": b"b"}])
    c = create_consumer(krest, body={"format": "binary", "auto.offset.reset": "earliest"})
    # Nothing assigned: a no-op.
    for edge in ("beginning", "end"):
        r = c.req("POST", f"/positions/{edge}", {"partitions": []})
        assert r.status_code == 204, r.text
    c.assign(t, [0])
    got, _ = read_n(c, 2)
    assert [base64.b64decode(x["value"]) for x in got] == [b"a", b"b"]
    # As Kafka's consumer: no partitions = every assigned partition.
    r = c.req("POST", "/positions/beginning", {"partitions": []})
    assert r.status_code == 204, r.text
    got, _ = read_n(c, 2)
    assert [x["offset"] for x in got] == [0, 1]
    r = c.req("POST", "/positions/end", {"partitions": []})
    assert r.status_code == 204, r.text
    produce_many(kafka_bootstrap, t, [{"value": b"c"}])
    got, _ = read_n(c, 1)
    assert [x["offset"] for x in got] == [2]


@pytest.mark.parametrize(
    "sub,body",
    [
        ("/positions", {"offsets": []}),
        ("/positions", {"timestamps": []}),
        ("/assignments", {"partitions": []}),
    ],
)
def test_empty_lists_are_not_server_errors(krest, sub, body):
    c = create_consumer(krest, body={"format": "binary"})
    r = c.req("POST", sub, body)
    assert r.status_code == 204, r.text


def test_seek_past_the_end_is_not_a_server_error(krest, new_topic):
    t = new_topic()
    c = create_consumer(krest, body={"format": "binary"})
    c.assign(t, [0])
    r = c.req("POST", "/positions", {"offsets": [{"topic": t, "partition": 0, "offset": 10**12}]})
    assert r.status_code < 500, r.text


def test_empty_path_segments_are_merged(krest, new_topic, kafka_bootstrap):
    t = new_topic()
    c = create_consumer(krest, body={"format": "binary"})
    c.assign(t, [0])
    r = krest.post(
        f"/consumers/{c.group}/instances/{c.instance}//positions/beginning",
        data='{"partitions":[]}',
        headers={"Content-Type": V2},
    )
    assert r.status_code == 204, r.text
    r = krest.get(f"//topics//{t}")
    assert r.status_code == 200 and r.json()["name"] == t


@pytest.mark.parametrize("ctype", ["application/vnd.kafka.json+json", "application/vnd.kafka.binary+json"])
def test_unversioned_embedded_content_types_stay_415(krest, new_topic, ctype):
    """Confluent's v1 and v2 @Consumes lists (kafka-rest, every version) name the versioned
    embedded types, vnd.kafka.v1/v2+json, vnd.kafka+json, application/json and
    application/octet-stream; never vnd.kafka.json+json: Jersey answers 415, and so does krest."""
    t = new_topic()
    r = krest.post(f"/topics/{t}", data='{"records":[{"value":{"a":1}}]}', headers={"Content-Type": ctype})
    assert_error(r, 415, 415)


def test_not_found_names_the_topic(krest):
    r = krest.get("/topics/fooo-krest-missing")
    err = assert_error(r, 404, 40401)
    assert err["message"] == "Topic fooo-krest-missing not found."
    r = krest.get("/topics/fooo-krest-missing/partitions/0")
    err = assert_error(r, 404, 40401)
    assert err["message"] == "Topic fooo-krest-missing not found."
