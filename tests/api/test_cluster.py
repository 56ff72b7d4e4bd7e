"""Many krest instances behind one plain round-robin load balancer (issue 17, docs/cluster.md).

Three krests on the test broker and nginx (Debian's nginx-light; its own config, port and pid
file in a temporary directory; round-robin upstream with keep-alive, no stickiness) in front of
them. Every client call goes through nginx unless a test says why not: consumer-instance
requests that land on a non-owner are forwarded to the owner. Then one instance is killed -9
(its instances answer 404/40403 from the others, the group takes its partitions over, nothing
committed is lost), one is stopped with SIGTERM (its consumers leave their groups at once), and
forged forwarding headers are refused.
"""

import hashlib
import json
import hmac
import secrets
import shutil
import signal
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import (
    V1,
    V2,
    Krest,
    build_args,
    clean_env,
    free_port,
    read_topic,
    wait_until,
)

SECRET = "test-cluster-secret"
HB_INTERVAL_MS = 300
HB_TIMEOUT_MS = 2000
SESSION_MS = 6000
BIN2 = "application/vnd.kafka.binary.v2+json"
AVRO1 = "application/vnd.kafka.avro.v1+json"
SEED_BODY = """{
   "value_schema": "{\\"type\\": \\"record\\", \\"name\\": \\"User\\", \\"fields\\": [{\\"name\\": \\"username\\", \\"type\\": \\"string\\"}]}",
   "records": [ {"value": {"username": "testUser"}}, {"value": {"username": "testUser2"}} ]
}"""

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream krest {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 64m;
        # stream bodies both ways: nothing is written to temporary files
        proxy_request_buffering off;
        proxy_max_temp_file_size 0;
        location / {{
            proxy_pass http://krest;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_read_timeout 60s;
        }}
    }}
}}
"""


class Nginx:
    def __init__(self, tmp, upstream_ports):
        self.dir = tmp
        self.port = free_port()
        servers = "\n".join(f"        server 127.0.0.1:{p};" for p in upstream_ports)
        conf = tmp / "nginx.conf"
        conf.write_text(NGINX_CONF.format(dir=tmp, servers=servers, port=self.port))
        self.proc = subprocess.Popen(
            [shutil.which("nginx") or "/usr/sbin/nginx", "-c", str(conf), "-p", str(tmp),
             "-e", str(tmp / "error.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self.session = requests.Session()

    def wait_ready(self):
        def up():
            try:
                return requests.get(self.url + "/", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        assert wait_until(up, 10), (tmp_text(self.dir / "error.log"))

    def request(self, method, path, **kw):
        kw.setdefault("timeout", 30)
        return self.session.request(method, self.url + path, **kw)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def tmp_text(p):
    try:
        return p.read_text(errors="replace")
    except FileNotFoundError:
        return ""


class Cluster:
    def __init__(self, tmp, bootstrap, krest_bin):
        self.tmp = tmp
        self.topic = "_krest_instances_" + uuid.uuid4().hex[:8]
        self.reg_ports = [free_port() for _ in range(3)]
        schemas = f"_schemas_{uuid.uuid4().hex[:8]}"
        self.ports = [free_port() for _ in range(3)]
        self.nodes = []
        self.ids = [f"node{i}-{uuid.uuid4().hex[:6]}" for i in range(3)]
        self.gone = set()  # indexes killed on purpose
        for i, port in enumerate(self.ports):
            extra = [
                f"--id={self.ids[i]}",
                f"--advertised.listeners=http://127.0.0.1:{port}",
                "--krest.cluster.enable=true",
                f"--krest.cluster.topic={self.topic}",
                f"--krest.cluster.secret={SECRET}",
                f"--krest.cluster.heartbeat.interval.ms={HB_INTERVAL_MS}",
                f"--krest.cluster.heartbeat.timeout.ms={HB_TIMEOUT_MS}",
                f"--consumer.session.timeout.ms={SESSION_MS}",
                "--consumer.heartbeat.interval.ms=500",
                # every instance runs the built-in registry on one topic, and uses its own
                f"--krest.schema.registry.listeners=http://127.0.0.1:{self.reg_ports[i]}",
                f"--krest.schema.registry.topic={schemas}",
                "--shutdown.graceful.ms=10000",
            ]
            args, _ = build_args(extra, bootstrap, port=port)
            args[0] = krest_bin
            self.nodes.append(Krest(args, clean_env(), tmp / f"krest-{i}.log", port))
        for k in self.nodes:
            k.wait_ready()
        self.lb = Nginx(tmp, self.ports)
        self.lb.wait_ready()
        # every instance sees the three
        assert wait_until(lambda: all(self.live(k) == 3 for k in self.nodes), 10), [
            k.log_tail() for k in self.nodes
        ]

    @staticmethod
    def live(k):
        r = k.get("/metrics")
        for line in r.text.splitlines():
            if line.startswith("krest_cluster_instances "):
                return int(float(line.split()[1]))
        return -1

    def stop(self):
        problems = []
        self.lb.stop()
        for i, k in enumerate(self.nodes):
            code = k.stop()
            if i not in self.gone and code != 0:
                problems.append(f"krest {i} exit code {code}\n{k.log_tail()}")
            if any(m in k.log() for m in ("AddressSanitizer", "LeakSanitizer", "runtime error:")):
                problems.append(f"krest {i}: sanitizer report\n{k.log_tail(80)}")
        return problems


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, kafka_bootstrap, krest_bin):
    if not shutil.which("nginx") and not shutil.which("/usr/sbin/nginx"):
        pytest.fail("nginx is not installed: run scripts/install-deps (nginx-light)")
    c = Cluster(tmp_path_factory.mktemp("cluster"), kafka_bootstrap, krest_bin)
    yield c
    problems = c.stop()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


# --------------------------------------------------------------------------------------------
# helpers


def produce_binary(lb, topic, values, partition=None):
    for i in range(0, len(values), 1000):
        recs = [{"value": v} for v in values[i : i + 1000]]
        if partition is not None:
            for r in recs:
                r["partition"] = partition
        r = lb.request("POST", f"/topics/{topic}", json={"records": recs},
                       headers={"Content-Type": BIN2})
        assert r.status_code == 200, r.text
        assert all(o["error_code"] is None for o in r.json()["offsets"]), r.text


def b64(s):
    import base64

    return base64.b64encode(s.encode()).decode()


def create(lb, group, body=None, via=None):
    r = (via or lb).request("POST", f"/consumers/{group}", json=body or {"format": "binary"},
                            headers={"Content-Type": V2})
    assert r.status_code == 200, r.text
    return r.json()


def subscribe(lb, group, name, topics):
    r = lb.request("POST", f"/consumers/{group}/instances/{name}/subscription",
                   json={"topics": topics}, headers={"Content-Type": V2})
    assert r.status_code == 204, r.text


def read(lb, group, name, timeout_ms=1000, max_bytes=None):
    q = f"timeout={timeout_ms}" + (f"&max_bytes={max_bytes}" if max_bytes else "")
    r = lb.request("GET", f"/consumers/{group}/instances/{name}/records?{q}",
                   headers={"Accept": BIN2})
    return r


def owner_index(cluster, base_uri):
    for i, p in enumerate(cluster.ports):
        if base_uri.startswith(f"http://127.0.0.1:{p}/"):
            return i
    raise AssertionError(f"base_uri {base_uri} names no instance")


def committed(bootstrap, group, topic, partitions):
    from confluent_kafka import Consumer, TopicPartition

    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        got = c.committed([TopicPartition(topic, p) for p in partitions], timeout=10)
        return {tp.partition: tp.offset for tp in got}
    finally:
        c.close()


# --------------------------------------------------------------------------------------------
# 1. everything through nginx


def test_seed_walkthrough_v1_through_nginx(cluster, new_topic):
    lb = cluster.lb
    t = new_topic()
    r = lb.request("POST", f"/topics/{t}", data=SEED_BODY, headers={"Content-Type": AVRO1})
    assert r.status_code == 200, r.text
    assert [o["offset"] for o in r.json()["offsets"]] == [0, 1]
    g = "my_avro_consumer_" + uuid.uuid4().hex[:8]
    r = lb.request("POST", f"/consumers/{g}", data='{"format": "avro", "auto.offset.reset": '
                   '"smallest"}', headers={"Content-Type": V1})
    assert r.status_code == 200, r.text
    j = r.json()
    name = j["instance_id"]
    owner = owner_index(cluster, j["base_uri"])
    assert name.startswith(f"rest-consumer-node{owner}-"), j  # the owner's id in the name
    r = lb.request("GET", f"/consumers/{g}/instances/{name}/topics/{t}", headers={"Accept": AVRO1})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith(AVRO1)
    assert r.json() == [
        {"key": None, "value": {"username": "testUser"}, "partition": 0, "offset": 0},
        {"key": None, "value": {"username": "testUser2"}, "partition": 0, "offset": 1},
    ]
    r = lb.request("DELETE", f"/consumers/{g}/instances/{name}", headers={"Accept": "*/*"})
    assert r.status_code == 204, r.text
    assert r.content == b""
    for k in cluster.nodes:  # gone everywhere, answered by whoever gets it
        r = k.get(f"/consumers/{g}/instances/{name}/subscription")
        assert r.status_code == 404 and r.json()["error_code"] == 40403, (k.port, r.text)


def test_v2_10000_records_in_order_through_nginx(cluster, new_topic, kafka_bootstrap):
    lb = cluster.lb
    t = new_topic()
    n = 10000
    produce_binary(lb, t, [b64(f"v{i}") for i in range(n)])
    g = "g10k-" + uuid.uuid4().hex[:8]
    j = create(lb, g, {"format": "binary", "auto.offset.reset": "earliest",
                       "auto.commit.enable": "false"})
    name = j["instance_id"]
    subscribe(lb, g, name, [t])
    offsets = []
    deadline = time.monotonic() + 40
    while len(offsets) < n and time.monotonic() < deadline:
        r = read(lb, g, name, max_bytes=2000)  # many reads: each instance serves some
        assert r.status_code == 200, r.text
        for rec in r.json():
            offsets.append(rec["offset"])
            assert rec["value"] == b64(f"v{rec['offset']}")
    assert offsets == list(range(n)), "gap, duplicate or disorder"
    r = lb.request("POST", f"/consumers/{g}/instances/{name}/offsets", headers={"Content-Type": V2})
    assert r.status_code == 200 or r.status_code == 204, r.text
    assert committed(kafka_bootstrap, g, t, [0]) == {0: n}
    r = lb.request("DELETE", f"/consumers/{g}/instances/{name}", headers={"Content-Type": V2})
    assert r.status_code == 204, r.text
    r = read(lb, g, name)
    assert r.status_code == 404 and r.json()["error_code"] == 40403, r.text
    # the reads really were spread: every instance served some of them (round robin)
    for k in cluster.nodes:
        assert f"/consumers/{g}/instances/{name}/records" in k.log(), k.port


def test_client_named_instance_through_nginx(cluster, new_topic):
    lb = cluster.lb
    t = new_topic()
    produce_binary(lb, t, [b64(f"n{i}") for i in range(20)])
    g = "gname-" + uuid.uuid4().hex[:8]
    name = "my-own-name"
    j = create(lb, g, {"name": name, "format": "binary", "auto.offset.reset": "earliest"})
    assert j["instance_id"] == name
    owner = owner_index(cluster, j["base_uri"])
    subscribe(lb, g, name, [t])
    got = []
    for _ in range(30):  # more than one round of the three upstreams
        r = read(lb, g, name, 500)
        assert r.status_code == 200, r.text
        got += [x["offset"] for x in r.json()]
        if len(got) >= 20:
            break
    assert got == list(range(20))
    # every instance finds it, the non-owners by forwarding
    for i, k in enumerate(cluster.nodes):
        r = k.get(f"/consumers/{g}/instances/{name}/subscription", headers={"Accept": V2})
        assert r.status_code == 200 and r.json() == {"topics": [t]}, (i, owner, r.text)
    # the same name in another group is another instance: not found
    r = lb.request("GET", f"/consumers/other-{g}/instances/{name}/subscription")
    assert r.status_code == 404 and r.json()["error_code"] == 40403
    r = lb.request("DELETE", f"/consumers/{g}/instances/{name}")
    assert r.status_code == 204, r.text
    # the name made again at once on another instance: every instance finds the new owner
    new_owner = (owner + 1) % 3
    j = create(lb, g, {"name": name, "format": "binary"}, via=cluster.nodes[new_owner])
    assert owner_index(cluster, j["base_uri"]) == new_owner
    subscribe(cluster.nodes[new_owner], g, name, [t])
    third = cluster.nodes[(owner + 2) % 3]
    r = third.get(f"/consumers/{g}/instances/{name}/subscription", headers={"Accept": V2})
    assert r.status_code == 200 and r.json() == {"topics": [t]}, r.text
    r = cluster.nodes[owner].get(f"/consumers/{g}/instances/{name}/subscription")
    assert r.status_code == 200, r.text
    assert lb.request("DELETE", f"/consumers/{g}/instances/{name}").status_code == 204


def test_forwarded_answers_are_the_owners(cluster, new_topic):
    """The same requests straight to the owner and through a non-owner get the same status,
    Content-Type and body: headers absent stay absent, errors are relayed as they are."""
    t = new_topic()
    g = "gsame-" + uuid.uuid4().hex[:8]
    j = create(cluster.lb, g, {"format": "binary"})
    name = j["instance_id"]
    owner = cluster.nodes[owner_index(cluster, j["base_uri"])]
    other = cluster.nodes[(owner_index(cluster, j["base_uri"]) + 1) % 3]
    base = f"/consumers/{g}/instances/{name}"
    cases = [
        ("POST", "/subscription", {"data": json.dumps({"topics": [t]}).encode(),
                                   "headers": {"Content-Type": None}}),
        ("GET", "/subscription", {"headers": {"Accept": None}}),
        ("GET", "/subscription", {"headers": {"Accept": V1}}),
        ("GET", "/subscription", {"headers": {"Accept": "text/html"}}),
        ("GET", "/records?timeout=10", {"headers": {"Accept": "application/vnd.kafka.json.v2+json"}}),
        ("GET", "/records?timeout=x", {"headers": {"Accept": BIN2}}),
        ("POST", "/positions", {"data": b'{"offsets": 3}', "headers": {"Content-Type": V2}}),
        ("POST", "/positions", {"data": b'{"offsets": [', "headers": {"Content-Type": V2}}),
        ("POST", "/offsets", {"data": b"{}", "headers": {"Content-Type": "text/plain"}}),
        ("GET", "/assignments", {"headers": {"Accept": V2}}),
    ]
    for method, suffix, kw in cases:
        a = owner.request(method, base + suffix, **kw)
        b = other.request(method, base + suffix, **kw)
        assert (a.status_code, a.headers.get("Content-Type"), a.content) == (
            b.status_code, b.headers.get("Content-Type"), b.content), (method, suffix, a.text)
    assert cluster.lb.request("DELETE", base).status_code == 204


def test_concurrent_consumers_in_groups(cluster, new_topic):
    lb = cluster.lb
    t = new_topic(partitions=4)
    per_part = 250
    for p in range(4):
        produce_binary(lb, t, [b64(f"{p}-{i}") for i in range(per_part)], partition=p)
    groups = ["gc-" + uuid.uuid4().hex[:8] for _ in range(4)]
    members = []
    for g in groups:
        for _ in range(5):
            j = create(lb, g, {"format": "binary", "auto.offset.reset": "earliest"})
            members.append((g, j["instance_id"]))
            subscribe(lb, g, j["instance_id"], [t])
    seen = {g: set() for g in groups}

    def run(member):
        g, name = member
        mine = []
        s = requests.Session()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(seen[g]) < 4 * per_part:
            r = s.get(f"{lb.url}/consumers/{g}/instances/{name}/records?timeout=500",
                      headers={"Accept": BIN2}, timeout=30)
            assert r.status_code == 200, r.text
            for x in r.json():
                mine.append((x["partition"], x["offset"]))
                seen[g].add((x["partition"], x["offset"]))
        return mine

    with ThreadPoolExecutor(len(members)) as ex:
        results = list(ex.map(run, members))
    for g in groups:
        assert seen[g] == {(p, o) for p in range(4) for o in range(per_part)}, g
    for mine in results:  # each member reads each partition in order
        for p in range(4):
            offs = [o for (pp, o) in mine if pp == p]
            assert offs == sorted(offs), offs
    owners = {name.split("-")[2] for (_, name) in members}
    assert len(owners) > 1, owners  # created through nginx: spread over the instances
    for g, name in members:
        assert lb.request("DELETE", f"/consumers/{g}/instances/{name}").status_code == 204


def test_registry_writes_on_every_instance(cluster):
    """The built-in registry needs no forwarding: every instance writes the shared log
    (transactional, fenced; docs/design-notes.md) and reads the others' writes."""
    sr = "application/vnd.schemaregistry.v1+json"
    regs = [f"http://127.0.0.1:{p}" for p in cluster.reg_ports]
    ids = {}
    for i, reg in enumerate(regs):
        schema = {"type": "record", "name": f"R{i}", "fields": [{"name": "f", "type": "int"}]}
        r = requests.post(f"{reg}/subjects/cl-{i}/versions", json={"schema": json.dumps(schema)},
                          headers={"Content-Type": sr}, timeout=30)
        assert r.status_code == 200, r.text
        ids[i] = r.json()["id"]
    assert len(set(ids.values())) == 3, ids
    for reg in regs:
        for i, sid in ids.items():
            def found(reg=reg, sid=sid):
                return requests.get(f"{reg}/schemas/ids/{sid}", timeout=10).status_code == 200

            assert wait_until(found, 10), (reg, i, sid)
            r = requests.get(f"{reg}/subjects/cl-{i}/versions/latest", timeout=10)
            assert r.status_code == 200 and r.json()["id"] == sid, r.text


