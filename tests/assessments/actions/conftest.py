"""A partnership with gaps to plan actions for.

Avonford (council A) leads; Brambleton (council B) and Cotswold are members. Brambleton
has citizen identity management below its gate (a critical gap of its own) and reports
the funding formula below its gate; only Avonford signed the formula, so the
partnership has a funding gap naming Brambleton and Cotswold. Downs Police belongs to
another partnership: the outsider.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from assessments.actions.services import create_action
from assessments.choices import OwnerRole
from assessments.reporting.data import partnership_report
from partnerships.models import Role
from tests.builders import add_partner, assess, sign_funding
from tests.factories import MembershipFactory, PartnershipFactory, UserFactory

CITIZEN_IDENTITY = "identity-management.citizen-identity"
FUNDING_FORMULA = "governance.funding-formula"


@dataclass
class Partners:
    round: object
    partnership: object
    lead: object
    member: object
    other: object
    lead_exec: object
    lead_ict: object
    member_exec: object
    member_ict: object
    other_ict: object
    outsider: object

    def gap(self, code: str, organisation=None, round_=None) -> dict:
        """A gap of the round's partnership report (the first of its kind that names
        `organisation`)."""
        report = partnership_report(round_ or self.round)
        return next(
            gap
            for gap in report["gaps"]
            if gap["code"] == code
            and (organisation is None or f"organisation:{organisation.pk}" in gap["refs"])
        )


@pytest.fixture
def partners(council_a, council_b) -> Partners:
    long_ago = timezone.localdate() - timedelta(days=400)
    council_a.partnership.memberships.update(joined_on=long_ago)
    MembershipFactory(
        partnership=council_a.partnership, organisation=council_b.organisation, joined_on=long_ago
    )
    cotswold = add_partner(council_a.partnership, "Cotswold Council")
    assess(council_a.round, council_a.organisation, level=4)
    assess(
        council_a.round,
        council_b.organisation,
        level=3,
        levels={CITIZEN_IDENTITY: 1, FUNDING_FORMULA: 0},
    )
    assess(council_a.round, cotswold, level=3)
    sign_funding(council_a.partnership, [council_a.organisation])

    police = add_partner(PartnershipFactory(name="Downs partnership"), "Downs Police")
    return Partners(
        round=council_a.round,
        partnership=council_a.partnership,
        lead=council_a.organisation,
        member=council_b.organisation,
        other=cotswold,
        lead_exec=council_a.executive,
        lead_ict=council_a.ict_manager,
        member_exec=council_b.executive,
        member_ict=council_b.ict_manager,
        other_ict=UserFactory(username="cotswold-ict", organisation=cotswold),
        outsider=UserFactory(username="downs-exec", organisation=police, role=Role.EXECUTIVE),
    )


def in_days(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def plan_action(partners):
    """Agree an action through the service: by default Brambleton's ICT manager, on
    Brambleton's citizen identity gap, due in 30 days."""

    def _plan(
        *,
        user=None,
        gap=None,
        round_=None,
        partnership_wide=False,
        description="Join the county's resident account",
        owner_role=OwnerRole.ICT_MANAGER,
        owner_name="Sam Patel",
        due_on=None,
    ):
        round_ = round_ or partners.round
        return create_action(
            user=user or partners.member_ict,
            round_=round_,
            gap=gap or partners.gap("citizen-identity-below-gate", partners.member, round_),
            partnership_wide=partnership_wide,
            description=description,
            owner_role=owner_role,
            owner_name=owner_name,
            due_on=due_on or in_days(30),
        )

    return _plan


def action_form(gap: dict, /, *, due_on: date | None = None, **fields) -> dict:
    """What the new-action page posts: its gap, own scope, an ICT manager owner and a
    due date in 30 days, unless `fields` say otherwise."""
    due_on = due_on or in_days(30)
    return {
        "gap": gap["key"],
        "scope": "own",
        "description": "Join the county's resident account",
        "owner_role": OwnerRole.ICT_MANAGER,
        "owner_name": "Sam Patel",
        "due_on_0": str(due_on.day),
        "due_on_1": str(due_on.month),
        "due_on_2": str(due_on.year),
        **fields,
    }


def update_form(action, **fields) -> dict:
    """What the action page posts: the action as it is, with `fields` changed."""
    return {
        "status": action.status,
        "dropped_reason": action.dropped_reason,
        "description": action.description,
        "owner_role": action.owner_role,
        "owner_name": action.owner_name,
        "due_on_0": str(action.due_on.day),
        "due_on_1": str(action.due_on.month),
        "due_on_2": str(action.due_on.year),
        "version": str(action.version),
        **fields,
    }
