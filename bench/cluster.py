#!/usr/bin/env python3
"""bench/cluster.py -- what forwarding costs (issue 17, docs/cluster.md). Informational: nothing
here is asserted.

    KAFKA_BOOTSTRAP=host:port .cache/venv/bin/python bench/cluster.py [--quick]

Two krests in cluster mode (build/krest, defaults plus krest.cluster.*) on the given broker, and
nginx (nginx-light, own config in a temporary directory) in two upstream setups. One topic of
COUNT records of 100 bytes (1 partition) is filled once with confluent-kafka. The consumer
instance is always created on krest A (the owner); then it is read through:

  owner      krest A directly
  forwarded  krest B, which forwards every request to A (pooled keep-alive connections)
  nginx>A    nginx whose only upstream is A (nginx's own overhead)
  nginx rr   nginx round-robin over A and B (half the requests forwarded)

Per path, in the same run, alternating: throughput (GET …/records?max_bytes=1 MiB until the
whole topic is read; the clock starts at the first non-empty answer) and latency (p50 and p99
of 2000 reads of max_bytes=200 from an instance whose buffer holds records: the per-request
cost). One keep-alive connection (requests.Session, which asks for gzip); records are counted,
not parsed. "krest us/rec": CPU of both krests (utime+stime) per record over the throughput
run, a figure that the machine's other load disturbs less than the rates.
"""

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

TOP = Path(__file__).resolve().parent.parent
KREST = os.environ.get("KREST_BIN", str(TOP / "build" / "krest"))
BOOT = os.environ.get("KAFKA_BOOTSTRAP", "")
QUICK = "--quick" in sys.argv
COUNT = 100000 if QUICK else 400000
LAT_READS = 1000 if QUICK else 2000
BIN2 = "application/vnd.kafka.binary.v2+json"
V2 = "application/vnd.kafka.v2+json"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_krest(tmp, name, port, topic):
    args = [KREST, f"--listeners=http://127.0.0.1:{port}", f"--bootstrap.servers={BOOT}",
            "--krest.schema.registry.listeners=", f"--id={name}", "--krest.cluster.enable=true",
            f"--krest.cluster.topic={topic}", "--krest.cluster.secret=bench",
            "--krest.access.log=false"]
    log = open(tmp / f"{name}.log", "wb")
    p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if requests.get(url + "/", timeout=1).status_code == 200:
                return p, url
        except requests.RequestException:
            time.sleep(0.05)
    raise SystemExit(f"krest {name} did not start; see {tmp}/{name}.log")


def start_nginx(tmp, name, ports):
    d = tmp / name
    d.mkdir()
    port = free_port()
    servers = "\n".join(f"server 127.0.0.1:{p};" for p in ports)
    (d / "nginx.conf").write_text(f"""
worker_processes 1; daemon off; pid {d}/nginx.pid; error_log {d}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {d}/b; proxy_temp_path {d}/p; fastcgi_temp_path {d}/f;
  uwsgi_temp_path {d}/u; scgi_temp_path {d}/s;
  upstream krest {{ {servers} keepalive 32; }}
  server {{
    listen 127.0.0.1:{port};
    proxy_request_buffering off; proxy_max_temp_file_size 0;
    location / {{ proxy_pass http://krest; proxy_http_version 1.1;
                 proxy_set_header Connection ""; proxy_set_header Host $http_host; }}
  }}
}}""")
    p = subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-c", str(d / "nginx.conf"),
                          "-p", str(d), "-e", str(d / "error.log")])
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if requests.get(url + "/", timeout=1).status_code == 200:
                return p, url
        except requests.RequestException:
            time.sleep(0.05)
    raise SystemExit(f"nginx {name} did not start")


def fill(topic, n):
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic

    a = AdminClient({"bootstrap.servers": BOOT})
    a.create_topics([NewTopic(topic, 1, 1)])[topic].result(30)
    p = Producer({"bootstrap.servers": BOOT, "linger.ms": 20})
    v = b"x" * 100
    for _ in range(n):
        while True:
            try:
                p.produce(topic, v)
                break
            except BufferError:
                p.poll(0.1)
    p.flush(60)