# --------------------------------------------------------------------------------------------
# 2. forged forwarding


def signed_headers(target, method, path, body=b"", query=(), ts=None, secret=SECRET, principal="",
                   nonce=None):
    """What a forwarding krest sends to the instance whose id is target (docs/cluster.md,
    "Forwarding")."""
    ts = int(time.time() * 1000) if ts is None else ts
    nonce = secrets.token_hex(16) if nonce is None else nonce
    q = b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in query)
    msg = (f"krest-forward-2\n{ts}\n{target}\n{nonce}\n{method}\n{path}\n".encode() + q
           + f"\n{principal}\n".encode() + hashlib.sha256(body).hexdigest().encode())
    mac = hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()
    h = {"X-Krest-Forwarded": f"{ts}:{nonce}:{mac}"}
    if principal:
        h["X-Krest-Principal"] = principal
    return h


def test_forged_forwarded_header_is_refused(cluster):
    lb = cluster.lb
    g = "gforge-" + uuid.uuid4().hex[:8]
    j = create(lb, g)
    name = j["instance_id"]
    owner = owner_index(cluster, j["base_uri"])
    other = cluster.nodes[(owner + 1) % 3]
    oid, xid = cluster.ids[owner], cluster.ids[(owner + 1) % 3]
    path = f"/consumers/{g}/instances/{name}/subscription"
    for hdrs in (
        {"X-Krest-Forwarded": "1"},
        {"X-Krest-Forwarded": f"-9223372036854775808:{'0' * 64}"},
        {"X-Krest-Forwarded": f"99999999999999999999999:{'0' * 64}"},
        {"X-Krest-Forwarded": f":{'0' * 64}"},
        {"X-Krest-Forwarded": f"{int(time.time() * 1000)}:{'0' * 64}"},
        {"X-Krest-Forwarded": f"{int(time.time() * 1000)}:{'0' * 32}:{'0' * 64}"},
        {"X-Krest-Forwarded": f"{int(time.time() * 1000)}:{'g' * 32}:{'0' * 64}"},
        signed_headers(xid, "GET", path, secret="wrong"),
        signed_headers(xid, "GET", path, ts=int(time.time() * 1000) - 120000),  # replayed later
        signed_headers(xid, "GET", path + "x"),  # signed for another path
        {**signed_headers(xid, "GET", path), "X-Krest-Principal": "mallory"},  # principal added
        {**signed_headers(xid, "GET", path, principal="alice"), "X-Krest-Principal": "mallory"},
    ):
        for target in (lb, other):
            r = target.request("GET", path, headers=hdrs)
            assert r.status_code == 403, (hdrs, r.text)
            assert r.json()["error_code"] == 40301
        # a produce or any other route too
        r = lb.request("GET", "/topics", headers=hdrs)
        assert r.status_code == 403, r.text
    # a well-signed forwarded request is served where it lands and never forwarded again: the
    # non-owner answers 404 itself
    r = other.get(path, headers=signed_headers(xid, "GET", path))
    assert r.status_code == 404 and r.json()["error_code"] == 40403, r.text
    r = cluster.nodes[owner].get(path, headers=signed_headers(oid, "GET", path))
    assert r.status_code == 200, r.text
    r = cluster.nodes[owner].get(path, headers=signed_headers(oid, "GET", path, principal="alice"))
    assert r.status_code == 200, r.text
    # the query and the body are signed too
    q = (("timeout", "100"), ("max_bytes", "10"))
    rpath = f"/consumers/{g}/instances/{name}/records"
    url = rpath + "?timeout=100&max_bytes=10"
    h = {**signed_headers(oid, "GET", rpath, query=q), "Accept": BIN2}
    assert cluster.nodes[owner].get(url, headers=h).status_code == 200  # signed: served
    assert cluster.nodes[owner].get(url.replace("=10", "=11"), headers=h).status_code == 403
    body = b'{"topics":["x"]}'
    spath = f"/consumers/{g}/instances/{name}/subscription"
    h = {**signed_headers(oid, "POST", spath, body=body), "Content-Type": V2}
    assert cluster.nodes[owner].post(spath, data=body.replace(b"x", b"y"),
                                     headers=h).status_code == 403
    assert lb.request("DELETE", f"/consumers/{g}/instances/{name}").status_code == 204


