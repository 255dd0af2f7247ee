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
| `can_manage_members(user, partnership)` | administrators, the partnership's coordinators |
| `is_coordinator(user, partnership)` | people given the coordinator role for the partnership |
| `can_coordinate(user, partnership)` | administrators, the partnership's coordinators |
| `can_invite_for(user, partnership, organisation)` | as `can_coordinate`, for a current member |
| `can_deactivate_person(user, person, partnership)` | as `can_coordinate`, for a person of a |
| | current member who belongs to no partnership the user does not run |

`get_partnership_to_coordinate(user, pk)` loads a partnership the user may run (404
otherwise, so another partnership's existence is not revealed).
"""

from django.db.models import Exists, OuterRef, Subquery
from django.shortcuts import get_object_or_404

from .models import Coordinator, Membership, MembershipRole, Partnership, Role


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


def place_in(user, partnership: Partnership) -> tuple[str | None, bool]:
    """The role of the user's organisation in the partnership today (None: not a
    member) and whether the user coordinates it, in one query, for pages that ask
    several of the questions below at once."""
    if not user.is_authenticated:
        return None, False
    row = (
        Partnership.objects.filter(pk=partnership.pk)
        .annotate(
            member_role=Subquery(
                _current_membership(user, partnership).order_by().values("role")[:1]
            ),
            coordinates=Exists(
                Coordinator.objects.filter(partnership=OuterRef("pk"), user_id=user.pk)
            ),
        )
        .values_list("member_role", "coordinates")
        .first()
    )
    if row is None or user.organisation_id is None:
        return None, bool(row and row[1])
    return row


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
    return (
        can_administer(user)
        or is_lead_executive(user, partnership)
        or is_coordinator(user, partnership)
    )


def get_partnership_for_user(user, pk: int) -> Partnership:
    """A partnership the user's organisation belongs to today (any for staff); 404
    otherwise."""
    return get_object_or_404(Partnership.objects.visible_to(user), pk=pk)


def navigation(request) -> dict:
    """Context processor: what the header and dashboard offer this person."""
    return {"can_administer": can_administer(request.user)}


def can_manage_members(user, partnership: Partnership) -> bool:
    """Adding members, changing their role and ending memberships."""
    return can_coordinate(user, partnership)


def is_coordinator(user, partnership: Partnership) -> bool:
    return (
        user.is_authenticated
        and Coordinator.objects.filter(partnership=partnership, user_id=user.pk).exists()
    )


def coordinates_any(user) -> bool:
    return user.is_authenticated and Coordinator.objects.filter(user_id=user.pk).exists()


def coordinated_by(user) -> list[Partnership]:
    """The partnerships the user is a coordinator of (administrators run any, from
    the list of all; this is only those they were named for)."""
    if not user.is_authenticated:
        return []
    return list(Partnership.objects.filter(coordinators__user_id=user.pk).order_by("name"))


def can_coordinate(user, partnership: Partnership) -> bool:
    return can_administer(user) or is_coordinator(user, partnership)


def partnerships_to_coordinate(user):
    if can_administer(user):
        return Partnership.objects.all()
    if not user.is_authenticated:
        return Partnership.objects.none()
    return Partnership.objects.filter(coordinators__user_id=user.pk)


def get_partnership_to_coordinate(user, pk: int) -> Partnership:
    return get_object_or_404(partnerships_to_coordinate(user), pk=pk)


def _is_current_member_organisation(partnership: Partnership, organisation_id) -> bool:
    return (
        organisation_id is not None
        and Membership.objects.current()
        .filter(partnership=partnership, organisation_id=organisation_id)
        .exists()
    )


def can_invite_for(user, partnership: Partnership, organisation) -> bool:
    return can_coordinate(user, partnership) and _is_current_member_organisation(
        partnership, getattr(organisation, "pk", None)
    )


def deactivatable_people(user, partnership: Partnership, people) -> set[int]:
    """`can_deactivate_person` for many people of current members at once (the
    overview's links), in two queries whatever their number."""
    if not can_coordinate(user, partnership):
        return set()
    people = [p for p in people if not p.is_staff and p.pk != user.pk and p.is_active]
    if can_administer(user):
        return {person.pk for person in people}
    run = partnerships_to_coordinate(user).values("pk")
    elsewhere = set(
        Membership.objects.current()
        .filter(organisation_id__in={person.organisation_id for person in people})
        .exclude(partnership__in=run)
        .values_list("organisation_id", flat=True)
    )
    coordinating_elsewhere = set(
        Coordinator.objects.filter(user__in=people)
        .exclude(partnership__in=run)
        .values_list("user_id", flat=True)
    )
    return {
        person.pk
        for person in people
        if person.organisation_id not in elsewhere and person.pk not in coordinating_elsewhere
    }


def can_deactivate_person(user, person, partnership: Partnership) -> bool:
    """A coordinator turns off the account of someone of a member organisation who has
    left, but not an administrator's, their own, or that of someone whose organisation
    (or coordination) is also in a partnership this coordinator does not run."""
    if person.is_staff or person.pk == user.pk or not can_coordinate(user, partnership):
        return False
    if not _is_current_member_organisation(partnership, person.organisation_id):
        return False
    if can_administer(user):
        return True
    run = partnerships_to_coordinate(user).values("pk")
    elsewhere = Membership.objects.current().filter(organisation_id=person.organisation_id)
    if elsewhere.exclude(partnership__in=run).exists():
        return False
    return not Coordinator.objects.filter(user=person).exclude(partnership__in=run).exists()
