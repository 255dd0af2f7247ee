"""Reads for the capture pages: what a page needs, loaded in a fixed number of
queries. Writes are in `services.py`."""

from partnerships.models import Organisation

from ..models import (
    Answer,
    AnswerChange,
    Assessment,
    AssessmentStatus,
    Dimension,
    Question,
    Round,
)


def latest_submitted_assessment(organisation: Organisation, *, exclude_round: Round | None = None):
    """The organisation's most recently submitted assessment in any partnership."""
    assessments = Assessment.objects.filter(
        organisation=organisation, status=AssessmentStatus.SUBMITTED
    ).select_related("round__partnership")
    if exclude_round is not None:
        assessments = assessments.exclude(round=exclude_round)
    return assessments.order_by("-submitted_at", "-pk").first()


def answers_in_order(assessment: Assessment) -> list[Answer]:
    return list(
        Answer.objects.filter(assessment=assessment)
        .select_related("question__dimension")
        .order_by("question__dimension__position", "question__position")
    )


def missing_for_submission(answers: list[Answer]) -> tuple[list[Question], list[Dimension]]:
    """Statements not yet answered, and dimensions whose copied answers nobody has
    checked and saved yet."""
    missing = [answer.question for answer in answers if answer.level is None]
    unchecked = []
    for answer in answers:
        dimension = answer.question.dimension
        if answer.copied and dimension not in unchecked:
            unchecked.append(dimension)
    return missing, unchecked


def assessment_for_round(round_: Round, organisation: Organisation) -> Assessment | None:
    return Assessment.objects.filter(round=round_, organisation=organisation).first()


def answers_by_question(assessment: Assessment, dimension: Dimension) -> dict[int, Answer]:
    rows = Answer.objects.filter(assessment=assessment, question__dimension=dimension)
    return {answer.question_id: answer for answer in rows.select_related("updated_by")}


def framework_dimensions(framework_id: int) -> list[Dimension]:
    return list(Dimension.objects.filter(framework_id=framework_id))


def dimension_changes(assessment: Assessment, dimension: Dimension) -> list[AnswerChange]:
    return list(
        AnswerChange.objects.filter(
            answer__assessment=assessment, answer__question__dimension=dimension
        ).select_related("answer__question", "changed_by")
    )


def answers_by_dimension(answers: list[Answer]) -> dict[Dimension, list[Answer]]:
    sections: dict[Dimension, list[Answer]] = {}
    for answer in answers:
        sections.setdefault(answer.question.dimension, []).append(answer)
    return sections
