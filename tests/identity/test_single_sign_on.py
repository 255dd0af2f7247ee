"""Signing in through the organisation's own identity provider, end to end with the
Django test client and the real provider on loopback: the app redirects, the provider
signs the person in, and the callback exchanges the code over real HTTP."""

import base64
import hashlib
import hmac
import json
import socket
import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.models import SocialAccount, SocialLogin
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from jwt.algorithms import RSAAlgorithm

from identity.adapters import SocialAccountAdapter, provider_app
from identity.models import EventKind, IdentityProvider, OrganisationSignIn, SecurityEvent
from identity.provider import OrganisationOIDCAdapter
from partnerships.models import Role, User
from tests.factories import UserFactory
from tests.identity.conftest import provider_url, register
from tests.oidc import ACCOUNTS

PASSWORD = ACCOUNTS["sso.ict@cherwell.gov.uk"]["password"]
pytestmark = pytest.mark.django_db


def sign_in_through_provider(client, federation, login, password=PASSWORD):
    started = client.post("/accounts/login/organisation/", {"email": login})
    authorize = provider_url(started)
    query = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(federation.local.issuer)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    assert query["login_hint"] == [login]
    callback = federation.local.sign_in(authorize, login, password)
    parts = urlsplit(callback)
    return client.get(f"{parts.path}?{parts.query}")


def test_an_invited_person_signs_in_and_lands_on_their_dashboard(client, federation, council_a):
    person = UserFactory(
        username="sso.ict@cherwell.gov.uk",
        email="sso.ict@cherwell.gov.uk",
        organisation=council_a.organisation,
        role=Role.ICT_MANAGER,
    )
    response = sign_in_through_provider(client, federation, "sso.ict@cherwell.gov.uk")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").context["user"] == person
    event = SecurityEvent.objects.filter(kind=EventKind.SIGN_IN).latest("at")
    assert (event.user, event.method, event.succeeded) == (person, "single sign-on", True)
    assert SecurityEvent.objects.filter(kind=EventKind.ACCOUNT_LINKED, user=person).exists()


# Helpers for the tests below.


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def invite(organisation, email="sso.ict@cherwell.gov.uk", **fields):
    return UserFactory(
        username=email,
        email=email,
        organisation=organisation,
        role=fields.pop("role", Role.ICT_MANAGER),
        **fields,
    )


def refused_events():
    return SecurityEvent.objects.filter(kind=EventKind.SIGN_IN_FAILED, succeeded=False)


# The start page: which provider a work email leads to.


def test_an_email_of_a_domain_no_organisation_links_is_refused_on_the_sign_in_page(
    client, federation
):
    response = client.post("/accounts/login/organisation/", {"email": "someone@elsewhere.example"})
    assert response.status_code == 400
    assert "Location" not in response
    message = response.context["email_form"].errors["email"][0]
    assert "@elsewhere.example" in message and "password" in message
    assert "@elsewhere.example" in response.content.decode()


def test_a_lookalike_of_a_linked_domain_is_refused_on_the_sign_in_page(client, federation):
    response = client.post(
        "/accounts/login/organisation/", {"email": "sam@cherwell.gov.uk.evil.example"}
    )
    assert response.status_code == 400
    assert "Location" not in response


def test_something_that_is_not_an_email_address_is_refused_with_an_example(client, federation):
    response = client.post("/accounts/login/organisation/", {"email": "cherwell.gov.uk"})
    assert response.status_code == 400
    assert "like name@council.gov.uk" in response.context["email_form"].errors["email"][0]


def test_a_turned_off_provider_sends_nobody_to_it(client, federation):
    federation.provider.is_active = False
    federation.provider.save()
    response = client.post("/accounts/login/organisation/", {"email": "sso.ict@cherwell.gov.uk"})
    assert response.status_code == 400
    assert "Location" not in response


def test_a_provider_that_does_not_answer_gets_a_page_saying_so(client, council_a):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # closed again: nothing listens there
    provider = IdentityProvider.objects.create(
        name="Silent provider",
        slug="silent",
        issuer_url=f"http://127.0.0.1:{port}",
        client_id="client",
        client_secret="secret",
    )
    OrganisationSignIn.objects.create(
        organisation=council_a.organisation, provider=provider, email_domains="cherwell.gov.uk"
    )

    response = client.post("/accounts/login/organisation/", {"email": "sam@cherwell.gov.uk"})

    assert response.status_code == 503
    assert "Location" not in response
    assert response.context["message"].startswith("Silent provider is not answering")


