"""The access predicates, and the services and admin that rely on them: each refusal
in a service is a PermissionDenied, whoever calls it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from assessments.access import (
    answers_editable,
    can_change_answers,
    can_reopen,
    can_start_assessment,
)
from assessments.capture.services import (
    AnswerInput,
    reopen_assessment,
    save_dimension,
    start_assessment,
    submit_assessment,
)
from assessments.models import Answer, Dimension
from assessments.rounds import close_rounds
from partnerships.services import end_memberships

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(council_a):
    return start_assessment(
        round=council_a.round, organisation=council_a.organisation, user=council_a.ict_manager
    )


def test_only_a_member_organisations_ict_manager_may_start_and_change_answers(
    council_a, council_b, administrator, draft
):
    assert can_start_assessment(council_a.ict_manager, council_a.round)
    assert not can_start_assessment(council_a.executive, council_a.round)
    assert not can_start_assessment(council_b.ict_manager, council_a.round)
    assert not can_start_assessment(administrator, council_a.round)
    assert can_change_answers(council_a.ict_manager, draft)
    assert answers_editable(council_a.ict_manager, draft)
    for user in (council_a.executive, council_b.ict_manager, administrator):
        assert not can_change_answers(user, draft)
    assert can_reopen(administrator, draft)
    assert not can_reopen(council_a.ict_manager, draft)


def test_the_services_refuse_the_wrong_people_with_permission_denied(council_a, council_b, draft):
    governance = Dimension.objects.get(framework=council_a.round.framework, code="governance")
    answer = Answer.objects.filter(assessment=draft, question__dimension=governance).first()
    entry = AnswerInput(answer.question_id, 3, "", "", answer.version)
    with pytest.raises(PermissionDenied):
        start_assessment(
            round=council_b.round, organisation=council_b.organisation, user=council_a.ict_manager
        )
    with pytest.raises(PermissionDenied):
        save_dimension(
            assessment=draft, dimension=governance, user=council_a.executive, answers=[entry]
        )
    with pytest.raises(PermissionDenied):
        submit_assessment(assessment=draft, user=council_b.ict_manager)
    with pytest.raises(PermissionDenied):
        reopen_assessment(assessment=draft, user=council_a.ict_manager, reason="Typo")
    with pytest.raises(PermissionDenied):
        close_rounds(rounds=[council_a.round], user=council_a.executive)
    with pytest.raises(PermissionDenied):
        end_memberships(
            memberships=list(council_a.partnership.memberships.all()), user=council_a.executive
        )
    answer.refresh_from_db()
    assert answer.level is None
    assert council_a.round.is_open


def test_the_admin_cannot_change_a_draft_answer_either(client, administrator, draft):
    answer = draft.answers.first()
    client.force_login(administrator)
    page = client.get(reverse("admin:assessments_assessment_change", args=[draft.pk]))
    assert page.status_code == 200
    assert 'name="answers-0-level"' not in page.text
    assert 'name="round"' not in page.text
    response = client.post(
        reverse("admin:assessments_answer_change", args=[answer.pk]),
        {"assessment": draft.pk, "question": answer.question_id, "level": 0},
    )
    assert response.status_code == 403
    answer.refresh_from_db()
    assert answer.level is None and answer.version == 1


def test_protected_rows_offer_no_bulk_delete_and_no_delete_while_in_use(
    client, administrator, council_a
):
    client.force_login(administrator)
    listing = client.get(reverse("admin:partnerships_organisation_changelist"))
    assert "delete_selected" not in listing.text
    delete = reverse("admin:partnerships_organisation_delete", args=[council_a.organisation.pk])
    assert client.get(delete).status_code == 403
