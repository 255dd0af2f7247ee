"""Opening and closing rounds, and reopening a submitted assessment, through the same
services as the admin (assessments/rounds.py, assessments/capture/services.py)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from assessments.capture.services import AlreadyOpen, ReasonRequired, reopen_assessment
from assessments.models import Assessment, AssessmentStatus, Round, RoundStatus
from assessments.rounds import close_rounds, drafts_in, open_round
from partnerships.access import get_partnership_to_coordinate

from ..forms import OpenRoundForm, ReasonForm
from . import done, show_errors


@login_required
@require_http_methods(["GET", "POST"])
def open_new(request, pk: int):
    partnership = get_partnership_to_coordinate(request.user, pk)
    form = OpenRoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        round_ = Round(
            partnership=partnership,
            name=" ".join(data["name"].split()),
            framework=data["framework"],
            closes_on=data["closes_on"],
        )
        try:
            open_round(round_=round_, user=request.user)
        except ValidationError as error:
            if "__all__" in getattr(error, "error_dict", {}):
                # The unique (partnership, name) constraint says it in Django's words.
                form.add_error("name", "This partnership already has a round with this name")
            else:
                show_errors(form, error)
        else:
            return done(
                request, partnership, f"{round_.name} is open until {round_.closes_on:%-d %B %Y}"
            )
    return render(
        request,
        "coordination/open_round.html",
        {"partnership": partnership, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def close(request, pk: int, round_id: int):
    partnership = get_partnership_to_coordinate(request.user, pk)
    round_ = get_object_or_404(Round, pk=round_id, partnership=partnership, status=RoundStatus.OPEN)
    if request.method == "POST":
        close_rounds(rounds=[round_], user=request.user)
        return done(request, partnership, f"{round_.name} is closed and its reports are final")
    return render(
        request,
        "coordination/close_round.html",
        {"partnership": partnership, "round": round_, "drafts": drafts_in([round_])},
    )


@login_required
@require_http_methods(["GET", "POST"])
def reopen(request, pk: int, assessment_id: int):
    partnership = get_partnership_to_coordinate(request.user, pk)
    assessment = get_object_or_404(
        Assessment.objects.select_related("organisation", "round"),
        pk=assessment_id,
        round__partnership=partnership,
        status=AssessmentStatus.SUBMITTED,
    )
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reopen_assessment(
                assessment=assessment, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ReasonRequired:
            form.add_error("reason", "Enter why the assessment needs to be reopened")
        except AlreadyOpen:
            form.add_error(None, "Someone has reopened this assessment already")
        else:
            return done(
                request,
                partnership,
                f"{assessment.organisation.name}'s assessment is open again",
            )
    return render(
        request,
        "coordination/reopen.html",
        {"partnership": partnership, "assessment": assessment, "form": form},
        status=400 if form.errors else 200,
    )
