"""Rounds open and close through the services; a round keeps its framework."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments.models import Framework, Round, RoundStatus
from assessments.reporting.data import partnership_report
from partnerships.models import Membership
from tests.builders import add_partner, assess

pytestmark = pytest.mark.django_db


def close(client, round_, confirm=False):
    data = {"action": "close_rounds", "_selected_action": [round_.pk]}
    if confirm:
        data["confirm"] = "yes"
    return client.post(reverse("admin:assessments_round_changelist"), data)


def test_closing_a_round_with_drafts_asks_first_and_names_them(client, administrator, council_a):
    assess(council_a.round, council_a.organisation, status="draft")
    client.force_login(administrator)
    response = close(client, council_a.round)
    assert response.status_code == 200
    assert "Close rounds that still have draft assessments?" in response.text
    assert "Avonford Council" in response.text
    council_a.round.refresh_from_db()
    assert council_a.round.status == RoundStatus.OPEN

    assert close(client, council_a.round, confirm=True).status_code == 302
    council_a.round.refresh_from_db()
    assert council_a.round.status == RoundStatus.CLOSED
    assert council_a.round.closes_on == timezone.localdate()


def test_a_round_without_drafts_closes_at_once(client, administrator, council_a):
    assess(council_a.round, council_a.organisation)
    client.force_login(administrator)
    assert close(client, council_a.round).status_code == 302
    council_a.round.refresh_from_db()
    assert council_a.round.status == RoundStatus.CLOSED


def test_a_rounds_framework_cannot_change_once_it_has_assessments(council_a, tmp_path):
    assess(council_a.round, council_a.organisation)
    other = Framework.objects.create(name="Other", version=1, content_hash="x" * 64)
    council_a.round.framework = other
    with pytest.raises(ValidationError, match="cannot change"):
        council_a.round.save()
    assert Round.objects.get(pk=council_a.round.pk).framework.name != "Other"


def test_a_member_leaving_the_day_its_round_closes_stays_in_that_rounds_report(
    client, administrator, council_a
):
    today = timezone.localdate()
    council_a.partnership.memberships.update(joined_on=today - timedelta(days=60))
    Round.objects.filter(pk=council_a.round.pk).update(opens_on=today - timedelta(days=30))
    council_a.round.refresh_from_db()
    leaver = add_partner(council_a.partnership, "Same Day Leaver", joined_days_ago=60)
    assess(council_a.round, leaver, level=2)
    client.force_login(administrator)
    close(client, council_a.round)
    client.post(
        reverse("admin:partnerships_membership_changelist"),
        {
            "action": "end_memberships",
            "_selected_action": [Membership.objects.get(organisation=leaver).pk],
        },
    )
    council_a.round.refresh_from_db()
    names = [m["organisation"]["name"] for m in partnership_report(council_a.round)["members"]]
    assert council_a.round.closes_on == today
    assert "Same Day Leaver" in names
