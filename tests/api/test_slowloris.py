"""Slow clients and buffered bodies (issue 19, findings 5 and 8): slowloris connections must
not starve other clients, request bodies buffered at once are bounded by
krest.max.buffered.bytes, and a connection over server.connection.limit waits in the listen
backlog rather than being refused."""

import importlib.machinery
import importlib.util
import json
import socket
import time

from conftest import REPO, wait_until

_loader = importlib.machinery.SourceFileLoader("slowloris", str(REPO / "bench" / "slowloris"))
_spec = importlib.util.spec_from_loader("slowloris", _loader)
slowloris = importlib.util.module_from_spec(_spec)
_loader.exec_module(slowloris)

# Canary bound on a loaded CI machine (2 shared cores); a free slot answers in ~1 ms and
# measured p99 stayed below 20 ms by hand (README "Slow clients").
CANARY_P99_MS = 500


def test_slowloris_does_not_starve_a_canary(start_krest):
    """200 slow connections from one address against 100 slots: with a per-IP limit of 50 they
    hold half the slots at most, and the canary (another address) is answered every time.
    Without the limit they take every slot and the canary times out."""
    k = start_krest(
        "--server.connection.limit=100",
        "--krest.connection.limit.per.ip=50",
        "--krest.http.threads=2",
        "--krest.access.log=false",
    )
    r = slowloris.run(k.url, conns=200, duration=5, source="127.0.0.2", timeout=5, ramp_s=3)
    assert r["canary_failed"] == {}, r
    assert r["canary_ok"] >= 30, r
    assert r["canary_p99_ms"] < CANARY_P99_MS, r
    # The per-IP limit held: the surplus was refused (accepted and closed), not queued.
    assert r["slow_closed_by_server"] + r["slow_connect_failed"] > 0, r


def _send_headers(port, length=None, chunked=False, expect=False):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    head = "POST /topics/slowloris-none HTTP/1.1\r\nHost: x\r\n"
    head += "Content-Type: application/vnd.kafka.json.v2+json\r\n"
    if chunked:
        head += "Transfer-Encoding: chunked\r\n"
    else:
        head += f"Content-Length: {length}\r\n"
    if expect:
        head += "Expect: 100-continue\r\n"
    s.sendall((head + "\r\n").encode())
    return s


def _admitted(s):
    """After headers sent with Expect: 100-continue: True when krest answers 100 Continue (it
    sends it only after its header step admitted the request, i.e. reserved the body's bytes of
    the budget), False on a final answer (a 503 sent at once)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        assert chunk, f"closed without an answer: {data!r}"
        data += chunk
    status = int(data.split(b" ")[1])
    if status == 100:
        assert data.endswith(b"\r\n\r\n"), data  # nothing else was sent yet
        return True
    return False


def _read_response(s):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    while len(body) < length:
        chunk = s.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(head.split(b" ")[1]), body


def test_buffered_bodies_are_bounded_globally(start_krest):
    """A half-sent body of 600 KB holds 600 KB of a 1 MiB budget: a second request with a
    Content-Length of 600 KB is answered 503 at once, before any of its body is sent; once the
    holder goes away, the budget is free again.

    Each step waits for krest's own signal, not for time: connections land on different HTTP
    threads, so "sent first" is not "admitted first". The holder sends Expect: 100-continue and
    its body only after krest's 100 Continue (its bytes are reserved by then); after the holder
    closes, a 600 KB request is retried (headers only, Expect: 100-continue) until it gets 100
    Continue instead of an immediate 503, and then goes through with its body."""
    # idle.timeout.ms short: libmicrohttpd may notice a client that vanished mid-body only at the
    # connection's idle timeout, which is the bound on how long its reservation can outlive it
    k = start_krest(
        "--krest.max.buffered.bytes=1048576", "--krest.access.log=false", "--idle.timeout.ms=3000"
    )
    holder = _send_headers(k.port, 600_000, expect=True)
    assert _admitted(holder), "the holder itself was refused"
    holder.sendall(b"x" * 300_000)
    s = _send_headers(k.port, 600_000)
    s.settimeout(5)
    status, body = _read_response(s)
    s.close()
    assert status == 503, body
    doc = json.loads(body)
    assert doc["error_code"] == 503 and "buffer" in doc["message"], doc

    # A chunked body has no Content-Length: it is refused when it grows past the budget.
    c = _send_headers(k.port, chunked=True)
    c.settimeout(5)
    piece = b"y" * 100_000
    try:
        for _ in range(8):
            c.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
        c.sendall(b"0\r\n\r\n")
    except OSError:
        pass
    status, body = _read_response(c)
    c.close()
    assert status == 503, body

    holder.close()
    tries = []

    def admitted():
        t = _send_headers(k.port, 600_000, expect=True)
        t.settimeout(5)
        if _admitted(t):
            return t
        t.close()  # refused at once: krest has not seen the holder go yet
        tries.append(time.monotonic())
        return None

    t = wait_until(admitted, 10)  # within idle.timeout.ms (3 s) and a margin
    assert t, f"the budget was not released when the holder went away ({len(tries)} refusals)"
    try:
        t.sendall(b"z" * 600_000)
        status, body = _read_response(t)
    finally:
        t.close()
    assert 400 <= status < 500, (status, body)  # the body was taken: "z"s are no JSON


def test_connection_over_the_limit_waits_in_the_backlog(start_krest):
    """At server.connection.limit a new connection is neither refused nor reset: it waits and
    is answered as soon as a slot frees."""
    k = start_krest(
        "--server.connection.limit=1", "--krest.http.threads=1", "--krest.access.log=false"
    )
    hold = socket.create_connection(("127.0.0.1", k.port), timeout=5)
    hold.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")  # kept alive: holds the slot
    hold.settimeout(5)
    assert _read_response(hold)[0] == 200
    c = socket.create_connection(("127.0.0.1", k.port), timeout=5)
    c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    c.settimeout(1.0)
    try:
        early = c.recv(100)
    except socket.timeout:
        early = None
    assert early is None, f"answered or closed while over the limit: {early!r}"
    t0 = time.monotonic()
    hold.close()
    c.settimeout(5)
    status, _ = _read_response(c)
    c.close()
    assert status == 200
    assert time.monotonic() - t0 < 2
