"""Compatibility verdicts of the built-in Schema Registry (issue 6, docs/schema-registry.md
sections 3.18 and 6): a table of (old schema(s), new schema, level) -> verdict, checked through
POST /compatibility/subjects/{s}/versions/latest and through registration (409 when
incompatible).

The expected verdicts are Confluent's, i.e. Java Avro's SchemaCompatibility with
BACKWARD = (reader new, writer old), FORWARD = (reader old, writer new), FULL = both; the plain
levels compare with the latest version, the *_TRANSITIVE ones with every version. They were
derived from Avro's rules (SchemaCompatibility.calculateCompatibility: promotions int->long->
float->double and string<->bytes, unqualified record/enum/fixed names or reader aliases holding
the writer's full name, reader fields found by name or by the reader field's aliases, missing
reader fields need a default, enum defaults, union branch rules) and the cases in Confluent's
AvroCompatibilityTest and Avro's TestSchemaCompatibility*. They were not taken from krest.

The compatibility endpoint checks only against the version in its path (latest), even for the
transitive levels: for the multi-version cases its expected verdict is the plain level's.
"""

import json
import uuid

import pytest

from conftest import assert_error
from registry_helpers import LEVELS, RegistryFactory

# --------------------------------------------------------------------------------------------
# Schema builders


def R(*fields, name="R", **extra):
    """A record; fields: (name, type) or (name, type, default) tuples, or dicts."""
    out = {"type": "record", "name": name, "fields": []}
    for f in fields:
        if isinstance(f, dict):
            out["fields"].append(f)
        elif len(f) == 2:
            out["fields"].append({"name": f[0], "type": f[1]})
        else:
            out["fields"].append({"name": f[0], "type": f[1], "default": f[2]})
    out.update(extra)
    return out


def F(name, typ, **extra):
    d = {"name": name, "type": typ}
    d.update(extra)
    return d


def E(symbols, name="E", **extra):
    d = {"type": "enum", "name": name, "symbols": list(symbols)}
    d.update(extra)
    return d


def FX(size, name="Fx", **extra):
    d = {"type": "fixed", "name": name, "size": size}
    d.update(extra)
    return d


def N(*fields):
    """A record with a nested record field n of type N."""
    return R(("id", "int"), F("n", R(*fields, name="N")))


T, X = True, False
ALL_OK = {lv: T for lv in LEVELS}


def v(backward, forward, transitive_same=True, **over):
    """Verdicts for one old schema: BACKWARD/FORWARD given, FULL = both; the transitive levels
    equal the plain ones (one old schema); NONE always True."""
    d = {
        "NONE": T,
        "BACKWARD": backward,
        "BACKWARD_TRANSITIVE": backward,
        "FORWARD": forward,
        "FORWARD_TRANSITIVE": forward,
        "FULL": backward and forward,
        "FULL_TRANSITIVE": backward and forward,
    }
    d.update(over)
    return d


