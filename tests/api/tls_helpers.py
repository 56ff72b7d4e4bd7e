"""Test certificates for the HTTPS tests, made with the openssl command line into a temporary
directory (never committed): a CA, a server certificate for localhost/127.0.0.1, client
certificates (good, expired, signed by another CA), and the keystore forms krest reads."""

import shutil
import socket
import ssl
import subprocess
from pathlib import Path

import pytest

from conftest import free_port, wait_until

STORE_PASSWORD = "st0re-S3cret-pw"
KEY_PASSWORD = "k3y-S3cret-pw"


def openssl(*args, cwd):
    r = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True)
    assert r.returncode == 0, f"openssl {' '.join(args)}:\n{r.stderr}"
    return r.stdout


class Pki:
    """Certificates under dir; paths as attributes."""

    def __init__(self, directory):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.ca_key, self.ca = self._ca("ca", "krest test CA")
        self.other_ca_key, self.other_ca = self._ca("other-ca", "some other CA")
        self.server_key, self.server = self.server_cert("server", serial=1001)
        self.alice_key, self.alice = self._client("alice", "/C=US/O=krest/OU=eng/CN=alice")
        self.wrong_key, self.wrong = self._client("mallory", "/CN=mallory", ca="other-ca")
        self.expired_key, self.expired = self._expired("old", "/CN=old")

    def path(self, name):
        return str(self.dir / name)

    def _key(self, name):
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-out", f"{name}.key", cwd=self.dir)
        return self.path(f"{name}.key")

    def _ca(self, name, cn):
        key = self._key(name)
        openssl("req", "-x509", "-new", "-key", key, "-out", f"{name}.pem", "-days", "3",
                "-subj", f"/CN={cn}", cwd=self.dir)
        return key, self.path(f"{name}.pem")

    def _sign(self, name, subj, ca, days, ext, serial):
        key = self._key(name)
        openssl("req", "-new", "-key", key, "-out", f"{name}.csr", "-subj", subj, cwd=self.dir)
        (self.dir / f"{name}.ext").write_text(ext)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
                "-set_serial", str(serial), "-out", f"{name}.pem", "-days", str(days),
                "-extfile", f"{name}.ext", cwd=self.dir)
        return key, self.path(f"{name}.pem")

    def server_cert(self, name, serial):
        return self._sign(name, "/CN=localhost", "ca", 2,
                          "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                          "extendedKeyUsage=serverAuth\n", serial)

    def _client(self, name, subj, ca="ca"):
        return self._sign(name, subj, ca, 2, "extendedKeyUsage=clientAuth\n", 2000 + len(name))

    def _expired(self, name, subj):
        """A client certificate valid for one day in 2020, through `openssl ca` (the only
        openssl 3.0 command that takes explicit dates)."""
        d = self.dir / "ca-db"
        d.mkdir(exist_ok=True)
        (d / "index.txt").write_text("")
        (d / "serial").write_text("3000\n")
        conf = self.dir / "ca.cnf"
        conf.write_text(
            "[ca]\ndefault_ca=d\n[d]\n"
            f"database={d}/index.txt\nserial={d}/serial\nnew_certs_dir={d}\n"
            "default_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n"
        )
        key = self._key(name)
        openssl("req", "-new", "-key", key, "-out", f"{name}.csr", "-subj", subj, cwd=self.dir)
        openssl("ca", "-batch", "-config", str(conf), "-cert", "ca.pem", "-keyfile", "ca.key",
                "-in", f"{name}.csr", "-out", f"{name}.pem", "-startdate", "20200101000000Z",
                "-enddate", "20200102000000Z", "-notext", cwd=self.dir)
        return key, self.path(f"{name}.pem")

    def pkcs12(self, name, cert, key, password=STORE_PASSWORD):
        out = self.path(f"{name}.p12")
        openssl("pkcs12", "-export", "-in", cert, "-inkey", key, "-out", out,
                "-passout", f"pass:{password}", cwd=self.dir)
        return out

    def pkcs12_truststore(self, name, password=STORE_PASSWORD):
        out = self.path(f"{name}.p12")
        openssl("pkcs12", "-export", "-nokeys", "-in", self.ca, "-out", out,
                "-passout", f"pass:{password}", cwd=self.dir)
        return out

    def pem_keystore(self, name, cert, key, key_password=None):
        """Kafka's PEM keystore: the private key (encrypted PKCS#8 with a password) and the
        certificate chain in one file."""
        out = self.dir / f"{name}.pem"
        if key_password:
            openssl("pkcs8", "-topk8", "-in", key, "-out", f"{name}.p8",
                    "-passout", f"pass:{key_password}", "-v2", "aes-256-cbc", cwd=self.dir)
            key_text = (self.dir / f"{name}.p8").read_text()
        else:
            key_text = Path(key).read_text()
        out.write_text(key_text + Path(cert).read_text())
        return str(out)

    def jks(self, name, p12):
        """A real JKS keystore when keytool is installed, else a file with JKS's magic."""
        out = self.path(f"{name}.jks")
        if shutil.which("keytool"):
            r = subprocess.run(
                ["keytool", "-importkeystore", "-srckeystore", p12, "-srcstoretype", "PKCS12",
                 "-srcstorepass", STORE_PASSWORD, "-destkeystore", out, "-deststoretype", "JKS",
                 "-deststorepass", STORE_PASSWORD, "-noprompt"],
                capture_output=True, text=True)
            if r.returncode == 0:
                return out
        Path(out).write_bytes(b"\xfe\xed\xfe\xed\x00\x00\x00\x02" + b"\x00" * 64)
        return out


def client_context(pki, cert=None, key=None, version=None):
    """An ssl context trusting the test CA, with an optional client certificate."""
    ctx = ssl.create_default_context(cafile=pki.ca)
    if cert:
        ctx.load_cert_chain(cert, key)
    if version:
        ctx.minimum_version = ctx.maximum_version = version
    return ctx


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return Pki(tmp_path_factory.mktemp("pki"))


def keystore_flags(pki, location=None, typ="PKCS12"):
    location = location or pki.pkcs12("server-ks", pki.server, pki.server_key)
    return [f"--ssl.keystore.location={location}", f"--ssl.keystore.password={STORE_PASSWORD}",
            f"--ssl.keystore.type={typ}"]


def start_https(start_krest, pki, *extra, keystore=None, positional=()):
    """krest with an http listener (for the fixtures' readiness poll) and an https one;
    k.tls_url and k.tls_port name the https one."""
    port = free_port()
    tls_port = free_port()
    flags = keystore if keystore is not None else keystore_flags(pki)
    k = start_krest(f"--listeners=http://127.0.0.1:{port},https://127.0.0.1:{tls_port}",
                    *flags, *extra, port=port, positional=positional)
    k.tls_url = f"https://localhost:{tls_port}"
    k.tls_port = tls_port
    # the http listener answers first: the https one starts right after it
    assert wait_until(lambda: port_open(tls_port), 10), k.log_tail()
    return k


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False
