"""The pages ICT managers fill in: start, task list, one page per dimension, check
answers, submit, confirmation; plus history and an administrator's reopen."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ..access import (
    can_edit,
    get_assessment_for_user,
    get_dimension_for_assessment,
    get_round_for_user,
)
from ..forms import DimensionForm, ReopenForm, StartForm
from ..models import Answer, AnswerChange, Assessment, Dimension
from ..progress import assessment_progress
from ..services import (
    AssessmentNotEditable,
    IncompleteAssessment,
    InvalidAnswer,
    SaveConflict,
    answers_in_order,
    ensure_answer_rows,
    latest_submitted_assessment,
    missing_for_submission,
    reopen_assessment,
    save_dimension,
    start_assessment,
    submit_assessment,
)

CONFLICT = 409


def _tasks_url(assessment: Assessment) -> str:
    return reverse("assessment_tasks", args=[assessment.pk])


def _not_editable(request, assessment: Assessment):
    """A change aimed at a submitted assessment: say so, change nothing."""
    return render(
        request, "assessments/not_editable.html", {"assessment": assessment}, status=CONFLICT
    )


@login_required
@require_http_methods(["GET", "POST"])
def start(request, round_id: int):
    round_ = get_round_for_user(request.user, round_id)
    if not request.user.is_ict_manager:
        raise PermissionDenied("Only an ICT manager can start their organisation's assessment")
    organisation = request.user.organisation
    existing = Assessment.objects.filter(round=round_, organisation=organisation).first()
    if existing is not None:
        return redirect(_tasks_url(existing))
    if not round_.is_open:
        return render(request, "assessments/round_closed.html", {"round": round_}, status=CONFLICT)
    previous = latest_submitted_assessment(organisation, exclude_round=round_)
    form = StartForm(request.POST if request.method == "POST" else None, previous=previous)
    if request.method == "POST" and form.is_valid():
        copy = form.cleaned_data["start_from"] == "copy"
        assessment = start_assessment(
            round=round_,
            organisation=organisation,
            user=request.user,
            copy_from=previous if copy else None,
        )
        if copy:
            messages.success(
                request,
                "Answers copied from your last assessment. Check and save each dimension.",
            )
        return redirect(_tasks_url(assessment))
    return render(
        request,
        "assessments/start.html",
        {"round": round_, "form": form, "previous": previous},
    )


@login_required
def tasks(request, pk: int):
    assessment = get_assessment_for_user(request.user, pk)
    return render(
        request,
        "assessments/task_list.html",
        {
            "assessment": assessment,
            "progress": assessment_progress(assessment),
            "editable": can_edit(request.user, assessment) and not assessment.is_submitted,
        },
    )


def _answers(assessment: Assessment, dimension: Dimension) -> dict:
    rows = Answer.objects.filter(assessment=assessment, question__dimension=dimension)
    return {answer.question_id: answer for answer in rows.select_related("updated_by")}


def _dimension_page(assessment: Assessment, code: str):
    """The dimension, its questions, this assessment's answers to them, and the
    framework's dimensions (for "n of 9" and the next page): four queries (two more,
    once, for an assessment whose answer rows were never created)."""
    dimension = get_dimension_for_assessment(assessment, code)
    questions = list(dimension.questions.all())
    answers = _answers(assessment, dimension)
    if len(answers) < len(questions):
        ensure_answer_rows(assessment)
        answers = _answers(assessment, dimension)
    dimensions = list(Dimension.objects.filter(framework_id=dimension.framework_id))
    return dimension, questions, answers, dimensions


@login_required
@require_http_methods(["GET", "POST"])
def dimension(request, pk: int, code: str):
    writing = request.method == "POST"
    assessment = get_assessment_for_user(request.user, pk, write=writing)
    dimension, questions, answers, dimensions = _dimension_page(assessment, code)
    editable = can_edit(request.user, assessment) and not assessment.is_submitted
    if writing and assessment.is_submitted:
        return _not_editable(request, assessment)

    context = {
        "assessment": assessment,
        "dimension": dimension,
        "questions": questions,
        "answers": answers,
        "position": dimensions.index(dimension) + 1,
        "dimension_count": len(dimensions),
        "editable": editable,
    }
    if not editable:
        context["rows"] = [(question, answers[question.pk]) for question in questions]
        return render(request, "assessments/dimension_read_only.html", context)

    finishing = request.POST.get("action") == "continue"
    form = DimensionForm(
        request.POST if writing else None,
        questions=questions,
        answers=answers,
        require_complete=finishing,
    )
    status = 200
    if writing and form.is_valid():
        try:
            save_dimension(
                assessment=assessment,
                dimension=dimension,
                user=request.user,
                answers=form.answer_inputs(),
            )
        except AssessmentNotEditable:
            return _not_editable(request, assessment)
        except InvalidAnswer:
            # The form already refuses these; reaching here means a tampered request.
            form.add_error(None, "Some answers could not be saved. Reload the page and try again")
        except SaveConflict as conflict:
            context["conflicts"] = {c.current.question_id: c for c in conflict.conflicts}
            form.with_versions(
                {c.current.question_id: c.current.version for c in conflict.conflicts}
            )
            status = CONFLICT
        else:
            if not finishing:
                messages.success(request, f"{dimension.name}: saved as a draft.")
                return redirect(_tasks_url(assessment))
            following = dimensions[context["position"] :]
            if following:
                return redirect("assessment_dimension", pk=assessment.pk, code=following[0].code)
            return redirect("assessment_check", pk=assessment.pk)
    context["form"] = form
    return render(request, "assessments/dimension.html", context, status=status)


@login_required
def history(request, pk: int, code: str):
    assessment = get_assessment_for_user(request.user, pk)
    dimension = get_dimension_for_assessment(assessment, code)
    changes = list(
        AnswerChange.objects.filter(
            answer__assessment=assessment, answer__question__dimension=dimension
        ).select_related("answer__question", "changed_by")
    )
    return render(
        request,
        "assessments/history.html",
        {"assessment": assessment, "dimension": dimension, "changes": changes},
    )


@login_required
@require_http_methods(["GET", "POST"])
def check(request, pk: int):
    writing = request.method == "POST"
    assessment = get_assessment_for_user(request.user, pk, write=writing)
    if writing:
        if assessment.is_submitted:
            return _not_editable(request, assessment)
        try:
            submit_assessment(assessment=assessment, user=request.user)
        except AssessmentNotEditable:
            return _not_editable(request, assessment)
        except IncompleteAssessment:
            pass  # the page below lists what is missing
        else:
            return redirect("assessment_submitted", pk=assessment.pk)

    if not assessment.is_submitted:
        ensure_answer_rows(assessment)
    answers = answers_in_order(assessment)
    missing, unchecked = missing_for_submission(answers)
    sections: dict = {}
    for answer in answers:
        sections.setdefault(answer.question.dimension, []).append(answer)
    return render(
        request,
        "assessments/check_answers.html",
        {
            "assessment": assessment,
            "sections": sections,
            "missing": missing,
            "unchecked": unchecked,
            "tried_to_submit": writing,
            "editable": can_edit(request.user, assessment) and not assessment.is_submitted,
        },
    )


@login_required
def submitted(request, pk: int):
    assessment = get_assessment_for_user(request.user, pk)
    if not assessment.is_submitted:
        return redirect(_tasks_url(assessment))
    return render(request, "assessments/submitted.html", {"assessment": assessment})


@login_required
@require_http_methods(["GET", "POST"])
def reopen(request, pk: int):
    assessment = get_assessment_for_user(request.user, pk)
    if not request.user.is_staff:
        raise PermissionDenied("Only an administrator can reopen a submitted assessment")
    if not assessment.is_submitted:
        messages.success(request, "This assessment is already open for changes.")
        return redirect(_tasks_url(assessment))
    form = ReopenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        reopen_assessment(
            assessment=assessment, user=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, f"{assessment.organisation.name}'s assessment is open again.")
        return redirect(_tasks_url(assessment))
    return render(request, "assessments/reopen.html", {"assessment": assessment, "form": form})