def test_the_start_page_takes_only_a_post(client, federation):
    assert client.get("/accounts/login/organisation/").status_code == 405


# Refusals at the callback, after the provider signed the person in.


def test_an_unverified_email_is_refused_for_an_existing_account(client, federation, council_a):
    person = invite(council_a.organisation, "unverified@cherwell.gov.uk")

    response = sign_in_through_provider(client, federation, "unverified@cherwell.gov.uk")

    assert response.status_code == 403
    assert "identity/sign_in_refused.html" in [t.name for t in response.templates]
    assert "has not confirmed that unverified@cherwell.gov.uk" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert client.get("/").status_code == 302  # to the sign-in page
    event = refused_events().get()
    assert (event.username, event.method) == ("unverified@cherwell.gov.uk", "single sign-on")
    assert not SocialAccount.objects.filter(user=person).exists()


def test_a_person_with_no_account_is_told_to_ask_for_an_invitation(client, federation):
    users_before = User.objects.count()
    response = sign_in_through_provider(client, federation, "sso.ict@cherwell.gov.uk")
    assert response.status_code == 403
    assert "invite you" in response.content.decode()
    assert User.objects.count() == users_before
    assert signed_in_user_id(client) is None
    assert refused_events().filter(username="sso.ict@cherwell.gov.uk").exists()


def test_a_link_revoked_after_a_first_sign_in_refuses_the_next_one(client, federation, council_a):
    person = invite(council_a.organisation)
    assert (
        sign_in_through_provider(client, federation, "sso.ict@cherwell.gov.uk").status_code == 302
    )
    client.post("/accounts/logout/")

    # The administrator removes the link while the person is at the provider.
    started = client.post("/accounts/login/organisation/", {"email": "sso.ict@cherwell.gov.uk"})
    callback = federation.local.sign_in(provider_url(started), "sso.ict@cherwell.gov.uk", PASSWORD)
    federation.link.delete()
    parts = urlsplit(callback)
    response = client.get(f"{parts.path}?{parts.query}")

    assert response.status_code == 403
    assert "@cherwell.gov.uk" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert refused_events().filter(username=person.email).exists()
    # And the sign-in page no longer sends anyone with that domain to the provider.
    again = client.post("/accounts/login/organisation/", {"email": "sso.ict@cherwell.gov.uk"})
    assert again.status_code == 400


def test_a_second_sign_in_reuses_the_link(client, federation, council_a):
    person = invite(council_a.organisation)
    users_before = User.objects.count()

    for _ in range(2):
        response = sign_in_through_provider(client, federation, "sso.ict@cherwell.gov.uk")
        assert response.status_code == 302
        assert signed_in_user_id(client) == str(person.pk)
        client.post("/accounts/logout/")

    assert User.objects.count() == users_before
    account = SocialAccount.objects.get()
    assert (account.user, account.provider, account.uid) == (
        person,
        federation.provider.slug,
        "cherwell-sso-ict",
    )
    assert SecurityEvent.objects.filter(kind=EventKind.ACCOUNT_LINKED).count() == 1
    assert SecurityEvent.objects.filter(kind=EventKind.SIGN_IN, user=person).count() == 2


def test_the_person_lands_on_the_page_they_asked_for_but_never_on_another_site(
    client, federation, council_a
):
    invite(council_a.organisation)

    def land(next_url):
        started = client.post(
            "/accounts/login/organisation/",
            {"email": "sso.ict@cherwell.gov.uk", "next": next_url},
        )
        callback = federation.local.sign_in(
            provider_url(started), "sso.ict@cherwell.gov.uk", PASSWORD
        )
        parts = urlsplit(callback)
        landed = client.get(f"{parts.path}?{parts.query}")
        client.post("/accounts/logout/")
        return landed["Location"]

    assert land("/account/security/") == "/account/security/"
    assert land("https://evil.example/") == "/"


# Accounts made on first sign-in, and the executive who gives them a role.


@pytest.fixture
def just_in_time(oidc_provider, council_a):
    return register(
        oidc_provider,
        base_url="http://testserver",
        organisation=council_a.organisation,
        slug="just-in-time",
        just_in_time_accounts=True,
    )


