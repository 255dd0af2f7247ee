"""Every domain exception a capture service can raise reaches the person as a clear
page, never a 500: each is driven here through its view, in the state that makes the
service raise it (a race that a stale page reproduces)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.capture import views
from assessments.capture.services import reopen_assessment, start_assessment
from assessments.models import Assessment, AssessmentReopening, RoundStatus
from tests.builders import assess

pytestmark = pytest.mark.django_db


def stale(monkeypatch, assessment):
    """The view works with the assessment as it was when the page was loaded."""
    real = views.get_assessment_for_user

    def as_loaded(user, pk, **kwargs):
        fresh = real(user, pk, **kwargs)
        fresh.status, fresh.submitted_at = assessment.status, assessment.submitted_at
        return fresh

    monkeypatch.setattr(views, "get_assessment_for_user", as_loaded)


def test_two_administrators_reopening_at_once_get_one_success_and_one_clear_answer(
    client, administrator, council_a, monkeypatch
):
    submitted = assess(council_a.round, council_a.organisation)
    loaded = Assessment.objects.get(pk=submitted.pk)  # both administrators' pages
    reopen_assessment(assessment=submitted, user=administrator, reason="First")
    stale(monkeypatch, loaded)
    client.force_login(administrator)

    response = client.post(
        reverse("assessments:reopen", args=[submitted.pk]), {"reason": "Second"}, follow=True
    )

    assert response.status_code == 200
    assert "This assessment is already open for changes." in response.text
    assert list(AssessmentReopening.objects.values_list("reason", flat=True)) == ["First"]


def test_the_reopen_service_refuses_an_assessment_that_is_already_open(administrator, council_a):
    from assessments.capture.services import AlreadyOpen

    draft = start_assessment(
        round=council_a.round, organisation=council_a.organisation, user=council_a.ict_manager
    )
    with pytest.raises(AlreadyOpen):
        reopen_assessment(assessment=draft, user=administrator, reason="Typo")
    assert not AssessmentReopening.objects.exists()


def test_a_round_that_closes_while_the_start_page_is_open_says_so(client, council_a, monkeypatch):
    client.force_login(council_a.ict_manager)
    real = views.get_round_for_user

    def closing(user, pk):
        round_ = real(user, pk)
        type(round_).objects.filter(pk=pk).update(
            status=RoundStatus.CLOSED, closes_on=timezone.localdate()
        )
        return round_  # the view still thinks it is open

    monkeypatch.setattr(views, "get_round_for_user", closing)
    response = client.post(
        reverse("assessments:start", args=[council_a.round.pk]), {"start_from": "blank"}
    )
    assert response.status_code == 409
    assert "closed" in response.text
    assert not Assessment.objects.exists()


def test_answers_that_cannot_be_copied_any_more_are_refused_with_a_message(
    client, administrator, council_a, framework, monkeypatch
):
    from tests.factories import RoundFactory

    earlier = RoundFactory(partnership=council_a.partnership, framework=framework, name="2025")
    previous = assess(earlier, council_a.organisation)
    loaded = Assessment.objects.get(pk=previous.pk)
    reopen_assessment(assessment=previous, user=administrator, reason="Wrong year")
    monkeypatch.setattr(views, "latest_submitted_assessment", lambda *a, **k: loaded)
    client.force_login(council_a.ict_manager)

    response = client.post(
        reverse("assessments:start", args=[council_a.round.pk]), {"start_from": "copy"}
    )

    assert response.status_code == 409
    assert "has just been reopened, so its answers cannot be copied" in response.text
    assert not Assessment.objects.filter(round=council_a.round).exists()
