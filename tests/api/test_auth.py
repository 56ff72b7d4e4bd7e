"""HTTP Basic authentication (issue 15 item 3; http/auth.c): Confluent's rest-utils keys
(authentication.method, .realm, .roles, .skip.paths, access.control.skip.options), users from
the JAAS file's PropertyFileLoginModule password file, every listener.

The credentials of the password file are made here with tools independent of krest: hashlib
(MD5:), `openssl passwd` (CRYPT: $1$, $5$, $6$), PyPI's bcrypt ($2b$), a published DES crypt
vector (CRYPT: as Jetty's UnixCrypt), and a Python port of Jetty's obfuscation (OBF:) checked
against Jetty's documented vector."""

import base64
import hashlib
import http.client
import signal
import subprocess
import time

import bcrypt
import pytest
import requests

from conftest import (
    KAFKA_BOOTSTRAP,
    KREST_BIN,
    KrestFactory,
    basic_auth_files,
    basic_header,
    clean_env,
    free_port,
    wait_until,
)

REALM = "KafkaRest"
ROLES = "admin,ops"


def openssl_passwd(kind, password):
    """`openssl passwd -<kind>` (1: md5crypt, 5: sha256crypt, 6: sha512crypt)."""
    out = subprocess.run(
        ["openssl", "passwd", f"-{kind}", "-stdin"],
        input=password.encode(),
        capture_output=True,
        check=True,
    )
    return out.stdout.decode().strip()


def bcrypt_hash(password, cost):
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(cost)).decode()


def jetty_obfuscate(password):
    """Jetty's Password.obfuscate, written from its description: per byte pair (i, n-1-i)
    four base-36 digits, or "U" and four digits for a byte outside ASCII."""

    def b36(n):
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"
        s = ""
        while True:
            s = digits[n % 36] + s
            n //= 36
            if n == 0:
                return s

    b = password.encode()
    out = "OBF:"
    for i in range(len(b)):
        b1, b2 = b[i], b[len(b) - 1 - i]
        if b1 > 127 or b2 > 127:
            out += "U" + b36(b1 * 256 + b2).rjust(4, "0")
        else:
            out += b36((127 + b1 + b2) * 256 + (127 + b1 - b2)).rjust(4, "0")
    return out


def test_obfuscation_port_matches_jetty():
    # The example of Jetty's documentation ("password").
    assert jetty_obfuscate("password") == "OBF:1v2j1uum1xtv1zej1zer1xtn1uvk1v1v"


# user -> (password, credential as the file stores it, roles)
def make_users():
    return {
        "alice": ("alice-pw", "alice-pw", "admin"),
        "bob": ("bob-pw", "MD5:" + hashlib.md5(b"bob-pw").hexdigest(), "ops"),
        "carol": ("carol-pw", "CRYPT:" + openssl_passwd(6, "carol-pw"), "admin"),
        "cathy": ("cathy-pw", "CRYPT:" + openssl_passwd(1, "cathy-pw"), "admin"),
        "cody": ("cody-pw", "CRYPT:" + openssl_passwd(5, "cody-pw"), "admin"),
        # traditional DES crypt, Jetty's own CRYPT: (the vector of PHP's crypt() manual)
        "dan": ("rasmuslerdorf", "CRYPT:rl.3StKT.4T8M", "admin"),
        "dave": ("dave-pw", bcrypt_hash("dave-pw", 4), "admin"),
        "dora": ("dora-pw", "CRYPT:" + bcrypt_hash("dora-pw", 5), "ops"),
        "olga": ("olga-pw€", jetty_obfuscate("olga-pw€"), "admin"),
        "erin": ("erin-pw", "erin-pw", ""),
        "frank": ("frank-pw", "frank-pw", "reader"),
    }


def user_lines(users):
    return [f"{u}: {cred}" + (f",{r}" if r else "") for u, (_, cred, r) in users.items()]


def auth_flags(jaas=None, roles=ROLES, *more):
    flags = [
        "--authentication.method=BASIC",
        f"--authentication.realm={REALM}",
        f"--authentication.roles={roles}",
    ]
    if jaas:
        flags.append(f"--krest.authentication.jaas.file={jaas}")
    return flags + list(more)


