"""v3 ACLs (API.md §3.3 acls rows, §3.4 KafkaAcl, §3.7, §8): search with every filter, create,
batch create, delete, their 400/404/422 answers (nothing changes in Kafka on any of them), the
order of the lists, the self/Location URLs, and 400/40002 on a broker without an authorizer.
Kafka's side is read with confluent_kafka's AdminClient (describe_acls); every response is
checked against docs/openapi/krest-v3.yaml."""

import time
import uuid

import pytest
from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    ResourcePatternType,
    ResourceType,
)

from conftest import assert_error
from openapi_check import V3Client
from v3_helpers import ACL_FIELDS, V3Names

RESOURCE_TYPES = ["UNKNOWN", "ANY", "TOPIC", "GROUP", "CLUSTER", "TRANSACTIONAL_ID",
                  "DELEGATION_TOKEN"]
PATTERN_TYPES = ["UNKNOWN", "ANY", "MATCH", "LITERAL", "PREFIXED"]
OPERATIONS = ["UNKNOWN", "ANY", "ALL", "READ", "WRITE", "CREATE", "DELETE", "ALTER", "DESCRIBE",
              "CLUSTER_ACTION", "DESCRIBE_CONFIGS", "ALTER_CONFIGS", "IDEMPOTENT_WRITE"]
PERMISSIONS = ["UNKNOWN", "ANY", "DENY", "ALLOW"]
ENUM_PARAMS = ["resource_type", "pattern_type", "operation", "permission"]
ENUM_CLASSES = {"resource_type": "ResourceType", "pattern_type": "PatternType",
                "operation": "Operation", "permission": "Permission"}

NULL_PAYLOAD = "Payload error. Null input provided. Data is required."
EMPTY_DATA = "Payload error. Empty input provided. Data is required."

# --------------------------------------------------------------------------------------------
# Fixtures and helpers


@pytest.fixture(scope="module")
def acl_v3(acl_krest):
    return V3Client(acl_krest.url)


@pytest.fixture(scope="module")
def acl_names(acl_krest, acl_broker):
    return V3Names(acl_krest.url, acl_broker.cluster_id)


@pytest.fixture
def principal(acl_admin):
    """A principal of this test alone; its ACLs are deleted at teardown."""
    p = f"User:krest-{uuid.uuid4().hex[:10]}"
    yield p
    kafka_delete(acl_admin, p)


def acl(resource_type="TOPIC", resource_name="t", pattern_type="LITERAL", principal="User:x",
        host="*", operation="READ", permission="ALLOW"):
    """An ACL as krest writes its fields (a dict of the seven)."""
    return dict(resource_type=resource_type, resource_name=resource_name,
                pattern_type=pattern_type, principal=principal, host=host, operation=operation,
                permission=permission)


def _binding(a):
    rt = "BROKER" if a["resource_type"] == "CLUSTER" else a["resource_type"]
    return AclBinding(ResourceType[rt], a["resource_name"], ResourcePatternType[a["pattern_type"]],
                      a["principal"], a["host"], AclOperation[a["operation"]],
                      AclPermissionType[a["permission"]])


def kafka_create(admin, acls):
    """Creates ACLs with the AdminClient (independent of krest), and waits until the broker
    lists them (CreateAcls returns once the controller committed them; the broker's authorizer
    applies the metadata record a moment later)."""
    for f in admin.create_acls([_binding(a) for a in acls], request_timeout=15).values():
        f.result()
    for principal in {a["principal"] for a in acls}:
        want = [a for a in acls if a["principal"] == principal]
        deadline = time.monotonic() + 15
        while len(kafka_acls(admin, principal)) < len(want):
            assert time.monotonic() < deadline, f"ACLs of {principal} never listed"
            time.sleep(0.05)


def _as_dict(b):
    rt = b.restype.name
    return acl(resource_type="CLUSTER" if rt == "BROKER" else rt, resource_name=b.name,
               pattern_type=b.resource_pattern_type.name, principal=b.principal, host=b.host,
               operation=b.operation.name, permission=b.permission_type.name)


