"""Checks krest's v3 responses against krest's own OpenAPI document (docs/openapi/krest-v3.yaml).

    check_response(method, path, status, body)   the JSON body (parsed; None = no body) must be
        what the document says that operation answers with that status; `path` is a template
        ("/v3/clusters/{cluster_id}/topics") or a concrete path or URL ("/v3/clusters/abc/topics",
        "http://127.0.0.1:8082/v3/clusters/abc/topics?x=1"). Raises OpenApiMismatch.
    check_http(r)        the same for a requests.Response (method, URL, status, body and
        Content-Type taken from it); returns the parsed body.
    check_produce_stream(method, path, status, text)   each CRLF-separated object of a v3
        streaming produce answer against the operation's schema; returns the parsed objects.
    V3Client(base_url)   .get/.post/.put/.patch/.delete/.request(path, ...) -> requests.Response,
        every response checked (check=False to skip, e.g. to look at a malformed answer).
    v3get(url, **kw)     GET + check in one call; returns the response.

Validation is OpenAPI 3.0 (nullable, int32/int64/date-time formats) with openapi-schema-validator;
every response object of the document forbids fields it does not list. A 2xx status the document
does not list for the operation is a mismatch; an error status falls back to the operation's
`default` response (the error body).
"""

import functools
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import requests
import yaml
from jsonschema.exceptions import best_match
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

REPO = Path(__file__).resolve().parents[2]
DOC_PATH = REPO / "docs" / "openapi" / "krest-v3.yaml"
DOC_URI = "urn:krest:openapi:v3"
BASE_PATH = "/v3"  # the document's server URL
METHODS = ("get", "put", "post", "delete", "patch")


class OpenApiMismatch(AssertionError):
    """A response that does not match the document."""


@functools.lru_cache(maxsize=None)
def load_doc(path=DOC_PATH):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


@functools.lru_cache(maxsize=None)
def _registry(path=DOC_PATH):
    res = Resource.from_contents(load_doc(path), default_specification=DRAFT4)
    return Registry().with_resource(DOC_URI, res)


# --------------------------------------------------------------------------------------------
# Finding the operation of a request


def _template_regex(template):
    parts = re.split(r"(\{[^}/]+\})", template)
    rx = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{rx}$")


@functools.lru_cache(maxsize=None)
def _templates(path=DOC_PATH):
    """[(regex, template)], most literal first: '/brokers/-/configs' must win over
    '/brokers/{broker_id}/configs'."""
    out = []
    for t in load_doc(path)["paths"]:
        params = t.count("{")
        literal = len(re.sub(r"\{[^}/]+\}", "", t))
        out.append((params, -literal, t))
    out.sort()
    return [(_template_regex(t), t) for _, _, t in out]


def doc_path(path):
    """'http://h:p/v3/clusters/x?q' or '/v3/clusters/x' -> '/clusters/x' (the document's key
    form, relative to its server URL)."""
    p = urlsplit(path).path if "://" in path else path.split("?", 1)[0]
    if p.startswith(BASE_PATH + "/") or p == BASE_PATH:
        p = p[len(BASE_PATH) :]
    return p or "/"


def find_operation(method, path):
    """(template, operation dict) for a method and a concrete path or template."""
    p = doc_path(path)
    paths = load_doc()["paths"]
    if p in paths:
        template = p
    else:
        template = next((t for rx, t in _templates() if rx.match(p)), None)
    if template is None:
        raise OpenApiMismatch(f"{method.upper()} {path}: no path of {DOC_PATH.name} matches {p}")
    op = paths[template].get(method.lower())
    if op is None:
        raise OpenApiMismatch(
            f"{method.upper()} {path}: {DOC_PATH.name} has no {method.upper()} for {template}"
        )
    return template, op


def _deref(obj):
    """Follows one local $ref of the document (responses are referenced by name)."""
    while isinstance(obj, dict) and "$ref" in obj:
        node = load_doc()
        for key in obj["$ref"].lstrip("#/").split("/"):
            node = node[key]
        obj = node
    return obj


def response_spec(method, path, status):
    """(label, response object) for that operation and status; raises when the status is a 2xx
    the operation does not document."""
    template, op = find_operation(method, path)
    responses = op["responses"]
    label = f"{method.upper()} {BASE_PATH}{template} -> {status} ({op.get('operationId')})"
    for key in (str(status), f"{str(status)[0]}XX"):
        if key in responses:
            return label, _deref(responses[key])
    if 200 <= int(status) < 300 or "default" not in responses:
        documented = ", ".join(sorted(responses))
        raise OpenApiMismatch(f"{label}: status {status} is not documented (has {documented})")
    return label, _deref(responses["default"])