def one_instance(start_krest, instance_id):
    return start_krest("--krest.cluster.enable=true", f"--krest.cluster.secret={SECRET}",
                       f"--id={instance_id}",
                       f"--krest.cluster.topic=_krest_i_{uuid.uuid4().hex[:8]}")


def test_replayed_forwarded_request_is_refused(start_krest):
    """A captured signed request (its nonce) is served once: sent again, within the 30 s it
    stays valid, it is 403/40301, also with other harmless headers around it."""
    iid = "solo-" + uuid.uuid4().hex[:6]
    k = one_instance(start_krest, iid)
    h = signed_headers(iid, "GET", "/topics")
    r = k.get("/topics", headers=h)
    assert r.status_code == 200, r.text
    for extra in ({}, {"Accept": "application/json"}):
        r = k.get("/topics", headers={**h, **extra})
        assert r.status_code == 403 and r.json()["error_code"] == 40301, r.text
        assert "replayed" in r.json()["message"]
    # a fresh nonce is served; a different request with a used nonce is still refused
    assert k.get("/topics", headers=signed_headers(iid, "GET", "/topics")).status_code == 200
    n = secrets.token_hex(16)
    r = k.get("/topics", headers=signed_headers(iid, "GET", "/topics", nonce=n))
    assert r.status_code == 200, r.text
    r = k.get("/brokers", headers=signed_headers(iid, "GET", "/brokers", nonce=n))
    assert r.status_code == 403 and r.json()["error_code"] == 40301, r.text


