"""v3 records in full duplex over HTTPS (issue 14 follow-up): on an https listener the results
of a chunked upload go through the connection's GnuTLS session while libmicrohttpd reads the
body on the same session, each as soon as its record has its outcome. A raw TLS socket sends a
record and requires its result before sending the next, 100 times on one request."""

import select
import socket
import ssl
import time

import pytest

from conftest import read_topic
from test_v3_records_stream import STEP_S, Stream, rec
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
    k = start_https(start_krest, pki)
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
