"""Request ids and the access log (docs/operations.md): X-Request-ID is taken from the request
when sane (1 to 128 visible ASCII characters) or made (16 hex characters), echoed on every
response (errors too) and carried by the request's log lines; krest.access.log.format=json
writes one JSON object per access log line."""

import json
import re
import subprocess
import uuid

import requests

import rawhttp
from conftest import KREST_BIN, V2, clean_env, wait_until

MADE = re.compile(r"^[0-9a-f]{16}$")


def rid(r):
    return r.headers.get("X-Request-ID")


def raw_request(k, path, headers):
    with rawhttp.connect(k.port) as s:
        s.sendall(rawhttp.request_bytes("GET", path, headers=headers))
        return rawhttp.read_response(s)


def test_request_id_made_and_echoed_on_every_response(start_krest):
    k = start_krest("--max.request.header.size=2048")
    seen = set()
    for method, path, kw, status in [
        ("GET", "/", {}, 200),
        ("GET", "/healthy", {}, 200),
        ("GET", "/no-such-path-" + uuid.uuid4().hex, {}, 404),
        ("DELETE", "/topics", {}, 405),
        ("GET", "/topics", {"headers": {"Accept": "text/html"}}, 406),
        ("POST", "/topics/x", {"data": b"{}", "headers": {"Content-Type": "text/plain"}}, 415),
        ("GET", "/", {"headers": {"X-Big": "a" * 4096}}, 431),
    ]:
        r = k.request(method, path, **kw)
        assert r.status_code == status, (method, path, r.status_code, r.text)
        assert MADE.match(rid(r) or ""), (method, path, r.headers)
        seen.add(rid(r))
    assert len(seen) == 7, "request ids repeat"


def test_request_id_given_is_kept(start_krest):
    k = start_krest()
    for given in ["abc-123", str(uuid.uuid4()), "x" * 128, "!~[]{}\"'\\/"]:
        r = k.get("/", headers={"X-Request-ID": given})
        assert r.status_code == 200
        assert rid(r) == given
    r = k.get("/no-such-path", headers={"x-request-id": "lower-case-name"})
    assert r.status_code == 404 and rid(r) == "lower-case-name"


def test_hostile_request_id_is_replaced(start_krest):
    k = start_krest()
    for given in ["x" * 129, "a b", "tab\there", "ctl\x01\x02", ""]:
        r = k.get("/", headers={"X-Request-ID": given})
        assert r.status_code == 200
        assert MADE.match(rid(r) or ""), (given, rid(r))
    # bytes no client library would send: DEL, non-ASCII
    for raw in ["del\x7f", "caf\xe9", "\xff\xfe"]:
        resp = raw_request(k, "/", {"X-Request-ID": raw})
        assert resp.status == 200
        assert MADE.match(resp.headers.get("x-request-id", "")), (raw, resp.headers)
    # none of it reached the log
    log = k.log()
    assert "x" * 129 not in log and "ctl\x01" not in log and "tab\there" not in log


def access_lines(k):
    out = []
    for line in k.log().splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))  # every JSON line parses
    return out


def find_json_line(k, request_id):
    def find():
        for o in access_lines(k):
            if o.get("request_id") == request_id:
                return o
        return None

    return wait_until(find, 3)


def test_json_access_log(start_krest):
    k = start_krest("--krest.access.log.format=json")
    given = "json-" + uuid.uuid4().hex
    r = k.get("/topics", headers={"X-Request-ID": given, "Accept": V2, "User-Agent": "probe/1"})
    assert r.status_code == 200
    o = find_json_line(k, given)
    assert o, f"no JSON access line with {given}:\n{k.log_tail()}"
    assert o["method"] == "GET" and o["path"] == "/topics" and o["status"] == 200
    assert o["bytes"] == len(r.content)
    assert isinstance(o["duration_ms"], (int, float)) and o["duration_ms"] >= 0
    assert o["remote"] == "127.0.0.1"
    assert o["user_agent"] == "probe/1"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", o["time"]), o["time"]
    assert o["aborted"] is False
    # an error, with a made id
    r = k.get("/no-such-" + uuid.uuid4().hex)
    assert r.status_code == 404
    o = find_json_line(k, rid(r))
    assert o and o["status"] == 404 and o["path"] == r.request.path_url
    # a path that is not UTF-8 once decoded still gives a line that parses
    resp = raw_request(k, "/%FF%FEbad", {"X-Request-ID": "bad-utf8"})
    assert resp.status == 404
    o = find_json_line(k, "bad-utf8")
    assert o and o["path"] == "/??bad", o
    # the text access line is gone in json mode
    assert not [ln for ln in k.log().splitlines() if " access GET " in ln]


def test_text_access_log_carries_the_id(start_krest):
    k = start_krest()
    given = "text-" + uuid.uuid4().hex
    r = k.get("/brokers", headers={"X-Request-ID": given})
    assert r.status_code == 200
    line = k.wait_log(rf"INFO  \[{given}\] access GET /brokers 200 ")
    assert line, k.log_tail()
    assert not access_lines(k)


def test_id_in_lines_logged_while_handling(start_krest):
    """A line a handler logs (consumer create with a client setting krest ignores) carries the
    request's id too."""
    k = start_krest()
    given = "handler-" + uuid.uuid4().hex
    group = "logs-g-" + uuid.uuid4().hex[:8]
    r = k.post(f"/consumers/{group}", json={"name": "c", "format": "binary", "foo.bar": "1"},
               headers={"Content-Type": V2, "X-Request-ID": given})
    assert r.status_code == 200, r.text
    assert rid(r) == given
    assert k.wait_log(rf"\[{given}\] consumer create: client setting 'foo.bar' ignored"), \
        k.log_tail()
    r = k.request("DELETE", f"/consumers/{group}/instances/c", headers={"Content-Type": V2})
    assert r.status_code == 204, r.text


def test_access_log_format_is_checked():
    p = subprocess.run([KREST_BIN, "--krest.access.log.format=xml"], capture_output=True,
                       timeout=10, env=clean_env())
    assert p.returncode == 2, p
    assert b"krest.access.log.format" in p.stderr and b"text or json" in p.stderr, p.stderr
    p = subprocess.run([KREST_BIN, "--help"], capture_output=True, timeout=10, env=clean_env())
    assert p.returncode == 0 and b"krest.access.log.format" in p.stdout
