"""Who may see and change rounds and assessments: every such decision in the
assessments app is a predicate here. Views load objects through the
`get_..._for_user` helpers (another organisation's assessment, or a round of a
partnership the user's organisation is not in, is a 404) and pass each "may this
person change it?" through `common.access.require` (403). Services call the same
predicates as a second line of defence; templates receive booleans.

| predicate | who passes |
| --- | --- |
| `can_view_assessment(user, assessment)` | its organisation's people; administrators |
| `can_start_assessment(user, round)` | an ICT manager of a current member organisation |
| `can_change_answers(user, assessment)` | the assessment's organisation's ICT managers |
| `answers_editable(user, assessment)` | as above, while the assessment is a draft |
| `can_reopen(user, assessment)` | administrators |
| `can_manage_rounds(user, partnership)` | administrators |
"""

from django.shortcuts import get_object_or_404

from common.access import require
from partnerships.access import can_administer, is_current_member, is_ict_manager

from .models import Assessment, Dimension, Round

CHANGE_REFUSED = "Only the organisation's ICT manager can change its assessment"


def can_view_assessment(user, assessment: Assessment) -> bool:
    return can_administer(user) or (
        user.is_authenticated and user.organisation_id == assessment.organisation_id
    )


def can_start_assessment(user, round_: Round, *, is_member: bool | None = None) -> bool:
    """`is_member` is for callers that have already loaded the user's membership of
    the round's partnership (the dashboard), to save a query per round."""
    if not is_ict_manager(user):
        return False
    return is_current_member(user, round_.partnership) if is_member is None else is_member


def can_change_answers(user, assessment: Assessment) -> bool:
    return is_ict_manager(user) and user.organisation_id == assessment.organisation_id


def answers_editable(user, assessment: Assessment) -> bool:
    return can_change_answers(user, assessment) and not assessment.is_submitted


def can_reopen(user, assessment: Assessment) -> bool:
    return can_administer(user)


def can_manage_rounds(user, partnership) -> bool:
    return can_administer(user)


def get_assessment_for_user(user, pk: int, *, write: bool = False) -> Assessment:
    assessment = get_object_or_404(
        Assessment.objects.visible_to(user).select_related(
            "round__partnership", "round__framework", "organisation", "submitted_by"
        ),
        pk=pk,
    )
    if write:
        require(can_change_answers(user, assessment), CHANGE_REFUSED)
    return assessment


def get_dimension_for_assessment(assessment: Assessment, code: str) -> Dimension:
    return get_object_or_404(Dimension, framework_id=assessment.round.framework_id, code=code)


def get_round_for_user(user, pk: int) -> Round:
    """A round of a partnership the user's organisation currently belongs to."""
    return get_object_or_404(
        Round.objects.visible_to(user).select_related("partnership", "framework"), pk=pk
    )
