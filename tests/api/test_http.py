"""HTTP behaviour: routing errors, content negotiation, error bodies, limits, keep-alive, gzip,
slow and idle clients, connection limit, access log, hostile input (API.md §1.1, §2.1, §4,
section K)."""

import gzip
import json
import re
import socket
import struct
import threading
import time
import uuid

import pytest
import requests

import rawhttp
from conftest import V1, V2, assert_error, media_type

NODE_ACCEPT = "application/vnd.kafka.v1+json, application/vnd.kafka+json; q=0.9, application/json; q=0.8"


# --- routing errors -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/nope", "/topics/x/nope", "/brokers/1/x", "/v2", "/topicsx"])
def test_unknown_path_404(krest, path):
    assert_error(krest.get(path), 404, 404)


@pytest.mark.parametrize(
    "method,path", [("DELETE", "/topics"), ("PUT", "/brokers"), ("POST", "/brokers"), ("DELETE", "/")]
)
def test_wrong_method_405(krest, method, path):
    assert_error(krest.request(method, path, headers={"Content-Type": V2}, data="{}"), 405, 405)


# --- negotiation ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/topics", "/brokers"])
def test_accept_text_plain_406(krest, path):
    assert_error(krest.get(path, headers={"Accept": "text/plain"}), 406, 40601)


def test_accept_octet_stream_406(krest):
    # application/octet-stream is a request type only, never produced (§1.1).
    assert_error(krest.get("/", headers={"Accept": "application/octet-stream"}), 406, 40601)


@pytest.mark.parametrize("ctype", ["text/plain", "application/xml", "image/png"])
def test_post_root_bad_content_type_415(krest, ctype):
    r = krest.post("/", data='{"a":"b"}', headers={"Content-Type": ctype})
    assert_error(r, 415, 415)


NEGOTIATION = [
    (None, V2),
    ("*/*", V2),
    (V2, V2),
    ("application/json", "application/json"),
    (V1, V1),
    ("application/vnd.kafka+json", "application/vnd.kafka+json"),
    (NODE_ACCEPT, V1),
    (
        "application/vnd.kafka.v1+json; q=0.8, application/vnd.kafka+json; q=0.9, application/json; q=0.7",
        "application/vnd.kafka+json",
    ),
    (
        "application/vnd.kafka.v1+json; q=0.8, application/vnd.kafka+json; q=0.7, application/json; q=0.9",
        "application/json",
    ),
    ("text/plain, application/vnd.kafka.v2+json", V2),
]


@pytest.mark.parametrize("path", ["/", "/topics", "/brokers"])
@pytest.mark.parametrize("accept,expected", NEGOTIATION)
def test_response_content_type_echoes_negotiation(krest, path, accept, expected):
    headers = {"Accept": accept} if accept is not None else {}
    r = krest.get(path, headers=headers)
    assert r.status_code == 200, r.text
    assert media_type(r) == expected, r.headers.get("Content-Type")
    r.json()


def test_v1_accept_gives_v1_error_type(krest):
    r = krest.get("/topics/krest-test-missing-" + uuid.uuid4().hex, headers={"Accept": V1})
    assert_error(r, 404, 40401)
    assert media_type(r) == V1


# --- error bodies ---------------------------------------------------------------------------

ERRORS = [
    ("GET", "/no/such/path", {}, None, 404, 404),
    ("DELETE", "/brokers", {}, None, 405, 405),
    ("GET", "/brokers", {"Accept": "text/plain"}, None, 406, 40601),
    ("POST", "/", {"Content-Type": "text/plain"}, "{}", 415, 415),
    ("GET", "/topics/krest-test-missing-x1", {}, None, 404, 40401),
    ("GET", "/topics/krest-test-missing-x1/partitions/0", {}, None, 404, 40401),
    ("GET", "/topics/x/partitions/abc", {}, None, 404, 404),
]


@pytest.mark.parametrize("method,path,headers,body,status,code", ERRORS)
def test_error_bodies(krest, method, path, headers, body, status, code):
    r = krest.request(method, path, headers=headers, data=body)
    assert_error(r, status, code)
    if status != 406:
        assert media_type(r) in (V2, "application/json"), r.headers.get("Content-Type")


def test_unknown_partition_error_body(krest, new_topic):
    name = new_topic()
    assert_error(krest.get(f"/topics/{name}/partitions/5"), 404, 40402)


# --- limits ---------------------------------------------------------------------------------


