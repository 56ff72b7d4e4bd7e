"""mTLS (issue 15, item 2): ssl.client.authentication NONE/REQUESTED/REQUIRED and the deprecated
ssl.client.auth; good, expired, wrong-CA and missing client certificates; the principal mapped
by ssl.principal.mapping.rules (seen in krest's debug log: no route shows it yet)."""

import pytest
import requests

from tls_helpers import pki, start_https  # noqa: F401 (pki: a module-scoped fixture)

REFUSED = (requests.exceptions.SSLError, requests.exceptions.ConnectionError)


def get(k, pki, cert=None, path="/"):  # noqa: F811
    return requests.get(k.tls_url + path, verify=pki.ca, cert=cert, timeout=10)


def mtls(start_krest, pki, mode, *extra):  # noqa: F811
    return start_https(start_krest, pki, f"--ssl.truststore.location={pki.ca}",
                       "--ssl.truststore.type=PEM", f"--ssl.client.authentication={mode}",
                       "--krest.log.level=debug", *extra)


def test_required_accepts_a_good_certificate_and_maps_its_principal(start_krest, pki):  # noqa: F811
    k = mtls(start_krest, pki, "REQUIRED",
             "--ssl.principal.mapping.rules=RULE:^CN=([^,]*),OU=eng,.*$/$1@ENG/L, DEFAULT")
    r = get(k, pki, (pki.alice, pki.alice_key), "/topics")
    assert r.status_code == 200
    assert k.wait_log(r"verified: principal 'alice@eng'"), k.log_tail()
    assert k.wait_log(r"'CN=alice,OU=eng,O=krest,C=US' verified")


@pytest.mark.parametrize("which", ["none", "expired", "wrong-ca"])
def test_required_refuses(start_krest, pki, which):  # noqa: F811
    k = mtls(start_krest, pki, "REQUIRED")
    cert = {"none": None, "expired": (pki.expired, pki.expired_key),
            "wrong-ca": (pki.wrong, pki.wrong_key)}[which]
    with pytest.raises(REFUSED):
        get(k, pki, cert)
    if which != "none":
        assert k.wait_log(r"TLS client certificate '.*' refused"), k.log_tail()
    assert get(k, pki, (pki.alice, pki.alice_key)).status_code == 200  # krest still serves


def test_requested_accepts_no_certificate_but_not_a_bad_one(start_krest, pki):  # noqa: F811
    k = mtls(start_krest, pki, "REQUESTED")
    assert get(k, pki).status_code == 200
    assert get(k, pki, (pki.alice, pki.alice_key)).status_code == 200
    assert k.wait_log(r"verified: principal 'CN=alice,OU=eng,O=krest,C=US'")
    with pytest.raises(REFUSED):
        get(k, pki, (pki.expired, pki.expired_key))


def test_deprecated_client_auth_true_is_required(start_krest, pki):  # noqa: F811
    k = start_https(start_krest, pki, f"--ssl.truststore.location={pki.ca}",
                    "--ssl.client.auth=true")
    with pytest.raises(REFUSED):
        get(k, pki)
    assert get(k, pki, (pki.alice, pki.alice_key)).status_code == 200


def test_none_ignores_client_certificates(start_krest, pki):  # noqa: F811
    k = start_https(start_krest, pki)
    assert get(k, pki).status_code == 200
    assert get(k, pki, (pki.wrong, pki.wrong_key)).status_code == 200


def test_no_matching_rule_refuses_the_connection(start_krest, pki):  # noqa: F811
    k = mtls(start_krest, pki, "REQUIRED",
             "--ssl.principal.mapping.rules=RULE:^CN=bob,.*$/bob/")
    with pytest.raises(REFUSED):
        get(k, pki, (pki.alice, pki.alice_key))
    assert k.wait_log(r"no ssl.principal.mapping.rules rule applies"), k.log_tail()
