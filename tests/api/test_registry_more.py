"""The built-in Schema Registry's listings and modes (issue 14 item 6, docs/schema-registry.md
sections 3.19-3.23): GET /schemas, /schemas/ids/{id}/subjects, /schemas/ids/{id}/schema,
/subjects/{s}/versions/{v}/referencedby, and GET|PUT /mode, GET|PUT|DELETE /mode/{subject}
(READWRITE, READONLY, IMPORT) as Confluent Schema Registry 7.x; modes are records of the
schemas topic, so a second krest sees them and a restart keeps them. confluent-kafka's
SchemaRegistryClient is the third-party client. Also: an Avro produce to a topic that does not
exist registers nothing."""

import json
import uuid

import pytest

from avro_helpers import AVRO1, AVRO2, post_avro, start_avro_env
from conftest import assert_error as _assert_error
from registry_helpers import (  # noqa: F401 (fixtures: registries, reg, fresh)
    fresh,
    read_log,
    record,
    reg,
    registries,
    uniq,
    unique_subject,
    wait_for,
)

A = record("A", [("a", "int")])
A_STRING = record("A", [("a", "string")])
RO_MSG = "Subject {} is in read-only mode"
INVALID_MODE_MSG = "Invalid mode. Valid values are READWRITE, READONLY, and IMPORT."


def assert_error(r, status, code=None, message=None):
    body = _assert_error(r, status, code)
    if message is not None:
        assert body["message"] == message, body
    return body


def sr_client(reg):
    from confluent_kafka.schema_registry import SchemaRegistryClient

    return SchemaRegistryClient({"url": reg.url})


# --------------------------------------------------------------------------------------------
# GET /schemas


def entity(reg, subject, version):
    return reg.version(subject, version, deleted=True)


def test_schemas_by_prefix_deleted_latest_only_paging(reg):
    p = unique_subject("lst")
    a, b, other = f"{p}-a", f"{p}-b", unique_subject("zz")
    sa1, sa2, sb = uniq(A), uniq(A), uniq(A)
    reg.set_config("NONE", a)
    reg.set_config("NONE", b)
    reg.register(a, sa1)
    reg.register(a, sa2)
    reg.register(b, sb)
    reg.register(b, uniq(A))
    reg.register(other, uniq(A))
    assert reg.delete(f"/subjects/{b}/versions/2").status_code == 200

    got = reg.ok(reg.get(f"/schemas?subjectPrefix={p}"))
    assert got == [entity(reg, a, 1), entity(reg, a, 2), entity(reg, b, 1)]
    assert [json.loads(e["schema"]) for e in got] == [sa1, sa2, sb]
    assert all(list(e) == ["subject", "version", "id", "schema"] for e in got), got

    with_deleted = reg.ok(reg.get(f"/schemas?subjectPrefix={p}&deleted=true"))
    assert [(e["subject"], e["version"]) for e in with_deleted] == [(a, 1), (a, 2), (b, 1), (b, 2)]
    latest = reg.ok(reg.get(f"/schemas?subjectPrefix={p}&latestOnly=true"))
    assert [(e["subject"], e["version"]) for e in latest] == [(a, 2), (b, 1)]
    latest_d = reg.ok(reg.get(f"/schemas?subjectPrefix={p}&latestOnly=True&deleted=TRUE"))
    assert [(e["subject"], e["version"]) for e in latest_d] == [(a, 2), (b, 2)]

    page = reg.ok(reg.get(f"/schemas?subjectPrefix={p}&offset=1&limit=1"))
    assert [(e["subject"], e["version"]) for e in page] == [(a, 2)]
    assert reg.ok(reg.get(f"/schemas?subjectPrefix={p}&offset=3")) == []
    # a limit outside 1..1000 is Confluent's default (1000)
    assert len(reg.ok(reg.get(f"/schemas?subjectPrefix={p}&limit=0"))) == 3
    assert_error(reg.get("/schemas?limit=x"), 404, 404)

    everything = reg.ok(reg.get("/schemas"))
    keys = [(e["subject"], e["version"]) for e in everything]
    assert keys == sorted(keys) and (other, 1) in keys and (b, 2) not in keys
    assert reg.ok(reg.get(f"/schemas?subjectPrefix=nothing-{uuid.uuid4().hex}")) == []


# --------------------------------------------------------------------------------------------
# By id


