"""Your notifications and the dashboard's "What needs you" in a real browser: each
passes axe (WCAG 2.2 AA), with its error summary, and reminders can be turned off with
the keyboard."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import Round
from notifications.models import Preference
from tests.browser.conftest import assert_accessible
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_notifications_page_and_its_error_summary_are_accessible(
    page, live_server, sign_in, council_a
):
    sign_in("avonford-ict", TEST_PASSWORD)
    page.get_by_role("link", name="Your notifications").click()
    expect(page.get_by_role("heading", name="Your notifications", level=1)).to_be_visible()
    assert page.url == live_server.url + reverse("notifications:preferences")
    assert_accessible(page)

    # Saved with nothing chosen: the error summary takes the focus and links to the radios.
    page.evaluate(
        "document.querySelectorAll('input[name=reminders]').forEach(r => r.checked = false)"
    )
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    expect(summary).to_contain_text("Select whether you want reminder emails")
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    assert not Preference.objects.exists()

    summary.get_by_role("link", name="Select whether you want reminder emails").click()
    expect(page.get_by_label("Yes, send me reminders")).to_be_focused()
    page.get_by_label("No, do not send me reminders").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save").press("Enter")
    expect(page.get_by_text("You will not get reminders.")).to_be_visible()
    assert_accessible(page)
    assert Preference.objects.get(user=council_a.ict_manager).reminders is False


def test_what_needs_you_shows_an_ict_manager_the_deadline(page, live_server, sign_in, council_a):
    today = timezone.localdate()
    Round.objects.filter(pk=council_a.round.pk).update(
        opens_on=today - timedelta(days=30), closes_on=today + timedelta(days=5)
    )
    sign_in("avonford-ict", TEST_PASSWORD)
    page.goto(live_server.url + reverse("assessments:dashboard"))
    panel = page.get_by_role("region", name="What needs you")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("link", name="Start your assessment: 5 days left")).to_be_visible()
    expect(panel.get_by_text("Urgent")).to_be_visible()
    assert_accessible(page)
