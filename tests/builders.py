"""Builders for report tests: partners with submitted answers at chosen levels."""

from datetime import timedelta

from django.utils import timezone

from assessments.models import Answer, Assessment, AssessmentStatus, Question
from partnerships.models import MembershipRole, Role
from tests.factories import (
    FundingFormulaFactory,
    FundingSignOffFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)


def add_partner(partnership, name, *, joined_days_ago=400, lead=False):
    organisation = OrganisationFactory(name=name)
    MembershipFactory(
        partnership=partnership,
        organisation=organisation,
        role=MembershipRole.LEAD if lead else MembershipRole.MEMBER,
        joined_on=timezone.localdate() - timedelta(days=joined_days_ago),
    )
    return organisation


def assess(
    round_,
    organisation,
    *,
    level=3,
    levels=None,
    status="submitted",
    evidence="",
    submitted_days_ago=7,
):
    """An assessment with every statement at `level`, except those in `levels`."""
    levels = levels or {}
    submitted = status == AssessmentStatus.SUBMITTED
    assessment = Assessment.objects.create(
        round=round_,
        organisation=organisation,
        status=status,
        submitted_at=timezone.now() - timedelta(days=submitted_days_ago) if submitted else None,
    )
    Answer.objects.bulk_create(
        Answer(
            assessment=assessment,
            question=question,
            level=levels.get(question.code, level),
            evidence=evidence,
            comment=evidence,
        )
        for question in Question.objects.filter(dimension__framework_id=round_.framework_id)
    )
    return assessment


def sign_funding(partnership, organisations, version=1):
    formula = FundingFormulaFactory(partnership=partnership, version=version)
    for organisation in organisations:
        executive = UserFactory(organisation=organisation, role=Role.EXECUTIVE)
        FundingSignOffFactory(formula=formula, organisation=organisation, signed_by=executive)
    return formula