def test_schema_subjects_by_id(reg):
    s1, s2, s3 = unique_subject(), unique_subject(), unique_subject()
    schema = uniq(A)
    sid = reg.register(s1, schema)
    assert reg.register(s2, schema) == sid
    assert reg.ok(reg.get(f"/schemas/ids/{sid}/subjects")) == sorted([s1, s2])
    assert reg.ok(reg.get(f"/schemas/ids/{sid}/versions")) == sorted(
        [{"subject": s1, "version": 1}, {"subject": s2, "version": 1}], key=lambda e: e["subject"]
    )
    assert reg.delete(f"/subjects/{s2}").status_code == 200
    assert reg.ok(reg.get(f"/schemas/ids/{sid}/subjects")) == [s1]
    assert reg.ok(reg.get(f"/schemas/ids/{sid}/subjects?deleted=true")) == sorted([s1, s2])
    # known only through soft-deleted versions: [] (and still served by id)
    only = reg.register(s3, uniq(A))
    assert reg.delete(f"/subjects/{s3}").status_code == 200
    assert reg.ok(reg.get(f"/schemas/ids/{only}/subjects")) == []
    # permanently deleted, and never known
    assert reg.delete(f"/subjects/{s3}?permanent=true").status_code == 200
    for i in (only, 99999999):
        assert_error(reg.get(f"/schemas/ids/{i}/subjects"), 404, 40403, "Schema not found")
    assert_error(reg.get("/schemas/ids/abc/subjects"), 404)


def test_schema_text_by_id(reg):
    s = unique_subject()
    schema = uniq(A)
    sid = reg.register(s, schema)
    r = reg.get(f"/schemas/ids/{sid}/schema")
    assert r.status_code == 200, r.text
    assert json.loads(r.text) == schema and " " not in r.text
    assert reg.ok(reg.get(f"/schemas/ids/{sid}/schema")) == reg.ok(reg.get(f"/subjects/{s}/versions/1/schema"))
    assert_error(reg.get("/schemas/ids/99999999/schema"), 404, 40403, "Schema 99999999 not found")
    # the third-party client reads the same schema by id, and looks it up
    c = sr_client(reg)
    assert json.loads(c.get_schema(sid).schema_str) == schema
    from confluent_kafka.schema_registry import Schema

    found = c.lookup_schema(s, Schema(json.dumps(schema), "AVRO"))
    assert (found.schema_id, found.subject, found.version) == (sid, s, 1)


def test_referenced_by(reg):
    s = unique_subject()
    reg.register(s, uniq(A))
    assert reg.ok(reg.get(f"/subjects/{s}/versions/1/referencedby")) == []
    assert reg.ok(reg.get(f"/subjects/{s}/versions/latest/referencedby")) == []
    assert_error(reg.get(f"/subjects/{s}/versions/2/referencedby"), 404, 40402, "Version 2 not found.")
    assert_error(reg.get(f"/subjects/{s}/versions/0/referencedby"), 422, 42202)
    assert_error(reg.get(f"/subjects/{unique_subject()}/versions/1/referencedby"), 404, 40401)
    # a soft-deleted version is still looked up (Confluent looks up with deleted=true)
    assert reg.delete(f"/subjects/{s}/versions/1").status_code == 200
    assert reg.ok(reg.get(f"/subjects/{s}/versions/1/referencedby")) == []


# --------------------------------------------------------------------------------------------
# Modes of a subject


def test_subject_mode_get_set_delete(reg):
    s = unique_subject()
    assert_error(
        reg.get(f"/mode/{s}"), 404, 40409, f"Subject '{s}' does not have subject-level mode configured"
    )
    assert reg.ok(reg.get(f"/mode/{s}?defaultToGlobal=true")) == {"mode": "READWRITE"}
    assert reg.ok(reg.put(f"/mode/{s}", {"mode": "readonly"})) == {"mode": "readonly"}  # echoed
    assert reg.ok(reg.get(f"/mode/{s}")) == {"mode": "READONLY"}
    assert reg.ok(reg.get("/mode")) == {"mode": "READWRITE"}  # the global one is untouched
    assert reg.ok(reg.delete(f"/mode/{s}")) == {"mode": "READONLY"}
    assert_error(reg.get(f"/mode/{s}"), 404, 40409)
    assert_error(reg.delete(f"/mode/{s}"), 404, 40401, f"Subject '{s}' not found.")
    for bad in ({"mode": "FOO"}, {"mode": ""}, {}):
        assert_error(reg.put(f"/mode/{s}", bad), 422, 42204, INVALID_MODE_MSG)
    assert_error(reg.put(f"/mode/{s}", "{"), 400, 400)
    assert_error(reg.delete("/mode"), 405, 405)


