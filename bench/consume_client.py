#!/usr/bin/env python3
"""bench/consume_client.py -- reads a topic through krest, in Python: the same protocol and
output as bench/consume_client.c (bench/consume uses the C client by default; BENCH_CLIENT=py
selects this one, to see what a Python client costs).

Creates a consumer instance (fresh name, auto.offset.reset=earliest), subscribes it to TOPIC,
then loops GET .../records?timeout=T&max_bytes=M on one keep-alive connection until COUNT records
have come back, deletes the instance and prints one line:

  msgs=N seconds=T msgs_per_s=R mb_per_s=M requests=Q resp_mb_per_s=W client_cpu_s=C
  client_pct=P krest_cpu_s=K krest_cpu_s_per_M=X krest_pct=Y broker_cpu_s=S broker_pct=Z
  idle_pct=I first_ms=F first_records=G extra=E

Records are counted without parsing JSON: occurrences of b'"offset":' in each response body
(krest writes compact JSON, and a binary value is base64, so the pattern only occurs as the
member name; json-format benchmark values are plain strings of 'a'). The clock starts when the
first non-empty response has arrived (the group join and the first fetch are not measured) and
the records of that response are not counted: N = COUNT - first_records, as in
native_consumer.c. MB are value bytes (N * SIZE, 10^6). krest's CPU (utime+stime from
/proc/PID/stat) and this process's CPU are taken over the same window. After the count is
reached, one more read (timeout 300 ms, not measured) must return no records: extra=E is what it
returned (anything but 0 means records delivered twice).

  consume_client.py URL GROUP TOPIC FORMAT COUNT SIZE [pid=P] [broker_pid=B]
                    [max_bytes=67108864] [timeout=1000]

Exit status: 0 when COUNT records were read and none more, 1 otherwise.
"""
import argparse
import http.client
import json
import os
import sys
import time
import urllib.parse

V2 = "application/vnd.kafka.v2+json"


def ticks(pid):
    if not pid:
        return 0
    with open(f"/proc/{pid}/stat", "rb") as f:
        s = f.read()
    fields = s[s.rindex(b")") + 2:].split()
    return int(fields[11]) + int(fields[12])


def sys_jiffies():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return v[3] + v[4], sum(v)


def cpu_self():
    t = os.times()
    return t.user + t.system


