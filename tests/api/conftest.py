"""Fixtures for krest's black-box API tests.

Environment:
  KAFKA_BOOTSTRAP  host:port of a real Kafka broker (required; set by the test runner)
  KREST_BIN        the krest binary to test (default <repo>/build/krest)
  KREST_TEST_AUTH  "basic": every krest the fixtures start has Basic authentication on (a JAAS
                   file and a bcrypt password file made per krest) and every requests call
                   sends the test user's credentials unless it passes auth= itself (auth=False:
                   none)
  KREST_TEST_TLS   "1": every krest the fixtures start listens on https (a certificate of a test
                   CA made once per session with openssl, tls_helpers.Pki), Krest.url says
                   https, and requests calls trust that CA unless they pass verify= themselves

Every krest a fixture starts is stopped at teardown (SIGTERM, by pid); the test fails when its
exit code is not 0 or its log shows a sanitizer report (the suite also runs on an ASan+UBSan
build).
"""

import gzip
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
import zlib
from pathlib import Path

import brotli
import pytest
import requests
from backports import zstd

import openapi_hook

REPO = Path(__file__).resolve().parents[2]
KAFKA_LOCAL = REPO / "scripts" / "kafka-local"
KAFKA_BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP", "")
KREST_BIN = os.environ.get("KREST_BIN") or str(REPO / "build" / "krest")

TEST_AUTH = os.environ.get("KREST_TEST_AUTH", "").lower()
TEST_USER, TEST_PASSWORD = "krest-test", "krest-test-password"
TEST_TLS = os.environ.get("KREST_TEST_TLS", "") not in ("", "0")
SCHEME = "https" if TEST_TLS else "http"  # of the listeners the fixtures give krest

START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 15.0
SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error:")

V1 = "application/vnd.kafka.v1+json"
V2 = "application/vnd.kafka.v2+json"


# --------------------------------------------------------------------------------------------
# Collection: without a broker nothing here can run.


def pytest_collection_modifyitems(config, items):
    if KAFKA_BOOTSTRAP:
        return
    skip = pytest.mark.skip(
        reason="KAFKA_BOOTSTRAP is not set: the API tests need a real Kafka broker "
        "(e.g. KAFKA_BOOTSTRAP=$(KAFKA_PORT=19092 scripts/kafka-local start))"
    )
    for item in items:
        item.add_marker(skip)


# Every response of a krest started here is checked against the OpenAPI document it serves
# (openapi_hook.py); a test during which one did not match fails at teardown.


def pytest_configure(config):
    openapi_hook.install()
    if TEST_AUTH == "basic":
        _send_test_credentials()
    if TEST_TLS:
        _trust_test_ca()


def pytest_unconfigure(config):
    if _TEST_PKI:
        shutil.rmtree(_TEST_PKI[0].dir, ignore_errors=True)


_TEST_PKI = []  # KREST_TEST_TLS: [tls_helpers.Pki, PKCS12 keystore path], made once


def session_pki():
    """KREST_TEST_TLS: the session's certificates (tls_helpers.Pki) and the server keystore."""
    if not _TEST_PKI:
        from tls_helpers import Pki

        pki = Pki(tempfile.mkdtemp(prefix="krest-test-pki-"))
        _TEST_PKI[:] = [pki, pki.pkcs12("test-server-ks", pki.server, pki.server_key)]
    return _TEST_PKI[0]


def _test_tls_flags():
    """KREST_TEST_TLS: the keystore flags of the fixtures' https listeners."""
    from tls_helpers import STORE_PASSWORD

    session_pki()
    return [
        f"--ssl.keystore.location={_TEST_PKI[1]}",
        f"--ssl.keystore.password={STORE_PASSWORD}",
        "--ssl.keystore.type=PKCS12",
        f"--schema.registry.ssl.truststore.location={_TEST_PKI[0].ca}",
    ]


def _trust_test_ca():
    """KREST_TEST_TLS: requests calls that name no verify= trust the test CA (only)."""
    orig = requests.sessions.Session.request

    def request(self, method, url, *args, **kw):
        if "verify" not in kw and len(args) < 12 and self.verify is True:
            kw["verify"] = session_pki().ca
        return orig(self, method, url, *args, **kw)

    requests.sessions.Session.request = request


