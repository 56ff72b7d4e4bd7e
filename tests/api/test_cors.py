"""CORS as rest-utils configures Jetty's CrossOriginFilter (access.control.* keys):
preflights answered for every path, simple requests granted to allowed origins only, off by
default. docs/operations.md, "CORS"."""

import pytest

from conftest import V2

ALLOWED = "http://app.example:8000"
OTHER = "http://evil.example:8000"
CORS_HEADERS = (
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Allow-Credentials",
    "Access-Control-Expose-Headers",
    "Access-Control-Max-Age",
)


def no_cors(r):
    present = [h for h in CORS_HEADERS if h in r.headers]
    assert not present, f"unexpected CORS headers {present}: {dict(r.headers)}"


def vary(r):
    return [v.strip().lower() for v in r.headers.get("Vary", "").split(",")]


def preflight(k, path, origin, method="POST", headers="content-type"):
    h = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        h["Access-Control-Request-Headers"] = headers
    return k.request("OPTIONS", path, headers=h)


@pytest.fixture(scope="module")
def cors_krest(tmp_path_factory, kafka_bootstrap, krest_bin):
    from conftest import KrestFactory

    f = KrestFactory(tmp_path_factory.mktemp("krest-cors"))
    k = f(
        f"--access.control.allow.origin={ALLOWED},http://*.wild.example",
        "--access.control.allow.methods=GET,POST,DELETE",
        "--access.control.expose.headers=X-Krest-A,X-Krest-B",
    )
    yield k
    f.teardown()


PATHS = [
    "/",
    "/topics",
    "/topics/some-topic",
    "/topics/some-topic/partitions/0",
    "/consumers/g1",
    "/consumers/g1/instances/i1/records",
    "/v3/clusters",
    "/v3/clusters/abc/topics",
    "/no/such/route",
]


@pytest.mark.parametrize("path", PATHS)
def test_preflight_from_allowed_origin(cors_krest, path):
    r = preflight(cors_krest, path, ALLOWED)
    assert r.status_code == 204, r.text
    assert r.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "origin" in vary(r)
    methods = r.headers["Access-Control-Allow-Methods"].split(",")
    assert methods == ["GET", "POST", "DELETE"]
    allowed = [h.lower() for h in r.headers["Access-Control-Allow-Headers"].split(",")]
    assert "content-type" in allowed
    assert r.headers["Access-Control-Allow-Credentials"] == "true"
    assert int(r.headers["Access-Control-Max-Age"]) > 0
    assert r.content == b""


def test_preflight_wildcard_origin(cors_krest):
    r = preflight(cors_krest, "/topics", "http://ui.wild.example")
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == "http://ui.wild.example"
    no_cors(preflight(cors_krest, "/topics", "http://wild.example.attacker"))


@pytest.mark.parametrize("path", ["/topics", "/v3/clusters"])
def test_preflight_from_disallowed_origin_grants_nothing(cors_krest, path):
    r = preflight(cors_krest, path, OTHER)
    no_cors(r)
    assert r.status_code in (404, 405)


def test_preflight_with_method_not_allowed_grants_nothing(cors_krest):
    r = preflight(cors_krest, "/v3/clusters/abc/topics/t", ALLOWED, method="PATCH")
    assert r.status_code == 204
    no_cors(r)


def test_preflight_with_header_not_allowed_grants_nothing(cors_krest):
    r = preflight(cors_krest, "/topics/t", ALLOWED, headers="content-type,x-secret")
    assert r.status_code == 204
    no_cors(r)


def test_simple_request_from_allowed_origin(cors_krest):
    r = cors_krest.get("/topics", headers={"Origin": ALLOWED, "Accept": V2})
    assert r.status_code == 200
    assert isinstance(r.json(), list)
    assert r.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "origin" in vary(r)
    assert r.headers["Access-Control-Allow-Credentials"] == "true"
    assert r.headers["Access-Control-Expose-Headers"] == "X-Krest-A,X-Krest-B"
    assert "Access-Control-Allow-Methods" not in r.headers


def test_error_responses_carry_the_grant(cors_krest):
    """A script must be able to read krest's error bodies too."""
    r = cors_krest.get("/topics/no-such-topic-cors", headers={"Origin": ALLOWED})
    assert r.status_code == 404
    assert r.headers["Access-Control-Allow-Origin"] == ALLOWED


def test_simple_request_from_disallowed_origin(cors_krest):
    r = cors_krest.get("/topics", headers={"Origin": OTHER})
    assert r.status_code == 200  # served: CORS is the browser's check, not access control
    no_cors(r)


def test_request_without_origin(cors_krest):
    no_cors(cors_krest.get("/topics"))


def test_options_without_request_method_is_not_a_preflight(cors_krest):
    r = cors_krest.request("OPTIONS", "/topics", headers={"Origin": ALLOWED})
    assert r.status_code == 405
    assert r.headers["Access-Control-Allow-Origin"] == ALLOWED


def test_off_by_default(start_krest):
    k = start_krest()
    r = preflight(k, "/topics", ALLOWED)
    assert r.status_code == 405
    no_cors(r)
    r = k.get("/topics", headers={"Origin": ALLOWED})
    assert r.status_code == 200
    no_cors(r)


def test_any_origin_and_any_header(start_krest):
    k = start_krest("--access.control.allow.origin=*", "--access.control.allow.headers=*")
    r = preflight(k, "/topics/t", OTHER, headers="content-type,x-custom")
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == OTHER  # echoed, as Jetty does
    assert r.headers["Access-Control-Allow-Headers"] == "content-type,x-custom"
    assert r.headers["Access-Control-Allow-Methods"] == "GET,POST,HEAD"  # Jetty's default
    r = k.get("/brokers", headers={"Origin": OTHER})
    assert r.headers["Access-Control-Allow-Origin"] == OTHER


def test_credentials_can_be_turned_off(start_krest):
    k = start_krest(
        f"--access.control.allow.origin={ALLOWED}",
        "--krest.access.control.allow.credentials=false",
    )
    r = k.get("/brokers", headers={"Origin": ALLOWED})
    assert r.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Access-Control-Allow-Credentials" not in r.headers


def test_keys_listed_by_help(krest_bin):
    import subprocess

    out = subprocess.run([krest_bin, "--help"], capture_output=True, text=True).stdout
    for key in (
        "access.control.allow.origin",
        "access.control.allow.methods",
        "access.control.allow.headers",
        "access.control.expose.headers",
        "krest.access.control.allow.credentials",
    ):
        assert key in out, key
