"""What the partnership will see, in a real browser: a gated statement's "Critical"
marker is part of its radios' accessible description, and the check-answers page with
its preview of scores and gaps passes axe."""

import re

import pytest
from playwright.sync_api import expect

from assessments.capture.services import submit_assessment
from tests.browser.conftest import assert_accessible
from tests.builders import assess
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF_IDENTITY = "identity-management.staff-identity"


@pytest.fixture
def draft(council_a):
    """Every statement answered at 3, bar staff identity at 1, below its gate of 2."""
    return assess(
        council_a.round, council_a.organisation, levels={STAFF_IDENTITY: 1}, status="draft"
    )


def test_a_gated_statement_is_announced_as_critical_with_its_radios(
    page, live_server, sign_in, draft
):
    sign_in("avonford-ict", TEST_PASSWORD)
    page.goto(f"{live_server.url}/assessments/{draft.pk}/dimensions/identity-management/")
    page.get_by_role("heading", name="Identity management", level=1).wait_for()
    staff = page.get_by_role(
        "group", name=re.compile("^From the start, the partnership has planned")
    )
    expect(staff).to_have_accessible_description(
        re.compile(r"^Critical Below level 2 is a critical gap for the whole partnership\. ")
    )
    privileged = page.get_by_role("group", name=re.compile("^Administrator access"))
    expect(privileged).not_to_have_accessible_description(re.compile("Critical"))
    assert_accessible(page)


def test_the_check_page_shows_what_the_partnership_will_see(page, live_server, sign_in, draft):
    sign_in("avonford-ict", TEST_PASSWORD)
    page.goto(f"{live_server.url}/assessments/{draft.pk}/check/")
    page.get_by_role("heading", name="Check your answers before submitting").wait_for()
    expect(
        page.get_by_text("Your answer is below level 2: this will be a critical gap.")
    ).to_have_count(1)

    page.get_by_role("link", name="see what the partnership will see").click()
    heading = page.get_by_role("heading", name="What the partnership will see", level=2)
    expect(heading).to_be_in_viewport()
    scores = page.get_by_role(
        "table", name="Avonford Council: score for each dimension from these answers"
    )
    expect(scores.get_by_role("row", name=re.compile("^Identity management"))).to_contain_text(
        "2.5"
    )
    gaps = page.locator("#preview-gaps .app-gap")
    expect(gaps.first).to_contain_text("Critical")
    expect(gaps.first).to_contain_text(
        "Avonford Council has not got staff identity management in place for the shared services"
    )
    # The preview comes before the button that submits.
    button = page.get_by_role("button", name="Submit assessment")
    assert heading.bounding_box()["y"] < button.bounding_box()["y"]
    assert_accessible(page)


def test_a_submitted_assessment_shows_its_gates_read_only(
    page, live_server, sign_in, council_a, draft
):
    submit_assessment(assessment=draft, user=council_a.ict_manager)
    sign_in("avonford-exec", TEST_PASSWORD)
    page.goto(f"{live_server.url}/assessments/{draft.pk}/dimensions/identity-management/")
    page.get_by_role("heading", name="Identity management", level=1).wait_for()
    expect(page.locator("input[type=radio]")).to_have_count(0)
    expect(
        page.get_by_text("Below level 2 is a critical gap for the whole partnership.")
    ).to_have_count(3)
    expect(page.get_by_text("Your answer is below level 2: this is a critical gap.")).to_have_count(
        1
    )
    assert_accessible(page)

    page.goto(f"{live_server.url}/assessments/{draft.pk}/check/")
    page.get_by_role("heading", name="What the partnership sees", level=2).wait_for()
    assert_accessible(page)
