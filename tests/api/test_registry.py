"""The built-in Schema Registry (issue 6, docs/schema-registry.md): Confluent Schema Registry's
API, checked over HTTP, with confluent-kafka's SchemaRegistryClient and AvroSerializer, and
against its storage topic read and written with plain Kafka clients."""

import json
import struct
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import (
    assert_error,
    create_topic,
    media_type,
    registry_client_conf,
    topic_configs,
    topic_meta,
)
from registry_helpers import (  # noqa: F401 (fixtures: registries, reg, fresh)
    fresh,
    reg,
    registries,
    read_log,
    INVALID_LEVEL_MSG,
    INVALID_VERSION_MSG,
    JSON,
    SR,
    SR1,
    produce_json_records,
    record,
    uniq,
    unique_schemas_topic,
    unique_subject,
    wait_for,
)

def subj():
    return unique_subject()


A = record("A", [("a", "int")])
A_B_DEFAULT = record("A", [("a", "int"), {"name": "b", "type": "string", "default": "x"}])
A_B_REQUIRED = record("A", [("a", "int"), ("b", "string")])
A_STRING = record("A", [("a", "string")])


# --------------------------------------------------------------------------------------------
# Root, types, mode, content types, routing


def test_root(reg):
    r = reg.get("/")
    assert r.status_code == 200, r.text
    assert r.json() == {}


def test_schema_types(reg):
    r = reg.get("/schemas/types")
    assert reg.ok(r) == ["AVRO"]


def test_mode(reg):
    assert reg.ok(reg.get("/mode")) == {"mode": "READWRITE"}


@pytest.mark.parametrize(
    "accept,want",
    [(None, SR1), ("*/*", SR1), (SR1, SR1), (SR, SR), (JSON, JSON), (f"{SR1}, {SR}, {JSON}", SR1)],
)
def test_response_content_type(reg, accept, want):
    h = {"Accept": accept} if accept else {}
    r = requests.get(reg.url + "/subjects", headers=h, timeout=10)
    assert r.status_code == 200, r.text
    assert media_type(r) == want, r.headers.get("Content-Type")


@pytest.mark.parametrize("ctype", [SR1, SR, JSON, "application/octet-stream"])
def test_request_content_types_accepted(reg, ctype):
    s = subj()
    r = reg.post(f"/subjects/{s}/versions", {"schema": json.dumps(A)}, ctype=ctype)
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"id"}


def test_request_content_type_unsupported(reg):
    s = subj()
    r = reg.post(f"/subjects/{s}/versions", {"schema": json.dumps(A)}, ctype="text/plain")
    assert_error(r, 415)
    reg.not_listed(s)


def test_unknown_path_and_method(reg):
    assert_error(reg.get("/nosuchthing"), 404)
    assert_error(reg.request("PATCH", "/subjects"), 405)
    assert_error(reg.put("/schemas/types", {"x": 1}), 405)


def test_error_content_type(reg):
    r = reg.get(f"/subjects/{subj()}/versions")
    assert_error(r, 404, 40401)
    assert media_type(r) in (SR1, JSON), r.headers.get("Content-Type")


# --------------------------------------------------------------------------------------------
# Register, get by version, get by id: exact shapes


def test_register_and_read_back_shapes(reg):
    s = subj()
    A = uniq(globals()["A"])
    sid = reg.register(s, A)
    r = reg.get(f"/subjects/{s}/versions/1")
    body = reg.ok(r)
    assert list(body) == ["subject", "version", "id", "schema"], body
    assert body["subject"] == s and body["version"] == 1 and body["id"] == sid
    assert type(body["schema"]) is str and json.loads(body["schema"]) == A
    # no whitespace outside strings: the stored form is compact JSON
    assert ": " not in body["schema"] and ", " not in body["schema"] and "\n" not in body["schema"]

    by_id = reg.schema_by_id(sid)
    assert by_id == {"schema": body["schema"]}, by_id

    assert reg.ok(reg.get(f"/schemas/ids/{sid}?subject={s}")) == {"schema": body["schema"]}

    mx = reg.ok(reg.get(f"/schemas/ids/{sid}?fetchMaxId=true"))
    assert set(mx) == {"schema", "maxId"} and type(mx["maxId"]) is int and mx["maxId"] >= sid, mx

    assert reg.ok(reg.get(f"/schemas/ids/{sid}/versions")) == [{"subject": s, "version": 1}]

    raw = reg.get(f"/subjects/{s}/versions/1/schema")
    assert raw.status_code == 200, raw.text
    assert json.loads(raw.text) == A
    assert reg.versions(s) == [1]
    assert s in reg.subjects()


@pytest.mark.parametrize("v", ["latest", "LATEST", "-1", " latest"])
def test_latest_aliases(reg, v):
    s = subj()
    reg.register(s, A)
    sid2 = reg.register(s, A_B_DEFAULT)
    r = reg.get(f"/subjects/{s}/versions/{requests.utils.quote(v)}")
    body = reg.ok(r)
    assert body["version"] == 2 and body["id"] == sid2 and body["subject"] == s, body
    raw = reg.get(f"/subjects/{s}/versions/{requests.utils.quote(v)}/schema")
    assert raw.status_code == 200 and json.loads(raw.text) == A_B_DEFAULT


def test_primitive_schema(reg):
    s = subj()
    sid = reg.register(s, '"string"')
    body = reg.version(s, 1)
    assert json.loads(body["schema"]) == "string"
    assert json.loads(reg.schema_by_id(sid)["schema"]) == "string"


def test_ids_are_global_and_increasing(reg):
    s1, s2 = subj(), subj()
    i1 = reg.register(s1, record("X1", [("x", "int")]))
    i2 = reg.register(s2, record("X2", [("x", "int")]))
    i3 = reg.register(s1, record("X1", [("x", "int"), {"name": "y", "type": "int", "default": 0}]))
    assert i1 < i2 < i3, (i1, i2, i3)
    assert reg.version(s1, 2)["id"] == i3


def test_subjects_sorted(reg):
    base = uuid.uuid4().hex[:8]
    names = [f"zz-{base}-c", f"zz-{base}-a", f"zz-{base}-b"]
    for n in names:
        reg.register(n, A)
    got = [x for x in reg.subjects() if x.startswith(f"zz-{base}")]
    assert got == sorted(names)
    allsubs = reg.subjects()
    assert allsubs == sorted(allsubs)


def test_subject_with_special_characters(reg):
    s = f"weird.subject_{uuid.uuid4().hex[:6]}-value"
    sid = reg.register(s, A)
    assert reg.version(s, 1)["id"] == sid
    assert s in reg.subjects()


# --------------------------------------------------------------------------------------------
# Duplicates


def test_same_schema_again_same_id_and_version(reg):
    s = subj()
    sid = reg.register(s, A)
    assert reg.register(s, A) == sid
    assert reg.versions(s) == [1]