def decode(coding, body):
    """The body as sent with Content-Encoding coding (what krest may answer)."""
    if not coding:
        return body
    if coding == "gzip":
        import gzip
        return gzip.decompress(body)
    if coding == "deflate":
        import zlib
        return zlib.decompress(body)
    if coding == "br":
        import brotli
        return brotli.decompress(body)
    from backports import zstd
    return zstd.decompress(body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("group")
    ap.add_argument("topic")
    ap.add_argument("format", choices=["binary", "json"])
    ap.add_argument("count", type=int)
    ap.add_argument("size", type=int)
    ap.add_argument("opts", nargs="*", help="pid=, broker_pid=, max_bytes=, timeout=, ae=")
    a = ap.parse_args()
    o = {"pid": 0, "broker_pid": 0, "max_bytes": 64 << 20, "timeout": 1000}
    ae = None
    for kv in a.opts:
        k, _, v = kv.partition("=")
        if k == "ae":
            ae = v.replace(",", ", ")
            continue
        if k not in o or not v.isdigit():
            ap.error(f"bad option {kv!r}")
        o[k] = int(v)
    a.krest_pid, a.broker_pid = o["pid"], o["broker_pid"]
    a.max_bytes, a.timeout, a.stall_s = o["max_bytes"], o["timeout"], 20.0
    u = urllib.parse.urlsplit(a.url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    hz = os.sysconf("SC_CLK_TCK")

    def call(method, path, body=None, accept=V2, ctype=V2):
        headers = {"Accept": accept}
        if body is not None:
            body = json.dumps(body).encode()
            headers["Content-Type"] = ctype
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        return r.status, data

    name = f"bench-{os.getpid()}-{int(time.time() * 1000)}"
    st, data = call("POST", f"/consumers/{a.group}",
                    {"name": name, "format": a.format, "auto.offset.reset": "earliest"})
    if st != 200:
        sys.exit(f"consume_client: create instance: HTTP {st}: {data[:300]!r}")
    base = f"/consumers/{a.group}/instances/{name}"
    st, data = call("POST", f"{base}/subscription", {"topics": [a.topic]})
    if st != 204:
        sys.exit(f"consume_client: subscribe: HTTP {st}: {data[:300]!r}")

    accept = f"application/vnd.kafka.{a.format}.v2+json"
    path = f"{base}/records?timeout={a.timeout}&max_bytes={a.max_bytes}"
    headers = {"Accept": accept}
    if ae:
        headers["Accept-Encoding"] = ae
    pat = b'"offset":'
    total = 0
    first_records = 0
    requests = 0
    resp_bytes = 0
    start = time.monotonic()
    t0 = c0 = k0 = b0 = None
    first_ms = 0.0
    last = start
    rc = 0
    while total < a.count:
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        body = decode(r.getheader("Content-Encoding"), r.read())
        if r.status != 200:
            print(f"consume_client: GET records: HTTP {r.status}: {body[:300]!r}", file=sys.stderr)
            rc = 1
            break
        n = body.count(pat)
        now = time.monotonic()
        if t0 is None:
            if n == 0:
                if now - start > a.stall_s:
                    print("consume_client: no records within the first"
                          f" {a.stall_s:.0f} s", file=sys.stderr)
                    rc = 1
                    break
                continue
            t0, c0, k0, b0 = now, cpu_self(), ticks(a.krest_pid), ticks(a.broker_pid)
            j0 = sys_jiffies()
            first_records = n
            first_ms = (now - start) * 1000
            total = n
            last = now
            continue
        requests += 1
        resp_bytes += len(body)
        total += n
        if n:
            last = now
        elif now - last > a.stall_s:
            print(f"consume_client: nothing for {a.stall_s:.0f} s after {total} records",
                  file=sys.stderr)
            rc = 1
            break
    t1, c1, k1, b1 = (time.monotonic(), cpu_self(), ticks(a.krest_pid),
                      ticks(a.broker_pid))
    j1 = sys_jiffies()

    extra = -1
    if rc == 0:
        conn.request("GET", f"{base}/records?timeout=300&max_bytes={a.max_bytes}",
                     headers=headers)
        r = conn.getresponse()
        body = r.read()
        extra = body.count(pat) if r.status == 200 else -1
        if total != a.count or extra != 0:
            print(f"consume_client: read {total} records of {a.count}, then {extra} more",
                  file=sys.stderr)
            rc = 1
    try:
        call("DELETE", base)
    except OSError:
        pass

    if t0 is None:
        return 1
    n = total - first_records
    secs = max(t1 - t0, 1e-9)
    kcpu = (k1 - k0) / hz
    ccpu = c1 - c0
    print(f"msgs={n} seconds={secs:.3f} msgs_per_s={n / secs:.0f} "
          f"mb_per_s={n * a.size / secs / 1e6:.1f} requests={requests} "
          f"resp_mb_per_s={resp_bytes / secs / 1e6:.1f} client_cpu_s={ccpu:.3f} "
          f"client_pct={ccpu / secs * 100:.0f} krest_cpu_s={kcpu:.3f} "
          f"krest_cpu_s_per_M={(kcpu / (n / 1e6)) if n else 0:.3f} "
          f"krest_pct={kcpu / secs * 100:.0f} broker_cpu_s={(b1 - b0) / hz:.3f} "
          f"broker_pct={(b1 - b0) / hz / secs * 100:.0f} "
          f"idle_pct={(j1[0] - j0[0]) / max(j1[1] - j0[1], 1) * 100:.0f} first_ms={first_ms:.0f} "
          f"first_records={first_records} extra={extra}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
