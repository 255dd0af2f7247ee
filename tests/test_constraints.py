"""The database itself, not just forms, enforces the model's rules. These tests write
past Django's validation (raw SQL and unvalidated saves) and expect the database to
refuse. CI runs them on SQLite and on PostgreSQL."""

import pytest
from django.db import IntegrityError, connection, transaction

from assessments.models import Answer, Assessment
from partnerships.models import Membership, Organisation
from tests.factories import (
    AnswerFactory,
    AssessmentFactory,
    MembershipFactory,
    OrganisationFactory,
    RoundFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def answer(framework):
    question = framework.dimensions.first().questions.first()
    round_ = RoundFactory(framework=framework)
    return AnswerFactory(assessment=AssessmentFactory(round=round_), question=question)


def refused_by_database(sql: str, params: list) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize("level", [5, 42])
def test_the_database_rejects_an_answer_level_above_4(answer, level):
    table = Answer._meta.db_table
    assert refused_by_database(f"UPDATE {table} SET level = %s WHERE id = %s", [level, answer.pk])
    answer.refresh_from_db()
    assert answer.level == 2


def test_the_database_rejects_a_negative_answer_level(answer):
    table = Answer._meta.db_table
    assert refused_by_database(f"UPDATE {table} SET level = %s WHERE id = %s", [-1, answer.pk])


@pytest.mark.parametrize("level", [None, 0, 4])
def test_the_database_accepts_levels_0_to_4_and_not_yet_answered(answer, level):
    Answer.objects.filter(pk=answer.pk).update(level=level)
    answer.refresh_from_db()
    assert answer.level == level


def test_an_unvalidated_save_with_level_5_is_refused(answer):
    answer.level = 5
    with pytest.raises(IntegrityError), transaction.atomic():
        answer.save()


def test_the_database_rejects_a_second_answer_to_the_same_question(answer):
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(assessment=answer.assessment, question=answer.question, level=1)
    assert Answer.objects.filter(assessment=answer.assessment).count() == 1


def test_the_database_rejects_a_second_assessment_for_an_organisation_in_a_round(framework):
    first = AssessmentFactory(round=RoundFactory(framework=framework))
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(round=first.round, organisation=first.organisation)
    assert Assessment.objects.count() == 1


def test_the_same_organisation_may_be_assessed_in_different_rounds(framework):
    first = AssessmentFactory(round=RoundFactory(framework=framework))
    AssessmentFactory(round=RoundFactory(framework=framework), organisation=first.organisation)
    assert Assessment.objects.filter(organisation=first.organisation).count() == 2


def test_the_database_rejects_a_second_membership_of_a_partnership():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            partnership=membership.partnership, organisation=membership.organisation
        )
    assert Membership.objects.count() == 1


def test_the_database_rejects_a_duplicate_gss_code():
    OrganisationFactory(gss_code="E06000001")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(gss_code="E06000001")


def test_many_organisations_may_have_no_gss_code():
    OrganisationFactory(gss_code=None, name="Vale Police")
    OrganisationFactory(gss_code="", name="Downs Fire and Rescue")  # blank from a form
    assert Organisation.objects.filter(gss_code__isnull=True).count() == 2


def test_the_database_rejects_an_unknown_assessment_status(framework):
    assessment = AssessmentFactory(round=RoundFactory(framework=framework))
    table = Assessment._meta.db_table
    assert refused_by_database(
        f"UPDATE {table} SET status = %s WHERE id = %s", ["approved", assessment.pk]
    )


def test_the_database_rejects_a_submitted_assessment_without_a_date(framework):
    assessment = AssessmentFactory(round=RoundFactory(framework=framework))
    table = Assessment._meta.db_table
    assert refused_by_database(
        f"UPDATE {table} SET status = %s WHERE id = %s", ["submitted", assessment.pk]
    )