def _filter(principal):
    return AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, principal, None,
                            AclOperation.ANY, AclPermissionType.ANY)


def kafka_acls(admin, principal):
    """The ACLs of a principal as Kafka has them, in Confluent's order."""
    got = admin.describe_acls(_filter(principal), request_timeout=15).result()
    return sorted((_as_dict(b) for b in got), key=order_key)


def kafka_delete(admin, principal):
    for f in admin.delete_acls([_filter(principal)], request_timeout=15).values():
        f.result()


def order_key(a):
    """Confluent's order: enums by declaration (Kafka's value), strings by code point."""
    return (RESOURCE_TYPES.index(a["resource_type"]), a["resource_name"],
            PATTERN_TYPES.index(a["pattern_type"]), a["principal"], a["host"],
            OPERATIONS.index(a["operation"]), PERMISSIONS.index(a["permission"]))


def expected(names, a):
    """The KafkaAcl krest must write for a."""
    return {"kind": "KafkaAcl", "metadata": names.acl(**a), "cluster_id": names.cluster, **a}


def fields(body_acl):
    return {f: body_acl[f] for f in ACL_FIELDS}


def search(client, names, **query):
    r = client.get(names.url("acls"), params=query)
    assert r.status_code == 200, r.text
    return r.json()


def search_url(names, **query):
    """The list's self URL: all seven parameters, enums upper case, absent strings empty."""
    full = {"resource_type": "ANY", "resource_name": "", "pattern_type": "ANY", "principal": "",
            "host": "", "operation": "ANY", "permission": "ANY"}
    for k, v in query.items():
        full[k] = v.upper() if k in ENUM_PARAMS else v
    return names.url("acls", **full)


def some_acls(p):
    """A varied set of ACLs of principal p, in no particular order."""
    return [
        acl("TOPIC", "orders", "LITERAL", p, "*", "WRITE", "ALLOW"),
        acl("GROUP", "g1", "LITERAL", p, "*", "READ", "ALLOW"),
        acl("TOPIC", "ord", "PREFIXED", p, "10.0.0.1", "READ", "DENY"),
        acl("CLUSTER", "kafka-cluster", "LITERAL", p, "*", "DESCRIBE", "ALLOW"),
        acl("TOPIC", "*", "LITERAL", p, "*", "DESCRIBE", "ALLOW"),
        acl("TOPIC", "orders", "LITERAL", p, "*", "READ", "DENY"),
        acl("TOPIC", "orders", "LITERAL", p, "*", "READ", "ALLOW"),
        acl("TOPIC", "other", "LITERAL", p, "10.0.0.1", "ALL", "ALLOW"),
    ]


def post_acl(client, names, body, **kw):
    return client.post(names.url("acls"), json=body, **kw)


def post_batch(client, names, body, **kw):
    return client.post(names.url("acls:batch"), json=body, **kw)


# --------------------------------------------------------------------------------------------
# Search


def test_search_returns_exact_acls_sorted(acl_v3, acl_names, acl_admin, principal):
    made = some_acls(principal)
    kafka_create(acl_admin, made)
    body = search(acl_v3, acl_names, principal=principal)
    assert body["kind"] == "KafkaAclList"
    assert body["metadata"] == {"self": search_url(acl_names, principal=principal), "next": None}
    want = sorted(made, key=order_key)
    assert body["data"] == [expected(acl_names, a) for a in want]
    # Enums sort by Kafka's value, not by name: TOPIC < GROUP < CLUSTER, DENY < ALLOW.
    assert [a["resource_type"] for a in body["data"]][:6] == ["TOPIC"] * 6
    assert [a["resource_type"] for a in body["data"]][6:] == ["GROUP", "CLUSTER"]
    reads = [a["permission"] for a in body["data"] if a["resource_name"] == "orders"
             and a["operation"] == "READ"]
    assert reads == ["DENY", "ALLOW"]
    assert want == kafka_acls(acl_admin, principal)


