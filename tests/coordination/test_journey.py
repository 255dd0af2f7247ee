"""The demo partnership's coordinator runs it without the Django admin: adds a member,
opens a round with a closing date, invites an ICT manager for the new member and
reopens an assessment; another partnership is a 404."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, AssessmentStatus, Round, RoundStatus
from identity.models import EventKind, SecurityEvent
from ops.demo import PARTNERSHIP_NAME, seed_demo
from partnerships.models import Membership, Organisation, Partnership, Role, User
from tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db


def date_fields(name, day):
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def test_the_demo_coordinator_runs_the_partnership_without_the_admin(client):
    seed_demo()
    partnership = Partnership.objects.get(name=PARTNERSHIP_NAME)
    other = PartnershipFactory(name="Another partnership")
    newcomer = Organisation.objects.create(
        name="South Oxfordshire District Council", kind="district", gss_code="E07000179"
    )
    client.force_login(User.objects.get(username="coordinator"))
    today = timezone.localdate()

    dashboard = client.get(reverse("assessments:dashboard"))
    assert dashboard.status_code == 200
    overview_url = reverse("coordination:partnership", args=[partnership.pk])
    assert overview_url in dashboard.text

    found = client.get(
        reverse("coordination:find_organisation", args=[partnership.pk]), {"q": "E07000179"}
    )
    assert "South Oxfordshire District Council" in found.text
    added = client.post(
        reverse("coordination:add_member", args=[partnership.pk, newcomer.pk]),
        date_fields("joined_on", today),
    )
    assert added.status_code == 302
    assert (
        Membership.objects.current().filter(partnership=partnership, organisation=newcomer).exists()
    )

    framework = Round.objects.filter(partnership=partnership).first().framework
    opened = client.post(
        reverse("coordination:open_round", args=[partnership.pk]),
        {
            "name": "2027 readiness review",
            "framework": framework.pk,
            **date_fields("closes_on", today + timedelta(days=60)),
        },
    )
    assert opened.status_code == 302
    round_ = Round.objects.get(partnership=partnership, name="2027 readiness review")
    assert (round_.status, round_.closes_on) == (RoundStatus.OPEN, today + timedelta(days=60))

    membership = Membership.objects.get(partnership=partnership, organisation=newcomer)
    invited = client.post(
        reverse("coordination:invite", args=[partnership.pk]),
        {
            "organisation": membership.pk,
            "first_name": "Imogen",
            "last_name": "Thorne",
            "email": "imogen.thorne@southoxon.gov.uk",
            "role": Role.ICT_MANAGER,
        },
    )
    assert invited.status_code == 302
    person = User.objects.get(email="imogen.thorne@southoxon.gov.uk")
    assert (person.organisation, person.role, person.has_usable_password()) == (
        newcomer,
        Role.ICT_MANAGER,
        False,
    )
    assert mail.outbox[-1].to == ["imogen.thorne@southoxon.gov.uk"]

    submitted = Assessment.objects.filter(
        round__partnership=partnership, status=AssessmentStatus.SUBMITTED
    ).first()
    reopened = client.post(
        reverse("coordination:reopen", args=[partnership.pk, submitted.pk]),
        {"reason": "The police force corrected its federation answers"},
    )
    assert reopened.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.DRAFT

    page = client.get(overview_url)
    assert page.status_code == 200
    assert "South Oxfordshire District Council" in page.text
    assert "imogen.thorne@southoxon.gov.uk" in page.text
    changes = list(
        SecurityEvent.objects.filter(
            kind=EventKind.PARTNERSHIP_CHANGED, partnership=partnership
        ).values_list("detail", flat=True)
    )
    assert any("Added South Oxfordshire District Council" in change for change in changes)
    assert any("Invited imogen.thorne@southoxon.gov.uk" in change for change in changes)

    assert client.get(reverse("coordination:partnership", args=[other.pk])).status_code == 404
    assert client.get(reverse("coordination:open_round", args=[other.pk])).status_code == 404
