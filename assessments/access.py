"""One place that decides who may see and change an assessment.

Another organisation's assessment is a 404 (its existence is not revealed); a user who
may read but not change it gets a 403 on any change."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Assessment, Dimension, Round


def can_edit(user, assessment: Assessment) -> bool:
    return user.is_ict_manager and user.organisation_id == assessment.organisation_id


def get_assessment_for_user(user, pk: int, *, write: bool = False) -> Assessment:
    assessment = get_object_or_404(
        Assessment.objects.visible_to(user).select_related(
            "round__partnership", "round__framework", "organisation", "submitted_by"
        ),
        pk=pk,
    )
    if write and not can_edit(user, assessment):
        raise PermissionDenied("Only the organisation's ICT manager can change its assessment")
    return assessment


def get_dimension_for_assessment(assessment: Assessment, code: str) -> Dimension:
    return get_object_or_404(Dimension, framework_id=assessment.round.framework_id, code=code)


def get_round_for_user(user, pk: int) -> Round:
    """A round of a partnership the user's organisation currently belongs to."""
    return get_object_or_404(
        Round.objects.visible_to(user).select_related("partnership", "framework"), pk=pk
    )