@pytest.mark.parametrize(
    "variant",
    [
        '{"type":"record","name":"A","fields":[{"name":"a","type":"int"}]}',
        '{ "type" : "record" ,\n "name" : "A" ,\t"fields" : [ { "name" : "a" , "type" : "int" } ] }',
        '{"fields":[{"type":"int","name":"a"}],"name":"A","type":"record"}',
        '  {"name":"A","type":"record","fields":[{"name":"a","type":"int"}]}\n',
    ],
    ids=["compact", "whitespace", "key-order", "outer-space"],
)
def test_whitespace_and_key_order_are_the_same_schema(reg, variant):
    s = subj()
    sid = reg.register(s, A)
    assert reg.register(s, variant) == sid
    assert reg.versions(s) == [1]
    # and a look-up with the variant finds version 1
    body = reg.ok(reg.post(f"/subjects/{s}", {"schema": variant}))
    assert body["version"] == 1 and body["id"] == sid


@pytest.mark.parametrize(
    "changed",
    [
        A_B_DEFAULT,
        record("A", [{"name": "a", "type": "int", "default": 0}]),
        record("A", [{"name": "a", "type": "int", "doc": "the a"}]),
        record("A", [("a", "int")], doc="a record"),
        record("A", [{"name": "a", "type": "int", "aliases": ["aa"]}]),
        record("A", [("a", "int")], aliases=["OldA"]),
        record("A", [{"name": "a", "type": {"type": "int", "logicalType": "date"}}]),
    ],
    ids=["new-field-default", "default", "field-doc", "record-doc", "field-alias", "record-alias", "logical"],
)
def test_semantic_changes_make_new_versions(reg, changed):
    s = subj()
    reg.set_config("NONE", s)
    sid = reg.register(s, A)
    sid2 = reg.register(s, changed)
    assert sid2 != sid
    assert reg.versions(s) == [1, 2]
    assert json.loads(reg.version(s, 2)["schema"]) == changed


def test_same_schema_other_subject_same_id(reg):
    s1, s2 = subj(), subj()
    A = uniq(globals()["A"])
    reg.set_config("NONE", s1)  # a record of another name is incompatible under BACKWARD
    reg.register(s1, record("Other", [("o", "long")]))
    sid = reg.register(s1, A)
    assert reg.versions(s1) == [1, 2]
    assert reg.register(s2, A) == sid
    assert reg.versions(s2) == [1]
    body = reg.version(s2, 1)
    assert body["id"] == sid and body["version"] == 1
    vs = reg.ok(reg.get(f"/schemas/ids/{sid}/versions"))
    assert sorted((x["subject"], x["version"]) for x in vs) == sorted([(s1, 2), (s2, 1)])
    assert vs == sorted(vs, key=lambda x: (x["subject"], x["version"]))  # krest's order


def test_registering_older_version_again_returns_it(reg):
    s = subj()
    i1 = reg.register(s, A)
    i2 = reg.register(s, A_B_DEFAULT)
    assert reg.register(s, A) == i1
    assert reg.versions(s) == [1, 2]
    assert reg.version(s, "latest")["id"] == i2


# --------------------------------------------------------------------------------------------
# Look-up (POST /subjects/{s})


def test_lookup(reg):
    s = subj()
    sid = reg.register(s, A)
    reg.register(s, A_B_DEFAULT)
    body = reg.ok(reg.post(f"/subjects/{s}", {"schema": json.dumps(A)}))
    assert list(body) == ["subject", "version", "id", "schema"], body
    assert body["subject"] == s and body["version"] == 1 and body["id"] == sid
    assert json.loads(body["schema"]) == A
    # unknown fields and query parameters are ignored
    body2 = reg.ok(
        reg.post(f"/subjects/{s}?normalize=False&deleted=False&whatever=1", {"schema": json.dumps(A), "extra": 1})
    )
    assert body2 == body


def test_lookup_errors(reg):
    s = subj()
    reg.register(s, A)
    b = assert_error(reg.post(f"/subjects/{s}", {"schema": json.dumps(A_STRING)}), 404, 40403)
    assert b["message"] == "Schema not found"
    u = subj()
    b = assert_error(reg.post(f"/subjects/{u}", {"schema": json.dumps(A)}), 404, 40401)
    assert b["message"] == f"Subject '{u}' not found."
    assert_error(reg.post(f"/subjects/{s}", {"schema": '{"type":"nosuchtype"}'}), 422, 42201)
    assert_error(reg.post(f"/subjects/{s}", "{not json"), 400, 400)


def test_lookup_soft_deleted(reg):
    s = subj()
    sid = reg.register(s, A)
    reg.register(s, A_B_DEFAULT)
    assert reg.ok(reg.delete(f"/subjects/{s}/versions/1")) == 1
    assert_error(reg.post(f"/subjects/{s}", {"schema": json.dumps(A)}), 404, 40403)
    body = reg.ok(reg.post(f"/subjects/{s}?deleted=true", {"schema": json.dumps(A)}))
    assert body["version"] == 1 and body["id"] == sid


# --------------------------------------------------------------------------------------------
# Not found, bad versions


def test_not_found_messages(reg):
    s = subj()
    sid = reg.register(s, A)
    u = subj()
    b = assert_error(reg.get(f"/subjects/{u}/versions"), 404, 40401)
    assert b["message"] == f"Subject '{u}' not found."
    b = assert_error(reg.get(f"/subjects/{u}/versions/1"), 404, 40401)
    assert b["message"] == f"Subject '{u}' not found."
    assert_error(reg.get(f"/subjects/{u}/versions/latest"), 404, 40401)
    b = assert_error(reg.get(f"/subjects/{s}/versions/7"), 404, 40402)
    assert b["message"] == "Version 7 not found."
    assert_error(reg.get(f"/subjects/{s}/versions/7/schema"), 404, 40402)
    missing = sid + 1000000
    b = assert_error(reg.get(f"/schemas/ids/{missing}"), 404, 40403)
    assert b["message"] == f"Schema {missing} not found"
    b = assert_error(reg.get(f"/schemas/ids/{missing}/versions"), 404, 40403)
    assert b["message"] == "Schema not found"
    assert_error(reg.get("/schemas/ids/notanumber"), 404)
    assert_error(reg.delete(f"/subjects/{u}"), 404, 40401)
    assert_error(reg.delete(f"/subjects/{u}/versions/1"), 404, 40401)
    b = assert_error(reg.delete(f"/subjects/{s}/versions/9"), 404, 40402)
    assert b["message"] == "Version 9 not found."


BAD_VERSIONS = ["0", "-2", "abc", "1.5", "2147483648", "99999999999", "-2147483649", "1e3", "0x1"]