def start_auth(factory, *flags, env=None, user="alice", password="alice-pw", ready=True):
    """Starts krest with wait_ready's GET / sending user's credentials."""
    k = factory(*flags, env=env, wait=False)
    k.ready_headers = f"Authorization: {basic_header(user, password)}\r\n".encode()
    if ready:
        k.wait_ready()
    return k


@pytest.fixture(scope="module")
def users():
    return make_users()


@pytest.fixture(scope="module")
def auth_krest(tmp_path_factory, kafka_bootstrap, krest_bin, users):
    tmp = tmp_path_factory.mktemp("auth")
    jaas, _ = basic_auth_files(tmp, user_lines(users), realm=REALM)
    f = KrestFactory(tmp)
    k = start_auth(f, *auth_flags(jaas))
    yield k
    f.teardown()


def get(k, path, user=None, password=None, headers=None):
    h = dict(headers or {})
    if user is not None:
        h["Authorization"] = basic_header(user, password)
    return requests.get(k.url + path, headers=h, auth=False, timeout=10)


def assert_401(r):
    assert r.status_code == 401, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json()["error_code"] == 401
    assert r.json()["message"]
    assert r.headers["WWW-Authenticate"] == f'Basic realm="{REALM}"'


def assert_403(r):
    assert r.status_code == 403, r.text
    assert r.json()["error_code"] == 403
    assert "WWW-Authenticate" not in r.headers


# --------------------------------------------------------------------------------------------
# Refusals


def test_no_credentials_is_401_everywhere_even_the_root(auth_krest):
    for path in ("/", "/topics", "/v3/clusters", "/healthy", "/metrics", "/no/such/path"):
        assert_401(get(auth_krest, path))


def test_wrong_password_and_unknown_user_are_401(auth_krest):
    assert_401(get(auth_krest, "/topics", "alice", "wrong"))
    assert_401(get(auth_krest, "/topics", "alice", ""))
    assert_401(get(auth_krest, "/topics", "mallory", "alice-pw"))
    assert_401(get(auth_krest, "/topics", "dave", "wrong"))  # bcrypt
    assert_401(get(auth_krest, "/topics", "bob", "wrong"))  # MD5


def test_user_without_a_required_role_is_403(auth_krest):
    assert_403(get(auth_krest, "/topics", "erin", "erin-pw"))  # no role at all
    assert_403(get(auth_krest, "/topics", "frank", "frank-pw"))  # another role


@pytest.mark.parametrize(
    "value",
    [
        "Basic !!!notbase64!!!",
        "Basic " + base64.b64encode(b"alice").decode(),  # no colon
        "Basic " + base64.b64encode(b"alice\x01:alice-pw").decode(),  # a control byte
        "Basic " + "QUFB" * 2560,  # 10 KB
        "Basic " + base64.b64encode(b"alice:" + b"x" * 7000).decode()[:7000],  # cut short
        "Basic",
        "Basic ",
        "Bearer abc.def.ghi",
        "Digest username=alice",
        "basicYWxpY2U6YWxpY2UtcHc=",
    ],
)
def test_malformed_authorization_is_401(auth_krest, value):
    assert_401(get(auth_krest, "/topics", headers={"Authorization": value}))


def test_failed_attempts_logged_without_the_password(auth_krest):
    secret = "never-logged-7f3a"
    assert_401(get(auth_krest, "/topics", "alice", secret))
    assert_401(get(auth_krest, "/topics", 'ev"il\\€', secret))
    assert auth_krest.wait_log(r'authentication failed from 127\.0\.0\.1 for user "alice"')
    assert auth_krest.wait_log(r'for user "ev\?il\?\?\?\?"')  # printable ASCII only
    assert secret not in auth_krest.log()


# --------------------------------------------------------------------------------------------
# Users that get in


