"""Writes of the capture pages: starting, saving, submitting and reopening
assessments. Reads are in `selectors.py`. Each write runs in one transaction, so it
happens whole or not at all, and checks the same access predicates as the pages.

Lost updates are prevented with a version number on every answer and conditional
UPDATEs (`WHERE version = <the version the user loaded>`), which behave the same on
SQLite and PostgreSQL; `select_for_update()` would silently do nothing on SQLite.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from common.access import require
from common.audit import security_event_for
from partnerships.models import Organisation

from ..access import (
    CHANGE_REFUSED,
    can_change_answers,
    can_reopen,
    can_start_assessment,
    left_partnership_on,
)
from ..insights.tasks import refresh_after_commit
from ..models import (
    MAX_LEVEL,
    MIN_LEVEL,
    Answer,
    AnswerChange,
    Assessment,
    AssessmentReopening,
    AssessmentStatus,
    Dimension,
    Level,
    Question,
    Round,
    RoundStatus,
)
from ..reporting.pdf_queue import queue_after_commit
from .selectors import answers_in_order, missing_for_submission

START_REFUSED = "Only an ICT manager can start their organisation's assessment"
REOPEN_REFUSED = (
    "Only an administrator or the partnership's coordinator can reopen a submitted assessment"
)
EVIDENCE_MAX_CHARACTERS = 5000
COMMENT_MAX_CHARACTERS = 2000


class AssessmentNotEditable(Exception):
    """The assessment has been submitted; nothing in it may change."""


class MemberHasLeft(AssessmentNotEditable):
    """The organisation has left the round's partnership, so its open assessment there
    can no longer change (its submitted ones stay in the rounds it took part in)."""


class InvalidAnswer(ValueError):
    """An answer the form layer should already have refused."""


class CopyRefused(ValueError):
    """Answers may be copied only from the organisation's own submitted assessment."""


class AlreadyOpen(Exception):
    """Reopening an assessment that is not submitted (someone reopened it first)."""


class RoundClosed(Exception):
    """The round has closed, so no new assessment can start in it."""


class ReasonRequired(ValueError):
    """Reopening a submitted assessment needs a reason, for the record."""


class IncompleteAssessment(Exception):
    def __init__(self, missing: list[Question], unchecked: list[Dimension]):
        super().__init__("The assessment is not complete")
        self.missing = missing
        self.unchecked = unchecked


@dataclass(frozen=True)
class AnswerInput:
    question_id: int
    level: int | None
    evidence: str
    comment: str
    version: int  # the version the user's page was built from

    @property
    def level_label(self) -> str:
        return "Not answered" if self.level is None else f"{self.level} – {Level(self.level).label}"

    def same_values_as(self, answer: Answer) -> bool:
        return (self.level, self.evidence, self.comment) == (
            answer.level,
            answer.evidence,
            answer.comment,
        )


@dataclass(frozen=True)
class Conflict:
    """Someone else saved this answer after the user's page was loaded."""

    submitted: AnswerInput
    current: Answer


class SaveConflict(Exception):
    def __init__(self, conflicts: list[Conflict]):
        super().__init__(f"{len(conflicts)} answer(s) changed since the page was loaded")
        self.conflicts = conflicts


@transaction.atomic
def start_assessment(
    *, round: Round, organisation: Organisation, user, copy_from: Assessment | None = None
) -> Assessment:
    """Create the organisation's assessment for the round with one answer row per
    statement, copying answers (marked as copied) from an earlier assessment if asked.
    Starting twice returns the assessment that already exists."""
    require(
        can_start_assessment(user, round) and user.organisation_id == organisation.pk,
        START_REFUSED,
    )
    existing = Assessment.objects.filter(round=round, organisation=organisation).first()
    if existing is not None:
        return existing
    # Read afresh, not from the objects the page was built with: the round may have
    # closed, or the earlier assessment been reopened, since.
    if not Round.objects.filter(pk=round.pk, status=RoundStatus.OPEN).exists():
        raise RoundClosed("The round has closed")
    if (
        copy_from is not None
        and not Assessment.objects.filter(
            pk=copy_from.pk, organisation=organisation, status=AssessmentStatus.SUBMITTED
        ).exists()
    ):
        raise CopyRefused("Answers can only be copied from your own submitted assessment")
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                round=round, organisation=organisation, created_by=user
            )
    except IntegrityError:
        # Someone else in the organisation started it at the same moment.
        return Assessment.objects.get(round=round, organisation=organisation)

    earlier = {}
    if copy_from is not None:
        # Statements are matched by code, so answers carry across framework versions.
        earlier = {
            answer.question.code: answer
            for answer in copy_from.answers.select_related("question")
            if answer.level is not None or answer.evidence or answer.comment
        }
    now = timezone.now()
    answers = []
    for question in Question.objects.filter(dimension__framework_id=round.framework_id):
        source = earlier.get(question.code)
        answers.append(
            Answer(
                assessment=assessment,
                question=question,
                level=source.level if source else None,
                evidence=source.evidence if source else "",
                comment=source.comment if source else "",
                copied=source is not None,
                updated_at=now,
                updated_by=user,
            )
        )
    Answer.objects.bulk_create(answers)
    return assessment


def ensure_answer_rows(assessment: Assessment, user=None) -> None:
    """Give every statement of the assessment's framework an answer row (not yet
    answered), e.g. for an assessment an administrator created in the admin."""
    existing = set(
        Answer.objects.filter(assessment=assessment).values_list("question_id", flat=True)
    )
    missing = Question.objects.filter(
        dimension__framework_id=assessment.round.framework_id
    ).exclude(pk__in=existing)
    Answer.objects.bulk_create(
        [Answer(assessment=assessment, question=q, updated_by=user) for q in missing],
        ignore_conflicts=True,  # another request may be adding the same rows
    )


