"""Pages for signed-in people are never stored by browsers or proxies."""

import pytest
from django.urls import reverse

from assessments.capture.services import start_assessment

pytestmark = pytest.mark.django_db


def test_every_page_a_signed_in_person_gets_says_no_store(client, council_a):
    assessment = start_assessment(
        round=council_a.round, organisation=council_a.organisation, user=council_a.ict_manager
    )
    client.force_login(council_a.ict_manager)
    pages = [
        reverse("assessments:dashboard"),
        reverse("assessments:tasks", args=[assessment.pk]),
        reverse("assessments:dimension", args=[assessment.pk, "governance"]),
        reverse("assessments:history", args=[assessment.pk, "governance"]),
        reverse("assessments:check", args=[assessment.pk]),
        reverse("assessments:organisation_report", args=[assessment.pk]),
        reverse("assessments:partnership_report", args=[council_a.round.pk]),
        reverse("partnerships:funding", args=[council_a.partnership.pk]),
        reverse("accessibility"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url
    # Errors too: another organisation's assessment is a 404 that is not kept either.
    missing = client.get(reverse("assessments:tasks", args=[assessment.pk + 999]))
    assert missing.status_code == 404 and "no-store" in missing["Cache-Control"]


def test_visitors_pages_are_left_to_the_ordinary_rules(client):
    response = client.get(reverse("accessibility"))
    assert "no-store" not in response.get("Cache-Control", "")