@pytest.mark.parametrize(
    "user", ["alice", "bob", "carol", "cathy", "cody", "dan", "dave", "dora", "olga"]
)
def test_each_credential_form_authenticates(auth_krest, users, user):
    # (a crypt user refused less than a second ago, by another test, is refused a second more)
    r = wait_until(lambda: _ok(get(auth_krest, "/topics", user, users[user][0])), 3)
    assert r.status_code == 200, r.text
    assert isinstance(r.json(), list)
    # twice: the second bcrypt check is answered from the per-table cache
    assert get(auth_krest, "/topics", user, users[user][0]).status_code == 200


def _ok(r):
    return r if r.status_code == 200 else None


def test_failed_crypt_attempts_are_throttled_per_user(start_krest, tmp_path):
    cred = bcrypt_hash("gus-pw", 4)
    cred2 = "CRYPT:" + openssl_passwd(6, "hal-pw")
    jaas, _ = basic_auth_files(tmp_path, [f"gus: {cred},admin", f"hal: {cred2},admin"], realm=REALM)
    k = start_auth(start_krest, *auth_flags(jaas), user="gus", password="gus-pw")
    assert_401(get(k, "/", "hal", "wrong"))
    # the right password right after a failure from the same address: refused without a
    # crypt(3) call
    assert_401(get(k, "/", "hal", "hal-pw"))
    assert k.wait_log(r'user "hal": too many attempts for this user')
    assert wait_until(lambda: _ok(get(k, "/", "hal", "hal-pw")), 3)
    # a password accepted before is remembered: failures of others do not lock it out
    assert_401(get(k, "/", "gus", "wrong"))
    assert get(k, "/", "gus", "gus-pw").status_code == 200


def get_from(k, source, path, user, password):
    """GET path from the loopback address source (any 127.x.y.z is ours on Linux)."""
    c = http.client.HTTPConnection("127.0.0.1", k.port, timeout=10, source_address=(source, 0))
    try:
        c.request("GET", path, headers={"Authorization": basic_header(user, password)})
        r = c.getresponse()
        r.read()
        return r.status
    finally:
        c.close()


def test_a_failure_from_elsewhere_does_not_lock_the_user_out(start_krest, tmp_path):
    """Failed checks throttle the (user, client address) pair: one wrong attempt a second from
    another address does not refuse the right password, which was never checked before (after
    a start or a reload), from this one; the guessing address itself is held back."""
    jaas, _ = basic_auth_files(tmp_path, [f"gus: {bcrypt_hash('gus-pw', 4)},admin",
                                          f"alice: {bcrypt_hash('alice-pw', 4)},admin"],
                               realm=REALM)
    k = start_auth(start_krest, *auth_flags(jaas), user="gus", password="gus-pw")
    assert get_from(k, "127.0.0.2", "/", "alice", "guess") == 401
    assert get_from(k, "127.0.0.1", "/", "alice", "alice-pw") == 200
    assert get_from(k, "127.0.0.2", "/", "alice", "guess2") == 401
    assert k.wait_log(r'from 127\.0\.0\.2 for user "alice": too many attempts for this user')
    # many addresses together: at most 5 checks a second for a name (all refused beyond)
    t0 = time.monotonic()
    codes = [get_from(k, f"127.0.1.{i}", "/", "gus", f"guess{i}") for i in range(1, 13)]
    if time.monotonic() - t0 < 0.9:
        assert k.log().count('for user "gus": too many attempts for this user') >= 7
    assert codes == [401] * 12
    # the cached password of gus is not affected by any of it
    assert get_from(k, "127.0.1.1", "/", "gus", "gus-pw") == 200