@pytest.mark.parametrize(
    "query",
    [
        {"resource_type": "topic"},
        {"resource_type": "GROUP"},
        {"resource_type": "Cluster"},
        {"resource_name": "orders"},
        {"resource_type": "topic", "resource_name": "orders-eu", "pattern_type": "match"},
        {"pattern_type": "prefixed"},
        {"pattern_type": "literal", "resource_name": "*"},
        {"host": "10.0.0.1"},
        {"operation": "read"},
        {"operation": "all"},
        {"permission": "deny"},
        {"permission": "allow", "operation": "describe"},
    ],
)
def test_search_filters_match_kafka(acl_v3, acl_names, acl_admin, principal, query):
    kafka_create(acl_admin, some_acls(principal))
    body = search(acl_v3, acl_names, principal=principal, **query)
    assert body["metadata"]["self"] == search_url(acl_names, principal=principal, **query)
    # The same filter through the AdminClient.
    rt = query.get("resource_type", "any").upper()
    f = AclBindingFilter(
        ResourceType["BROKER" if rt == "CLUSTER" else rt], query.get("resource_name"),
        ResourcePatternType[query.get("pattern_type", "any").upper()], principal,
        query.get("host"), AclOperation[query.get("operation", "any").upper()],
        AclPermissionType[query.get("permission", "any").upper()])
    want = sorted((_as_dict(b) for b in acl_admin.describe_acls(f).result()), key=order_key)
    assert want, f"the filter {query} should match something"
    assert len(want) < len(some_acls(principal)), f"the filter {query} should leave some out"
    assert [fields(a) for a in body["data"]] == want
    for a in body["data"]:
        assert a == expected(acl_names, fields(a))


def test_search_match_pattern(acl_v3, acl_names, acl_admin, principal):
    """MATCH finds the literal name, the wildcard and the prefixes that cover it."""
    kafka_create(acl_admin, some_acls(principal))
    body = search(acl_v3, acl_names, principal=principal, resource_type="topic",
                  resource_name="orders", pattern_type="match")
    got = {(a["resource_name"], a["pattern_type"]) for a in body["data"]}
    assert got == {("orders", "LITERAL"), ("*", "LITERAL"), ("ord", "PREFIXED")}


def test_search_empty_and_encoded_self(acl_v3, acl_names, principal):
    body = search(acl_v3, acl_names, principal=principal, resource_name="a b/é&c", host="::1")
    assert body["data"] == []
    self_url = body["metadata"]["self"]
    assert self_url == search_url(acl_names, principal=principal, resource_name="a b/é&c",
                                  host="::1")
    assert "resource_name=a+b%2F%C3%A9%26c" in self_url and "host=%3A%3A1" in self_url
    assert f"principal={principal.replace(':', '%3A')}" in self_url


def test_search_defaults_in_self(acl_v3, acl_names):
    body = search(acl_v3, acl_names)
    assert body["metadata"]["self"] == acl_names.url(
        "acls", resource_type="ANY", resource_name="", pattern_type="ANY", principal="",
        host="", operation="ANY", permission="ANY")


def test_search_acl_with_odd_strings(acl_v3, acl_names, acl_admin, principal):
    a = acl("TOPIC", "t x/ü+", "LITERAL", principal, "1.2.3.4", "READ", "ALLOW")
    kafka_create(acl_admin, [a])
    body = search(acl_v3, acl_names, principal=principal)
    assert body["data"] == [expected(acl_names, a)]
    assert "resource_name=t+x%2F%C3%BC%2B" in body["data"][0]["metadata"]["self"]


@pytest.mark.parametrize("param", ENUM_PARAMS)
@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_enum_unknown_value_is_404(acl_v3, acl_names, acl_admin, principal, param, method):
    kafka_create(acl_admin, [acl(principal=principal)])
    q = {"resource_type": "topic", "pattern_type": "any", "operation": "any",
         "permission": "any", param: "teapot", "principal": principal}
    r = acl_v3.request(method, acl_names.url("acls"), params=q)
    body = assert_error(r, 404)
    assert body["message"] == f"The valid values for {ENUM_CLASSES[param]} do not include 'teapot'"
    q[param] = ""
    body = assert_error(acl_v3.request(method, acl_names.url("acls"), params=q), 404)
    assert body["message"] == f"The valid values for {ENUM_CLASSES[param]} do not include ''"
    assert len(kafka_acls(acl_admin, principal)) == 1


