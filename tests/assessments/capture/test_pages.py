"""Filling in, saving, checking and submitting an assessment through the pages."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from assessments.capture.services import (
    AnswerInput,
    AssessmentNotEditable,
    save_dimension,
    start_assessment,
    submit_assessment,
)
from assessments.models import Answer, AnswerChange, AssessmentReopening, AssessmentStatus
from tests.factories import AssessmentFactory, RoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(council_a):
    return start_assessment(
        round=council_a.round, organisation=council_a.organisation, user=council_a.ict_manager
    )


@pytest.fixture
def governance(draft):
    return draft.round.framework.dimensions.get(code="governance")


def dimension_url(assessment, dimension):
    return reverse("assessments:dimension", args=[assessment.pk, dimension.code])


def post_data(assessment, dimension, *, action="continue", level=3, **overrides):
    data = {"action": action}
    for answer in Answer.objects.filter(assessment=assessment, question__dimension=dimension):
        qid = answer.question_id
        data[f"level_{qid}"] = "" if level is None else str(level)
        data[f"evidence_{qid}"] = f"Evidence for {qid}"
        data[f"comment_{qid}"] = ""
        data[f"version_{qid}"] = str(answer.version)
    data.update(overrides)
    return data


def levels(assessment, dimension):
    return list(
        Answer.objects.filter(assessment=assessment, question__dimension=dimension)
        .order_by("question__position")
        .values_list("level", flat=True)
    )


def complete_all(assessment, user):
    for dimension in assessment.round.framework.dimensions.all():
        answers = Answer.objects.filter(assessment=assessment, question__dimension=dimension)
        save_dimension(
            assessment=assessment,
            dimension=dimension,
            user=user,
            answers=[AnswerInput(a.question_id, 3, "", "", a.version) for a in answers],
        )


class TestTaskList:
    def test_it_lists_nine_dimensions_with_statuses_and_progress(
        self, client, council_a, draft, governance
    ):
        save_dimension(
            assessment=draft,
            dimension=governance,
            user=council_a.ict_manager,
            answers=[
                AnswerInput(a.question_id, 2, "", "", a.version)
                for a in draft.answers.filter(question__dimension=governance)
            ],
        )
        first = draft.round.framework.dimensions.get(position=1)
        answer = draft.answers.filter(question__dimension=first).first()
        save_dimension(
            assessment=draft,
            dimension=first,
            user=council_a.ict_manager,
            answers=[AnswerInput(answer.question_id, 1, "", "", answer.version)],
        )
        client.force_login(council_a.ict_manager)
        response = client.get(reverse("assessments:tasks", args=[draft.pk]))
        progress = response.context["progress"]
        statuses = {d.dimension.code: d.status.value for d in progress.dimensions}
        assert len(statuses) == 9
        assert statuses["governance"] == "Completed"
        assert statuses["business-scope"] == "In progress"
        assert statuses["legal"] == "Not yet started"
        assert "1 of 9 dimensions completed." in response.text


class TestStart:
    def test_an_ict_manager_starts_with_no_answers(self, client, council_a):
        client.force_login(council_a.ict_manager)
        url = reverse("assessments:start", args=[council_a.round.pk])
        assert "no earlier submitted assessment" in client.get(url).text
        response = client.post(url, {"start_from": "blank"})
        assessment = council_a.organisation.assessments.get()
        assert response["Location"] == reverse("assessments:tasks", args=[assessment.pk])
        assert assessment.answers.count() == 46
        assert not assessment.answers.exclude(level=None).exists()

    def test_it_offers_and_copies_the_last_submitted_assessment(self, client, council_a, framework):
        earlier_round = RoundFactory(framework=framework, name="2025 review")
        earlier = AssessmentFactory(
            round=earlier_round, organisation=council_a.organisation, submitted=True
        )
        citizen = framework.dimensions.get(code="identity-management").questions.get(
            code="identity-management.citizen-identity"
        )
        Answer.objects.create(assessment=earlier, question=citizen, level=1, evidence="Old plan")

        client.force_login(council_a.ict_manager)
        url = reverse("assessments:start", args=[council_a.round.pk])
        page = client.get(url).text
        assert "Copy the answers from our assessment for 2025 review" in page
        client.post(url, {"start_from": "copy"})

        assessment = council_a.organisation.assessments.get(round=council_a.round)
        copied = assessment.answers.get(question=citizen)
        assert (copied.level, copied.evidence, copied.copied) == (1, "Old plan", True)
        assert assessment.answers.filter(copied=True).count() == 1
        tasks = client.get(reverse("assessments:tasks", args=[assessment.pk]))
        identity = next(
            d
            for d in tasks.context["progress"].dimensions
            if d.dimension.code == "identity-management"
        )
        assert identity.status.value == "In progress"

    def test_choosing_nothing_gets_a_message(self, client, council_a, framework):
        AssessmentFactory(
            round=RoundFactory(framework=framework),
            organisation=council_a.organisation,
            submitted=True,
        )
        client.force_login(council_a.ict_manager)
        response = client.post(reverse("assessments:start", args=[council_a.round.pk]), {})
        assert "Select how you want to start the assessment" in response.text
        assert not council_a.organisation.assessments.filter(round=council_a.round).exists()

    def test_a_closed_round_cannot_be_started(self, client, council_a):
        council_a.round.status = "closed"
        council_a.round.save()
        client.force_login(council_a.ict_manager)
        response = client.post(
            reverse("assessments:start", args=[council_a.round.pk]), {"start_from": "blank"}
        )
        assert response.status_code == 409
        assert "is closed" in response.text
        assert not council_a.organisation.assessments.exists()


class TestDimensionPage:
    def test_it_shows_statements_guidance_levels_and_limits(
        self, client, council_a, draft, governance
    ):
        client.force_login(council_a.ict_manager)
        response = client.get(dimension_url(draft, governance))
        question = governance.questions.get(code="governance.funding-formula")
        html = response.text
        # Text from the framework file is escaped, never markup.
        assert escape(question.statement) in html
        assert escape(question.guidance) in html
        assert escape(question.level_descriptors[4]) in html
        assert "4 – Embedded" in html
        assert "You can enter up to 5,000 characters" in html
        assert "Save and continue" in html and "Save as draft" in html
        # No maxlength attribute on the textareas, so nothing is cut off silently.
        assert not re.search(r"<textarea[^>]*\smaxlength=", html)

    def test_save_and_continue_saves_and_goes_to_the_next_dimension(
        self, client, council_a, draft, governance
    ):
        client.force_login(council_a.ict_manager)
        response = client.post(dimension_url(draft, governance), post_data(draft, governance))
        assert response["Location"] == reverse("assessments:dimension", args=[draft.pk, "legal"])
        assert set(levels(draft, governance)) == {3}
        assert AnswerChange.objects.filter(answer__assessment=draft).count() == 6

    def test_the_last_dimension_continues_to_check_answers(self, client, council_a, draft):
        last = draft.round.framework.dimensions.get(position=9)
        client.force_login(council_a.ict_manager)
        response = client.post(dimension_url(draft, last), post_data(draft, last))
        assert response["Location"] == reverse("assessments:check", args=[draft.pk])

    def test_a_draft_may_leave_statements_unanswered(self, client, council_a, draft, governance):
        client.force_login(council_a.ict_manager)
        data = post_data(draft, governance, action="draft", level=None)
        first = governance.questions.first()
        data[f"level_{first.pk}"] = "2"
        response = client.post(dimension_url(draft, governance), data)
        assert response["Location"] == reverse("assessments:tasks", args=[draft.pk])
        assert levels(draft, governance) == [2, None, None, None, None, None]

    def test_continue_with_a_missing_level_shows_the_error_summary_and_saves_nothing(
        self, client, council_a, draft, governance
    ):
        client.force_login(council_a.ict_manager)
        first = governance.questions.first()
        data = post_data(draft, governance, **{f"level_{first.pk}": ""})
        response = client.post(dimension_url(draft, governance), data)
        assert response.status_code == 200
        assert 'class="govuk-error-summary"' in response.text
        assert "Select a level from 0 to 4 for “The partnership has a joint" in response.text
        assert f'href="#id_level_{first.pk}_1"' in response.text
        assert response.context["form"].errors
        assert set(levels(draft, governance)) == {None}

    @pytest.mark.parametrize("bad_level", ["-1", "5", "abc", "3.5", "04 "])
    def test_an_impossible_level_is_refused_plainly(
        self, client, council_a, draft, governance, bad_level
    ):
        client.force_login(council_a.ict_manager)
        first = governance.questions.first()
        data = post_data(draft, governance, **{f"level_{first.pk}": bad_level})
        response = client.post(dimension_url(draft, governance), data)
        assert response.status_code == 200
        assert "Select a level from 0 to 4 for" in response.text
        assert set(levels(draft, governance)) == {None}

    def test_evidence_over_the_limit_is_refused(self, client, council_a, draft, governance):
        client.force_login(council_a.ict_manager)
        first = governance.questions.first()
        data = post_data(draft, governance, **{f"evidence_{first.pk}": "x" * 5001})
        response = client.post(dimension_url(draft, governance), data)
        assert "must be 5,000 characters or fewer" in response.text
        assert set(levels(draft, governance)) == {None}

    def test_evidence_at_the_limit_is_kept_whole(self, client, council_a, draft, governance):
        client.force_login(council_a.ict_manager)
        first = governance.questions.first()
        evidence = "é" * 4999 + "\n"
        data = post_data(draft, governance, **{f"evidence_{first.pk}": evidence})
        client.post(dimension_url(draft, governance), data)
        assert draft.answers.get(question=first).evidence == evidence

    def test_a_statement_from_another_dimension_or_framework_is_refused(
        self, client, council_a, draft, governance
    ):
        legal = draft.round.framework.dimensions.get(code="legal").questions.first()
        client.force_login(council_a.ict_manager)
        data = post_data(draft, governance, **{f"level_{legal.pk}": "4"})
        data[f"version_{legal.pk}"] = "1"
        response = client.post(dimension_url(draft, governance), data)
        assert "included a statement that is not on this page" in response.text
        assert set(levels(draft, governance)) == {None}
        assert draft.answers.get(question=legal).level is None

    def test_a_dimension_of_another_framework_version_is_not_found(self, client, council_a, draft):
        client.force_login(council_a.ict_manager)
        response = client.get(reverse("assessments:dimension", args=[draft.pk, "no-such-thing"]))
        assert response.status_code == 404

    def test_a_missing_version_field_is_refused_with_a_reload_message(
        self, client, council_a, draft, governance
    ):
        client.force_login(council_a.ict_manager)
        first = governance.questions.first()
        data = post_data(draft, governance)
        del data[f"version_{first.pk}"]
        response = client.post(dimension_url(draft, governance), data)
        assert "reload the page, then enter your answers again" in response.text
        assert set(levels(draft, governance)) == {None}

    def test_a_stale_version_shows_both_answers_and_saves_nothing(
        self, client, council_a, draft, governance
    ):
        client.force_login(council_a.ict_manager)
        first = governance.questions.first()
        stale = post_data(draft, governance, level=1)
        # A colleague saves first.
        colleague = post_data(draft, governance, level=4)
        colleague[f"evidence_{first.pk}"] = "Colleague's evidence"
        client.post(dimension_url(draft, governance), colleague)

        response = client.post(dimension_url(draft, governance), stale)
        assert response.status_code == 409
        assert "Someone else saved changes to this dimension" in response.text
        assert "Colleague&#x27;s evidence" in response.text  # the saved answer
        assert f"Evidence for {first.pk}" in response.text  # the user's own input, kept
        assert set(levels(draft, governance)) == {4}
        # Saving the reconciled page again, on purpose, now succeeds.
        form = response.context["form"]
        assert form.data[f"version_{first.pk}"] == "2"
        again = client.post(dimension_url(draft, governance), form.data)
        assert again.status_code == 302
        assert set(levels(draft, governance)) == {1}

    def test_the_history_page_lists_who_changed_what(self, client, council_a, draft, governance):
        client.force_login(council_a.ict_manager)
        client.post(dimension_url(draft, governance), post_data(draft, governance, level=2))
        client.post(dimension_url(draft, governance), post_data(draft, governance, level=3))
        response = client.get(reverse("assessments:history", args=[draft.pk, "governance"]))
        changes = response.context["changes"]
        assert len(changes) == 12
        assert (changes[0].old_level, changes[0].new_level) == (2, 3)
        assert changes[0].changed_by == council_a.ict_manager
        assert "2 to 3" in response.text
        assert "Not answered to 2" in response.text


class TestCheckAndSubmit:
    def test_check_answers_lists_every_dimension_with_change_links(self, client, council_a, draft):
        client.force_login(council_a.ict_manager)
        response = client.get(reverse("assessments:check", args=[draft.pk]))
        assert len(response.context["sections"]) == 9
        assert response.text.count(">Change<span") == 9 + 46
        assert "46 statements still to answer" in response.text

    def test_submitting_an_incomplete_assessment_says_what_is_missing(
        self, client, council_a, draft, governance
    ):
        complete_all(draft, council_a.ict_manager)
        first = governance.questions.first()
        answer = draft.answers.get(question=first)
        save_dimension(
            assessment=draft,
            dimension=governance,
            user=council_a.ict_manager,
            answers=[AnswerInput(first.pk, None, "", "", answer.version)],
        )
        client.force_login(council_a.ict_manager)
        response = client.post(reverse("assessments:check", args=[draft.pk]))
        assert response.status_code == 200
        assert "You cannot submit yet" in response.text
        assert "Select a level from 0 to 4 for “The partnership has a joint" in response.text
        draft.refresh_from_db()
        assert draft.status == AssessmentStatus.DRAFT

    def test_copied_answers_must_be_checked_before_submitting(self, client, council_a, draft):
        complete_all(draft, council_a.ict_manager)
        draft.answers.filter(question__dimension__code="legal").update(copied=True)
        client.force_login(council_a.ict_manager)
        response = client.post(reverse("assessments:check", args=[draft.pk]))
        assert "Check and save the answers copied into Legal issues" in response.text
        draft.refresh_from_db()
        assert not draft.is_submitted

    def test_a_complete_assessment_is_submitted_and_confirmed(self, client, council_a, draft):
        complete_all(draft, council_a.ict_manager)
        client.force_login(council_a.ict_manager)
        response = client.post(reverse("assessments:check", args=[draft.pk]))
        assert response["Location"] == reverse("assessments:submitted", args=[draft.pk])
        draft.refresh_from_db()
        assert draft.is_submitted and draft.submitted_by == council_a.ict_manager
        confirmation = client.get(response["Location"])
        assert "Assessment submitted" in confirmation.text
        assert "govuk-panel--confirmation" in confirmation.text

    def test_a_submitted_assessment_is_read_only_in_every_view(
        self, client, council_a, draft, governance
    ):
        complete_all(draft, council_a.ict_manager)
        submit_assessment(assessment=draft, user=council_a.ict_manager)
        before = levels(draft, governance)
        client.force_login(council_a.ict_manager)

        page = client.get(dimension_url(draft, governance))
        assert "Save and continue" not in page.text
        assert 'type="radio"' not in page.text
        response = client.post(
            dimension_url(draft, governance), post_data(draft, governance, level=0)
        )
        assert response.status_code == 409
        assert "This assessment can no longer be changed" in response.text
        assert client.post(reverse("assessments:check", args=[draft.pk])).status_code == 409
        assert levels(draft, governance) == before

    def test_the_service_refuses_changes_to_a_submitted_assessment(
        self, council_a, draft, governance
    ):
        complete_all(draft, council_a.ict_manager)
        submit_assessment(assessment=draft, user=council_a.ict_manager)
        answer = draft.answers.filter(question__dimension=governance).first()
        with pytest.raises(AssessmentNotEditable):
            save_dimension(
                assessment=draft,
                dimension=governance,
                user=council_a.ict_manager,
                answers=[AnswerInput(answer.question_id, 0, "", "", answer.version)],
            )
        with pytest.raises(AssessmentNotEditable):
            submit_assessment(assessment=draft, user=council_a.ict_manager)
        answer.refresh_from_db()
        assert answer.level == 3


class TestReopen:
    def test_an_administrator_reopens_with_a_recorded_reason(
        self, client, council_a, draft, administrator
    ):
        complete_all(draft, council_a.ict_manager)
        submit_assessment(assessment=draft, user=council_a.ict_manager)
        client.force_login(administrator)
        url = reverse("assessments:reopen", args=[draft.pk])
        empty = client.post(url, {"reason": "  "})
        assert "Enter why the assessment needs to be reopened" in empty.text
        draft.refresh_from_db()
        assert draft.is_submitted

        response = client.post(url, {"reason": "Wrong level entered for federation"})
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.status == AssessmentStatus.DRAFT
        record = AssessmentReopening.objects.get(assessment=draft)
        assert record.reopened_by == administrator
        assert record.reason == "Wrong level entered for federation"
        assert record.previously_submitted_at is not None
