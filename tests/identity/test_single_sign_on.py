"""Signing in through the organisation's own identity provider, end to end with the
Django test client and the real provider on loopback: the app redirects, the provider
signs the person in, and the callback exchanges the code over real HTTP."""

from urllib.parse import parse_qs, urlsplit

import pytest

from identity.models import EventKind, SecurityEvent
from partnerships.models import Role
from tests.factories import UserFactory
from tests.oidc import ACCOUNTS

PASSWORD = ACCOUNTS["sso.ict@cherwell.gov.uk"]["password"]
pytestmark = pytest.mark.django_db


def sign_in_through_provider(client, federation, login, password=PASSWORD):
    started = client.post("/accounts/login/organisation/", {"email": login})
    assert started.status_code == 302, started.content
    authorize = started["Location"]
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
