"""Inviting people of member organisations, resending or cancelling invitations,
turning off the account of someone who has left, and adding coordinators."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods, require_POST

from common.access import require
from partnerships.access import can_deactivate_person, get_partnership_to_coordinate
from partnerships.coordination import (
    add_coordinator,
    cancel_invitation,
    deactivate_person,
    invite_person,
    is_pending_invitation,
    resend_invitation,
)
from partnerships.models import Membership, User

from ..forms import CoordinatorForm, InviteForm
from . import done, form_page


def _members(partnership):
    return (
        Membership.objects.current()
        .filter(partnership=partnership)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def _member_person(partnership, person_id: int) -> User:
    """A person of a current member organisation: anyone else is a 404."""
    return get_object_or_404(
        User.objects.filter(
            organisation__memberships__in=_members(partnership), is_active=True
        ).distinct(),
        pk=person_id,
    )


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


@login_required
@require_http_methods(["GET", "POST"])
def invite(request, pk: int):
    partnership = get_partnership_to_coordinate(request.user, pk)

    def change(data):
        data = dict(data)
        membership = data.pop("organisation")
        person = invite_person(
            partnership=partnership,
            organisation=membership.organisation,
            user=request.user,
            base_url=_base_url(request),
            **data,
        )
        return (
            f"Invited {person.get_full_name()} ({person.email}). The link in their email "
            "works for 3 days"
        )

    form = InviteForm(request.POST or None, memberships=_members(partnership))
    return form_page(request, partnership, form, "coordination/invite.html", change)


@login_required
@require_POST
def resend(request, pk: int, person_id: int):
    partnership = get_partnership_to_coordinate(request.user, pk)
    person = _member_person(partnership, person_id)
    try:
        resend_invitation(
            partnership=partnership, person=person, user=request.user, base_url=_base_url(request)
        )
    except ValidationError as error:
        return done(request, partnership, error.messages[0], refused=True)
    return done(request, partnership, f"Sent the invitation to {person.email} again")


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request, pk: int, person_id: int):
    partnership = get_partnership_to_coordinate(request.user, pk)
    person = _member_person(partnership, person_id)
    if not is_pending_invitation(person):
        return done(
            request, partnership, "This person has already accepted the invitation", refused=True
        )
    if request.method == "POST":
        try:
            cancel_invitation(partnership=partnership, person=person, user=request.user)
        except ValidationError as error:
            return done(request, partnership, error.messages[0], refused=True)
        return done(request, partnership, f"Cancelled the invitation of {person.email}")
    return render(
        request,
        "coordination/confirm_person.html",
        {
            "partnership": partnership,
            "person": person,
            "title": f"Cancel the invitation of {person.email}?",
            "explanation": "The link in their email stops working and the account goes.",
            "button": "Cancel the invitation",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def deactivate(request, pk: int, person_id: int):
    partnership = get_partnership_to_coordinate(request.user, pk)
    person = _member_person(partnership, person_id)
    require(
        can_deactivate_person(request.user, person, partnership),
        "This person also belongs to a partnership you do not run: ask an administrator",
    )
    if request.method == "POST":
        deactivate_person(partnership=partnership, person=person, user=request.user)
        return done(request, partnership, f"Turned off the account of {person.email}")
    return render(
        request,
        "coordination/confirm_person.html",
        {
            "partnership": partnership,
            "person": person,
            "title": f"Turn off the account of {person.get_full_name() or person.email}?",
            "explanation": (
                "They are signed out everywhere and cannot sign in again. Their answers, "
                "sign-offs and actions stay on the record."
            ),
            "button": "Turn off the account",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def add_coordinator_page(request, pk: int):
    partnership = get_partnership_to_coordinate(request.user, pk)

    def change(data):
        email = data["email"]
        person = User.objects.filter(email__iexact=email, is_active=True).first()
        if person is None:
            raise ValidationError(
                {
                    "email": "Nobody with this email address has an account. Invite them "
                    "first, or ask an administrator"
                }
            )
        add_coordinator(partnership=partnership, person=person, user=request.user)
        return f"{person.get_full_name() or email} is now a coordinator"

    form = CoordinatorForm(request.POST or None)
    return form_page(request, partnership, form, "coordination/add_coordinator.html", change)
