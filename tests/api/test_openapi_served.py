"""The OpenAPI documents krest serves (issue 16, item 5): GET /openapi.json and /openapi of the
REST Proxy's listener (v1/v2 and v3) and of the built-in Schema Registry's listener.

- each document, as scripts/openapi-bundle makes it from docs/openapi/*.yaml, is valid OpenAPI
  3.0 (openapi-spec-validator);
- it matches the route tables both ways: every route `krest --routes` prints (router/routes.c,
  routes_v3.c, sr_routes.c) has an operation, and every operation has a route;
- krest serves exactly that document (the bytes the build embedded are the bundle of the YAML);
- the response check of conftest.py (openapi_hook.py) refuses what differs from the document,
  so every response the suite receives can fail its test.
"""

import json
import re
import subprocess

import pytest
import requests
from openapi_spec_validator import validate as validate_spec

import openapi_hook
from conftest import KREST_BIN, free_port, media_type
from openapi_check import METHODS, OpenApiMismatch, bundler, served_doc

KINDS = ("rest", "registry")


def normalise(template):
    """'/topics/{topic}/partitions/{partition:int}' and '/topics/{t}/partitions/{p}' -> one."""
    return re.sub(r"\{[^}/]+\}", "{}", template)


def route_table():
    """{(kind, METHOD, normalised template)} of `krest --routes`."""
    out = subprocess.run([KREST_BIN, "--routes"], capture_output=True, text=True, timeout=10)
    assert out.returncode == 0, out.stderr
    rows = set()
    for line in out.stdout.splitlines():
        kind, method, template = line.split(" ")
        assert kind in KINDS, line
        rows.add((kind, method, normalise(template)))
    assert len(rows) == len(out.stdout.splitlines()), "a route is listed twice"
    return rows


def documented(kind):
    doc = served_doc(kind)
    return {
        (kind, m.upper(), normalise(p))
        for p, item in doc["paths"].items()
        for m in item
        if m in METHODS
    }


@pytest.mark.parametrize("kind", KINDS)
def test_document_is_valid_openapi(kind):
    doc = served_doc(kind)
    assert doc["openapi"].startswith("3.0.")
    validate_spec(doc)


@pytest.mark.parametrize("kind", KINDS)
def test_every_route_has_an_operation_and_every_operation_a_route(kind, krest_bin):
    routes = {r for r in route_table() if r[0] == kind}
    ops = documented(kind)
    assert routes == ops, {
        "routes without an operation": sorted(routes - ops),
        "operations without a route": sorted(ops - routes),
    }


def test_route_counts(krest_bin):
    rows = route_table()
    rest = [r for r in rows if r[0] == "rest"]
    assert len([r for r in rest if r[2].startswith("/v3")]) >= 49
    assert len([r for r in rest if not r[2].startswith("/v3")]) >= 27
    assert len([r for r in rows if r[0] == "registry"]) >= 23


def test_operations_have_ids_success_and_errors():
    for kind in KINDS:
        ids = []
        for p, item in served_doc(kind)["paths"].items():
            for m, op in item.items():
                if m not in METHODS:
                    continue
                codes = set(op["responses"])
                assert "default" in codes, (kind, m, p)
                assert any(c.startswith("2") for c in codes), (kind, m, p)
                ids.append(op["operationId"])
        assert len(ids) == len(set(ids)), kind


def test_unserved_operations_are_left_out(tmp_path):
    """An operation marked x-krest-unserved (documented ahead of its route) is not served; v3
    records, once documented that way, are served now."""
    paths = served_doc("rest")["paths"]
    assert "/v3/clusters/{cluster_id}/topics/{topic_name}/records" in paths
    docs = bundler().DOCS
    for name in ("krest-v1-v2.yaml", "krest-v3.yaml", "krest-registry.yaml"):
        (tmp_path / name).write_text((docs / name).read_text())
    v3 = (tmp_path / "krest-v3.yaml").read_text()
    marked = v3.replace(
        "      operationId: produceRecordBatch\n",
        "      operationId: produceRecordBatch\n      x-krest-unserved: a test\n",
        1,
    )
    assert marked != v3
    (tmp_path / "krest-v3.yaml").write_text(marked)
    paths = bundler().bundle("rest", tmp_path)["paths"]
    assert "/v3/clusters/{cluster_id}/topics/{topic_name}/records:batch" not in paths
    assert "/v3/clusters/{cluster_id}/topics/{topic_name}/records" in paths


