"""An action agreed to close a gap, and the record of every change to it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from partnerships.models import Organisation, Partnership

from ..choices import OwnerRole


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


OPEN_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


class ActionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A partnership's actions are seen by its members (as its report is)."""
        return self.filter(partnership__in=Partnership.objects.visible_to(user))


class Action(models.Model):
    """What will be done to close one gap, by whom and by when. Actions belong to the
    partnership, not to a round: each later round shows whether the gap closed."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="actions")
    # The organisation that owns the action; for a partnership-wide action, the lead
    # partner that agreed it.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    partnership_wide = models.BooleanField(default=False)
    # The round whose report raised the gap, and the gap as it was then.
    round = models.ForeignKey("assessments.Round", on_delete=models.PROTECT, related_name="+")
    gap_key = models.CharField(max_length=300)
    gap_code = models.CharField(max_length=60)
    gap_severity = models.CharField(
        max_length=10,
        choices=[("critical", "Critical"), ("high", "High"), ("warning", "Warning")],
    )
    gap_message = models.TextField()
    # The partners the gap named (as "organisation:<id>"): a partnership-wide gap drawn
    # from their scores is judged again only once they have all submitted.
    gap_refs = models.JSONField(default=list, blank=True)
    description = models.TextField(help_text="What will be done")
    owner_role = models.CharField(max_length=30, choices=OwnerRole.choices)
    owner_name = models.CharField(max_length=150, blank=True)
    due_on = models.DateField()
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    dropped_reason = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped by every change; a change that names an older version is a conflict.
    version = models.PositiveIntegerField(default=1)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ActionStatus.values), name="action_status_is_known"
            ),
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.DROPPED) | ~Q(dropped_reason=""),
                name="dropped_action_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.DONE) | Q(done_at__isnull=False),
                name="done_action_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ActionChange(models.Model):
    """One change to an action: who, when, and each field's old and new value (the
    first change records the action's creation)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    # {field: {"old": value, "new": value}} in plain, displayable values.
    changes = models.JSONField()
    version = models.PositiveIntegerField()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "version"], name="one_action_change_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} v{self.version}"
