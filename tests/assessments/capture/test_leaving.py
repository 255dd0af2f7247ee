"""An organisation that has left a partnership can no longer change its open
assessment there; the page says when it left. Its submitted assessments stay."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.capture.services import (
    AnswerInput,
    MemberHasLeft,
    save_dimension,
    start_assessment,
    submit_assessment,
)
from assessments.models import Answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def left(council_a):
    draft = start_assessment(
        round=council_a.round, organisation=council_a.organisation, user=council_a.ict_manager
    )
    membership = council_a.partnership.memberships.get()
    membership.joined_on = timezone.localdate() - timedelta(days=30)
    membership.left_on = timezone.localdate()
    membership.save()
    return draft


def test_the_pages_say_when_it_left_and_offer_no_changes(client, council_a, left):
    client.force_login(council_a.ict_manager)
    tasks = client.get(reverse("assessments:tasks", args=[left.pk]))
    today = timezone.localdate().strftime("%-d %B %Y").lstrip("0")
    assert f"left Avonford Council partnership on {today}" in tasks.text
    assert "Check your answers" not in tasks.text
    page = client.get(reverse("assessments:dimension", args=[left.pk, "governance"]))
    assert page.status_code == 200 and 'name="action"' not in page.text


def test_saving_and_submitting_are_refused_with_a_page_and_change_nothing(client, council_a, left):
    client.force_login(council_a.ict_manager)
    answer = Answer.objects.filter(assessment=left, question__dimension__code="governance")[0]
    data = {
        "action": "draft",
        f"level_{answer.question_id}": "3",
        f"evidence_{answer.question_id}": "",
        f"comment_{answer.question_id}": "",
        f"version_{answer.question_id}": "1",
    }
    saved = client.post(reverse("assessments:dimension", args=[left.pk, "governance"]), data)
    assert saved.status_code == 409
    assert "left Avonford Council partnership on" in saved.text
    submitted = client.post(reverse("assessments:check", args=[left.pk]))
    assert submitted.status_code == 409
    answer.refresh_from_db()
    left.refresh_from_db()
    assert answer.level is None and not left.is_submitted


def test_the_services_refuse_too(council_a, left):
    governance = left.round.framework.dimensions.get(code="governance")
    answer = Answer.objects.filter(assessment=left, question__dimension=governance)[0]
    with pytest.raises(MemberHasLeft):
        save_dimension(
            assessment=left,
            dimension=governance,
            user=council_a.ict_manager,
            answers=[AnswerInput(answer.question_id, 2, "", "", answer.version)],
        )
    with pytest.raises(MemberHasLeft):
        submit_assessment(assessment=left, user=council_a.ict_manager)


def test_a_member_leaving_next_month_can_still_change_it(client, council_a):
    draft = start_assessment(
        round=council_a.round, organisation=council_a.organisation, user=council_a.ict_manager
    )
    council_a.partnership.memberships.update(left_on=timezone.localdate() + timedelta(days=30))
    client.force_login(council_a.ict_manager)
    tasks = client.get(reverse("assessments:tasks", args=[draft.pk]))
    assert "Check your answers" in tasks.text
