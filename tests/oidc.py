"""A real OpenID Connect provider on loopback for the single sign-on tests.

panva's certified `oidc-provider` (npm, in tests/oidc_provider/) does the protocol:
discovery, JWKS, authorization code flow with PKCE required, token, userinfo and open
dynamic client registration. Its sign-in page is a plain form ("Email address",
"Password", "Continue"); consent is granted without asking, so a flow is: authorize →
sign-in page → redirect back to the client with `code` and `state`.

    provider = start_provider(ACCOUNTS)  # or the session fixture `oidc_provider`
    client_id, secret = provider.register_client([f"{live_server.url}/callback/"])
    callback_url = provider.sign_in(authorize_url, "sso.ict@cherwell.gov.uk", password)
    provider.stop()

Needs Node.js; `npm ci` runs in tests/oidc_provider the first time if needed.
"""

import json
import os
import queue
import re
import secrets
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc_provider"
READY_TIMEOUT = 15  # seconds for node to start and print READY

# Test-only accounts the `oidc_provider` fixture signs in: login -> password and claims.
ACCOUNTS = {
    "sso.ict@cherwell.gov.uk": {
        "password": "demo-only-sso-password",
        "claims": {
            "sub": "cherwell-sso-ict",
            "email": "sso.ict@cherwell.gov.uk",
            "email_verified": True,
            "given_name": "Sam",
            "family_name": "Okafor",
        },
    },
    "unverified@cherwell.gov.uk": {
        "password": "demo-only-sso-password",
        "claims": {
            "sub": "cherwell-unverified",
            "email": "unverified@cherwell.gov.uk",
            "email_verified": False,
            "given_name": "Una",
            "family_name": "Verified",
        },
    },
    "someone@elsewhere.example": {
        "password": "demo-only-sso-password",
        "claims": {
            "sub": "elsewhere-someone",
            "email": "someone@elsewhere.example",
            "email_verified": True,
            "given_name": "Someone",
            "family_name": "Elsewhere",
        },
    },
}


class SignInRefused(Exception):
    """The provider showed its sign-in form again (wrong password or unknown login)."""


def node_available() -> bool:
    return shutil.which("node") is not None


def _install_once() -> None:
    if (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed: it is needed to install tests/oidc_provider")
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"],
        cwd=PROVIDER_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"npm ci in {PROVIDER_DIR} failed:\n{done.stdout}\n{done.stderr}")


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # loopback: never through an HTTP proxy from the environment
    return session


class LocalProvider:
    def __init__(self, process: subprocess.Popen, issuer: str, signing_key: dict, workdir: str):
        self._process = process
        self._workdir = workdir
        self.issuer = issuer
        self.signing_key = signing_key  # the provider's private JWK, to mint tokens in tests

    def discovery(self) -> dict:
        response = _session().get(f"{self.issuer}/.well-known/openid-configuration", timeout=10)
        response.raise_for_status()
        return response.json()

    def register_client(
        self, redirect_uris: list[str], token_endpoint_auth_method: str = "client_secret_post"
    ) -> tuple[str, str]:
        """Dynamic client registration (RFC 7591) of a confidential web client."""
        response = _session().post(
            f"{self.issuer}/reg",
            json={
                "redirect_uris": redirect_uris,
                "response_types": ["code"],
                "grant_types": ["authorization_code"],
                "token_endpoint_auth_method": token_endpoint_auth_method,
            },
            timeout=10,
        )
        if response.status_code != 201:
            raise RuntimeError(f"client registration refused: {response.text}")
        client = response.json()
        return client["client_id"], client["client_secret"]

    def sign_in(self, authorize_url: str, login: str, password: str) -> str:
        """Follow `authorize_url` through the sign-in form as a browser would and return
        the URL of the redirect that leaves the provider (the client's callback with
        `code` and `state`, or with `error`), without fetching it."""
        session = _session()
        url, submitted = authorize_url, False
        response = session.get(url, allow_redirects=False, timeout=10)
        for _ in range(20):
            if response.is_redirect:
                url = urljoin(url, response.headers["Location"])
                if not url.startswith(self.issuer + "/"):
                    return url
                response = session.get(url, allow_redirects=False, timeout=10)
                continue
            form = re.search(r'<form[^>]*action="([^"]+)"', response.text)
            if form is None:
                raise RuntimeError(f"provider page without a sign-in form: {response.text}")
            if submitted:
                alert = re.search(r'role="alert"[^>]*>([^<]*)<', response.text)
                raise SignInRefused(alert.group(1) if alert else response.text)
            url = urljoin(url, form.group(1))
            response = session.post(
                url, data={"login": login, "password": password}, allow_redirects=False, timeout=10
            )
            submitted = True
        raise RuntimeError("too many redirects on the provider")

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process.stdout:
            self._process.stdout.close()
        shutil.rmtree(self._workdir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start_provider(accounts: dict, clients: list | None = None, port: int = 0) -> LocalProvider:
    """Start oidc-provider on 127.0.0.1 with a fresh RSA signing key.

    `accounts`: {login: {"password": ..., "claims": {"sub", "email", ...}}}, as ACCOUNTS.
    `clients`: static client metadata, e.g. [{"client_id", "client_secret",
    "redirect_uris"}]; more can be added at run time with `register_client`."""
    if not node_available():
        raise RuntimeError("Node.js is not installed: the OpenID Connect provider needs it")
    _install_once()

    key = RSAAlgorithm.to_jwk(rsa.generate_private_key(65537, 2048), as_dict=True)
    key.update(kid=secrets.token_hex(8), alg="RS256", use="sig")
    config = {
        "host": "127.0.0.1",
        "port": port,
        "accounts": accounts,
        "jwks": {"keys": [key]},
        "clients": clients or [],
    }
    workdir = tempfile.mkdtemp(prefix="oidc-provider-")
    config_path = Path(workdir) / "config.json"
    config_path.write_text(json.dumps(config))
    stderr_path = Path(workdir) / "stderr.log"
    with stderr_path.open("w") as stderr:  # a file, not a pipe nobody drains
        process = subprocess.Popen(
            ["node", "server.js", str(config_path)],
            cwd=PROVIDER_DIR,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )

    # readline() blocks, so it runs in a thread and the wait is bounded here.
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()
    try:
        line = lines.get(timeout=READY_TIMEOUT)
    except queue.Empty:
        line = ""
    if not line.startswith("READY "):
        process.kill()
        process.wait()
        process.stdout.close()
        error = stderr_path.read_text()
        shutil.rmtree(workdir, ignore_errors=True)
        raise RuntimeError(f"the OpenID Connect provider did not start:\n{line}{error}")
    return LocalProvider(process, line.split()[1], key, workdir)


# Named apart from the fixture so that test functions taking `oidc_provider` do not
# shadow an imported name (ruff F811).
@pytest.fixture(scope="session", name="oidc_provider")
def oidc_provider_fixture():
    """One provider for the session, with the ACCOUNTS above. Skips without Node.js,
    unless REQUIRE_BROWSER_TESTS=1 (CI), where that is a failure."""
    if not node_available():
        if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
            pytest.fail(
                "REQUIRE_BROWSER_TESTS=1 but Node.js is not installed: apt-get install nodejs"
            )
        pytest.skip("Node.js is not installed: the OpenID Connect provider tests need it")
    provider = start_provider(ACCOUNTS)
    yield provider
    provider.stop()
