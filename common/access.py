"""How an access decision becomes a response. The decisions themselves are named
predicates in each app's `access.py`; views load objects through that module's
`get_..._for_user` helpers (another organisation's object is a 404, so its existence
is not revealed) and pass every "may this person change it?" through `require`,
which answers "no" with a 403 (yours to see, not to change).

`scoped_to_organisation` is the one rule behind every `visible_to(user)` queryset:
administrators (staff) see every row, visitors and people without an organisation
see none, and everyone else sees what their organisation's rows allow."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def scoped_to_organisation(
    queryset: QuerySet, user, narrow: Callable[[QuerySet, int], QuerySet]
) -> QuerySet:
    if user.is_staff:
        return queryset
    if not user.is_authenticated or user.organisation_id is None:
        return queryset.none()
    return narrow(queryset, user.organisation_id)
