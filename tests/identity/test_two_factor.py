"""The second factor for password sign-ins, with a frozen clock and TOTP codes worked
out here (RFC 6238), not by allauth: set-up, the code page, recovery codes, removal,
and who is made to use it (MFA_REQUIRED_FOR, per request)."""

import base64
import hashlib
import hmac
import struct
from urllib.parse import quote

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal import auth as allauth_totp
from django.contrib.messages import get_messages

from identity.forms import WRONG_CODE
from identity.models import EventKind, SecurityEvent
from identity.views import sign_in as sign_in_views
from partnerships.models import Role
from tests.factories import TEST_PASSWORD, UserFactory
from tests.identity.test_single_sign_on import sign_in_through_provider

pytestmark = pytest.mark.django_db

SET_UP = "/account/security/authenticator/"
CODE_PAGE = "/accounts/login/code/"
# The start of a 30-second step, so that codes change exactly every 30 seconds.
START = 1_790_000_010


def totp(secret: str, at: float, digits: int = 6, step: int = 30) -> str:
    """RFC 6238: HOTP (RFC 4226, HMAC-SHA1) of the number of `step`s since the epoch."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


class Clock:
    def __init__(self, now: float):
        self.now = now

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    """Frozen where the second factor reads the time: allauth's TOTP check and the
    code page's 10 minutes (both call `time.time()` on their module's `time`)."""
    clock = Clock(START)
    monkeypatch.setattr(allauth_totp, "time", clock)
    monkeypatch.setattr(sign_in_views, "time", clock)
    return clock


@pytest.fixture
def mfa_required(settings):
    settings.MFA_REQUIRED_FOR = ["administrator", "executive"]


def sign_in_with_password(client, username, next_url=""):
    data = {"username": username, "password": TEST_PASSWORD}
    url = "/accounts/login/" + (f"?next={quote(next_url)}" if next_url else "")
    return client.post(url, data)


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def events(kind, user):
    return SecurityEvent.objects.filter(kind=kind, user=user)


@pytest.fixture
def set_up_app(clock, django_capture_on_commit_callbacks):
    """Sets up an authenticator app for the signed-in person; returns (secret, codes)."""

    def set_up(client, next_url="/"):
        url = f"{SET_UP}?next={quote(next_url)}"
        secret = client.get(url).context["secret"]
        # allauth tells the security log once the transaction commits.
        with django_capture_on_commit_callbacks(execute=True):
            done = client.post(url, {"code": totp(secret, clock.now)})
        assert done.status_code == 302, done.content
        codes = client.get(done["Location"]).context["codes"]
        return secret, codes

    return set_up


@pytest.fixture
def executive_with_app(client, council_a, mfa_required, set_up_app, clock):
    """The executive has set up an app and signed out; the clock is a step later, so the
    code used at set-up is not the current one."""
    sign_in_with_password(client, council_a.executive.username)
    secret, codes = set_up_app(client)
    client.post("/accounts/logout/")
    clock.advance(30)
    return secret, codes


# The code helper itself.


@pytest.mark.parametrize(
    ("at", "code"),
    [
        (59, "287082"),
        (1111111109, "081804"),
        (1111111111, "050471"),
        (1234567890, "005924"),
        (2000000000, "279037"),
        (20000000000, "353130"),
    ],
)
def test_the_code_helper_gives_rfc_6238s_sha1_test_values(at, code):
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp(secret, at) == code  # the RFC's 8-digit values, last 6 digits


# Who is made to set up an app.


def test_an_executive_signing_in_with_a_password_is_sent_to_set_up_an_app_from_any_page(
    client, council_a, mfa_required
):
    response = sign_in_with_password(client, council_a.executive.username)
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(council_a.executive.pk)
    event = events(EventKind.SIGN_IN, council_a.executive).get()
    assert event.method == "password"

    for path in ("/", "/account/security/", "/people/awaiting-a-role/", "/account/no-role-yet/"):
        sent = client.get(path)
        assert sent.status_code == 302, path
        assert sent["Location"] == f"{SET_UP}?next={quote(path, safe='')}"

    page = client.get(SET_UP)
    assert page.status_code == 200
    assert page.context["required"] is True
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"


def test_an_administrator_signing_in_with_a_password_is_sent_to_set_up_an_app(
    client, administrator, mfa_required
):
    sign_in_with_password(client, administrator.username)
    assert client.get("/")["Location"].startswith(SET_UP)


def test_nobody_is_sent_to_set_up_an_app_when_no_role_requires_one(client, council_a, settings):
    settings.MFA_REQUIRED_FOR = []
    sign_in_with_password(client, council_a.executive.username)
    assert client.get("/").status_code == 200


def test_an_ict_manager_is_not_made_to_set_up_an_app_but_may(
    client, council_a, mfa_required, set_up_app
):
    sign_in_with_password(client, council_a.ict_manager.username)
    assert client.get("/").status_code == 200
    assert client.get(SET_UP).context["required"] is False

    set_up_app(client)

    assert Authenticator.objects.filter(
        user=council_a.ict_manager, type=Authenticator.Type.TOTP
    ).exists()


def test_people_who_sign_in_with_their_organisations_account_are_not_asked_to_set_up_an_app(
    client, federation, council_a, settings
):
    settings.MFA_REQUIRED_FOR = ["administrator", "executive", "ict_manager"]
    UserFactory(
        username="sso.ict@cherwell.gov.uk",
        email="sso.ict@cherwell.gov.uk",
        organisation=council_a.organisation,
        role=Role.ICT_MANAGER,
    )
    sign_in_through_provider(client, federation, "sso.ict@cherwell.gov.uk")
    assert client.session["sign_in_method"] == "single sign-on"
    assert client.get("/").status_code == 200
    assert client.get("/account/security/").status_code == 200


def test_the_same_person_signing_in_with_a_password_is_asked_to_set_up_an_app(
    client, council_a, settings
):
    settings.MFA_REQUIRED_FOR = ["administrator", "executive", "ict_manager"]
    UserFactory(
        username="sso.ict@cherwell.gov.uk",
        email="sso.ict@cherwell.gov.uk",
        organisation=council_a.organisation,
        role=Role.ICT_MANAGER,
    )
    sign_in_with_password(client, "sso.ict@cherwell.gov.uk")
    assert client.get("/")["Location"].startswith(SET_UP)


# Setting up the app.


def test_a_wrong_code_at_set_up_says_what_to_do_and_saves_nothing(
    client, council_a, mfa_required, clock
):
    sign_in_with_password(client, council_a.executive.username)
    secret = client.get(SET_UP).context["secret"]
    wrong = totp(secret, clock.now + 3600)
    assert wrong != totp(secret, clock.now)

    response = client.post(SET_UP, {"code": wrong})

    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [WRONG_CODE]
    assert "The code is not right" in response.content.decode()
    assert not Authenticator.objects.filter(user=council_a.executive).exists()
    assert not events(EventKind.MFA_ADDED, council_a.executive).exists()
    assert client.get("/")["Location"].startswith(SET_UP)


def test_an_empty_code_at_set_up_asks_for_the_code(client, council_a, mfa_required, clock):
    sign_in_with_password(client, council_a.executive.username)
    client.get(SET_UP)
    response = client.post(SET_UP, {"code": ""})
    assert response.context["form"].errors["code"] == ["Enter the code"]
    assert not Authenticator.objects.filter(user=council_a.executive).exists()


def test_the_right_code_sets_up_the_app_and_shows_the_recovery_codes_once(
    client, council_a, mfa_required, clock, django_capture_on_commit_callbacks
):
    executive = council_a.executive
    sign_in_with_password(client, executive.username)
    url = f"{SET_UP}?next=%2Faccount%2Fsecurity%2F"
    secret = client.get(url).context["secret"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"code": totp(secret, clock.now)})

    assert response["Location"] == "/account/security/recovery-codes/"
    codes_page = client.get(response["Location"])
    assert codes_page.context["first_time"] is True
    assert len(codes_page.context["codes"]) == 10
    assert codes_page.context["continue_to"] == "/account/security/"
    assert "Your authenticator app is set up" in codes_page.content.decode()
    assert client.get(response["Location"]).context["first_time"] is False
    types = set(Authenticator.objects.filter(user=executive).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    assert events(EventKind.MFA_ADDED, executive).count() == 1
    assert client.get("/").status_code == 200


def test_a_person_with_an_app_is_sent_from_set_up_to_the_security_page(
    client, council_a, executive_with_app, clock
):
    secret, _codes = executive_with_app
    sign_in_with_password(client, council_a.executive.username)
    client.post(CODE_PAGE, {"code": totp(secret, clock.now)})
    assert client.get(SET_UP)["Location"] == "/account/security/"


# The code page at the next sign-in.


def test_the_next_sign_in_asks_for_a_code_and_only_then_signs_in(
    client, council_a, executive_with_app, clock
):
    secret, _codes = executive_with_app
    executive = council_a.executive

    response = sign_in_with_password(client, executive.username)

    assert response["Location"] == CODE_PAGE
    assert signed_in_user_id(client) is None
    assert client.get("/")["Location"].startswith("/accounts/login/")
    assert client.get(CODE_PAGE).status_code == 200

    response = client.post(CODE_PAGE, {"code": totp(secret, clock.now)})

    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(executive.pk)
    assert client.get("/").status_code == 200
    latest = events(EventKind.SIGN_IN, executive).order_by("-id").first()
    assert (latest.method, latest.succeeded) == ("password and code", True)


def test_after_the_code_the_person_lands_on_the_page_they_asked_for(
    client, council_a, executive_with_app, clock
):
    secret, _codes = executive_with_app
    sign_in_with_password(client, council_a.executive.username, next_url="/account/security/")
    response = client.post(CODE_PAGE, {"code": totp(secret, clock.now)})
    assert response["Location"] == "/account/security/"


def test_a_wrong_code_at_sign_in_is_refused_and_logged(
    client, council_a, executive_with_app, clock
):
    secret, _codes = executive_with_app
    sign_in_with_password(client, council_a.executive.username)
    wrong = totp(secret, clock.now - 300)
    assert wrong != totp(secret, clock.now)

    response = client.post(CODE_PAGE, {"code": wrong})

    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [WRONG_CODE]
    assert signed_in_user_id(client) is None
    failed = events(EventKind.MFA_FAILED, council_a.executive).get()
    assert failed.succeeded is False


def test_a_code_from_the_next_step_is_not_accepted_yet(
    client, council_a, executive_with_app, clock
):
    secret, _codes = executive_with_app
    sign_in_with_password(client, council_a.executive.username)
    response = client.post(CODE_PAGE, {"code": totp(secret, clock.now + 30)})
    assert signed_in_user_id(client) is None
    assert response.context["form"].errors["code"] == [WRONG_CODE]


def test_a_code_used_once_cannot_sign_in_again(client, council_a, executive_with_app, clock):
    secret, _codes = executive_with_app
    code = totp(secret, clock.now)
    sign_in_with_password(client, council_a.executive.username)
    client.post(CODE_PAGE, {"code": code})
    client.post("/accounts/logout/")

    sign_in_with_password(client, council_a.executive.username)
    response = client.post(CODE_PAGE, {"code": code})

    assert response.status_code == 200
    assert signed_in_user_id(client) is None


def test_a_recovery_code_signs_in_once_and_is_then_used_up(client, council_a, executive_with_app):
    _secret, codes = executive_with_app
    executive = council_a.executive

    sign_in_with_password(client, executive.username)
    response = client.post(CODE_PAGE, {"code": codes[0]})

    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(executive.pk)
    used = events(EventKind.RECOVERY_CODE_USED, executive).get()
    assert used.method == "recovery code"
    assert client.get("/account/security/").context["unused_codes"] == 9
    client.post("/accounts/logout/")

    sign_in_with_password(client, executive.username)
    again = client.post(CODE_PAGE, {"code": codes[0]})

    assert again.status_code == 200
    assert again.context["form"].errors["code"] == [WRONG_CODE]
    assert signed_in_user_id(client) is None
    assert events(EventKind.RECOVERY_CODE_USED, executive).count() == 1
    assert events(EventKind.MFA_FAILED, executive).count() == 1


def test_the_code_page_still_works_just_under_ten_minutes_later(
    client, council_a, executive_with_app, clock
):
    secret, _codes = executive_with_app
    sign_in_with_password(client, council_a.executive.username)
    clock.advance(599)
    client.post(CODE_PAGE, {"code": totp(secret, clock.now)})
    assert signed_in_user_id(client) == str(council_a.executive.pk)


def test_the_code_page_expires_after_ten_minutes(client, council_a, executive_with_app, clock):
    secret, _codes = executive_with_app
    sign_in_with_password(client, council_a.executive.username)
    clock.advance(601)

    response = client.post(CODE_PAGE, {"code": totp(secret, clock.now)})

    assert response["Location"] == "/accounts/login/"
    assert signed_in_user_id(client) is None
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Sign in again: codes are asked for within 10 minutes"
    ]
    # The waiting sign-in is gone: the page does not come back.
    assert client.get(CODE_PAGE)["Location"] == "/accounts/login/"


def test_the_code_page_without_a_password_first_sends_to_the_sign_in_page(client, db):
    assert client.get(CODE_PAGE)["Location"] == "/accounts/login/"


def test_new_recovery_codes_replace_the_old_ones_and_are_logged(
    client, council_a, executive_with_app, clock, django_capture_on_commit_callbacks
):
    secret, old_codes = executive_with_app
    sign_in_with_password(client, council_a.executive.username)
    client.post(CODE_PAGE, {"code": totp(secret, clock.now)})

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/security/recovery-codes/")

    new_codes = client.get("/account/security/recovery-codes/").context["codes"]
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert events(EventKind.RECOVERY_CODES_NEW, council_a.executive).count() == 1
    client.post("/accounts/logout/")
    sign_in_with_password(client, council_a.executive.username)
    assert client.post(CODE_PAGE, {"code": old_codes[1]}).status_code == 200
    assert signed_in_user_id(client) is None


# Removing the app.


@pytest.fixture
def ict_manager_with_app(client, council_a, mfa_required, set_up_app, clock):
    sign_in_with_password(client, council_a.ict_manager.username)
    secret, _codes = set_up_app(client)
    clock.advance(30)
    return secret


def test_an_ict_manager_removes_the_app_with_a_current_code(
    client, council_a, ict_manager_with_app, clock
):
    person = council_a.ict_manager
    assert "Remove the app" in client.get("/account/security/").content.decode()

    response = client.post(
        "/account/security/authenticator/remove/", {"code": totp(ict_manager_with_app, clock.now)}
    )

    assert response["Location"] == "/account/security/"
    assert not Authenticator.objects.filter(user=person).exists()  # recovery codes too
    assert events(EventKind.MFA_REMOVED, person).exists()
    client.post("/accounts/logout/")
    assert sign_in_with_password(client, person.username)["Location"] == "/"


def test_removing_the_app_needs_the_right_code(client, council_a, ict_manager_with_app, clock):
    wrong = totp(ict_manager_with_app, clock.now + 3600)
    response = client.post("/account/security/authenticator/remove/", {"code": wrong})
    assert response.status_code == 400
    assert response.context["removal_form"].errors["code"] == [WRONG_CODE]
    assert Authenticator.objects.filter(
        user=council_a.ict_manager, type=Authenticator.Type.TOTP
    ).exists()


def test_an_executive_cannot_remove_the_app_even_with_a_current_code(
    client, council_a, executive_with_app, clock
):
    secret, _codes = executive_with_app
    sign_in_with_password(client, council_a.executive.username)
    client.post(CODE_PAGE, {"code": totp(secret, clock.now)})
    clock.advance(30)
    assert "Remove the app" not in client.get("/account/security/").content.decode()

    response = client.post(
        "/account/security/authenticator/remove/", {"code": totp(secret, clock.now)}
    )

    assert response["Location"] == "/account/security/"
    assert "cannot be removed" in str(list(get_messages(response.wsgi_request))[0])
    assert Authenticator.objects.filter(
        user=council_a.executive, type=Authenticator.Type.TOTP
    ).exists()
    assert not events(EventKind.MFA_REMOVED, council_a.executive).exists()