def _lock_draft(assessment: Assessment) -> None:
    """Touch the assessment row only if it is still a draft. On PostgreSQL the UPDATE
    also locks the row, so saves and a submission of one assessment take turns."""
    touched = Assessment.objects.filter(pk=assessment.pk, status=AssessmentStatus.DRAFT).update(
        updated_at=timezone.now()
    )
    if not touched:
        raise AssessmentNotEditable(
            "This assessment has been submitted, so it can no longer be changed"
        )
    if left_partnership_on(assessment) is not None:
        raise MemberHasLeft("The organisation has left this partnership")


def _check_input(entry: AnswerInput) -> None:
    if entry.level is not None and not MIN_LEVEL <= entry.level <= MAX_LEVEL:
        raise InvalidAnswer(f"Level {entry.level} is outside {MIN_LEVEL} to {MAX_LEVEL}")
    if len(entry.evidence) > EVIDENCE_MAX_CHARACTERS:
        raise InvalidAnswer(f"Evidence is over {EVIDENCE_MAX_CHARACTERS} characters")
    if len(entry.comment) > COMMENT_MAX_CHARACTERS:
        raise InvalidAnswer(f"Comment is over {COMMENT_MAX_CHARACTERS} characters")


@transaction.atomic
def save_dimension(
    *, assessment: Assessment, dimension: Dimension, user, answers: list[AnswerInput]
) -> int:
    """Save one dimension's answers. Returns how many answers changed.

    Raises SaveConflict (and saves nothing) if another save changed any of these
    answers since the user's page was loaded and the user's values differ from the
    saved ones."""
    require(can_change_answers(user, assessment), CHANGE_REFUSED)
    _lock_draft(assessment)
    current = {
        answer.question_id: answer
        for answer in Answer.objects.filter(
            assessment=assessment, question__dimension=dimension
        ).select_related("updated_by")
    }
    unknown = {entry.question_id for entry in answers} - set(current)
    if unknown:
        raise InvalidAnswer(f"Statements {sorted(unknown)} are not part of {dimension.name}")

    now = timezone.now()
    conflicts, changes = [], []
    for entry in answers:
        _check_input(entry)
        answer = current[entry.question_id]
        if entry.version != answer.version:
            if not entry.same_values_as(answer):
                conflicts.append(Conflict(entry, answer))
            continue
        if entry.same_values_as(answer) and not answer.copied:
            continue
        updated = Answer.objects.filter(pk=answer.pk, version=entry.version).update(
            level=entry.level,
            evidence=entry.evidence,
            comment=entry.comment,
            copied=False,
            version=F("version") + 1,
            updated_at=now,
            updated_by=user,
        )
        if not updated:  # changed between our read and this write
            answer.refresh_from_db()
            conflicts.append(Conflict(entry, answer))
            continue
        changes.append(
            AnswerChange(
                answer=answer,
                changed_by=user,
                changed_at=now,
                old_level=answer.level,
                new_level=entry.level,
                evidence_changed=entry.evidence != answer.evidence,
                comment_changed=entry.comment != answer.comment,
                version=entry.version + 1,
            )
        )
    if conflicts:
        # Raising rolls back every answer saved above: all or nothing.
        raise SaveConflict(conflicts)
    AnswerChange.objects.bulk_create(changes)
    return len(changes)


@transaction.atomic
def submit_assessment(*, assessment: Assessment, user) -> Assessment:
    require(can_change_answers(user, assessment), CHANGE_REFUSED)
    _lock_draft(assessment)
    ensure_answer_rows(assessment, user)
    missing, unchecked = missing_for_submission(answers_in_order(assessment))
    if missing or unchecked:
        raise IncompleteAssessment(missing, unchecked)
    now = timezone.now()
    Assessment.objects.filter(pk=assessment.pk, status=AssessmentStatus.DRAFT).update(
        status=AssessmentStatus.SUBMITTED, submitted_at=now, submitted_by=user, updated_at=now
    )
    assessment.refresh_from_db()
    # The peer figures first: the PDFs queued next show them.
    refresh_after_commit(assessment.round.framework_id)
    queue_after_commit(rounds=[assessment.round], assessments=[assessment])
    return assessment


@transaction.atomic
def reopen_assessment(*, assessment: Assessment, user, reason: str) -> AssessmentReopening:
    """Administrators only: make a submitted assessment editable again, on the record."""
    require(can_reopen(user, assessment), REOPEN_REFUSED)
    reason = reason.strip()
    if not reason:
        raise ReasonRequired("A reason is needed to reopen an assessment")
    assessment.refresh_from_db()
    submitted_at = assessment.submitted_at
    # Conditional, so of two administrators reopening at once exactly one succeeds;
    # the other is told it is already open (never a half-recorded reopening).
    reopened = Assessment.objects.filter(
        pk=assessment.pk, status=AssessmentStatus.SUBMITTED, submitted_at=submitted_at
    ).update(
        status=AssessmentStatus.DRAFT,
        submitted_at=None,
        submitted_by=None,
        updated_at=timezone.now(),
    )
    if not reopened or submitted_at is None:
        raise AlreadyOpen("This assessment is not submitted, so it is already open")
    reopening = AssessmentReopening.objects.create(
        assessment=assessment,
        reopened_by=user,
        reason=reason,
        previously_submitted_at=submitted_at,
    )
    security_event_for(
        "reopened",
        user=user,
        partnership=assessment.round.partnership,
        detail=f"Reopened the assessment of {assessment.organisation} in {assessment.round.name}",
    )
    assessment.refresh_from_db()
    # Its scores leave the peer figures until it is submitted again.
    refresh_after_commit(assessment.round.framework_id)
    return reopening