def test_readonly_subject_refuses_writes(reg):
    s, other = unique_subject(), unique_subject()
    reg.set_config("NONE", s)
    sid = reg.register(s, uniq(A))
    reg.ok(reg.put(f"/mode/{s}", {"mode": "READONLY"}))
    msg = RO_MSG.format(s)
    assert_error(reg.register_raw(s, uniq(A)), 422, 42205, msg)
    assert_error(reg.delete(f"/subjects/{s}"), 422, 42205, msg)
    assert_error(reg.delete(f"/subjects/{s}/versions/1"), 422, 42205, msg)
    assert_error(reg.put(f"/config/{s}", {"compatibility": "NONE"}), 422, 42205, msg)
    assert_error(reg.delete(f"/config/{s}"), 422, 42205, msg)
    # reads work; other subjects are writable
    assert reg.versions(s) == [1] and reg.version(s, 1)["id"] == sid
    reg.register(other, uniq(A))
    # the third-party client gets the error too
    from confluent_kafka.schema_registry import Schema
    from confluent_kafka.schema_registry.error import SchemaRegistryError

    with pytest.raises(SchemaRegistryError) as e:
        sr_client(reg).register_schema(s, Schema(json.dumps(uniq(A)), "AVRO"))
    assert e.value.error_code == 42205 and e.value.http_status_code == 422
    # back to READWRITE
    reg.ok(reg.put(f"/mode/{s}", {"mode": "READWRITE"}))
    reg.register(s, uniq(A))
    assert reg.versions(s) == [1, 2]


def test_subject_soft_delete_drops_its_mode(reg):
    s = unique_subject()
    reg.register(s, uniq(A))
    reg.ok(reg.put(f"/mode/{s}", {"mode": "READWRITE"}))
    assert reg.delete(f"/subjects/{s}/versions/1").status_code == 200
    assert_error(reg.get(f"/mode/{s}"), 404, 40409)


def test_import_subject(reg):
    s = unique_subject()
    # not IMPORT yet: an explicit id is refused
    assert_error(reg.register_raw(s, uniq(A), id=1), 422, 42205, f"Subject {s} is not in import mode")
    reg.register(s, uniq(A))
    # a subject with schemas cannot change to IMPORT unless forced
    assert_error(
        reg.put(f"/mode/{s}", {"mode": "IMPORT"}), 422, 42205, "Cannot import since found existing subjects"
    )
    assert reg.ok(reg.put(f"/mode/{s}?force=true", {"mode": "IMPORT"})) == {"mode": "IMPORT"}
    assert reg.ok(reg.get(f"/mode/{s}")) == {"mode": "IMPORT"}

    t = unique_subject()
    reg.register(t, uniq(A))
    assert reg.delete(f"/subjects/{t}").status_code == 200  # soft-deleted only: allowed
    assert reg.ok(reg.put(f"/mode/{t}", {"mode": "IMPORT"})) == {"mode": "IMPORT"}
    assert_error(reg.get(f"/subjects/{t}/versions?deleted=true"), 404, 40401)  # deleted for good

    max_id = max(e["id"] for e in reg.ok(reg.get("/schemas?deleted=true")))
    want = max_id + 1000
    imported = uniq(A)
    assert reg.register(t, imported, id=want, version=7) == want
    v = reg.version(t, 7)
    assert (v["id"], json.loads(v["schema"])) == (want, imported)
    assert reg.versions(t) == [7]
    assert json.loads(reg.schema_by_id(want)["schema"]) == imported
    # the same again: the same id, nothing new
    assert reg.register(t, imported, id=want, version=7) == want
    # an id that holds another schema cannot be overwritten
    assert_error(
        reg.register_raw(t, uniq(A), id=want, version=8),
        422,
        42205,
        f"Overwrite new schema with id {want} is not permitted.",
    )
    # IMPORT takes no registration without an id; no compatibility check either
    assert_error(reg.register_raw(t, uniq(A)), 422, 42205, f"Subject {t} is not in read-write mode")
    assert reg.register(t, uniq(A_STRING), id=want + 1, version=3) == want + 1
    assert reg.versions(t) == [3, 7]
    # back to READWRITE: new ids go on after the imported ones
    reg.ok(reg.delete(f"/mode/{t}"))
    reg.set_config("NONE", t)
    assert reg.register(t, uniq(A)) > want + 1
    assert reg.versions(t) == [3, 7, 8]


