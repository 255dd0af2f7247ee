import pytest
from django.urls import reverse

from partnerships.models import FundingSignOff
from tests.browser.conftest import assert_accessible
from tests.factories import TEST_PASSWORD, FundingFormulaFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_executive_signs_the_funding_formula_with_the_keyboard(
    page, live_server, sign_in, council_a
):
    FundingFormulaFactory(partnership=council_a.partnership, text="Shared by population.")
    council_a.executive.job_title = "Chief Executive"
    council_a.executive.save()
    sign_in("avonford-exec", TEST_PASSWORD)
    page.goto(live_server.url + reverse("partnerships:funding", args=[council_a.partnership.pk]))
    assert_accessible(page)

    page.get_by_role("button", name="Sign the funding formula").click()
    page.locator(".govuk-error-summary").wait_for()
    assert (
        "Confirm that you agree the funding formula"
        in page.locator(".govuk-error-summary").inner_text()
    )
    assert_accessible(page)

    page.get_by_label("I agree this funding formula on behalf of Avonford Council").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Sign the funding formula").press("Enter")
    page.get_by_text("has signed version 1 of the funding formula").wait_for()
    sign_off = FundingSignOff.objects.get(organisation=council_a.organisation)
    assert (sign_off.signer_role, sign_off.signed_by) == ("Chief Executive", council_a.executive)


def test_an_ict_manager_is_told_who_signs(page, live_server, sign_in, council_a):
    FundingFormulaFactory(partnership=council_a.partnership)
    sign_in("avonford-ict", TEST_PASSWORD)
    page.goto(live_server.url + reverse("partnerships:funding", args=[council_a.partnership.pk]))
    assert page.get_by_text(
        "agreed by the chief executive and finance director, not the ICT manager"
    ).is_visible()
    assert page.get_by_role("button", name="Sign the funding formula").count() == 0
    assert_accessible(page)


def test_the_password_reset_pages_are_accessible(page, live_server, council_a):
    page.goto(live_server.url + reverse("login"))
    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_role("heading", name="Reset your password").wait_for()
    assert_accessible(page)
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_role("button", name="Send the link").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page)