@pytest.mark.parametrize("param", ENUM_PARAMS)
def test_search_unknown_is_400(acl_v3, acl_names, param):
    for value in ("UNKNOWN", "unknown", "Unknown"):
        r = acl_v3.get(acl_names.url("acls"), params={param: value})
        body = assert_error(r, 400)
        assert body["message"] == f"{param} cannot be UNKNOWN"


def test_search_checks_in_confluents_order(acl_v3, acl_names):
    # An unconvertible value (404) wins over UNKNOWN (400), which wins over the cluster (404).
    r = acl_v3.get(acl_names.url("acls"), params={"resource_type": "unknown",
                                                  "permission": "x"})
    assert assert_error(r, 404)["message"] == "The valid values for Permission do not include 'x'"
    r = acl_v3.get(acl_names.url("acls"), params={"operation": "unknown",
                                                  "pattern_type": "unknown"})
    assert assert_error(r, 400)["message"] == "pattern_type cannot be UNKNOWN"
    r = acl_v3.get("/v3/clusters/nope/acls", params={"operation": "unknown"})
    assert assert_error(r, 400)["message"] == "operation cannot be UNKNOWN"


def test_wrong_cluster_is_404(acl_v3, acl_names, acl_admin, principal):
    msg = "Cluster nope cannot be found."
    assert assert_error(acl_v3.get("/v3/clusters/nope/acls"), 404)["message"] == msg
    good = acl(principal=principal)
    assert assert_error(acl_v3.post("/v3/clusters/nope/acls", json=good), 404)["message"] == msg
    r = acl_v3.post("/v3/clusters/nope/acls:batch", json={"data": [good]})
    assert assert_error(r, 404)["message"] == msg
    r = acl_v3.post("/v3/clusters/nope/acls:batch", json={"data": []})
    assert assert_error(r, 404)["message"] == msg
    kafka_create(acl_admin, [good])
    r = acl_v3.delete("/v3/clusters/nope/acls", params={
        "resource_type": "any", "pattern_type": "any", "operation": "any", "permission": "any"})
    assert assert_error(r, 404)["message"] == msg
    assert kafka_acls(acl_admin, principal) == [good]


# --------------------------------------------------------------------------------------------
# Create


def test_create_one(acl_v3, acl_names, acl_admin, principal):
    a = acl("TOPIC", "topic-", "PREFIXED", principal, "1.2.3.4", "WRITE", "ALLOW")
    r = post_acl(acl_v3, acl_names, a)
    assert r.status_code == 201, r.text
    assert r.content == b""
    assert r.headers["Location"] == acl_names.acl(**a)["self"]
    assert kafka_acls(acl_admin, principal) == [a]
    # The Location finds exactly it.
    found = acl_v3.get(r.headers["Location"]).json()
    assert found["data"] == [expected(acl_names, a)]
    assert found["metadata"]["self"] == r.headers["Location"]
    # Creating it again changes nothing.
    assert post_acl(acl_v3, acl_names, a).status_code == 201
    assert kafka_acls(acl_admin, principal) == [a]


def test_create_each_resource_type(acl_v3, acl_names, acl_admin, principal):
    made = [
        acl("TOPIC", "t1", "LITERAL", principal, "*", "ALL", "DENY"),
        acl("GROUP", "grp", "PREFIXED", principal, "*", "READ", "ALLOW"),
        acl("CLUSTER", "kafka-cluster", "LITERAL", principal, "*", "IDEMPOTENT_WRITE", "ALLOW"),
    ]
    for a in made:
        assert post_acl(acl_v3, acl_names, a).status_code == 201
    assert kafka_acls(acl_admin, principal) == sorted(made, key=order_key)