@pytest.mark.parametrize("v", BAD_VERSIONS)
@pytest.mark.parametrize(
    "method,tmpl,body",
    [
        ("GET", "/subjects/{s}/versions/{v}", None),
        ("GET", "/subjects/{s}/versions/{v}/schema", None),
        ("DELETE", "/subjects/{s}/versions/{v}", None),
        ("POST", "/compatibility/subjects/{s}/versions/{v}", {"schema": json.dumps(A)}),
    ],
    ids=["get", "get-schema", "delete", "compat"],
)
def test_invalid_version(reg, v, method, tmpl, body):
    s = subj()
    reg.register(s, A)
    r = reg.request(method, tmpl.format(s=s, v=v), body)
    b = assert_error(r, 422, 42202)
    assert b["message"] == INVALID_VERSION_MSG.format(v), b
    assert reg.versions(s) == [1]


def test_invalid_version_checked_before_subject(reg):
    assert_error(reg.get(f"/subjects/{subj()}/versions/0"), 422, 42202)


def test_max_int_version_is_valid_but_absent(reg):
    s = subj()
    reg.register(s, A)
    b = assert_error(reg.get(f"/subjects/{s}/versions/2147483647"), 404, 40402)
    assert b["message"] == "Version 2147483647 not found."


# --------------------------------------------------------------------------------------------
# Bad input on register: a JSON error each, nothing stored

INVALID_AVRO = {
    "not-json-in-schema": "{not json",
    "unknown-type": '{"type":"nosuchtype"}',
    "unknown-name": '"NoSuchNamedType"',
    "record-no-name": '{"type":"record","fields":[{"name":"a","type":"int"}]}',
    "record-no-fields": '{"type":"record","name":"R"}',
    "field-no-type": '{"type":"record","name":"R","fields":[{"name":"a"}]}',
    "field-no-name": '{"type":"record","name":"R","fields":[{"type":"int"}]}',
    "bad-name": '{"type":"record","name":"1abc","fields":[{"name":"a","type":"int"}]}',
    "bad-field-name": '{"type":"record","name":"R","fields":[{"name":"a-b","type":"int"}]}',
    "dup-field": '{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"long"}]}',
    "enum-no-symbols": '{"type":"enum","name":"E"}',
    "enum-dup-symbols": '{"type":"enum","name":"E","symbols":["A","A"]}',
    "enum-bad-symbol": '{"type":"enum","name":"E","symbols":["A-1"]}',
    "fixed-no-size": '{"type":"fixed","name":"F"}',
    "array-no-items": '{"type":"array"}',
    "map-no-values": '{"type":"map"}',
    "union-dup": '["int","int"]',
    "union-nested": '["int",["null","string"]]',
    "redefined-name": '{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"R","fields":[]}}]}',
    "number": "42",
    "empty-object": "{}",
}


@pytest.mark.parametrize("name", sorted(INVALID_AVRO))
def test_register_invalid_avro(reg, name):
    s = subj()
    r = reg.register_raw(s, INVALID_AVRO[name])
    b = assert_error(r, 422, 42201)
    assert b["message"].startswith("Invalid schema") or "schema" in b["message"].lower(), b
    reg.not_listed(s)


def test_register_invalid_avro_keeps_existing(reg):
    s = subj()
    sid = reg.register(s, A)
    assert_error(reg.register_raw(s, INVALID_AVRO["unknown-type"]), 422, 42201)
    assert reg.versions(s) == [1]
    assert reg.version(s, "latest")["id"] == sid


@pytest.mark.parametrize(
    "body",
    [
        "{",
        "not json at all",
        '{"schema": "\\"string\\""',  # truncated
        '{"schema": }',
    ],
    ids=["brace", "text", "truncated", "missing-value"],
)
def test_register_unparsable_json(reg, body):
    s = subj()
    b = assert_error(reg.post(f"/subjects/{s}/versions", body), 400, 400)
    assert b["message"]
    reg.not_listed(s)


@pytest.mark.parametrize(
    "body",
    ['["a"]', '{"schema": {"type": "string"}}', '{"schema": ["int"]}', '"just a string"'],
    ids=["array-body", "schema-object", "schema-array", "string-body"],
)
def test_register_wrong_json_types(reg, body):
    """Jackson cannot map these onto the request entity: rest-utils answers 400/400."""
    s = subj()
    assert_error(reg.post(f"/subjects/{s}/versions", body), 400, 400)
    reg.not_listed(s)


@pytest.mark.parametrize("body", ["", "{}", '{"schema": ""}', '{"schema": null}', '{"schema": "   "}'])
def test_register_empty(reg, body):
    s = subj()
    r = reg.post(f"/subjects/{s}/versions", body if body else b"")
    if body:
        # a body that parses: Confluent's "Empty schema", 42201
        assert_error(r, 422, 42201)
    else:
        # no body: 422/422 in Confluent (@NotNull), 400/400 allowed (docs section 9)
        assert r.status_code in (400, 422), r.text
        assert_error(r, r.status_code)
    reg.not_listed(s)


@pytest.mark.parametrize("stype", ["JSON", "PROTOBUF", "XML"])
def test_register_other_schema_types(reg, stype):
    s = subj()
    schema = '{"type":"object"}' if stype == "JSON" else 'syntax = "proto3"; message M { int32 a = 1; }'
    r = reg.post(f"/subjects/{s}/versions", {"schema": schema, "schemaType": stype})
    b = assert_error(r, 422, 42201)
    assert stype in b["message"], b
    reg.not_listed(s)


def test_register_explicit_avro_type_and_unknown_fields(reg):
    s = subj()
    r = reg.post(
        f"/subjects/{s}/versions?normalize=False&unknownparam=1",
        {"schema": json.dumps(A), "schemaType": "AVRO", "references": [], "somethingElse": {"x": 1}},
    )
    sid = reg.ok(r)["id"]
    body = reg.version(s, 1)
    assert "schemaType" not in body and body["id"] == sid


def test_register_oversized(reg):
    s = subj()
    # a valid record of ~2 MB: over the 1 MiB limit of docs/schema-registry.md section 9
    fields = [{"name": f"f{i:06d}", "type": "string", "doc": "x" * 40} for i in range(30000)]
    schema = json.dumps(record("Big", fields))
    assert len(schema) > 2_000_000
    r = reg.post(f"/subjects/{s}/versions", {"schema": schema}, timeout=60)
    assert (r.status_code, r.json().get("error_code")) in ((422, 42209), (413, 413)), r.text[:300]
    assert set(r.json()) == {"error_code", "message"}
    reg.not_listed(s)


def test_register_moderate_size_ok(reg):
    s = subj()
    fields = [{"name": f"f{i:05d}", "type": "long", "default": 0} for i in range(3000)]
    schema = record("Medium", fields)
    assert len(json.dumps(schema)) > 100_000
    sid = reg.register(s, schema)
    assert json.loads(reg.schema_by_id(sid)["schema"]) == schema


# --------------------------------------------------------------------------------------------
# Config


