"""v3 records in full duplex (API.md section K, "v3 streaming produce"): on an HTTP/1.1 chunked
upload each result is written as soon as its record has its outcome, while the body still
streams in. Raw sockets and curl's streaming upload; a client that never reads is stopped by a
bound (krest stops reading its body); a client that disconnects mid-stream leaves its records to
complete; SIGTERM answers every open stream and closes it, and every record answered 200 is in
Kafka exactly once."""

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import time

import pytest

from conftest import KrestFactory, read_topic, wait_until
from v3_helpers import cluster_id

STEP_S = 2.0  # a record's result must come within this, before the next record is sent


@pytest.fixture(scope="module")
def k(tmp_path_factory, kafka_bootstrap, krest_bin):
    f = KrestFactory(tmp_path_factory.mktemp("v3stream"))
    yield f()
    f.teardown()


class Stream:
    """One raw HTTP/1.1 chunked POST …/records: send records, read result lines."""

    def __init__(self, port, topic, rcvbuf=None):
        self.s = socket.socket()
        if rcvbuf:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.s.connect(("127.0.0.1", port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._start(topic)

    def _start(self, topic):
        path = f"/v3/clusters/{cluster_id()}/topics/{topic}/records"
        self.s.sendall(
            f"POST {path} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        self.buf = b""
        self.wire = b""  # every byte received
        self.head = None

    def wire_body(self):
        """The bytes received after the head."""
        return self.wire.split(b"\r\n\r\n", 1)[1]

    def send(self, obj):
        b = (obj if isinstance(obj, str) else json.dumps(obj)).encode()
        self.s.sendall(b"%x\r\n%s\r\n" % (len(b), b))

    def end(self):
        self.s.sendall(b"0\r\n\r\n")

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no data in time")
        r, _, _ = select.select([self.s], [], [], left)
        if not r:
            raise TimeoutError("no data in time")
        got = self.s.recv(65536)
        if not got:
            raise EOFError("connection closed")
        self.buf += got
        self.wire += got

    def _line(self, deadline):
        while b"\r\n" not in self.buf:
            self._fill(deadline)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read_head(self, timeout=STEP_S):
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in self.buf:
            self._fill(deadline)
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        self.head = head.decode()
        return self.head

    def chunk(self, timeout=STEP_S):
        """The next chunk's bytes (b"" for the last chunk)."""
        deadline = time.monotonic() + timeout
        if self.head is None:
            self.read_head(timeout)
        size = int(self._line(deadline), 16)
        while len(self.buf) < size + 2:
            self._fill(deadline)
        data, self.buf = self.buf[:size], self.buf[size + 2 :]
        return data

    def results(self, timeout=STEP_S):
        """The result objects of the next chunk (a chunk holds one or more lines)."""
        data = self.chunk(timeout)
        assert data.endswith(b"\r\n"), data
        return [json.loads(x) for x in data.split(b"\r\n")[:-1]]

    def lockstep(self, n):
        """Sends rec(0) … rec(n-1) on a fresh stream, each one's result (offset i) required
        within STEP_S before the next is sent; the first answer is a 200 chunked response."""
        for i in range(n):
            self.send(rec(i))
            [r] = self.results()
            assert r["error_code"] == 200 and r["offset"] == i, r
            if i == 0:
                assert self.head.startswith("HTTP/1.1 200 OK\r\n")
                assert "Transfer-Encoding: chunked" in self.head

    def close(self):
        self.s.close()


def rec(i):
    return {"value": {"type": "STRING", "data": f"r{i}"}}


def test_full_duplex_raw_socket(k, new_topic):
    t = new_topic()
    s = Stream(k.port, t)
    try:
        s.lockstep(100)
        s.send('{"value":{"type":"BINARY","data":1}}')
        [r] = s.results()
        assert r == {"error_code": 400, "message": "Bad Request: data=1 is not a base64 string."}
        s.end()
        assert s.chunk() == b""
    finally:
        s.close()
    assert [x.value for x in read_topic(t)] == [f"r{i}".encode() for i in range(100)]


def test_full_duplex_record_split_across_chunks(k, new_topic):
    t = new_topic()
    s = Stream(k.port, t)
    try:
        text = json.dumps({"value": {"type": "STRING", "data": "h\u00e9llo"}}).encode()
        for part in (text[:7], text[7:20], text[20:]):
            s.s.sendall(b"%x\r\n%s\r\n" % (len(part), part))
        [r] = s.results()
        assert r["error_code"] == 200
        s.send("{\"value\": nope}")
        [r] = s.results()
        assert r["error_code"] == 400 and r["message"].startswith("Bad Request: Error processing JSON")
        s.send(rec(5))  # dropped: the response ends
        assert s.chunk() == b""
    finally:
        s.close()


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed")
def test_full_duplex_curl_streaming_upload(k, new_topic):
    """curl's streaming upload from a pipe. `-T .` is curl's non-blocking stdin; with `-T -`
    curl blocks reading stdin and shows a result only when it reads the next record."""
    t = new_topic()
    url = f"http://127.0.0.1:{k.port}/v3/clusters/{cluster_id()}/topics/{t}/records"
    p = subprocess.Popen(
        ["curl", "-sN", "-X", "POST", "-H", "Content-Type: application/json",
         "-H", "Transfer-Encoding: chunked", "-T", ".", url],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0,
    )
    buf = b""
    try:
        for i in range(5):
            p.stdin.write((json.dumps(rec(i)) + "\n").encode())
            deadline = time.monotonic() + STEP_S
            while b"\n" not in buf:
                left = deadline - time.monotonic()
                r, _, _ = select.select([p.stdout], [], [], max(left, 0))
                assert r, f"no result for record {i} within {STEP_S} s"
                buf += os.read(p.stdout.fileno(), 65536)
            line, _, buf = buf.partition(b"\n")
            assert json.loads(line)["offset"] == i, line
        p.stdin.close()
        assert p.wait(10) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def _rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_client_that_never_reads_is_stopped(k, new_topic):
    t = new_topic()
    s = Stream(k.port, t, rcvbuf=4096)
    s.s.setblocking(False)
    body = json.dumps({"value": {"type": "STRING", "data": "x" * 100}}).encode()
    one = b"%x\r\n%s\r\n" % (len(body), body)
    blob = one * 500
    sent, blocked_since = 0, None
    deadline = time.monotonic() + 30
    rest = blob  # what is left of the blob being sent (a send may take part of it)
    try:
        while time.monotonic() < deadline:
            try:
                n = s.s.send(rest)
                sent += n
                rest = rest[n:] or blob
                blocked_since = None
            except BlockingIOError:
                blocked_since = blocked_since or time.monotonic()
                if time.monotonic() - blocked_since > 1.5:
                    break
                time.sleep(0.01)
        assert blocked_since is not None, f"krest kept reading: {sent} bytes sent in 30 s"
        assert sent < 200 * 2**20, sent
        assert _rss_kib(k.proc.pid) < 600 * 1024
        assert k.get("/").status_code == 200  # krest serves others meanwhile
    finally:
        s.close()
    # the records it read still reach Kafka; krest stays healthy
    assert wait_until(lambda: len(read_topic(t)) > 0, 10)


def test_client_disconnects_mid_stream(k, new_topic):
    """Records krest has read complete after the client is gone (20 whose results were read,
    then 30 more sent and the connection reset): what lands is an in-order prefix, at least
    the first 20, none twice."""
    t = new_topic()
    s = Stream(k.port, t)
    got = []
    for i in range(20):
        s.send(rec(i))
        got += s.results()
    for i in range(20, 50):
        s.send(rec(i))
    s.s.shutdown(socket.SHUT_RDWR)
    s.close()
    assert [r["offset"] for r in got] == list(range(20))
    time.sleep(0.5)  # what krest read is produced within linger.ms; then nothing more arrives

    def settled():
        a = len(read_topic(t))
        time.sleep(0.3)
        return a == len(read_topic(t))

    assert wait_until(settled, 10)
    vals = [x.value for x in read_topic(t)]
    assert len(vals) >= 20
    assert vals == [f"r{i}".encode() for i in range(len(vals))]
    # the proxy still serves streams
    s2 = Stream(k.port, t)
    try:
        s2.send(rec(99))
        assert s2.results()[0]["error_code"] == 200
        s2.end()
        assert s2.chunk() == b""
    finally:
        s2.close()


def test_sigterm_answers_every_open_stream(tmp_path, kafka_bootstrap, krest_bin, new_topic):
    t = new_topic(partitions=2)
    f = KrestFactory(tmp_path)
    kr = f()
    streams = [Stream(kr.port, t) for _ in range(8)]
    acked = []
    try:
        for n, s in enumerate(streams):
            for i in range(10):
                s.send(rec(f"{n}-{i}"))
            got = []
            while len(got) < 10:
                got += s.results(5)
            assert all(r["error_code"] == 200 for r in got), got
            acked += [(r["partition_id"], r["offset"]) for r in got]
        for n, s in enumerate(streams):  # one more each, results not read yet
            s.send(rec(f"{n}-last"))
        kr.signal(signal.SIGTERM)
        for n, s in enumerate(streams):
            while True:
                data = s.chunk(15)
                if data == b"":
                    break
                for x in data.split(b"\r\n")[:-1]:
                    r = json.loads(x)
                    assert r["error_code"] in (200, 50003), r
                    if r["error_code"] == 200:
                        acked.append((r["partition_id"], r["offset"]))
        assert kr.wait(20) == 0
    finally:
        for s in streams:
            s.close()
        f.teardown()
    recs = read_topic(t)
    where = [(r.partition, r.offset) for r in recs]
    assert len(set(where)) == len(where)
    for a in acked:
        assert a in where, a
    vals = [r.value for r in recs]
    assert len(vals) == len(set(vals)), "a record is in Kafka twice"
    assert len(acked) >= 80


def test_rate_limit_in_band_429(tmp_path, kafka_bootstrap, krest_bin, new_topic):
    """api.v3.produce.rate.limit.* (with rate.limit.enable): records over the rate get an
    in-band 429, the others go through; the stream stays open."""
    t = new_topic()
    f = KrestFactory(tmp_path)
    try:
        kr = f(
            "--rate.limit.enable=true",
            "--api.v3.produce.rate.limit.enabled=true",
            "--api.v3.produce.rate.limit.max.requests.global.per.sec=5",
            "--rate.limit.costs=api.v3.produce.produce-to-topic=0",
        )
        import requests

        u = f"http://127.0.0.1:{kr.port}/v3/clusters/{cluster_id()}/topics/{t}/records"
        body = "\n".join(json.dumps(rec(i)) for i in range(12))
        r = requests.post(u, data=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 200, r.text
        res = [json.loads(x) for x in r.text.split("\r\n")[:-1]]
        codes = [x["error_code"] for x in res]
        assert codes.count(200) == 5 and codes[:5] == [200] * 5, codes
        for x in res[5:]:
            assert x == {
                "error_code": 429,
                "message": "Request rate limit exceeded: The rate limit of requests per second "
                "has been exceeded.",
            }
        assert len(read_topic(t)) == 5
    finally:
        f.teardown()


def test_streaming_max_duration(tmp_path, kafka_bootstrap, krest_bin, new_topic):
    """After streaming.connection.max.duration.ms every further record gets the in-band 408; past
    the grace period the stream takes no more records and its response ends."""
    t = new_topic()
    f = KrestFactory(tmp_path)
    try:
        kr = f(
            "--streaming.connection.max.duration.ms=1000",
            "--streaming.connection.max.duration.grace.period.ms=500",
        )
        s = Stream(kr.port, t)
        s.send(rec(0))
        assert s.results()[0]["error_code"] == 200
        time.sleep(1.1)
        s.send(rec(1))
        [r] = s.results()
        assert r == {
            "error_code": 408,
            "message": "Streaming connection open for longer than allowed: Connection will be "
            "closed.",
        }
        s.send(rec(2))  # within the grace period: 408 too
        [r] = s.results()
        assert r["error_code"] == 408
        time.sleep(0.6)
        s.send(rec(3))  # after the grace period: no answer; the response ends
        assert s.chunk() == b""
        s.close()
        assert [x.value for x in read_topic(t)] == [b"r0"]
    finally:
        f.teardown()


def test_sigterm_closes_a_stream_that_never_reads(tmp_path, kafka_bootstrap, krest_bin, new_topic):
    """A stream suspended because its client never reads its results is closed by the drain at
    shutdown.graceful.ms; krest exits 0."""
    t = new_topic()
    f = KrestFactory(tmp_path)
    try:
        kr = f("--shutdown.graceful.ms=2000")
        s = Stream(kr.port, t, rcvbuf=4096)
        s.s.setblocking(False)
        body = json.dumps({"value": {"type": "STRING", "data": "x" * 100}}).encode()
        blob = (b"%x\r\n%s\r\n" % (len(body), body)) * 500
        blocked_since = None
        deadline = time.monotonic() + 30
        rest = blob
        while time.monotonic() < deadline:
            try:
                n = s.s.send(rest)
                rest = rest[n:] or blob
                blocked_since = None
            except BlockingIOError:
                blocked_since = blocked_since or time.monotonic()
                if time.monotonic() - blocked_since > 1.0:
                    break
                time.sleep(0.01)
        assert blocked_since is not None
        kr.signal(signal.SIGTERM)
        assert kr.wait(15) == 0
        s.close()
    finally:
        f.teardown()


def _fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def _conns(port):
    """krest's open connections on its listener port (the kernel's view)."""
    n = 0
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if int(local.split(":")[1], 16) == port and state not in ("0A", "06"):
                n += 1  # not LISTEN nor TIME_WAIT
    return n


def _closed_by_peer(sock):
    """Whether the peer closed sock (what was received is drained: krest is gone by then)."""
    try:
        while True:
            r, _, _ = select.select([sock], [], [], 0)
            if not r:
                sock.send(b"0")  # raises once the peer has reset the connection
                return False
            if not sock.recv(65536):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except BlockingIOError:
        return False


def test_client_that_never_reads_is_closed_at_idle_timeout(tmp_path, kafka_bootstrap, krest_bin,
                                                           new_topic):
    """A stream whose socket takes no byte of its results for idle.timeout.ms is closed (a
    suspended connection is outside libmicrohttpd's own idle timeout): krest's descriptors
    return to their baseline, and the records krest read complete in Kafka unanswered -- an
    in-order prefix of those sent, none twice (API.md section K, "v3 streaming produce")."""
    t = new_topic()
    f = KrestFactory(tmp_path)
    try:
        kr = f("--idle.timeout.ms=1000")
        w = Stream(kr.port, t)  # the producer's connections are open from here
        w.send(rec(-1))
        assert w.results()[0]["error_code"] == 200
        w.end()
        assert w.chunk() == b""
        w.close()
        assert wait_until(lambda: _conns(kr.port) == 0, 5)
        base = _fds(kr.proc.pid)
        s = Stream(kr.port, t, rcvbuf=4096)
        s.s.setblocking(False)
        i, sent_records, rest = 0, 0, b""
        blocked_since = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if not rest:
                body = json.dumps({"value": {"type": "STRING", "data": f"{i:07d}" + "x" * 100}})
                rest = b"%x\r\n%s\r\n" % (len(body), body.encode())
                i += 1
            try:
                rest = rest[s.s.send(rest) :]
                sent_records = i if not rest else i - 1
                blocked_since = None
            except BlockingIOError:
                blocked_since = blocked_since or time.monotonic()
                if time.monotonic() - blocked_since > 0.3:
                    break
                time.sleep(0.01)
            except (ConnectionResetError, BrokenPipeError):
                break  # krest already closed it
        assert blocked_since is not None or sent_records, "nothing was sent"
        assert _conns(kr.port) == 1 or _closed_by_peer(s.s)
        assert wait_until(lambda: _conns(kr.port) == 0, 10)
        assert wait_until(lambda: _fds(kr.proc.pid) == base, 5), (base, _fds(kr.proc.pid))
        assert wait_until(lambda: _closed_by_peer(s.s), 5)
        s.close()
        assert b"took no byte" in kr.log_path.read_bytes()

        def settled():
            a = len(read_topic(t))
            time.sleep(0.3)
            return a == len(read_topic(t))

        assert wait_until(settled, 15)
        vals = [x.value[:7] for x in read_topic(t)][1:]  # after the warm-up's
        assert 0 < len(vals) <= sent_records
        assert vals == [f"{n:07d}".encode() for n in range(len(vals))]
        assert k_get_ok(kr)  # krest serves others afterwards
    finally:
        f.teardown()


def k_get_ok(kr):
    return kr.get("/").status_code == 200


@pytest.mark.parametrize("mode", ["true", "false"])
def test_stream_to_missing_topic_follows_auto_create(start_krest, admin, mode):
    """A stream to a topic that does not exist follows krest.topic.auto.create as the buffered
    endpoint and v2 do: created, then every record produced; or, under "false", an in-band
    40401 per record (at once, never a wait)."""
    from conftest import unique_topic

    t = unique_topic("krest-v3stream-auto")
    kr = start_krest(f"--krest.topic.auto.create={mode}")
    s = Stream(kr.port, t)
    try:
        for i in range(3):
            s.send(rec(i))
            [r] = s.results(STEP_S * 5 if i == 0 else STEP_S)  # the first waits for the creation
            if mode == "true":
                assert r["error_code"] == 200 and r["offset"] == i, r
            else:
                assert r == {"error_code": 40401, "message": "Topic not found."}, r
        s.end()
        assert s.chunk() == b""
    finally:
        s.close()
    try:
        if mode == "true":
            assert [x.value for x in read_topic(t)] == [b"r0", b"r1", b"r2"]
        else:
            assert t not in admin.list_topics(timeout=10).topics
    finally:
        if mode == "true":
            for f in admin.delete_topics([t], operation_timeout=15).values():
                f.result(timeout=20)


def test_stream_partition_added_after_metadata_cached(k, admin, new_topic):
    """A stream naming a partition added a moment ago gets it (one more snapshot, and the
    producer learns it), as v2 produce; a partition that does not exist is still 40402."""
    from confluent_kafka.admin import NewPartitions

    t = new_topic(partitions=1)
    s = Stream(k.port, t)
    try:
        s.send(rec(0))
        [r] = s.results()
        assert r["error_code"] == 200, r
        admin.create_partitions([NewPartitions(t, 2)])[t].result(timeout=20)
        assert wait_until(lambda: len(admin.list_topics(t, timeout=5).topics[t].partitions) == 2, 10)
        s.send(dict(rec(1), partition_id=1))
        [r] = s.results(STEP_S * 2)
        assert (r["error_code"], r.get("partition_id")) == (200, 1), r
        s.send(dict(rec(2), partition_id=5))
        [r] = s.results(STEP_S * 2)
        assert r["error_code"] == 40402, r
        s.end()
        assert s.chunk() == b""
    finally:
        s.close()
    assert sorted((x.partition, x.value) for x in read_topic(t)) == [(0, b"r0"), (1, b"r1")]


def test_access_log_counts_stream_bytes(k, new_topic):
    """The access-log line of a full-duplex stream gives the body bytes sent (its chunks, the
    framing included: what followed the head on the wire), not 0."""
    t = new_topic()
    s = Stream(k.port, t)
    try:
        for i in range(3):
            s.send(rec(i))
            [r] = s.results()
            assert r["error_code"] == 200, r
        s.end()
        assert s.chunk() == b""
        body = s.wire_body()
    finally:
        s.close()
    path = f"/v3/clusters/{cluster_id()}/topics/{t}/records"

    def line():
        return [ln for ln in k.log().splitlines() if " access POST " + path + " " in ln]

    assert wait_until(lambda: line(), 5), k.log_tail()
    fields = line()[-1].split(" access POST " + path + " ")[1].split()
    assert fields[0] == "200" and int(fields[1]) == len(body), (fields, len(body))
