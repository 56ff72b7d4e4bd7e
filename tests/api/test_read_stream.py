"""Streamed consumer reads (docs/design-notes.md, "Streamed reads"): a v2 read whose answer is
larger than 256 KiB goes out in HTTP/1.1 chunks while krest still writes it, compressed as one
stream when the client asks. Checked here against what an independent client (confluent-kafka)
reads from the topic: every record once, in order, in every coding; a record that is not JSON in
a later piece ends the answer there; offsets committed after a streamed read; a client that
vanishes mid-answer, and SIGTERM during one."""

import base64
import json
import os
import signal
import socket
import threading
import time

import pytest
import requests

from conftest import (
    BIN2,
    JSON2,
    TEST_AUTH,
    TEST_TLS,
    KrestFactory,
    _test_tls_flags,
    assert_error,
    create_consumer,
    create_topic,
    decode,
    delete_live_consumers,
    delete_topics,
    free_port,
    kafka_committed,
    produce_many,
    raw_get,
    read_topic,
    session_pki,
    wait_until,
)

@pytest.fixture(scope="module")
def factory(tmp_path_factory, kafka_bootstrap, krest_bin):
    f = KrestFactory(tmp_path_factory.mktemp("krest-read-stream"))
    yield f
    f.teardown()


@pytest.fixture(scope="module")
def k(factory):
    return factory()


@pytest.fixture(autouse=True)
def _delete_instances():
    yield
    delete_live_consumers()


def order(i):
    """A compressible JSON value of about 1 KiB (repeated names, small numbers)."""
    items = [{"sku": f"SKU-{(i * 7 + j) % 500:05d}", "qty": j % 5 + 1, "price": j * 3 + 0.5}
             for j in range(12)]
    return {"order_id": i, "customer": f"customer-{i % 300}", "items": items}


@pytest.fixture(scope="module")
def json_topic(admin, kafka_bootstrap):
    """3,000 JSON objects of ~1 KiB: ~3 MB, several streamed reads' worth."""
    t = create_topic(admin)
    produce_many(kafka_bootstrap, t, [{"value": json.dumps(order(i)).encode()}
                                      for i in range(3000)])
    yield t
    delete_topics(admin, [t])


@pytest.fixture(scope="module")
def bin_topic(admin, kafka_bootstrap):
    """2,000 random 1 KiB values with keys: base64 does not compress."""
    t = create_topic(admin)
    produce_many(kafka_bootstrap, t, [{"key": b"k%d" % i, "value": os.urandom(1024)}
                                      for i in range(2000)])
    yield t
    delete_topics(admin, [t])


def read_raw(k, c, ae, accept):
    """One GET …/records with Accept-Encoding ae: (response, decoded body bytes)."""
    r, raw = raw_get(k, c.path + "/records?timeout=1000&max_bytes=67108864", ae,
                     {"Accept": accept})
    return r, decode(r.headers.get("Content-Encoding"), raw)


def read_all(k, c, n, ae, accept):
    """Reads until n records came: (records, [(chunked, Content-Encoding, Content-Length)])."""
    got, answers = [], []
    deadline = time.monotonic() + 60
    while len(got) < n and time.monotonic() < deadline:
        r, body = read_raw(k, c, ae, accept)
        assert r.status_code == 200, body[:300]
        recs = json.loads(body)
        if recs:
            answers.append((r.headers.get("Transfer-Encoding") == "chunked",
                            r.headers.get("Content-Encoding"), r.headers.get("Content-Length")))
        got += recs
    assert len(got) == n, (len(got), n)
    return got, answers


@pytest.mark.parametrize("coding", ["identity", "gzip", "deflate", "br", "zstd"])
def test_streamed_json_read_every_coding(k, json_topic, kafka_bootstrap, coding):
    want = read_topic(json_topic, bootstrap=kafka_bootstrap)
    c = create_consumer(k, body={"format": "json", "auto.offset.reset": "earliest"})
    c.subscribe([json_topic])
    got, answers = read_all(k, c, len(want), coding, JSON2)
    assert [(x["topic"], x["partition"], x["offset"]) for x in got] == [
        (json_topic, 0, m.offset) for m in want
    ]
    assert [x["value"] for x in got] == [json.loads(m.value) for m in want]
    if coding == "identity":  # nothing to overlap: whole answers, sent from the buffer
        assert all(not chunked and enc is None and length for chunked, enc, length in answers)
        return
    streamed = [a for a in answers if a[0]]
    assert streamed, answers  # at least one answer came in chunks
    for chunked, enc, length in streamed:
        assert length is None and enc == coding, answers


