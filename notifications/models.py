"""Email notifications: one row per notice per person, sent at most once, and each
person's choice about reminders."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Kind(models.TextChoices):
    ROUND_OPENED = "round_opened", "Round opened"
    ROUND_REMINDER = "round_reminder", "Round closing soon"
    ASSESSMENT_REOPENED = "assessment_reopened", "Assessment reopened"
    FORMULA_TO_SIGN = "formula_to_sign", "Funding formula to sign"
    ALL_SUBMITTED = "all_submitted", "Every member has submitted"
    ACTION_DUE = "action_due", "Action due in 7 days"
    ACTION_OVERDUE = "action_overdue", "Action overdue"


# What a person may turn off: reminders. Notices that something happened to them
# (reopened assessments, formulas to sign, opened rounds) always go.
REMINDERS = frozenset({Kind.ROUND_REMINDER, Kind.ACTION_DUE, Kind.ACTION_OVERDUE})


class Outcome(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed, to be tried again"


class Notification(models.Model):
    """One notice to one person. The unique constraint makes "at most once" a fact of
    the database: two runs that both decide a notice is due insert one row, and only
    the run that claims the row sends it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # What it is about, for example "round:12:7" (round 12, the 7-day reminder).
    about = models.CharField(max_length=100)
    subject = models.CharField(max_length=200)
    # The words and link the email is made from (names, dates, a reason; never scores
    # or evidence).
    context = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "about"], name="one_notification_per_event"
            ),
            models.CheckConstraint(
                condition=~Q(outcome=Outcome.SENT) | Q(sent_at__isnull=False),
                name="sent_notification_has_time",
            ),
        ]
        indexes = [models.Index(fields=["sent_at", "claimed_at"], name="notification_to_send")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient} ({self.about})"


class Preference(models.Model):
    """A person's choice about reminders; no row means reminders are on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    reminders = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.user}: reminders {'on' if self.reminders else 'off'}"