# (id, [old schemas, oldest first], new schema, {level: verdict on registration})
CASES = [
    # --- fields
    ("add-field-with-default", [R(("a", "int"))], R(("a", "int"), ("b", "string", "x")), v(T, T)),
    ("add-field-no-default", [R(("a", "int"))], R(("a", "int"), ("b", "string")), v(X, T)),
    ("remove-field-with-default", [R(("a", "int"), ("b", "string", "x"))], R(("a", "int")), v(T, T)),
    ("remove-field-no-default", [R(("a", "int"), ("b", "string"))], R(("a", "int")), v(T, X)),
    ("rename-field-no-alias", [R(("a", "int"))], R(("c", "int")), v(X, X)),
    ("rename-field-alias-in-new", [R(("a", "int"))], R(F("c", "int", aliases=["a"])), v(T, X)),
    ("rename-field-with-default", [R(("a", "int", 0))], R(("c", "int", 0)), v(T, T)),
    ("reorder-fields", [R(("a", "int"), ("b", "string"))], R(("b", "string"), ("a", "int")), v(T, T)),
    ("add-doc-and-change-default", [R(("a", "int", 1))], R(F("a", "int", default=2, doc="d"), doc="x"), v(T, T)),
    ("field-order-attribute", [R(("a", "int"))], R(F("a", "int", order="descending")), v(T, T)),
    # --- promotions
    ("int-to-long", [R(("a", "int"))], R(("a", "long")), v(T, X)),
    ("long-to-int", [R(("a", "long"))], R(("a", "int")), v(X, T)),
    ("int-to-float", [R(("a", "int"))], R(("a", "float")), v(T, X)),
    ("int-to-double", [R(("a", "int"))], R(("a", "double")), v(T, X)),
    ("long-to-float", [R(("a", "long"))], R(("a", "float")), v(T, X)),
    ("long-to-double", [R(("a", "long"))], R(("a", "double")), v(T, X)),
    ("float-to-double", [R(("a", "float"))], R(("a", "double")), v(T, X)),
    ("double-to-float", [R(("a", "double"))], R(("a", "float")), v(X, T)),
    ("double-to-long", [R(("a", "double"))], R(("a", "long")), v(X, T)),
    ("string-to-bytes", [R(("a", "string"))], R(("a", "bytes")), v(T, T)),
    ("bytes-to-string", [R(("a", "bytes"))], R(("a", "string")), v(T, T)),
    ("int-to-string", [R(("a", "int"))], R(("a", "string")), v(X, X)),
    ("int-to-boolean", [R(("a", "int"))], R(("a", "boolean")), v(X, X)),
    ("string-to-record", [R(("a", "string"))], R(F("a", R(("x", "int"), name="Sub"))), v(X, X)),
    ("top-level-int-to-long", ["int"], "long", v(T, X)),
    ("top-level-string-to-int", ["string"], "int", v(X, X)),
    ("top-level-null-to-boolean", ["null"], "boolean", v(X, X)),
    # --- enums
    ("enum-add-symbol", [R(F("e", E("AB")))], R(F("e", E("ABC"))), v(T, X)),
    ("enum-remove-symbol", [R(F("e", E("ABC")))], R(F("e", E("AB"))), v(X, T)),
    ("enum-remove-symbol-new-has-default", [R(F("e", E("ABC")))], R(F("e", E("AB", default="A"))), v(T, T)),
    ("enum-add-symbol-old-has-default", [R(F("e", E("AB", default="A")))], R(F("e", E("ABC"))), v(T, T)),
    ("enum-rename", [R(F("e", E("AB")))], R(F("e", E("AB", name="E2"))), v(X, X)),
    ("enum-rename-alias-in-new", [R(F("e", E("AB")))], R(F("e", E("AB", name="E2", aliases=["E"]))), v(T, X)),
    ("enum-reorder-symbols", [R(F("e", E("ABC")))], R(F("e", E("CBA"))), v(T, T)),
    ("enum-to-string", [R(F("e", E("AB")))], R(("e", "string")), v(X, X)),
    # --- unions
    ("field-to-nullable-union", [R(("a", "int"))], R(("a", ["null", "int"], None)), v(T, X)),
    ("nullable-union-to-field", [R(("a", ["null", "int"], None))], R(("a", "int")), v(X, T)),
    ("union-add-branch", [R(("a", ["null", "string"]))], R(("a", ["null", "string", "int"])), v(T, X)),
    ("union-remove-branch", [R(("a", ["null", "string", "int"]))], R(("a", ["null", "string"])), v(X, T)),
    ("union-branch-promotion", [R(("a", ["null", "int"]))], R(("a", ["null", "long"])), v(T, X)),
    ("union-reorder", [R(("a", ["null", "string"]))], R(("a", ["string", "null"])), v(T, T)),
    ("field-to-union-via-promotion", [R(("a", "int"))], R(("a", ["null", "string", "long"])), v(T, X)),
    ("union-of-bytes-reads-string", [R(("a", "string"))], R(("a", ["null", "bytes"])), v(T, X)),
    ("top-level-union-add-branch", [["int", "string"]], ["int", "string", "boolean"], v(T, X)),
    # --- nested records
    ("nested-add-field-no-default", [N(("x", "int"))], N(("x", "int"), ("y", "int")), v(X, T)),
    ("nested-add-field-with-default", [N(("x", "int"))], N(("x", "int"), ("y", "int", 0)), v(T, T)),
    ("nested-promotion", [N(("x", "int"))], N(("x", "long")), v(T, X)),
    ("nested-remove-field-no-default", [N(("x", "int"), ("y", "int"))], N(("x", "int")), v(T, X)),
    # --- arrays and maps
    ("array-items-int-to-long", [R(("a", {"type": "array", "items": "int"}))], R(("a", {"type": "array", "items": "long"})), v(T, X)),
    ("array-items-long-to-int", [R(("a", {"type": "array", "items": "long"}))], R(("a", {"type": "array", "items": "int"})), v(X, T)),
    (
        "array-of-records-add-field-default",
        [R(("a", {"type": "array", "items": R(("x", "int"), name="Item")}))],
        R(("a", {"type": "array", "items": R(("x", "int"), ("y", "string", ""), name="Item")})),
        v(T, T),
    ),
    ("array-to-map", [R(("a", {"type": "array", "items": "int"}))], R(("a", {"type": "map", "values": "int"})), v(X, X)),
    ("map-values-int-to-long", [R(("a", {"type": "map", "values": "int"}))], R(("a", {"type": "map", "values": "long"})), v(T, X)),
    ("map-values-string-to-bytes", [R(("a", {"type": "map", "values": "string"}))], R(("a", {"type": "map", "values": "bytes"})), v(T, T)),
    ("map-values-string-to-int", [R(("a", {"type": "map", "values": "string"}))], R(("a", {"type": "map", "values": "int"})), v(X, X)),
    # --- fixed
    ("fixed-size-change", [R(F("f", FX(16)))], R(F("f", FX(32))), v(X, X)),
    ("fixed-rename", [R(F("f", FX(16)))], R(F("f", FX(16, name="Fx2"))), v(X, X)),
    ("fixed-rename-alias-in-new", [R(F("f", FX(16)))], R(F("f", FX(16, name="Fx2", aliases=["Fx"]))), v(T, X)),
    ("fixed-to-bytes", [R(F("f", FX(16)))], R(("f", "bytes")), v(X, X)),
    # --- record names, aliases, namespaces
    ("record-rename", [R(("a", "int"))], R(("a", "int"), name="S"), v(X, X)),
    ("record-rename-alias-in-new", [R(("a", "int"))], R(("a", "int"), name="S", aliases=["R"]), v(T, X)),
    ("record-rename-alias-in-old", [R(("a", "int"), aliases=["S"])], R(("a", "int"), name="S"), v(X, T)),
    ("namespace-change-only", [R(("a", "int"), namespace="ns1")], R(("a", "int"), namespace="ns2"), v(T, T)),
    (
        "rename-alias-full-name",
        [R(("a", "int"), namespace="ns1")],
        R(("a", "int"), name="S", namespace="ns2", aliases=["ns1.R"]),
        v(T, X),
    ),
    (
        "rename-alias-wrong-namespace",
        [R(("a", "int"), namespace="ns1")],
        R(("a", "int"), name="S", namespace="ns2", aliases=["R"]),
        v(X, X),
    ),
    ("nested-record-rename", [N(("x", "int"))], R(("id", "int"), F("n", R(("x", "int"), name="M"))), v(X, X)),
    # --- several old versions: transitive levels differ from the plain ones
    (
        "3v-new-required-field-present-in-latest-only",
        [R(("f1", "string")), R(("f1", "string"), ("f2", "string", "foo"))],
        R(("f1", "string"), ("f2", "string")),
        {
            "NONE": T,
            "BACKWARD": T,
            "BACKWARD_TRANSITIVE": X,
            "FORWARD": T,
            "FORWARD_TRANSITIVE": T,
            "FULL": T,
            "FULL_TRANSITIVE": X,
        },
    ),
    (
        "3v-drop-field-required-in-first",
        [R(("f1", "string"), ("f2", "string")), R(("f1", "string"), ("f2", "string", "foo"))],
        R(("f1", "string")),
        {
            "NONE": T,
            "BACKWARD": T,
            "BACKWARD_TRANSITIVE": T,
            "FORWARD": T,
            "FORWARD_TRANSITIVE": X,
            "FULL": T,
            "FULL_TRANSITIVE": X,
        },
    ),
    (
        "3v-promotion-chain",
        [R(("a", "int")), R(("a", "long"))],
        R(("a", "float")),
        {
            "NONE": T,
            "BACKWARD": T,
            "BACKWARD_TRANSITIVE": T,
            "FORWARD": X,
            "FORWARD_TRANSITIVE": X,
            "FULL": X,
            "FULL_TRANSITIVE": X,
        },
    ),
    (
        "3v-enum-grows",
        [R(F("e", E("A"))), R(F("e", E("AB", default="A")))],
        R(F("e", E("ABC"))),
        {
            "NONE": T,
            "BACKWARD": T,
            "BACKWARD_TRANSITIVE": T,
            "FORWARD": T,  # the latest old enum has a default
            "FORWARD_TRANSITIVE": X,  # the first has none and lacks B, C
            "FULL": T,
            "FULL_TRANSITIVE": X,
        },
    ),
    (
        "3v-all-defaults",
        [R(("a", "string")), R(("a", "string"), ("b", "int", 0))],
        R(("a", "string"), ("b", "int", 0), ("c", "long", 0)),
        ALL_OK,
    ),
    (
        "4v-first-breaks-transitive",
        [R(("a", "int")), R(("a", "int"), ("b", "int", 0)), R(("a", "int"), ("b", "int", 0), ("c", "int", 0))],
        R(("a", "int"), ("b", "int"), ("c", "int", 0)),
        {
            "NONE": T,
            "BACKWARD": T,
            "BACKWARD_TRANSITIVE": X,
            "FORWARD": T,
            "FORWARD_TRANSITIVE": T,
            "FULL": T,
            "FULL_TRANSITIVE": X,
        },
    ),
]