def test_incompressible_read_goes_whole(k, bin_topic, kafka_bootstrap):
    """Random values: the first piece shows compression does not pay, so the answer goes out
    whole and as it is (Content-Length, no chunks), even to a gzip client."""
    want = read_topic(bin_topic, bootstrap=kafka_bootstrap)
    c = create_consumer(k, body={"format": "binary", "auto.offset.reset": "earliest"})
    c.subscribe([bin_topic])
    got, answers = read_all(k, c, len(want), "gzip, deflate", BIN2)
    assert [(x["offset"], base64.b64decode(x["key"]), base64.b64decode(x["value"]))
            for x in got] == [(m.offset, m.key, m.value) for m in want]
    assert all(not chunked and enc is None and length for chunked, enc, length in answers), answers
    assert max(int(length) for _, _, length in answers) > 256 * 1024, answers


def test_min_bytes_holds_for_streamed_answers(factory, json_topic, kafka_bootstrap):
    """krest.compression.min.bytes above the streaming size: answers smaller than it go out
    whole and as they are, as every other body of that size does, even when they would
    compress well and stream."""
    kr = factory("--krest.compression.min.bytes=50000000")
    want = read_topic(json_topic, bootstrap=kafka_bootstrap)
    c = create_consumer(kr, body={"format": "json", "auto.offset.reset": "earliest"})
    c.subscribe([json_topic])
    got, answers = read_all(kr, c, len(want), "gzip, deflate", JSON2)
    assert [x["offset"] for x in got] == [m.offset for m in want]
    assert all(not chunked and enc is None and length for chunked, enc, length in answers), answers
    assert max(int(length) for _, _, length in answers) > 256 * 1024, answers


def test_small_read_keeps_content_length(k, json_topic):
    c = create_consumer(k, body={"format": "json", "auto.offset.reset": "earliest"})
    c.subscribe([json_topic])
    got, answers = [], []
    deadline = time.monotonic() + 20
    while not got and time.monotonic() < deadline:
        r = requests.get(k.url + c.path + "/records?timeout=1000&max_bytes=5000",
                         headers={"Accept": JSON2, "Accept-Encoding": "identity"}, timeout=30)
        got = r.json()
        if got:
            answers.append(r.headers)
    assert got and len(got) < 20, len(got)
    assert answers[0].get("Content-Length") == str(len(r.content)), answers[0]
    assert answers[0].get("Transfer-Encoding") is None, answers[0]


def test_not_json_in_a_later_piece_ends_the_answer(k, admin, kafka_bootstrap):
    """Records before the bad one are answered (200), the bad one is 408/40801 on the next read
    and the position stays on it; past a seek the rest come."""
    t = create_topic(admin)
    try:
        values = [json.dumps(order(i)).encode() for i in range(1200)]
        values.append(b"{not json")
        values += [json.dumps(order(i)).encode() for i in range(1201, 1301)]
        produce_many(kafka_bootstrap, t, [{"value": v} for v in values])
        c = create_consumer(k, body={"format": "json", "auto.offset.reset": "earliest"})
        c.assign(t, [0])
        good, answers, r, body = [], [], None, b""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            r, body = read_raw(k, c, "gzip", JSON2)
            if r.status_code != 200:
                break
            recs = json.loads(body)
            if recs:
                answers.append(r.headers.get("Transfer-Encoding"))
            good += recs
        assert [x["offset"] for x in good] == list(range(1200))
        assert "chunked" in answers, answers
        assert r.status_code == 408, body[:300]
        err = json.loads(body)
        assert err["error_code"] == 40801 and t in err["message"] and "1200" in err["message"]
        assert_error(c.records(accept=JSON2, raw=True), 408, 40801)
        c.seek(t, 0, 1201)
        rest = []
        deadline = time.monotonic() + 20
        while len(rest) < 100 and time.monotonic() < deadline:
            rest += c.records(accept=JSON2)
        assert [x["offset"] for x in rest] == list(range(1201, 1301))
    finally:
        delete_topics(admin, [t])