CREATE_RULES = [
    ({"resource_type": "ANY"}, "resource_type cannot be ANY"),
    ({"resource_type": "UNKNOWN"}, "resource_type cannot be ANY"),
    ({"pattern_type": "ANY"}, "pattern_type cannot be ANY"),
    ({"pattern_type": "MATCH"}, "pattern_type cannot be MATCH"),
    ({"pattern_type": "UNKNOWN"}, "pattern_type cannot be UNKNOWN"),
    ({"operation": "ANY"}, "operation cannot be ANY"),
    ({"operation": "UNKNOWN"}, "operation cannot be ANY"),
    ({"permission": "ANY"}, "permission cannot be ANY"),
    ({"permission": "UNKNOWN"}, "permission cannot be ANY"),
    ({"resource_type": "ANY", "permission": "ANY"}, "resource_type cannot be ANY"),
]


@pytest.mark.parametrize("change,message", CREATE_RULES)
def test_create_rules(acl_v3, acl_names, acl_admin, principal, change, message):
    a = dict(acl(principal=principal), **change)
    assert assert_error(post_acl(acl_v3, acl_names, a), 400)["message"] == message
    # The batch checks every entry: a good first entry is not created either.
    r = post_batch(acl_v3, acl_names, {"data": [acl(principal=principal), a]})
    assert assert_error(r, 400)["message"] == message
    # Checked before the cluster, as Confluent.
    r = acl_v3.post("/v3/clusters/nope/acls", json=a)
    assert assert_error(r, 400)["message"] == message
    assert kafka_acls(acl_admin, principal) == []


def _bad_bodies(p):
    good = acl(principal=p)
    out = []
    for f in ACL_FIELDS:
        out.append({k: v for k, v in good.items() if k != f})  # missing
        out.append(dict(good, **{f: None}))  # null
        out.append(dict(good, **{f: ["x"]}))  # wrong type
    for f in ENUM_PARAMS:
        out.append(dict(good, **{f: good[f].lower()}))  # Jackson reads enums exactly
        out.append(dict(good, **{f: "TEAPOT"}))
    out.append(dict(good, extra=1))  # Jackson fails on unknown properties
    out.append([good])
    out.append("text")
    return out


def test_create_bad_bodies_are_400(acl_v3, acl_names, acl_admin, principal):
    for body in _bad_bodies(principal):
        assert_error(post_acl(acl_v3, acl_names, body), 400)
        assert_error(post_batch(acl_v3, acl_names, {"data": [body]}), 400)
    for raw in (b"{", b"not json", b'{"resource_type":'):
        r = acl_v3.post(acl_names.url("acls"), data=raw,
                        headers={"Content-Type": "application/json"})
        assert_error(r, 400)
        r = acl_v3.post(acl_names.url("acls:batch"), data=raw,
                        headers={"Content-Type": "application/json"})
        assert_error(r, 400)
    assert kafka_acls(acl_admin, principal) == []


@pytest.mark.parametrize("path", ["acls", "acls:batch"])
def test_create_empty_body_is_422(acl_v3, acl_names, path):
    for raw in (b"", b"null", b"  \n"):
        r = acl_v3.post(acl_names.url(path), data=raw,
                        headers={"Content-Type": "application/json"})
        assert assert_error(r, 422, 42206)["message"] == NULL_PAYLOAD


def test_create_wrong_media_type_is_415(acl_v3, acl_names, acl_admin, principal):
    import json

    r = acl_v3.post(acl_names.url("acls"), data=json.dumps(acl(principal=principal)),
                    headers={"Content-Type": "text/plain"})
    assert_error(r, 415)
    assert kafka_acls(acl_admin, principal) == []


# --------------------------------------------------------------------------------------------
# Batch create


def test_batch_create(acl_v3, acl_names, acl_admin, principal):
    bob = acl("TOPIC", "topic-", "PREFIXED", principal, "1.2.3.4", "WRITE", "ALLOW")
    alice = acl("TOPIC", "*", "LITERAL", principal, "*", "READ", "ALLOW")
    group = acl("GROUP", "g", "LITERAL", principal, "*", "DELETE", "DENY")
    r = post_batch(acl_v3, acl_names, {"data": [bob, alice, group]})
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert "Location" not in r.headers
    want = sorted([bob, alice, group], key=order_key)
    assert kafka_acls(acl_admin, principal) == want
    body = search(acl_v3, acl_names, principal=principal)
    assert body["data"] == [expected(acl_names, a) for a in want]