def instance(owner, topic):
    g = "bench-cl-" + uuid.uuid4().hex[:8]
    r = requests.post(f"{owner}/consumers/{g}", json={"format": "binary",
                      "auto.offset.reset": "earliest"}, headers={"Content-Type": V2}, timeout=30)
    r.raise_for_status()
    name = r.json()["instance_id"]
    r = requests.post(f"{owner}/consumers/{g}/instances/{name}/subscription", json={"topics":
                      [topic]}, headers={"Content-Type": V2}, timeout=30)
    r.raise_for_status()
    return f"/consumers/{g}/instances/{name}"


HZ = os.sysconf("SC_CLK_TCK")


def cpu_s(pids):
    """utime + stime of these processes, in seconds."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / HZ


def throughput(s, base, path, n):
    got, t0, reqs = 0, None, 0
    counted = 0
    while got < n:
        r = s.get(f"{base}{path}/records?timeout=1000&max_bytes=1048576",
                  headers={"Accept": BIN2}, timeout=60)
        r.raise_for_status()
        k = r.content.count(b'"offset":')
        got += k
        if t0 is None and k:
            t0 = time.monotonic()
            continue
        if t0 is not None:
            counted += k
            reqs += 1
    return counted / (time.monotonic() - t0), reqs


def latency(s, base, path, reads):
    lat = []
    for _ in range(reads):
        t = time.perf_counter()
        r = s.get(f"{base}{path}/records?timeout=1000&max_bytes=200", headers={"Accept": BIN2},
                  timeout=60)
        lat.append((time.perf_counter() - t) * 1000)
        if r.status_code != 200 or b'"offset":' not in r.content:
            raise SystemExit(f"latency read failed: {r.status_code} {r.text[:200]}")
    lat.sort()
    return statistics.median(lat), lat[int(len(lat) * 0.99)]


def main():
    if not BOOT:
        raise SystemExit("set KAFKA_BOOTSTRAP")
    tmp = Path(tempfile.mkdtemp(prefix="krest-bench-cluster-"))
    ctopic = "_krest_bench_instances_" + uuid.uuid4().hex[:6]
    procs = []
    try:
        pa, a = start_krest(tmp, "A", free_port(), ctopic)
        pb, b = start_krest(tmp, "B", free_port(), ctopic)
        procs += [pa, pb]
        na, nginx_a = start_nginx(tmp, "only-a", [int(a.rsplit(":", 1)[1])])
        nr, nginx_rr = start_nginx(tmp, "rr", [int(a.rsplit(":", 1)[1]), int(b.rsplit(":", 1)[1])])
        procs += [na, nr]
        time.sleep(1.5)  # B has read A's heartbeat
        topic = "bench-cluster-" + uuid.uuid4().hex[:8]
        fill(topic, COUNT)
        paths = [("owner", a), ("forwarded", b), ("nginx>A", nginx_a), ("nginx rr", nginx_rr)]
        res = {name: {"tp": [], "p50": [], "p99": [], "cpu": []} for name, _ in paths}
        for _round in range(1 if QUICK else 2):
            for name, base in paths:
                s = requests.Session()
                path = instance(a, topic)
                s.get(f"{base}{path}/records?timeout=3000&max_bytes=1",  # joined, buffered
                      headers={"Accept": BIN2}, timeout=30)
                p50, p99 = latency(s, base, path, LAT_READS)
                requests.delete(f"{a}{path}", timeout=30)
                path = instance(a, topic)
                c0 = cpu_s([pa.pid, pb.pid])
                tp, _ = throughput(s, base, path, COUNT)
                res[name]["cpu"].append((cpu_s([pa.pid, pb.pid]) - c0) / COUNT * 1e6)
                requests.delete(f"{a}{path}", timeout=30)
                res[name]["tp"].append(tp)
                res[name]["p50"].append(p50)
                res[name]["p99"].append(p99)
        own = statistics.median(res["owner"]["tp"])
        own50 = statistics.median(res["owner"]["p50"])
        print(f"{COUNT} records of 100 B, 1 partition, one keep-alive client connection")
        print(f"{'path':<10} {'records/s':>10} {'x owner':>8} {'p50 ms':>8} {'+p50 ms':>8} "
              f"{'p99 ms':>8} {'krest us/rec':>12}")
        for name, _ in paths:
            tp = statistics.median(res[name]["tp"])
            p50 = statistics.median(res[name]["p50"])
            p99 = statistics.median(res[name]["p99"])
            cpu = statistics.median(res[name]["cpu"])
            print(f"{name:<10} {tp:>10.0f} {tp / own:>8.2f} {p50:>8.2f} {p50 - own50:>8.2f} "
                  f"{p99:>8.2f} {cpu:>12.2f}")
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
