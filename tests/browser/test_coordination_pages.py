"""A coordinator's pages in a real browser: every page passes axe (WCAG 2.2 AA), with
its error summary after a blank submission, and the invitations file's preview and
problems pages; a form works without JavaScript.

Each test checks all its pages before failing, and the failure names every page with
its violations (one sign-in per test, not per page)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import Round, RoundStatus
from partnerships.models import Coordinator, Membership, Role, User
from tests.browser.conftest import Checker
from tests.builders import assess, sign_funding
from tests.factories import (
    TEST_PASSWORD,
    AssessmentFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def running(council_a, council_b):
    """Avonford's partnership run by its coordinator (a programme manager at Avonford,
    with a password), with Cherwell as a member: a submitted assessment, a draft, a
    signed formula, a person signed in and one invited; Brambleton's partnership has
    nothing to do with them."""
    partnership = council_a.partnership
    coordinator = UserFactory(
        username="coordinator",
        first_name="Cora",
        last_name="Ordinator",
        email="cora@avonford.example",
        organisation=council_a.organisation,
        role="",
    )
    Coordinator.objects.create(partnership=partnership, user=coordinator)
    long_ago = timezone.localdate() - timedelta(days=400)
    partnership.memberships.update(joined_on=long_ago)
    cherwell = OrganisationFactory(
        name="Cherwell District Council", kind="district", gss_code="E07000177"
    )
    membership = MembershipFactory(
        partnership=partnership, organisation=cherwell, joined_on=long_ago
    )
    submitted = assess(council_a.round, cherwell, level=3)
    AssessmentFactory(round=council_a.round, organisation=council_a.organisation)
    sign_funding(partnership, [council_a.organisation])
    person = UserFactory(organisation=cherwell, last_login=timezone.now())
    invited = UserFactory(
        username="invited@cherwell.example", email="invited@cherwell.example", organisation=cherwell
    )
    invited.set_unusable_password()
    invited.save()
    candidate = OrganisationFactory(name="South Oxfordshire District Council", gss_code="E07000179")
    return {
        "partnership": partnership,
        "round": council_a.round,
        "membership": membership,
        "submitted": submitted,
        "person": person,
        "invited": invited,
        "candidate": candidate,
    }


def url(running, name, *args):
    return reverse(f"coordination:{name}", args=[running["partnership"].pk, *args])


def test_every_coordinator_page_is_accessible(page, live_server, sign_in, running):
    checker = Checker(page, live_server)
    sign_in("coordinator", TEST_PASSWORD)
    page.get_by_role("heading", name="Your partnerships").wait_for()

    for address in (
        reverse("coordination:partnerships"),
        url(running, "partnership"),
        url(running, "find_organisation"),
        url(running, "find_organisation") + "?q=oxfordshire",  # results
        url(running, "find_organisation") + "?q=nowhere",  # none
        url(running, "add_member", running["candidate"].pk),
        url(running, "new_organisation"),
        url(running, "end_membership", running["membership"].pk),
        url(running, "lead"),
        url(running, "open_round"),
        url(running, "close_round", running["round"].pk),
        url(running, "reopen", running["submitted"].pk),
        url(running, "invite"),
        url(running, "invite_many"),
        url(running, "cancel", running["invited"].pk),
        url(running, "deactivate", running["person"].pk),
        url(running, "add_coordinator"),
    ):
        checker.visit(address)
    checker.assert_none()


# The form pages and their submit buttons: sent blank, each shows its error summary.
FORMS = [
    ("add_member", lambda r: [r["candidate"].pk], "Add the member"),
    ("new_organisation", lambda r: [], "Add the organisation"),
    ("end_membership", lambda r: [r["membership"].pk], "End the membership"),
    ("open_round", lambda r: [], "Open the round"),
    ("reopen", lambda r: [r["submitted"].pk], "Reopen the assessment"),
    ("invite", lambda r: [], "Send the invitation"),
    ("invite_many", lambda r: [], "Check the file"),
    ("add_coordinator", lambda r: [], "Add the coordinator"),
]


def test_every_coordinator_form_with_errors_is_accessible(page, live_server, sign_in, running):
    checker = Checker(page, live_server)
    sign_in("coordinator", TEST_PASSWORD)
    page.get_by_role("heading", name="Your partnerships").wait_for()

    for name, args, button in FORMS:
        page.goto(live_server.url + url(running, name, *args(running)))
        if name == "add_member":
            # The date is filled in with today: clear it to send the form blank.
            for part in ("Day", "Month", "Year"):
                page.get_by_label(part).fill("")
        page.get_by_role("button", name=button).click()
        page.locator(".govuk-error-summary__list li").first.wait_for()
        assert page.title().startswith("Error: "), name
        checker.check(f"{name} with errors")

    # Searching for nothing.
    page.goto(live_server.url + url(running, "find_organisation"))
    page.get_by_role("button", name="Search").click()
    page.locator(".govuk-error-summary__list li").first.wait_for()
    checker.check("find_organisation with errors")
    checker.assert_none()


def test_the_invitations_file_preview_and_problems_are_accessible(
    page, live_server, sign_in, running
):
    checker = Checker(page, live_server)
    sign_in("coordinator", TEST_PASSWORD)
    page.get_by_role("heading", name="Your partnerships").wait_for()
    upload = url(running, "invite_many")

    page.goto(live_server.url + upload)
    page.get_by_label("Upload a CSV file").set_input_files(
        {
            "name": "people.csv",
            "mimeType": "text/csv",
            "buffer": (
                b"organisation,email,role,first_name,last_name\n"
                b"Nowhere Council,a@nowhere.example,ict_manager,Ann,Able\n"
                b"E07000177,not-an-email,boss,,\n"
            ),
        }
    )
    page.get_by_role("button", name="Check the file").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The file cannot be used: nobody was invited")
    expect(summary.locator("li")).to_have_count(5)
    checker.check("invitations file with problems")

    page.goto(live_server.url + upload)
    page.get_by_label("Upload a CSV file").set_input_files(
        {
            "name": "people.csv",
            "mimeType": "text/csv",
            "buffer": (
                b"organisation,email,role,first_name,last_name,job_title\n"
                b"E07000177,ruth@cherwell.example,ict_manager,Ruth,Ashdown,ICT Manager\n"
                b"Avonford Council,omar@avonford.example,executive,Omar,Haddad,\n"
            ),
        }
    )
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("heading", name="Check the 2 people to invite").wait_for()
    checker.check("invitations file preview")

    page.get_by_role("button", name="Invite all 2 people").click()
    expect(page.get_by_text("Invited 2 people. Each has an email with a link")).to_be_visible()
    checker.check("overview after inviting from a file")
    assert set(
        User.objects.filter(
            email__in=["ruth@cherwell.example", "omar@avonford.example"]
        ).values_list("role", flat=True)
    ) == {Role.ICT_MANAGER, Role.EXECUTIVE}
    checker.assert_none()


def test_a_round_is_opened_and_a_member_added_without_javascript(browser, live_server, running):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("coordinator")
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Your partnerships").wait_for()
        # No script ran: GOV.UK Frontend's enhancements are absent.
        assert "govuk-frontend-supported" not in (page.locator("body").get_attribute("class") or "")

        page.goto(live_server.url + url(running, "partnership"))
        page.get_by_role("link", name="Open a round").click()
        page.get_by_role("button", name="Open the round").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary.get_by_role("link", name="Enter a name for the round")).to_be_visible()
        summary.get_by_role("link", name="Enter a name for the round").click()
        assert page.url.endswith("#id_name")

        closes = timezone.localdate() + timedelta(days=60)
        page.get_by_label("Name of the round").fill("2027 readiness review")
        page.get_by_label("Day").fill(str(closes.day))
        page.get_by_label("Month").fill(str(closes.month))
        page.get_by_label("Year").fill(str(closes.year))
        page.get_by_role("button", name="Open the round").click()
        page.get_by_role("heading", name=running["partnership"].name, level=1).wait_for()
        expect(page.get_by_text("2027 readiness review is open until")).to_be_visible()
        round_ = Round.objects.get(partnership=running["partnership"], name="2027 readiness review")
        assert (round_.status, round_.closes_on) == (RoundStatus.OPEN, closes)

        page.get_by_role("link", name="Add a member").click()
        page.get_by_label("Organisation name or GSS code").fill("e07000179")
        page.get_by_role("button", name="Search").click()
        page.get_by_role("link", name="South Oxfordshire District Council").click()
        page.get_by_role("button", name="Add the member").click()
        expect(
            page.get_by_text("South Oxfordshire District Council is now a member")
        ).to_be_visible()
        assert (
            Membership.objects.current()
            .filter(partnership=running["partnership"], organisation=running["candidate"])
            .exists()
        )
    finally:
        context.close()
