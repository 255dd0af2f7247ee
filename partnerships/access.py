"""Who may see a partnership and change its funding formula. Non-members get 404."""

from django.shortcuts import get_object_or_404

from .models import MembershipRole, Partnership


def get_partnership_for_user(user, pk: int) -> Partnership:
    return get_object_or_404(Partnership.objects.visible_to(user), pk=pk)


def can_record_funding_formula(user, partnership: Partnership) -> bool:
    """Administrators, or an executive of the lead partner."""
    if user.is_staff:
        return True
    return (
        user.is_executive
        and partnership.memberships.current()
        .filter(organisation_id=user.organisation_id, role=MembershipRole.LEAD)
        .exists()
    )