def test_batch_empty_list_is_204(acl_v3, acl_names):
    r = post_batch(acl_v3, acl_names, {"data": []})
    assert r.status_code == 204, r.text
    assert r.content == b""


@pytest.mark.parametrize("body", [{}, {"data": None}, {"data": [None]}])
def test_batch_without_data_is_422(acl_v3, acl_names, body):
    r = post_batch(acl_v3, acl_names, body)
    assert assert_error(r, 422, 42206)["message"] == EMPTY_DATA


@pytest.mark.parametrize("body", [{"data": {}}, {"data": "x"}, {"data": [], "extra": 1}, [],
                                  {"data": [{"resource_type": "TOPIC"}]}])
def test_batch_bad_bodies_are_400(acl_v3, acl_names, body):
    assert_error(post_batch(acl_v3, acl_names, body), 400)


# --------------------------------------------------------------------------------------------
# Delete


def _delete(client, names, **query):
    return client.delete(names.url("acls"), params=query)


def test_delete_one_by_its_self_url(acl_v3, acl_names, acl_admin, principal):
    made = some_acls(principal)
    kafka_create(acl_admin, made)
    target = acl("TOPIC", "orders", "LITERAL", principal, "*", "READ", "DENY")
    r = acl_v3.delete(acl_names.acl(**target)["self"])
    assert r.status_code == 200, r.text
    assert r.json() == {"data": [expected(acl_names, target)]}
    rest = sorted((a for a in made if a != target), key=order_key)
    assert kafka_acls(acl_admin, principal) == rest
    # Deleting it again deletes nothing.
    r = acl_v3.delete(acl_names.acl(**target)["self"])
    assert r.status_code == 200 and r.json() == {"data": []}
    assert kafka_acls(acl_admin, principal) == rest


def test_delete_many_sorted(acl_v3, acl_names, acl_admin, principal, request):
    other = f"User:krest-other-{uuid.uuid4().hex[:8]}"
    request.addfinalizer(lambda: kafka_delete(acl_admin, other))
    made = some_acls(principal)
    kafka_create(acl_admin, made + [acl(principal=other)])
    r = _delete(acl_v3, acl_names, resource_type="any", pattern_type="any", operation="any",
                permission="any", principal=principal)
    assert r.status_code == 200, r.text
    assert r.json() == {"data": [expected(acl_names, a) for a in sorted(made, key=order_key)]}
    assert kafka_acls(acl_admin, principal) == []
    assert kafka_acls(acl_admin, other) == [acl(principal=other)]


@pytest.mark.parametrize(
    "query,gone",
    [
        ({"resource_type": "topic", "pattern_type": "prefixed"}, {("ord", "READ", "DENY")}),
        ({"resource_type": "topic", "pattern_type": "literal", "resource_name": "orders",
          "operation": "read"}, {("orders", "READ", "DENY"), ("orders", "READ", "ALLOW")}),
        ({"resource_type": "any", "pattern_type": "any", "host": "10.0.0.1"},
         {("ord", "READ", "DENY"), ("other", "ALL", "ALLOW")}),
        ({"resource_type": "group", "pattern_type": "match", "resource_name": "g1"},
         {("g1", "READ", "ALLOW")}),
    ],
)
def test_delete_filters(acl_v3, acl_names, acl_admin, principal, query, gone):
    made = some_acls(principal)
    kafka_create(acl_admin, made)
    full = {"operation": "any", "permission": "any", "principal": principal, **query}
    r = _delete(acl_v3, acl_names, **full)
    assert r.status_code == 200, r.text
    got = r.json()["data"]
    assert {(a["resource_name"], a["operation"], a["permission"]) for a in got} == gone
    assert got == sorted(got, key=order_key)
    left = [a for a in made if (a["resource_name"], a["operation"], a["permission"]) not in gone]
    assert kafka_acls(acl_admin, principal) == sorted(left, key=order_key)


