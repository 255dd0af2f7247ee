import re

import pytest

from tests.browser.conftest import assert_accessible
from tests.builders import add_partner, assess, sign_funding
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reports(council_a):
    weak = add_partner(council_a.partnership, "Bexley Vale Council")
    add_partner(council_a.partnership, "Downs Police")
    own = assess(council_a.round, council_a.organisation, level=4, evidence="Signed agreement")
    assess(council_a.round, weak, level=2, levels={"identity-management.citizen-identity": 0})
    sign_funding(council_a.partnership, [council_a.organisation])
    return own


def test_the_partnership_report_is_accessible_with_text_for_the_heatmap(
    page, live_server, sign_in, council_a, reports
):
    sign_in("avonford-exec", TEST_PASSWORD)
    page.get_by_role("link", name="Partnership report").first.click()
    page.get_by_role("heading", name="Verdict: Not ready").wait_for()
    assert_accessible(page)
    heatmap = page.get_by_role("table", name="Scores by partner and dimension, 2026 review")
    # Every cell carries its value as text, and headers name the partner and dimension.
    cells = heatmap.locator("td")
    assert cells.count() == 3 * 10
    for index in range(cells.count()):
        assert cells.nth(index).inner_text().strip()
    assert heatmap.get_by_role("rowheader", name="Bexley Vale Council").is_visible()
    assert heatmap.get_by_role("columnheader", name="Identity management").is_visible()


def test_the_organisation_report_is_accessible_and_its_chart_has_a_text_alternative(
    page, live_server, sign_in, council_a, reports
):
    sign_in("avonford-exec", TEST_PASSWORD)
    page.goto(f"{live_server.url}/assessments/{reports.pk}/report/")
    page.get_by_role("heading", name="Avonford Council: readiness report").wait_for()
    assert_accessible(page)
    chart = page.get_by_role("img", name="Avonford Council: readiness by dimension, 0 to 4")
    assert chart.is_visible()
    description = chart.get_attribute("aria-labelledby").split()[1]
    assert "Identity management: 4.0 of 4" in page.locator(f"#{description}").text_content()
    assert page.get_by_role("table", name="Avonford Council: score for each dimension").is_visible()


def test_a_second_rounds_report_with_progress_and_actions_is_accessible(
    page, live_server, sign_in, council_a, administrator, reports
):
    """Round to round: the closed round's report says "as at"; the next round's board
    summary gives the change, gaps are marked new or still open, closed gaps are listed
    and the action plan shows what happened to each action's gap."""
    from datetime import timedelta

    from django.utils import timezone

    from assessments.actions.services import create_action
    from assessments.choices import OwnerRole
    from assessments.models import Round
    from assessments.reporting.cache import cached_partnership_report
    from assessments.rounds import close_rounds
    from partnerships.models import Organisation
    from tests.factories import RoundFactory

    first = council_a.round
    Round.objects.filter(pk=first.pk).update(opens_on=timezone.localdate() - timedelta(days=60))
    first.refresh_from_db()
    gaps = cached_partnership_report(first)[0]["gaps"]
    funding = next(g for g in gaps if g["code"] == "funding-formula-not-agreed")
    create_action(
        user=council_a.executive,
        round_=first,
        gap=funding,
        partnership_wide=True,
        description="Agree the formula at the board.",
        owner_role=OwnerRole.EXECUTIVE,
        owner_name="",
        due_on=timezone.localdate() + timedelta(days=30),
    )
    close_rounds(rounds=[first], user=administrator)
    second = RoundFactory(
        partnership=council_a.partnership,
        framework=first.framework,
        name="2027 review",
        opens_on=timezone.localdate(),
    )
    assess(second, council_a.organisation, level=4)
    assess(second, Organisation.objects.get(name="Bexley Vale Council"), level=3)

    sign_in("avonford-exec", TEST_PASSWORD)
    page.goto(f"{live_server.url}/rounds/{second.pk}/report/")
    page.get_by_role("heading", name="Board summary").wait_for()
    assert page.get_by_role("heading", name=f"Closed since {first.name}").is_visible()
    plan = page.get_by_role("table", name=re.compile(r"^Actions as at"))
    assert "Gap still open" in plan.inner_text()
    assert_accessible(page)

    page.goto(f"{live_server.url}/rounds/{first.pk}/report/")
    page.get_by_text("when the round closed").wait_for()
    assert_accessible(page)
