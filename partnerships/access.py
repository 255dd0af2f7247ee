"""Who may see a partnership, administer the service, and sign or record its funding
formula: every such decision in the partnerships app is a predicate here. Views and
services call these; templates receive their answers as booleans.

| predicate | who passes |
| --- | --- |
| `can_administer(user)` | administrators (staff users) |
| `is_current_member(user, partnership)` | people of an organisation that is a member today |
| `can_sign_funding(user, partnership)` | an executive of a current member organisation |
| `is_lead_executive(user, partnership)` | an executive of the current lead partner |
| `can_record_funding(user, partnership)` | administrators, or an executive of the lead partner |
| `can_manage_members(user, partnership)` | administrators |
"""

from django.shortcuts import get_object_or_404

from .models import Membership, MembershipRole, Partnership, Role


def _has_role(user, role: str) -> bool:
    return user.is_authenticated and user.organisation_id is not None and user.role == role


def is_ict_manager(user) -> bool:
    return _has_role(user, Role.ICT_MANAGER)


def is_executive(user) -> bool:
    return _has_role(user, Role.EXECUTIVE)


def can_administer(user) -> bool:
    return user.is_authenticated and user.is_staff


def _current_membership(user, partnership: Partnership):
    return Membership.objects.current().filter(
        partnership=partnership, organisation_id=user.organisation_id
    )


def is_current_member(user, partnership: Partnership) -> bool:
    if not user.is_authenticated or user.organisation_id is None:
        return False
    return _current_membership(user, partnership).exists()


def can_sign_funding(user, partnership: Partnership, *, is_member: bool | None = None) -> bool:
    """The formula is agreed by each member's chief executive and finance director,
    so only an executive of a current member signs it. `is_member` is for callers that
    already know (the dashboard)."""
    if not is_executive(user):
        return False
    return is_current_member(user, partnership) if is_member is None else is_member


def is_lead_executive(user, partnership: Partnership, *, membership=None) -> bool:
    """An executive of the partnership's current lead partner. `membership` is for
    callers that have already loaded the user's current membership (the dashboard)."""
    if not is_executive(user):
        return False
    if membership is not None:
        return membership.role == MembershipRole.LEAD
    return _current_membership(user, partnership).filter(role=MembershipRole.LEAD).exists()


def can_record_funding(user, partnership: Partnership) -> bool:
    return can_administer(user) or is_lead_executive(user, partnership)


def get_partnership_for_user(user, pk: int) -> Partnership:
    """A partnership the user's organisation belongs to today (any for staff); 404
    otherwise."""
    return get_object_or_404(Partnership.objects.visible_to(user), pk=pk)


def navigation(request) -> dict:
    """Context processor: what the header and dashboard offer this person."""
    return {"can_administer": can_administer(request.user)}


def can_manage_members(user, partnership: Partnership) -> bool:
    """Adding members, changing their role and ending memberships."""
    return can_administer(user)
