"""Signing in with the organisation's own account (the real OpenID Connect provider on
loopback, tests/oidc.py) and with a password and an authenticator app, in Chromium;
each journey is in the security log, and every page passes axe-core."""

import pytest
from allauth.mfa.totp.internal import auth as allauth_totp
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from identity.models import EventKind, SecurityEvent
from partnerships.models import Role, User
from tests.browser.conftest import assert_accessible
from tests.factories import TEST_PASSWORD, UserFactory
from tests.identity.conftest import register
from tests.identity.test_two_factor import START, Clock, totp
from tests.oidc import ACCOUNTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "sso.ict@cherwell.gov.uk"


def kinds_logged(after: int = 0, **filters) -> list[str]:
    events = SecurityEvent.objects.filter(id__gt=after, **filters).order_by("id")
    return list(events.values_list("kind", flat=True))


def last_event_id() -> int:
    return SecurityEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def continue_with_organisation_account(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Work email address").fill(email)
    page.get_by_role("button", name="Continue").click()


def go_to_the_provider(page, live_server, email):
    """Types the work email on the sign-in page and follows the redirect to the
    provider; fails with what the browser said if it does not get there."""
    said = []
    page.on("console", lambda message: said.append(message.text))
    continue_with_organisation_account(page, live_server, email)
    try:
        page.wait_for_url(lambda url: not url.startswith(live_server.url), timeout=10_000)
    except PlaywrightTimeoutError:
        pytest.fail(f"The browser did not leave {page.url} for the provider: {said}")


def sign_in_at_the_provider(page, login):
    page.get_by_role("heading", name="Sign in to the test identity provider").wait_for()
    page.get_by_label("Email address").fill(login)
    page.get_by_label("Password").fill(ACCOUNTS[login]["password"])
    page.get_by_role("button", name="Continue").click()


def test_a_person_signs_in_with_their_organisations_account_and_lands_on_their_dashboard(
    page, live_server, oidc_provider, council_a
):
    register(oidc_provider, base_url=live_server.url, organisation=council_a.organisation)
    person = UserFactory(
        username=EMAIL, email=EMAIL, organisation=council_a.organisation, role=Role.ICT_MANAGER
    )
    before = last_event_id()

    go_to_the_provider(page, live_server, EMAIL)
    sign_in_at_the_provider(page, EMAIL)

    page.get_by_role("heading", name="Your partnerships").wait_for()
    assert page.url == f"{live_server.url}/"
    assert page.get_by_role("heading", name="Avonford Council partnership").is_visible()
    event = SecurityEvent.objects.get(kind=EventKind.SIGN_IN, user=person)
    assert event.method == "single sign-on"
    assert kinds_logged(before, user=person) == [EventKind.ACCOUNT_LINKED, EventKind.SIGN_IN]

    page.get_by_role("link", name="Sign-in security").click()
    page.get_by_role("heading", name="Sign-in security").wait_for()
    assert_accessible(page)


def test_an_email_of_another_domain_is_refused_on_the_sign_in_page(
    page, live_server, oidc_provider, council_a
):
    register(oidc_provider, base_url=live_server.url, organisation=council_a.organisation)
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)

    continue_with_organisation_account(page, live_server, "someone@elsewhere.example")

    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert (
        "No organisation signs in with its own account for @elsewhere.example"
        in summary.inner_text()
    )
    assert page.title().startswith("Error:")
    assert page.url == f"{live_server.url}/accounts/login/organisation/"
    assert_accessible(page)


def test_a_person_of_another_domain_who_gets_through_the_provider_is_refused_and_logged(
    page, live_server, oidc_provider, council_a
):
    # The provider is shared: the linked domain sends them there, another account signs in.
    register(oidc_provider, base_url=live_server.url, organisation=council_a.organisation)
    go_to_the_provider(page, live_server, EMAIL)
    sign_in_at_the_provider(page, "someone@elsewhere.example")

    page.get_by_role("heading", name="You cannot sign in this way").wait_for()
    assert "@elsewhere.example" in page.locator("main").inner_text()
    assert_accessible(page)
    event = SecurityEvent.objects.get(kind=EventKind.SIGN_IN_FAILED)
    assert (event.username, event.method, event.succeeded) == (
        "someone@elsewhere.example",
        "single sign-on",
        False,
    )

    page.get_by_role("link", name="Go back to the sign-in page").click()
    page.get_by_role("heading", name="Sign in to Partnership Readiness").wait_for()
    assert not User.objects.filter(email="someone@elsewhere.example").exists()


