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

Document(doc, uri, base_path)   the same checks against any document; served_document("rest")
        and served_document("registry") are the documents krest serves at GET /openapi.json
        (scripts/openapi-bundle's, made from the YAML), whose content maps are keyed by media
        type: a response's Content-Type picks the schema (v1 and v2 shapes differ by it).
    served_doc(kind)     that document as a dict.

Validation is OpenAPI 3.0 (nullable, int32/int64/date-time formats) with openapi-schema-validator;
every response object of the document forbids fields it does not list. A 2xx status the document
does not list for the operation is a mismatch; an error status falls back to the operation's
`default` response (the error body).
"""

import functools
import importlib.machinery
import importlib.util
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
BUNDLER = REPO / "scripts" / "openapi-bundle"
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
def bundler():
    """scripts/openapi-bundle as a module (the build makes the served documents with it)."""
    loader = importlib.machinery.SourceFileLoader("openapi_bundle", str(BUNDLER))
    spec = importlib.util.spec_from_loader("openapi_bundle", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


@functools.lru_cache(maxsize=None)
def served_doc(kind):
    """The document krest serves on a "rest" or "registry" listener, built from the YAML."""
    return bundler().bundle(kind)


def _template_regex(template):
    parts = re.split(r"(\{[^}/]+\})", template)
    rx = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{rx}$")


def _json_path(error):
    out = "$"
    for p in error.absolute_path:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def _absolute_refs(schema, uri):
    if isinstance(schema, dict):
        return {
            k: (uri + v if k == "$ref" and v.startswith("#") else _absolute_refs(v, uri))
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_absolute_refs(v, uri) for v in schema]
    return schema


def _media_type(r):
    return r.headers.get("Content-Type", "").split(";")[0].strip().lower()


class Document:
    """Checks responses against one OpenAPI document.

    doc: the document (dict); uri: a name for its $refs; base_path: the server URL's path,
    removed from request paths before they are looked up (the served documents have "")."""

    def __init__(self, doc, uri, base_path="", name=None):
        self.doc = doc
        self.uri = uri
        self.base_path = base_path
        self.name = name or uri
        res = Resource.from_contents(doc, default_specification=DRAFT4)
        self.registry = Registry().with_resource(uri, res)
        order = []
        for t in doc["paths"]:
            literal = len(re.sub(r"\{[^}/]+\}", "", t))
            order.append((t.count("{"), -literal, t))
        order.sort()
        # most literal first: '/brokers/-/configs' must win over '/brokers/{broker_id}/configs'
        self.templates = [(_template_regex(t), t) for _, _, t in order]

    # Finding the operation of a request

    def doc_path(self, path):
        """'http://h:p/v3/clusters/x?q' or '/v3/clusters/x' -> the document's key form."""
        p = urlsplit(path).path if "://" in path else path.split("?", 1)[0]
        b = self.base_path
        if b and (p.startswith(b + "/") or p == b):
            p = p[len(b) :]
        return p or "/"

    def find_template(self, path):
        p = self.doc_path(path)
        if p in self.doc["paths"]:
            return p
        return next((t for rx, t in self.templates if rx.match(p)), None)

    def find_operation(self, method, path):
        """(template, operation dict) for a method and a concrete path or template."""
        p = self.doc_path(path)
        template = self.find_template(path)
        if template is None:
            raise OpenApiMismatch(f"{method.upper()} {path}: no path of {self.name} matches {p}")
        op = self.doc["paths"][template].get(method.lower())
        if op is None:
            raise OpenApiMismatch(
                f"{method.upper()} {path}: {self.name} has no {method.upper()} for {template}"
            )
        return template, op

    def deref(self, obj):
        """Follows local $refs of the document (responses are referenced by name)."""
        while isinstance(obj, dict) and "$ref" in obj:
            node = self.doc
            for key in obj["$ref"].lstrip("#/").split("/"):
                node = node[key]
            obj = node
        return obj

    def response_spec(self, method, path, status):
        """(label, response object) for that operation and status; raises when the status is a
        2xx the operation does not document."""
        template, op = self.find_operation(method, path)
        responses = op["responses"]
        label = f"{method.upper()} {self.base_path}{template} -> {status} ({op.get('operationId')})"
        for key in (str(status), f"{str(status)[0]}XX"):
            if key in responses:
                return label, self.deref(responses[key])
        if 200 <= int(status) < 300 or "default" not in responses:
            documented = ", ".join(sorted(responses))
            raise OpenApiMismatch(f"{label}: status {status} is not documented (has {documented})")
        return label, self.deref(responses["default"])

    # Validation

    def schema_of(self, label, spec, media="application/json"):
        """The response's JSON schema for that media type with its refs made absolute, or None
        for no content."""
        content = spec.get("content")
        if not content:
            return None
        entry = content.get(media)
        if entry is None or "schema" not in entry:
            have = ", ".join(sorted(content))
            raise OpenApiMismatch(f"{label}: the document gives no {media} schema (has {have})")
        return _absolute_refs(entry["schema"], self.uri)

    def validate_body(self, label, schema, body):
        validator = OAS30Validator(
            schema, registry=self.registry, format_checker=oas30_format_checker
        )
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
        if not errors:
            return
        best = best_match(errors)
        lines = [f"{label}: the body does not match the document ({len(errors)} errors)"]
        lines.append(f"  first: at {_json_path(best)}: {best.message}")
        for e in errors[:10]:
            lines.append(f"  at {_json_path(e)}: {e.message[:300]}")
        lines.append(f"  body: {json.dumps(body)[:1500]}")
        raise OpenApiMismatch("\n".join(lines))

    def check_response(self, method, path, status, body, media="application/json"):
        """Validates a parsed JSON body (None = empty body) of that media type for that
        operation and status."""
        label, spec = self.response_spec(method, path, status)
        if body is None:
            if spec.get("content") and method.upper() != "HEAD":
                raise OpenApiMismatch(f"{label}: the document gives a body, the response has none")
            return
        schema = self.schema_of(label, spec, media)
        if schema is None:
            raise OpenApiMismatch(f"{label}: the document says no body, got {body!r:.300}")
        self.validate_body(label, schema, body)

    def check_http(self, r):
        """check_response for a requests.Response: the Content-Type must be one the document
        gives for that response. Returns the parsed body (or None)."""
        method = r.request.method
        url = r.request.url
        if not r.content:
            self.check_response(method, url, r.status_code, None)
            return None
        media = _media_type(r)
        try:
            body = r.json()
        except ValueError:
            raise OpenApiMismatch(
                f"{method} {url} -> {r.status_code} ({media}): body is not JSON: {r.text[:500]!r}"
            ) from None
        self.check_response(method, url, r.status_code, body, media)
        return body


@functools.lru_cache(maxsize=None)
def v3_document():
    return Document(load_doc(), DOC_URI, BASE_PATH, DOC_PATH.name)


@functools.lru_cache(maxsize=None)
def served_document(kind):
    """A Document of what krest serves on a "rest" or "registry" listener."""
    return Document(served_doc(kind), f"urn:krest:openapi:served:{kind}", "", f"{kind} document")


# The v3 document's functions (docs/openapi/krest-v3.yaml), as the v3 tests use them.


def doc_path(path):
    return v3_document().doc_path(path)


def find_operation(method, path):
    return v3_document().find_operation(method, path)


def response_spec(method, path, status):
    return v3_document().response_spec(method, path, status)


def validate_body(label, schema, body):
    v3_document().validate_body(label, schema, body)


def check_response(method, path, status, body):
    """Validates a parsed JSON body (None = empty body) for that operation and status."""
    v3_document().check_response(method, path, status, body)


def check_http(r):
    """check_response for a requests.Response; also checks Content-Type application/json when
    there is a body. Returns the parsed body (or None)."""
    if r.content and _media_type(r) != "application/json":
        raise OpenApiMismatch(
            f"{r.request.method} {r.request.url} -> {r.status_code}: Content-Type "
            f"{r.headers.get('Content-Type')!r}, expected application/json; body {r.text[:300]!r}"
        )
    return v3_document().check_http(r)


def check_produce_stream(method, path, status, text):
    """A v3 streaming produce answer: each object (each followed by CRLF) is checked against the
    operation's schema for `status`; returns the list of parsed objects."""
    doc = v3_document()
    label, spec = doc.response_spec(method, path, status)
    schema = doc.schema_of(label, spec)
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
        doc.validate_body(f"{label} object {i}", schema, obj)
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
