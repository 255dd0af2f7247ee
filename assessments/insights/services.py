"""Changes to the insight settings, each checked and recorded in the security log:
an organisation's consent to show its scores in projections, and the instance's
peer benchmark switch."""

from django.db import transaction
from django.utils import timezone

from common.access import require
from common.audit import security_event_for
from partnerships.access import can_administer

from ..access import can_change_score_sharing
from . import benchmark
from .models import SWITCH_ID, BenchmarkSwitch, ProjectionConsent
from .tasks import refresh_after_commit

SHARING_REFUSED = "Only your organisation's executives can change how its scores are shared"
SWITCH_REFUSED = "Only administrators can switch the peer benchmark on or off"


@transaction.atomic
def set_score_sharing(*, user, allowed: bool) -> bool:
    """Allow or stop showing the user's organisation's dimension scores in other
    partnerships' projections. Returns whether anything changed."""
    require(can_change_score_sharing(user), SHARING_REFUSED)
    organisation = user.organisation
    if allowed:
        _, changed = ProjectionConsent.objects.get_or_create(
            organisation=organisation, defaults={"allowed_by": user}
        )
    else:
        changed = bool(ProjectionConsent.objects.filter(organisation=organisation).delete()[0])
    if changed:
        verb = "Allowed" if allowed else "Stopped"
        security_event_for(
            "sharing_changed",
            user=user,
            detail=f"{verb} other partnerships' projections showing {organisation}'s scores",
        )
    return changed


@transaction.atomic
def switch_benchmark(*, user, enabled: bool) -> None:
    """Turn the peer benchmark on (computed again, for every framework version in use,
    on the task queue when a worker runs) or off (its figures deleted, so nothing stale
    is left to show)."""
    require(can_administer(user), SWITCH_REFUSED)
    switch, _ = BenchmarkSwitch.objects.select_for_update().get_or_create(pk=SWITCH_ID)
    if switch.enabled == enabled:
        return
    switch.enabled, switch.changed_by, switch.changed_at = enabled, user, timezone.now()
    switch.save()
    security_event_for(
        "sharing_changed",
        user=user,
        detail="Turned the peer benchmark " + ("on" if enabled else "off"),
    )
    if enabled:
        # On the worker where one runs, not in the administrator's request.
        for framework_id in benchmark.frameworks_in_use():
            refresh_after_commit(framework_id)
    else:
        transaction.on_commit(benchmark.delete_all)
