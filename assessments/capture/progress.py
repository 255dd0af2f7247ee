"""How far an assessment has got, dimension by dimension, for the task list."""

from dataclasses import dataclass
from enum import Enum

from django.db.models import Count

from ..models import Answer, Assessment, Dimension


class DimensionStatus(Enum):
    NOT_STARTED = "Not yet started"
    IN_PROGRESS = "In progress"
    COMPLETED = "Completed"


@dataclass
class DimensionProgress:
    dimension: Dimension
    total: int
    answered: int
    copied: int
    touched: bool  # anything entered or saved, even without a level

    @property
    def status(self) -> DimensionStatus:
        # Copied answers count only once someone has checked and saved them.
        if self.total and self.answered == self.total and not self.copied:
            return DimensionStatus.COMPLETED
        if self.answered or self.copied or self.touched:
            return DimensionStatus.IN_PROGRESS
        return DimensionStatus.NOT_STARTED


@dataclass
class AssessmentProgress:
    dimensions: list[DimensionProgress]

    @property
    def completed(self) -> int:
        return sum(1 for d in self.dimensions if d.status is DimensionStatus.COMPLETED)

    @property
    def total(self) -> int:
        return len(self.dimensions)

    @property
    def is_complete(self) -> bool:
        return self.completed == self.total


def assessment_progress(assessment: Assessment) -> AssessmentProgress:
    """Two queries, whatever the size: the framework's dimensions (with how many
    statements each has) and the answers. A statement without an answer row yet
    counts as not answered."""
    dimensions = Dimension.objects.filter(framework_id=assessment.round.framework_id).annotate(
        question_count=Count("questions")
    )
    by_dimension = {d.pk: DimensionProgress(d, d.question_count, 0, 0, False) for d in dimensions}
    rows = Answer.objects.filter(assessment=assessment).values_list(
        "question__dimension_id", "level", "copied", "version", "evidence", "comment"
    )
    for dimension_id, level, copied, version, evidence, comment in rows:
        progress = by_dimension[dimension_id]
        progress.answered += level is not None
        progress.copied += copied
        progress.touched |= version > 1 or bool(evidence or comment)
    return AssessmentProgress(list(by_dimension.values()))