def test_unknown_user_costs_a_crypt_check(start_krest, tmp_path):
    """No timing oracle for user names: an unknown user's password is checked against the
    costliest hash of the file (bcrypt cost 8 here), so a 401 for a name that does not exist
    takes about as long as one for a wrong password of a name that does."""
    jaas, _ = basic_auth_files(tmp_path, [f"gus: {bcrypt_hash('gus-pw', 4)},admin",
                                          f"tim: {bcrypt_hash('tim-pw', 8)},admin"],
                               realm=REALM)
    k = start_auth(start_krest, *auth_flags(jaas), user="gus", password="gus-pw")

    def timed(source, user):
        t0 = time.perf_counter()
        assert get_from(k, source, "/", user, "wrong") == 401
        return time.perf_counter() - t0

    known, unknown = [], []
    for i in range(1, 17):
        t0 = time.monotonic()
        known.append(timed(f"127.0.2.{i}", "tim"))
        unknown.append(timed(f"127.0.3.{i}", f"nobody{i}"))
        time.sleep(max(0.0, 0.25 - (time.monotonic() - t0)))  # tim: < 5 checks a second
    # every attempt was checked (none refused by the throttle, which would be faster)
    assert k.wait_log(r"(?s)(user \"tim\": wrong password.*){16}"), k.log_tail()
    assert k.log().count(": unknown user") == 16, k.log_tail()
    known.sort()
    unknown.sort()
    assert unknown[8] >= 0.5 * known[8], (unknown, known)


def test_access_log_names_the_user(auth_krest, start_krest, tmp_path, users):
    assert get(auth_krest, "/brokers", "cathy", "cathy-pw").status_code == 200
    assert auth_krest.wait_log(r"access GET /brokers 200 .* user=cathy")
    jaas, _ = basic_auth_files(tmp_path, user_lines(users), realm=REALM)
    k = start_auth(start_krest, *auth_flags(jaas), "--krest.access.log.format=json")
    assert get(k, "/brokers", "bob", "bob-pw").status_code == 200
    assert_401(get(k, "/brokers", "bob", "wrong"))
    assert k.wait_log(r'"path":"/brokers","status":200,.*"user":"bob"')
    assert k.wait_log(r'"path":"/brokers","status":401,.*"user":null')


def test_basic_scheme_name_is_case_insensitive(auth_krest):
    v = base64.b64encode(b"alice:alice-pw").decode()
    for scheme in ("basic", "BASIC", "bAsIc"):
        assert get(auth_krest, "/", headers={"Authorization": f"{scheme} {v}"}).status_code == 200


def test_unpadded_base64_is_read_as_java_does(auth_krest):
    v = base64.b64encode(b"alice:alice-pw1").decode()  # 15 bytes: 20 chars, no padding
    v2 = base64.b64encode(b"alice:alice-pw").decode().rstrip("=")
    assert_401(get(auth_krest, "/", headers={"Authorization": f"Basic {v}"}))
    assert get(auth_krest, "/", headers={"Authorization": f"Basic {v2}"}).status_code == 200


def test_requests_after_a_refusal_on_the_same_connection(auth_krest):
    with requests.Session() as s:
        s.auth = None
        assert s.get(auth_krest.url + "/topics", auth=False, timeout=10).status_code == 401
        r = s.get(auth_krest.url + "/topics", auth=("alice", "alice-pw"), timeout=10)
        assert r.status_code == 200


# --------------------------------------------------------------------------------------------
# skip.paths, CORS preflights, the other listeners


def test_skip_paths(start_krest, tmp_path, users):
    jaas, _ = basic_auth_files(tmp_path, user_lines(users), realm=REALM)
    k = start_krest(
        *auth_flags(jaas),
        "--authentication.skip.paths=/,/healthy,/v3/clusters/*,*.json",
    )
    assert get(k, "/").status_code == 200
    assert get(k, "/healthy").status_code == 200
    assert get(k, "/v3/clusters").status_code == 200
    assert get(k, "/openapi.json").status_code == 200
    assert_401(get(k, "/topics"))
    assert_401(get(k, "/healthyx"))
    assert_401(get(k, "/v3/clustersx"))
    # A dot segment never passes as a skipped path (the router does not normalise).
    conn = http.client.HTTPConnection("127.0.0.1", k.port, timeout=10)
    conn.request("GET", "/v3/clusters/../../topics")
    r = conn.getresponse()
    assert r.status == 401
    conn.close()


