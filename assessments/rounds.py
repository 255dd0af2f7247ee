"""Opening, closing and reopening rounds: the services the admin's actions call (and
the coordinators' pages will). Each checks `can_manage_rounds` and runs in one
transaction."""

from django.db import transaction
from django.utils import timezone

from common.access import require

from .access import can_manage_rounds
from .models import Assessment, AssessmentStatus, Round, RoundStatus

ROUNDS_REFUSED = "Only an administrator can open and close a partnership's rounds"


def drafts_in(rounds: list[Round]) -> list[Assessment]:
    """Assessments not submitted in these rounds, to name them before closing."""
    return list(
        Assessment.objects.filter(round__in=rounds, status=AssessmentStatus.DRAFT)
        .select_related("organisation", "round")
        .order_by("round__name", "organisation__name")
    )


@transaction.atomic
def open_round(*, round_: Round, user) -> Round:
    """Save a new round, open."""
    require(can_manage_rounds(user, round_.partnership), ROUNDS_REFUSED)
    round_.status = RoundStatus.OPEN
    round_.full_clean()
    round_.save()
    return round_


@transaction.atomic
def close_rounds(*, rounds: list[Round], user) -> int:
    """Close the open rounds among `rounds` today (or on the day they opened, if
    later). Drafts stay unsubmitted. Returns how many closed."""
    today = timezone.localdate()
    closed = 0
    for round_ in rounds:
        require(can_manage_rounds(user, round_.partnership), ROUNDS_REFUSED)
        if round_.status != RoundStatus.OPEN:
            continue
        round_.status = RoundStatus.CLOSED
        round_.closes_on = max(today, round_.opens_on)
        round_.save(update_fields=["status", "closes_on", "updated_at"])
        closed += 1
    return closed


@transaction.atomic
def reopen_rounds(*, rounds: list[Round], user) -> int:
    """Open closed rounds again, with no closing date. Returns how many reopened."""
    reopened = 0
    for round_ in rounds:
        require(can_manage_rounds(user, round_.partnership), ROUNDS_REFUSED)
        if round_.status != RoundStatus.CLOSED:
            continue
        round_.status = RoundStatus.OPEN
        round_.closes_on = None
        round_.save(update_fields=["status", "closes_on", "updated_at"])
        reopened += 1
    return reopened
