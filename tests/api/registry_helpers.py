"""Helpers for the built-in Schema Registry tests (docs/schema-registry.md): start krest with its
registry on a listener of its own and a storage topic of its own, talk to it over HTTP, dump its
whole visible state."""

import json
import uuid

import pytest
import requests

from conftest import SCHEME, KrestFactory, assert_error, free_port, media_type, wait_until

SR1 = "application/vnd.schemaregistry.v1+json"
SR = "application/vnd.schemaregistry+json"
JSON = "application/json"

REGISTRY_START_TIMEOUT_S = 30.0

INVALID_VERSION_MSG = (
    "The specified version '{}' is not a valid version id. "
    'Allowed values are between [1, 2^31-1] and the string "latest"'
)
INVALID_LEVEL_MSG = (
    "Invalid compatibility level. Valid values are none, backward, forward, full, "
    "backward_transitive, forward_transitive, and full_transitive"
)

LEVELS = [
    "NONE",
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
]


def unique_schemas_topic():
    return f"_schemas_{uuid.uuid4().hex[:16]}"


def unique_subject(prefix="sr-test"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def record(name="Rec", fields=None, **extra):
    """An Avro record schema as a dict; fields: list of (name, type) or field dicts."""
    out = {"type": "record", "name": name, "fields": []}
    for f in fields if fields is not None else [("a", "int")]:
        out["fields"].append(f if isinstance(f, dict) else {"name": f[0], "type": f[1]})
    out.update(extra)
    return out


def sjson(schema):
    """A schema (dict/list/str) as the JSON text a client posts."""
    return schema if isinstance(schema, str) and schema.lstrip()[:1] in "{[\"" else json.dumps(schema)


class Registry:
    """The registry of one krest: base URL, plain HTTP helpers."""

    def __init__(self, krest, port, topic):
        self.krest = krest
        self.port = port
        self.topic = topic
        self.url = f"{SCHEME}://127.0.0.1:{port}"  # https under KREST_TEST_TLS

    # --- raw HTTP

    def request(self, method, path, body=None, ctype=SR1, headers=None, timeout=15, **kw):
        h = {"Accept": SR1}
        h.update(headers or {})
        data = None
        if body is not None:
            data = body if isinstance(body, (str, bytes)) else json.dumps(body)
            if ctype is not None:
                h["Content-Type"] = ctype
        return requests.request(method, self.url + path, data=data, headers=h, timeout=timeout, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    # --- checked operations

    def ok(self, r):
        assert r.status_code == 200, f"{r.request.method} {r.request.url}: {r.status_code} {r.text[:600]}"
        assert media_type(r) in (SR1, SR, JSON), r.headers.get("Content-Type")
        return r.json()

    def register(self, subject, schema, **extra):
        """Registers; asserts 200 and the exact {"id": int} shape; returns the id."""
        body = {"schema": sjson(schema)}
        body.update(extra)
        j = self.ok(self.post(f"/subjects/{subject}/versions", body))
        assert set(j) == {"id"} and type(j["id"]) is int and j["id"] > 0, j
        return j["id"]

    def register_raw(self, subject, schema, **extra):
        body = {"schema": sjson(schema)}
        body.update(extra)
        return self.post(f"/subjects/{subject}/versions", body)

    def versions(self, subject, deleted=False):
        q = "?deleted=true" if deleted else ""
        return self.ok(self.get(f"/subjects/{subject}/versions{q}"))

    def version(self, subject, v, deleted=False):
        q = "?deleted=true" if deleted else ""
        return self.ok(self.get(f"/subjects/{subject}/versions/{v}{q}"))

    def subjects(self, deleted=False):
        q = "?deleted=true" if deleted else ""
        return self.ok(self.get(f"/subjects{q}"))

    def schema_by_id(self, i):
        return self.ok(self.get(f"/schemas/ids/{i}"))

    def set_config(self, level, subject=None):
        path = "/config" + (f"/{subject}" if subject else "")
        j = self.ok(self.put(path, {"compatibility": level}))
        assert j == {"compatibility": level}, j
        return j

    def get_config(self, subject=None):
        path = "/config" + (f"/{subject}" if subject else "")
        return self.ok(self.get(path))["compatibilityLevel"]

    def check(self, subject, schema, version="latest", verbose=False):
        q = "?verbose=true" if verbose else ""
        return self.ok(
            self.post(
                f"/compatibility/subjects/{subject}/versions/{version}{q}", {"schema": sjson(schema)}
            )
        )

    def not_listed(self, subject):
        """The subject is nowhere: not in /subjects (even deleted=true), 40401 on its versions."""
        assert subject not in self.subjects(deleted=True)
        assert_error(self.get(f"/subjects/{subject}/versions?deleted=true"), 404, 40401)

    def dump(self):
        """Everything the API shows, deleted versions and configs included, for comparisons."""
        out = {"global": self.get_config(), "subjects": {}, "ids": {}}
        live = self.subjects()
        for s in self.subjects(deleted=True):
            vs = self.versions(s, deleted=True)
            entry = {
                "live": s in live,
                "live_versions": self.versions(s) if s in live else [],
                "versions": {},
            }
            for v in vs:
                e = self.version(s, v, deleted=True)
                entry["versions"][v] = (e["id"], json.loads(e["schema"]))
                out["ids"][e["id"]] = json.loads(self.schema_by_id(e["id"])["schema"])
            r = self.get(f"/config/{s}")
            entry["config"] = r.json().get("compatibilityLevel") if r.status_code == 200 else r.status_code
            out["subjects"][s] = entry
        return out


def registry_args(port, topic, *extra):
    return (
        f"--krest.schema.registry.listeners={SCHEME}://127.0.0.1:{port}",
        f"--krest.schema.registry.topic={topic}",
        *extra,
    )


def wait_registry(reg, timeout=REGISTRY_START_TIMEOUT_S):
    """Polls GET /subjects on the registry listener until it answers 200."""
    last = [None]

    def up():
        if reg.krest.proc.poll() is not None:
            pytest.fail(f"krest exited with {reg.krest.proc.returncode}:\n{reg.krest.log_tail()}")
        try:
            r = requests.get(reg.url + "/subjects", timeout=2)
            last[0] = f"{r.status_code} {r.text[:200]}"
            return r.status_code == 200
        except requests.RequestException as e:
            last[0] = repr(e)
            return False

    if not wait_until(up, timeout, interval=0.05):
        pytest.fail(
            f"registry on {reg.url} not ready within {timeout} s ({last[0]})\n{reg.krest.log_tail()}"
        )
    return reg


def start_registry(factory, topic=None, *extra, port=None):
    """Starts one krest (through a conftest KrestFactory) with its registry on a free port and
    `topic`; waits until the registry answers. Returns a Registry."""
    topic = topic or unique_schemas_topic()
    port = port or free_port()
    k = factory(*registry_args(port, topic, *extra))
    return wait_registry(Registry(k, port, topic))


class RegistryFactory:
    """Starts registries for a module or a test; stops them (exit 0 checked) and deletes the
    topics they used at teardown."""

    def __init__(self, tmpdir, admin):
        self.krests = KrestFactory(tmpdir)
        self.admin = admin
        self.topics = set()

    def __call__(self, topic=None, *extra, port=None):
        topic = topic or unique_schemas_topic()
        self.topics.add(topic)
        return start_registry(self.krests, topic, *extra, port=port)

    def teardown(self):
        try:
            self.krests.teardown()
        finally:
            if self.topics:
                for f in self.admin.delete_topics(sorted(self.topics), operation_timeout=15).values():
                    try:
                        f.result(timeout=20)
                    except Exception:
                        pass


# --- fixtures: import them into a test module (`# noqa: F401 (fixtures)`)


@pytest.fixture(scope="module")
def registries(request, tmp_path_factory, kafka_bootstrap, krest_bin, admin):
    """The module's RegistryFactory: registries(topic=None, *extra, port=None)."""
    f = RegistryFactory(tmp_path_factory.mktemp(request.module.__name__), admin)
    yield f
    f.teardown()


@pytest.fixture(scope="module")
def reg(registries):
    """One registry shared by the tests of a module; tests use subjects of their own and do
    not change the global config or mode."""
    return registries()


@pytest.fixture
def fresh(tmp_path, kafka_bootstrap, krest_bin, admin):
    """fresh(topic=None) -> a registry of its own (new topic unless given); stopped at teardown."""
    f = RegistryFactory(tmp_path, admin)
    yield f
    f.teardown()


def uniq(schema):
    """The schema with its record renamed to a name no other test uses: a schema of its own,
    whose id no other subject shares."""
    return dict(schema, name=f"{schema['name']}_{uuid.uuid4().hex[:10]}")


def produce_json_records(bootstrap, topic, records):
    """Writes (key_dict, value_dict_or_None) pairs as JSON, in order, to partition 0."""
    from confluent_kafka import Producer

    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True})
    errors = []

    def cb(err, msg):
        if err is not None:
            errors.append(err)

    for key, value in records:
        p.produce(
            topic,
            key=json.dumps(key).encode(),
            value=None if value is None else json.dumps(value).encode(),
            partition=0,
            on_delivery=cb,
        )
    left = p.flush(20)
    assert left == 0 and not errors, (left, errors)


def wait_for(pred, timeout=10.0, what="condition"):
    v = wait_until(pred, timeout)
    assert v, f"timed out after {timeout} s waiting for {what}"
    return v


def read_log(topic, timeout=15.0):
    """Every committed record of a registry topic (one partition) as (key bytes, value bytes or
    None), read to the end of the partition. The registry writes in transactions, so the last
    offsets are commit markers that no consumer ever receives: the end is the partition-EOF
    event, not the high watermark."""
    import time

    from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition

    from conftest import KAFKA_BOOTSTRAP

    c = Consumer(
        {
            "bootstrap.servers": KAFKA_BOOTSTRAP,
            "group.id": "krest-test-log-" + uuid.uuid4().hex[:8],
            "enable.auto.commit": False,
            "enable.partition.eof": True,
            "isolation.level": "read_committed",
        }
    )
    try:
        c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        out = []
        deadline = time.monotonic() + timeout
        while True:
            assert time.monotonic() < deadline, f"read_log({topic}): no end after {timeout} s"
            m = c.poll(0.2)
            if m is None:
                continue
            if m.error() is not None:
                if m.error().code() == KafkaError._PARTITION_EOF:
                    return out
                continue
            out.append((m.key(), m.value()))
    finally:
        c.close()