def test_the_bundle_refuses_colliding_components(tmp_path):
    docs = bundler().DOCS
    for name in ("krest-v1-v2.yaml", "krest-v3.yaml", "krest-registry.yaml"):
        (tmp_path / name).write_text((docs / name).read_text())
    v12 = (tmp_path / "krest-v1-v2.yaml").read_text()
    (tmp_path / "krest-v1-v2.yaml").write_text(v12.replace("    V2ErrorBody:", "    ErrorBody:", 1))
    with pytest.raises(ValueError, match="ErrorBody collides"):
        bundler().bundle("rest", tmp_path)


# --------------------------------------------------------------------------------------------
# What krest serves


@pytest.fixture(scope="module")
def krest_with_registry(tmp_path_factory, kafka_bootstrap, krest_bin):
    from conftest import KrestFactory
    from registry_helpers import registry_args

    f = KrestFactory(tmp_path_factory.mktemp("krest-openapi"))
    port = free_port()
    topic = f"_schemas-openapi-{port}"
    k = f(*registry_args(port, topic))
    k.registry_url = f"http://127.0.0.1:{port}"
    yield k
    f.teardown()


@pytest.mark.parametrize("path", ["/openapi.json", "/openapi"])
@pytest.mark.parametrize("kind", KINDS)
def test_krest_serves_the_document(krest_with_registry, kind, path):
    base = krest_with_registry.url if kind == "rest" else krest_with_registry.registry_url
    r = requests.get(base + path, timeout=10)
    assert r.status_code == 200, r.text[:300]
    assert media_type(r) == "application/json"
    assert r.content == bundler().to_json(served_doc(kind))
    assert r.json() == served_doc(kind)
    # A client that prefers another type still gets the document; one that refuses JSON: 406.
    r = requests.get(base + path, headers={"Accept": "application/json, */*;q=0.1"}, timeout=10)
    assert r.status_code == 200 and media_type(r) == "application/json"
    r = requests.get(base + path, headers={"Accept": "text/html"}, timeout=10)
    assert r.status_code == 406, r.text[:300]
    r = requests.head(base + path, timeout=10)
    assert r.status_code == 200 and r.content == b""


def test_the_two_listeners_serve_different_documents(krest_with_registry):
    a = requests.get(krest_with_registry.url + "/openapi.json", timeout=10).json()
    b = requests.get(krest_with_registry.registry_url + "/openapi.json", timeout=10).json()
    assert "/subjects" in b["paths"] and "/subjects" not in a["paths"]
    assert "/topics" in a["paths"] and "/topics" not in b["paths"]


# --------------------------------------------------------------------------------------------
# The response check of the whole suite can fail


class FakeResponse:
    def __init__(self, method, url, status, body, ctype):
        self.request = requests.Request(method, url).prepare()
        self.status_code = status
        self.content = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.headers = {"Content-Type": ctype} if ctype else {}
        self.text = self.content.decode()

    def json(self):
        return json.loads(self.content)


U = "http://127.0.0.1:1"
V2 = "application/vnd.kafka.v2+json"
V1 = "application/vnd.kafka.v1+json"
JSON = "application/json"
AVRO2 = "application/vnd.kafka.avro.v2+json"


