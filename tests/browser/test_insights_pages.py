"""The insights pages in a real browser, on the demo data: the "what if" projection (a
lead executive adds Cherwell, which keeps its scores to itself, and sees the verdict
fall; Oxfordshire's adds the Vale, which shares them, and sees the full projection),
its error summary, the score-sharing page and the reports' peer benchmark section.
Every page passes axe (WCAG 2.2 AA), at 320 px too for the full projection, and the
projection works without JavaScript.

Each test checks all its pages before failing, and the failure names every page with
its violations (one sign-in per test, not per page)."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assessments.insights.models import ProjectionConsent
from assessments.models import Assessment, Dimension, Round
from ops.demo import (
    CURRENT_ROUND,
    DEMO_PASSWORD,
    NEIGHBOURS_NAME,
    PARTNERSHIP_NAME,
    seed_demo,
    seed_neighbours,
)
from partnerships.models import FundingShare, Organisation
from tests.browser.conftest import Checker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHERWELL = "Cherwell District Council"
VALE = "Vale of White Horse District Council"
WITHHELD = (
    f"{CHERWELL} has not agreed to show its scores in other partnerships' projections, "
    "so this projection shows only the verdict and the number of gaps."
)
PROJECTION_TABLE = "Readiness today and with the change"
WEAKEST_TABLE = "Weakest partner on each dimension"
FUNDING_TABLE = "Funding shares today and with the change"

# Tables wider than their box or past the screen's edge, each with how its scrolling
# region is marked up (as in test_report_layout.py): each must scroll in its own region.
WIDE_TABLES = """() => [...document.querySelectorAll("main table")]
  .filter((table) => {
    const box = table.getBoundingClientRect();
    return box.width > table.parentElement.clientWidth + 0.5
      || box.right > document.documentElement.clientWidth + 0.5;
  })
  .map((table) => {
    const box = table.parentElement;
    const labelledBy = box.getAttribute("aria-labelledby");
    return {
      caption: table.caption ? table.caption.textContent.trim() : null,
      right: table.getBoundingClientRect().right,
      role: box.getAttribute("role"),
      tabIndex: box.tabIndex,
      label: labelledBy ? document.getElementById(labelledBy).textContent.trim() : null,
    };
  })"""


@pytest.fixture
def demo():
    """The demo partnership and its neighbours, South and Vale, each with its open
    round; the Vale shares its scores in projections and Cherwell does not."""
    seed_demo()
    seed_neighbours()
    assert ProjectionConsent.objects.filter(organisation__name=VALE).exists()
    assert not ProjectionConsent.objects.filter(organisation__name=CHERWELL).exists()
    return {
        "oxfordshire": Round.objects.get(partnership__name=PARTNERSHIP_NAME, name=CURRENT_ROUND),
        "neighbours": Round.objects.get(partnership__name=NEIGHBOURS_NAME, name=CURRENT_ROUND),
    }


def report(round_: Round) -> str:
    return reverse("assessments:partnership_report", args=[round_.pk])


def what_if(round_: Round) -> str:
    return reverse("assessments:what_if", args=[round_.pk])


def cells(page, table: str, row: str) -> list[str]:
    """The data cells of a table's row, by the row's header, as the page shows them."""
    found = (
        page.get_by_role("table", name=table)
        .locator("tr")
        .filter(has=page.get_by_role("rowheader", name=row, exact=True))
    )
    expect(found).to_have_count(1)
    return [text.strip() for text in found.locator("td").all_inner_texts()]


def sign_in_with(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Your partnerships").wait_for()


def project_adding_cherwell(page, live_server, demo, checker=None) -> None:
    """From South and Vale's report to the projection of adding Cherwell, as its lead
    executive does it: follow the link, search, tick, show."""
    page.goto(live_server.url + report(demo["neighbours"]))
    page.get_by_role("link", name="What if the membership changed?").click()
    page.get_by_role("heading", name="What if the membership changed?", level=1).wait_for()
    assert page.url.endswith(what_if(demo["neighbours"]))
    if checker:
        checker.check("what if, nothing chosen")
    page.get_by_label("Find an organisation to add").fill("Cherwell")
    page.get_by_role("button", name="Search").click()
    cherwell = page.get_by_role("checkbox", name=re.compile(f"^{CHERWELL}"))
    expect(cherwell).to_have_count(1)
    if checker:
        checker.check("what if, search results")
    cherwell.check()
    page.get_by_role("button", name="Show the projection").click()
    page.get_by_role("heading", name="Projection", level=2).wait_for()


def assert_cherwell_projection(page, demo) -> None:
    cherwell = Organisation.objects.get(name=CHERWELL)
    assert f"add={cherwell.pk}" in page.url
    assert cells(page, PROJECTION_TABLE, "Members") == ["2", "3"]
    assert cells(page, PROJECTION_TABLE, "Verdict") == ["Ready with conditions", "Not ready"]
    expect(page.locator(".govuk-inset-text")).to_have_text(WITHHELD)
    # Cherwell's scores are withheld: no overall score, no weakest partners, no gaps.
    expect(page.get_by_role("rowheader", name="Overall score")).to_have_count(0)
    expect(page.get_by_role("table", name=WEAKEST_TABLE)).to_have_count(0)
    expect(page.get_by_role("heading", name="Gaps the change would add")).to_have_count(0)
    # The choice survives the round trip: Cherwell is still ticked.
    expect(page.get_by_role("checkbox", name=re.compile(f"^{CHERWELL}"))).to_be_checked()


def test_a_lead_executive_projects_adding_an_organisation_that_keeps_its_scores(
    page, live_server, sign_in, demo
):
    checker = Checker(page, live_server)
    sign_in("south-oxfordshire-exec", DEMO_PASSWORD)
    page.get_by_role("heading", name="Your partnerships").wait_for()

    project_adding_cherwell(page, live_server, demo, checker)
    assert_cherwell_projection(page, demo)
    checker.check("what if, adding Cherwell")
    checker.assert_none()


def test_the_projection_works_without_javascript(browser, live_server, demo):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in_with(page, live_server, "south-oxfordshire-exec")
        # No script ran: GOV.UK Frontend's enhancements are absent.
        assert "govuk-frontend-supported" not in (page.locator("body").get_attribute("class") or "")

        project_adding_cherwell(page, live_server, demo)
        assert_cherwell_projection(page, demo)
    finally:
        context.close()


def test_the_projections_address_holds_only_what_was_chosen(page, live_server, sign_in, demo):
    """The form is a GET form so that a projection can be bookmarked or shared: its
    address carries what was chosen and nothing else (never the CSRF token, a secret
    that would end up in browser history, server logs and shared links)."""
    sign_in("south-oxfordshire-exec", DEMO_PASSWORD)
    page.get_by_role("heading", name="Your partnerships").wait_for()

    project_adding_cherwell(page, live_server, demo)
    parameters = parse_qs(urlsplit(page.url).query, keep_blank_values=True)
    assert set(parameters) <= {"add", "remove", "q"}, page.url
    assert parameters["add"] == [str(Organisation.objects.get(name=CHERWELL).pk)]


def test_the_full_projection_is_accessible_on_a_laptop_and_a_small_phone(
    page, live_server, sign_in, demo
):
    """Adding the Vale, which shares its scores: the weakest partner on each dimension,
    the gaps the change adds and the funding formula; on a 1280 px screen and at 320 px,
    where the page never scrolls sideways and a table too wide for the screen scrolls in
    its own labelled, focusable region."""
    checker = Checker(page, live_server)
    vale = Organisation.objects.get(name=VALE)
    address = f"{what_if(demo['oxfordshire'])}?q=Vale&add={vale.pk}"
    dimensions = Dimension.objects.filter(framework=demo["oxfordshire"].framework).count()
    sign_in("oxfordshire-exec", DEMO_PASSWORD)
    page.get_by_role("heading", name="Your partnerships").wait_for()

    reflow = []
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        checker.visit(address)
        page.get_by_role("heading", name="Projection", level=2).wait_for()
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            reflow.append(f"at {width} px the page is {scroll_width} px wide: it scrolls sideways")
        for table in page.evaluate(WIDE_TABLES):
            in_region = table["role"] == "region" and table["tabIndex"] == 0
            if not (in_region and table["label"] and table["label"] == table["caption"]):
                reflow.append(
                    f"at {width} px the table {table['caption']!r} ends at {table['right']} px, "
                    f"outside a labelled, focusable scrolling region: {table}"
                )
        # The content is all there at both widths.
        expect(page.locator(".govuk-inset-text")).to_have_count(0)
        members = cells(page, PROJECTION_TABLE, "Members")
        assert int(members[1]) == int(members[0]) + 1, members
        assert all(cells(page, PROJECTION_TABLE, "Overall score")), width
        weakest = page.get_by_role("table", name=WEAKEST_TABLE)
        # The Vale's sustainability answers (1 on funding, benefits and skills) make it
        # the weakest partner there, and raise a gap the partnership does not have today.
        assert cells(page, WEAKEST_TABLE, "Sustainability")[1].startswith(f"{VALE}:"), width
        expect(weakest.locator("tbody tr")).to_have_count(dimensions)
        expect(page.get_by_role("heading", name="Gaps the change would add")).to_be_visible()
        expect(page.locator("h3:has-text('Gaps the change would add') + *")).to_contain_text(VALE)
        expect(page.get_by_role("heading", name="Gaps the change would close")).to_be_visible()
        expect(page.get_by_role("heading", name="Funding formula")).to_be_visible()
        if FundingShare.objects.filter(formula__partnership=demo["oxfordshire"].partnership):
            assert cells(page, FUNDING_TABLE, f"{VALE} (added)") == ["None", "To be agreed"]
        else:
            expect(
                page.get_by_text("The partnership has no funding formula with shares recorded.")
            ).to_be_visible()
    checker.failures += reflow
    checker.assert_none()


def test_removing_every_member_shows_an_accessible_error_summary(page, live_server, sign_in, demo):
    checker = Checker(page, live_server)
    sign_in("south-oxfordshire-exec", DEMO_PASSWORD)
    page.get_by_role("heading", name="Your partnerships").wait_for()
    page.goto(live_server.url + what_if(demo["neighbours"]))

    members = page.get_by_role("group", name="Members to remove").get_by_role("checkbox")
    expect(members).to_have_count(2)
    for index in range(members.count()):
        members.nth(index).check()
    page.get_by_role("button", name="Show the projection").click()
    summary = page.locator(".govuk-error-summary")
    problem = summary.get_by_role("link", name="Keep at least one member")
    expect(problem).to_be_visible()
    assert page.title().startswith("Error: ")
    expect(page.get_by_role("heading", name="Projection")).to_have_count(0)
    expect(page.locator(".govuk-form-group--error .govuk-error-message")).to_have_text(
        "Error: Keep at least one member"
    )
    checker.check("what if, every member removed")

    # The summary's link takes the reader to the first member's checkbox.
    assert problem.get_attribute("href") == "#id_remove_1"
    problem.click()
    expect(page.locator("#id_remove_1")).to_be_focused()
    checker.assert_none()


def test_an_executive_stops_sharing_their_scores(page, live_server, sign_in, demo):
    checker = Checker(page, live_server)
    sign_in("vale-exec", DEMO_PASSWORD)
    page.get_by_role("heading", name="Your partnerships").wait_for()

    page.get_by_role("link", name="Sharing your scores in projections").click()
    page.get_by_role("heading", name="Sharing your scores in projections", level=1).wait_for()
    expect(
        page.get_by_role("radio", name="Yes, show our scores in other partnerships' projections")
    ).to_be_checked()
    checker.check("score sharing")

    page.get_by_role("radio", name="No, show only the verdict and the number of gaps").check()
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text(f"Other partnerships' projections will no longer show {VALE}'s scores")
    ).to_be_visible()
    expect(
        page.get_by_role("radio", name="No, show only the verdict and the number of gaps")
    ).to_be_checked()
    assert not ProjectionConsent.objects.filter(organisation__name=VALE).exists()
    checker.check("score sharing, saved")
    checker.assert_none()


def test_the_reports_peer_sections_are_accessible(page, live_server, sign_in, demo):
    """The demo has too few organisations for a comparison: each report says so."""
    checker = Checker(page, live_server)
    own = Assessment.objects.get(
        round=demo["oxfordshire"], organisation__name="Oxfordshire County Council"
    )
    sign_in("oxfordshire-exec", DEMO_PASSWORD)
    page.get_by_role("heading", name="Your partnerships").wait_for()

    for address, who in [
        (report(demo["oxfordshire"]), "the partnership"),
        (reverse("assessments:organisation_report", args=[own.pk]), "your organisation"),
    ]:
        checker.visit(address)
        heading = page.get_by_role("heading", name=f"How {who} compares with peers", level=2)
        expect(heading).to_be_visible()
        expect(page.locator("h2#peers + p")).to_contain_text("Not enough peers yet.")
    checker.assert_none()