def test_commit_after_streamed_read(k, json_topic, kafka_bootstrap):
    c = create_consumer(k, body={"format": "json", "auto.offset.reset": "earliest",
                                 "auto.commit.enable": "false"})
    c.subscribe([json_topic])
    got, answers = read_all(k, c, 3000, "gzip", JSON2)
    assert any(a[0] for a in answers), answers
    r = c.req("POST", "/offsets")
    assert r.status_code == 200, r.text
    assert kafka_committed(kafka_bootstrap, c.group, json_topic, [0]) == {0: 3000}


@pytest.mark.skipif(TEST_TLS or TEST_AUTH == "basic", reason="raw sockets speak plain HTTP")
def test_client_gone_mid_answer_then_sigterm(factory, admin, kafka_bootstrap):
    """A client that reads 1 KiB of a streamed answer and closes: krest carries on. Another that
    stops reading mid-answer while krest gets SIGTERM: krest still exits 0, once
    shutdown.graceful.ms passed."""
    kr = factory("--shutdown.graceful.ms=2000")  # the stalled answer is cut after 2 s
    t = create_topic(admin)
    try:
        produce_many(kafka_bootstrap, t, [{"value": json.dumps(order(i)).encode()}
                                          for i in range(15000)])
        c = create_consumer(kr, body={"format": "json", "auto.offset.reset": "earliest"})
        c.subscribe([t])
        wait_until(lambda: c.assignments() == [(t, 0)], 20)

        def start_read():
            s = socket.create_connection(("127.0.0.1", kr.port), timeout=30)
            # 1 MB: streamed (over 256 KiB), and the ~9 MB topic is never taken by one read
            s.sendall(f"GET {c.path}/records?timeout=3000&max_bytes=1000000 HTTP/1.1\r\n"
                      f"Host: x\r\nAccept: {JSON2}\r\nAccept-Encoding: gzip\r\n\r\n".encode())
            head = s.recv(1024)
            return s, head

        s, head = start_read()
        assert head.startswith(b"HTTP/1.1 200"), head[:200]
        assert b"chunked" in head.lower(), head[:400]  # streamed
        s.close()
        assert requests.get(kr.url + "/healthy", timeout=10).status_code == 200
        later = []  # the instance still answers
        deadline = time.monotonic() + 20
        while not later and time.monotonic() < deadline:
            later = c.records(accept=JSON2)
        assert later
        s, head = start_read()  # never read further
        try:
            kr.signal(signal.SIGTERM)
            assert kr.wait(timeout=20) == 0, kr.log_tail(40)
        finally:
            s.close()
        assert "still held" not in kr.log(), kr.log_tail(40)
    finally:
        delete_topics(admin, [t])


def test_streamed_read_over_https(factory, json_topic, kafka_bootstrap, monkeypatch):
    """libmicrohttpd's chunked answer, suspended and resumed, over TLS too."""
    ca = session_pki().ca
    orig = requests.sessions.Session.request

    def trusting(self, method, url, *args, **kw):
        kw.setdefault("verify", ca)
        return orig(self, method, url, *args, **kw)

    monkeypatch.setattr(requests.sessions.Session, "request", trusting)
    port = free_port()
    kr = factory(f"--listeners=https://127.0.0.1:{port}", *_test_tls_flags(), port=port)
    want = read_topic(json_topic, bootstrap=kafka_bootstrap)
    c = create_consumer(kr, body={"format": "json", "auto.offset.reset": "earliest"})
    c.subscribe([json_topic])
    assert kr.url.startswith("https://")
    got, chunked = [], False
    deadline = time.monotonic() + 60
    while len(got) < len(want) and time.monotonic() < deadline:
        r = requests.get(kr.url + c.path + "/records?timeout=1000&max_bytes=67108864",
                         headers={"Accept": JSON2, "Accept-Encoding": "gzip"}, verify=ca,
                         timeout=30)
        assert r.status_code == 200, r.text[:300]
        chunked |= r.headers.get("Transfer-Encoding") == "chunked"
        got += r.json()
    assert [x["offset"] for x in got] == [m.offset for m in want]
    assert chunked



