"""The action plan as report data: every action of a partnership with its status,
whether it is overdue, and what later rounds say about its gap (one query); and one
organisation's share of it."""

from datetime import date

from django.utils import timezone

from ..reporting.comparison import Evaluation, GapState, gap_state
from .models import Action, ActionStatus


def action_plan(
    *,
    partnership_id: int,
    evaluations: list[Evaluation],
    as_at: date,
    since: date | None,
    up_to: date | None = None,
) -> dict:
    """`as_at`: the day overdue is judged on (today, or a closed round's closing date).
    `since`: when the previous round closed, for "done since the last round".
    `up_to`: leave out actions raised in rounds that opened later (a closed round's
    report shows the plan as it could have been then)."""
    actions = Action.objects.filter(partnership_id=partnership_id).select_related(
        "organisation", "round"
    )
    if up_to is not None:
        actions = actions.filter(round__opens_on__lte=up_to)
    items = [_item(action, evaluations, as_at) for action in actions]
    return {
        "as_at": as_at.isoformat(),
        "since": since.isoformat() if since else None,
        "counts": _counts(items, since.isoformat() if since else None),
        "items": items,
    }


def own_actions(plan: dict, organisation_id: int) -> dict:
    """An organisation's own actions (not partnership-wide ones) from its partnership's
    plan, so its report says exactly what the partnership's report says about them."""
    items = [
        item
        for item in plan["items"]
        if item["organisation_id"] == organisation_id and not item["partnership_wide"]
    ]
    return plan | {"counts": _counts(items, plan["since"]), "items": items}


def _counts(items: list[dict], since: str | None) -> dict:
    return {
        "total": len(items),
        "open": sum(1 for item in items if item["is_open"]),
        "overdue": sum(1 for item in items if item["overdue"]),
        "done_since": sum(
            1
            for item in items
            if item["status"] == ActionStatus.DONE and (since is None or item["done_on"] >= since)
        ),
        "dropped": sum(1 for item in items if item["status"] == ActionStatus.DROPPED),
    }


def _item(action: Action, evaluations: list[Evaluation], as_at: date) -> dict:
    state = gap_state(
        action.gap_key, action.round.opens_on.isoformat(), evaluations, action.gap_refs
    )
    return {
        "id": action.pk,
        "description": action.description,
        "organisation": action.organisation.name,
        "organisation_id": action.organisation_id,
        "partnership_wide": action.partnership_wide,
        "owner_role": action.owner_role,
        "owner_label": action.get_owner_role_display(),
        "owner_name": action.owner_name,
        "due_on": action.due_on.isoformat(),
        "status": action.status,
        "status_label": action.get_status_display(),
        "is_open": action.is_open,
        "overdue": action.is_open and action.due_on < as_at,
        "dropped_reason": action.dropped_reason,
        "done_on": timezone.localdate(action.done_at).isoformat() if action.done_at else None,
        "gap": {
            "key": action.gap_key,
            "code": action.gap_code,
            "severity": action.gap_severity,
            "message": action.gap_message,
            "round": action.round.name,
        },
        "gap_state": state,
        "gap_state_label": GapState.LABELS[state],
    }