def test_a_new_person_gets_an_account_with_no_role_and_waits_for_one(
    client, just_in_time, council_a
):
    response = sign_in_through_provider(client, just_in_time, "sso.ict@cherwell.gov.uk")

    person = User.objects.get(username="sso.ict@cherwell.gov.uk")
    assert (person.organisation, person.role) == (council_a.organisation, "")
    assert (person.first_name, person.last_name) == ("Sam", "Okafor")
    assert not person.has_usable_password()
    assert signed_in_user_id(client) == str(person.pk)
    assert client.get(response["Location"])["Location"] == "/account/no-role-yet/"
    page = client.get("/account/no-role-yet/")
    assert page.status_code == 200
    assert council_a.organisation.name in page.content.decode()
    assert SecurityEvent.objects.filter(kind=EventKind.ACCOUNT_CREATED, user=person).exists()


def test_an_executive_of_the_organisation_gives_the_new_person_a_role(
    client, just_in_time, council_a
):
    sign_in_through_provider(client, just_in_time, "sso.ict@cherwell.gov.uk")
    person = User.objects.get(username="sso.ict@cherwell.gov.uk")

    executive = Client()
    executive.force_login(council_a.executive)
    listed = executive.get("/people/awaiting-a-role/")
    assert list(listed.context["people"]) == [person]
    given = executive.post(f"/people/awaiting-a-role/{person.pk}/", {"role": Role.ICT_MANAGER})

    assert given.status_code == 302
    person.refresh_from_db()
    assert person.role == Role.ICT_MANAGER
    event = SecurityEvent.objects.get(kind=EventKind.ROLE_CHANGED, user=person)
    assert event.actor == council_a.executive
    # The person now reaches the dashboard, and is no longer waiting.
    assert client.get("/").status_code == 200
    assert client.get("/account/no-role-yet/")["Location"] == "/"
    assert list(executive.get("/people/awaiting-a-role/").context["people"]) == []


def test_an_executive_of_another_organisation_cannot_give_the_new_person_a_role(
    client, just_in_time, council_b
):
    sign_in_through_provider(client, just_in_time, "sso.ict@cherwell.gov.uk")
    person = User.objects.get(username="sso.ict@cherwell.gov.uk")

    other = Client()
    other.force_login(council_b.executive)
    assert person not in other.get("/people/awaiting-a-role/").context["people"]
    assert other.get(f"/people/awaiting-a-role/{person.pk}/").status_code == 404
    assert (
        other.post(f"/people/awaiting-a-role/{person.pk}/", {"role": Role.EXECUTIVE}).status_code
        == 404
    )
    person.refresh_from_db()
    assert person.role == ""


def test_an_executive_is_shown_the_way_to_the_people_awaiting_a_role(
    client, just_in_time, council_a
):
    """The no-role page tells the person their executive has been told; nothing else
    leads the executive to the page where they give the role."""
    sign_in_through_provider(client, just_in_time, "sso.ict@cherwell.gov.uk")
    executive = Client()
    executive.force_login(council_a.executive)
    assert 'href="/people/awaiting-a-role/"' in executive.get("/").content.decode()


def test_an_ict_manager_cannot_give_roles(client, just_in_time, council_a):
    sign_in_through_provider(client, just_in_time, "sso.ict@cherwell.gov.uk")
    person = User.objects.get(username="sso.ict@cherwell.gov.uk")
    ict = Client()
    ict.force_login(council_a.ict_manager)
    assert ict.get("/people/awaiting-a-role/").status_code == 403
    assert (
        ict.post(f"/people/awaiting-a-role/{person.pk}/", {"role": Role.EXECUTIVE}).status_code
        == 403
    )


# ID tokens that must not sign anyone in. The provider's real token is swapped, on its
# way back from the token endpoint, for one minted here.


def private_key(jwk: dict):
    return RSAAlgorithm.from_jwk(json.dumps(jwk))