def json_body(size):
    """A JSON string map of exactly `size` bytes."""
    pad = size - len('{"k":""}')
    return ('{"k":"' + "x" * pad + '"}').encode()


@pytest.fixture
def small_body_krest(start_krest):
    return start_krest("--krest.max.request.size=2048")


def test_body_under_limit_ok(small_body_krest):
    r = small_body_krest.post("/", data=json_body(1024), headers={"Content-Type": V2})
    assert r.status_code == 200, r.text
    assert r.json() == {}


def test_body_over_limit_413(small_body_krest):
    body = json_body(4096)
    assert len(body) == 4096
    r = small_body_krest.post("/", data=body, headers={"Content-Type": V2})
    assert_error(r, 413, 413)
    assert small_body_krest.get("/").status_code == 200


def chunks(body, n=512):
    for i in range(0, len(body), n):
        yield body[i : i + n]


def test_chunked_body_under_limit_ok(small_body_krest):
    r = small_body_krest.post("/", data=chunks(json_body(1024)), headers={"Content-Type": V2})
    assert r.request.headers.get("Transfer-Encoding") == "chunked"
    assert r.status_code == 200, r.text
    assert r.json() == {}


def test_chunked_body_over_limit_413(small_body_krest):
    r = small_body_krest.post("/", data=chunks(json_body(4096)), headers={"Content-Type": V2})
    assert r.request.headers.get("Transfer-Encoding") == "chunked"
    assert_error(r, 413, 413)
    assert small_body_krest.get("/").status_code == 200


def test_header_over_limit_431(start_krest):
    k = start_krest("--max.request.header.size=2048")
    r = k.get("/", headers={"X-Small": "a" * 1024})
    assert r.status_code == 200, r.text
    r = k.get("/", headers={"X-Big": "a" * 4096})
    assert r.status_code == 431, r.text
    assert k.get("/").status_code == 200


# --- keep-alive -----------------------------------------------------------------------------


def test_keep_alive_session_reuses_one_connection(krest):
    with requests.Session() as s:
        for i in range(20):
            r = s.get(krest.url + ("/" if i % 2 else "/brokers"), timeout=10)
            assert r.status_code == 200, r.text
            assert r.headers.get("Connection", "").lower() != "close"
        pools = s.get_adapter(krest.url).poolmanager.pools
        opened = sum(pools[key].num_connections for key in pools.keys())
        assert opened == 1, f"{opened} connections opened for 20 requests"


def test_keep_alive_raw_socket(krest):
    with rawhttp.connect(krest.port) as s:
        s.sendall(rawhttp.request_bytes("GET", "/"))
        r1 = rawhttp.read_response(s)
        assert r1.status == 200 and json.loads(r1.body) == {}, r1
        s.sendall(rawhttp.request_bytes("GET", "/brokers"))
        r2 = rawhttp.read_response(s)
        assert r2.status == 200 and json.loads(r2.body) == {"brokers": [1]}, r2
        body = b'{"a":"b"}'
        s.sendall(rawhttp.request_bytes("POST", "/", {"Content-Type": V2}, body))
        r3 = rawhttp.read_response(s)
        assert r3.status == 200 and json.loads(r3.body) == {}, r3


def test_http10_connection_closed_after_response(krest):
    with rawhttp.connect(krest.port) as s:
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        r = rawhttp.read_response(s)
        assert r.status == 200 and json.loads(r.body) == {}
        assert rawhttp.closed_by_peer(s, 3)


# --- gzip -----------------------------------------------------------------------------------


def raw_get(url, headers):
    """GET without letting requests decode the body: (response, raw body bytes)."""
    r = requests.get(url, headers=headers, stream=True, timeout=10)
    raw = r.raw.read(decode_content=False)
    return r, raw


