"""Your notifications: each person can turn reminders off (never reopen notices or
sign-off requests); administrators read the notification log, which no one edits."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Round
from notifications.due import due_notices
from notifications.models import Kind, Notification, Outcome, Preference
from tests.factories import FundingFormulaFactory

pytestmark = pytest.mark.django_db

URL = reverse("notifications:preferences")


def checked(response) -> list[str]:
    """The values of the radios that are checked."""
    html = response.content.decode()
    return [
        re.search(r'value="(\w+)"', tag).group(1)
        for tag in re.findall(r'<input[^>]*name="reminders"[^>]*>', html)
        if "checked" in tag
    ]


def kinds_due_to(user) -> set[str]:
    return {n.kind for n in due_notices(timezone.localdate()) if n.recipient_id == user.pk}


@pytest.fixture
def reminder_due(council_a):
    """Avonford's round closes in 3 days and its formula is unsigned: a reminder is due
    to the ICT manager, a formula notice to the executive."""
    today = timezone.localdate()
    Round.objects.filter(pk=council_a.round.pk).update(
        opens_on=today - timedelta(days=30), closes_on=today + timedelta(days=3)
    )
    FundingFormulaFactory(partnership=council_a.partnership)
    return council_a


def test_the_page_needs_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    response = client.post(URL, {"reminders": "no"})
    assert response.status_code == 302
    assert Preference.objects.count() == 0


def test_the_page_shows_the_choice_with_reminders_on_by_default(client, council_a):
    client.force_login(council_a.ict_manager)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your notifications" in html
    assert "Do you want reminder emails?" in html
    assert "Yes, send me reminders" in html
    assert "No, do not send me reminders" in html
    assert "avonford-ict@example.invalid" in html
    assert checked(response) == ["yes"]
    assert response["Cache-Control"].split(", ").count("no-store") == 1


def test_turning_reminders_off_stops_reminders_only(client, reminder_due):
    ict = reminder_due.ict_manager
    assert Kind.ROUND_REMINDER in kinds_due_to(ict)
    client.force_login(ict)
    response = client.post(URL, {"reminders": "no"})
    assert response.status_code == 302
    assert response["Location"] == URL
    assert Preference.objects.get(user=ict).reminders is False
    assert Kind.ROUND_REMINDER not in kinds_due_to(ict)

    page = client.get(URL)
    assert "You will not get reminders." in page.content.decode()
    assert checked(page) == ["no"]


def test_an_executive_who_turned_reminders_off_is_still_asked_to_sign(client, reminder_due):
    executive = reminder_due.executive
    client.force_login(executive)
    client.post(URL, {"reminders": "no"})
    assert Preference.objects.get(user=executive).reminders is False
    assert Kind.FORMULA_TO_SIGN in kinds_due_to(executive)


def test_reminders_can_be_turned_on_again(client, reminder_due):
    ict = reminder_due.ict_manager
    Preference.objects.create(user=ict, reminders=False)
    client.force_login(ict)
    response = client.post(URL, {"reminders": "yes"})
    assert response.status_code == 302
    assert Preference.objects.get(user=ict).reminders is True
    assert Preference.objects.count() == 1
    assert Kind.ROUND_REMINDER in kinds_due_to(ict)


@pytest.mark.parametrize("data", [{}, {"reminders": ""}, {"reminders": "maybe"}])
def test_a_bad_answer_shows_an_error_summary_and_changes_nothing(client, council_a, data):
    Preference.objects.create(user=council_a.ict_manager, reminders=False)
    client.force_login(council_a.ict_manager)
    response = client.post(URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "There is a problem" in html
    assert '<a href="#id_reminders_1">Select whether you want reminder emails</a>' in html
    assert "<title>Error: " in html
    assert "maybe" not in html.split("govuk-error-summary", 1)[1].split("</div>", 1)[0]
    assert Preference.objects.get(user=council_a.ict_manager).reminders is False
    assert Preference.objects.count() == 1


def test_a_bad_answer_creates_no_preference(client, council_a):
    client.force_login(council_a.ict_manager)
    assert client.post(URL, {"reminders": "off"}).status_code == 400
    assert Preference.objects.count() == 0


def test_the_page_lists_the_emails_sent_to_you_and_nobody_elses(client, council_a, council_b):
    def notification(user, subject, sent):
        return Notification.objects.create(
            recipient=user,
            kind=Kind.ROUND_OPENED,
            about=f"round:{subject}",
            subject=subject,
            outcome=Outcome.SENT if sent else Outcome.PENDING,
            sent_at=timezone.now() if sent else None,
        )

    notification(council_a.ict_manager, "Your round is open", sent=True)
    notification(council_a.ict_manager, "Not sent yet", sent=False)
    notification(council_b.ict_manager, "Brambleton's round is open", sent=True)
    client.force_login(council_a.ict_manager)
    html = client.get(URL).content.decode()
    assert "Your round is open" in html
    assert "Not sent yet" not in html
    assert "Brambleton" not in html


def test_only_get_and_post(client, council_a):
    client.force_login(council_a.ict_manager)
    assert client.put(URL).status_code == 405


# The notification log in the admin -----------------------------------------------


@pytest.fixture
def log(council_a):
    return Notification.objects.create(
        recipient=council_a.executive,
        kind=Kind.FORMULA_TO_SIGN,
        about="formula:42",
        subject="Sign version 1 of the funding formula",
        outcome=Outcome.FAILED,
        attempts=1,
        last_error="ConnectionRefusedError: refused",
    )


def test_administrators_read_the_log(client, administrator, log):
    client.force_login(administrator)
    response = client.get(reverse("admin:notifications_notification_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "formula:42" in html
    assert "avonford-exec" in html
    assert "Failed, to be tried again" in html

    detail = client.get(reverse("admin:notifications_notification_change", args=[log.pk]))
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "ConnectionRefusedError: refused" in page
    assert 'name="_save"' not in page
    assert 'name="subject"' not in page  # shown, not editable


def test_the_log_cannot_be_added_to_changed_or_deleted(client, administrator, log):
    client.force_login(administrator)
    assert client.get(reverse("admin:notifications_notification_add")).status_code == 403
    change = reverse("admin:notifications_notification_change", args=[log.pk])
    response = client.post(change, {"subject": "Changed", "outcome": Outcome.SENT})
    assert response.status_code == 403
    delete = reverse("admin:notifications_notification_delete", args=[log.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    log.refresh_from_db()
    assert (log.subject, log.outcome) == ("Sign version 1 of the funding formula", Outcome.FAILED)
    changelist = client.get(reverse("admin:notifications_notification_changelist"))
    assert "delete_selected" not in changelist.content.decode()


def test_people_who_are_not_administrators_cannot_see_the_log(client, council_a, log):
    client.force_login(council_a.executive)
    response = client.get(reverse("admin:notifications_notification_changelist"))
    assert response.status_code == 302