def _send_test_credentials():
    """KREST_TEST_AUTH=basic: requests calls that name no auth= send the test user's."""
    orig = requests.sessions.Session.request

    def request(self, method, url, *args, **kw):
        named = kw.get("auth") is not None or (len(args) > 5 and args[5] is not None)
        headers = kw.get("headers") or (args[2] if len(args) > 2 else None) or {}
        own = any(h.lower() == "authorization" for h in headers)
        if not named and not own and self.auth is None:
            kw["auth"] = (TEST_USER, TEST_PASSWORD)
        return orig(self, method, url, *args, **kw)

    requests.sessions.Session.request = request


def basic_auth_files(tmpdir, users, realm="KafkaRest", name="auth"):
    """Writes a password file of `users` (lines "user: credential[,role...]") and a JAAS file
    whose `realm` section names it; returns (jaas path, password file path)."""
    tmpdir = Path(tmpdir)
    pw = tmpdir / f"{name}-users.properties"
    pw.write_text("".join(line + "\n" for line in users))
    jaas = tmpdir / f"{name}-jaas.conf"
    jaas.write_text(
        f"{realm} {{\n  org.eclipse.jetty.jaas.spi.PropertyFileLoginModule required\n"
        f'  file="{pw}"\n  debug="true";\n}};\n'
    )
    return jaas, pw


def _test_auth_flags(tmpdir, n):
    """KREST_TEST_AUTH=basic: the flags of a krest with Basic authentication on, the test
    user's password stored as bcrypt (cost 4: the cheapest crypt(3) accepts)."""
    import bcrypt

    cred = bcrypt.hashpw(TEST_PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    jaas, _ = basic_auth_files(tmpdir, [f"{TEST_USER}: {cred},krest"], name=f"test-auth-{n}")
    return [
        "--authentication.method=BASIC",
        "--authentication.realm=KafkaRest",
        "--authentication.roles=krest",
        f"--krest.authentication.jaas.file={jaas}",
        # its own client of a registry (the built-in one has Basic auth on too)
        "--schema.registry.basic.auth.credentials.source=USER_INFO",
        f"--schema.registry.basic.auth.user.info={TEST_USER}:{TEST_PASSWORD}",
    ]


def registry_client_conf(url):
    """confluent-kafka's SchemaRegistryClient configuration for a registry krest serves (the
    test CA under KREST_TEST_TLS, the test user under KREST_TEST_AUTH=basic)."""
    conf = {"url": url}
    if TEST_TLS:
        conf["ssl.ca.location"] = session_pki().ca
    if TEST_AUTH == "basic":
        conf["basic.auth.user.info"] = f"{TEST_USER}:{TEST_PASSWORD}"
    return conf


def basic_header(user, password):
    """The Authorization header value of Basic credentials."""
    import base64

    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture(autouse=True)
def _openapi_responses():
    since = openapi_hook.mark()
    yield
    found = openapi_hook.take(since)
    if found:
        pytest.fail(
            f"{len(found)} response(s) of krest do not match its OpenAPI document "
            "(docs/openapi/*.yaml; KREST_OPENAPI_CHECK=0 turns the check off):\n"
            + "\n".join(found[:20]),
            pytrace=False,
        )


def pytest_terminal_summary(terminalreporter):
    checked, bad = openapi_hook.summary()
    if checked or bad:
        terminalreporter.write_line(
            f"openapi: {checked} krest responses matched the OpenAPI document, {bad} did not"
        )


def pytest_report_header(config):
    return [f"krest: {KREST_BIN}", f"kafka: {KAFKA_BOOTSTRAP or '(KAFKA_BOOTSTRAP not set)'}"]


# --------------------------------------------------------------------------------------------
# Helpers


def free_port():
    """A TCP port nothing listens on right now (bound once, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(extra=None):
    """os.environ without krest configuration variables, plus `extra`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not (k.startswith("KREST_") or k.startswith("KAFKA_REST_"))
    }
    if extra:
        env.update(extra)
    return env


def wait_until(predicate, timeout, interval=0.05):
    """Polls predicate() until it returns a truthy value or timeout seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        v = predicate()
        if v:
            return v
        if time.monotonic() >= deadline:
            return v
        time.sleep(interval)


def flag_key(flag):
    """'--a.b=c' -> 'a.b'; anything else -> None."""
    if flag.startswith("--") and "=" in flag:
        return flag[2:].split("=", 1)[0]
    return None


def assert_error(r, status, error_code=None):
    """An error response: exact status, a JSON body of exactly error_code (int) and message
    (non-empty str), and the expected error_code (default: the status)."""
    assert r.status_code == status, f"expected {status}, got {r.status_code}: {r.text[:500]}"
    try:
        body = r.json()
    except ValueError:
        pytest.fail(f"error body is not JSON: {r.text[:500]!r}")
    assert isinstance(body, dict), body
    assert set(body) == {"error_code", "message"}, body
    assert type(body["error_code"]) is int, body
    assert isinstance(body["message"], str) and body["message"], body
    want = status if error_code is None else error_code
    assert body["error_code"] == want, body
    return body


def media_type(r):
    """The response's Content-Type without parameters, lower case."""
    return r.headers.get("Content-Type", "").split(";")[0].strip().lower()