def test_gzip_large_response(krest, new_topic):
    name = new_topic()
    r, raw = raw_get(f"{krest.url}/topics/{name}", {"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert r.headers.get("Content-Encoding") == "gzip"
    body = json.loads(gzip.decompress(raw))
    assert body["name"] == name
    assert len(json.dumps(body)) > 1024
    assert len(raw) < len(json.dumps(body))
    # requests' own decoding path works too
    assert requests.get(f"{krest.url}/topics/{name}", timeout=10).json() == body


def test_no_gzip_without_accept_encoding(krest, new_topic):
    name = new_topic()
    r, raw = raw_get(f"{krest.url}/topics/{name}", {"Accept-Encoding": "identity"})
    assert r.status_code == 200
    assert "Content-Encoding" not in r.headers or r.headers["Content-Encoding"] == "identity"
    assert json.loads(raw)["name"] == name


def test_no_gzip_for_small_response(krest):
    r, raw = raw_get(f"{krest.url}/", {"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert "Content-Encoding" not in r.headers
    assert json.loads(raw) == {}


def test_compression_disabled(start_krest, new_topic):
    k = start_krest("--compression.enable=false")
    name = new_topic()
    r, raw = raw_get(f"{k.url}/topics/{name}", {"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert "Content-Encoding" not in r.headers
    assert json.loads(raw)["name"] == name
    assert len(raw) > 1024


# --- slow and idle clients, connection limit ------------------------------------------------


def test_slowloris_does_not_block_others(start_krest):
    k = start_krest()
    assert k.get("/topics").status_code == 200  # metadata warm
    socks = []
    try:
        for i in range(50):
            s = rawhttp.connect(k.port)
            s.sendall(b"GET /topics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-" + str(i).encode())
            socks.append(s)
        for _ in range(3):
            t0 = time.monotonic()
            r = requests.get(k.url + "/topics", timeout=5)
            elapsed = time.monotonic() - t0
            assert r.status_code == 200
            assert elapsed < 1.0, f"GET /topics took {elapsed:.2f} s with 50 stalled clients"
    finally:
        for s in socks:
            s.close()


def test_idle_timeout_closes_connection(start_krest):
    k = start_krest("--idle.timeout.ms=1000")
    silent = rawhttp.connect(k.port)
    used = rawhttp.connect(k.port)
    try:
        used.sendall(rawhttp.request_bytes("GET", "/"))
        assert rawhttp.read_response(used).status == 200
        t0 = time.monotonic()
        assert rawhttp.closed_by_peer(silent, 3.5), "silent connection still open after 3.5 s"
        assert rawhttp.closed_by_peer(used, max(0.1, 3.5 - (time.monotonic() - t0))), (
            "idle keep-alive connection still open after 3.5 s"
        )
    finally:
        silent.close()
        used.close()
    assert k.get("/").status_code == 200


def test_default_idle_timeout_keeps_connection(krest):
    # default idle.timeout.ms is 30000: an idle connection survives 1.5 s
    with rawhttp.connect(krest.port) as s:
        s.sendall(rawhttp.request_bytes("GET", "/"))
        assert rawhttp.read_response(s).status == 200
        assert not rawhttp.closed_by_peer(s, 1.5)
        s.sendall(rawhttp.request_bytes("GET", "/"))
        assert rawhttp.read_response(s).status == 200


def sixth_is_served(port):
    """True when a new connection gets a 2xx answer to GET /."""
    try:
        s = rawhttp.connect(port, timeout=2)
    except OSError:
        return False
    with s:
        try:
            s.sendall(rawhttp.request_bytes("GET", "/"))
            r = rawhttp.read_response(s, timeout=1.5)
        except (OSError, ConnectionError):
            return False
        return 200 <= r.status < 300


def test_connection_limit(start_krest):
    k = start_krest("--server.connection.limit=5")
    socks = []
    try:
        for _ in range(5):
            s = rawhttp.connect(k.port)
            s.sendall(rawhttp.request_bytes("GET", "/"))
            assert rawhttp.read_response(s).status == 200
            socks.append(s)
        assert not sixth_is_served(k.port), "a 6th connection was served with a limit of 5"
    finally:
        for s in socks:
            s.close()
    ok = False
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and not ok:
        try:
            ok = requests.get(k.url + "/", timeout=1).status_code == 200
        except requests.RequestException:
            time.sleep(0.05)
    assert ok, "not served again 3 s after the 5 connections closed"


# --- access log -----------------------------------------------------------------------------

DURATION = re.compile(r"\d+(\.\d+)?\s*(ms|us|µs|s)\b|\b(duration|elapsed|took|time)[=:]\s*\d", re.I)


def access_line(k, method, path, status):
    def find():
        for line in k.log().splitlines():
            if path in line and method in line and re.search(rf"\b{status}\b", line):
                return line
        return None

    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        line = find()
        if line:
            return line
        time.sleep(0.05)
    return None


def test_access_log(start_krest):
    k = start_krest()
    probe = "/access-log-probe-" + uuid.uuid4().hex
    assert k.get(probe).status_code == 404
    assert k.get("/brokers").status_code == 200
    line = access_line(k, "GET", probe, 404)
    assert line, f"no access log line for GET {probe} 404 in:\n{k.log_tail()}"
    assert DURATION.search(line.replace(probe, "")), f"no duration in {line!r}"
    line = access_line(k, "GET", "/brokers", 200)
    assert line, f"no access log line for GET /brokers 200 in:\n{k.log_tail()}"
    assert DURATION.search(line), f"no duration in {line!r}"


# --- hostile input --------------------------------------------------------------------------


def raw_exchange(port, data, timeout=1.0):
    """Sends data; returns the status of the response, or None when the connection is closed
    or nothing answers within timeout."""
    try:
        with rawhttp.connect(port) as s:
            s.sendall(data)
            try:
                return rawhttp.read_response(s, timeout=timeout).status
            except (ConnectionError, socket.timeout, OSError, ValueError, IndexError):
                return None
    except OSError:
        return None


@pytest.fixture
def hostile_krest(start_krest):
    k = start_krest()
    yield k
    r = k.get("/")
    assert r.status_code == 200 and r.json() == {}, "krest stopped answering after hostile input"


def test_long_path(hostile_krest):
    k = hostile_krest
    path = "/a" * 5000
    try:
        r = k.get(path)
        assert 400 <= r.status_code < 500, r.status_code
    except requests.ConnectionError:
        pass


def test_long_topic_name(hostile_krest):
    r = hostile_krest.get("/topics/" + "t" * 3000)
    assert r.status_code in (404, 414, 431), r.status_code


@pytest.mark.parametrize(
    "path,codes",
    [
        ("/topics/%00", (40401, 404)),
        ("/topics/a%00b", (40401, 404)),
        ("/to%00pics", (404,)),
        ("/%00", (404,)),
        ("/topics/a%2Fb", (40401, 404)),
        ("/topics/..%2F..%2Fbrokers", (40401, 404)),
        ("/topics/%zz", (40401, 404)),
        ("/topics/%", (40401, 404)),
        ("/topics/%C3%28", (40401, 404)),
    ],
)
def test_hostile_paths(hostile_krest, path, codes):
    r = hostile_krest.get(path)
    assert r.status_code in (400, 404), (r.status_code, r.text)
    if r.status_code == 400:
        assert_error(r, 400, 400)
    else:
        body = assert_error(r, 404, r.json().get("error_code"))
        assert body["error_code"] in codes, body


@pytest.mark.parametrize(
    "path", ["/topics/%zz", "/topics/%", "/topics/%0", "/%", "/topics/a%00", "/topics/%2e%2e", "/topics/%ff%fe"]
)
def test_hostile_paths_raw(hostile_krest, path):
    # sent verbatim (requests would re-encode invalid escapes)
    with rawhttp.connect(hostile_krest.port) as s:
        s.sendall(rawhttp.request_bytes("GET", path))
        r = rawhttp.read_response(s)
    assert r.status in (400, 404), r
    body = json.loads(r.body)
    assert set(body) == {"error_code", "message"}, body
    assert body["error_code"] in (400, 404, 40401), body


def test_url_encoded_topic_name(hostile_krest, new_topic):
    name = new_topic(name="krest-test.enc_" + uuid.uuid4().hex[:8])
    encoded = "".join(f"%{b:02X}" for b in name.encode())
    r = hostile_krest.get(f"/topics/{encoded}")
    assert r.status_code == 200, r.text
    assert r.json()["name"] == name
    r = hostile_krest.get(f"/topics/{encoded}/partitions/0")
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\xff GARBAGE \r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
        b"GET /\r\n\r\n",
        b"GET / HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"\r\n" * 2000,
        b"A" * 20000 + b"\r\n\r\n",
    ],
)
def test_garbage_over_raw_socket(hostile_krest, data):
    status = raw_exchange(hostile_krest.port, data)
    assert status is None or 400 <= status < 600 or status == 200, status


def test_client_disconnects_mid_request(hostile_krest):
    k = hostile_krest
    for data in [
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/vnd.kafka.v2+json\r\n"
        b"Content-Length: 1000\r\n\r\n{\"a\":",
        b"GET /topics HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /brokers HTTP/1.1\r\nHost: x\r\n",
    ]:
        s = rawhttp.connect(k.port)
        s.sendall(data)
        s.close()
    # and a reset in the middle of many concurrent requests
    def hammer():
        for _ in range(20):
            try:
                s = rawhttp.connect(k.port)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.sendall(b"GET /topics HTTP/1.1\r\nHost: x\r\n\r\n")
                s.close()
            except OSError:
                pass

    threads = [threading.Thread(target=hammer) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