BASE = {
    "NONE": "NONE",
    "BACKWARD": "BACKWARD",
    "BACKWARD_TRANSITIVE": "BACKWARD",
    "FORWARD": "FORWARD",
    "FORWARD_TRANSITIVE": "FORWARD",
    "FULL": "FULL",
    "FULL_TRANSITIVE": "FULL",
}


def endpoint_verdict(olds, verdicts, level):
    """The compatibility endpoint compares with the latest version only."""
    return verdicts[level] if len(olds) == 1 else verdicts[BASE[level]]


def register_levels(i, olds):
    """The levels a case is registered under: all seven for the multi-version cases; for one
    old schema (where X_TRANSITIVE = X by definition) the three plain levels, one transitive
    level in turn, and NONE for every sixth case. The endpoint test covers all seven for all."""
    if len(olds) > 1:
        return list(LEVELS)
    out = ["BACKWARD", "FORWARD", "FULL", ["BACKWARD_TRANSITIVE", "FORWARD_TRANSITIVE", "FULL_TRANSITIVE"][i % 3]]
    if i % 6 == 0:
        out.append("NONE")
    return out


ENDPOINT_PARAMS = [pytest.param(olds, new, verdicts, id=cid) for cid, olds, new, verdicts in CASES]

REGISTER_PARAMS = [
    pytest.param(olds, new, level, verdicts[level], id=f"{cid}-{level}")
    for i, (cid, olds, new, verdicts) in enumerate(CASES)
    for level in register_levels(i, olds)
]


