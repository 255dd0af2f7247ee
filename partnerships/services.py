"""Writes of the partnerships app: the funding formula and its sign-offs, and
memberships. Each runs in one transaction and checks the access predicates, so the
pages and the admin share the same rules."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from common.access import require

from .access import can_administer, can_manage_members, can_record_funding, can_sign_funding
from .models import FundingFormula, FundingShare, FundingSignOff, Membership, Partnership
from .signals import funding_changed

EXECUTIVES_ONLY = (
    "The funding formula is agreed by each member's chief executive and finance "
    "director, so only an executive of a current member can sign it"
)
MEMBERS_REFUSED = "Only an administrator or the partnership's coordinator can change its members"
RECORD_REFUSED = (
    "Only the lead partner's executive, the partnership's coordinator or an administrator "
    "can record the funding formula"
)


class SignOffRefused(Exception):
    """The sign-off cannot be recorded; the message says why, in plain English."""


def current_formula(partnership: Partnership) -> FundingFormula | None:
    return partnership.funding_formulas.order_by("-version").first()


@transaction.atomic
def record_funding_formula(
    *, partnership: Partnership, text: str, shares: dict[int, Decimal], user
) -> FundingFormula:
    """A new version of the formula, with its shares. Earlier versions and their
    sign-offs are kept as history; the new version starts with no sign-offs, because
    partners agreed to the old wording, not this one."""
    require(can_record_funding(user, partnership), RECORD_REFUSED)
    latest = partnership.funding_formulas.aggregate(v=Max("version"))["v"] or 0
    formula = FundingFormula.objects.create(
        partnership=partnership, version=latest + 1, text=text.strip(), created_by=user
    )
    FundingShare.objects.bulk_create(
        FundingShare(formula=formula, organisation_id=organisation_id, percentage=percentage)
        for organisation_id, percentage in shares.items()
    )
    funding_changed.send(sender=FundingFormula, partnership=partnership)
    return formula


@transaction.atomic
def sign_funding_formula(
    *, formula: FundingFormula, user, signer_name: str, signer_role: str
) -> FundingSignOff:
    """The user's organisation agrees this version. Only an executive of a current
    member may sign, and only the current version."""
    partnership = formula.partnership
    require(can_sign_funding(user, partnership), EXECUTIVES_ONLY)
    latest = current_formula(partnership)
    if latest is None or latest.pk != formula.pk:
        raise SignOffRefused(
            "The funding formula has changed since you opened the page. Read the new "
            "version, then sign it"
        )
    try:
        with transaction.atomic():
            sign_off = FundingSignOff.objects.create(
                formula=formula,
                organisation_id=user.organisation_id,
                signed_by=user,
                signer_name=signer_name.strip(),
                signer_role=signer_role.strip(),
            )
    except IntegrityError:
        raise SignOffRefused(
            "Your organisation has already signed this version of the funding formula"
        ) from None
    funding_changed.send(sender=FundingSignOff, partnership=partnership)
    return sign_off


@transaction.atomic
def save_membership(*, membership: Membership, user) -> Membership:
    """Add a member, or change a member's role or dates. Members are never deleted:
    a member that leaves gets the date it left, so the rounds and reports it took
    part in stay as they were."""
    require(can_manage_members(user, membership.partnership), MEMBERS_REFUSED)
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def end_memberships(*, memberships, user, on=None) -> int:
    """End the current memberships among `memberships` on `on` (today by default), or
    on the day they joined if that is later. Returns how many ended."""
    on = on or timezone.localdate()
    ended = 0
    for membership in memberships:
        require(can_manage_members(user, membership.partnership), MEMBERS_REFUSED)
        if membership.left_on is not None and membership.left_on <= on:
            continue  # already gone
        membership.left_on = max(on, membership.joined_on)
        membership.save(update_fields=["left_on", "updated_at"])
        ended += 1
    return ended


@transaction.atomic
def deactivate_users(*, users, user) -> int:
    """Turn accounts off (never yourself). An inactive user's session is refused on
    their next request, so this signs them out everywhere. Returns how many."""
    require(can_administer(user), "Only an administrator can turn accounts off")
    return users.exclude(pk=user.pk).update(is_active=False)
