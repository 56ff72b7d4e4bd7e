"""Every response a krest of the API suite gives is checked against the OpenAPI document krest
serves for that listener (openapi_check.served_document: the REST Proxy's, or the Schema
Registry's), whatever test made the request.

conftest.py calls install() once (it wraps requests' Session.send, which every requests call
goes through), register(args, port) for each krest it starts (so a response is known to be
krest's, and from which listener), and fails a test at teardown when take(since) returns
mismatches recorded while it ran.

What is checked, for a request to a known krest listener whose path is a path of the document:
  - the method has an operation (a 405 for a method the path does not have is fine);
  - the status is documented (a 2xx must be listed; other statuses may fall back to `default`);
  - a JSON body validates against the schema of the response's Content-Type (v1 and v2 shapes
    differ by media type); a 2xx with a non-JSON body, or a JSON type the document does not
    give, is a mismatch. An error with a non-JSON body is libmicrohttpd's own answer (414, 431,
    malformed HTTP: API.md section K) and is not checked. Streamed responses (stream=True) and
    requests with a method the document cannot have (OPTIONS) are not checked.
Set KREST_OPENAPI_CHECK=0 to turn the check off.
"""

import json
import os
import threading
from urllib.parse import urlsplit

import requests

from openapi_check import OpenApiMismatch, served_document

ENABLED = os.environ.get("KREST_OPENAPI_CHECK", "1") != "0"
CHECKED_METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE", "PATCH")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")

_lock = threading.Lock()
_listeners = {}  # port -> "rest" | "registry"
_mismatches = []  # messages, in the order they were found
_counts = {"checked": 0}


def _ports(value):
    out = []
    for url in value.split(","):
        url = url.strip()
        if not url:
            continue
        try:
            port = urlsplit(url if "://" in url else "http://" + url).port
        except ValueError:
            continue
        if port:
            out.append(port)
    return out


def register(args, port):
    """Notes the listeners of a krest started with these arguments (port: its REST port)."""
    rest = [port]
    registry = []
    for a in args:
        if a.startswith("--listeners="):
            rest += _ports(a.split("=", 1)[1])
        elif a.startswith("--krest.schema.registry.listeners="):
            registry += _ports(a.split("=", 1)[1])
    with _lock:
        for p in rest:
            _listeners[p] = "rest"
        for p in registry:
            _listeners[p] = "registry"


def _is_json(media):
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def check(r, kind):
    """Checks one requests.Response against the `kind` listener's document; raises
    OpenApiMismatch, or returns False when the response is not one the document describes."""
    doc = served_document(kind)
    method = r.request.method.upper()
    url = r.request.url
    template = doc.find_template(url)
    if template is None:
        return False  # not a path krest serves: its 404 is no operation's
    op_method = "GET" if method == "HEAD" else method
    if op_method.lower() not in doc.doc["paths"][template]:
        if r.status_code == 405:
            return False
        doc.find_operation(op_method, url)  # raises: the method is not documented
    media = r.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if method != "HEAD" and _is_json(media):
        label, spec = doc.response_spec(op_method, url, r.status_code)
        if spec.get("x-krest-concatenated-json"):
            # v3 records: zero or more JSON objects, each followed by CRLF; each must validate
            for body in _concatenated(r.text, method, url, r.status_code):
                doc.check_response(op_method, url, r.status_code, body, media)
            return True
    if method == "HEAD" or not r.content:
        doc.response_spec(op_method, url, r.status_code)
        if method != "HEAD":
            doc.check_response(op_method, url, r.status_code, None)
        return True
    if not _is_json(media):
        if r.status_code >= 400:
            return False  # libmicrohttpd's own answer
        label, spec = doc.response_spec(op_method, url, r.status_code)
        if media in (spec.get("content") or {}):
            return True  # a documented non-JSON body (GET /metrics: text/plain)
        raise OpenApiMismatch(
            f"{method} {url} -> {r.status_code}: Content-Type {media!r} is not JSON: "
            f"{r.text[:200]!r}"
        )
    try:
        body = r.json()
    except ValueError:
        raise OpenApiMismatch(
            f"{method} {url} -> {r.status_code} ({media}): body is not JSON: {r.text[:300]!r}"
        ) from None
    doc.check_response(op_method, url, r.status_code, body, media)
    return True


def _concatenated(text, method, url, status):
    """The objects of a body of concatenated JSON objects, each followed by CRLF."""
    dec = json.JSONDecoder()
    out = []
    i = 0
    while i < len(text):
        try:
            obj, end = dec.raw_decode(text, i)
        except ValueError:
            raise OpenApiMismatch(
                f"{method} {url} -> {status}: not concatenated JSON at {i}: {text[i:i + 200]!r}"
            ) from None
        if text[end:end + 2] != "\r\n":
            raise OpenApiMismatch(f"{method} {url} -> {status}: object at {i} not followed by CRLF")
        out.append(obj)
        i = end + 2
    return out


def _observe(r):
    try:
        parts = urlsplit(r.request.url)
        if parts.hostname not in LOCAL_HOSTS:
            return
        kind = _listeners.get(parts.port)
        if kind is None:
            return
        if r.request.method.upper() not in CHECKED_METHODS:
            return
        if check(r, kind):
            with _lock:
                _counts["checked"] += 1
    except OpenApiMismatch as e:
        with _lock:
            _mismatches.append(str(e))
    except Exception as e:  # a fault of the check itself must show too
        with _lock:
            _mismatches.append(f"{r.request.method} {r.request.url}: the check failed: {e!r}")


def install():
    """Wraps requests' Session.send so that every response is observed (once)."""
    if not ENABLED or getattr(requests.sessions.Session.send, "_krest_openapi", False):
        return
    orig = requests.sessions.Session.send

    def send(self, request, **kw):
        r = orig(self, request, **kw)
        if not kw.get("stream"):
            _observe(r)
        return r

    send._krest_openapi = True
    requests.sessions.Session.send = send


def mark():
    """A position in the list of mismatches, for take()."""
    with _lock:
        return len(_mismatches)


def take(since):
    """The mismatches found since mark() returned `since`."""
    with _lock:
        return list(_mismatches[since:])


def discard(since):
    """Forgets the mismatches found since mark() returned `since` (for the hook's own test)."""
    with _lock:
        del _mismatches[since:]


def summary():
    with _lock:
        return _counts["checked"], len(_mismatches)