def test_table_size():
    assert len(CASES) >= 30
    multi = [c for c in CASES if len(c[1]) > 1]
    assert any(c[3]["BACKWARD"] != c[3]["BACKWARD_TRANSITIVE"] for c in multi)
    assert any(c[3]["FORWARD"] != c[3]["FORWARD_TRANSITIVE"] for c in multi)
    assert any(c[3]["FULL"] != c[3]["FULL_TRANSITIVE"] for c in multi)


# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reg(tmp_path_factory, kafka_bootstrap, krest_bin, admin):
    f = RegistryFactory(tmp_path_factory.mktemp("registry-compat"), admin)
    r = f()
    yield r
    f.teardown()


def js(schema):
    return json.dumps(schema)


def new_subject(reg, olds):
    """A subject holding `olds` as versions 1..n (registered under NONE)."""
    s = f"compat-{uuid.uuid4().hex[:12]}"
    reg.set_config("NONE", s)
    for old in olds:
        reg.register(s, old)
    assert reg.versions(s) == list(range(1, len(olds) + 1))
    return s


@pytest.mark.parametrize("olds,new,verdicts", ENDPOINT_PARAMS)
def test_compatibility_endpoint(reg, olds, new, verdicts):
    """POST /compatibility/subjects/{s}/versions/latest under each of the seven levels."""
    s = new_subject(reg, olds)
    for level in LEVELS:
        want = endpoint_verdict(olds, verdicts, level)
        reg.set_config(level, s)
        got = reg.check(s, new)
        assert got == {"is_compatible": want}, (level, got)
        verbose = reg.check(s, new, verbose=True)
        assert verbose["is_compatible"] is want, (level, verbose)
        if want:
            assert verbose["messages"] == [], (level, verbose)
        else:
            assert verbose["messages"] and all(isinstance(m, str) for m in verbose["messages"]), verbose
    # a check never registers
    assert reg.versions(s) == list(range(1, len(olds) + 1))


