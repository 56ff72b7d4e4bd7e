"""v3 records with AVRO keys and values through krest's built-in registry (API.md §3.5): an inline
schema registered under its subject (TOPIC_NAME, RECORD_NAME, TOPIC_RECORD_NAME, or `subject`),
a schema by id, by subject version, and the subject's latest (no type). Kafka gets Confluent's
wire format (magic byte, schema id) that confluent-kafka's AvroDeserializer decodes."""

import json

import requests

from avro_helpers import (  # noqa: F401  (fixtures)
    deserialize,
    env,
    registries,
    split_wire,
)
from conftest import end_offsets, read_topic
from v3_helpers import cluster_id

CT = {"Content-Type": "application/json"}

REC = {"type": "record", "name": "Rec", "namespace": "krest.v3", "fields": [{"name": "a", "type": "int"}]}


def post(env, topic, objs):
    u = f"http://127.0.0.1:{env.k.port}/v3/clusters/{cluster_id()}/topics/{topic}/records"
    r = requests.post(u, data="\n".join(json.dumps(o) for o in objs), headers=CT)
    assert r.status_code == 200, r.text
    return [json.loads(p) for p in r.text.split("\r\n")[:-1]]


def test_avro_inline_id_version_latest(env, new_topic):
    t = new_topic()
    s = json.dumps(REC)
    res = post(
        env,
        t,
        [
            {"key": {"type": "STRING", "data": "k"}, "value": {"type": "AVRO", "schema": s, "data": {"a": 1}}},
            {"value": {"data": {"a": 2}}},
            {"value": {"schema_version": 1, "data": {"a": 3}}},
        ],
    )
    assert [x["error_code"] for x in res] == [200, 200, 200], res
    v = res[0]["value"]
    assert v["type"] == "AVRO" and v["subject"] == f"{t}-value" and v["schema_version"] == 1
    sid = v["schema_id"]
    assert res[1]["value"] == v and res[2]["value"] == v
    res2 = post(env, t, [{"value": {"schema_id": sid, "data": {"a": 4}}}])
    assert res2[0]["value"]["schema_id"] == sid
    recs = read_topic(t)
    assert [split_wire(r.value)[0] for r in recs] == [sid] * 4
    assert [deserialize(env, t, r.value) for r in recs] == [{"a": i} for i in (1, 2, 3, 4)]
    assert recs[0].key == b"k"
    assert v["size"] == len(recs[0].value)


def test_avro_strategies_and_subject(env, new_topic):
    t = new_topic()
    s = json.dumps(REC)
    res = post(
        env,
        t,
        [
            {"value": {"type": "AVRO", "schema": s, "subject_name_strategy": "RECORD_NAME", "data": {"a": 1}}},
            {"value": {"type": "AVRO", "schema": s, "subject_name_strategy": "TOPIC_RECORD_NAME", "data": {"a": 2}}},
            {"key": {"type": "AVRO", "schema": '"string"', "subject": f"{t}-custom", "data": "kk"}},
        ],
    )
    assert [x["error_code"] for x in res] == [200, 200, 200], res
    assert res[0]["value"]["subject"] == "krest.v3.Rec"
    assert res[1]["value"]["subject"] == f"{t}-krest.v3.Rec"
    assert res[2]["key"]["subject"] == f"{t}-custom"
    recs = read_topic(t)
    assert deserialize(env, t, recs[2].key, key=True) == "kk"


def test_avro_errors_in_band(env, new_topic):
    t = new_topic()
    before = end_offsets(t)
    res = post(
        env,
        t,
        [
            {"value": {"type": "AVRO", "schema": json.dumps(REC), "data": {"a": "x"}}},
            {"value": {"type": "AVRO", "schema": "{not a schema", "data": 1}},
            {"value": {"schema_id": 999999, "data": 1}},
            {"value": {"subject": f"{t}-nosuch", "data": 1}},
            {"value": {"subject": f"{t}-value", "schema_version": 7, "data": {"a": 1}}},
            {"value": {"subject_name_strategy": "RECORD_NAME", "data": 1}},
        ],
    )
    codes = [x["error_code"] for x in res]
    assert codes[0] == 400 and "Bad Request: " in res[0]["message"], res[0]
    assert codes[1] == 42205, res[1]
    assert codes[2] == 40801, res[2]
    assert codes[3] == 404 and "not found" in res[3]["message"], res[3]
    assert codes[4] == 404 and "Version 7" in res[4]["message"], res[4]
    assert codes[5] == 400 and "RECORD_NAME" in res[5]["message"], res[5]
    assert end_offsets(t) == before


def test_external_registry_subject_version_and_latest(env, start_krest, new_topic):
    """schema.registry.url naming another registry (here a second krest's built-in one, env):
    `schema_version` and the latest version (no selector) are asked of that registry
    (GET /subjects/{s}/versions/{v}), and an unknown subject or version is an in-band 404."""
    t = new_topic()
    subject = f"{t}-value"
    rec2 = dict(REC, fields=REC["fields"] + [{"name": "b", "type": "string", "default": "d"}])
    ids = []
    for schema in (REC, rec2):
        r = requests.post(
            f"{env.sr_url}/subjects/{subject}/versions",
            json={"schema": json.dumps(schema)},
            headers={"Content-Type": "application/vnd.schemaregistry.v1+json"},
        )
        assert r.status_code == 200, r.text
        ids.append(r.json()["id"])
    other = start_krest(f"--schema.registry.url={env.sr_url}")  # no built-in registry of its own
    u = f"http://127.0.0.1:{other.port}/v3/clusters/{cluster_id()}/topics/{t}/records"
    objs = [
        {"value": {"schema_version": 1, "data": {"a": 1}}},
        {"value": {"schema_version": 2, "data": {"a": 2, "b": "x"}}},
        {"value": {"data": {"a": 3, "b": "y"}}},  # the latest: version 2
        {"value": {"schema_version": 7, "data": {"a": 4}}},
        {"value": {"subject": f"{t}-nosuch", "data": {"a": 5}}},
    ]
    r = requests.post(u, data="\n".join(json.dumps(o) for o in objs), headers=CT)
    assert r.status_code == 200, r.text
    res = [json.loads(p) for p in r.text.split("\r\n")[:-1]]
    assert [x["error_code"] for x in res] == [200, 200, 200, 404, 404], res
    assert [(x["value"]["schema_id"], x["value"]["schema_version"]) for x in res[:3]] == [
        (ids[0], 1),
        (ids[1], 2),
        (ids[1], 2),
    ], res
    assert res[3]["message"] == f"Version 7 not found for subject '{subject}'.", res[3]
    assert res[4]["message"] == f"Subject '{t}-nosuch' not found.", res[4]
    recs = read_topic(t)
    assert [split_wire(x.value)[0] for x in recs] == [ids[0], ids[1], ids[1]]
    assert [deserialize(env, t, x.value) for x in recs] == [
        {"a": 1},
        {"a": 2, "b": "x"},
        {"a": 3, "b": "y"},
    ]
