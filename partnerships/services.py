"""Writes that touch several rows of the partnerships app, each in one transaction."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max

from .models import FundingFormula, FundingShare, FundingSignOff, Partnership


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
    latest = partnership.funding_formulas.aggregate(v=Max("version"))["v"] or 0
    formula = FundingFormula.objects.create(
        partnership=partnership, version=latest + 1, text=text.strip(), created_by=user
    )
    FundingShare.objects.bulk_create(
        FundingShare(formula=formula, organisation_id=organisation_id, percentage=percentage)
        for organisation_id, percentage in shares.items()
    )
    return formula


@transaction.atomic
def sign_funding_formula(
    *, formula: FundingFormula, user, signer_name: str, signer_role: str
) -> FundingSignOff:
    """The user's organisation agrees this version. Only an executive of a current
    member may sign, and only the current version."""
    if not user.is_executive:
        raise SignOffRefused(
            "The funding formula is agreed by the chief executive and finance director"
        )
    partnership = formula.partnership
    if not partnership.memberships.current().filter(organisation_id=user.organisation_id).exists():
        raise SignOffRefused("Only current members of the partnership sign its funding formula")
    latest = current_formula(partnership)
    if latest is None or latest.pk != formula.pk:
        raise SignOffRefused(
            "The funding formula has changed since you opened the page. Read the new "
            "version, then sign it"
        )
    try:
        with transaction.atomic():
            return FundingSignOff.objects.create(
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