@pytest.mark.parametrize("olds,new,level,want", REGISTER_PARAMS)
def test_compatibility_register(reg, olds, new, level, want):
    """POST /subjects/{s}/versions: 200 and a new version, or 409 and nothing stored."""
    s = new_subject(reg, olds)
    reg.set_config(level, s)
    r = reg.post(f"/subjects/{s}/versions", {"schema": js(new)})
    if want:
        assert r.status_code == 200, f"{level}: expected compatible, got {r.status_code} {r.text[:400]}"
        assert reg.versions(s) == list(range(1, len(olds) + 2))
        assert json.loads(reg.version(s, "latest")["schema"]) == new
    else:
        b = assert_error(r, 409, 409)
        assert b["message"].startswith(
            f'Schema being registered is incompatible with an earlier schema for subject "{s}"'
        ), b
        assert reg.versions(s) == list(range(1, len(olds) + 1))


MESSAGE_CASES = [
    ("READER_FIELD_MISSING_DEFAULT_VALUE", R(("a", "int")), R(("a", "int"), ("b", "string")), "BACKWARD"),
    ("TYPE_MISMATCH", R(("a", "int")), R(("a", "string")), "BACKWARD"),
    ("NAME_MISMATCH", R(("a", "int")), R(("a", "int"), name="S"), "BACKWARD"),
    ("MISSING_ENUM_SYMBOLS", R(F("e", E("ABC"))), R(F("e", E("AB"))), "BACKWARD"),
    ("FIXED_SIZE_MISMATCH", R(F("f", FX(16))), R(F("f", FX(32))), "BACKWARD"),
    ("MISSING_UNION_BRANCH", R(("a", ["null", "string", "int"])), R(("a", ["null", "string"])), "BACKWARD"),
]


@pytest.mark.parametrize("etype,old,new,level", MESSAGE_CASES, ids=[m[0] for m in MESSAGE_CASES])
def test_incompatibility_reason(reg, etype, old, new, level):
    """The 409 message and the verbose messages name Avro's incompatibility type."""
    s = f"compat-msg-{uuid.uuid4().hex[:12]}"
    reg.set_config(level, s)
    reg.register(s, old)
    v = reg.check(s, new, verbose=True)
    assert v["is_compatible"] is False
    assert any(f"errorType:'{etype}'" in m for m in v["messages"]), v
    b = assert_error(reg.post(f"/subjects/{s}/versions", {"schema": js(new)}), 409, 409)
    assert f"errorType:'{etype}'" in b["message"], b
