import pytest

from tests.browser.conftest import assert_accessible
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_user_signs_in_sees_the_dashboard_and_signs_out(page, live_server, sign_in, council_a):
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)

    sign_in("avonford-ict", TEST_PASSWORD)
    page.get_by_role("heading", name="Your partnerships").wait_for()
    assert page.get_by_role("heading", name="Avonford Council partnership").is_visible()
    # GOV.UK Frontend's script ran: the body class is set from a file, under the CSP.
    assert "govuk-frontend-supported" in page.locator("body").get_attribute("class")
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in to Partnership Readiness").wait_for()


def test_a_wrong_password_shows_an_accessible_error_summary(page, live_server, sign_in, council_a):
    sign_in("avonford-ict", "not-the-password")
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Enter a correct username and password" in summary.inner_text()
    assert page.title().startswith("Error:")
    assert_accessible(page)
