"""The security event log: what goes in, what never does, who reads it, and pruning."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from assessments.capture.services import reopen_assessment
from identity.models import EventKind, SecurityEvent
from partnerships.invitations import invite_user
from partnerships.models import Role
from tests.builders import assess
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def kinds():
    return list(SecurityEvent.objects.order_by("id").values_list("kind", flat=True))


def test_password_sign_ins_are_logged_with_method_outcome_and_address(client, council_a):
    person = council_a.ict_manager
    client.post(reverse("login"), {"username": person.username, "password": "wrong-password!"})
    client.post(reverse("login"), {"username": person.username, "password": TEST_PASSWORD})
    failed, signed_in = (
        SecurityEvent.objects.filter(user=person)
        .exclude(kind=EventKind.ACCOUNT_CREATED)
        .order_by("id")[:2]
    )
    assert (failed.kind, failed.succeeded, failed.method) == (
        EventKind.SIGN_IN_FAILED,
        False,
        "password",
    )
    assert (signed_in.kind, signed_in.succeeded, signed_in.method) == (
        EventKind.SIGN_IN,
        True,
        "password",
    )
    assert signed_in.ip_address == "127.0.0.1"
    assert signed_in.organisation == council_a.organisation


def test_a_lock_out_is_logged(client, council_a, settings):
    for _ in range(10):
        client.post(reverse("login"), {"username": "avonford-ict", "password": "not-it-at-all"})
    assert SecurityEvent.objects.filter(kind=EventKind.LOCKED_OUT, username="avonford-ict").exists()


def test_no_password_or_secret_is_ever_stored(client, council_a, administrator):
    typed = "my-secret-password-typed-wrong"
    client.post(reverse("login"), {"username": council_a.ict_manager.username, "password": typed})
    client.force_login(administrator)
    client.post(
        reverse("admin:identity_identityprovider_add"),
        {
            "name": "Cherwell Entra ID",
            "slug": "cherwell-entra",
            "issuer_url": "https://login.microsoftonline.com/tenant/v2.0",
            "client_id": "client-id-1",
            "client_secret": "the-client-secret-value",
            "is_active": "on",
            "organisation_links-TOTAL_FORMS": "0",
            "organisation_links-INITIAL_FORMS": "0",
        },
    )
    stored = " ".join(
        " ".join(str(value) for value in row)
        for row in SecurityEvent.objects.values_list("username", "method", "detail")
    )
    assert SecurityEvent.objects.filter(kind=EventKind.PROVIDER_CHANGED).exists()
    assert typed not in stored and "the-client-secret-value" not in stored


def test_role_organisation_and_access_changes_name_who_did_them(council_a, council_b, client):
    person = council_a.ict_manager
    person.role = Role.EXECUTIVE
    person.organisation = council_b.organisation
    person.is_active = False
    person.save()
    details = dict(
        SecurityEvent.objects.filter(user=person).values_list("kind", "detail").order_by("id")
    )
    assert details[EventKind.ROLE_CHANGED] == (
        "Role: ICT manager to Executive (chief executive or finance director)"
    )
    assert details[EventKind.ORGANISATION_CHANGED] == (
        "Organisation: Avonford Council to Brambleton Council"
    )
    assert details[EventKind.ACCESS_CHANGED] == "Is active: yes to no"


def test_a_save_that_changes_nothing_that_matters_logs_nothing(council_a):
    before = SecurityEvent.objects.count()
    council_a.ict_manager.first_name = "Renamed"
    council_a.ict_manager.save()
    council_a.ict_manager.save(update_fields=["last_login"])
    assert SecurityEvent.objects.count() == before


def test_invitations_are_logged_against_the_invited_person(council_a, administrator):
    invited = invite_user(
        email="new.person@avonford.gov.uk",
        first_name="New",
        last_name="Person",
        organisation=council_a.organisation,
        role=Role.ICT_MANAGER,
        job_title="",
        invited_by=administrator,
        base_url="https://readiness.example.org",
    )
    event = SecurityEvent.objects.get(kind=EventKind.INVITATION_SENT)
    assert (event.user, event.actor, event.detail) == (
        invited,
        administrator,
        "Invited as ICT manager",
    )
    assert len(mail.outbox) == 1


def test_downloads_exports_and_reopenings_are_logged(client, council_a, administrator):
    assessment = assess(council_a.round, council_a.organisation)
    client.force_login(council_a.executive)
    for name in ("partnership_report_csv", "partnership_report_json"):
        assert (
            client.get(reverse(f"assessments:{name}", args=[council_a.round.pk])).status_code == 200
        )
    pdf = client.get(reverse("assessments:partnership_report_pdf", args=[council_a.round.pk]))
    assert pdf.status_code == 200
    reopen_assessment(assessment=assessment, user=administrator, reason="Wrong level")

    events = list(
        SecurityEvent.objects.exclude(
            kind__in=[EventKind.ACCOUNT_CREATED, EventKind.SIGN_IN]
        ).order_by("id")
    )
    assert [event.kind for event in events] == [
        EventKind.EXPORT_DOWNLOADED,
        EventKind.EXPORT_DOWNLOADED,
        EventKind.REPORT_DOWNLOADED,
        EventKind.REOPENED,
    ]
    assert all(event.user == council_a.executive for event in events[:3])
    assert events[2].detail.startswith("Downloaded ") and events[2].detail.endswith(".pdf")
    assert events[3].user == administrator
    assert (
        events[3].detail == f"Reopened the assessment of Avonford Council in {council_a.round.name}"
    )
    assert events[3].partnership == council_a.partnership
    # Nothing of the evidence or the reason typed.
    assert "Wrong level" not in " ".join(event.detail for event in events)


def test_only_administrators_read_the_log_and_nobody_edits_it(client, council_a, administrator):
    SecurityEvent.objects.create(kind=EventKind.SIGN_IN, username="someone")
    url = reverse("admin:identity_securityevent_changelist")
    client.force_login(council_a.executive)
    assert client.get(url).status_code == 302  # to the admin's sign-in
    client.force_login(administrator)
    page = client.get(url, {"kind": EventKind.SIGN_IN, "within": "7", "q": "someone"})
    assert page.status_code == 200
    assert "someone" in page.text
    event = SecurityEvent.objects.get(username="someone")
    assert (
        client.post(reverse("admin:identity_securityevent_delete", args=[event.pk])).status_code
        == 403
    )
    assert client.get(reverse("admin:identity_securityevent_add")).status_code == 403


def test_prune_deletes_only_events_older_than_the_setting(settings):
    settings.SECURITY_EVENTS_KEEP_DAYS = 30
    old = SecurityEvent.objects.create(
        kind=EventKind.SIGN_IN, at=timezone.now() - timedelta(days=31)
    )
    recent = SecurityEvent.objects.create(
        kind=EventKind.SIGN_IN, at=timezone.now() - timedelta(days=29)
    )
    out = StringIO()
    call_command("prune_security_events", stdout=out)
    assert "Deleted 1 security event(s) older than 30 days." in out.getvalue()
    assert not SecurityEvent.objects.filter(pk=old.pk).exists()
    assert SecurityEvent.objects.filter(pk=recent.pk).exists()
    with pytest.raises(CommandError, match="at least 1 day"):
        call_command("prune_security_events", "--days", "0")


def test_resetting_a_lost_second_factor_is_logged_with_the_reason(council_a):
    from allauth.mfa.models import Authenticator

    person = council_a.executive
    Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={"secret": "x"})
    out = StringIO()
    call_command("reset_second_factor", person.username, "--reason", "lost phone", stdout=out)
    assert "Removed the authenticator app" in out.getvalue()
    assert not Authenticator.objects.filter(user=person).exists()
    event = SecurityEvent.objects.get(kind=EventKind.MFA_RESET)
    assert event.user == person and event.detail.endswith(": lost phone")
    with pytest.raises(CommandError, match="no user"):
        call_command("reset_second_factor", "nobody-here", "--reason", "x")
    with pytest.raises(CommandError, match="reason"):
        call_command("reset_second_factor", person.username, "--reason", "  ")


def test_a_new_account_is_logged(db):
    person = UserFactory(username="fresh")
    assert SecurityEvent.objects.get(kind=EventKind.ACCOUNT_CREATED).user == person
