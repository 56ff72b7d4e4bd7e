"""v3 records in full duplex over HTTPS (issue 14 follow-up): on an https listener the results
of a chunked upload go through the connection's GnuTLS session while libmicrohttpd reads the
body on the same session, each as soon as its record has its outcome. A raw TLS socket sends a
record and requires its result before sending the next, 100 times on one request."""

import select
import socket
import ssl
import time

import pytest

from conftest import read_topic, wait_until
from test_v3_records_stream import STEP_S, Stream, _conns, rec
from tls_helpers import client_context, pki, start_https  # noqa: F401 (pki: a fixture)


class TlsStream(Stream):
    """Stream over a TLS socket (the same chunked POST …/records)."""

    def __init__(self, port, topic, ctx):
        raw = socket.create_connection(("127.0.0.1", port))
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.s = ctx.wrap_socket(raw, server_hostname="localhost")
        self._start(topic)

    def _fill(self, deadline):
        if not self.s.pending():  # decrypted bytes already here need no select
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.s], [], [], left)[0]:
                raise TimeoutError("no data in time")
        try:
            got = self.s.recv(65536)
        except ssl.SSLWantReadError:
            return
        if not got:
            raise EOFError("connection closed")
        self.buf += got
        self.wire += got


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2])
def test_full_duplex_over_tls(start_krest, pki, new_topic, version):  # noqa: F811
    k = start_https(start_krest, pki, "--krest.v3.streaming.tls.full.duplex=true")
    t = new_topic()
    s = TlsStream(k.tls_port, t, client_context(pki, version=version))
    try:
        s.lockstep(100)
        # a burst: many results in flight while the body is still being read
        for i in range(100, 300):
            s.send(rec(i))
        got = []
        while len(got) < 200:
            got += s.results(STEP_S * 5)
        assert [r["offset"] for r in got] == list(range(100, 300))
        s.end()
        assert s.chunk() == b""
    finally:
        s.close()
    assert [x.value for x in read_topic(t)] == [f"r{i}".encode() for i in range(300)]
    assert "ERROR" not in k.log_tail()


def test_tls_streams_are_answered_at_the_end_unless_asked(start_krest, pki, new_topic):  # noqa: F811
    """By default (krest.v3.streaming.tls.full.duplex=false) a chunked upload over HTTPS is
    answered at the end of its body: libmicrohttpd 0.9.75 may write its own error on the TLS
    session while a result is being written (docs/v3.md), so full duplex over TLS is opt-in."""
    k = start_https(start_krest, pki)
    t = new_topic()
    s = TlsStream(k.tls_port, t, client_context(pki))
    try:
        for i in range(3):
            s.send(rec(i))
        with pytest.raises(TimeoutError):
            s.read_head(timeout=1.0)  # nothing before the upload ends
        s.end()
        s.read_head(timeout=STEP_S * 5)
        assert s.head.startswith("HTTP/1.1 200 OK\r\n"), s.head
        deadline = time.monotonic() + STEP_S * 5
        while s.buf.count(b'"error_code"') < 3:
            s._fill(deadline)
        body = s.buf.decode()
        if "chunked" in s.head.lower():  # whichever framing: the three results, in order
            body = "".join(p for p in body.split("\r\n") if p.startswith("{"))
        offsets = [int(x.split(",")[0]) for x in body.split('"offset":')[1:]]
        assert offsets == [0, 1, 2], body
    finally:
        s.close()
    assert [x.value for x in read_topic(t)] == [b"r0", b"r1", b"r2"]


def test_tls_client_that_never_reads_is_closed_at_idle_timeout(start_krest, pki, new_topic):  # noqa: F811
    """Over TLS too, a stream whose client takes none of its results for idle.timeout.ms is
    closed; the records krest read land in Kafka once each, an in-order prefix of those sent."""
    k = start_https(start_krest, pki, "--idle.timeout.ms=1000", "--krest.v3.streaming.tls.full.duplex=true")
    t = new_topic()
    raw = socket.create_connection(("127.0.0.1", k.tls_port))
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s = TlsStream.__new__(TlsStream)
    s.s = client_context(pki).wrap_socket(raw, server_hostname="localhost")
    s._start(t)
    s.s.setblocking(False)
    i, sent, rest, blocked_since = 0, 0, b"", None
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            if not rest:
                body = f'{{"value":{{"type":"STRING","data":"{i:07d}{"x" * 100}"}}}}'.encode()
                rest = b"%x\r\n%s\r\n" % (len(body), body)
                i += 1
            try:
                rest = rest[s.s.send(rest) :]  # a TLS send retried with the same bytes
                sent = i if not rest else i - 1
                blocked_since = None
            except (ssl.SSLWantWriteError, ssl.SSLWantReadError, BlockingIOError):
                blocked_since = blocked_since or time.monotonic()
                if time.monotonic() - blocked_since > 0.3:
                    break
                time.sleep(0.01)
            except OSError:
                break  # krest already closed it
        assert sent > 0
        assert wait_until(lambda: _conns(k.tls_port) == 0, 10)
    finally:
        s.close()
    assert "took no byte" in k.log_tail()

    def settled():
        a = len(read_topic(t))
        time.sleep(0.3)
        return a > 0 and a == len(read_topic(t))

    assert wait_until(settled, 15)
    vals = [x.value[:7] for x in read_topic(t)]
    assert len(vals) <= sent
    assert vals == [f"{n:07d}".encode() for n in range(len(vals))]
