"""Who must use a second factor, who may give a role to a newly arrived person, and who
may read the security log: every such decision in the identity app is a predicate here.

| predicate | who passes |
| --- | --- |
| `mfa_required(user)` | roles in MFA_REQUIRED_FOR (administrators, executives) |
| `awaits_role(user)` | a person of an organisation with no role yet (new by SSO) |
| `can_assign_role(user, person)` | administrators, or an executive of the person's |
| | organisation, while the person awaits a role |
| `can_give_roles(user)` | executives (for their organisation's people awaiting a role) |
| `can_view_security_log(user)` | administrators |

`people_to_give_roles(user)` is the queryset those executives see, and
`ACCESS_FIELDS` the account fields that decide what a person may do (the security log
records every change to them).
"""

from django.conf import settings

from partnerships.access import can_administer, coordinates_any, is_executive, is_ict_manager
from partnerships.models import User

ACCESS_FIELDS = ("role", "organisation_id", "is_staff", "is_superuser", "is_active")


def mfa_required(user) -> bool:
    required = set(settings.MFA_REQUIRED_FOR)
    return (
        ("administrator" in required and can_administer(user))
        or ("executive" in required and is_executive(user))
        or ("ict_manager" in required and is_ict_manager(user))
    )


def awaits_role(user) -> bool:
    return (
        user.is_authenticated
        and not user.is_staff
        and user.organisation_id is not None
        and not user.role
        and not coordinates_any(user)  # a coordinator's work needs no role
    )


def can_assign_role(user, person) -> bool:
    if not person.is_active or not awaits_role(person):
        return False
    if can_administer(user):
        return True
    return is_executive(user) and user.organisation_id == person.organisation_id


def can_give_roles(user) -> bool:
    return is_executive(user)


def people_to_give_roles(user):
    if not can_give_roles(user):
        return User.objects.none()
    return User.objects.filter(
        organisation_id=user.organisation_id, role="", is_active=True, is_staff=False
    )


def can_view_security_log(user) -> bool:
    return can_administer(user)
