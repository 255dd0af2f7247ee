"""The "what if" membership projection (assessments/insights/projection.py): a changed
membership scored by the report's own rules, with nothing saved.

The key test applies the projected change for real (memberships added and ended, the
added organisation's latest assessment elsewhere submitted again in this round) and
checks that the partnership report then says exactly what the projection said."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments.insights.models import ProjectionConsent
from assessments.insights.projection import candidates_by_id, find_candidates, project
from assessments.models import Answer, Assessment, AssessmentStatus, Round
from assessments.reporting.data import partnership_report
from partnerships.coordination import add_member
from partnerships.models import FundingShare, Membership
from tests.builders import add_partner, assess, sign_funding
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    RoundFactory,
)

pytestmark = pytest.mark.django_db

CITIZEN = "identity-management.citizen-identity"
FEDERATED = "identity-management.identity-federation"
FUNDING_GATE = "governance.funding-formula"
TRANSACTIONS = (
    "transactions.message-and-api-standards",
    "transactions.event-notification",
    "transactions.secure-messaging",
    "transactions.audit-trail",
)


# ---------------------------------------------------------------- helpers


def fresh(round_: Round) -> Round:
    """The round as a view loads it (with its partnership), so nothing is cached on it."""
    return Round.objects.select_related("partnership", "framework").get(pk=round_.pk)


def other_partnership_round(framework, organisation):
    """A round of another partnership, with the same framework, that `organisation`
    belongs to."""
    partnership = PartnershipFactory()
    MembershipFactory(
        partnership=partnership,
        organisation=organisation,
        joined_on=timezone.localdate() - timedelta(days=800),
    )
    return RoundFactory(
        partnership=partnership,
        framework=framework,
        opens_on=timezone.localdate() - timedelta(days=700),
    )


def submit_again(source: Assessment, round_: Round) -> Assessment:
    """The same answers' levels, submitted at the same moment, in `round_`."""
    copy = Assessment.objects.create(
        round=round_,
        organisation_id=source.organisation_id,
        status=AssessmentStatus.SUBMITTED,
        submitted_at=source.submitted_at,
    )
    Answer.objects.bulk_create(
        Answer(assessment=copy, question_id=answer.question_id, level=answer.level)
        for answer in source.answers.all()
    )
    return copy


def share(partnership, organisations_and_percentages, formula=None):
    formula = formula or partnership.funding_formulas.order_by("-version").first()
    for organisation, percentage in organisations_and_percentages:
        FundingShare.objects.create(
            formula=formula, organisation=organisation, percentage=Decimal(percentage)
        )
    return formula


def gap_set(gaps):
    return {(g["key"], g["message"]) for g in gaps}


def keys(gaps):
    return {g["key"] for g in gaps}


def readiness(side_or_report: dict) -> dict:
    """What a projection's side and a partnership report both say about readiness."""
    gaps = side_or_report["gaps"]
    counts = Counter(g["severity"] for g in gaps)
    return {
        "verdict": side_or_report["verdict"],
        "overall": side_or_report["overall"],
        "dimension_summary": side_or_report["dimension_summary"],
        "gaps": gap_set(gaps),
        "gap_counts": {s: counts.get(s, 0) for s in ("critical", "high", "warning")},
    }


def side_readiness(side: dict) -> dict:
    return readiness(side) | {"gap_counts": side["gap_counts"]}


def member_count(report: dict) -> int:
    return len(report["members"])


# ---------------------------------------------------------------- the key test

# Names for the organisation with an assessment elsewhere (X) and the one with none (Y):
# either both sort after every member, or among them (as most real names would).
NAMES = {
    "added-names-sort-last": ("Westbury Council", "Yeovil Housing Trust"),
    "added-names-sort-among-members": ("Brambleton Council", "Cotswold Housing Trust"),
}


