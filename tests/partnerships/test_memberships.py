"""Members leave without rewriting history."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.reporting.data import partnership_report
from partnerships.models import Membership
from tests.builders import add_partner, assess
from tests.factories import RoundFactory

pytestmark = pytest.mark.django_db


def test_ending_a_membership_keeps_last_years_report(client, administrator, council_a, framework):
    today = timezone.localdate()
    council_a.partnership.memberships.update(joined_on=today - timedelta(days=500))
    last_year = RoundFactory(
        partnership=council_a.partnership,
        framework=framework,
        name="2025 review",
        status="closed",
        opens_on=today - timedelta(days=400),
        closes_on=today - timedelta(days=300),
    )
    leaver = add_partner(council_a.partnership, "Leaving Council", joined_days_ago=500)
    assess(last_year, leaver, level=1, submitted_days_ago=350)
    assess(last_year, council_a.organisation, level=3, submitted_days_ago=350)
    before = partnership_report(last_year)

    membership = Membership.objects.get(organisation=leaver)
    client.force_login(administrator)
    response = client.post(
        reverse("admin:partnerships_membership_changelist"),
        {"action": "end_memberships", "_selected_action": [membership.pk]},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.left_on == today
    after = partnership_report(last_year)
    assert after["members"] == before["members"]
    assert after["dimension_summary"] == before["dimension_summary"]
    current = partnership_report(council_a.round)
    assert "Leaving Council" not in [m["organisation"]["name"] for m in current["members"]]


def test_memberships_cannot_be_deleted_in_the_admin(client, administrator, council_a):
    membership = council_a.partnership.memberships.get()
    client.force_login(administrator)
    response = client.post(
        reverse("admin:partnerships_membership_delete", args=[membership.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_member_leaving_in_the_future_is_a_member_until_then(council_a):
    membership = council_a.partnership.memberships.get()
    membership.left_on = timezone.localdate() + timedelta(days=30)
    membership.save()
    assert council_a.partnership.memberships.current().count() == 1
    membership.left_on = timezone.localdate()
    membership.save()
    assert council_a.partnership.memberships.current().count() == 0
