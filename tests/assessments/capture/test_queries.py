"""The task list and a dimension page cost the same number of queries however many
earlier assessments and answers the organisation has."""

import pytest
from django.urls import reverse

from assessments.capture.services import start_assessment
from tests.factories import AnswerFactory, AssessmentFactory, RoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[1, 20], ids=["1 earlier", "20 earlier"])
def assessment(request, council_a, framework):
    questions = list(framework.dimensions.get(code="governance").questions.all())
    for _ in range(request.param):
        earlier = AssessmentFactory(
            round=RoundFactory(partnership=council_a.partnership, framework=framework),
            organisation=council_a.organisation,
            submitted=True,
        )
        for question in questions:
            AnswerFactory(assessment=earlier, question=question, level=3)
    return start_assessment(
        round=council_a.round, organisation=council_a.organisation, user=council_a.ict_manager
    )


def test_the_task_list_query_count_is_fixed(
    client, council_a, assessment, django_assert_num_queries
):
    client.force_login(council_a.ict_manager)
    # session, user (+organisation), assessment (+round, partnership, framework,
    # organisation, membership's end date, latest reopening), dimensions with statement
    # counts, answers
    with django_assert_num_queries(5):
        response = client.get(reverse("assessments:tasks", args=[assessment.pk]))
    assert response.status_code == 200


def test_a_dimension_page_query_count_is_fixed(
    client, council_a, assessment, django_assert_num_queries
):
    client.force_login(council_a.ict_manager)
    url = reverse("assessments:dimension", args=[assessment.pk, "governance"])
    # session, user (+organisation), assessment, dimension, its questions, its answers,
    # the framework's dimensions
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.status_code == 200