class Krest:
    """One krest process started by the fixtures."""

    def __init__(self, args, env, log_path, port, scheme="http"):
        self.args = args
        self.port = port
        self.scheme = scheme
        self.url = f"{scheme}://127.0.0.1:{port}"
        self.log_path = Path(log_path)
        self._logf = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            args, stdout=self._logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
        )
        self.returncode = None
        self.ready_headers = b""  # extra header lines of wait_ready's GET / (credentials)
        self.ready_cert = None  # (cert, key) wait_ready presents on an https listener (mTLS)
        openapi_hook.register(args, port)

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, n=40):
        """The last n lines, then the last 40 lines that are not access-log lines (a crash
        message is easy to miss among the requests)."""
        lines = self.log().splitlines()
        other = [ln for ln in lines if " access " not in ln][-40:]
        return "\n".join(lines[-n:] + ["--- non-access lines ---"] + other)

    def get(self, path, **kw):
        kw.setdefault("timeout", 10)
        return requests.get(self.url + path, **kw)

    def post(self, path, **kw):
        kw.setdefault("timeout", 10)
        return requests.post(self.url + path, **kw)

    def request(self, method, path, **kw):
        kw.setdefault("timeout", 10)
        return requests.request(method, self.url + path, **kw)

    def wait_ready(self, timeout=START_TIMEOUT_S):
        """Polls GET / until it answers 200; fails when the process exits or time runs out."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(
                    f"krest exited with {self.proc.returncode} during start-up: {self.args}\n"
                    f"{self.log_tail()}"
                )
            # A raw socket, closed at once: a requests connection may keep its fd open until
            # the garbage collector runs, and would count against server.connection.limit.
            try:
                with self._connect() as s:
                    s.sendall(
                        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                        + self.ready_headers
                        + b"\r\n"
                    )
                    data = b""
                    while b"\r\n" not in data:
                        chunk = s.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                status = data.split(b"\r\n", 1)[0].split(b" ")
                if len(status) >= 2 and status[1] == b"200":
                    return self
                last = f"status line {data[:80]!r}"
            except OSError as e:
                last = repr(e)
            time.sleep(0.05)
        pytest.fail(
            f"krest did not answer GET / with 200 within {timeout} s ({last}): {self.args}\n"
            f"{self.log_tail()}"
        )

    def _connect(self):
        """A socket to the REST listener (TLS when it is https), for wait_ready."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=1)
        if self.scheme != "https":
            return s
        import ssl

        ctx = ssl.create_default_context(cafile=session_pki().ca)
        if self.ready_cert:
            ctx.load_cert_chain(*self.ready_cert)
        try:
            return ctx.wrap_socket(s, server_hostname="127.0.0.1")
        except BaseException:
            s.close()
            raise

    def wait_log(self, pattern, timeout=3.0):
        """Polls the log until the regex matches; returns the match or None."""
        rx = re.compile(pattern)
        return wait_until(lambda: rx.search(self.log()), timeout)

    def signal(self, sig):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)

    def wait(self, timeout=STOP_TIMEOUT_S):
        """Waits for the process to exit; returns its exit code or None on timeout."""
        try:
            self.returncode = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        return self.returncode

    def stop(self, timeout=STOP_TIMEOUT_S):
        """SIGTERM, wait up to timeout seconds (then SIGKILL); returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.returncode = "timeout (killed)"
        if self.returncode is None:
            self.returncode = self.proc.returncode
        if not self._logf.closed:
            self._logf.close()
        return self.returncode

    def problems(self):
        """Teardown check: a non-zero exit or a sanitizer report, as a list of strings."""
        out = []
        code = self.stop()
        if code != 0:
            out.append(f"krest exit code {code} (expected 0)")
        text = self.log()
        for marker in SANITIZER_MARKERS:
            if marker in text:
                out.append(f"krest log contains {marker!r}")
        if out:
            out.append(f"args: {self.args}\nlog tail:\n{self.log_tail(80)}")
        return out


def build_args(extra, bootstrap=None, listeners=True, port=None, positional=(), scheme="http"):
    """The krest command line. Defaults that `extra` names again are left out."""
    if port is None:
        port = free_port()
    given = {flag_key(f) for f in extra}
    defaults = []
    if listeners:
        defaults.append(f"--listeners={scheme}://127.0.0.1:{port}")
    if bootstrap is not False:
        defaults.append(f"--bootstrap.servers={bootstrap or KAFKA_BOOTSTRAP}")
    defaults += ["--krest.schema.registry.listeners=", "--client.timeout.ms=3000"]
    defaults = [d for d in defaults if flag_key(d) not in given]
    return [KREST_BIN, *positional, *defaults, *extra], port


def _given_scheme(extra, port):
    """The scheme of the --listeners entry on `port` among the flags (https: Krest.url says so
    and wait_ready speaks TLS, trusting session_pki()'s CA), else http."""
    for f in extra:
        if flag_key(f) == "listeners" and port is not None:
            for url in f.split("=", 1)[1].split(","):
                if url.strip().startswith("https://") and url.strip().endswith(f":{port}"):
                    return "https"
    return "http"


class KrestFactory:
    def __init__(self, tmpdir):
        self.tmpdir = Path(tmpdir)
        self.started = []

    def __call__(
        self,
        *extra,
        bootstrap=None,
        env=None,
        listeners=True,
        port=None,
        positional=(),
        wait=True,
    ):
        """Starts krest and (with wait) polls until GET / answers 200.

        bootstrap: None = KAFKA_BOOTSTRAP, False = no --bootstrap.servers flag.
        listeners: False = no --listeners flag (then `port` says where krest will listen).
        positional: arguments before the flags (a properties file).
        env: extra environment variables (KREST_*/KAFKA_REST_* of the caller's are removed)."""
        auth = TEST_AUTH == "basic" and "authentication.method" not in map(flag_key, extra)
        if auth:
            extra = (*_test_auth_flags(self.tmpdir, len(self.started)), *extra)
        given = set(map(flag_key, extra))
        tls = TEST_TLS and listeners and "listeners" not in given
        if tls and "ssl.keystore.location" not in given:
            extra = (*_test_tls_flags(), *extra)
        scheme = "https" if tls else _given_scheme(extra, port)
        args, port = build_args(extra, bootstrap, listeners, port, positional, scheme)
        log_path = self.tmpdir / f"krest-{len(self.started)}-{port}.log"
        k = Krest(args, clean_env(env), log_path, port, scheme)
        if auth:
            header = basic_header(TEST_USER, TEST_PASSWORD)
            k.ready_headers = f"Authorization: {header}\r\n".encode()
        self.started.append(k)
        if wait:
            k.wait_ready()
        return k

    def teardown(self):
        problems = []
        for k in self.started:
            problems += k.problems()
        if problems:
            pytest.fail("\n".join(problems), pytrace=False)


# --------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="session")
def kafka_bootstrap():
    if not KAFKA_BOOTSTRAP:
        pytest.skip("KAFKA_BOOTSTRAP is not set")
    return KAFKA_BOOTSTRAP


@pytest.fixture(scope="session")
def krest_bin():
    if not os.path.isfile(KREST_BIN) or not os.access(KREST_BIN, os.X_OK):
        pytest.fail(f"krest binary not found or not executable: {KREST_BIN} (run make)")
    return KREST_BIN


@pytest.fixture
def start_krest(tmp_path, kafka_bootstrap, krest_bin):
    f = KrestFactory(tmp_path)
    yield f
    f.teardown()


@pytest.fixture(scope="session")
def krest(tmp_path_factory, kafka_bootstrap, krest_bin):
    """One krest for tests that only read."""
    f = KrestFactory(tmp_path_factory.mktemp("krest-session"))
    k = f()
    yield k
    f.teardown()


@pytest.fixture(scope="session")
def admin(kafka_bootstrap):
    from confluent_kafka.admin import AdminClient

    return AdminClient({"bootstrap.servers": kafka_bootstrap})


def topic_names(admin):
    return set(admin.list_topics(timeout=10).topics)


def topic_meta(admin, name):
    """confluent_kafka TopicMetadata for an existing topic (listing all topics never creates
    one)."""
    return admin.list_topics(timeout=10).topics.get(name)


def topic_configs(admin, name):
    """{name: value} of every config the broker describes for the topic (defaults too)."""
    from confluent_kafka.admin import ConfigResource

    res = ConfigResource(ConfigResource.Type.TOPIC, name)
    entries = admin.describe_configs([res])[res].result(timeout=15)
    return {k: e.value for k, e in entries.items()}


def unique_topic(prefix="krest-test"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def new_topic(admin):
    """new_topic(partitions=1, config=None, name=None) -> name: creates a topic, waits until
    every partition has a leader in the AdminClient's view, deletes it at teardown."""
    from confluent_kafka.admin import NewTopic

    created = []

    def make(partitions=1, config=None, name=None):
        name = name or unique_topic()
        nt = NewTopic(name, num_partitions=partitions, replication_factor=1, config=config or {})
        admin.create_topics([nt], operation_timeout=15)[name].result(timeout=20)
        created.append(name)

        def ready():
            t = topic_meta(admin, name)
            return (
                t is not None
                and t.error is None
                and len(t.partitions) == partitions
                and all(p.leader >= 0 for p in t.partitions.values())
            )

        assert wait_until(ready, 15), f"topic {name} has no leaders after 15 s"
        return name

    yield make
    if created:
        futs = admin.delete_topics(created, operation_timeout=15)
        for f in futs.values():
            try:
                f.result(timeout=20)
            except Exception:
                pass


def produce(bootstrap, topic, n, partition=0, value=b"v"):
    """Produces n records with confluent_kafka.Producer and waits for every acknowledgement."""
    from confluent_kafka import Producer

    p = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    errors = []

    def cb(err, msg):
        if err is not None:
            errors.append(err)

    for i in range(n):
        p.produce(topic, value=value + str(i).encode(), partition=partition, on_delivery=cb)
    left = p.flush(20)
    assert left == 0 and not errors, (left, errors)


@pytest.fixture(scope="session")
def consumer_offsets_exists(admin, kafka_bootstrap):
    """Makes sure the broker has __consumer_offsets (an offset commit creates it)."""
    from confluent_kafka import Consumer, TopicPartition
    from confluent_kafka.admin import NewTopic

    if "__consumer_offsets" in topic_names(admin):
        return
    name = unique_topic("krest-test-offsets")
    admin.create_topics([NewTopic(name, 1, 1)])[name].result(timeout=20)
    c = Consumer(
        {"bootstrap.servers": kafka_bootstrap, "group.id": name, "enable.auto.commit": False}
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                c.commit(offsets=[TopicPartition(name, 0, 0)], asynchronous=False)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        c.close()
        admin.delete_topics([name])
    assert wait_until(lambda: "__consumer_offsets" in topic_names(admin), 15)


class Broker:
    def __init__(self, port, data):
        self.port = port
        self.data = data
        self.bootstrap = f"127.0.0.1:{port}"
        self.running = False

    def env(self):
        return dict(os.environ, KAFKA_PORT=str(self.port), KAFKA_DATA=str(self.data))

    def start(self):
        r = subprocess.run(
            [str(KAFKA_LOCAL), "start"],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert r.returncode == 0, f"kafka-local start failed: {r.stderr[-2000:]}"
        self.running = True
        assert r.stdout.strip().splitlines()[-1] == self.bootstrap, r.stdout
        return self.bootstrap

    def stop(self):
        if not self.running:
            return
        subprocess.run([str(KAFKA_LOCAL), "stop"], env=self.env(), timeout=60, check=False)
        self.running = False


@pytest.fixture
def second_broker(kafka_bootstrap):
    """second_broker() -> (bootstrap, stop_fn): another real broker on a free port with its
    own data dir; stopped at teardown."""
    brokers = []
    dirs = []

    def make():
        data = tempfile.mkdtemp(prefix="krest-broker-")
        dirs.append(data)
        b = Broker(free_port(), data)
        brokers.append(b)
        b.start()
        return b.bootstrap, b.stop

    yield make
    for b in brokers:
        b.stop()
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Produce tests: requests to krest and an independent consumer (confluent-kafka) that reads
# what reached Kafka.

BIN2 = "application/vnd.kafka.binary.v2+json"
JSON2 = "application/vnd.kafka.json.v2+json"
BIN1 = "application/vnd.kafka.binary.v1+json"
JSON1 = "application/vnd.kafka.json.v1+json"


def raw_get(k, path, ae, headers=None):
    """GET without decoding: (response, raw body bytes)."""
    h = {"Accept-Encoding": ae}  # None: requests sends no Accept-Encoding at all
    h.update(headers or {})
    r = requests.get(k.url + path, headers=h, stream=True, timeout=30)
    return r, r.raw.read(decode_content=False)


def decode(coding, raw):
    if coding is None or coding == "identity":
        return raw
    return {
        "gzip": gzip.decompress,
        "deflate": zlib.decompress,  # HTTP's deflate is the zlib format
        "br": brotli.decompress,
        "zstd": zstd.decompress,
    }[coding](raw)


def b64(data):
    """Standard base64 with padding, as a str."""
    import base64

    return base64.b64encode(data).decode("ascii")


def produce_path(topic, partition=None):
    return f"/topics/{topic}" + ("" if partition is None else f"/partitions/{partition}")


def post_records(k, topic, body, ctype=BIN2, partition=None, headers=None, timeout=40):
    """POSTs a produce request; body: dict/list (sent as JSON) or str/bytes (sent as is)."""
    import json

    h = {"Content-Type": ctype}
    h.update(headers or {})
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return k.post(produce_path(topic, partition), data=data, headers=h, timeout=timeout)


def assert_produced(r, n, version=V2):
    """A 200 produce response of exactly Confluent's shape with n records, all acknowledged
    (error_code and error null); returns [(partition, offset), ...] in request order."""
    assert r.status_code == 200, f"expected 200, got {r.status_code}: {r.text[:500]}"
    assert media_type(r) == version, r.headers.get("Content-Type")
    body = r.json()
    assert isinstance(body, dict) and set(body) == {
        "key_schema_id",
        "value_schema_id",
        "offsets",
    }, body
    assert body["key_schema_id"] is None and body["value_schema_id"] is None, body
    offsets = body["offsets"]
    assert isinstance(offsets, list) and len(offsets) == n, (n, offsets[:5])
    out = []
    for o in offsets:
        assert isinstance(o, dict) and set(o) == {"partition", "offset", "error_code", "error"}, o
        assert type(o["partition"]) is int and type(o["offset"]) is int, o
        assert o["partition"] >= 0 and o["offset"] >= 0, o
        assert o["error_code"] is None and o["error"] is None, o
        out.append((o["partition"], o["offset"]))
    return out


class Rec:
    """One record as the independent consumer read it."""

    __slots__ = ("partition", "offset", "key", "value", "headers", "timestamp")

    def __init__(self, m):
        self.partition = m.partition()
        self.offset = m.offset()
        self.key = m.key()
        self.value = m.value()
        self.headers = m.headers()
        self.timestamp = m.timestamp()  # (type, ms)

    def __repr__(self):
        return (
            f"Rec(p={self.partition}, o={self.offset}, key={self.key!r:.60}, "
            f"value={self.value!r:.60}, headers={self.headers!r:.80}, ts={self.timestamp})"
        )


_READERS = {}


def _reader(bootstrap):
    """One long-lived consumer per bootstrap (used from the main thread only): creating one per
    look-up costs more than the look-up."""
    from confluent_kafka import Consumer

    bootstrap = bootstrap or KAFKA_BOOTSTRAP
    c = _READERS.get(bootstrap)
    if c is None:
        c = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": unique_topic("krest-test-reader"),
                "enable.auto.commit": False,
                "enable.auto.offset.store": False,
                "allow.auto.create.topics": False,
                # a fetch waiting at the broker delays the next assignment's first fetch
                "fetch.wait.max.ms": 10,
            }
        )
        _READERS[bootstrap] = c
    return c


_PARTITIONS = {}


def _watermarks(c, topic, timeout):
    """{partition: (low, high)}; the partition list is looked up once per topic (a metadata
    request after an assignment can take the consumer 0.5 s)."""
    from confluent_kafka import TopicPartition

    parts = _PARTITIONS.get(topic)
    if parts is None:
        md = c.list_topics(topic, timeout=timeout).topics.get(topic)
        assert md is not None and md.error is None, f"topic {topic}: {md and md.error}"
        parts = _PARTITIONS[topic] = sorted(md.partitions)
    from confluent_kafka import KafkaError, KafkaException

    transient = {
        KafkaError.NOT_LEADER_FOR_PARTITION,
        KafkaError.UNKNOWN_TOPIC_OR_PART,
        KafkaError.LEADER_NOT_AVAILABLE,
        KafkaError._TRANSPORT,
    }

    def marks(p):
        # a topic created a moment ago may answer NOT_LEADER/UNKNOWN_TOPIC_OR_PART for a while
        deadline = time.monotonic() + timeout
        while True:
            try:
                return c.get_watermark_offsets(
                    TopicPartition(topic, p), timeout=timeout, cached=False
                )
            except KafkaException as e:
                err = e.args[0]
                if time.monotonic() > deadline or not (
                    err.retriable() or err.code() in transient
                ):
                    raise
                time.sleep(0.05)

    return {p: marks(p) for p in parts}


def end_offsets(topic, bootstrap=None, timeout=10.0):
    """{partition: high watermark} of an existing topic, asked from the broker."""
    c = _reader(bootstrap)
    return {p: hi for p, (lo, hi) in _watermarks(c, topic, timeout).items()}


def read_topic(topic, start=None, bootstrap=None, timeout=15.0):
    """Every record of an existing topic from `start` ({partition: offset}, default: the
    beginning) up to the end offsets at the time of the call, sorted by (partition, offset).
    Fails when they cannot all be read within `timeout` seconds."""
    from confluent_kafka import TopicPartition

    c = _reader(bootstrap)
    try:
        marks = _watermarks(c, topic, timeout)
        begin = {p: max(lo, (start or {}).get(p, lo)) for p, (lo, hi) in marks.items()}
        want = {p: hi for p, (lo, hi) in marks.items() if begin[p] < hi}
        if not want:
            return []
        c.assign([TopicPartition(topic, p, begin[p]) for p in want])
        got = []
        nxt = dict(begin)
        deadline = time.monotonic() + timeout
        while any(nxt[p] < hi for p, hi in want.items()):
            if time.monotonic() > deadline:
                pytest.fail(f"read_topic({topic}): read up to {nxt}, end offsets {want}")
            left = sum(hi - nxt[p] for p, hi in want.items())
            for m in c.consume(min(left, 10000), timeout=0.2):
                if m.error() is not None:
                    continue
                p = m.partition()
                if p in want and m.offset() < want[p]:
                    got.append(Rec(m))
                    nxt[p] = max(nxt[p], m.offset() + 1)
        got.sort(key=lambda r: (r.partition, r.offset))
        return got
    finally:
        c.unassign()


def create_topic(admin, partitions=1, config=None, name=None):
    """Creates a topic and waits until every partition has a leader; the caller deletes it."""
    from confluent_kafka.admin import NewTopic

    name = name or unique_topic()
    nt = NewTopic(name, num_partitions=partitions, replication_factor=1, config=config or {})
    admin.create_topics([nt], operation_timeout=15)[name].result(timeout=20)

    def ready():
        t = topic_meta(admin, name)
        return (
            t is not None
            and t.error is None
            and len(t.partitions) == partitions
            and all(p.leader >= 0 for p in t.partitions.values())
        )

    assert wait_until(ready, 15), f"topic {name} has no leaders after 15 s"
    return name


def delete_topics(admin, names):
    if not names:
        return
    for f in admin.delete_topics(list(names), operation_timeout=15).values():
        try:
            f.result(timeout=20)
        except Exception:
            pass


@pytest.fixture(scope="session", autouse=True)
def _close_produce_readers():
    """Closes the long-lived consumers of read_topic/end_offsets at the end of the session."""
    yield
    while _READERS:
        _, c = _READERS.popitem()
        try:
            c.close()
        except Exception:
            pass


# --------------------------------------------------------------------------------------------
# Consumer tests: REST consumer instances driven over HTTP, data produced and committed offsets
# checked with confluent-kafka.


def unique_group(prefix="krest-test-group"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class RestConsumer:
    """One consumer instance of krest, addressed by group and instance name."""

    def __init__(self, k, group, instance, base_uri=None):
        self.k = k
        self.group = group
        self.instance = instance
        self.base_uri = base_uri
        self.path = f"/consumers/{group}/instances/{instance}"

    def req(self, method, sub="", body=None, ctype=V2, headers=None, timeout=15, **kw):
        """A request to the instance path + sub; body: dict/list (JSON) or str/bytes."""
        import json

        h = dict(headers or {})
        data = None
        if body is not None:
            data = body if isinstance(body, (str, bytes)) else json.dumps(body)
            h.setdefault("Content-Type", ctype)
        return self.k.request(method, self.path + sub, data=data, headers=h, timeout=timeout, **kw)

    def subscribe(self, topics=None, pattern=None):
        body = {"topics": list(topics)} if topics is not None else {"topic_pattern": pattern}
        r = self.req("POST", "/subscription", body)
        assert r.status_code == 204, f"subscribe: {r.status_code} {r.text[:300]}"

    def assign(self, topic, partitions):
        body = {"partitions": [{"topic": topic, "partition": p} for p in partitions]}
        r = self.req("POST", "/assignments", body)
        assert r.status_code == 204, f"assign: {r.status_code} {r.text[:300]}"

    def seek(self, topic, partition, offset):
        body = {"offsets": [{"topic": topic, "partition": partition, "offset": offset}]}
        r = self.req("POST", "/positions", body)
        assert r.status_code == 204, f"seek: {r.status_code} {r.text[:300]}"

    def records(self, timeout=500, max_bytes=None, accept=BIN2, raw=False):
        """GET …/records; returns the list (asserting 200), or the response with raw."""
        q = []
        if timeout is not None:
            q.append(f"timeout={timeout}")
        if max_bytes is not None:
            q.append(f"max_bytes={max_bytes}")
        sub = "/records" + ("?" + "&".join(q) if q else "")
        h = {"Accept": accept} if accept else {}
        r = self.req("GET", sub, headers=h, timeout=30)
        if raw:
            return r
        assert r.status_code == 200, f"records: {r.status_code} {r.text[:300]}"
        body = r.json()
        assert isinstance(body, list), body
        return body

    def assignments(self):
        r = self.req("GET", "/assignments")
        assert r.status_code == 200, f"assignments: {r.status_code} {r.text[:300]}"
        return sorted((p["topic"], p["partition"]) for p in r.json()["partitions"])

    def committed(self, topic, partitions):
        body = {"partitions": [{"topic": topic, "partition": p} for p in partitions]}
        r = self.req("GET", "/offsets", body)
        assert r.status_code == 200, f"GET offsets: {r.status_code} {r.text[:300]}"
        return r.json()

    def delete(self):
        return self.req("DELETE", "")


def create_consumer(k, group=None, body=None, ctype=V2, headers=None):
    """POSTs /consumers/{group}; asserts 200 and returns a RestConsumer."""
    import json

    group = group or unique_group()
    h = {"Content-Type": ctype}
    h.update(headers or {})
    data = b"" if body is None else json.dumps(body)
    r = k.post(f"/consumers/{group}", data=data, headers=h, timeout=15)
    assert r.status_code == 200, f"create consumer: {r.status_code} {r.text[:300]}"
    j = r.json()
    c = RestConsumer(k, group, j["instance_id"], j["base_uri"])
    LIVE_CONSUMERS.append(c)
    return c


# Instances create_consumer made; the consumer tests delete what is left after each test (a test
# that fails half-way must not leave instances behind in a shared krest).
LIVE_CONSUMERS = []


def delete_live_consumers():
    while LIVE_CONSUMERS:
        c = LIVE_CONSUMERS.pop()
        if c.k.proc.poll() is None:
            try:
                c.delete()
            except Exception:
                pass


def read_n(c, n, deadline_s=15.0, **kw):
    """GETs records until n have come (or time runs out); returns (records, number of GETs)."""
    got = []
    gets = 0
    deadline = time.monotonic() + deadline_s
    while len(got) < n and time.monotonic() < deadline:
        got += c.records(**kw)
        gets += 1
    return got, gets


def produce_many(bootstrap, topic, records):
    """Produces records (dicts: value, key, partition, headers, timestamp) in order with
    confluent_kafka.Producer and waits for every acknowledgement; returns [(partition, offset)]."""
    from confluent_kafka import Producer

    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True})
    out = [None] * len(records)
    errors = []

    def cb_for(i):
        def cb(err, msg):
            if err is not None:
                errors.append(err)
            else:
                out[i] = (msg.partition(), msg.offset())

        return cb

    for i, rec in enumerate(records):
        kw = {"value": rec.get("value"), "key": rec.get("key"), "on_delivery": cb_for(i)}
        for f in ("partition", "headers", "timestamp"):
            if rec.get(f) is not None:
                kw[f] = rec[f]
        p.produce(topic, **kw)
    left = p.flush(20)
    assert left == 0 and not errors, (left, errors)
    return out


def kafka_committed(bootstrap, group, topic, partitions):
    """{partition: committed offset (or None)} of a group, asked from the broker."""
    from confluent_kafka import Consumer, TopicPartition

    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        tps = c.committed([TopicPartition(topic, p) for p in partitions], timeout=10)
        return {tp.partition: (tp.offset if tp.offset >= 0 else None) for tp in tps}
    finally:
        c.close()


def group_members(admin, group):
    """The member count of a consumer group in the broker's view (0 when it has none)."""
    d = admin.describe_consumer_groups([group])[group].result(timeout=10)
    return len(d.members)


# --------------------------------------------------------------------------------------------
# v3 API: fixtures and helpers live in v3_helpers.py (the ACL broker, V3Client checked against
# docs/openapi/krest-v3.yaml, expected URLs and CRNs). Imported last: it imports from here.

from v3_helpers import acl_admin, acl_broker, acl_krest, v3, v3_names, v3_topic  # noqa: E402,F401