@pytest.fixture(params=list(NAMES), ids=list(NAMES))
def change(request, council_a, framework):
    """Council A's partnership: Avonford (lead, strong), Bexley Vale (no citizen
    identity management: a critical gap), Downs Police (a draft), Eastwick Fire (weak
    governance), Fenland (weakest everywhere, to be removed). A funding formula with a
    share for each, signed by Avonford, Bexley Vale and Fenland. X, in another
    partnership with the same framework, submitted 380 days ago (stale) with its
    identities not federated and transactions above identity management; Y has never
    assessed."""
    x_name, y_name = NAMES[request.param]
    partnership, round_ = council_a.partnership, council_a.round
    council_a.partnership.memberships.update(joined_on=timezone.localdate() - timedelta(days=400))
    bexley = add_partner(partnership, "Bexley Vale Council")
    downs = add_partner(partnership, "Downs Police")
    eastwick = add_partner(partnership, "Eastwick Fire")
    fenland = add_partner(partnership, "Fenland District Council")
    assess(round_, council_a.organisation, level=4, levels={FEDERATED: 3})
    assess(round_, bexley, level=3, levels={CITIZEN: 0}, submitted_days_ago=3)
    assess(round_, downs, level=1, status="draft")
    assess(
        round_,
        eastwick,
        level=3,
        levels={
            "governance.joint-board": 1,
            FUNDING_GATE: 1,
            "governance.risk-sharing": 0,
        },
        submitted_days_ago=12,
    )
    assess(round_, fenland, level=1, submitted_days_ago=5)
    formula = sign_funding(partnership, [council_a.organisation, bexley, fenland])
    share(
        partnership,
        [(council_a.organisation, 30), (bexley, 25), (downs, 20), (eastwick, 15), (fenland, 10)],
        formula,
    )

    x = OrganisationFactory(name=x_name)
    elsewhere = other_partnership_round(framework, x)
    x_assessment = assess(
        elsewhere,
        x,
        level=2,
        levels={FEDERATED: 1, **dict.fromkeys(TRANSACTIONS, 4)},
        submitted_days_ago=380,
    )
    ProjectionConsent.objects.create(organisation=x)
    y = OrganisationFactory(name=y_name)
    return {
        "round": round_,
        "x": x,
        "y": y,
        "x_assessment": x_assessment,
        "removed": fenland,
    }


def test_the_projection_is_the_report_the_partnership_gets_when_the_change_is_made(change):
    round_, x, y, removed = change["round"], change["x"], change["y"], change["removed"]
    today = timezone.localdate()
    report_before = partnership_report(fresh(round_))

    projection = project(fresh(round_), add=[x.pk, y.pk], remove=[removed.pk])

    # The change, made for real.
    for organisation in (x, y):
        MembershipFactory(
            partnership=round_.partnership,
            organisation=organisation,
            joined_on=today - timedelta(days=1),
        )
    Membership.objects.filter(partnership=round_.partnership, organisation=removed).update(
        left_on=today
    )
    submit_again(change["x_assessment"], round_)
    report_after = partnership_report(fresh(round_))

    assert projection["withheld"] == []
    assert side_readiness(projection["today"]) == readiness(report_before)
    assert projection["today"]["members"] == member_count(report_before) == 5
    # The same gaps first, then the same words for them: partnership-wide messages list
    # the members in the report's order (by name).
    assert keys(projection["projected"]["gaps"]) == keys(report_after["gaps"])
    assert side_readiness(projection["projected"]) == readiness(report_after)
    assert projection["projected"]["members"] == member_count(report_after) == 6
    # Gaps are followed by key: a gap whose message changes (a count of members) is
    # neither added nor closed.
    assert keys(projection["gaps_added"]) == keys(report_after["gaps"]) - keys(
        report_before["gaps"]
    )
    assert keys(projection["gaps_removed"]) == keys(report_before["gaps"]) - keys(
        report_after["gaps"]
    )

    # The change matters: otherwise the comparison above would prove nothing.
    x_ref, removed_ref = f"organisation:{x.pk}", f"organisation:{removed.pk}"
    added_keys, removed_keys = keys(projection["gaps_added"]), keys(projection["gaps_removed"])
    assert f"identity-not-federated|identity-management|{FEDERATED}|{x_ref}" in added_keys
    assert f"stale-assessment|||{x_ref}" in added_keys
    assert any(key.endswith(removed_ref) for key in removed_keys)
    today_weakest = {d["weakest"] for d in projection["today"]["dimension_summary"]}
    projected_weakest = {d["weakest"] for d in projection["projected"]["dimension_summary"]}
    assert today_weakest == {removed.name}  # level 1 everywhere
    assert removed.name not in projected_weakest
    assert projection["today"]["overall"]["score"] == 1.0
    assert projection["projected"]["overall"]["score"] != projection["today"]["overall"]["score"]


