"""The readiness framework (versions, dimensions, questions) and the assessments
partners make against it, round by round."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from common.access import scoped_to_organisation
from partnerships.models import Organisation, Partnership

from .choices import MAX_LEVEL, MIN_LEVEL, Level, OwnerRole


class Framework(models.Model):
    """One version of the framework. Never edited once a round uses it: loading a
    changed file makes a new version instead."""

    name = models.CharField(max_length=200)
    version = models.PositiveIntegerField()
    # SHA-256 of the loaded content, so reloading an unchanged file is a no-op.
    content_hash = models.CharField(max_length=64, unique=True)
    source = models.CharField(max_length=200, blank=True, help_text="File it was loaded from")
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="one_framework_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"


class Dimension(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="dimensions")
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=100)
    summary = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="unique_dimension_code"),
        ]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="questions")
    # Stable across framework versions (e.g. "identity-management.citizen-identity"),
    # so gap rules and trends can follow a statement from version to version.
    code = models.CharField(max_length=100)
    statement = models.TextField()
    guidance = models.TextField(blank=True)
    weight = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    # Five short descriptors, one per level 0-4, or an empty list.
    level_descriptors = models.JSONField(default=list, blank=True)
    owner = models.CharField(max_length=30, choices=OwnerRole.choices, blank=True)
    # An answer below the gate level is a critical gap, owned by gate_owner.
    gate_level = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_LEVEL + 1), MaxValueValidator(MAX_LEVEL)],
    )
    gate_owner = models.CharField(max_length=30, choices=OwnerRole.choices, blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["dimension__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "code"], name="unique_question_code"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="question_weight_is_positive"),
            models.CheckConstraint(
                condition=Q(gate_level__isnull=True)
                | Q(gate_level__gte=MIN_LEVEL + 1, gate_level__lte=MAX_LEVEL),
                name="question_gate_level_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.statement

    def descriptor(self, level: int) -> str:
        if len(self.level_descriptors) == MAX_LEVEL + 1:
            return self.level_descriptors[level]
        return ""


class RoundStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class RoundQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(partnership__in=Partnership.objects.visible_to(user))


class Round(models.Model):
    """A partnership's assessment round: every member answers once per round."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="rounds")
    name = models.CharField(max_length=200, help_text="For example 2026 readiness review")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="rounds")
    status = models.CharField(max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    opens_on = models.DateField(default=timezone.localdate)
    closes_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "-opens_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="unique_round_name"),
            models.CheckConstraint(
                condition=Q(status__in=RoundStatus.values), name="round_status_is_known"
            ),
            models.CheckConstraint(
                condition=Q(closes_on__isnull=True) | Q(closes_on__gte=models.F("opens_on")),
                name="round_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partnership}: {self.name}"

    def save(self, *args, **kwargs):
        # Answers belong to the framework's statements: once anyone has answered, the
        # round keeps its framework (a new version needs a new round).
        if self.pk is not None:
            before = Round.objects.filter(pk=self.pk).values_list("framework_id", flat=True).first()
            if before is not None and before != self.framework_id and self.assessments.exists():
                raise ValidationError(
                    "This round already has assessments, so its framework cannot change. "
                    "Open a new round to use another framework version"
                )
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Only the user's own organisation's assessments; all for staff."""
        return scoped_to_organisation(
            self, user, lambda qs, org_id: qs.filter(organisation_id=org_id)
        )

    def with_latest_reopening(self):
        """Each assessment with when and why it was last reopened (None if never), in
        the same query, so pages can say why a draft is open again."""
        latest = AssessmentReopening.objects.filter(assessment=OuterRef("pk")).order_by(
            "-reopened_at", "-pk"
        )
        return self.annotate(
            last_reopened_at=Subquery(latest.values("reopened_at")[:1]),
            last_reopen_reason=Subquery(latest.values("reason")[:1]),
        )


class Assessment(models.Model):
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="assessments")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="assessments"
    )
    status = models.CharField(
        max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["round", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organisation"], name="one_assessment_per_organisation_per_round"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AssessmentStatus.values),
                name="assessment_status_is_known",
            ),
            models.CheckConstraint(
                condition=Q(status=AssessmentStatus.DRAFT) | Q(submitted_at__isnull=False),
                name="submitted_assessment_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}, {self.round.name}"

    @property
    def is_submitted(self) -> bool:
        return self.status == AssessmentStatus.SUBMITTED


class Answer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    # NULL means "not yet answered"; never a sentinel such as -1.
    level = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=Level.choices,
        validators=[MinValueValidator(MIN_LEVEL), MaxValueValidator(MAX_LEVEL)],
    )
    evidence = models.TextField(blank=True)
    comment = models.TextField(blank=True)
    # Copied from the organisation's last submitted assessment and not yet checked:
    # it stays marked until someone saves this answer's dimension.
    copied = models.BooleanField(default=False)
    # Bumped by every save; a save that names an older version is a conflict.
    version = models.PositiveIntegerField(default=1)
    # auto_now, so even an edit outside the service layer (the admin) changes the cached
    # report's fingerprint; the service's conditional UPDATE sets it explicitly.
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["assessment", "question__dimension__position", "question__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"], name="one_answer_per_question"
            ),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=MIN_LEVEL, level__lte=MAX_LEVEL),
                name="answer_level_between_0_and_4",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment}: {self.question.code}"


class AnswerChange(models.Model):
    """One saved change to an answer: who, when, and what changed.

    A small model rather than a history library, because answers are saved with
    conditional UPDATEs (the lost-update check), which bypass model signals; the
    service writes this row in the same transaction as the change it records."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    old_level = models.PositiveSmallIntegerField(null=True, blank=True, choices=Level.choices)
    new_level = models.PositiveSmallIntegerField(null=True, blank=True, choices=Level.choices)
    evidence_changed = models.BooleanField(default=False)
    comment_changed = models.BooleanField(default=False)
    # The version this change produced; with the answer, unique, so two saves can never
    # both claim to follow the same earlier version.
    version = models.PositiveIntegerField()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "version"], name="one_change_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.answer} v{self.version}"


class AssessmentReopening(models.Model):
    """An administrator reopened a submitted assessment: who, when and why."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="reopenings")
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reopened_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    previously_submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["-reopened_at"]

    def __str__(self) -> str:
        return f"{self.assessment} reopened {self.reopened_at:%Y-%m-%d}"


class RoundSnapshot(models.Model):
    """A closed round's partnership report, frozen when the round closed, so renaming
    an organisation, recording a new funding formula, ending a membership or changing
    the framework afterwards changes nothing in it. Every view and download of a
    closed round is drawn from here."""

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="snapshot")
    as_at = models.DateField(help_text="The closing date the report is as at")
    taken_at = models.DateTimeField(default=timezone.now)
    # The report as JSON text, not a JSONField: PostgreSQL's jsonb reorders keys, and
    # a closed round's downloads must stay the same byte for byte.
    report = models.TextField()
    # The few facts later rounds read without parsing the whole report: gap keys, the
    # members that submitted, the overall score and the trend point.
    digest = models.JSONField()

    def __str__(self) -> str:
        return f"{self.round} as at {self.as_at:%Y-%m-%d}"


class OrganisationSnapshot(models.Model):
    """One member's organisation report in a closed round, frozen with the round's."""

    snapshot = models.ForeignKey(
        RoundSnapshot, on_delete=models.CASCADE, related_name="organisation_reports"
    )
    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="snapshot")
    report = models.TextField()
    digest = models.JSONField()

    def __str__(self) -> str:
        return f"{self.assessment} as at {self.snapshot.as_at:%Y-%m-%d}"


class RoundReopening(models.Model):
    """An administrator reopened a closed round: who, when, why, and which snapshot of
    its reports was discarded."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="reopenings")
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reopened_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    discarded_snapshot_as_at = models.DateField(null=True, blank=True)
    discarded_snapshot_taken_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-reopened_at"]

    def __str__(self) -> str:
        return f"{self.round} reopened {self.reopened_at:%Y-%m-%d}"


# The action plan's models live with their capability; imported here so Django finds them.
from .actions.models import Action, ActionChange, ActionStatus  # noqa: E402, F401


class RenderedPdf(models.Model):
    """A PDF in the PDF store, under the key of the report data it shows. The newest
    for a document is its current one; older ones are pruned after a while."""

    key = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=20)  # "partnership" (a round) or "organisation"
    object_id = models.PositiveIntegerField()  # the round's or the assessment's id
    size = models.PositiveIntegerField()
    rendered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-rendered_at"]
        indexes = [models.Index(fields=["kind", "object_id", "rendered_at"], name="pdf_document")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.key[:12]}"


from .insights.models import BenchmarkSwitch, PeerBenchmark, ProjectionConsent  # noqa: E402, F401