@pytest.mark.parametrize("missing", ENUM_PARAMS)
def test_delete_requires_the_enums(acl_v3, acl_names, acl_admin, principal, missing):
    kafka_create(acl_admin, [acl(principal=principal)])
    q = {"resource_type": "any", "pattern_type": "any", "operation": "any", "permission": "any",
         "principal": principal}
    del q[missing]
    msg = f"{missing} cannot be unspecified or UNKNOWN"
    assert assert_error(_delete(acl_v3, acl_names, **q), 400)["message"] == msg
    q[missing] = "unknown"
    assert assert_error(_delete(acl_v3, acl_names, **q), 400)["message"] == msg
    assert kafka_acls(acl_admin, principal) == [acl(principal=principal)]


def test_delete_without_parameters_deletes_nothing(acl_v3, acl_names, acl_admin, principal):
    kafka_create(acl_admin, [acl(principal=principal)])
    r = _delete(acl_v3, acl_names)
    assert assert_error(r, 400)["message"] == "resource_type cannot be unspecified or UNKNOWN"
    assert kafka_acls(acl_admin, principal) == [acl(principal=principal)]


# --------------------------------------------------------------------------------------------
# What librdkafka 2.0.2 cannot do, and a broker without an authorizer


@pytest.mark.parametrize("rt", ["TRANSACTIONAL_ID", "DELEGATION_TOKEN"])
def test_resource_types_librdkafka_lacks_are_40002(acl_v3, acl_names, acl_admin, principal, rt):
    a = acl(rt, "tx", "LITERAL", principal, "*", "WRITE", "ALLOW")
    assert_error(post_acl(acl_v3, acl_names, a), 400, 40002)
    assert_error(post_batch(acl_v3, acl_names, {"data": [a]}), 400, 40002)
    assert_error(acl_v3.get(acl_names.url("acls"), params={"resource_type": rt}), 400, 40002)
    r = _delete(acl_v3, acl_names, resource_type=rt, pattern_type="any", operation="any",
                permission="any")
    assert_error(r, 400, 40002)
    assert kafka_acls(acl_admin, principal) == []


def test_transactional_id_acl_reads_back_as_unknown(acl_v3, acl_names, acl_admin, principal):
    """librdkafka 2.0.2 reads resource types past CLUSTER as UNKNOWN (docs/v3.md): such an ACL,
    made by another client, is listed and deleted with resource_type UNKNOWN."""
    tx = acl("TRANSACTIONAL_ID", "tx", "LITERAL", principal, "*", "WRITE", "ALLOW")
    topic = acl("TOPIC", "a", "LITERAL", principal, "*", "READ", "ALLOW")
    kafka_create(acl_admin, [tx, topic])
    shown = dict(tx, resource_type="UNKNOWN")
    body = search(acl_v3, acl_names, principal=principal)
    assert body["data"] == [expected(acl_names, shown), expected(acl_names, topic)]
    r = _delete(acl_v3, acl_names, resource_type="any", pattern_type="any", operation="write",
                permission="any", principal=principal)
    assert r.status_code == 200, r.text
    assert r.json() == {"data": [expected(acl_names, shown)]}
    assert kafka_acls(acl_admin, principal) == [topic]


def test_no_authorizer_is_40002(v3, v3_names):
    names = v3_names
    a = acl(principal="User:krest-noauth")
    for r in (
        v3.get(names.url("acls")),
        v3.get(names.url("acls"), params={"resource_type": "topic"}),
        v3.post(names.url("acls"), json=a),
        v3.post(names.url("acls:batch"), json={"data": [a]}),
        v3.delete(names.url("acls"), params={"resource_type": "any", "pattern_type": "any",
                                             "operation": "any", "permission": "any"}),
    ):
        assert_error(r, 400, 40002)
    # The request checks come first there too.
    assert_error(v3.get(names.url("acls"), params={"operation": "unknown"}), 400)
    # An empty batch asks Kafka nothing (Confluent's CreateAcls of no binding sends none).
    assert v3.post(names.url("acls:batch"), json={"data": []}).status_code == 204