def test_cors_preflight_needs_no_credentials_unless_configured(start_krest, tmp_path, users):
    jaas, _ = basic_auth_files(tmp_path, user_lines(users), realm=REALM)
    pre = {"Origin": "http://app.example", "Access-Control-Request-Method": "POST"}
    k = start_auth(start_krest, *auth_flags(jaas), "--access.control.allow.origin=*")
    r = requests.options(k.url + "/topics/t", headers=pre, auth=False, timeout=10)
    assert r.status_code == 204
    # a real request still needs credentials, and its 401 carries the CORS headers
    r = get(k, "/topics", headers={"Origin": "http://app.example"})
    assert_401(r)
    assert r.headers.get("Access-Control-Allow-Origin") == "http://app.example"
    k2 = start_auth(
        start_krest,
        *auth_flags(jaas),
        "--access.control.allow.origin=*",
        "--access.control.skip.options=false",
    )
    assert_401(requests.options(k2.url + "/topics/t", headers=pre, auth=False, timeout=10))


def test_registry_and_metrics_listeners_need_credentials(start_krest, tmp_path, users):
    jaas, _ = basic_auth_files(tmp_path, user_lines(users), realm=REALM)
    sr, metrics = free_port(), free_port()
    k = start_auth(
        start_krest,
        *auth_flags(jaas),
        f"--krest.schema.registry.listeners=http://127.0.0.1:{sr}",
        f"--krest.metrics.listener=http://127.0.0.1:{metrics}",
    )
    for url in (f"http://127.0.0.1:{sr}/subjects", f"http://127.0.0.1:{metrics}/metrics"):
        r = requests.get(url, auth=False, timeout=10)
        assert r.status_code == 401, url
        assert r.headers["WWW-Authenticate"] == f'Basic realm="{REALM}"'
        ok = wait_until(
            lambda: requests.get(url, auth=("carol", "carol-pw"), timeout=10).status_code == 200,
            20,
        )
        assert ok, url
    assert k.get("/metrics", auth=("alice", "alice-pw")).status_code == 200


def test_metrics_open_when_listed_in_skip_paths(start_krest, tmp_path, users):
    jaas, _ = basic_auth_files(tmp_path, user_lines(users), realm=REALM)
    metrics = free_port()
    k = start_auth(
        start_krest,
        *auth_flags(jaas),
        "--authentication.skip.paths=/metrics",
        f"--krest.metrics.listener=http://127.0.0.1:{metrics}",
    )
    assert requests.get(f"http://127.0.0.1:{metrics}/metrics", auth=False, timeout=10).ok
    assert get(k, "/metrics").status_code == 200
    assert_401(get(k, "/topics"))


def test_roles_star_means_any_user_and_empty_means_nobody(start_krest, tmp_path, users):
    jaas, _ = basic_auth_files(tmp_path, user_lines(users), realm=REALM)
    k = start_auth(start_krest, *auth_flags(jaas, "*"))
    assert get(k, "/", "erin", "erin-pw").status_code == 200  # no role, but authenticated
    assert_401(get(k, "/", "erin", "wrong"))
    k2 = start_auth(start_krest, *auth_flags(jaas, ""), ready=False)
    assert k2.wait_log("authentication.roles is empty", timeout=10)
    assert wait_until(lambda: _status(k2, "alice", "alice-pw") == 403, 10)


def _status(k, user, password):
    try:
        return get(k, "/", user, password).status_code
    except requests.ConnectionError:
        return None


# --------------------------------------------------------------------------------------------
# Where the JAAS file is, and start-up errors


def test_jaas_file_from_kafkarest_opts(start_krest, tmp_path, users):
    jaas, _ = basic_auth_files(tmp_path, user_lines(users), realm=REALM)
    opts = f"-Xmx256M -Dlog4j.configuration=file:x '-Djava.security.auth.login.config={jaas}' -Dx=y"
    k = start_auth(
        start_krest, *auth_flags(), env={"KAFKAREST_OPTS": opts}, user="bob", password="bob-pw"
    )
    assert_401(get(k, "/"))
    assert get(k, "/", "dave", "dave-pw").status_code == 200


