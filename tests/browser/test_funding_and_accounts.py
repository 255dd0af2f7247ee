import pytest
from django.urls import reverse

from partnerships.models import FundingFormula, FundingSignOff
from tests.browser.conftest import assert_accessible
from tests.builders import add_partner
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


def test_the_share_total_updates_while_typing(page, live_server, sign_in, council_a):
    add_partner(council_a.partnership, "Copperfield Council")
    sign_in("avonford-exec", TEST_PASSWORD)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(
        live_server.url + reverse("partnerships:funding_edit", args=[council_a.partnership.pk])
    )
    total = page.locator("#share-total")
    assert total.get_attribute("aria-live") == "polite"
    assert total.inner_text() == "Total: 0% — 100% still to share"
    assert_accessible(page)

    page.get_by_label("How is the partnership funded?").fill("Split by population.")
    page.get_by_label("Avonford Council's share (%)").press_sequentially("62.5")
    assert total.inner_text() == "Total: 62.5% — 37.5% still to share"
    copperfield = page.get_by_label("Copperfield Council's share (%)")
    copperfield.press_sequentially("40")
    assert total.inner_text() == "Total: 102.5% — 2.5% too much"
    copperfield.fill("")
    copperfield.press_sequentially("37.5")
    assert total.inner_text() == "Total: 100% — all shared"
    assert_accessible(page)

    copperfield.fill("12")
    page.get_by_role("button", name="Save the funding formula").click()
    page.locator(".govuk-error-summary").wait_for()
    # Worked out again by the server from what was sent, and kept up to date from there.
    assert page.locator("#share-total").inner_text() == "Total: 74.5% — 25.5% still to share"
    assert_accessible(page)
    copperfield.fill("37.5")
    assert page.locator("#share-total").inner_text() == "Total: 100% — all shared"
    page.get_by_role("button", name="Save the funding formula").click()
    page.get_by_text("Version 1 of the funding formula is recorded").wait_for()
    assert FundingFormula.objects.get().shares.count() == 2
    assert errors == []