def test_re_adding_a_member_that_left_during_the_round_projects_its_report(
    council_a, administrator
):
    """A member that submitted in this round and then left comes back on its old row
    (`partnerships.coordination.add_member`), and the report counts that submission
    again. The projection of re-adding it must say the same."""
    round_ = council_a.round
    today = timezone.localdate()
    council_a.partnership.memberships.update(joined_on=today - timedelta(days=400))
    assess(round_, council_a.organisation, level=4)
    leaver = add_partner(council_a.partnership, "Leaving District Council")
    assess(round_, leaver, level=2, submitted_days_ago=5)
    Membership.objects.filter(organisation=leaver).update(left_on=today - timedelta(days=1))

    projection = project(fresh(round_), add=[leaver.pk])
    add_member(
        partnership=council_a.partnership,
        organisation=leaver,
        joined_on=today - timedelta(days=1),
        user=administrator,
    )
    report_after = partnership_report(fresh(round_))

    assert [m["assessment_status"] for m in report_after["members"]] == ["submitted"] * 2
    assert side_readiness(projection["projected"]) == readiness(report_after)


# ---------------------------------------------------------------- consent


@pytest.fixture
def small(council_a, framework):
    """Avonford (level 4) and Bexley Vale (level 3) submitted; X submitted elsewhere at
    level 1 with citizen identity management at 0; Y has no assessment."""
    round_ = council_a.round
    assess(round_, council_a.organisation, level=4)
    bexley = add_partner(council_a.partnership, "Bexley Vale Council")
    assess(round_, bexley, level=3)
    x = OrganisationFactory(name="Wychwood Council")
    assess(other_partnership_round(framework, x), x, level=1, levels={CITIZEN: 0})
    y = OrganisationFactory(name="Yarnton Parish Trust")
    return {"round": round_, "x": x, "y": y, "bexley": bexley}


def test_without_consent_only_the_verdicts_and_gap_counts_are_kept(small):
    round_, x, y = small["round"], small["x"], small["y"]

    withheld = project(fresh(round_), add=[x.pk, y.pk])
    ProjectionConsent.objects.create(organisation=x)
    shown = project(fresh(round_), add=[x.pk, y.pk])

    assert withheld["withheld"] == [x.name]  # not Y: it has no scores to show
    assert set(withheld["projected"]) == {"verdict", "gap_counts", "members"}
    assert withheld["gaps_added"] == [] and withheld["gaps_removed"] == []
    # The same verdict and counts as with consent, where the scores do show.
    assert shown["withheld"] == []
    for key in ("verdict", "gap_counts", "members"):
        assert withheld["projected"][key] == shown["projected"][key]
    assert shown["gaps_added"], "X's critical gap should show once it has consented"
    assert {g["organisations"][0] for g in shown["gaps_added"] if g["organisations"]} >= {x.name}
    assert x.name in {d["weakest"] for d in shown["projected"]["dimension_summary"]}
    # The scores are not merely hidden: X's score is nowhere in the withheld data.
    assert "dimension_summary" not in withheld["projected"]
    assert "overall" not in withheld["projected"]


def test_an_organisation_without_an_assessment_never_causes_withholding(small):
    projection = project(fresh(small["round"]), add=[small["y"].pk])

    assert projection["withheld"] == []
    assert {"overall", "dimension_summary", "gaps"} <= set(projection["projected"])
    assert projection["added"] == [
        {
            "id": small["y"].pk,
            "name": small["y"].name,
            "kind": small["y"].get_kind_display(),
            "assessed": False,
            "submitted_on": None,
        }
    ]
    not_submitted = [g for g in projection["gaps_added"] if g["code"] == "member-not-submitted"]
    assert [g["organisations"] for g in not_submitted] == [[small["y"].name]]


def test_consent_is_the_added_organisations_own(small, council_b):
    """Another organisation's consent (a member's, or Brambleton's) does not count."""
    ProjectionConsent.objects.create(organisation=small["bexley"])
    ProjectionConsent.objects.create(organisation=council_b.organisation)

    projection = project(fresh(small["round"]), add=[small["x"].pk])

    assert projection["withheld"] == [small["x"].name]
    assert set(projection["projected"]) == {"verdict", "gap_counts", "members"}


# ---------------------------------------------------------------- funding shares


