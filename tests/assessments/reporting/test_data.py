"""The report data: one function per report, feeding every renderer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.reporting.data import organisation_report, partnership_report
from tests.builders import add_partner, assess, sign_funding
from tests.factories import RoundFactory

pytestmark = pytest.mark.django_db

CITIZEN = "identity-management.citizen-identity"


@pytest.fixture
def scenario(council_a, framework):
    """Council A (strong) with three partners: one without citizen identity
    management, one with a draft, one not started. Only A and B signed the formula."""
    partnership, round_ = council_a.partnership, council_a.round
    weak_identity = add_partner(partnership, "Bexley Vale Council")
    drafting = add_partner(partnership, "Downs Police")
    add_partner(partnership, "Eastwick Fire")
    assess(round_, council_a.organisation, level=4, evidence="A's own evidence")
    assess(round_, weak_identity, level=3, levels={CITIZEN: 0}, evidence="B's secret evidence")
    assess(round_, drafting, level=1, status="draft")
    sign_funding(partnership, [council_a.organisation, weak_identity])
    return council_a


def by_code(gaps):
    return {gap["code"]: gap for gap in gaps}


def test_any_critical_gap_makes_the_partnership_not_ready(scenario):
    report = partnership_report(scenario.round)
    assert report["verdict"]["label"] == "Not ready"
    gaps = by_code(report["gaps"])
    citizen = gaps["citizen-identity-below-gate"]
    assert citizen["severity"] == "critical"
    assert citizen["owner_label"] == "ICT manager (CIO)"
    assert citizen["organisations"] == ["Bexley Vale Council"]
    funding = gaps["funding-formula-not-agreed"]
    assert funding["owner_label"] == "Chief executive and finance director"
    assert funding["organisations"] == ["Downs Police", "Eastwick Fire"]
    # Critical gaps come first.
    severities = [gap["severity"] for gap in report["gaps"]]
    assert severities == sorted(severities, key=["critical", "high", "warning"].index)


def test_only_submitted_assessments_are_scored(scenario):
    report = partnership_report(scenario.round)
    members = {m["organisation"]["name"]: m for m in report["members"]}
    assert members["Downs Police"]["assessment_status"] == "draft"
    assert {s["score"] for s in members["Downs Police"]["scores"]} == {None}
    assert members["Eastwick Fire"]["assessment_status"] == "not_started"
    assert report["not_submitted"] == ["Downs Police", "Eastwick Fire"]
    assert members["Avonford Council"]["overall"]["score"] == 4.0


def test_each_dimension_names_its_weakest_partner_with_mean_and_spread(scenario):
    """Identity management for B: staff 3, jml 3, privileged 3 (weights from the file),
    citizen 0 (weight 3), federation 3 (weight 3). A is 4 everywhere."""
    report = partnership_report(scenario.round)
    identity = next(d for d in report["dimension_summary"] if d["code"] == "identity-management")
    assert identity["weakest"] == "Bexley Vale Council"
    b_score = next(
        s["score"]
        for m in report["members"]
        if m["organisation"]["name"] == "Bexley Vale Council"
        for s in m["scores"]
        if s["dimension"] == "identity-management"
    )
    assert identity["score"] == b_score < 3
    assert identity["mean"] == pytest.approx(round((4 + b_score) / 2 + 1e-9, 1))
    assert identity["spread"] == pytest.approx(round(4 - b_score, 1))
    governance = next(d for d in report["dimension_summary"] if d["code"] == "governance")
    assert (governance["score"], governance["spread"]) == (3.0, 1.0)


def test_signing_the_formula_removes_the_funding_gap(scenario, council_b):
    from partnerships.models import FundingSignOff, Organisation, User

    formula = scenario.partnership.funding_formulas.get()
    for name in ["Downs Police", "Eastwick Fire"]:
        organisation = Organisation.objects.get(name=name)
        executive = User.objects.create(username=f"{name}-exec", organisation=organisation)
        FundingSignOff.objects.create(
            formula=formula,
            organisation=organisation,
            signed_by=executive,
            signer_name="X",
            signer_role="Chief Executive",
        )
    report = partnership_report(scenario.round)
    assert "funding-formula-not-agreed" not in by_code(report["gaps"])
    assert report["funding_formula"]["agreed"] is True


def test_a_member_that_left_stays_in_the_rounds_it_took_part_in(council_a, framework):
    today = timezone.localdate()
    last_year = RoundFactory(
        partnership=council_a.partnership,
        framework=framework,
        name="Last year",
        status="closed",
        opens_on=today - timedelta(days=400),
        closes_on=today - timedelta(days=300),
    )
    council_a.partnership.memberships.update(joined_on=today - timedelta(days=500))
    leaver = add_partner(council_a.partnership, "Leaving Council", joined_days_ago=500)
    assess(last_year, leaver, level=2, submitted_days_ago=350)
    assess(last_year, council_a.organisation, level=2, submitted_days_ago=350)
    before = partnership_report(last_year)
    leaver.memberships.update(left_on=today - timedelta(days=10))

    assert partnership_report(last_year)["members"] == before["members"]
    assert "Leaving Council" in [m["organisation"]["name"] for m in before["members"]]
    current = partnership_report(council_a.round)
    assert "Leaving Council" not in [m["organisation"]["name"] for m in current["members"]]


def test_the_trend_shows_each_round_oldest_first(council_a, framework):
    today = timezone.localdate()
    earlier = RoundFactory(
        partnership=council_a.partnership,
        framework=framework,
        name="2025 review",
        status="closed",
        opens_on=today - timedelta(days=365),
        closes_on=today - timedelta(days=300),
    )
    council_a.partnership.memberships.update(joined_on=today - timedelta(days=500))
    assess(earlier, council_a.organisation, level=2, submitted_days_ago=330)
    assess(council_a.round, council_a.organisation, level=3)
    trend = partnership_report(council_a.round)["trend"]
    assert [(p["round"], p["overall_mean"], p["submitted"]) for p in trend] == [
        ("2025 review", 2.0, 1),
        ("2026 review", 3.0, 1),
    ]


def test_the_organisation_report_shows_change_since_the_previous_round(council_a, framework):
    today = timezone.localdate()
    earlier = RoundFactory(
        partnership=council_a.partnership,
        framework=framework,
        name="2025 review",
        status="closed",
        opens_on=today - timedelta(days=365),
        closes_on=today - timedelta(days=300),
    )
    assess(earlier, council_a.organisation, level=2, submitted_days_ago=330)
    current = assess(
        council_a.round, council_a.organisation, level=3, levels={CITIZEN: 1}, evidence="Our plan"
    )
    report = organisation_report(current)
    assert report["previous_round"] == "2025 review"
    governance = next(d for d in report["dimensions"] if d["code"] == "governance")
    assert (governance["score"], governance["previous"], governance["change"]) == (3.0, 2.0, 1.0)
    assert report["verdict"]["label"] == "Not ready"
    owners = {group["owner"] for group in report["actions_by_owner"]}
    assert {"ict_manager", "executive"} <= owners  # identity; unsigned funding formula
    statement = next(
        s for d in report["dimensions"] for s in d["statements"] if s["code"] == CITIZEN
    )
    assert (statement["level"], statement["below_gate"], statement["evidence"]) == (
        1,
        True,
        "Our plan",
    )


def test_a_strong_signed_partnership_is_ready(council_a):
    assess(council_a.round, council_a.organisation, level=4)
    sign_funding(council_a.partnership, [council_a.organisation])
    report = partnership_report(council_a.round)
    assert report["gaps"] == []
    assert report["verdict"]["label"] == "Ready"
