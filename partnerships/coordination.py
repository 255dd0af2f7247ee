"""Writes that run a partnership, for its coordinators and administrators: coordinators,
members, the lead partner, and the people of member organisations (invitations and
deactivation). Each checks the access predicates, runs in one transaction, and is
recorded in the security log against the partnership (who, when, what).

Rounds and reopenings are the assessments app's (`assessments/rounds.py`,
`assessments/capture/services.py`); the funding formula is `services.py`'s.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from common.access import require
from common.audit import security_event_for

from .access import can_coordinate, can_deactivate_person, can_invite_for
from .invitations import invite_user, send_invitation
from .models import Coordinator, Membership, MembershipRole, Organisation, Partnership, User
from .organisation_csv.columns import name_key
from .services import end_memberships, save_membership

COORDINATORS_ONLY = "Only the partnership's coordinators and administrators can do this"


def _log(partnership: Partnership, user, detail: str, about=None) -> None:
    security_event_for(
        "partnership_changed", user=user, detail=detail, partnership=partnership, about=about
    )


@transaction.atomic
def add_coordinator(*, partnership: Partnership, person: User, user) -> Coordinator:
    require(can_coordinate(user, partnership), COORDINATORS_ONLY)
    if not person.is_active:
        raise ValidationError({"person": "This account is turned off. Choose someone else"})
    coordinator, created = Coordinator.objects.get_or_create(
        partnership=partnership, user=person, defaults={"added_by": user}
    )
    if created:
        _log(partnership, user, f"Made {person.get_full_name() or person} a coordinator", person)
    return coordinator


@transaction.atomic
def remove_coordinator(*, coordinator: Coordinator, user) -> None:
    partnership = coordinator.partnership
    require(can_coordinate(user, partnership), COORDINATORS_ONLY)
    person = coordinator.user
    coordinator.delete()
    _log(
        partnership, user, f"{person.get_full_name() or person} is no longer a coordinator", person
    )


def check_new_organisation(organisation: Organisation) -> None:
    """The organisation import's checks for one new organisation: a valid name, kind
    and GSS code, and no organisation already with that name or code."""
    organisation.name = " ".join(organisation.name.split())
    organisation.full_clean(validate_unique=False)
    code = (organisation.gss_code or "").strip().upper()
    if code and Organisation.objects.filter(gss_code=code).exists():
        raise ValidationError(
            {"gss_code": f"An organisation with the GSS code {code} exists. Search for it"}
        )
    key = name_key(organisation.name)
    candidates = Organisation.objects.filter(name__iexact=organisation.name)
    if any(name_key(other.name) == key for other in candidates):
        raise ValidationError(
            {"name": f"An organisation called {organisation.name} exists. Search for it"}
        )


@transaction.atomic
def add_member(
    *, partnership: Partnership, organisation: Organisation, joined_on, user
) -> Membership:
    """Adds an organisation (made first if new) as a member from `joined_on`. An
    organisation that left earlier comes back on its old row, so its history stays."""
    require(can_coordinate(user, partnership), COORDINATORS_ONLY)
    if organisation.pk is None:
        check_new_organisation(organisation)
        organisation.save()
    membership = Membership.objects.filter(
        partnership=partnership, organisation=organisation
    ).first()
    still_member = membership is not None and (
        membership.left_on is None or membership.left_on > timezone.localdate()
    )
    if still_member:
        raise ValidationError(
            {"organisation": f"{organisation.name} is already a member of {partnership.name}"}
        )
    if membership is None:
        membership = Membership(partnership=partnership, organisation=organisation)
    membership.joined_on = joined_on
    membership.left_on = None
    save_membership(membership=membership, user=user)
    _log(partnership, user, f"Added {organisation.name} as a member from {joined_on:%-d %B %Y}")
    return membership


@transaction.atomic
def end_membership(*, membership: Membership, left_on, user) -> Membership:
    require(can_coordinate(user, membership.partnership), COORDINATORS_ONLY)
    if left_on < membership.joined_on:
        raise ValidationError(
            {"left_on": f"Enter a date on or after it joined, {membership.joined_on:%-d %B %Y}"}
        )
    if membership.role == MembershipRole.LEAD:
        raise ValidationError(
            {"left_on": "Choose another lead partner first: a partnership needs its lead"}
        )
    end_memberships(memberships=[membership], user=user, on=left_on)
    membership.refresh_from_db()
    _log(
        membership.partnership,
        user,
        f"Ended the membership of {membership.organisation.name} on {left_on:%-d %B %Y}",
    )
    return membership


@transaction.atomic
def change_lead(*, partnership: Partnership, membership: Membership, user) -> Membership:
    require(can_coordinate(user, partnership), COORDINATORS_ONLY)
    current = Membership.objects.current().select_for_update().filter(partnership=partnership)
    if membership.partnership_id != partnership.pk or membership not in current:
        raise ValidationError({"membership": "Choose a current member"})
    for other in current.filter(role=MembershipRole.LEAD).exclude(pk=membership.pk):
        other.role = MembershipRole.MEMBER
        save_membership(membership=other, user=user)
    membership.role = MembershipRole.LEAD
    save_membership(membership=membership, user=user)
    _log(partnership, user, f"Made {membership.organisation.name} the lead partner")
    return membership


@transaction.atomic
def invite_person(
    *,
    partnership: Partnership,
    organisation: Organisation,
    user,
    base_url: str,
    send: bool = True,
    **person,
) -> User:
    """Invites an ICT manager or executive of a current member organisation."""
    require(
        can_invite_for(user, partnership, organisation),
        "You can invite people only for the current members of partnerships you run",
    )
    email = person["email"].strip().lower()
    if User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists():
        raise ValidationError({"email": "Someone with this email address already has an account"})
    invited = invite_user(
        organisation=organisation,
        invited_by=user,
        base_url=base_url,
        send=send,
        **{**person, "email": email},
    )
    _log(partnership, user, f"Invited {email} for {organisation.name}", invited)
    return invited


def pending_invitations(organisation_ids) -> "list[User]":
    """People invited who have not signed in yet (no usable password, never signed in)."""
    return list(
        User.objects.filter(
            organisation_id__in=organisation_ids,
            is_active=True,
            last_login__isnull=True,
            password__startswith="!",
        ).order_by("date_joined")
    )


def is_pending_invitation(person: User) -> bool:
    return person.is_active and person.last_login is None and not person.has_usable_password()


def _pending_invitation(person: User, partnership: Partnership, user) -> None:
    require(
        can_invite_for(user, partnership, person.organisation),
        "You can change invitations only for the members of partnerships you run",
    )
    if not is_pending_invitation(person):
        raise ValidationError("This person has already accepted the invitation")


@transaction.atomic
def resend_invitation(*, partnership: Partnership, person: User, user, base_url: str) -> User:
    _pending_invitation(person, partnership, user)
    # Counted from now for "not accepted after 14 days"; either link works until the
    # person chooses a password, which ends both.
    person.date_joined = timezone.now()
    person.save(update_fields=["date_joined"])
    send_invitation(person, invited_by=user, base_url=base_url)
    _log(partnership, user, f"Sent the invitation to {person.email} again", person)
    return person


@transaction.atomic
def cancel_invitation(*, partnership: Partnership, person: User, user) -> None:
    """The invited account goes: it never signed in, so nothing points at it."""
    _pending_invitation(person, partnership, user)
    _log(partnership, user, f"Cancelled the invitation of {person.email}")
    person.delete()


@transaction.atomic
def deactivate_person(*, partnership: Partnership, person: User, user) -> User:
    require(
        can_deactivate_person(user, person, partnership),
        "You can turn off only the accounts of people of members of partnerships you run, "
        "who belong to no other partnership",
    )
    person.is_active = False
    person.save(update_fields=["is_active"])
    _log(partnership, user, f"Turned off the account of {person.email or person}", person)
    return person
