"""Opening, closing and reopening rounds: the services the admin's actions call (and
the coordinators' pages will). Each checks `can_manage_rounds` and runs in one
transaction. Closing a round freezes its reports; reopening one discards the frozen
copy and records why."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common.access import require
from common.audit import security_event_for

from .access import can_manage_rounds
from .models import Assessment, AssessmentStatus, Round, RoundReopening, RoundStatus
from .reporting.pdf_queue import queue_after_commit
from .reporting.snapshots import discard_snapshot, freeze_round

ROUNDS_REFUSED = (
    "Only an administrator or the partnership's coordinator can open and close its rounds"
)


def drafts_in(rounds: list[Round]) -> list[Assessment]:
    """Assessments not submitted in these rounds, to name them before closing."""
    return list(
        Assessment.objects.filter(round__in=rounds, status=AssessmentStatus.DRAFT)
        .select_related("organisation", "round")
        .order_by("round__name", "organisation__name")
    )


CLOSING_DATE_REQUIRED = "Enter the date the round closes, so partners know their deadline"


@transaction.atomic
def open_round(*, round_: Round, user) -> Round:
    """Save a new round, open, with its closing date (every new round has one)."""
    require(can_manage_rounds(user, round_.partnership), ROUNDS_REFUSED)
    if round_.closes_on is None:
        raise ValidationError({"closes_on": CLOSING_DATE_REQUIRED})
    round_.status = RoundStatus.OPEN
    round_.full_clean()
    round_.save()
    security_event_for(
        "partnership_changed",
        user=user,
        partnership=round_.partnership,
        detail=f"Opened the round {round_.name}, closing {round_.closes_on:%-d %B %Y}",
    )
    return round_


@transaction.atomic
def change_round(*, round_: Round, user) -> Round:
    """Save changes to a round's name, opening date or (while open) closing date. An
    open round keeps a closing date once it has one."""
    require(can_manage_rounds(user, round_.partnership), ROUNDS_REFUSED)
    before = Round.objects.filter(pk=round_.pk).values_list("closes_on", flat=True).first()
    if round_.is_open and round_.closes_on is None and before is not None:
        raise ValidationError({"closes_on": CLOSING_DATE_REQUIRED})
    round_.full_clean()
    round_.save()
    return round_


@transaction.atomic
def close_rounds(*, rounds: list[Round], user) -> int:
    """Close the open rounds among `rounds` today (or on the day they opened, if
    later) and freeze their reports as at that day. Drafts stay unsubmitted. Returns
    how many closed."""
    today = timezone.localdate()
    closed = 0
    for round_ in rounds:
        require(can_manage_rounds(user, round_.partnership), ROUNDS_REFUSED)
        if round_.status != RoundStatus.OPEN:
            continue
        round_.status = RoundStatus.CLOSED
        round_.closes_on = max(today, round_.opens_on)
        round_.save(update_fields=["status", "closes_on", "updated_at"])
        freeze_round(round_)
        # Its reports are final now: prepare their PDFs once.
        queue_after_commit(rounds=[round_], assessments=list(round_.assessments.all()))
        security_event_for(
            "partnership_changed",
            user=user,
            partnership=round_.partnership,
            detail=f"Closed the round {round_.name}",
        )
        closed += 1
    return closed


class ReopenReasonRequired(ValueError):
    """Reopening a closed round discards its frozen reports, so it needs a reason."""


@transaction.atomic
def reopen_rounds(*, rounds: list[Round], user, reason: str) -> int:
    """Open closed rounds again, with no closing date, discarding their frozen reports
    and recording who reopened them, when, why and which snapshot went. Returns how
    many reopened."""
    reason = reason.strip()
    if not reason:
        raise ReopenReasonRequired("Enter why the round is being reopened")
    reopened = 0
    for round_ in rounds:
        require(can_manage_rounds(user, round_.partnership), ROUNDS_REFUSED)
        if round_.status != RoundStatus.CLOSED:
            continue
        discarded = discard_snapshot(round_)
        RoundReopening.objects.create(
            round=round_,
            reopened_by=user,
            reason=reason,
            discarded_snapshot_as_at=discarded.as_at if discarded else None,
            discarded_snapshot_taken_at=discarded.taken_at if discarded else None,
        )
        round_.status = RoundStatus.OPEN
        round_.closes_on = None
        round_.save(update_fields=["status", "closes_on", "updated_at"])
        security_event_for(
            "reopened",
            user=user,
            partnership=round_.partnership,
            detail=f"Reopened the round {round_.name}",
        )
        reopened += 1
    return reopened