def test_global_config(fresh):
    r = fresh()
    assert r.ok(r.get("/config")) == {"compatibilityLevel": "BACKWARD"}
    assert r.ok(r.put("/config", {"compatibility": "FULL"})) == {"compatibility": "FULL"}
    assert r.ok(r.get("/config")) == {"compatibilityLevel": "FULL"}
    # lower case accepted, stored upper case
    r.ok(r.put("/config", {"compatibility": "forward_transitive"}))
    assert r.ok(r.get("/config")) == {"compatibilityLevel": "FORWARD_TRANSITIVE"}
    b = assert_error(r.put("/config", {"compatibility": "SIDEWAYS"}), 422, 42203)
    assert b["message"] == INVALID_LEVEL_MSG
    assert_error(r.put("/config", "{"), 400, 400)
    assert r.ok(r.get("/config")) == {"compatibilityLevel": "FORWARD_TRANSITIVE"}
    assert r.ok(r.delete("/config")) == {"compatibilityLevel": "FORWARD_TRANSITIVE"}
    assert r.ok(r.get("/config")) == {"compatibilityLevel": "BACKWARD"}
    # the global level applies to subjects without their own
    s = subj()
    r.set_config("FULL")
    r.register(s, A)
    assert_error(r.register_raw(s, A_STRING), 409, 409)
    r.set_config("NONE")
    r.register(s, A_STRING)
    assert r.versions(s) == [1, 2]


def test_subject_config(reg):
    s = subj()
    b = assert_error(reg.get(f"/config/{s}"), 404, 40408)
    assert b["message"] == f"Subject '{s}' does not have subject-level compatibility configured"
    assert reg.ok(reg.get(f"/config/{s}?defaultToGlobal=true")) == reg.ok(reg.get("/config"))
    assert reg.ok(reg.get(f"/config/{s}?defaultToGlobal=True")) == reg.ok(reg.get("/config"))
    # a subject without schemas can have a config
    assert reg.ok(reg.put(f"/config/{s}", {"compatibility": "FORWARD"})) == {"compatibility": "FORWARD"}
    assert reg.ok(reg.get(f"/config/{s}")) == {"compatibilityLevel": "FORWARD"}
    assert reg.ok(reg.get(f"/config/{s}?defaultToGlobal=true")) == {"compatibilityLevel": "FORWARD"}
    assert s not in reg.subjects()
    b = assert_error(reg.put(f"/config/{s}", {"compatibility": "BACKWARDS"}), 422, 42203)
    assert b["message"] == INVALID_LEVEL_MSG
    assert reg.get_config(s) == "FORWARD"
    reg.ok(reg.put(f"/config/{s}", {"compatibility": "none", "unknownField": 1}))
    assert reg.get_config(s) == "NONE"
    assert reg.ok(reg.delete(f"/config/{s}")) == {"compatibilityLevel": "NONE"}
    assert_error(reg.get(f"/config/{s}"), 404, 40408)
    b = assert_error(reg.delete(f"/config/{s}"), 404, 40401)
    assert b["message"] == f"Subject '{s}' not found."


@pytest.mark.parametrize("level", ["NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD",
                                   "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE"])
def test_subject_config_every_level(reg, level):
    s = subj()
    reg.set_config(level, s)
    assert reg.get_config(s) == level


def test_subject_config_overrides_global(reg):
    s = subj()
    reg.set_config("NONE", s)
    reg.register(s, A)
    reg.register(s, A_STRING)  # incompatible under the global BACKWARD, fine under NONE
    reg.set_config("BACKWARD", s)
    r = reg.register_raw(s, record("A", [("a", "boolean")]))
    b = assert_error(r, 409, 409)
    assert b["message"].startswith(
        f'Schema being registered is incompatible with an earlier schema for subject "{s}"'
    ), b
    assert "TYPE_MISMATCH" in b["message"], b
    assert reg.versions(s) == [1, 2]


def test_incompatible_message_names_the_field(reg):
    s = subj()
    reg.set_config("BACKWARD", s)
    reg.register(s, A)
    b = assert_error(reg.register_raw(s, A_B_REQUIRED), 409, 409)
    assert "READER_FIELD_MISSING_DEFAULT_VALUE" in b["message"], b
    assert "'b'" in b["message"], b
    assert reg.versions(s) == [1]


# --------------------------------------------------------------------------------------------
# POST /compatibility


def test_compatibility_endpoint(reg):
    s = subj()
    reg.set_config("BACKWARD", s)
    reg.register(s, A)
    assert reg.check(s, A_B_DEFAULT) == {"is_compatible": True}
    assert reg.check(s, A_B_REQUIRED) == {"is_compatible": False}
    assert reg.check(s, A_B_DEFAULT, verbose=True) == {"is_compatible": True, "messages": []}
    v = reg.check(s, A_B_REQUIRED, verbose=True)
    assert list(v) == ["is_compatible", "messages"] and v["is_compatible"] is False, v
    assert any("READER_FIELD_MISSING_DEFAULT_VALUE" in m for m in v["messages"]), v
    assert reg.check(s, A_B_REQUIRED, version="1") == {"is_compatible": False}
    assert reg.check(s, A_B_REQUIRED, version="-1") == {"is_compatible": False}
    assert reg.check(s, A_B_DEFAULT, version="1") == {"is_compatible": True}
    # verbose=false spelled out, and a query the client library sends
    r = reg.post(f"/compatibility/subjects/{s}/versions/latest?verbose=False", {"schema": json.dumps(A_B_REQUIRED)})
    assert reg.ok(r) == {"is_compatible": False}
    # nothing registered by a check
    assert reg.versions(s) == [1]


def test_compatibility_endpoint_errors(reg):
    s = subj()
    reg.register(s, A)
    b = assert_error(reg.post(f"/compatibility/subjects/{s}/versions/5", {"schema": json.dumps(A)}), 404, 40402)
    assert b["message"] == "Version 5 not found."
    assert_error(
        reg.post(f"/compatibility/subjects/{s}/versions/latest", {"schema": '{"type":"nosuchtype"}'}), 422, 42201
    )
    assert_error(reg.post(f"/compatibility/subjects/{s}/versions/latest", "{"), 400, 400)
    # unknown subject with latest: nothing to compare with
    u = subj()
    assert reg.check(u, A) == {"is_compatible": True}
    assert_error(reg.post(f"/compatibility/subjects/{u}/versions/1", {"schema": json.dumps(A)}), 404, 40402)
    reg.not_listed(u)


def test_compatibility_endpoint_uses_subject_level(reg):
    s = subj()
    reg.set_config("NONE", s)
    reg.register(s, A)
    assert reg.check(s, A_STRING) == {"is_compatible": True}
    reg.set_config("FULL", s)
    assert reg.check(s, A_STRING) == {"is_compatible": False}
    assert reg.check(s, A_B_DEFAULT) == {"is_compatible": True}


