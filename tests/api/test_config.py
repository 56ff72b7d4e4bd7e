"""Configuration: --help, --version, invalid values, properties file, environment, precedence,
unknown keys, SIGTERM (API.md §5, section K)."""

import re
import signal
import socket
import subprocess
import time

import pytest
import requests

import rawhttp
from conftest import KAFKA_BOOTSTRAP, KREST_BIN, clean_env, free_port


def run_once(args, timeout=10, env=None):
    """Runs krest to completion (it must exit by itself); returns (code, stdout+stderr)."""
    p = subprocess.Popen(
        [KREST_BIN, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=clean_env(env),
    )
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
        pytest.fail(f"krest {args} did not exit within {timeout} s:\n{out.decode(errors='replace')[-2000:]}")
    return p.returncode, out.decode(errors="replace")


def refuses(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return False
    except OSError:
        return True


def assert_warning(k, key):
    m = k.wait_log(rf"(?im)^.*(warn).*{re.escape(key)}.*$|^.*{re.escape(key)}.*(warn).*$", 3)
    assert m, f"no warning naming {key} in the log:\n{k.log_tail()}"


# --- --help / --version ---------------------------------------------------------------------


def test_help(krest_bin):
    code, out = run_once(["--help"])
    assert code == 0, out
    for key in [
        "bootstrap.servers",
        "listeners",
        "krest.max.request.size",
        "client.timeout.ms",
        "idle.timeout.ms",
        "shutdown.graceful.ms",
    ]:
        assert key in out, f"--help does not list {key}"


def test_version(krest_bin):
    code, out = run_once(["--version"])
    assert code == 0, out
    assert re.search(r"\d+\.\d+", out), out


# --- invalid values -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "flag,key",
    [
        ("--idle.timeout.ms=abc", "idle.timeout.ms"),
        ("--max.request.header.size=12abc", "max.request.header.size"),
        ("--compression.enable=maybe", "compression.enable"),
        ("--krest.max.request.size=lots", "krest.max.request.size"),
        ("--server.connection.limit=-x", "server.connection.limit"),
    ],
)
def test_invalid_value_exits_nonzero(krest_bin, flag, key):
    port = free_port()
    code, out = run_once(
        [
            f"--bootstrap.servers={KAFKA_BOOTSTRAP}",
            f"--listeners=http://127.0.0.1:{port}",
            "--krest.schema.registry.listeners=",
            flag,
        ]
    )
    assert code != 0, out
    assert key in out, out


def test_invalid_listener_exits_nonzero(krest_bin):
    code, out = run_once(
        [f"--bootstrap.servers={KAFKA_BOOTSTRAP}", "--listeners=not a url", "--krest.schema.registry.listeners="]
    )
    assert code != 0, out
    assert "listeners" in out, out


def test_metrics_listener_that_cannot_bind_exits_cleanly(krest_bin):
    """A start-up that fails after the Kafka side is up (krest.metrics.listener on a taken
    port) exits 1 with the reason, and frees what it made: the ASan build once leaked the
    consumer registry's expiry timer here (issue 19)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        code, out = run_once(
            [
                f"--bootstrap.servers={KAFKA_BOOTSTRAP}",
                f"--listeners=http://127.0.0.1:{free_port()}",
                "--krest.schema.registry.listeners=",
                f"--krest.metrics.listener=http://127.0.0.1:{taken.getsockname()[1]}",
            ],
            timeout=30,
        )
    assert code == 1, out
    assert "cannot listen" in out, out
    for marker in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
        assert marker not in out, out


def test_missing_properties_file_exits_nonzero(krest_bin, tmp_path):
    missing = tmp_path / "does-not-exist.properties"
    code, out = run_once([str(missing), f"--listeners=http://127.0.0.1:{free_port()}"])
    assert code != 0, out
    assert "does-not-exist.properties" in out, out


# --- sources --------------------------------------------------------------------------------


def test_properties_file(start_krest, tmp_path):
    port = free_port()
    f = tmp_path / "krest.properties"
    f.write_text(
        "# krest test configuration\n"
        f"bootstrap.servers={KAFKA_BOOTSTRAP}\n"
        f"listeners=http://127.0.0.1:{port}\n"
        "krest.schema.registry.listeners=\n"
    )
    k = start_krest(bootstrap=False, listeners=False, port=port, positional=[str(f)])
    r = k.get("/brokers")
    assert r.status_code == 200, r.text
    assert r.json() == {"brokers": [1]}


def test_properties_file_java_syntax(start_krest, tmp_path):
    port = free_port()
    f = tmp_path / "krest.properties"
    f.write_text(
        "! a comment\n"
        "   # an indented comment\n"
        "\n"
        f"bootstrap.servers = {KAFKA_BOOTSTRAP}\n"
        f"listeners: http://127.0.0.1:{port}\n"
    )
    k = start_krest(bootstrap=False, listeners=False, port=port, positional=[str(f)])
    assert k.get("/brokers").json() == {"brokers": [1]}


def test_environment(start_krest):
    port = free_port()
    k = start_krest(
        bootstrap=False,
        listeners=False,
        port=port,
        env={
            "KAFKA_REST_BOOTSTRAP_SERVERS": KAFKA_BOOTSTRAP,
            "KREST_LISTENERS": f"http://127.0.0.1:{port}",
        },
    )
    r = k.get("/brokers")
    assert r.status_code == 200, r.text
    assert r.json() == {"brokers": [1]}


def test_environment_krest_and_kafka_rest_prefixes(start_krest):
    port = free_port()
    k = start_krest(
        bootstrap=False,
        listeners=False,
        port=port,
        env={
            "KREST_BOOTSTRAP_SERVERS": KAFKA_BOOTSTRAP,
            "KAFKA_REST_LISTENERS": f"http://127.0.0.1:{port}",
        },
    )
    assert k.get("/brokers").json() == {"brokers": [1]}


def test_flag_overrides_environment(start_krest):
    env_port, flag_port = free_port(), free_port()
    k = start_krest(
        f"--listeners=http://127.0.0.1:{flag_port}",
        f"--bootstrap.servers={KAFKA_BOOTSTRAP}",
        listeners=False,
        bootstrap=False,
        port=flag_port,
        env={
            "KREST_LISTENERS": f"http://127.0.0.1:{env_port}",
            "KAFKA_REST_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}",
        },
    )
    r = k.get("/brokers")
    assert r.status_code == 200, r.text
    assert r.json() == {"brokers": [1]}
    assert refuses(env_port), "krest also listens on the environment's port"


def test_environment_overrides_file(start_krest, tmp_path):
    file_port, env_port = free_port(), free_port()
    f = tmp_path / "krest.properties"
    f.write_text(
        f"bootstrap.servers=127.0.0.1:{free_port()}\nlisteners=http://127.0.0.1:{file_port}\n"
    )
    k = start_krest(
        bootstrap=False,
        listeners=False,
        port=env_port,
        positional=[str(f)],
        env={
            "KREST_LISTENERS": f"http://127.0.0.1:{env_port}",
            "KAFKA_REST_BOOTSTRAP_SERVERS": KAFKA_BOOTSTRAP,
        },
    )
    assert k.get("/brokers").json() == {"brokers": [1]}
    assert refuses(file_port), "krest also listens on the file's port"


def test_flag_overrides_file(start_krest, tmp_path):
    file_port, flag_port = free_port(), free_port()
    f = tmp_path / "krest.properties"
    f.write_text(f"listeners=http://127.0.0.1:{file_port}\n")
    k = start_krest(port=flag_port, positional=[str(f)])
    assert k.get("/brokers").json() == {"brokers": [1]}
    assert refuses(file_port)


# --- unknown keys ---------------------------------------------------------------------------


def test_unknown_key_warns_and_starts(start_krest):
    k = start_krest("--not.a.real.key=1")
    assert k.get("/brokers").status_code == 200
    assert_warning(k, "not.a.real.key")


def test_unknown_key_in_file_warns_and_starts(start_krest, tmp_path):
    f = tmp_path / "krest.properties"
    f.write_text("some.unknown.file.key=yes\n")
    k = start_krest(positional=[str(f)])
    assert k.get("/brokers").status_code == 200
    assert_warning(k, "some.unknown.file.key")


@pytest.mark.parametrize("key", ["producer.not.a.real.key", "consumer.not.a.real.key", "client.not.a.real.key"])
def test_unknown_client_key_warns_and_starts(start_krest, key):
    k = start_krest(f"--{key}=1")
    r = k.get("/brokers")
    assert r.status_code == 200, r.text
    assert r.json() == {"brokers": [1]}
    assert_warning(k, key)


# --- shutdown -------------------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_exits_zero_within_graceful_period(start_krest, sig):
    k = start_krest("--shutdown.graceful.ms=3000")
    assert k.get("/topics").status_code == 200  # the Kafka clients are up
    assert k.get("/brokers").status_code == 200
    t0 = time.monotonic()
    k.signal(sig)
    code = k.wait(3 + 2)
    elapsed = time.monotonic() - t0
    assert code is not None, "krest still runs 5 s after the signal (shutdown.graceful.ms=3000)"
    assert code == 0, f"exit code {code}\n{k.log_tail()}"
    assert elapsed < 5
    assert refuses(k.port)


def test_sigterm_with_idle_keepalive_connection(start_krest):
    k = start_krest("--shutdown.graceful.ms=3000")
    s = rawhttp.connect(k.port)
    try:
        s.sendall(rawhttp.request_bytes("GET", "/brokers"))
        assert rawhttp.read_response(s).status == 200
        stalled = rawhttp.connect(k.port)
        stalled.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # never finished
        t0 = time.monotonic()
        k.signal(signal.SIGTERM)
        code = k.wait(3 + 2)
        assert code == 0, f"exit code {code} after {time.monotonic() - t0:.1f} s\n{k.log_tail()}"
        stalled.close()
    finally:
        s.close()


def test_sigterm_after_clients_abort_mid_body(start_krest):
    # Clients that sent half a request body and disconnected are not requests in flight:
    # they must not hold shutdown for shutdown.graceful.ms.
    k = start_krest("--shutdown.graceful.ms=4000")
    for _ in range(10):
        s = rawhttp.connect(k.port)
        s.sendall(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/vnd.kafka.v2+json\r\n"
            b"Content-Length: 1000\r\n\r\n{\"a\":"
        )
        s.close()
    assert k.get("/").status_code == 200
    time.sleep(0.2)
    t0 = time.monotonic()
    k.signal(signal.SIGTERM)
    code = k.wait(4 + 3)
    elapsed = time.monotonic() - t0
    assert code == 0, f"exit code {code}\n{k.log_tail()}"
    assert elapsed < 2.0, f"shutdown took {elapsed:.1f} s after clients aborted mid-body"
