"""Where Basic authentication meets the other features (a review's regression tests):
with krest.cluster.enable on, a request carrying X-Krest-Forwarded skips Basic authentication
because api_forward_intercept() verifies its HMAC before the handler runs. Every path that
does not reach that check must authenticate as usual: a v3 streaming (full duplex) produce, and
a CORS preflight (access.control.skip.options=false)."""

import json
import socket
import time
import uuid

import requests

from conftest import basic_auth_files, basic_header, read_topic
from v3_helpers import cluster_id

SECRET = "review-secret"


def start(f, tmp_path, *more):
    jaas, _ = basic_auth_files(tmp_path, ["alice: alice-pw,admin"], realm="KafkaRest")
    k = f(
        "--authentication.method=BASIC",
        "--authentication.realm=KafkaRest",
        "--authentication.roles=admin",
        f"--krest.authentication.jaas.file={jaas}",
        "--krest.cluster.enable=true",
        f"--krest.cluster.topic=_krest_instances_{uuid.uuid4().hex[:8]}",
        f"--krest.cluster.secret={SECRET}",
        *more,
        wait=False,
    )
    k.ready_headers = f"Authorization: {basic_header('alice', 'alice-pw')}\r\n".encode()
    k.wait_ready()
    return k


def raw_stream(port, topic, extra_headers, records):
    """A chunked POST …/records (served in full duplex); returns the raw answer."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        path = f"/v3/clusters/{cluster_id()}/topics/{topic}/records"
        head = (
            f"POST {path} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            "Connection: close\r\nTransfer-Encoding: chunked\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in extra_headers)
            + "\r\n"
        )
        s.sendall(head.encode())
        for r in records:
            b = json.dumps(r).encode()
            s.sendall(b"%x\r\n%s\r\n" % (len(b), b))
        s.sendall(b"0\r\n\r\n")
        out = b""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                got = s.recv(65536)
            except socket.timeout:
                break
            if not got:
                break
            out += got
        return out.decode(errors="replace")
    finally:
        s.close()


def test_forwarded_mark_does_not_skip_auth_on_a_streaming_produce(start_krest, tmp_path,
                                                                   new_topic):
    k = start(start_krest, tmp_path)
    t = new_topic()
    rec = {"value": {"type": "STRING", "data": "forged"}}
    for mark in ("1", f"{int(time.time() * 1000)}:{'0' * 64}"):
        out = raw_stream(k.port, t, [("X-Krest-Forwarded", mark)], [rec])
        status = out.split("\r\n", 1)[0]
        assert status.startswith("HTTP/1.1 403"), out[:500]
        assert '"error_code":40301' in out, out[:500]
    # the same stream with the user's credentials is served in full duplex
    auth = [("Authorization", basic_header("alice", "alice-pw"))]
    out = raw_stream(k.port, t, auth, [{"value": {"type": "STRING", "data": "ok"}}])
    assert out.startswith("HTTP/1.1 200"), out[:500]
    assert "Transfer-Encoding: chunked" in out, out[:500]
    # nothing of the forged streams reached Kafka
    assert [m.value for m in read_topic(t)] == [b"ok"]


def test_forwarded_mark_does_not_skip_auth_on_a_preflight(start_krest, tmp_path):
    k = start(
        start_krest,
        tmp_path,
        "--access.control.allow.origin=*",
        "--access.control.skip.options=false",
    )
    h = {
        "Origin": "http://example.com",
        "Access-Control-Request-Method": "POST",
        "X-Krest-Forwarded": "1",
    }
    r = requests.options(k.url + "/topics", headers=h, timeout=10)
    assert r.status_code == 401, (r.status_code, r.headers)
    h["Authorization"] = basic_header("alice", "alice-pw")
    r = requests.options(k.url + "/topics", headers=h, timeout=10)
    assert r.status_code == 204, (r.status_code, r.text)


def test_streams_whose_last_batch_fails_at_once(start_krest, tmp_path):
    """A batch prepared off the HTTP thread (the topic looked up on a worker) that completes at
    once (40403: no such topic) lets the connection end and close the session while the worker
    still prepares the next batch: the session must outlive that worker's use (ASan)."""
    # no auto-creation: a stream to a missing topic then fails at once (40403 per record)
    k = start(start_krest, tmp_path, "--krest.topic.auto.create=false")
    auth = [("Authorization", basic_header("alice", "alice-pw"))]
    for i in range(40):
        t = f"no-such-topic-{uuid.uuid4().hex[:8]}"
        out = raw_stream(k.port, t, auth, [{"value": {"type": "STRING", "data": "x"}}])
        assert out.startswith("HTTP/1.1 200"), out[:500]
        assert '"error_code":404' in out, out[:500]
    assert requests.get(k.url + "/", auth=("alice", "alice-pw"), timeout=10).status_code == 200