def mint(claims: dict, key, kid: str, algorithm: str = "RS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm, headers={"kid": kid})


@pytest.fixture
def swap_id_token(monkeypatch):
    """swap_id_token(change): `change(real_claims)` returns the token to use instead."""

    def install(change):
        real_exchange = OrganisationOIDCAdapter.get_access_token_data

        def exchange(self, request, app, client, **kwargs):
            data = real_exchange(self, request, app, client, **kwargs)
            real = jwt.decode(data["id_token"], options={"verify_signature": False})
            data["id_token"] = change(real)
            if data["id_token"] is None:
                del data["id_token"]
            return data

        monkeypatch.setattr(OrganisationOIDCAdapter, "get_access_token_data", exchange)

    return install


@pytest.fixture
def invited(council_a):
    return invite(council_a.organisation)


def test_an_id_token_resigned_with_the_providers_own_key_signs_in(
    client, federation, invited, swap_id_token
):
    """The control for the tests below: swapping the token itself changes nothing."""
    key = federation.local.signing_key
    swap_id_token(lambda real: mint(real, private_key(key), key["kid"]))
    response = sign_in_through_provider(client, federation, "sso.ict@cherwell.gov.uk")
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(invited.pk)


def _another_clients_audience(federation):
    other_client, _secret = federation.local.register_client(["http://elsewhere.example/cb"])
    return {"aud": other_client, "azp": other_client}


TOKEN_FAILED = "We could not sign you in through your organisation's account"
NONCE_FAILED = "Your sign-in could not be checked"

# What is wrong with the token -> (how to make it from the real claims, the page's words).
FORGERIES = {
    "for another client (audience)": (
        lambda real, fed, key: mint(
            {**real, **_another_clients_audience(fed)}, private_key(key), key["kid"]
        ),
        TOKEN_FAILED,
    ),
    "signed by another key with the provider's kid": (
        lambda real, fed, key: mint(real, rsa.generate_private_key(65537, 2048), key["kid"]),
        TOKEN_FAILED,
    ),
    "expired": (
        lambda real, fed, key: mint(
            {**real, "iat": int(time.time()) - 1200, "exp": int(time.time()) - 600},
            private_key(key),
            key["kid"],
        ),
        TOKEN_FAILED,
    ),
    "from another issuer": (
        lambda real, fed, key: mint(
            {**real, "iss": "https://login.evil.example"}, private_key(key), key["kid"]
        ),
        TOKEN_FAILED,
    ),
    "unsigned (alg none)": (
        lambda real, fed, key: mint(real, None, key["kid"], algorithm="none"),
        TOKEN_FAILED,
    ),
    "signed with HMAC keyed by the provider's public key": (
        lambda real, fed, key: _hs256_token(
            {"kid": key["kid"], "alg": "HS256", "typ": "JWT"}, real, _public_pem(key)
        ),
        TOKEN_FAILED,
    ),
    "missing": (lambda real, fed, key: None, TOKEN_FAILED),
    "with the nonce of another sign-in": (
        lambda real, fed, key: mint(
            {**real, "nonce": "from-another-sign-in"}, private_key(key), key["kid"]
        ),
        NONCE_FAILED,
    ),
    "with no nonce": (
        lambda real, fed, key: mint(
            {k: v for k, v in real.items() if k != "nonce"}, private_key(key), key["kid"]
        ),
        NONCE_FAILED,
    ),
}


@pytest.mark.parametrize("forgery", FORGERIES, ids=list(FORGERIES))
def test_an_id_token_that_fails_a_check_signs_nobody_in(
    client, federation, invited, swap_id_token, forgery
):
    make, words = FORGERIES[forgery]
    swap_id_token(lambda real: make(real, federation, federation.local.signing_key))

    response = sign_in_through_provider(client, federation, "sso.ict@cherwell.gov.uk")

    assert response.status_code == 403
    assert response.context["message"].startswith(words)
    assert signed_in_user_id(client) is None
    assert refused_events().exists()
    assert not SocialAccount.objects.exists()


def test_a_stashed_nonce_that_differs_from_the_id_tokens_refuses_the_sign_in(
    client, federation, invited
):
    started = client.post("/accounts/login/organisation/", {"email": "sso.ict@cherwell.gov.uk"})
    state_id = parse_qs(urlsplit(provider_url(started)).query)["state"][0]
    session = client.session
    states = session["socialaccount_states"]
    states[state_id][0]["nonce"] = "the-nonce-of-another-sign-in"
    session["socialaccount_states"] = states
    session.save()

    callback = federation.local.sign_in(provider_url(started), "sso.ict@cherwell.gov.uk", PASSWORD)
    parts = urlsplit(callback)
    response = client.get(f"{parts.path}?{parts.query}")

    assert response.status_code == 403
    assert response.context["message"].startswith(NONCE_FAILED)
    assert signed_in_user_id(client) is None
    assert refused_events().exists()


def test_a_callback_replayed_after_use_signs_nobody_in(client, federation, invited):
    started = client.post("/accounts/login/organisation/", {"email": "sso.ict@cherwell.gov.uk"})
    callback = federation.local.sign_in(provider_url(started), "sso.ict@cherwell.gov.uk", PASSWORD)
    parts = urlsplit(callback)
    assert client.get(f"{parts.path}?{parts.query}").status_code == 302

    attacker = Client()
    response = attacker.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 403
    assert attacker.session.get("_auth_user_id") is None


# The ID token check itself (identity.provider), token by token.


@pytest.fixture
def decode(federation, rf):
    adapter = OrganisationOIDCAdapter(rf.get("/"), federation.provider.slug)
    app = provider_app(federation.provider)
    return lambda token: adapter._decode_id_token(app, token)


@pytest.fixture
def good_claims(federation):
    now = int(time.time())
    return {
        "iss": federation.local.issuer,
        "aud": federation.provider.client_id,
        "sub": "cherwell-sso-ict",
        "email": "sso.ict@cherwell.gov.uk",
        "email_verified": True,
        "nonce": "n-0S6_WzA2Mj",
        "iat": now,
        "exp": now + 300,
    }


def test_a_token_signed_by_the_provider_for_this_client_is_accepted(
    federation, decode, good_claims
):
    key = federation.local.signing_key
    assert decode(mint(good_claims, private_key(key), key["kid"]))["email"] == good_claims["email"]


def test_a_token_signed_by_the_provider_for_another_client_is_refused(
    federation, decode, good_claims
):
    key = federation.local.signing_key
    other_client, _secret = federation.local.register_client(["http://elsewhere.example/cb"])
    with pytest.raises(OAuth2Error):
        decode(mint({**good_claims, "aud": other_client}, private_key(key), key["kid"]))


def test_a_token_signed_by_another_key_under_the_providers_kid_is_refused(
    federation, decode, good_claims
):
    forged = mint(
        good_claims, rsa.generate_private_key(65537, 2048), federation.local.signing_key["kid"]
    )
    with pytest.raises(OAuth2Error):
        decode(forged)


def test_a_token_with_a_kid_the_provider_does_not_publish_is_refused(decode, good_claims):
    with pytest.raises(OAuth2Error):
        decode(mint(good_claims, rsa.generate_private_key(65537, 2048), "not-the-providers-kid"))


def test_an_expired_token_is_refused(federation, decode, good_claims):
    key = federation.local.signing_key
    expired = {**good_claims, "iat": good_claims["iat"] - 1200, "exp": good_claims["iat"] - 600}
    with pytest.raises(OAuth2Error):
        decode(mint(expired, private_key(key), key["kid"]))


def test_a_token_from_another_issuer_is_refused(federation, decode, good_claims):
    key = federation.local.signing_key
    with pytest.raises(OAuth2Error):
        decode(mint({**good_claims, "iss": "https://evil.example"}, private_key(key), key["kid"]))


def test_a_token_signed_with_hmac_keyed_by_the_public_key_is_refused(
    federation, decode, good_claims
):
    """The old algorithm confusion: HS256 with the provider's public key as the secret."""
    key = federation.local.signing_key
    header = {"kid": key["kid"], "alg": "HS256", "typ": "JWT"}
    forged = _hs256_token(header, good_claims, _public_pem(key))
    with pytest.raises(OAuth2Error):
        decode(forged)


def _public_pem(jwk: dict) -> bytes:
    return (
        private_key(jwk)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def _hs256_token(header: dict, claims: dict, secret: bytes) -> str:
    # PyJWT refuses to use a PEM public key as an HMAC secret, so sign by hand.
    def part(data: dict) -> bytes:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=")

    signing_input = part(header) + b"." + part(claims)
    signature = hmac.new(secret, signing_input, hashlib.sha256).digest()
    return (signing_input + b"." + base64.urlsafe_b64encode(signature).rstrip(b"=")).decode()


def test_a_used_token_is_not_accepted_twice_when_it_has_a_jti(federation, decode, good_claims):
    key = federation.local.signing_key
    token = mint({**good_claims, "jti": "once-only"}, private_key(key), key["kid"])
    decode(token)
    with pytest.raises(OAuth2Error):
        decode(token)


# The nonce check itself (identity.adapters), without a provider.


def test_a_login_whose_state_has_no_nonce_is_refused(rf, federation, invited):
    request = rf.get("/")
    request.session, request.user = {}, AnonymousUser()
    login = SocialLogin(
        user=User(),
        account=SocialAccount(
            provider=federation.provider.slug,
            uid="cherwell-sso-ict",
            extra_data={"id_token": {"email": invited.email, "email_verified": True, "nonce": ""}},
        ),
    )
    login.state = {}
    with pytest.raises(ImmediateHttpResponse) as refused:
        SocialAccountAdapter().pre_social_login(request, login)
    assert refused.value.response.status_code == 403