def test_jaas_file_with_comments_and_other_sections(start_krest, tmp_path, users):
    _, pw = basic_auth_files(tmp_path, user_lines(users), realm=REALM)
    jaas = tmp_path / "multi.conf"
    jaas.write_text(
        "/* a block\n comment */\n"
        "KafkaClient {\n  org.apache.kafka.common.security.plain.PlainLoginModule required\n"
        '  username="x" password="y";\n};\n'
        "# Jetty 12's package\n"
        f"{REALM} {{\n  org.eclipse.jetty.security.jaas.spi.PropertyFileLoginModule required\n"
        f'  file="{pw}" // the password file\n  hotReload="false";\n}};\n'
    )
    k = start_auth(start_krest, *auth_flags(jaas))
    assert get(k, "/", "olga", "olga-pw€").status_code == 200


def run_once(args, env=None, timeout=20):
    p = subprocess.run(
        [
            KREST_BIN,
            "--krest.schema.registry.listeners=",
            f"--listeners=http://127.0.0.1:{free_port()}",
            f"--bootstrap.servers={KAFKA_BOOTSTRAP}",  # (an unreachable one costs 5 s to stop)
            *args,
        ],
        capture_output=True,
        env=clean_env(env),
        timeout=timeout,
    )
    return p.returncode, (p.stdout + p.stderr).decode(errors="replace")


@pytest.mark.parametrize(
    "jaas_text, flags, message",
    [
        (None, [], "needs a JAAS file"),
        ("KafkaRest { com.example.LdapLoginModule required url=\"x\"; };", [], "not supported"),
        ("Other { org.eclipse.jetty.jaas.spi.PropertyFileLoginModule required file=\"x\"; };", [],
         "no section 'KafkaRest'"),
        ("KafkaRest { org.eclipse.jetty.jaas.spi.PropertyFileLoginModule required; };", [],
         "needs file="),
        ("KafkaRest { org.eclipse.jetty.jaas.spi.PropertyFileLoginModule required file=\"x\" ",
         [], "line 1"),
        ("KafkaRest { org.eclipse.jetty.jaas.spi.PropertyFileLoginModule required "
         "file=\"/nonexistent/users\"; };", [], "/nonexistent/users"),
        (None, ["--authentication.method=BEARER"], "BEARER"),
        (None, ["--authentication.method=DIGEST"], "NONE, BASIC or BEARER"),
        (None, ["--authentication.realm="], "authentication.realm"),
    ],
)
def test_startup_errors(tmp_path, kafka_bootstrap, jaas_text, flags, message):
    args = auth_flags()
    if jaas_text is not None:
        jaas = tmp_path / "jaas.conf"
        jaas.write_text(jaas_text)
        args.append(f"--krest.authentication.jaas.file={jaas}")
    code, out = run_once(args + flags)
    assert code != 0, out
    assert message in out, out


def test_bad_credential_in_password_file_is_a_startup_error(tmp_path, kafka_bootstrap):
    jaas, _ = basic_auth_files(tmp_path, ["alice: MD5:nothex,admin"], realm=REALM)
    code, out = run_once(auth_flags(jaas))
    assert code != 0 and "line 1" in out and "MD5" in out, out
    assert "nothex" not in out  # a credential is never quoted


# --------------------------------------------------------------------------------------------
# SIGHUP


def test_sighup_rereads_the_password_file(start_krest, tmp_path, users):
    lines = user_lines(users)
    jaas, pw = basic_auth_files(tmp_path, lines, realm=REALM)
    k = start_auth(start_krest, *auth_flags(jaas))
    assert_401(get(k, "/", "zoe", "zoe-pw"))
    zoe = f"zoe: CRYPT:{openssl_passwd(6, 'zoe-pw')},admin"
    pw.write_text("\n".join(lines[1:] + [zoe]) + "\n")
    k.signal(signal.SIGHUP)
    assert wait_until(lambda: _status(k, "zoe", "zoe-pw") == 200, 10), k.log_tail()
    assert_401(get(k, "/", "alice", "alice-pw"))  # removed
    # A file that does not parse keeps the users in force.
    pw.write_text("zoe: MD5:zz,admin\n")
    k.signal(signal.SIGHUP)
    assert k.wait_log("reload failed, the users in force stay", timeout=10)
    assert get(k, "/", "zoe", "zoe-pw").status_code == 200
    assert k.proc.poll() is None
