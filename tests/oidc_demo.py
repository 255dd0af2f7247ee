"""The local test provider for `make demo SSO=1`: oidc-provider on 127.0.0.1:9000 with
the demo's accounts and client (ops/demo_sign_in.py), until stopped. Demo only.

    python -m tests.oidc_demo
"""

import signal
import sys
import time

from ops.demo_sign_in import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_ISSUER
from tests.oidc import start_provider

PASSWORD = "demo-only-sso-password"  # noqa: S105 - the local demo provider only


def _account(sub: str, email: str, given: str, family: str) -> dict:
    claims = {
        "sub": sub,
        "email": email,
        "email_verified": True,
        "given_name": given,
        "family_name": family,
    }
    return {"password": PASSWORD, "claims": claims}


DEMO_ACCOUNTS = {
    "sam.okafor@cherwell.example": _account(
        "demo-sam", "sam.okafor@cherwell.example", "Sam", "Okafor"
    ),
    "new.starter@cherwell.example": _account(
        "demo-new", "new.starter@cherwell.example", "Nia", "Starter"
    ),
    "someone@elsewhere.example": _account(
        "demo-elsewhere", "someone@elsewhere.example", "Alex", "Elsewhere"
    ),
}


def main() -> None:
    port = int(DEMO_ISSUER.rsplit(":", 1)[1])
    redirect = "http://127.0.0.1:8000/accounts/oidc/local/login/callback/"
    client = {
        "client_id": DEMO_CLIENT_ID,
        "client_secret": DEMO_CLIENT_SECRET,
        "redirect_uris": [redirect, redirect.replace("127.0.0.1", "localhost")],
    }
    provider = start_provider(DEMO_ACCOUNTS, clients=[client], port=port)
    print(f"Local test provider (demo only) at {provider.issuer}; password {PASSWORD}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            time.sleep(3600)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        provider.stop()


if __name__ == "__main__":
    main()