def test_compatibility_endpoint_ignores_deleted_latest(reg):
    s = subj()
    reg.set_config("NONE", s)
    reg.register(s, A)
    reg.register(s, A_STRING)
    reg.set_config("BACKWARD", s)
    # a boolean field is incompatible with both; a long field is compatible with v1 (int->long)
    assert reg.check(s, record("A", [("a", "long")])) == {"is_compatible": False}
    assert reg.ok(reg.delete(f"/subjects/{s}/versions/2")) == 2
    assert reg.check(s, record("A", [("a", "long")])) == {"is_compatible": True}
    assert_error(reg.post(f"/compatibility/subjects/{s}/versions/2", {"schema": json.dumps(A)}), 404, 40402)


# --------------------------------------------------------------------------------------------
# Soft and permanent deletes


def test_delete_version_soft_then_permanent(reg):
    s = subj()
    A, A_STRING, A_B_DEFAULT = (uniq(x) for x in (globals()["A"], globals()["A_STRING"], globals()["A_B_DEFAULT"]))
    reg.set_config("NONE", s)
    i1 = reg.register(s, A)
    i2 = reg.register(s, A_STRING)
    i3 = reg.register(s, A_B_DEFAULT)
    r = reg.delete(f"/subjects/{s}/versions/2")
    assert reg.ok(r) == 2 and r.text.strip() == "2"
    assert reg.versions(s) == [1, 3]
    assert reg.versions(s, deleted=True) == [1, 2, 3]
    assert_error(reg.get(f"/subjects/{s}/versions/2"), 404, 40402)
    assert reg.version(s, 2, deleted=True)["id"] == i2
    # still served by id, and the id's versions show it only with deleted=true
    assert json.loads(reg.schema_by_id(i2)["schema"]) == A_STRING
    assert reg.ok(reg.get(f"/schemas/ids/{i2}/versions")) == []
    assert reg.ok(reg.get(f"/schemas/ids/{i2}/versions?deleted=true")) == [{"subject": s, "version": 2}]
    b = assert_error(reg.delete(f"/subjects/{s}/versions/2"), 404, 40406)
    assert b["message"] == f"Subject '{s}' Version 2 was soft deleted.Set permanent=true to delete permanently"
    b = assert_error(reg.delete(f"/subjects/{s}/versions/3?permanent=true"), 404, 40407)
    assert b["message"] == f"Subject '{s}' Version 3 was not deleted first before being permanently deleted"
    assert reg.ok(reg.delete(f"/subjects/{s}/versions/2?permanent=true")) == 2
    assert reg.versions(s, deleted=True) == [1, 3]
    assert_error(reg.get(f"/subjects/{s}/versions/2?deleted=true"), 404, 40402)
    assert_error(reg.delete(f"/subjects/{s}/versions/2?permanent=true"), 404, 40402)
    # latest is the highest non-deleted version
    assert reg.version(s, "latest")["id"] == i3
    assert reg.ok(reg.delete(f"/subjects/{s}/versions/latest")) == 3
    assert reg.version(s, "latest")["id"] == i1
    assert reg.versions(s) == [1]
    # a new version continues after the highest ever used
    i4 = reg.register(s, record("A", [("a", "double")]))
    assert reg.version(s, "latest")["version"] == 4 and reg.version(s, 4)["id"] == i4


def test_delete_last_version_hides_subject(reg):
    s = subj()
    reg.register(s, A)
    assert reg.ok(reg.delete(f"/subjects/{s}/versions/1")) == 1
    assert s not in reg.subjects()
    assert s in reg.subjects(deleted=True)
    assert_error(reg.get(f"/subjects/{s}/versions"), 404, 40401)
    assert reg.versions(s, deleted=True) == [1]
    assert_error(reg.get(f"/subjects/{s}/versions/latest"), 404, 40401)
    b = assert_error(reg.get(f"/subjects/{s}/versions/latest?deleted=true"), 404, 40402)
    assert b["message"] == "Version -1 not found."


def test_delete_subject(reg):
    s = subj()
    mine = record("Del" + uuid.uuid4().hex[:8], [("a", "int")])
    mine2 = dict(mine, fields=mine["fields"] + [{"name": "b", "type": "int", "default": 1}])
    reg.set_config("FULL", s)
    i1 = reg.register(s, mine)
    reg.register(s, mine2)
    b = assert_error(reg.delete(f"/subjects/{s}?permanent=true"), 404, 40405)
    assert b["message"] == f"Subject '{s}' was not deleted first before being permanently deleted"
    assert reg.ok(reg.delete(f"/subjects/{s}")) == [1, 2]
    assert s not in reg.subjects()
    assert s in reg.subjects(deleted=True)
    assert reg.subjects(deleted=True) == sorted(reg.subjects(deleted=True))
    assert_error(reg.get(f"/subjects/{s}/versions"), 404, 40401)
    assert reg.versions(s, deleted=True) == [1, 2]
    assert reg.version(s, 1, deleted=True)["id"] == i1
    assert json.loads(reg.schema_by_id(i1)["schema"]) == mine
    # the subject's config went with it
    assert_error(reg.get(f"/config/{s}"), 404, 40408)
    b = assert_error(reg.delete(f"/subjects/{s}"), 404, 40404)
    assert b["message"] == f"Subject '{s}' was soft deleted.Set permanent=true to delete permanently"
    assert reg.ok(reg.delete(f"/subjects/{s}?permanent=true")) == [1, 2]
    reg.not_listed(s)
    assert_error(reg.delete(f"/subjects/{s}?permanent=true"), 404, 40401)
    assert_error(reg.get(f"/schemas/ids/{i1}"), 404, 40403)


def test_delete_subject_partially_deleted(reg):
    s = subj()
    reg.set_config("NONE", s)
    reg.register(s, A)
    reg.register(s, A_STRING)
    reg.register(s, A_B_DEFAULT)
    assert reg.ok(reg.delete(f"/subjects/{s}/versions/2")) == 2
    assert reg.ok(reg.delete(f"/subjects/{s}")) == [1, 3]
    assert reg.ok(reg.delete(f"/subjects/{s}?permanent=True")) == [1, 2, 3]
    reg.not_listed(s)


def test_delete_version_removes_config_when_last(reg):
    s = subj()
    reg.set_config("FULL", s)
    reg.register(s, A)
    reg.register(s, A_B_DEFAULT)
    reg.delete(f"/subjects/{s}/versions/2")
    assert reg.get_config(s) == "FULL"
    reg.delete(f"/subjects/{s}/versions/1")
    assert_error(reg.get(f"/config/{s}"), 404, 40408)


def test_reregister_soft_deleted_schema(reg):
    s = subj()
    reg.set_config("NONE", s)
    i1 = reg.register(s, A)
    reg.register(s, A_STRING)
    assert reg.ok(reg.delete(f"/subjects/{s}/versions/1")) == 1
    # same id, a new version after the highest ever used
    assert reg.register(s, A) == i1
    assert reg.versions(s) == [2, 3]
    assert reg.version(s, 3)["id"] == i1
    assert reg.ok(reg.post(f"/subjects/{s}", {"schema": json.dumps(A)}))["version"] == 3