def test_request_signed_for_another_instance_is_refused(start_krest):
    """The mark names its target: a request signed (with the right secret) for instance A,
    captured and sent to instance B, is refused by B."""
    iid = "solo-" + uuid.uuid4().hex[:6]
    k = one_instance(start_krest, iid)
    for target in ("someone-else", iid + "x", ""):
        r = k.get("/topics", headers=signed_headers(target, "GET", "/topics"))
        assert r.status_code == 403 and r.json()["error_code"] == 40301, (target, r.text)
    assert k.get("/topics", headers=signed_headers(iid, "GET", "/topics")).status_code == 200


# --------------------------------------------------------------------------------------------
# 3. failures (these change the cluster: they run last)


def make_owned(cluster, group, idx, n):
    """n auto-named instances of group owned by instance idx (created there directly)."""
    out = []
    for _ in range(n):
        j = create(cluster.lb, group, {"format": "binary", "auto.offset.reset": "earliest",
                                       "auto.commit.enable": "false"}, via=cluster.nodes[idx])
        assert owner_index(cluster, j["base_uri"]) == idx
        out.append(j["instance_id"])
    return out


def test_kill9_owner_mid_read(cluster, new_topic, kafka_bootstrap):
    lb = cluster.lb
    t = new_topic(partitions=2)
    per_part = 300
    for p in range(2):
        produce_binary(lb, t, [b64(f"{p}-{i}") for i in range(per_part)], partition=p)
    g = "gkill-" + uuid.uuid4().hex[:8]
    (victim,) = make_owned(cluster, g, 2, 1)
    (survivor,) = make_owned(cluster, g, 1, 1)
    subscribe(lb, g, victim, [t])
    subscribe(lb, g, survivor, [t])
    got = {victim: [], survivor: []}
    # both read (through nginx) until each has some records: the group is split
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (got[victim] and got[survivor]):
        for name in (victim, survivor):
            r = lb.request("GET", f"/consumers/{g}/instances/{name}/records?timeout=300&"
                           "max_bytes=600", headers={"Accept": BIN2})
            assert r.status_code == 200, r.text
            got[name] += [(x["partition"], x["offset"]) for x in r.json()]
    assert got[victim] and got[survivor], got
    r = lb.request("POST", f"/consumers/{g}/instances/{victim}/offsets",
                   headers={"Content-Type": V2})
    assert r.status_code in (200, 204), r.text
    r = lb.request("GET", f"/consumers/{g}/instances/{victim}/assignments",
                   headers={"Accept": V2})
    assert r.status_code == 200, r.text
    victim_parts = {x["partition"] for x in r.json()["partitions"]}
    assert victim_parts, r.text
    before = committed(kafka_bootstrap, g, t, [0, 1])
    before = {p: max(o, 0) for p, o in before.items()}  # nothing committed: from the start
    # reads of the victim go on through instance 0 (forwarded) while it is killed: each answer
    # is 200 (before) or 404/40403 (after), never a 5xx, never a hang
    statuses = []
    stop_at = []

    def reader():
        s = requests.Session()
        while not stop_at:
            r = s.get(f"{cluster.nodes[0].url}/consumers/{g}/instances/{victim}/records?"
                      "timeout=200&max_bytes=50", headers={"Accept": BIN2}, timeout=15)
            statuses.append((r.status_code, r.json()["error_code"] if r.status_code >= 400
                             else None, time.monotonic()))
            if r.status_code == 404:
                return

    with ThreadPoolExecutor(1) as ex:
        fut = ex.submit(reader)
        assert wait_until(lambda: len(statuses) >= 3, 10), statuses
        cluster.nodes[2].proc.kill()  # kill -9, mid-read
        t0 = time.monotonic()
        cluster.nodes[2].proc.wait()
        cluster.gone.add(2)
        try:
            fut.result(timeout=HB_TIMEOUT_MS / 1000 + 5)
        finally:
            stop_at.append(True)
    assert {st for st, _, _ in statuses} <= {200, 404}, statuses
    assert statuses[-1][:2] == (404, 40403), statuses[-1]
    assert statuses[-1][2] - t0 <= HB_TIMEOUT_MS / 1000, statuses[-1][2] - t0
    path = f"/consumers/{g}/instances/{victim}/records?timeout=100"

    def all_404():
        for k in cluster.nodes[:2]:
            r = k.get(path, headers={"Accept": BIN2})
            if r.status_code != 404 or r.json()["error_code"] != 40403:
                return False
        return True

    assert wait_until(all_404, HB_TIMEOUT_MS / 1000 + 1), "the gone owner's instance still answers"
    assert time.monotonic() - t0 <= HB_TIMEOUT_MS / 1000 + 1
    r = lb.request("GET", path, headers={"Accept": BIN2})
    assert r.status_code == 404 and r.json()["error_code"] == 40403, r.text
    # the survivor takes the victim's partitions over (after the session timeout) and reads
    # them from the committed offsets: nothing committed is lost
    want = {(p, o) for p in victim_parts for o in range(before[p], per_part)}
    seen = set()
    deadline = time.monotonic() + SESSION_MS / 1000 + 20
    while time.monotonic() < deadline and not want <= seen:
        r = lb.request("GET", f"/consumers/{g}/instances/{survivor}/records?timeout=500",
                       headers={"Accept": BIN2})
        assert r.status_code == 200, r.text
        seen |= {(x["partition"], x["offset"]) for x in r.json()}
    assert want <= seen, sorted(want - seen)[:10]
    assert lb.request("DELETE", f"/consumers/{g}/instances/{survivor}").status_code == 204