# --------------------------------------------------------------------------------------------
# The global mode, persistence, two instances


def test_global_mode_readonly_and_import(fresh):
    r = fresh()
    s = unique_subject()
    r.set_config("NONE")
    sid = r.register(s, uniq(A))
    assert r.ok(r.put("/mode", {"mode": "READONLY"})) == {"mode": "READONLY"}
    assert r.ok(r.get("/mode")) == {"mode": "READONLY"}
    assert r.ok(r.get(f"/mode/{s}?defaultToGlobal=true")) == {"mode": "READONLY"}
    assert_error(r.register_raw(unique_subject(), uniq(A)), 422, 42205)
    assert_error(r.put("/config", {"compatibility": "NONE"}), 422, 42205, RO_MSG.format("null"))
    # a subject's own mode wins over the global one
    r.ok(r.put(f"/mode/{s}", {"mode": "READWRITE"}))
    assert r.register(s, uniq(A_STRING)) > sid
    r.ok(r.delete(f"/mode/{s}"))
    assert_error(r.register_raw(s, uniq(A)), 422, 42205, RO_MSG.format(s))
    r.ok(r.put("/mode", {"mode": "READWRITE"}))
    # IMPORT on a registry with live subjects needs force
    assert_error(r.put("/mode", {"mode": "IMPORT"}), 422, 42205, "Cannot import since found existing subjects")
    assert r.ok(r.put("/mode?force=true", {"mode": "IMPORT"})) == {"mode": "IMPORT"}
    assert r.version(s, 1)["id"] == sid  # forced: nothing deleted
    r.ok(r.put("/mode", {"mode": "READWRITE"}))
    # an empty registry changes to IMPORT without force
    e = fresh()
    assert e.ok(e.put("/mode", {"mode": "IMPORT"})) == {"mode": "IMPORT"}
    assert e.register(unique_subject(), uniq(A), id=42, version=1) == 42


def test_modes_persist_and_reach_other_instances(fresh):
    r1 = fresh()
    r2 = fresh(r1.topic)
    s, t = unique_subject(), unique_subject()
    r1.register(s, uniq(A))
    r1.ok(r1.put(f"/mode/{s}", {"mode": "READONLY"}))
    r1.ok(r1.put(f"/mode/{t}", {"mode": "IMPORT"}))
    wait_for(lambda: r2.get(f"/mode/{s}").status_code == 200, 10, "r2 to see the mode")
    assert r2.ok(r2.get(f"/mode/{s}")) == {"mode": "READONLY"}
    assert_error(r2.register_raw(s, uniq(A)), 422, 42205, RO_MSG.format(s))
    # in the topic as Confluent writes it
    recs = [(json.loads(k), v and json.loads(v)) for k, v in read_log(r1.topic)]
    assert ({"keytype": "MODE", "subject": s, "magic": 0}, {"subject": s, "mode": "READONLY"}) in recs
    # a restart keeps them
    assert r1.krest.stop() == 0
    assert r2.krest.stop() == 0
    r3 = fresh(r1.topic)
    assert r3.ok(r3.get(f"/mode/{s}")) == {"mode": "READONLY"}
    assert r3.ok(r3.get(f"/mode/{t}")) == {"mode": "IMPORT"}
    assert r3.ok(r3.get("/mode")) == {"mode": "READWRITE"}
    assert_error(r3.register_raw(s, uniq(A)), 422, 42205)


# --------------------------------------------------------------------------------------------
# Avro produce to a missing topic registers nothing


def test_avro_produce_to_missing_topic_registers_nothing(fresh):
    env = start_avro_env(fresh, "--krest.topic.auto.create=false")
    schema = uniq(A)
    body = {"value_schema": json.dumps(schema), "key_schema": '"string"',
            "records": [{"key": "k", "value": {"a": 1}}]}
    for ctype in (AVRO2, AVRO1):
        topic = f"krest-missing-{uuid.uuid4().hex[:10]}"
        assert_error(post_avro(env.k, topic, body, ctype=ctype), 404, 40401)
        for side in ("value", "key"):
            assert_error(env.reg.get(f"/subjects/{topic}-{side}/versions?deleted=true"), 404, 40401)
        assert env.reg.ok(env.reg.get(f"/schemas?subjectPrefix={topic}&deleted=true")) == []
