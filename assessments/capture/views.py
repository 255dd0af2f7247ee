"""The pages ICT managers fill in: start, task list, one page per dimension, check
answers, submit, confirmation; plus history and an administrator's reopen."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from common.access import require

from ..access import (
    answers_editable,
    can_reopen,
    can_start_assessment,
    get_assessment_for_user,
    get_dimension_for_assessment,
    get_round_for_user,
    left_partnership_on,
)
from ..models import Assessment
from ..reporting.preview import answers_preview
from .forms import DimensionForm, ReopenForm, StartForm, short_statement
from .progress import assessment_progress
from .selectors import (
    answers_by_dimension,
    answers_by_question,
    answers_in_order,
    assessment_for_round,
    dimension_changes,
    framework_dimensions,
    latest_submitted_assessment,
    missing_for_submission,
)
from .services import (
    REOPEN_REFUSED,
    START_REFUSED,
    AlreadyOpen,
    AssessmentNotEditable,
    CopyRefused,
    IncompleteAssessment,
    InvalidAnswer,
    ReasonRequired,
    RoundClosed,
    SaveConflict,
    ensure_answer_rows,
    reopen_assessment,
    save_dimension,
    start_assessment,
    submit_assessment,
)

CONFLICT = 409


def _tasks_url(assessment: Assessment) -> str:
    return reverse("assessments:tasks", args=[assessment.pk])


def _not_editable(request, assessment: Assessment):
    """A change aimed at a submitted assessment, or at one whose organisation has left
    the partnership: say so, change nothing."""
    return render(
        request,
        "assessments/not_editable.html",
        {"assessment": assessment, "left_on": left_partnership_on(assessment)},
        status=CONFLICT,
    )


def _closed_to_changes(assessment: Assessment) -> bool:
    return assessment.is_submitted or left_partnership_on(assessment) is not None


@login_required
@require_http_methods(["GET", "POST"])
def start(request, round_id: int):
    round_ = get_round_for_user(request.user, round_id)
    require(can_start_assessment(request.user, round_), START_REFUSED)
    organisation = request.user.organisation
    existing = assessment_for_round(round_, organisation)
    if existing is not None:
        return redirect(_tasks_url(existing))
    if not round_.is_open:
        return render(request, "assessments/round_closed.html", {"round": round_}, status=CONFLICT)
    previous = latest_submitted_assessment(organisation, exclude_round=round_)
    form = StartForm(request.POST if request.method == "POST" else None, previous=previous)
    if request.method == "POST" and form.is_valid():
        copy = form.cleaned_data["start_from"] == "copy"
        try:
            assessment = start_assessment(
                round=round_,
                organisation=organisation,
                user=request.user,
                copy_from=previous if copy else None,
            )
        except RoundClosed:
            return render(
                request, "assessments/round_closed.html", {"round": round_}, status=CONFLICT
            )
        except CopyRefused:
            form.add_error(
                "start_from",
                "Your last assessment has just been reopened, so its answers cannot be "
                "copied. Start with no answers, or try again once it is submitted",
            )
            return render(
                request,
                "assessments/start.html",
                {"round": round_, "form": form, "previous": previous},
                status=CONFLICT,
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
            "editable": answers_editable(request.user, assessment),
            "left_on": left_partnership_on(assessment),
            "can_reopen": assessment.is_submitted and can_reopen(request.user, assessment),
        },
    )


def _dimension_page(assessment: Assessment, code: str):
    """The dimension, its questions, this assessment's answers to them, and the
    framework's dimensions (for "n of 9" and the next page): four queries (two more,
    once, for an assessment whose answer rows were never created)."""
    dimension = get_dimension_for_assessment(assessment, code)
    questions = list(dimension.questions.all())
    answers = answers_by_question(assessment, dimension)
    if len(answers) < len(questions):
        ensure_answer_rows(assessment)
        answers = answers_by_question(assessment, dimension)
    dimensions = framework_dimensions(dimension.framework_id)
    return dimension, questions, answers, dimensions


@login_required
@require_http_methods(["GET", "POST"])
def dimension(request, pk: int, code: str):
    writing = request.method == "POST"
    assessment = get_assessment_for_user(request.user, pk, write=writing)
    dimension, questions, answers, dimensions = _dimension_page(assessment, code)
    editable = answers_editable(request.user, assessment)
    if writing and _closed_to_changes(assessment):
        return _not_editable(request, assessment)

    context = {
        "assessment": assessment,
        "dimension": dimension,
        "questions": questions,
        "answers": answers,
        "position": dimensions.index(dimension) + 1,
        "dimension_count": len(dimensions),
        "editable": editable,
        "has_gates": any(question.gate_level is not None for question in questions),
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
            context["conflict_summary"] = [
                (f"question-{c.current.question_id}", short_statement(c.current.question))
                for c in conflict.conflicts
            ]
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
                return redirect("assessments:dimension", pk=assessment.pk, code=following[0].code)
            return redirect("assessments:check", pk=assessment.pk)
    context["form"] = form
    return render(request, "assessments/dimension.html", context, status=status)


@login_required
def history(request, pk: int, code: str):
    assessment = get_assessment_for_user(request.user, pk)
    dimension = get_dimension_for_assessment(assessment, code)
    changes = dimension_changes(assessment, dimension)
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
        if _closed_to_changes(assessment):
            return _not_editable(request, assessment)
        try:
            submit_assessment(assessment=assessment, user=request.user)
        except AssessmentNotEditable:
            return _not_editable(request, assessment)
        except IncompleteAssessment:
            pass  # the page below lists what is missing
        else:
            return redirect("assessments:submitted", pk=assessment.pk)

    if not assessment.is_submitted:
        ensure_answer_rows(assessment)
    answers = answers_in_order(assessment)
    missing, unchecked = missing_for_submission(answers)
    return render(
        request,
        "assessments/check_answers.html",
        {
            "assessment": assessment,
            "sections": answers_by_dimension(answers),
            "missing": missing,
            "unchecked": unchecked,
            "submit_errors": _submit_errors(missing, unchecked),
            "tried_to_submit": writing,
            "editable": answers_editable(request.user, assessment),
            "preview": answers_preview(assessment, answers),
        },
    )


def _submit_errors(missing, unchecked) -> list[tuple[str, str]]:
    """What stops the assessment being submitted, for the error summary."""
    return [
        (
            f"answer-{question.pk}",
            f"Select a level from 0 to 4 for “{short_statement(question)}” "
            f"({question.dimension.name})",
        )
        for question in missing
    ] + [
        (
            f"dimension-{dimension.code}",
            f"Check and save the answers copied into {dimension.name}",
        )
        for dimension in unchecked
    ]


@login_required
def submitted(request, pk: int):
    assessment = get_assessment_for_user(request.user, pk)
    if not assessment.is_submitted:
        return redirect(_tasks_url(assessment))
    return render(request, "assessments/submitted.html", {"assessment": assessment})


def _already_open(request, assessment: Assessment):
    """Someone (perhaps another administrator, a moment ago) has reopened it."""
    messages.success(request, "This assessment is already open for changes.")
    return redirect(_tasks_url(assessment))


@login_required
@require_http_methods(["GET", "POST"])
def reopen(request, pk: int):
    assessment = get_assessment_for_user(request.user, pk)
    require(can_reopen(request.user, assessment), REOPEN_REFUSED)
    if not assessment.is_submitted:
        return _already_open(request, assessment)
    form = ReopenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            reopen_assessment(
                assessment=assessment, user=request.user, reason=form.cleaned_data["reason"]
            )
        except AlreadyOpen:
            return _already_open(request, assessment)
        except ReasonRequired:
            form.add_error("reason", "Enter why the assessment needs to be reopened")
        else:
            messages.success(request, f"{assessment.organisation.name}'s assessment is open again.")
            return redirect(_tasks_url(assessment))
    return render(request, "assessments/reopen.html", {"assessment": assessment, "form": form})