def test_reregister_soft_deleted_schema_tombstones_old_version(reg):
    """Confluent tombstones older soft-deleted versions of the subject that have the id it
    registers again (KafkaSchemaRegistry.register)."""
    s = subj()
    reg.set_config("NONE", s)
    i1 = reg.register(s, A)
    reg.register(s, A_STRING)
    reg.delete(f"/subjects/{s}/versions/1")
    assert reg.register(s, A) == i1
    assert reg.versions(s, deleted=True) == [2, 3]


def test_reregister_after_subject_soft_delete(reg):
    s = subj()
    i1 = reg.register(s, A)
    reg.register(s, A_B_DEFAULT)
    reg.delete(f"/subjects/{s}")
    assert reg.register(s, A) == i1
    assert reg.versions(s) == [3]
    assert s in reg.subjects()


def test_reregister_after_permanent_delete(reg):
    s = subj()
    mine = record("Perm" + uuid.uuid4().hex[:8], [("a", "int")])
    i1 = reg.register(s, mine)
    reg.delete(f"/subjects/{s}")
    reg.delete(f"/subjects/{s}?permanent=true")
    reg.not_listed(s)
    assert_error(reg.get(f"/schemas/ids/{i1}"), 404, 40403)
    # numbering restarts at 1; the schema gets a new id (Confluent forgets the old one once no
    # version holds it) and the old id is not reused
    i2 = reg.register(s, mine)
    assert i2 > i1
    assert reg.versions(s) == [1]
    assert_error(reg.get(f"/schemas/ids/{i1}"), 404, 40403)


def test_compatibility_ignores_deleted_versions(reg):
    s = subj()
    reg.set_config("FULL", s)
    reg.register(s, A)
    assert_error(reg.register_raw(s, A_STRING), 409, 409)
    reg.delete(f"/subjects/{s}/versions/1")
    reg.set_config("FULL", s)
    reg.register(s, A_STRING)
    assert reg.versions(s) == [2]


def test_query_booleans(reg):
    s = subj()
    reg.register(s, A)
    reg.register(s, A_B_DEFAULT)
    reg.delete(f"/subjects/{s}/versions/1")
    for t in ("true", "True", "TRUE"):
        assert reg.ok(reg.get(f"/subjects/{s}/versions?deleted={t}")) == [1, 2]
    for f in ("false", "False", "0", "yes", ""):
        assert reg.ok(reg.get(f"/subjects/{s}/versions?deleted={f}")) == [2]
    # what confluent-kafka sends for get_versions
    q = "deleted=False&deleted_only=False&offset=0&limit=-1"
    assert reg.ok(reg.get(f"/subjects/{s}/versions?{q}")) == [2]
    assert s in reg.ok(reg.get(f"/subjects?{q}"))


# --------------------------------------------------------------------------------------------
# confluent-kafka's SchemaRegistryClient and AvroSerializer


def test_client_library(reg):
    from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
    from confluent_kafka.schema_registry.error import SchemaRegistryError

    c = SchemaRegistryClient(registry_client_conf(reg.url))
    s = subj()
    s2 = subj()
    sch = Schema(json.dumps(A), "AVRO")
    sid = c.register_schema(s, sch)
    assert type(sid) is int and sid > 0
    assert reg.version(s, 1)["id"] == sid

    # a second client without the first one's cache, for the reads
    c2 = SchemaRegistryClient(registry_client_conf(reg.url))
    got = c2.get_schema(sid)
    assert got.schema_type == "AVRO" and json.loads(got.schema_str) == A

    found = c2.lookup_schema(s, Schema(json.dumps(A), "AVRO"))
    assert found.schema_id == sid and found.subject == s and found.version == 1

    assert c.set_compatibility(s, "FULL") in ({"compatibility": "FULL"}, "FULL")
    assert c.get_compatibility(s) == "FULL"
    assert c.test_compatibility(s, Schema(json.dumps(A_B_DEFAULT), "AVRO")) is True
    assert c.test_compatibility(s, Schema(json.dumps(A_STRING), "AVRO")) is False
    with pytest.raises(SchemaRegistryError) as e:
        c.register_schema(s, Schema(json.dumps(A_STRING), "AVRO"))
    assert e.value.http_status_code == 409 and e.value.error_code == 409

    sid2 = c.register_schema(s, Schema(json.dumps(A_B_DEFAULT), "AVRO"))
    latest = c.get_latest_version(s)
    assert latest.schema_id == sid2 and latest.version == 2 and latest.subject == s
    assert json.loads(latest.schema.schema_str) == A_B_DEFAULT
    v1 = c2.get_version(s, 1)
    assert v1.schema_id == sid and v1.version == 1
    assert c.get_versions(s) == [1, 2]
    assert s in c.get_subjects()

    # the same schema under another subject: the same id
    assert c.register_schema(s2, Schema(json.dumps(A), "AVRO")) == sid

    with pytest.raises(SchemaRegistryError) as e:
        c2.get_schema(sid2 + 1000000)
    assert e.value.http_status_code == 404 and e.value.error_code == 40403
    with pytest.raises(SchemaRegistryError) as e:
        c.register_schema(subj(), Schema('{"type":"nosuchtype"}', "AVRO"))
    assert e.value.http_status_code == 422 and e.value.error_code == 42201

    assert c.get_compatibility() in ("BACKWARD", "NONE", "FULL", "FORWARD")
    assert c.delete_subject(s) == [1, 2]
    assert s not in c.get_subjects()
    assert c.delete_subject(s, permanent=True) == [1, 2]
    reg.not_listed(s)


def test_avro_serializer_auto_register(reg, kafka_bootstrap):
    from confluent_kafka.schema_registry import SchemaRegistryClient
    from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
    from confluent_kafka.serialization import MessageField, SerializationContext

    topic = f"sr-serde-{uuid.uuid4().hex[:8]}"
    schema = {
        "type": "record",
        "name": "User",
        "namespace": "krest.test",
        "fields": [
            {"name": "name", "type": "string"},
            {"name": "age", "type": "int"},
            {"name": "email", "type": ["null", "string"], "default": None},
        ],
    }
    c = SchemaRegistryClient(registry_client_conf(reg.url))
    ser = AvroSerializer(c, json.dumps(schema), conf={"auto.register.schemas": True})
    ctx = SerializationContext(topic, MessageField.VALUE)
    data = ser({"name": "Ada", "age": 36, "email": None}, ctx)
    assert data[0] == 0
    (wire_id,) = struct.unpack(">I", data[1:5])
    latest = reg.version(f"{topic}-value", "latest")
    assert latest["version"] == 1 and latest["id"] == wire_id
    assert json.loads(reg.schema_by_id(wire_id)["schema"]) == schema
    # the bytes decode with the schema from the registry (a fresh client: no cache)
    de = AvroDeserializer(SchemaRegistryClient(registry_client_conf(reg.url)))
    assert de(data, ctx) == {"name": "Ada", "age": 36, "email": None}
    # serialising again (new client, same schema) reuses the id
    ser2 = AvroSerializer(SchemaRegistryClient(registry_client_conf(reg.url)), json.dumps(schema))
    assert struct.unpack(">I", ser2({"name": "B", "age": 1, "email": "b@x"}, ctx)[1:5])[0] == wire_id
    assert reg.versions(f"{topic}-value") == [1]


