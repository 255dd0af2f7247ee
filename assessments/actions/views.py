"""The action plan pages: today's plan for a partnership (and its CSV), agreeing an
action from a gap in a round's report, and one action with its history, updated by
the organisation that owns it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from common.access import require
from common.downloads import attachment
from partnerships.access import get_partnership_for_user

from ..access import (
    can_plan_own_actions,
    can_plan_partnership_actions,
    can_update_action,
    get_action_for_user,
    get_round_for_user,
    updatable_action_ids,
)
from ..reporting.cache import cached_partnership_report
from ..reporting.data import organisation_ref
from ..reporting.exports import action_plan_csv
from .forms import PARTNERSHIP, NewActionForm, UpdateActionForm
from .models import ActionChange
from .selectors import current_action_plan
from .services import (
    OWN_ACTIONS_REFUSED,
    UPDATE_REFUSED,
    ActionConflict,
    InvalidAction,
    create_action,
    gap_concerns,
    update_action,
)


@login_required
def plan(request, partnership_id: int):
    partnership = get_partnership_for_user(request.user, partnership_id)
    current, latest = current_action_plan(partnership)
    return render(
        request,
        "assessments/actions/plan.html",
        {
            "partnership": partnership,
            "plan": current,
            "latest_round": latest,
            "updatable": updatable_action_ids(request.user, partnership, current["items"]),
            "can_plan": latest is not None and can_plan_own_actions(request.user, partnership),
        },
    )


@login_required
def plan_csv(request, partnership_id: int):
    partnership = get_partnership_for_user(request.user, partnership_id)
    current, _ = current_action_plan(partnership)
    return attachment(
        request,
        action_plan_csv(current),
        "text/csv; charset=utf-8",
        f"{slugify(partnership.name)}-action-plan.csv",
    )


@login_required
@require_http_methods(["GET", "POST"])
def new(request, round_id: int):
    round_ = get_round_for_user(request.user, round_id)
    user = request.user
    partnership = round_.partnership
    may_plan_partnership = can_plan_partnership_actions(user, partnership)
    require(may_plan_partnership or can_plan_own_actions(user, partnership), OWN_ACTIONS_REFUSED)
    report, _ = cached_partnership_report(round_)
    own = organisation_ref(user.organisation_id)
    gaps = [g for g in report["gaps"] if may_plan_partnership or gap_concerns(g, own)]
    initial = {"gap": request.GET.get("gap")} if request.GET.get("gap") else {}
    form = NewActionForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        gaps=gaps,
        organisation_name=user.organisation.name,
        may_plan_partnership=may_plan_partnership,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        gap = next(g for g in gaps if g["key"] == data["gap"])
        try:
            create_action(
                user=user,
                round_=round_,
                gap=gap,
                partnership_wide=data["scope"] == PARTNERSHIP,
                description=data["description"],
                owner_role=data["owner_role"],
                owner_name=data["owner_name"],
                due_on=data["due_on"],
            )
        except InvalidAction as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "The action is added to the partnership's action plan.")
            return redirect("assessments:action_plan", partnership_id=partnership.pk)
    return render(
        request,
        "assessments/actions/new.html",
        {"round": round_, "report": report, "form": form, "has_gaps": bool(gaps)},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def detail(request, pk: int):
    action = get_action_for_user(request.user, pk)
    may_update = can_update_action(request.user, action)
    form, conflict, status = None, None, 200
    if request.method == "POST":
        require(may_update, UPDATE_REFUSED)
        form = UpdateActionForm(request.POST, gap_code=action.gap_code)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                update_action(user=request.user, action=action, version=data.pop("version"), **data)
            except ActionConflict as clash:
                conflict, status = clash.current, 409
                form = _update_form(clash.current)
            except InvalidAction as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, "The action is updated.")
                return redirect("assessments:action", pk=action.pk)
        if form.errors and status == 200:
            status = 400
    elif may_update:
        form = _update_form(action)
    if request.method == "POST":
        # As it is now: someone may have changed it while this request ran. (Loaded
        # again, not refreshed: a refresh drops the related rows the page shows.)
        action = get_action_for_user(request.user, pk)
    return render(
        request,
        "assessments/actions/detail.html",
        {
            "action": action,
            "form": form,
            "conflict": conflict,
            "conflict_errors": [("id_status_1", "Someone else changed this action: check it")],
            "today": timezone.localdate(),
            "history": ActionChange.objects.filter(action=action).select_related("changed_by"),
        },
        status=status,
    )


def _update_form(action):
    return UpdateActionForm(
        gap_code=action.gap_code,
        initial={
            "description": action.description,
            "owner_role": action.owner_role,
            "owner_name": action.owner_name,
            "due_on": action.due_on,
            "status": action.status,
            "dropped_reason": action.dropped_reason,
            "version": action.version,
        },
    )