def test_sigterm_owner_consumers_leave(cluster, new_topic, admin):
    lb = cluster.lb
    t = new_topic(partitions=2)
    produce_binary(lb, t, [b64("x")] * 10)
    g = "gterm-" + uuid.uuid4().hex[:8]
    leaving = make_owned(cluster, g, 1, 2)
    (staying,) = make_owned(cluster, g, 0, 1)
    for name in leaving + [staying]:
        subscribe(lb, g, name, [t])
        read(lb, g, name, 300)

    def members():
        d = admin.describe_consumer_groups([g])[g].result(timeout=10)
        return len(d.members)

    assert wait_until(lambda: members() == 3, 20), members()
    k = cluster.nodes[1]
    k.signal(signal.SIGTERM)
    assert k.wait(20) == 0, k.log_tail()
    cluster.gone.add(1)
    assert "cluster: instance" in k.log() and " left" in k.log(), k.log_tail()
    # they left their group at once (well before the session timeout)
    assert members() == 1
    for name in leaving:
        r = cluster.nodes[0].get(f"/consumers/{g}/instances/{name}/subscription")
        assert r.status_code == 404 and r.json()["error_code"] == 40403, r.text
    assert lb.request("DELETE", f"/consumers/{g}/instances/{staying}").status_code == 204
    # the others read its tombstone: one live instance left
    assert wait_until(lambda: Cluster.live(cluster.nodes[0]) == 1, 5)
    topic_recs = read_topic(cluster.topic)
    ids = [r.key for r in topic_recs if r.value is None]
    assert any(i.startswith(b"node1-") for i in ids), "no tombstone for the stopped instance"


