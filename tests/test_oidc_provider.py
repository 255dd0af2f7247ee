"""The loopback OpenID Connect provider (tests/oidc.py) behaves as a real provider: the
single sign-on tests rely on it, so these check it with nothing but `requests` and PyJWT."""

import base64
import hashlib
import secrets
import socket
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests

from tests.oidc import (
    ACCOUNTS,
    SignInRefused,
    start_provider,
)

SSO = "sso.ict@cherwell.gov.uk"
PASSWORD = ACCOUNTS[SSO]["password"]
CALLBACK = "http://localhost:8123/accounts/oidc/test-idp/login/callback/"


def authorize_url(provider, client_id, redirect_uri, pkce=True, **extra):
    """An authorization request as the app would make it; returns (url, verifier, state,
    nonce)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": "openid email profile",
        "state": state,
        "nonce": nonce,
        **extra,
    }
    if pkce:
        params |= {
            "code_challenge": challenge.rstrip(b"=").decode(),
            "code_challenge_method": "S256",
        }
    url = f"{provider.discovery()['authorization_endpoint']}?{urlencode(params)}"
    return url, verifier, state, nonce


def callback_params(url, redirect_uri):
    assert url.startswith(redirect_uri + "?"), url
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def exchange(provider, code, verifier, redirect_uri, client_id, secret, method):
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "code_verifier": verifier,
        "redirect_uri": redirect_uri,
    }
    auth = None
    if method == "client_secret_basic":
        auth = (client_id, secret)
    else:
        data |= {"client_id": client_id, "client_secret": secret}
    response = requests.post(
        provider.discovery()["token_endpoint"], data=data, auth=auth, timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()


def verified_id_token(provider, id_token, client_id):
    jwks = requests.get(provider.discovery()["jwks_uri"], timeout=10).json()
    kid = jwt.get_unverified_header(id_token)["kid"]
    key = jwt.PyJWKSet.from_dict(jwks)[kid]
    return jwt.decode(
        id_token, key, algorithms=["RS256"], audience=client_id, issuer=provider.issuer
    )


def test_discovery_document(oidc_provider):
    doc = oidc_provider.discovery()
    issuer = oidc_provider.issuer
    assert issuer.startswith("http://127.0.0.1:")
    assert doc["issuer"] == issuer
    for endpoint in ("authorization", "token", "userinfo", "registration"):
        assert doc[f"{endpoint}_endpoint"].startswith(issuer + "/")
    assert doc["jwks_uri"].startswith(issuer + "/")
    assert "S256" in doc["code_challenge_methods_supported"]
    assert {"openid", "email", "profile"} <= set(doc["scopes_supported"])
    assert {"client_secret_post", "client_secret_basic"} <= set(
        doc["token_endpoint_auth_methods_supported"]
    )
    # The JWKS publishes the public half of the key the tests hold, and nothing private.
    (published,) = requests.get(doc["jwks_uri"], timeout=10).json()["keys"]
    assert published["kid"] == oidc_provider.signing_key["kid"]
    assert published["n"] == oidc_provider.signing_key["n"]
    assert "d" not in published


@pytest.mark.parametrize(
    "method, redirect_uri",
    [
        ("client_secret_post", CALLBACK),
        ("client_secret_basic", CALLBACK.replace("localhost", "127.0.0.1")),
    ],
)
def test_code_flow_with_pkce(oidc_provider, method, redirect_uri):
    client_id, secret = oidc_provider.register_client([redirect_uri], method)
    url, verifier, state, nonce = authorize_url(oidc_provider, client_id, redirect_uri)

    params = callback_params(oidc_provider.sign_in(url, SSO, PASSWORD), redirect_uri)
    assert params["state"] == state
    assert params["iss"] == oidc_provider.issuer

    code = params["code"]
    tokens = exchange(oidc_provider, code, verifier, redirect_uri, client_id, secret, method)
    claims = verified_id_token(oidc_provider, tokens["id_token"], client_id)
    assert claims["nonce"] == nonce
    assert claims["sub"] == "cherwell-sso-ict"
    assert claims["email"] == SSO
    assert claims["email_verified"] is True
    assert (claims["given_name"], claims["family_name"], claims["name"]) == (
        "Sam",
        "Okafor",
        "Sam Okafor",
    )

    userinfo = requests.get(
        oidc_provider.discovery()["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=10,
    ).json()
    assert (userinfo["sub"], userinfo["email"]) == ("cherwell-sso-ict", SSO)

    # A code is good once.
    with pytest.raises(AssertionError, match="invalid_grant"):
        exchange(oidc_provider, code, verifier, redirect_uri, client_id, secret, method)


def test_unverified_email_is_reported_unverified(oidc_provider):
    client_id, secret = oidc_provider.register_client([CALLBACK])
    url, verifier, _, _ = authorize_url(oidc_provider, client_id, CALLBACK)
    login = "unverified@cherwell.gov.uk"
    params = callback_params(oidc_provider.sign_in(url, login, PASSWORD), CALLBACK)
    tokens = exchange(
        oidc_provider, params["code"], verifier, CALLBACK, client_id, secret, "client_secret_post"
    )
    claims = verified_id_token(oidc_provider, tokens["id_token"], client_id)
    assert (claims["email"], claims["email_verified"]) == (login, False)


@pytest.mark.parametrize(
    "login, password",
    [(SSO, "not-the-password"), ("nobody@cherwell.gov.uk", PASSWORD), (SSO, "")],
)
def test_wrong_password_or_unknown_login_does_not_sign_in(oidc_provider, login, password):
    client_id, _ = oidc_provider.register_client([CALLBACK])
    url, *_ = authorize_url(oidc_provider, client_id, CALLBACK)
    with pytest.raises(SignInRefused, match="email address or password is not right"):
        oidc_provider.sign_in(url, login, password)


def test_authorization_without_pkce_is_refused(oidc_provider):
    client_id, _ = oidc_provider.register_client([CALLBACK])
    url, _, state, _ = authorize_url(oidc_provider, client_id, CALLBACK, pkce=False)
    params = callback_params(oidc_provider.sign_in(url, SSO, PASSWORD), CALLBACK)
    assert "code" not in params
    assert params["error"] == "invalid_request"
    assert "PKCE" in params["error_description"]
    assert params["state"] == state


def test_unregistered_redirect_uri_is_refused(oidc_provider):
    client_id, _ = oidc_provider.register_client([CALLBACK])
    url, *_ = authorize_url(oidc_provider, client_id, "http://localhost:9999/elsewhere/")
    with pytest.raises(RuntimeError, match="redirect_uri"):
        oidc_provider.sign_in(url, SSO, PASSWORD)


def test_static_client_and_stop():
    """`start_provider` takes static clients; `stop()` ends the process and frees the port."""
    client = {"client_id": "static", "client_secret": "s" * 32, "redirect_uris": [CALLBACK]}
    provider = start_provider(ACCOUNTS, clients=[client])
    try:
        url, *_ = authorize_url(provider, "static", CALLBACK)
        assert "code" in callback_params(provider.sign_in(url, SSO, PASSWORD), CALLBACK)
    finally:
        provider.stop()
    port = urlsplit(provider.issuer).port
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
