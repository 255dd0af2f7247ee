"""What the partnership will see from one organisation's answers, before they are
submitted: its scores and the gaps its answers raise.

The check-answers page shows this so that an ICT manager is not surprised by the
partnership report. It reuses the report's own pieces (`_framework`, `scores_by_dimension`,
`_score_entry`, `_gap_data`) and the same gap rules, so the preview cannot drift from
what the report says after submission. It works on the answers the page has already
loaded, with their questions and dimensions, so it adds no query.

Only this organisation's own rules run. The partnership-wide ones (funding formula
sign-off, members without a submission, partners diverging) depend on signatures and
on other organisations, not on these answers.
"""

from collections import Counter
from collections.abc import Sequence
from datetime import date

from django.utils import timezone

from ..models import Answer, Assessment, AssessmentStatus
from .data import _framework, _gap_data, _score_entry, scores_by_dimension
from .gaps import Context, PartnerFacts, Severity, partner_gaps, sort_gaps
from .scoring import overall_score


def answers_preview(
    assessment: Assessment, answers: Sequence[Answer], *, today: date | None = None
) -> dict:
    """The organisation's score per dimension and overall, and its gaps, critical
    first, as the partnership report would show them once these answers are submitted.

    `answers` are every answer row of the assessment in framework order, each with its
    question and the question's dimension loaded (`answers_in_order`). A dimension with
    statements still unanswered is scored from what is answered, as the reports do."""
    today = today or timezone.localdate()
    facts, dimensions = _framework([answer.question for answer in answers])
    order = [d["code"] for d in dimensions]
    scores = scores_by_dimension(
        (a.question.dimension.code, a.question.weight, a.level) for a in answers
    )
    scores = {code: scores.get(code) for code in order}
    # As it will be once submitted today: a submitted partner, so the rules judge it as
    # the report will, and never stale.
    own = PartnerFacts(
        name=assessment.organisation.name,
        status=AssessmentStatus.SUBMITTED.value,
        submitted_on=today,
        dimension_scores=scores,
        levels={a.question.code: a.level for a in answers},
    )
    gaps = sort_gaps(partner_gaps(own, Context(facts, today, funding_formula_version=None)), order)

    statements = Counter(a.question.dimension.code for a in answers)
    answered = Counter(a.question.dimension.code for a in answers if a.level is not None)
    return {
        "dimensions": [
            {
                **d,
                **_score_entry(scores[d["code"]]),
                "statements": statements[d["code"]],
                "answered": answered[d["code"]],
            }
            for d in dimensions
        ],
        "overall": _score_entry(overall_score(scores.values())),
        "statements": len(answers),
        "answered": sum(answered.values()),
        "gaps": [_gap_data(gap, facts.dimension_names) for gap in gaps],
        "critical_gaps": sum(1 for gap in gaps if gap.severity is Severity.CRITICAL),
    }