# --------------------------------------------------------------------------------------------
# 4. start-up


def test_secret_required(start_krest):
    k = start_krest("--krest.cluster.enable=true", wait=False)
    assert k.wait(20) not in (None, 0), k.log_tail()
    assert "krest.cluster.secret" in k.log()
    k.returncode = 0  # refused on purpose


def test_starts_while_kafka_is_down(start_krest):
    """The cluster topic is prepared in the background: krest serves meanwhile, and a consumer
    instance nobody is known to own is 404 at once (not a hang)."""
    k = start_krest("--krest.cluster.enable=true", f"--krest.cluster.secret={SECRET}",
                    f"--bootstrap.servers=127.0.0.1:{free_port()}", "--client.timeout.ms=1000")
    assert k.get("/").status_code == 200
    t0 = time.monotonic()
    r = k.get("/consumers/g/instances/rest-consumer-elsewhere-1-" + str(uuid.uuid4()) + "/offsets")
    assert r.status_code == 404 and r.json()["error_code"] == 40403, r.text
    r = k.get("/consumers/g/instances/some-name/subscription")
    assert r.status_code == 404 and r.json()["error_code"] == 40403, r.text
    assert time.monotonic() - t0 < 3
    assert k.wait_log("cluster: .*retrying", 5), k.log_tail()