@pytest.mark.parametrize(
    "kind,method,path,status,body,ctype",
    [
        ("rest", "GET", "/topics", 200, ["a", "b"], V2),
        ("rest", "GET", "/brokers", 200, {"brokers": [1]}, "application/json"),
        ("rest", "GET", "/topics/t", 404, {"error_code": 40401, "message": "x"}, V1),
        ("rest", "POST", "/consumers/g/instances/i/offsets", 200, [], V2),
        (
            "rest",
            "POST",
            "/consumers/g/instances/i/offsets",
            200,
            [{"topic": "t", "partition": 0, "consumed": 1, "committed": 1}],
            V1,
        ),
        ("rest", "DELETE", "/consumers/g/instances/i", 204, b"", None),
        ("rest", "PUT", "/topics", 405, {"error_code": 405, "message": "x"}, V2),
        ("rest", "GET", "/nothing/here", 404, {"error_code": 404, "message": "x"}, V2),
        ("rest", "GET", "/v3/clusters", 404, {"error_code": 404, "message": "x"}, JSON),
        ("registry", "GET", "/subjects", 200, ["s"], "application/vnd.schemaregistry.v1+json"),
        ("registry", "GET", "/config", 200, {"compatibilityLevel": "BACKWARD"}, "application/json"),
        ("rest", "GET", "/topics", 414, b"<html>too long</html>", "text/html"),
    ],
)
def test_the_check_passes_what_the_document_says(kind, method, path, status, body, ctype):
    openapi_hook.check(FakeResponse(method, U + path, status, body, ctype), kind)


def test_the_check_leaves_out_what_no_operation_describes():
    f = FakeResponse
    err = {"error_code": 404, "message": "x"}
    assert openapi_hook.check(f("GET", U + "/nothing", 404, err, V2), "rest") is False
    assert openapi_hook.check(f("GET", U + "/topics", 200, [], JSON), "registry") is False
    assert openapi_hook.check(f("PUT", U + "/topics", 405, err, V2), "rest") is False
    assert openapi_hook.check(f("GET", U + "/topics", 200, ["t"], V2), "rest") is True


@pytest.mark.parametrize(
    "kind,method,path,status,body,ctype,words",
    [
        ("rest", "GET", "/topics", 200, {"a": 1}, V2, "is not of type 'array'"),
        ("rest", "GET", "/topics", 201, ["a"], V2, "status 201 is not documented"),
        ("rest", "GET", "/topics", 200, ["a"], "text/plain", "is not JSON"),
        ("rest", "GET", "/topics", 200, ["a"], AVRO2, f"no {AVRO2} schema"),
        ("rest", "GET", "/brokers", 200, {"brokers": [1], "x": 2}, V2, "'x' was unexpected"),
        ("rest", "GET", "/topics/t", 404, {"error_code": "1", "message": "x"}, V2, "'integer'"),
        # v1 shapes under a v2 type, and the reverse
        (
            "rest",
            "POST",
            "/consumers/g/instances/i/offsets",
            200,
            [{"topic": "t", "partition": 0, "consumed": 1, "committed": 1}],
            V2,
            "expected to be empty",
        ),
        (
            "rest",
            "GET",
            "/consumers/g/instances/i/records",
            200,
            [{"key": None, "value": "dg==", "partition": 0, "offset": 1}],
            "application/vnd.kafka.binary.v2+json",
            "'topic' is a required property",
        ),
        ("rest", "PATCH", "/topics", 200, [], V2, "has no PATCH"),
        ("rest", "DELETE", "/consumers/g/instances/i", 204, {"x": 1}, V2, "no body"),
        ("rest", "GET", "/openapi", 200, {"openapi": "2", "info": {}, "paths": {}}, JSON, "match"),
        ("registry", "GET", "/subjects", 200, [1], "application/json", "is not of type 'string'"),
    ],
)
def test_the_check_refuses_what_differs(kind, method, path, status, body, ctype, words):
    with pytest.raises(OpenApiMismatch) as e:
        openapi_hook.check(FakeResponse(method, U + path, status, body, ctype), kind)
    assert words in str(e.value), str(e.value)


def test_a_mismatch_of_a_krest_response_is_recorded_for_its_test():
    port = free_port()
    openapi_hook.register(["krest", f"--listeners=http://127.0.0.1:{port}"], port)
    since = openapi_hook.mark()
    try:
        openapi_hook._observe(FakeResponse("GET", f"http://127.0.0.1:{port}/topics", 200, {}, V2))
        openapi_hook._observe(FakeResponse("GET", f"http://127.0.0.1:{port}/topics", 200, [], V2))
        found = openapi_hook.take(since)
    finally:
        openapi_hook.discard(since)
    assert len(found) == 1 and "v2ListTopics" in found[0], found
