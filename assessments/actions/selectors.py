"""The action plan as it stands today, for the action plan page: drawn from the
partnership's open round's report when its latest round is open, otherwise judged by
its closed rounds."""

from datetime import date

from django.utils import timezone

from ..models import Round
from ..reporting.cache import cached_partnership_report
from ..reporting.data import snapshot_digests
from .plan import action_plan


def latest_round(partnership) -> Round | None:
    return (
        Round.objects.filter(partnership=partnership)
        .select_related("partnership", "framework")
        .order_by("-opens_on", "-pk")
        .first()
    )


def current_action_plan(partnership) -> tuple[dict, Round | None]:
    """Today's action plan and the partnership's latest round (None if it has none)."""
    latest = latest_round(partnership)
    if latest is not None and latest.is_open:
        report, _ = cached_partnership_report(latest)
        return report["action_plan"], latest
    digests = []
    if latest is not None:
        cached_partnership_report(latest)  # freezes a round closed before snapshots existed
        digests = snapshot_digests(partnership.pk, before=latest, inclusive=True)
    plan = action_plan(
        partnership_id=partnership.pk,
        evaluations=[d["evaluation"] for d in digests],
        as_at=timezone.localdate(),
        since=date.fromisoformat(digests[-1]["as_at"]) if digests else None,
    )
    return plan, latest