def test_funding_shares_are_rescaled_to_the_remaining_members(council_a, framework):
    """Shares 35, 25, 20, 12.5 and 7.5. Removing the 20: the remaining 80 are scaled to
    100, so 35 -> 43.75, 25 -> 31.25, 12.5 -> 15.625 and 7.5 -> 9.375 (to two places)."""
    partnership, round_ = council_a.partnership, council_a.round
    others = [add_partner(partnership, name) for name in ("Bexley", "Cray", "Dart", "Eden")]
    members = [council_a.organisation, *others]
    formula = sign_funding(partnership, members[:2])
    share(partnership, zip(members, ["35", "25", "20", "12.5", "7.5"], strict=True), formula)
    removed = others[1]  # Cray, 20%
    newcomer = OrganisationFactory(name="Newcomer Council")

    projection = project(fresh(round_), add=[newcomer.pk], remove=[removed.pk])
    rows = {row["name"]: row for row in projection["funding"]["rows"]}

    assert projection["funding"]["version"] == formula.version
    assert set(rows) == {m.name for m in members} | {newcomer.name}
    remaining = [rows[m.name] for m in members if m != removed]
    total = sum(row["projected"] for row in remaining)
    assert abs(total - Decimal(100)) <= Decimal("0.05")
    assert rows[council_a.organisation.name]["projected"] == Decimal("43.75")
    assert rows["Bexley"]["projected"] == Decimal("31.25")
    assert all(row["change"] == "" for row in remaining)
    assert [r["today"] for r in remaining] == [Decimal(p) for p in ("35", "25", "12.5", "7.5")]
    assert rows["Cray"] == {
        "name": "Cray",
        "today": Decimal("20"),
        "projected": None,
        "change": "removed",
    }
    assert rows[newcomer.name] == {
        "name": newcomer.name,
        "today": None,
        "projected": None,
        "change": "added",
    }
    # Nothing was saved.
    assert FundingShare.objects.filter(formula=formula).count() == 5
    assert sorted(FundingShare.objects.values_list("percentage", flat=True)) == sorted(
        Decimal(p) for p in ("35", "25", "20", "12.5", "7.5")
    )


def test_no_formula_means_no_funding_rows(council_a):
    newcomer = OrganisationFactory()
    assert project(fresh(council_a.round), add=[newcomer.pk])["funding"] is None


# ---------------------------------------------------------------- which assessment


def test_the_latest_submitted_assessment_elsewhere_is_used(council_a, framework):
    """X submitted at level 3 ten days ago and at level 1 a hundred days ago (the older
    one made last, so the order is by date, not by id), and has a later draft at 0.
    Avonford is at 4 everywhere, so X is the weakest on every dimension: at 3, not 1."""
    assess(council_a.round, council_a.organisation, level=4)
    x = OrganisationFactory(name="Xenia Council")
    ProjectionConsent.objects.create(organisation=x)
    newer = assess(other_partnership_round(framework, x), x, level=3, submitted_days_ago=10)
    assess(other_partnership_round(framework, x), x, level=1, submitted_days_ago=100)
    assess(other_partnership_round(framework, x), x, level=0, status="draft")

    projection = project(fresh(council_a.round), add=[x.pk])

    assert projection["added"][0]["assessed"] is True
    assert projection["added"][0]["submitted_on"] == (
        timezone.localdate(newer.submitted_at).isoformat()
    )
    summary = projection["projected"]["dimension_summary"]
    assert {(d["weakest"], d["score"]) for d in summary} == {(x.name, 3.0)}
    assert projection["projected"]["overall"]["score"] == 3.0


def test_a_draft_elsewhere_counts_as_not_assessed(council_a, framework):
    assess(council_a.round, council_a.organisation, level=4)
    x = OrganisationFactory(name="Xenia Council")
    ProjectionConsent.objects.create(organisation=x)
    assess(other_partnership_round(framework, x), x, level=0, status="draft")

    projection = project(fresh(council_a.round), add=[x.pk])

    assert projection["added"][0]["assessed"] is False
    assert projection["added"][0]["submitted_on"] is None
    assert projection["withheld"] == []
    assert {d["weakest"] for d in projection["projected"]["dimension_summary"]} == {
        council_a.organisation.name
    }
    missing = [g for g in projection["projected"]["gaps"] if g["code"] == "member-not-submitted"]
    assert [g["organisations"] for g in missing] == [[x.name]]


def test_an_assessment_in_the_same_partnerships_earlier_round_is_not_used(council_a, framework):
    """A former member's submission in the partnership's own closed round is history,
    not an assessment elsewhere."""
    today = timezone.localdate()
    council_a.partnership.memberships.update(joined_on=today - timedelta(days=500))
    assess(council_a.round, council_a.organisation, level=4)
    earlier = RoundFactory(
        partnership=council_a.partnership,
        framework=framework,
        name="2025 review",
        status="closed",
        opens_on=today - timedelta(days=400),
        closes_on=today - timedelta(days=300),
    )
    former = add_partner(council_a.partnership, "Former Council", joined_days_ago=500)
    assess(earlier, former, level=1, submitted_days_ago=350)
    Membership.objects.filter(organisation=former).update(left_on=today - timedelta(days=200))
    ProjectionConsent.objects.create(organisation=former)

    projection = project(fresh(council_a.round), add=[former.pk])

    assert projection["added"][0]["name"] == "Former Council"
    assert projection["added"][0]["assessed"] is False
    assert former.name not in {d["weakest"] for d in projection["projected"]["dimension_summary"]}


