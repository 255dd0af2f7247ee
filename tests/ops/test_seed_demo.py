import pytest
from django.core.management import call_command

from assessments.models import Answer, Assessment, AssessmentStatus, Framework, Round
from ops.demo import CURRENT_ROUND, DEMO_PASSWORD, PARTNERSHIP_NAME
from partnerships.models import FundingSignOff, Membership, Organisation, Partnership, User

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
    FundingSignOff,
]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seeding_twice_gives_the_same_data():
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    assert first["Membership"] == 5
    assert first["User"] == 11


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
