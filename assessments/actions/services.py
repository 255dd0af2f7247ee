"""Agreeing and updating actions. Each checks the access predicates, runs in one
transaction and records the change (who, when, each field's old and new value) in the
same transaction. An update names the version it was made from: if someone else
changed the action since, nothing is saved and the person is told."""

from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from common.access import require

from ..access import can_plan_own_actions, can_plan_partnership_actions, can_update_action
from ..choices import OwnerRole
from ..models import Round
from ..reporting.pdf_queue import queue_partnership
from .models import Action, ActionChange, ActionStatus

OWN_ACTIONS_REFUSED = (
    "Only executives and ICT managers of a member organisation can plan its actions"
)
PARTNERSHIP_ACTIONS_REFUSED = (
    "Only the lead partner's executives can plan actions for the whole partnership"
)
UPDATE_REFUSED = "Only the organisation that owns this action can change it"
FUNDING_OWNER_REQUIRED = (
    "Funding actions belong to chief executives and finance directors: choose them as the owner"
)
FUNDING_CODES = ("funding-formula-not-agreed", "funding-formula-below-gate")
FIELDS = ("description", "owner_role", "owner_name", "due_on", "status", "dropped_reason")


class InvalidAction(ValueError):
    """The action cannot be saved as asked; the message says what to do."""


class ActionConflict(Exception):
    """Someone else changed the action since the form was opened."""

    def __init__(self, current: Action):
        super().__init__("This action was changed by someone else since you opened it")
        self.current = current


def is_funding_gap(gap_code: str) -> bool:
    return gap_code in FUNDING_CODES


def gap_concerns(gap: dict, organisation_ref: str) -> bool:
    return organisation_ref in gap["refs"]


def _check_owner(gap_code: str, owner_role: str) -> None:
    if is_funding_gap(gap_code) and owner_role != OwnerRole.EXECUTIVE:
        raise InvalidAction(FUNDING_OWNER_REQUIRED)


def _shown(name: str, value) -> str:
    """A value as the change history shows it: choices by their labels."""
    if name == "status":
        return ActionStatus(value).label
    if name == "owner_role":
        return OwnerRole(value).label
    if isinstance(value, date):
        return value.strftime("%-d %B %Y")
    return "" if value is None else str(value)


@transaction.atomic
def create_action(
    *,
    user,
    round_: Round,
    gap: dict,
    partnership_wide: bool,
    description: str,
    owner_role: str,
    owner_name: str,
    due_on: date,
) -> Action:
    """Turn a gap of `round_`'s partnership report into an action owned by the user's
    organisation (or, for the lead partner's executives, by the partnership)."""
    partnership = round_.partnership
    if partnership_wide:
        require(can_plan_partnership_actions(user, partnership), PARTNERSHIP_ACTIONS_REFUSED)
    else:
        require(can_plan_own_actions(user, partnership), OWN_ACTIONS_REFUSED)
        if not gap_concerns(gap, f"organisation:{user.organisation_id}"):
            raise InvalidAction(
                "This gap is not about your organisation: choose one of your organisation's gaps"
            )
    _check_owner(gap["code"], owner_role)
    if due_on < timezone.localdate():
        raise InvalidAction("The due date must be today or in the future")
    action = Action.objects.create(
        partnership=partnership,
        organisation_id=user.organisation_id,
        partnership_wide=partnership_wide,
        round=round_,
        gap_key=gap["key"],
        gap_code=gap["code"],
        gap_severity=gap["severity"],
        gap_message=gap["message"],
        gap_refs=list(gap["refs"]),
        description=description.strip(),
        owner_role=owner_role,
        owner_name=owner_name.strip(),
        due_on=due_on,
        created_by=user,
    )
    ActionChange.objects.create(
        action=action,
        changed_by=user,
        changed_at=action.created_at,
        changes={
            name: {"old": "", "new": _shown(name, getattr(action, name))}
            for name in FIELDS
            if getattr(action, name) not in ("", None)
        },
        version=action.version,
    )
    queue_partnership(partnership.pk)
    return action


@transaction.atomic
def update_action(*, user, action: Action, version: int, **values) -> Action:
    """Change some of `FIELDS`, if the action is still at `version`. Returns the action
    as saved. Nothing changed: nothing saved or recorded."""
    require(can_update_action(user, action), UPDATE_REFUSED)
    current = Action.objects.select_for_update().get(pk=action.pk)
    if current.version != version:
        raise ActionConflict(current)
    values = {name: values[name] for name in FIELDS if name in values}
    for text in ("description", "owner_name", "dropped_reason"):
        if text in values:
            values[text] = values[text].strip()
    status = values.get("status", current.status)
    if status != ActionStatus.DROPPED:
        values["dropped_reason"] = ""  # a reason belongs only to a dropped action
    elif not values.get("dropped_reason", current.dropped_reason):
        raise InvalidAction("Enter why the action is being dropped")
    _check_owner(current.gap_code, values.get("owner_role", current.owner_role))
    changes = {
        name: {"old": _shown(name, getattr(current, name)), "new": _shown(name, value)}
        for name, value in values.items()
        if getattr(current, name) != value
    }
    if not changes:
        return current
    if status == ActionStatus.DONE and current.status != ActionStatus.DONE:
        values["done_at"] = timezone.now()
    elif status != ActionStatus.DONE:
        values["done_at"] = None
    Action.objects.filter(pk=current.pk).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    )
    current.refresh_from_db()
    ActionChange.objects.create(
        action=current, changed_by=user, changes=changes, version=current.version
    )
    queue_partnership(current.partnership_id)
    return current