# --------------------------------------------------------------------------------------------
# Storage topic: Confluent's record format, both ways


def parse_records(topic):
    out = []
    for k, v in read_log(topic):
        key = json.loads(k)
        value = None if v is None else json.loads(v)
        out.append((key, value))
    return out


def test_storage_topic_created_compacted(fresh, admin):
    r = fresh()
    r.register(subj(), A)
    md = topic_meta(admin, r.topic)
    assert md is not None and len(md.partitions) == 1
    cfg = topic_configs(admin, r.topic)
    assert cfg["cleanup.policy"] == "compact", cfg["cleanup.policy"]


def test_storage_records_format(fresh):
    r = fresh()
    s = subj()
    r.set_config("FULL", s)
    i1 = r.register(s, A)
    i2 = r.register(s, A_B_DEFAULT)
    r.set_config("FORWARD")
    r.delete(f"/subjects/{s}/versions/2")
    s2 = subj()
    r.register(s2, A)
    r.delete(f"/subjects/{s2}")
    s3 = subj()
    r.register(s3, A_STRING)
    r.delete(f"/subjects/{s3}")
    r.delete(f"/subjects/{s3}?permanent=true")
    recs = parse_records(r.topic)

    schema_recs = [(k, v) for k, v in recs if k.get("keytype") == "SCHEMA"]
    for k, v in schema_recs:
        assert list(k) == ["keytype", "subject", "version", "magic"], k
        assert k["magic"] == 1 and type(k["version"]) is int
        if v is not None:
            assert {"subject", "version", "id", "schema", "deleted"} <= set(v), v
            assert v["subject"] == k["subject"] and v["version"] == k["version"], (k, v)
            assert type(v["id"]) is int and type(v["deleted"]) is bool and type(v["schema"]) is str
            assert v.get("schemaType", "AVRO") == "AVRO"
    last = {}
    for k, v in schema_recs:
        last[(k["subject"], k["version"])] = v
    assert last[(s, 1)]["id"] == i1 and last[(s, 1)]["deleted"] is False
    assert json.loads(last[(s, 1)]["schema"]) == A
    assert last[(s, 2)]["id"] == i2 and last[(s, 2)]["deleted"] is True
    # the first write of each version says deleted: false
    firsts = {}
    for k, v in schema_recs:
        firsts.setdefault((k["subject"], k["version"]), v)
    assert firsts[(s, 2)]["deleted"] is False
    # permanent delete: a tombstone
    assert last[(s3, 1)] is None

    cfg = [(k, v) for k, v in recs if k.get("keytype") == "CONFIG"]
    sub_cfg = [v for k, v in cfg if k.get("subject") == s]
    assert sub_cfg and sub_cfg[-1]["compatibilityLevel"] == "FULL", cfg
    for k, v in cfg:
        assert k["magic"] == 0, k
        assert list(k)[0] == "keytype" and list(k)[-1] == "magic", k
    glob = [v for k, v in cfg if k.get("subject") is None]
    assert glob and glob[-1]["compatibilityLevel"] == "FORWARD", cfg

    dels = [(k, v) for k, v in recs if k.get("keytype") == "DELETE_SUBJECT"]
    d2 = [v for k, v in dels if k.get("subject") == s2]
    assert d2 == [{"subject": s2, "version": 1}], dels
    for k, _ in dels:
        assert list(k) == ["keytype", "subject", "magic"] and k["magic"] == 0, k

    known = {"SCHEMA", "CONFIG", "DELETE_SUBJECT", "NOOP", "MODE", "CLEAR_SUBJECT", "CONTEXT"}
    assert all(k.get("keytype") in known for k, _ in recs), recs


def confluent_schema_key(subject, version):
    return {"keytype": "SCHEMA", "subject": subject, "version": version, "magic": 1}


def test_serves_confluent_written_topic(fresh, admin, kafka_bootstrap):
    topic = unique_schemas_topic()
    create_topic(admin, 1, {"cleanup.policy": "compact"}, name=topic)
    fresh.topics.add(topic)
    s1, s2, s3, s4 = "orders-value", "orders-key", "gone-value", "perm-value"
    sch1 = json.dumps(record("Order", [("id", "long")]), separators=(",", ":"))
    sch2 = json.dumps(record("Order", [("id", "long"), {"name": "note", "type": "string", "default": ""}]), separators=(",", ":"))
    recs = [
        ({"keytype": "NOOP", "magic": 0}, None),
        ({"keytype": "CONFIG", "magic": 0}, {"compatibilityLevel": "FULL"}),
        ({"keytype": "CONFIG", "subject": None, "magic": 0}, {"compatibilityLevel": "FULL_TRANSITIVE"}),
        (confluent_schema_key(s1, 1), {"subject": s1, "version": 1, "id": 7, "schema": sch1, "deleted": False}),
        (confluent_schema_key(s1, 2), {"subject": s1, "version": 2, "id": 12, "schemaType": "AVRO", "schema": sch2, "deleted": False}),
        (confluent_schema_key(s2, 1), {"subject": s2, "version": 1, "id": 9, "schema": '"string"', "deleted": False}),
        ({"keytype": "CONFIG", "subject": s1, "magic": 0}, {"subject": s1, "compatibilityLevel": "NONE"}),
        (confluent_schema_key(s3, 1), {"subject": s3, "version": 1, "id": 10, "schema": '"long"', "deleted": False}),
        ({"keytype": "DELETE_SUBJECT", "subject": s3, "magic": 0}, {"subject": s3, "version": 1}),
        (confluent_schema_key(s4, 1), {"subject": s4, "version": 1, "id": 11, "schema": '"int"', "deleted": False}),
        (confluent_schema_key(s4, 1), {"subject": s4, "version": 1, "id": 11, "schema": '"int"', "deleted": True}),
        (confluent_schema_key(s4, 1), None),
        (confluent_schema_key(s1, 3), {"subject": s1, "version": 3, "id": 13, "schema": '"bytes"', "deleted": False}),
        (confluent_schema_key(s1, 3), {"subject": s1, "version": 3, "id": 13, "schema": '"bytes"', "deleted": True}),
        ({"keytype": "NOOP", "magic": 0}, None),
        ({"keytype": "SOMETHING_NEW", "magic": 0}, {"x": 1}),
    ]
    produce_json_records(kafka_bootstrap, topic, recs)
    r = fresh(topic)
    assert r.get_config() == "FULL_TRANSITIVE"
    assert r.subjects() == sorted([s1, s2])
    assert r.subjects(deleted=True) == sorted([s1, s2, s3])
    assert r.versions(s1) == [1, 2] and r.versions(s1, deleted=True) == [1, 2, 3]
    v1 = r.version(s1, 1)
    assert v1["id"] == 7 and json.loads(v1["schema"]) == json.loads(sch1)
    v2 = r.version(s1, "latest")
    assert v2["id"] == 12 and v2["version"] == 2 and "schemaType" not in v2
    assert r.version(s2, 1)["id"] == 9
    assert json.loads(r.schema_by_id(9)["schema"]) == "string"
    assert r.get_config(s1) == "NONE"
    assert_error(r.get(f"/config/{s2}"), 404, 40408)
    assert r.versions(s3, deleted=True) == [1]
    assert_error(r.get(f"/subjects/{s3}/versions"), 404, 40401)
    r.not_listed(s4)
    assert json.loads(r.schema_by_id(13)["schema"]) == "bytes"
    # new ids continue after the highest seen; same schema gets its existing id
    new_id = r.register(subj(), record("Fresh", [("f", "int")]))
    assert new_id > 13
    assert r.register(subj(), sch1) == 7
    assert r.register(s1, sch2) == 12 and r.versions(s1) == [1, 2]
    nv = r.register(s1, json.dumps(record("Order", [("id", "long"), {"name": "note", "type": "string", "default": ""}, {"name": "x", "type": "int", "default": 0}])))
    assert r.version(s1, "latest")["version"] == 4 and r.version(s1, 4)["id"] == nv