def test_an_executive_sets_up_an_authenticator_app_and_needs_a_code_at_the_next_sign_in(
    page, live_server, sign_in, council_a, settings, monkeypatch
):
    settings.MFA_REQUIRED_FOR = ["administrator", "executive"]
    clock = Clock(START)  # the live server runs in this process: allauth reads this clock
    monkeypatch.setattr(allauth_totp, "time", clock)
    executive = council_a.executive
    before = last_event_id()

    sign_in(executive.username, TEST_PASSWORD)
    page.get_by_role("heading", name="Set up an authenticator app").wait_for()
    assert_accessible(page)
    secret = page.locator(".app-secret").inner_text().strip()
    code_field = page.get_by_label("Enter the 6-digit code the app shows")

    code_field.fill(totp(secret, clock.now + 3600))
    page.get_by_role("button", name="Continue").click()
    page.locator(".govuk-error-summary").wait_for()
    assert "The code is not right" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)

    code_field.fill(totp(secret, clock.now))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Your authenticator app is set up").wait_for()
    assert page.locator(".app-recovery-codes li").count() == 10
    assert_accessible(page)
    page.get_by_role("link", name="I have saved my codes, continue").click()
    page.get_by_role("heading", name="Your partnerships").wait_for()

    page.get_by_role("link", name="Sign-in security").click()
    page.get_by_role("heading", name="Sign-in security").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="View or renew recovery codes").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in to Partnership Readiness").wait_for()
    clock.advance(30)  # the set-up code has been used; the app shows the next one
    sign_in(executive.username, TEST_PASSWORD)
    page.get_by_role("heading", name="Enter your security code").wait_for()
    assert_accessible(page)
    page.get_by_label("Security code").fill(totp(secret, clock.now + 3600))
    page.get_by_role("button", name="Sign in").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page)
    page.get_by_label("Security code").fill(totp(secret, clock.now))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Your partnerships").wait_for()

    assert kinds_logged(before, user=executive) == [
        EventKind.SIGN_IN,
        EventKind.MFA_ADDED,
        EventKind.SIGN_OUT,
        EventKind.MFA_FAILED,
        EventKind.SIGN_IN,
    ]
    methods = SecurityEvent.objects.filter(kind=EventKind.SIGN_IN, user=executive).order_by("id")
    assert list(methods.values_list("method", flat=True)) == ["password", "password and code"]


def test_a_new_person_signing_in_with_their_organisations_account_waits_for_a_role(
    page, live_server, oidc_provider, council_a
):
    register(
        oidc_provider,
        base_url=live_server.url,
        organisation=council_a.organisation,
        just_in_time_accounts=True,
    )
    go_to_the_provider(page, live_server, EMAIL)
    sign_in_at_the_provider(page, EMAIL)

    page.get_by_role("heading", name="You do not have a role yet").wait_for()
    assert page.url == f"{live_server.url}/account/no-role-yet/"
    assert_accessible(page)
    person = User.objects.get(username=EMAIL)
    assert (person.organisation, person.role) == (council_a.organisation, "")
    assert kinds_logged(user=person) == [EventKind.ACCOUNT_CREATED, EventKind.SIGN_IN]


def test_a_person_awaiting_a_role_is_told_so_and_their_executive_gives_one(
    page, live_server, sign_in, council_a
):
    # As a new single sign-on account would be, but with a password so that this test
    # does not depend on the provider.
    person = UserFactory(
        username=EMAIL,
        email=EMAIL,
        first_name="Sam",
        last_name="Okafor",
        organisation=council_a.organisation,
        role="",
    )
    before = last_event_id()
    sign_in(EMAIL, TEST_PASSWORD)
    page.get_by_role("heading", name="You do not have a role yet").wait_for()
    assert page.url == f"{live_server.url}/account/no-role-yet/"
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(council_a.executive.username, TEST_PASSWORD)
    page.get_by_role("heading", name="Your partnerships").wait_for()
    page.goto(f"{live_server.url}/people/awaiting-a-role/")
    assert_accessible(page)
    page.get_by_role("link", name=f"Give a role to {EMAIL}").click()
    page.get_by_role("heading", name="Give Sam Okafor a role").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Give the role").click()
    page.locator(".govuk-error-summary").wait_for()
    assert "Choose a role" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("ICT manager").check()
    page.get_by_role("button", name="Give the role").click()
    page.get_by_text("Nobody is waiting.").wait_for()
    assert page.get_by_text("Sam Okafor is now ICT manager").is_visible()
    assert_accessible(page)

    person.refresh_from_db()
    assert person.role == Role.ICT_MANAGER
    assert kinds_logged(before, user=person) == [
        EventKind.SIGN_IN,
        EventKind.SIGN_OUT,
        EventKind.ROLE_CHANGED,
    ]
    assert SecurityEvent.objects.get(kind=EventKind.ROLE_CHANGED).actor == council_a.executive


def test_a_return_from_the_provider_that_this_service_did_not_start_is_refused(
    page, live_server, oidc_provider, council_a
):
    federation = register(
        oidc_provider, base_url=live_server.url, organisation=council_a.organisation
    )
    page.goto(
        f"{live_server.url}/accounts/oidc/{federation.provider.slug}/login/callback/"
        "?state=not-one-of-ours&code=stolen"
    )
    page.get_by_role("heading", name="You cannot sign in this way").wait_for()
    assert_accessible(page)
    event = SecurityEvent.objects.get(kind=EventKind.SIGN_IN_FAILED)
    assert (event.method, event.succeeded) == ("single sign-on", False)
