"""The partnership report page asks, in one query, what it offers the reader; its
answers must be the access predicates' own, for every kind of reader."""

from datetime import date

import pytest

from assessments.access import (
    can_plan_own_actions,
    can_plan_partnership_actions,
    can_project_membership,
    report_offers,
)
from partnerships.models import Coordinator, MembershipRole, Role
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def readers(council_a, council_b, administrator):
    """Everyone who could open council A's partnership report, and some who could not."""
    member = OrganisationFactory(name="Member District Council")
    MembershipFactory(partnership=council_a.partnership, organisation=member)
    left = OrganisationFactory(name="Former Member Council")
    MembershipFactory(
        partnership=council_a.partnership,
        organisation=left,
        joined_on=date(2019, 1, 1),
        left_on=date(2020, 1, 1),
    )
    coordinator = UserFactory(username="coordinator", organisation=member, role="")
    Coordinator.objects.create(partnership=council_a.partnership, user=coordinator)
    outside_coordinator = UserFactory(username="outside", organisation=None, role="")
    Coordinator.objects.create(partnership=council_a.partnership, user=outside_coordinator)
    return {
        "lead executive": council_a.executive,
        "lead ICT manager": council_a.ict_manager,
        "member executive": UserFactory(
            username="member-exec", organisation=member, role=Role.EXECUTIVE
        ),
        "member ICT manager": UserFactory(
            username="member-ict", organisation=member, role=Role.ICT_MANAGER
        ),
        "former member's executive": UserFactory(
            username="left-exec", organisation=left, role=Role.EXECUTIVE
        ),
        "coordinator from a member": coordinator,
        "coordinator from nowhere": outside_coordinator,
        "other partnership's lead executive": council_b.executive,
        "administrator": administrator,
    }


def test_the_report_page_offers_what_the_predicates_allow(council_a, council_b, administrator):
    partnership = council_a.partnership
    seen = set()
    for name, user in readers(council_a, council_b, administrator).items():
        expected = (
            can_plan_own_actions(user, partnership)
            or can_plan_partnership_actions(user, partnership),
            can_project_membership(user, partnership),
        )
        assert report_offers(user, partnership) == expected, name
        seen.add(expected)
    # The personas cover every combination that can occur, so the test can fail.
    assert seen == {(True, True), (True, False), (False, True), (False, False)}


def test_a_lead_executive_whose_organisation_is_no_longer_lead_may_not_project(council_a):
    membership = council_a.partnership.memberships.get(organisation=council_a.organisation)
    membership.role = MembershipRole.MEMBER
    membership.save()
    assert report_offers(council_a.executive, council_a.partnership) == (True, False)


def test_report_offers_take_one_query(council_a, django_assert_num_queries):
    with django_assert_num_queries(1):
        report_offers(council_a.executive, council_a.partnership)
