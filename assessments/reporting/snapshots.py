"""Closed rounds never change: closing a round freezes its partnership report and each
member's organisation report, and from then on every page and download of the round
is drawn from the frozen copy, as at the closing date.

Rounds closed before snapshots existed are frozen the first time anyone reads them
(as at their closing date, from the data as it is then): from that moment they never
change either.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import Assessment, OrganisationSnapshot, Round, RoundSnapshot
from .data import organisation_digest, organisation_report, partnership_report, report_digest


def _text(report: dict) -> str:
    return json.dumps(report, cls=DjangoJSONEncoder, ensure_ascii=False)


def freeze_round(round_: Round) -> RoundSnapshot:
    """Store the closed round's reports as at its closing date. Called in the closing
    transaction; a second call for the same round keeps the first snapshot."""
    existing = RoundSnapshot.objects.filter(round=round_).first()
    if existing is not None:
        return existing
    as_at = round_.closes_on or timezone.localdate()
    taken_at = timezone.now()
    stamp = {"as_at": as_at.isoformat(), "taken_at": taken_at.isoformat()}
    report = partnership_report(round_, today=as_at) | {"snapshot": stamp}
    try:
        with transaction.atomic():
            snapshot = RoundSnapshot.objects.create(
                round=round_,
                as_at=as_at,
                taken_at=taken_at,
                report=_text(report),
                digest=report_digest(report),
            )
            assessments = Assessment.objects.filter(round=round_).select_related(
                "round__partnership", "round__framework", "organisation"
            )
            for assessment in assessments:
                own = organisation_report(
                    assessment, today=as_at, partnership_plan=report["action_plan"]
                ) | {"snapshot": stamp}
                OrganisationSnapshot.objects.create(
                    snapshot=snapshot,
                    assessment=assessment,
                    report=_text(own),
                    digest=organisation_digest(own),
                )
    except IntegrityError:
        # Another request froze it first: theirs stands.
        return RoundSnapshot.objects.get(round=round_)
    return snapshot


def discard_snapshot(round_: Round) -> RoundSnapshot | None:
    """Delete the round's snapshot (reopening a round), returning what was deleted so
    the reopening can record it."""
    snapshot = RoundSnapshot.objects.filter(round=round_).first()
    if snapshot is not None:
        snapshot.delete()
    return snapshot


def frozen_partnership_report(round_: Round) -> tuple[dict, int] | None:
    """A closed round's frozen report and its snapshot's id; freezes a round closed
    before snapshots existed. None for an open round."""
    frozen = frozen_partnership_report_with(round_, {})
    return frozen[:2] if frozen else None


def frozen_partnership_report_with(round_: Round, columns: dict) -> tuple | None:
    """As `frozen_partnership_report`, with the values of `columns` (name: expression)
    read in the same query, for a page that needs them too."""
    if round_.is_open:
        return None
    snapshot = RoundSnapshot.objects.filter(round=round_).annotate(**columns)
    row = snapshot.values_list("pk", "report", *columns).first()
    if row is None:
        freeze_round(round_)
        row = snapshot.values_list("pk", "report", *columns).first()
    pk, text, *values = row
    return json.loads(text), pk, values


def frozen_organisation_report(assessment: Assessment) -> dict | None:
    """The organisation report of an assessment in a closed round, as frozen."""
    if assessment.round.is_open:
        return None
    text = (
        OrganisationSnapshot.objects.filter(assessment=assessment)
        .values_list("report", flat=True)
        .first()
    )
    if text is None:
        if RoundSnapshot.objects.filter(round_id=assessment.round_id).exists():
            # Frozen without it (the assessment was made after closing): as it is now.
            return None
        freeze_round(assessment.round)
        return frozen_organisation_report(assessment)
    return json.loads(text)
