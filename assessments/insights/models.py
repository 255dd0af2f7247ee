"""The peer benchmark, stored per framework version, the instance's switch for it, and
each organisation's consent to show its scores in other partnerships' projections."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from partnerships.models import Organisation

SWITCH_ID = 1


class PeerBenchmark(models.Model):
    """The anonymised peer figures of one framework version, computed from every
    submitted assessment on the instance (benchmark.py). Only figures that pass the
    k-anonymity and stability rules are stored; no organisation is named in it."""

    framework = models.OneToOneField(
        "assessments.Framework", on_delete=models.CASCADE, related_name="peer_benchmark"
    )
    computed_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField()

    def __str__(self) -> str:
        return f"Peer benchmark for {self.framework}"


class BenchmarkSwitch(models.Model):
    """One row (id 1): whether reports show the peer benchmark on this instance."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=SWITCH_ID, editable=False)
    enabled = models.BooleanField(
        "Show the peer benchmark",
        default=True,
        help_text="Untick to stop every report showing how partners compare with peers.",
    )
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "peer benchmark setting"

    def __str__(self) -> str:
        return "Peer benchmark: on" if self.enabled else "Peer benchmark: off"


class ProjectionConsent(models.Model):
    """An organisation allows its dimension scores to appear in the membership
    projections of partnerships it is not in. No row: not allowed (the default)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="projection_consent"
    )
    allowed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    allowed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.organisation} shares its scores in projections"
