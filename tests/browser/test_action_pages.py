"""The action plan pages in a real browser: each passes axe (WCAG 2.2 AA), with its
error summary and its history, and an action can be agreed and updated without
JavaScript."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from assessments.actions.models import Action, ActionStatus
from assessments.actions.services import create_action, update_action
from assessments.choices import OwnerRole
from assessments.reporting.data import partnership_report
from tests.browser.conftest import assert_accessible
from tests.builders import assess, sign_funding
from tests.factories import TEST_PASSWORD, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CITIZEN_GAP = re.compile("Brambleton Council has not got citizen identity management")


@pytest.fixture
def gaps(council_a, council_b):
    """Brambleton (council B) joins Avonford's partnership without citizen identity
    management; only Avonford signed the funding formula."""
    long_ago = timezone.localdate() - timedelta(days=400)
    council_a.partnership.memberships.update(joined_on=long_ago)
    MembershipFactory(
        partnership=council_a.partnership, organisation=council_b.organisation, joined_on=long_ago
    )
    assess(council_a.round, council_a.organisation, level=4)
    assess(
        council_a.round,
        council_b.organisation,
        level=3,
        levels={"identity-management.citizen-identity": 1},
    )
    sign_funding(council_a.partnership, [council_a.organisation])
    report = partnership_report(council_a.round)
    return {gap["code"]: gap for gap in report["gaps"]}


def agree(council, user, gap, description, *, days=30, **options) -> Action:
    return create_action(
        user=user,
        round_=council.round,
        gap=gap,
        partnership_wide=options.get("partnership_wide", False),
        description=description,
        owner_role=options.get("owner_role", OwnerRole.ICT_MANAGER),
        owner_name=options.get("owner_name", "Sam Patel"),
        due_on=timezone.localdate() + timedelta(days=days),
    )


@pytest.fixture
def actions(council_a, council_b, gaps):
    """An overdue action, one in progress, one done and one dropped, and a
    partnership-wide one from the lead."""
    ict = council_b.ict_manager
    citizen = gaps["citizen-identity-below-gate"]
    late = agree(council_a, ict, citizen, "Choose an identity provider")
    Action.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=5))
    started = agree(council_a, ict, citizen, "Join the county's resident account")
    update_action(user=ict, action=started, version=1, status=ActionStatus.IN_PROGRESS)
    update_action(user=council_b.executive, action=started, version=2, owner_name="Jo Bloggs")
    done = agree(council_a, ict, citizen, "Write the identity assurance policy", days=10)
    update_action(user=ict, action=done, version=1, status=ActionStatus.DONE)
    dropped = agree(council_a, ict, citizen, "Buy a new identity product", days=60)
    update_action(
        user=ict,
        action=dropped,
        version=1,
        status=ActionStatus.DROPPED,
        dropped_reason="The county's account does this",
    )
    agree(
        council_a,
        council_a.executive,
        gaps["funding-formula-not-agreed"],
        "Agree the formula at the board",
        partnership_wide=True,
        owner_role=OwnerRole.EXECUTIVE,
        owner_name="",
    )
    return {"late": late, "started": started, "done": done, "dropped": dropped}


def test_the_action_plan_page_is_accessible_and_marks_what_is_overdue(
    page, live_server, sign_in, council_a, actions
):
    sign_in("brambleton-ict", TEST_PASSWORD)
    page.goto(live_server.url + reverse("assessments:action_plan", args=[council_a.partnership.pk]))
    page.get_by_role("heading", name="Action plan", level=1).wait_for()
    expect(page.get_by_text("3 actions open, 1 overdue, 1 done so far, 1 dropped.")).to_be_visible()
    table = page.get_by_role("table", name=re.compile("^Actions as at .*, earliest due first$"))
    rows = table.get_by_role("row")
    expect(rows).to_have_count(1 + 5)
    late = rows.filter(has_text="Choose an identity provider")
    expect(late).to_contain_text("Overdue")
    expect(late).to_contain_text("Not reassessed yet")
    expect(rows.filter(has_text="Buy a new identity product")).to_contain_text(
        "The county's account does this"
    )
    expect(rows.filter(has_text="Agree the formula at the board")).to_contain_text(
        "Avonford Council (for the partnership)"
    )
    assert_accessible(page)
    late.get_by_role("link", name="Choose an identity provider").click()
    page.get_by_role("heading", name="Action", level=1).wait_for()


def test_the_new_action_page_and_its_error_summary_are_accessible(
    page, live_server, sign_in, council_a, council_b, gaps
):
    sign_in("brambleton-ict", TEST_PASSWORD)
    page.goto(live_server.url + reverse("assessments:new_action", args=[council_a.round.pk]))
    page.get_by_role("heading", name="Plan an action for a gap").wait_for()
    assert_accessible(page)

    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2027")
    page.get_by_role("button", name="Add the action").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    expect(summary).to_contain_text("There is a problem")
    for message in (
        "Select the gap this action will close",
        "Enter what will be done",
        "Select who owns the action",
        "The due date must be a real date, for example 31 3 2027",
    ):
        expect(summary.get_by_role("link", name=message)).to_be_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    assert not Action.objects.exists()

    page.get_by_role("radio", name=CITIZEN_GAP).check()
    page.get_by_label("What will be done").fill("Join the county's resident account")
    page.get_by_role("radio", name="ICT manager (CIO)").check()
    page.get_by_label("Named person (optional)").fill("Sam Patel")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill(str(timezone.localdate().year + 1))
    page.get_by_role("button", name="Add the action").click()
    page.get_by_role("heading", name="Action plan", level=1).wait_for()
    expect(
        page.get_by_text("The action is added to the partnership's action plan.")
    ).to_be_visible()
    assert Action.objects.get().organisation == council_b.organisation
    assert_accessible(page)


def test_the_action_page_with_its_history_is_accessible(
    page, live_server, sign_in, council_a, actions
):
    started = actions["started"]
    sign_in("brambleton-exec", TEST_PASSWORD)
    page.goto(live_server.url + reverse("assessments:action", args=[started.pk]))
    page.get_by_role("heading", name="Action", level=1).wait_for()
    history = page.locator(".app-history > li")
    expect(history).to_have_count(3)
    expect(history.nth(0)).to_contain_text("Named person: “Sam Patel” to “Jo Bloggs”")
    expect(history.nth(1)).to_contain_text("Status: “Not started” to “In progress”")
    expect(history.nth(2)).to_contain_text("agreed the action")
    assert_accessible(page)

    page.get_by_role("radio", name="Dropped").check()
    page.get_by_role("button", name="Save the changes").click()
    summary = page.locator(".govuk-error-summary")
    expect(
        summary.get_by_role("link", name="Enter why the action is being dropped")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("radio", name="Done").check()
    page.get_by_role("button", name="Save the changes").click()
    expect(page.get_by_text("The action is updated.")).to_be_visible()
    expect(history).to_have_count(4)
    expect(history.nth(0)).to_contain_text("Status: “In progress” to “Done”")
    assert_accessible(page)


def test_someone_elses_change_is_reported_accessibly(
    page, live_server, sign_in, council_a, council_b, actions
):
    started = actions["started"]
    sign_in("brambleton-ict", TEST_PASSWORD)
    page.goto(live_server.url + reverse("assessments:action", args=[started.pk]))
    page.get_by_role("heading", name="Action", level=1).wait_for()
    # Meanwhile, the executive marks it done.
    update_action(user=council_b.executive, action=started, version=3, status=ActionStatus.DONE)
    page.get_by_label("Named person (optional)").fill("Someone new")
    page.get_by_role("button", name="Save the changes").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Someone else changed this action")
    expect(page.get_by_role("radio", name="Done")).to_be_checked()
    assert_accessible(page)
    started.refresh_from_db()
    assert (started.owner_name, started.status) == ("Jo Bloggs", ActionStatus.DONE)


def test_an_action_is_agreed_and_updated_without_javascript(browser, live_server, council_a, gaps):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("brambleton-ict")
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Your partnerships").wait_for()
        assert "govuk-frontend-supported" not in (page.locator("body").get_attribute("class") or "")

        page.goto(live_server.url + reverse("assessments:new_action", args=[council_a.round.pk]))
        page.get_by_role("button", name="Add the action").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text("Select the gap this action will close")
        summary.get_by_role("link", name="Select the gap this action will close").click()
        assert page.url.endswith("#id_gap_1")

        page.get_by_role("radio", name=CITIZEN_GAP).check()
        page.get_by_label("What will be done").fill("Join the county's resident account")
        page.get_by_role("radio", name="ICT manager (CIO)").check()
        page.get_by_label("Day").fill("31")
        page.get_by_label("Month").fill("3")
        page.get_by_label("Year").fill(str(timezone.localdate().year + 1))
        page.get_by_role("button", name="Add the action").click()
        page.get_by_role("heading", name="Action plan", level=1).wait_for()

        page.get_by_role("link", name="Join the county's resident account").click()
        page.get_by_role("radio", name="In progress").check()
        page.get_by_role("button", name="Save the changes").click()
        expect(page.get_by_text("The action is updated.")).to_be_visible()
        assert Action.objects.get().status == ActionStatus.IN_PROGRESS
    finally:
        context.close()
