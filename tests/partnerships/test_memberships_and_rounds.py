"""Members leave without rewriting history; rounds open and close; frameworks are
versions that rounds keep."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments.framework_loader import DEFAULT_FRAMEWORK_FILE
from assessments.models import Framework, Round, RoundStatus
from assessments.reports import partnership_report
from partnerships.models import Membership
from tests.assessments.report_data import add_partner, assess
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


def test_an_administrator_loads_a_new_framework_version_from_a_file(
    client, administrator, framework
):
    client.force_login(administrator)
    url = reverse("admin:assessments_framework_load")
    changed = (
        DEFAULT_FRAMEWORK_FILE.read_text(encoding="utf-8").replace(
            "name: Partnership readiness framework", "name: Partnership readiness framework", 1
        )
        + "\n# a comment changes nothing\n"
    )
    same = client.post(url, {"file": SimpleUploadedFile("same.yaml", changed.encode())})
    assert same.status_code == 302
    assert Framework.objects.count() == 1
    edited = changed.replace(
        "The partnership has a written scoping statement",
        "The partnership has an agreed scoping statement",
    )
    client.post(url, {"file": SimpleUploadedFile("edited.yaml", edited.encode())})
    assert list(Framework.objects.order_by("version").values_list("version", flat=True)) == [1, 2]
    listing = client.get(reverse("admin:assessments_framework_changelist"))
    assert "Rounds using it" in listing.text


def test_a_broken_framework_file_is_refused_with_its_problems(client, administrator, framework):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:assessments_framework_load"),
        {"file": SimpleUploadedFile("broken.yaml", b"name: x\ndimensions: []\n")},
    )
    assert response.status_code == 200
    assert "List exactly 9 &#x27;dimensions&#x27; (found 0)" in response.text
    binary = client.post(
        reverse("admin:assessments_framework_load"),
        {"file": SimpleUploadedFile("binary.yaml", bytes(range(256)) * 10)},
    )
    assert binary.status_code == 200
    assert Framework.objects.count() == 1


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
