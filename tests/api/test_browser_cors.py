"""A browser check of CORS: headless Chromium (Debian's `chromium`, installed by
scripts/install-deps) loads a page from another origin that produces and consumes through
krest with fetch(); the page posts its outcome back to the server that served it. From an
origin krest does not allow, the same page fails and nothing reaches Kafka."""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import free_port, read_topic, unique_group, wait_until

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

PAGE = """<!doctype html>
<html><body><pre id="out">running</pre><script>
const K = "%(krest)s", TOPIC = "%(topic)s", GROUP = "%(group)s";
const V2 = "application/vnd.kafka.v2+json", JSON2 = "application/vnd.kafka.json.v2+json";
async function call(method, path, body, ctype, accept) {
  const h = {};
  if (ctype) h["Content-Type"] = ctype;
  if (accept) h["Accept"] = accept;
  const r = await fetch(K + path, {method, headers: h,
                                   body: body === undefined ? undefined : JSON.stringify(body)});
  const text = await r.text();
  if (!r.ok) throw new Error(method + " " + path + " -> " + r.status + " " + text);
  return text ? JSON.parse(text) : null;
}
async function run() {
  const values = [{"n": 1, "s": "from the browser"}, {"n": 2}];
  const produced = await call("POST", "/topics/" + TOPIC,
                              {records: values.map(v => ({value: v}))}, JSON2, V2);
  const c = await call("POST", "/consumers/" + GROUP,
                       {name: "browser", format: "json", "auto.offset.reset": "earliest"}, V2, V2);
  const base = "/consumers/" + GROUP + "/instances/browser";
  await call("POST", base + "/subscription", {topics: [TOPIC]}, V2);
  let got = [];
  for (let i = 0; i < 40 && got.length < values.length; i++)
    got = got.concat(await call("GET", base + "/records?timeout=500", undefined, undefined, JSON2));
  await call("DELETE", base, undefined, V2);
  return {ok: true, offsets: produced.offsets, consumed: got.map(r => r.value),
          base_uri: c.base_uri};
}
async function report(result) {
  document.getElementById("out").textContent = JSON.stringify(result);
  await fetch("/result", {method: "POST", body: JSON.stringify(result)});
}
run().then(report, e => report({ok: false, error: String(e)}));
</script></body></html>
"""


class PageServer:
    """Serves PAGE on its own origin (http://127.0.0.1:<port>) and keeps what it posts back."""

    def __init__(self, page):
        self.result = None
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                data = page.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                outer.result = json.loads(self.rfile.read(n))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def run_page(krest_url, topic, allowed_origin_of=None):
    """Loads the page in headless Chromium; returns (the page's result, its origin)."""
    group = unique_group("krest-browser")
    srv = PageServer(PAGE % {"krest": krest_url, "topic": topic, "group": group})
    profile = tempfile.mkdtemp(prefix="krest-chromium-")
    args = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--remote-debugging-port=0",
        srv.origin + "/",
    ]
    proc = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        assert wait_until(lambda: srv.result is not None, 60, 0.1), "the page reported nothing"
        return srv.result, srv.origin
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        srv.close()
        shutil.rmtree(profile, ignore_errors=True)


pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (scripts/install-deps installs it)"
)


def test_page_from_an_allowed_origin_produces_and_consumes(start_krest, new_topic):
    topic = new_topic()
    # The page's port is not known before it starts: allow every 127.0.0.1 port.
    k = start_krest(
        "--access.control.allow.origin=http://127.0.0.1:*",
        "--access.control.allow.methods=GET,POST,DELETE",
    )
    result, origin = run_page(k.url, topic)
    assert result.get("ok"), result
    assert result["consumed"] == [{"n": 1, "s": "from the browser"}, {"n": 2}], result
    assert [o["error_code"] for o in result["offsets"]] == [None, None]
    values = [json.loads(r.value) for r in read_topic(topic)]
    assert values == [{"n": 1, "s": "from the browser"}, {"n": 2}]


def test_page_from_another_origin_is_refused(start_krest, new_topic):
    topic = new_topic()
    k = start_krest("--access.control.allow.origin=http://app.example")
    result, origin = run_page(k.url, topic)
    assert result.get("ok") is False, result
    assert "Failed to fetch" in result["error"], result
    assert read_topic(topic) == []  # the preflight failed: the produce was never sent
