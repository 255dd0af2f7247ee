"""What new users tripped over: the task list's heading, why an assessment was
reopened, the overall change, and how a missing signature is said."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.capture.services import reopen_assessment
from assessments.reporting.data import organisation_report
from tests.builders import assess, sign_funding
from tests.factories import RoundFactory

pytestmark = pytest.mark.django_db


def test_a_complete_draft_says_ready_to_submit_not_incomplete(client, council_a):
    draft = assess(council_a.round, council_a.organisation, status="draft")
    client.force_login(council_a.ict_manager)
    page = client.get(reverse("assessments:tasks", args=[draft.pk])).text
    assert "Ready to submit" in page and "Assessment incomplete" not in page


def test_the_reason_for_reopening_is_shown_to_the_organisations_people(
    client, council_a, administrator
):
    submitted = assess(council_a.round, council_a.organisation)
    reopen_assessment(assessment=submitted, user=administrator, reason="Governance was 2025's")
    for person in (council_a.ict_manager, council_a.executive):
        client.force_login(person)
        for url in (
            reverse("assessments:tasks", args=[submitted.pk]),
            reverse("assessments:dashboard"),
        ):
            assert "Governance was 2025&#x27;s" in client.get(url).text, url


def test_the_overall_row_says_how_much_it_changed(council_a, framework):
    earlier = RoundFactory(
        partnership=council_a.partnership,
        framework=framework,
        name="2025",
        opens_on=timezone.localdate() - timedelta(days=400),
    )
    assess(earlier, council_a.organisation, level=2)
    now = assess(council_a.round, council_a.organisation, level=3)
    report = organisation_report(now)
    assert report["previous_overall"] == 2.0
    assert report["overall_change"] == 1.0


def test_an_organisations_own_report_names_itself_as_not_signed(council_a):
    sign_funding(council_a.partnership, [])
    report = organisation_report(assess(council_a.round, council_a.organisation))
    messages = [g["message"] for g in report["gaps"] if g["code"] == "funding-formula-not-agreed"]
    assert messages == ["Avonford Council has not signed version 1 of the funding formula."]