# ---------------------------------------------------------------- candidates


def test_a_current_member_cannot_be_added(council_a):
    assess(council_a.round, council_a.organisation, level=4)
    bexley = add_partner(council_a.partnership, "Bexley Vale Council")
    assess(council_a.round, bexley, level=1)

    projection = project(fresh(council_a.round), add=[bexley.pk, council_a.organisation.pk])

    assert projection["added"] == []
    assert projection["projected"]["members"] == projection["today"]["members"] == 2
    assert projection["gaps_added"] == [] and projection["gaps_removed"] == []
    assert (
        projection["projected"]["dimension_summary"] == (projection["today"]["dimension_summary"])
    )


def test_find_candidates_matches_name_parts_and_gss_codes_of_non_members_only(
    council_a, council_b, framework
):
    add_partner(council_a.partnership, "Bexley Vale Council")  # a member: never offered
    vale = OrganisationFactory(name="Vale of White Horse District Council", gss_code="E07000180")
    OrganisationFactory(name="Cherwell District Council", gss_code="E07000177")
    assess(other_partnership_round(framework, vale), vale, level=2)
    former = add_partner(council_a.partnership, "Old Vale Trust")
    Membership.objects.filter(organisation=former).update(left_on=timezone.localdate())
    round_ = fresh(council_a.round)

    by_name = find_candidates(round_, "  vAlE ")
    assert [c["name"] for c in by_name] == ["Old Vale Trust", vale.name]
    assert by_name[1] == {
        "id": vale.pk,
        "name": vale.name,
        "kind": vale.get_kind_display(),
        "gss_code": "E07000180",
        "assessed": True,
    }
    assert by_name[0]["assessed"] is False
    assert [c["id"] for c in find_candidates(round_, "e07000180")] == [vale.pk]
    assert find_candidates(round_, "E0700018") == []  # a code matches whole, not in part
    assert find_candidates(round_, "Avonford") == []  # the lead partner itself
    assert [c["name"] for c in find_candidates(round_, "Brambleton")] == ["Brambleton Council"]
    assert find_candidates(round_, "   ") == []
    assert [c["name"] for c in find_candidates(round_, "vale", exclude=[vale.pk])] == [
        "Old Vale Trust"
    ]


def test_candidates_by_id_drops_members(council_a):
    member = add_partner(council_a.partnership, "Bexley Vale Council")
    outsider = OrganisationFactory(name="Outsider Council")

    chosen = candidates_by_id(fresh(council_a.round), [member.pk, outsider.pk, 999999])

    assert [c["id"] for c in chosen] == [outsider.pk]


# ---------------------------------------------------------------- query count


@pytest.mark.parametrize(("members", "candidates"), [(3, 1), (10, 5)])
def test_project_makes_nine_queries_whatever_the_size(
    council_a, framework, members, candidates, django_assert_num_queries
):
    partnership, round_ = council_a.partnership, council_a.round
    organisations = [council_a.organisation]
    assess(round_, council_a.organisation, level=3)
    for n in range(members - 1):
        organisation = add_partner(partnership, f"Partner {n:02d}")
        assess(round_, organisation, level=n % 5, status="draft" if n % 3 == 2 else "submitted")
        organisations.append(organisation)
    formula = sign_funding(partnership, organisations[: members // 2])
    each = (Decimal(100) / members).quantize(Decimal("0.01"))
    share(partnership, [(o, each) for o in organisations], formula)
    added = []
    for n in range(candidates):
        organisation = OrganisationFactory(name=f"Candidate {n:02d}")
        if n % 2 == 0:
            assess(other_partnership_round(framework, organisation), organisation, level=2)
            ProjectionConsent.objects.create(organisation=organisation)
        added.append(organisation.pk)
    round_ = fresh(round_)

    # memberships, questions, this round's assessments, the organisations to add (with
    # their consent), their latest assessments elsewhere, the levels of both, the
    # formula, its sign-offs and its shares
    with django_assert_num_queries(9):
        projection = project(round_, add=added, remove=[organisations[-1].pk])

    assert projection["today"]["members"] == members
    assert projection["projected"]["members"] == members - 1 + candidates
    assert len(projection["added"]) == candidates
