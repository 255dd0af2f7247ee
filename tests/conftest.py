"""Personas and shared fixtures.

Council A and council B are partners in different partnerships; each has an ICT
manager and an executive. Plus an administrator and an anonymous visitor.
"""

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import override_settings

from assessments.framework.loader import load_framework_file
from partnerships.models import MembershipRole, Role
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    RoundFactory,
    UserFactory,
)
from tests.oidc import oidc_provider_fixture  # noqa: F401 - the `oidc_provider` fixture


@pytest.fixture(scope="session", autouse=True)
def _plain_http_in_tests():
    """Tests run with DEBUG off, which turns the HTTPS protections on; the test client
    and the live server speak plain HTTP, so only these flags are relaxed here.

    Session-scoped and autouse, so it runs before the live server builds its
    middleware (SecurityMiddleware reads the settings once, when it is created)."""
    plain_http = {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
    }
    with override_settings(**plain_http):
        yield


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Production hashes passwords slowly on purpose; tests create hundreds of users,
    so they hash with MD5, which is fast and useless for anything else.
    `tests/test_settings.py` pins the production hasher and validators."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def _no_second_factor_unless_asked():
    """Most tests sign people in with force_login or a password to test something else;
    the tests of the second factor (tests/identity) turn the requirement back on with
    the production default, `MFA_REQUIRED_FOR` in tests/test_settings.py is pinned."""
    with override_settings(MFA_REQUIRED_FOR=[]):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with no cached reports, as a fresh server would."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def framework(db):
    return load_framework_file().framework


@dataclass
class Council:
    organisation: object
    partnership: object
    round: object
    ict_manager: object
    executive: object


def _council(name: str, gss_code: str, framework) -> Council:
    organisation = OrganisationFactory(name=name, gss_code=gss_code)
    partnership = PartnershipFactory(name=f"{name} partnership")
    MembershipFactory(partnership=partnership, organisation=organisation, role=MembershipRole.LEAD)
    return Council(
        organisation=organisation,
        partnership=partnership,
        round=RoundFactory(partnership=partnership, framework=framework, name="2026 review"),
        ict_manager=UserFactory(
            username=f"{name.split()[0].lower()}-ict",
            organisation=organisation,
            role=Role.ICT_MANAGER,
        ),
        executive=UserFactory(
            username=f"{name.split()[0].lower()}-exec",
            organisation=organisation,
            role=Role.EXECUTIVE,
        ),
    )


@pytest.fixture
def council_a(framework) -> Council:
    return _council("Avonford Council", "E06900001", framework)


@pytest.fixture
def council_b(framework) -> Council:
    return _council("Brambleton Council", "E06900002", framework)


@pytest.fixture
def administrator(db):
    return UserFactory(
        username="administrator", organisation=None, role="", is_staff=True, is_superuser=True
    )


def client_for(client, user):
    """The test client signed in as `user` (None: anonymous)."""
    if user is not None:
        client.force_login(user)
    return client
