"""The header-read deadline (issue 19, finding 5): krest.http.header.timeout.ms bounds the time a
request's header block may take, however slowly its bytes trickle. libmicrohttpd's own timeout
(idle.timeout.ms) restarts with every byte, so without it a client sending a byte every few
hundred milliseconds keeps its connection slot for ever."""

import socket
import time

HEAD = b"GET /topics HTTP/1.1\r\nHost: slow\r\n"
TRICKLE = b"X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n" * 20


def trickle_until_closed(port, limit_s, interval=0.2, first_request=b""):
    """Sends first_request (a whole request, answered before the trickle starts), then header
    bytes one every interval; returns the seconds from the first trickled byte until krest
    closed the connection, or None when it stayed open for limit_s."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        if first_request:
            s.sendall(first_request)
            s.settimeout(5)
            got = b""
            while b"\r\n\r\n" not in got:
                chunk = s.recv(65536)
                assert chunk, "closed before answering the first request"
                got += chunk
            assert got.startswith(b"HTTP/1.1 200"), got[:100]
        t0 = time.monotonic()
        s.sendall(HEAD)
        i = 0
        while time.monotonic() - t0 < limit_s:
            try:
                s.sendall(TRICKLE[i : i + 1])
                i += 1
                s.settimeout(interval)
                data = s.recv(65536)
                if not data:
                    return time.monotonic() - t0
            except socket.timeout:
                continue
            except (ConnectionResetError, BrokenPipeError):
                return time.monotonic() - t0
        return None
    finally:
        s.close()


def test_trickled_headers_are_cut_at_the_deadline(start_krest):
    """A byte every 200 ms never lets idle.timeout.ms (2 s) expire; the 1 s header deadline
    closes the connection anyway, without an answer, within a sweep of it."""
    k = start_krest(
        "--krest.http.header.timeout.ms=1000", "--idle.timeout.ms=2000", "--krest.access.log=false"
    )
    took = trickle_until_closed(k.port, limit_s=6)
    assert took is not None, "the trickling connection stayed open for 6 s"
    assert 0.8 <= took <= 3.0, took


def test_no_deadline_when_off(start_krest):
    """krest.http.header.timeout.ms=0: only the idle timeout, which the trickle keeps away."""
    k = start_krest(
        "--krest.http.header.timeout.ms=0", "--idle.timeout.ms=3000", "--krest.access.log=false"
    )
    assert trickle_until_closed(k.port, limit_s=3) is None


def test_kept_alive_connection_gets_idle_plus_header_time(start_krest):
    """After a response the next request's headers are due within idle.timeout.ms plus the
    header deadline: a kept-alive connection may wait idle, then send its next request."""
    k = start_krest(
        "--krest.http.header.timeout.ms=1000", "--idle.timeout.ms=3000", "--krest.access.log=false"
    )
    s = socket.create_connection(("127.0.0.1", k.port), timeout=5)
    try:
        req = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        for pause in (0, 1.8):  # 1.8 s idle: past the header deadline, within idle + header
            time.sleep(pause)
            s.sendall(req)
            data = b""
            while not data.endswith(b"{}"):
                chunk = s.recv(65536)
                assert chunk, f"closed after {pause} s idle"
                data += chunk
            assert data.startswith(b"HTTP/1.1 200"), data[:100]
    finally:
        s.close()
    # The trickle of a second request on a kept-alive connection is bounded too (idle + header).
    first = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    took = trickle_until_closed(k.port, limit_s=8, first_request=first)
    assert took is not None and took <= 5.5, took


def test_bench_shape_small(start_krest):
    """bench/slowloris at a small scale: 50 slow and 50 idle connections against a 1 s header
    deadline are all cut and reopen, and the canary is answered every time (the full-scale
    figures are in docs/operations.md)."""
    import importlib.machinery
    import importlib.util

    from conftest import REPO

    loader = importlib.machinery.SourceFileLoader("slowloris", str(REPO / "bench" / "slowloris"))
    spec = importlib.util.spec_from_loader("slowloris", loader)
    slowloris = importlib.util.module_from_spec(spec)
    loader.exec_module(slowloris)
    k = start_krest(
        "--krest.http.header.timeout.ms=1000", "--idle.timeout.ms=30000", "--krest.access.log=false"
    )
    r = slowloris.run(k.url, conns=50, idle=50, duration=4, source="127.0.0.2", timeout=5, ramp_s=2)
    assert r["canary_failed"] == {} and r["canary_ok"] >= 20, r
    assert r["slow_closed_by_server"] >= 50 and r["idle_closed_by_server"] >= 50, r
    assert r["slow_lifetime_p50_s"] < 3 and r["idle_lifetime_p50_s"] < 3, r


def test_slow_body_after_complete_headers_is_not_cut(start_krest, admin):
    """The deadline is for the header block only: a request whose headers are in may take its
    body (and its answer) longer than krest.http.header.timeout.ms; its records reach Kafka."""
    import json

    from conftest import create_topic, delete_topics, read_topic

    k = start_krest(
        "--krest.http.header.timeout.ms=1000", "--idle.timeout.ms=5000", "--krest.access.log=false"
    )
    topic = create_topic(admin)
    try:
        body = json.dumps({"records": [{"value": {"slow": i}} for i in range(3)]}).encode()
        head = (
            f"POST /topics/{topic} HTTP/1.1\r\nHost: x\r\n"
            "Content-Type: application/vnd.kafka.json.v2+json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        s = socket.create_connection(("127.0.0.1", k.port), timeout=10)
        try:
            s.sendall(head)
            step = max(1, len(body) // 12)
            for i in range(0, len(body), step):  # ~2.4 s: past the 1 s header deadline
                time.sleep(0.2)
                s.sendall(body[i : i + step])
            data = b""
            while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
                chunk = s.recv(65536)
                assert chunk, f"closed during a slow body: {data[:200]!r}"
                data += chunk
            assert data.startswith(b"HTTP/1.1 200"), data[:200]
        finally:
            s.close()
        got = read_topic(topic)
        assert [json.loads(m.value) for m in got] == [{"slow": i} for i in range(3)]
    finally:
        delete_topics(admin, [topic])


def test_stalled_tls_handshake_is_cut(start_krest):
    """On an https listener the deadline counts from the TCP accept: a client that starts a
    TLS handshake and stalls (its bytes before any header) is cut at the header deadline, not
    at the longer idle.timeout.ms."""
    from conftest import _test_tls_flags, free_port

    port = free_port()
    start_krest(
        *_test_tls_flags(),
        f"--listeners=https://127.0.0.1:{port}",
        "--krest.http.header.timeout.ms=1000",
        "--idle.timeout.ms=8000",
        listeners=False,
        port=port,
        wait=False,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            break
        except OSError:
            assert time.monotonic() < deadline, "krest did not listen"
            time.sleep(0.1)
    try:
        t0 = time.monotonic()
        s.sendall(b"\x16\x03\x01")  # the start of a TLS record, then nothing
        try:
            data = s.recv(100)
        except ConnectionResetError:
            data = b""
        took = time.monotonic() - t0
    finally:
        s.close()
    assert data == b"", data
    assert 0.8 <= took <= 3.0, took