def test_persistence_across_restart(fresh):
    r = fresh()
    s1, s2, s3 = subj(), subj(), subj()
    r.set_config("FULL_TRANSITIVE")
    r.set_config("NONE", s1)
    r.register(s1, A)
    r.register(s1, A_STRING)
    r.register(s1, A_B_DEFAULT)
    r.delete(f"/subjects/{s1}/versions/2")
    r.register(s2, A)
    r.set_config("FORWARD", s2)
    r.register(s3, record("Z", [("z", "int")]))
    r.delete(f"/subjects/{s3}")
    s4 = subj()
    r.register(s4, '"string"')
    r.delete(f"/subjects/{s4}")
    r.delete(f"/subjects/{s4}?permanent=true")
    s5 = subj()
    r.set_config("BACKWARD_TRANSITIVE", s5)  # config of a subject without schemas
    before = r.dump()
    before_s5 = r.get_config(s5)
    max_id = max(before["ids"])
    assert r.krest.stop() == 0

    r2 = fresh(r.topic)
    after = r2.dump()
    assert after == before
    assert r2.get_config(s5) == before_s5 == "BACKWARD_TRANSITIVE"
    r2.not_listed(s4)
    # and it goes on where it left off
    r2.set_config("NONE", s2)
    nid = r2.register(s2, record("New", [("n", "int")]))
    assert nid > max_id
    assert r2.versions(s2) == [1, 2]
    assert r2.register(s1, A) == before["subjects"][s1]["versions"][1][0]


# --------------------------------------------------------------------------------------------
# Two instances, one topic


def test_two_instances_concurrent_registration(fresh):
    r1 = fresh()
    r2 = fresh(r1.topic)
    # the records below have different names: NONE lets them share subjects
    r1.set_config("NONE")
    wait_for(lambda: r2.get_config() == "NONE", 10, "r2 to see the global config")
    n = 20
    tag = uuid.uuid4().hex[:6]
    jobs = []
    for inst, reg_ in (("a", r1), ("b", r2)):
        for i in range(n):
            schema = record(f"C_{inst}_{i}_{tag}", [(f"f_{inst}_{i}", "int")])
            # half of them share a subject per instance, half go to subjects of their own
            subject = f"conc-{tag}-{inst}" if i % 2 else f"conc-{tag}-{inst}-{i}"
            jobs.append((reg_, subject, schema))
    # both instances also register the same schemas: these must get one id
    shared = [record(f"Shared_{i}_{tag}", [("s", "long")]) for i in range(5)]
    for i, sch in enumerate(shared):
        jobs.append((r1, f"conc-{tag}-shared-{i}", sch))
        jobs.append((r2, f"conc-{tag}-shared-{i}-other", sch))

    results = []
    lock = threading.Lock()

    def run(job):
        reg_, subject, schema = job
        rr = reg_.post(f"/subjects/{subject}/versions", {"schema": json.dumps(schema)}, timeout=60)
        with lock:
            results.append((subject, json.dumps(schema, sort_keys=True), rr.status_code, rr.text))

    with ThreadPoolExecutor(max_workers=8) as ex:
        list(ex.map(run, jobs))
    bad = [x for x in results if x[2] != 200]
    assert not bad, bad[:5]
    by_schema = {}
    by_id = {}
    for subject, sch, _, text in results:
        i = json.loads(text)["id"]
        by_schema.setdefault(sch, set()).add(i)
        by_id.setdefault(i, set()).add(sch)
    assert all(len(v) == 1 for v in by_schema.values()), by_schema
    assert all(len(v) == 1 for v in by_id.values()), {k: v for k, v in by_id.items() if len(v) > 1}
    assert len(by_id) == 2 * n + len(shared)

    # both instances agree on every id and every subject (the other may lag a moment)
    def agree():
        for i, schs in by_id.items():
            want = json.loads(next(iter(schs)))
            for reg_ in (r1, r2):
                g = reg_.get(f"/schemas/ids/{i}")
                if g.status_code != 200 or json.loads(json.loads(g.text)["schema"]) != want:
                    return False
        return True

    wait_for(agree, 20, "both instances to serve every id")
    subs = sorted({subject for subject, *_ in results})

    def same_subjects():
        a = [x for x in r1.subjects() if x.startswith(f"conc-{tag}")]
        b = [x for x in r2.subjects() if x.startswith(f"conc-{tag}")]
        return a == b == subs

    wait_for(same_subjects, 20, "both instances to list every subject")
    for s in (f"conc-{tag}-a", f"conc-{tag}-b"):
        assert r1.versions(s) == r2.versions(s) == list(range(1, n // 2 + 1))
        for v in r1.versions(s):
            assert r1.version(s, v) == r2.version(s, v)


def test_second_instance_sees_writes_of_first(fresh):
    r1 = fresh()
    r2 = fresh(r1.topic)
    s = subj()
    sid = r1.register(s, A)
    wait_for(lambda: r2.get(f"/subjects/{s}/versions").status_code == 200, 10, "r2 to see the subject")
    assert r2.version(s, 1)["id"] == sid
    # a registration on r2 of the same schema is a duplicate, not a new version
    assert r2.register(s, A) == sid
    assert r1.versions(s) == [1]
    r2.set_config("NONE", s)
    wait_for(lambda: r1.get(f"/config/{s}").status_code == 200, 10, "r1 to see the config")
    assert r1.get_config(s) == "NONE"