def test_sigterm_while_the_writer_is_behind(factory, admin, kafka_bootstrap):
    """A streamed answer whose writer is slower than its client (brotli at level 9) when SIGTERM
    comes with no grace: its content reader keeps running dry and suspending while the daemons
    stop, and libmicrohttpd aborts the process when a daemon stops under a suspended connection.
    krest must exit 0 and cut the answer instead. A race: three rounds."""
    t = create_topic(admin)
    try:
        produce_many(kafka_bootstrap, t, [{"value": json.dumps(order(i)).encode()}
                                          for i in range(30000)])
        for _ in range(3):
            kr = factory("--shutdown.graceful.ms=0", "--krest.compression.level=9",
                         "--krest.consumer.buffer.bytes=67108864")
            c = create_consumer(kr, body={"format": "json", "auto.offset.reset": "earliest"})
            c.subscribe([t])
            wait_until(lambda: c.assignments() == [(t, 0)], 20)
            time.sleep(1)  # the buffer fills
            s = socket.create_connection(("127.0.0.1", kr.port), timeout=30)
            try:
                s.sendall(f"GET {c.path}/records?timeout=3000&max_bytes=67108864 HTTP/1.1\r\n"
                          f"Host: x\r\nAccept: {JSON2}\r\nAccept-Encoding: br\r\n\r\n"
                          .encode())
                head = s.recv(65536)
                assert head.startswith(b"HTTP/1.1 200"), head[:200]
                assert b"chunked" in head.lower(), head[:400]
                s.recv(65536)
                kr.signal(signal.SIGTERM)
                try:
                    while s.recv(65536):  # the client keeps reading until the answer ends
                        pass
                except ConnectionResetError:
                    pass
                assert kr.wait(timeout=20) == 0, kr.log_tail(40)
            finally:
                s.close()
            assert "suspended connections" not in kr.log(), kr.log_tail(40)
    finally:
        delete_topics(admin, [t])


def test_stream_ending_after_a_later_read_keeps_the_later_position(factory, admin,
                                                                   kafka_bootstrap):
    """A streamed answer whose pieces wait for the one worker (busy with a registry call that
    hangs) ends after a later read of the same instance on another connection: the committed
    position is the later read's, never moved back by the stream's records."""
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(8)
    accepted = []

    def accept_and_hang():
        while True:
            try:
                conn, _ = hole.accept()
            except OSError:
                return
            accepted.append(conn)  # never answered: the registry call waits client.timeout.ms

    threading.Thread(target=accept_and_hang, daemon=True).start()
    kr = factory("--krest.worker.threads=1",
                 f"--schema.registry.url=http://127.0.0.1:{hole.getsockname()[1]}")
    tj, ta = create_topic(admin), create_topic(admin)
    try:
        produce_many(kafka_bootstrap, tj, [{"value": json.dumps(order(i)).encode()}
                                           for i in range(4000)])
        produce_many(kafka_bootstrap, ta, [{"value": b"\x00\x00\x00\x03\xe7\x02x"}])
        c = create_consumer(kr, body={"format": "json", "auto.offset.reset": "earliest",
                                      "auto.commit.enable": "false"})
        c.subscribe([tj])
        first = []
        deadline = time.monotonic() + 20
        while not first and time.monotonic() < deadline:
            first = c.records(accept=JSON2, max_bytes=1)
        assert [x["offset"] for x in first] == [0]
        x = create_consumer(kr, body={"format": "avro", "auto.offset.reset": "earliest"})
        x.subscribe([ta])
        avro = {}
        threading.Thread(target=lambda: avro.update(r=x.records(
            accept="application/vnd.kafka.avro.v2+json", raw=True, timeout=8000)),
            daemon=True).start()
        assert wait_until(lambda: accepted, 20), "the registry call never started"
        a = requests.get(kr.url + c.path + "/records?timeout=3000&max_bytes=400000",
                         headers={"Accept": JSON2, "Accept-Encoding": "gzip"}, stream=True,
                         timeout=30)  # returns at its head: the records are taken
        assert a.status_code == 200 and a.headers.get("Transfer-Encoding") == "chunked", a.headers
        later = []
        deadline = time.monotonic() + 10
        while not later and time.monotonic() < deadline:
            later = c.records(accept=JSON2, max_bytes=20000, timeout=3000)
        assert later
        got_a = json.loads(a.raw.read(decode_content=True))
        offsets_a = [r["offset"] for r in got_a]
        offsets_b = [r["offset"] for r in later]
        assert offsets_a == list(range(1, 1 + len(offsets_a)))
        assert offsets_b[0] == offsets_a[-1] + 1, (offsets_a[-1], offsets_b[:3])
        r = c.req("POST", "/offsets")
        assert r.status_code == 200, r.text
        assert kafka_committed(kafka_bootstrap, c.group, tj, [0]) == {0: offsets_b[-1] + 1}
    finally:
        hole.close()
        for s in accepted:
            s.close()
        delete_topics(admin, [tj, ta])
