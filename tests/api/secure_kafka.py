"""A broker that requires SASL or TLS, for the tests of issue 15 items 4 and 5 only.

secure_broker (session scope, started on first use) runs scripts/kafka-local with KAFKA_SASL=1,
KAFKA_SSL=1, KAFKA_SASL_SSL=1 and KAFKA_ACLS=1 on free ports: a SASL_PLAINTEXT listener (PLAIN
and SCRAM users USERS), a SASL_SSL listener (the same users over TLS), an SSL listener whose
certificates this module makes with openssl in a temporary directory (never committed), and StandardAuthorizer denying what no ACL allows (super users:
User:ANONYMOUS, i.e. the PLAINTEXT listener, and User:admin). It is stopped by its pid file at
the end of the session and its directories removed.
"""

import os
import shutil
import subprocess
import tempfile

import pytest
from confluent_kafka.admin import (
    AclBinding,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ResourcePatternType,
    ResourceType,
)

from conftest import KAFKA_LOCAL, free_port

USERS = {"admin": "admin-secret", "alice": "alice-secret", "bob": "bob-secret"}
# Many users, for the bound on per-user handles (test_kafka_security_identity.py).
MANY = {f"u{i:03d}": f"p{i:03d}" for i in range(200)}


def make_certs(d):
    """A CA and a server certificate for 127.0.0.1/localhost, as kafka-local's KAFKA_SSL_DIR
    wants them (server.pem: PKCS#8 key then certificate; ca.pem)."""

    def ssl(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True, timeout=60)

    ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=krest-test-ca")
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=localhost")
    with open(os.path.join(d, "ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    ssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "ext")
    with open(os.path.join(d, "server.pem"), "w") as out:
        for name in ("server.key", "server.crt"):
            with open(os.path.join(d, name)) as f:
                out.write(f.read())


class SecureBroker:
    def __init__(self):
        self.certs = tempfile.mkdtemp(prefix="krest-certs-")
        self.data = tempfile.mkdtemp(prefix="krest-sbroker-")
        self.port, self.sasl_port, self.ssl_port = free_port(), free_port(), free_port()
        self.sasl_ssl_port = free_port()
        self.plain = f"127.0.0.1:{self.port}"  # super user (User:ANONYMOUS)
        self.sasl = f"127.0.0.1:{self.sasl_port}"
        self.ssl = f"127.0.0.1:{self.ssl_port}"
        self.sasl_ssl = f"127.0.0.1:{self.sasl_ssl_port}"
        self.ca = os.path.join(self.certs, "ca.pem")
        self.running = False

    def env(self):
        users = ",".join(f"{u}:{p}" for u, p in {**USERS, **MANY}.items())
        return dict(
            os.environ,
            KAFKA_PORT=str(self.port),
            KAFKA_DATA=self.data,
            KAFKA_SASL="1",
            KAFKA_SASL_PORT=str(self.sasl_port),
            KAFKA_SASL_USERS=users,
            KAFKA_SSL="1",
            KAFKA_SSL_PORT=str(self.ssl_port),
            KAFKA_SSL_DIR=self.certs,
            KAFKA_SASL_SSL="1",
            KAFKA_SASL_SSL_PORT=str(self.sasl_ssl_port),
            KAFKA_ACLS="1",
        )

    def start(self):
        make_certs(self.certs)
        r = subprocess.run([str(KAFKA_LOCAL), "start"], env=self.env(), capture_output=True,
                           text=True, timeout=180)
        assert r.returncode == 0, f"kafka-local start failed: {r.stderr[-2000:]}"
        self.running = True

    def stop(self):
        if self.running:
            subprocess.run([str(KAFKA_LOCAL), "stop"], env=self.env(), timeout=60, check=False)
            self.running = False
        shutil.rmtree(self.data, ignore_errors=True)
        shutil.rmtree(self.certs, ignore_errors=True)

    def sasl_conf(self, user, password=None, mechanism="PLAIN"):
        """confluent-kafka settings for a SASL client."""
        return {
            "bootstrap.servers": self.sasl,
            "security.protocol": "SASL_PLAINTEXT",
            "sasl.mechanism": mechanism,
            "sasl.username": user,
            "sasl.password": USERS[user] if password is None else password,
        }

    def sasl_ssl_conf(self, user, password=None, mechanism="PLAIN"):
        """confluent-kafka settings for a SASL_SSL client (trusting the test CA)."""
        return dict(self.sasl_conf(user, password, mechanism), **{
            "bootstrap.servers": self.sasl_ssl, "security.protocol": "SASL_SSL",
            "ssl.ca.location": self.ca})

    def admin(self):
        """An AdminClient on the PLAINTEXT listener (a super user)."""
        return AdminClient({"bootstrap.servers": self.plain})

    def allow(self, user, topic, op=AclOperation.WRITE, rtype=ResourceType.TOPIC):
        """An ALLOW ACL for User:<user> ("*": every user)."""
        acl = AclBinding(rtype, topic, ResourcePatternType.LITERAL, f"User:{user}", "*", op,
                         AclPermissionType.ALLOW)
        a = self.admin()
        for f in a.create_acls([acl]).values():
            f.result(timeout=15)


@pytest.fixture(scope="session")
def secure_broker():
    b = SecureBroker()
    try:
        b.start()
        yield b
    finally:
        b.stop()