# --------------------------------------------------------------------------------------------
# Validation


def _json_path(error):
    out = "$"
    for p in error.absolute_path:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def _schema_validator(schema):
    return OAS30Validator(schema, registry=_registry(), format_checker=oas30_format_checker)


def _schema_of(label, spec):
    """The response's JSON schema with its refs made absolute, or None for no content."""
    content = spec.get("content")
    if not content:
        return None
    media = content.get("application/json")
    if media is None or "schema" not in media:
        raise OpenApiMismatch(f"{label}: the document gives no application/json schema")
    return _absolute_refs(media["schema"])


def _absolute_refs(schema):
    if isinstance(schema, dict):
        return {
            k: (DOC_URI + v if k == "$ref" and v.startswith("#") else _absolute_refs(v))
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_absolute_refs(v) for v in schema]
    return schema


def validate_body(label, schema, body):
    errors = sorted(_schema_validator(schema).iter_errors(body), key=lambda e: list(e.path))
    if not errors:
        return
    best = best_match(errors)
    lines = [f"{label}: the body does not match the document ({len(errors)} errors)"]
    lines.append(f"  first: at {_json_path(best)}: {best.message}")
    for e in errors[:10]:
        lines.append(f"  at {_json_path(e)}: {e.message[:300]}")
    lines.append(f"  body: {json.dumps(body)[:1500]}")
    raise OpenApiMismatch("\n".join(lines))


def check_response(method, path, status, body):
    """Validates a parsed JSON body (None = empty body) for that operation and status."""
    label, spec = response_spec(method, path, status)
    schema = _schema_of(label, spec)
    if schema is None:
        if body not in (None, b"", ""):
            raise OpenApiMismatch(f"{label}: the document says no body, got {body!r:.300}")
        return
    if body is None:
        raise OpenApiMismatch(f"{label}: the document gives a body, the response has none")
    validate_body(label, schema, body)


def _media_type(r):
    return r.headers.get("Content-Type", "").split(";")[0].strip().lower()


def check_http(r):
    """check_response for a requests.Response; also checks Content-Type application/json when
    there is a body. Returns the parsed body (or None)."""
    method = r.request.method
    url = r.request.url
    if not r.content:
        check_response(method, url, r.status_code, None)
        return None
    if _media_type(r) != "application/json":
        raise OpenApiMismatch(
            f"{method} {url} -> {r.status_code}: Content-Type {r.headers.get('Content-Type')!r},"
            f" expected application/json; body {r.text[:300]!r}"
        )
    try:
        body = r.json()
    except ValueError:
        raise OpenApiMismatch(
            f"{method} {url} -> {r.status_code}: body is not JSON: {r.text[:500]!r}"
        ) from None
    check_response(method, url, r.status_code, body)
    return body


def check_produce_stream(method, path, status, text):
    """A v3 streaming produce answer: each object (each followed by CRLF) is checked against the
    operation's schema for `status`; returns the list of parsed objects."""
    label, spec = response_spec(method, path, status)
    schema = _schema_of(label, spec)
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if text and not text.endswith("\r\n"):
        raise OpenApiMismatch(f"{label}: the stream does not end with CRLF: {text[-200:]!r}")
    out = []
    for i, line in enumerate(text.split("\r\n")[:-1] if text else []):
        try:
            obj = json.loads(line)
        except ValueError:
            raise OpenApiMismatch(f"{label}: object {i} is not JSON: {line[:300]!r}") from None
        validate_body(f"{label} object {i}", schema, obj)
        out.append(obj)
    return out


# --------------------------------------------------------------------------------------------
# Request helpers


class V3Client:
    """Requests to one krest; every response is checked against the document."""

    def __init__(self, base_url, timeout=15):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def url(self, path):
        return path if "://" in path else self.base_url + path

    def request(self, method, path, check=True, **kw):
        kw.setdefault("timeout", self.timeout)
        r = requests.request(method, self.url(path), **kw)
        if check:
            check_http(r)
        return r

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


def v3get(url, **kw):
    """GET an absolute URL and check the response; returns the response."""
    kw.setdefault("timeout", 15)
    r = requests.get(url, **kw)
    check_http(r)
    return r
