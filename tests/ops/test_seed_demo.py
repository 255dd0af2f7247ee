import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments.insights.benchmark import read
from assessments.insights.projection import project
from assessments.models import Answer, Assessment, AssessmentStatus, Framework, Round
from ops.demo import (
    CURRENT_ROUND,
    DEMO_PASSWORD,
    NEIGHBOURS_NAME,
    PARTNERSHIP_NAME,
    PREVIOUS_ROUND,
)
from partnerships.models import (
    FundingFormula,
    FundingSignOff,
    Membership,
    Organisation,
    Partnership,
    User,
)

pytestmark = pytest.mark.django_db

MODELS = [
    Framework,
    Partnership,
    Organisation,
    Membership,
    User,
    Round,
    Assessment,
    Answer,
    FundingFormula,
    FundingSignOff,
]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def snapshot():
    """Every demo row's values, dates included."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


def test_seeding_twice_gives_the_same_data():
    call_command("seed_demo")
    first = counts()
    rows = snapshot()
    call_command("seed_demo")
    assert counts() == first
    assert snapshot() == rows
    assert first["Membership"] == 5 + 2  # the demo partnership and its neighbours
    assert first["User"] == 16


def test_the_demo_partnership_tells_the_story_the_reports_need():
    call_command("seed_demo")
    partnership = Partnership.objects.get(name=PARTNERSHIP_NAME)
    current = Round.objects.get(partnership=partnership, name=CURRENT_ROUND)
    assert current.is_open
    kinds = set(partnership.memberships.values_list("organisation__kind", flat=True))
    assert len(kinds) == 5

    by_org = {a.organisation.name: a for a in current.assessments.select_related("organisation")}
    # One partner has not submitted, one has not started at all.
    assert by_org["Isis Valley Community Health NHS Trust"].status == AssessmentStatus.DRAFT
    assert "Oxfordshire Voluntary Action Network" not in by_org
    # One partner lacks citizen identity management (below its gate).
    citizen = Answer.objects.get(
        assessment=by_org["Cherwell District Council"],
        question__code="identity-management.citizen-identity",
    )
    assert citizen.level < citizen.question.gate_level
    # One complete and strong partner.
    strong = by_org["Oxfordshire County Council"]
    assert strong.status == AssessmentStatus.SUBMITTED
    assert not strong.answers.filter(level__isnull=True).exists()
    assert min(strong.answers.values_list("level", flat=True)) >= 3
    # The funding formula is signed by some members' executives, not all.
    formula = partnership.funding_formulas.get()
    assert 0 < formula.sign_offs.count() < partnership.memberships.count()


def test_demo_users_sign_in_with_the_documented_password(client):
    call_command("seed_demo")
    for username in ["admin", "cherwell-ict", "cherwell-exec"]:
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)


def test_demo_users_have_peoples_names_and_job_titles():
    call_command("seed_demo")
    users = list(User.objects.all())
    # The administrator, the coordinator, two per partner of the two partnerships.
    assert len(users) == 16
    for user in users:
        assert user.first_name and user.last_name, user.username
        assert "demo" not in user.get_full_name().casefold(), user.username
        assert user.job_title, user.username
    assert len({user.get_full_name() for user in users}) == 16


def test_every_sign_off_is_dated_after_the_formula_version_it_signs():
    call_command("seed_demo")
    sign_offs = list(FundingSignOff.objects.select_related("formula"))
    assert sign_offs
    for sign_off in sign_offs:
        assert sign_off.signed_at >= sign_off.formula.created_at
        assert sign_off.signed_at <= timezone.now()
        assert sign_off.signer_name == sign_off.signed_by.get_full_name()


def test_every_demo_round_has_a_closing_date_and_the_open_one_closes_in_the_future():
    call_command("seed_demo")
    today = timezone.localdate()
    rounds = {r.name: r for r in Round.objects.filter(partnership__name=PARTNERSHIP_NAME)}
    assert set(rounds) == {CURRENT_ROUND, PREVIOUS_ROUND}
    for round_ in rounds.values():
        assert round_.closes_on is not None, round_.name
        assert round_.opens_on <= round_.closes_on
    current, previous = rounds[CURRENT_ROUND], rounds[PREVIOUS_ROUND]
    assert current.is_open and current.opens_on <= today < current.closes_on
    assert not previous.is_open and previous.closes_on < current.opens_on
    # Assessments were started and submitted while their round was open.
    for assessment in Assessment.objects.select_related("round"):
        round_ = assessment.round
        assert round_.opens_on <= timezone.localdate(assessment.created_at) <= round_.closes_on
        if assessment.submitted_at:
            submitted_on = timezone.localdate(assessment.submitted_at)
            assert assessment.created_at <= assessment.submitted_at
            assert round_.opens_on <= submitted_on <= round_.closes_on


def test_the_neighbours_lead_executive_sees_adding_cherwell_sink_the_verdict():
    """The done-when of the membership projection, on the demo data: adding a district
    council changes the verdict and the gaps, nothing is saved, and Cherwell (which has
    not allowed it) shows no scores; the demo has too few peers for a benchmark."""
    call_command("seed_demo")
    neighbours = Partnership.objects.get(name=NEIGHBOURS_NAME)
    round_ = Round.objects.get(partnership=neighbours, name=CURRENT_ROUND)
    cherwell = Organisation.objects.get(name="Cherwell District Council")
    before = counts()

    projection = project(round_, add=[cherwell.pk])

    assert projection["today"]["verdict"]["label"] == "Ready with conditions"
    assert projection["projected"]["verdict"]["label"] == "Not ready"
    assert projection["projected"]["gap_counts"]["critical"] > 0
    assert projection["today"]["gap_counts"]["critical"] == 0
    assert projection["withheld"] == ["Cherwell District Council"]
    assert "dimension_summary" not in projection["projected"]
    assert counts() == before
    # 7 organisations in 2 partnerships: no comparison group reaches 5 from 3.
    stored = read(round_.framework_id)
    assert stored["organisation_groups"] and not any(
        group["shown"] for group in stored["organisation_groups"].values()
    )
