"""Sending: `send_notifications` records each notice once and sends it at most once,
even when two runs overlap; a failed send is recorded and tried again on the next run.
Emails are plain text and HTML, say why they were sent, link to the page, and carry no
evidence and no scores. One test sends through a real SMTP server on loopback."""

import email
import email.policy
import re
import socket
import threading
import time
from datetime import timedelta
from io import StringIO

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from assessments.actions.models import Action
from assessments.capture.services import reopen_assessment
from assessments.choices import OwnerRole
from assessments.models import Answer, Round
from notifications.models import Kind, Notification, Outcome
from ops.demo import seed_demo
from partnerships.models import Organisation, Role, User
from tests.builders import add_partner, assess
from tests.factories import FundingFormulaFactory, UserFactory

SITE = "https://readiness.example.test"
EVIDENCE = "PLANTED-EVIDENCE: the SIRO minutes of 3 March say the DPIA is unsigned"
MODULE = "tests.notifications.test_sending"


def send_notifications() -> str:
    out = StringIO()
    call_command("send_notifications", stdout=out)
    return out.getvalue()


def parts(message) -> tuple[str, str]:
    """The plain-text body and the HTML alternative of one email."""
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return message.body, html


# Test email backends -------------------------------------------------------------


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses everything."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server refused the connection")


class PickyBackend(LocmemBackend):
    """Refuses mail to one address, delivers the rest to the outbox."""

    refused = "nobody"

    def send_messages(self, email_messages):
        for message in email_messages:
            if self.refused in message.to:
                raise ConnectionError(f"mailbox {self.refused} unavailable")
        return super().send_messages(email_messages)


class SlowBackend(LocmemBackend):
    """Delivers to the outbox after a pause, so two runs overlap; notes which thread
    sent what."""

    lock = threading.Lock()
    sending = threading.Event()  # set once a run has begun to send
    sent: list[tuple[str, str, str]] = []

    def send_messages(self, email_messages):
        self.sending.set()
        time.sleep(0.05)
        with self.lock:
            for message in email_messages:
                self.sent.append((threading.current_thread().name, message.to[0], message.subject))
            return super().send_messages(email_messages)


# The demo data -------------------------------------------------------------------


@pytest.fixture
def demo(db, settings):
    settings.SITE_URL = SITE
    partnership = seed_demo()
    # Evidence and comments that must never reach an email.
    Answer.objects.update(evidence=EVIDENCE, comment=EVIDENCE)
    return partnership


def test_the_command_run_twice_on_the_demo_sends_each_due_notice_once(demo):
    first = send_notifications()
    sent = [(m.to[0], m.subject) for m in mail.outbox]
    assert sent, "nothing was due on the demo data"
    assert len(sent) == len(set(sent))
    assert first.strip() == (
        f"{len(sent)} notices due. Sent now: {len(sent)}. Failed: 0 (tried again on the "
        "next run). Notices sent before are not sent again."
    )

    second = send_notifications()
    assert len(mail.outbox) == len(sent)
    assert "Sent now: 0. Failed: 0" in second

    rows = Notification.objects.all()
    assert rows.count() == len(sent)
    assert {(r.outcome, r.attempts, r.sent_at is not None) for r in rows} == {
        (Outcome.SENT, 1, True)
    }
    # The 2026 round closes in 5 days: the 7-day reminder to the two members that
    # have not submitted; the formula to the three members' executives who have not
    # signed.
    assert sorted((r.recipient.username, r.kind) for r in rows) == [
        ("nhs-exec", Kind.FORMULA_TO_SIGN),
        ("nhs-ict", Kind.ROUND_REMINDER),
        ("police-exec", Kind.FORMULA_TO_SIGN),
        ("voluntary-exec", Kind.FORMULA_TO_SIGN),
        ("voluntary-ict", Kind.ROUND_REMINDER),
    ]


@pytest.mark.parametrize("username", ["police-exec", "nhs-exec"])
def test_an_executive_who_has_not_signed_gets_one_formula_email(demo, username):
    send_notifications()
    send_notifications()
    to_them = [m for m in mail.outbox if m.to == [f"{username}@example.invalid"]]
    assert [m.subject for m in to_them] == ["Sign version 1 of the funding formula"]
    text, html = parts(to_them[0])
    funding = SITE + reverse("partnerships:funding", args=[demo.pk])
    assert funding in text
    assert f'href="{funding}"' in html


@pytest.mark.parametrize("username", ["oxfordshire-exec", "cherwell-exec"])
def test_an_executive_who_signed_gets_no_formula_email(demo, username):
    send_notifications()
    assert [m for m in mail.outbox if m.to == [f"{username}@example.invalid"]] == []


def assert_safe(message, *, others: set[str]) -> None:
    """Text and HTML, the reason it was sent, an absolute link, and nothing of the
    evidence, the scores or another organisation."""
    text, html = parts(message)
    for body in (text, html):
        assert "Why you got this email:" in body
        assert re.search(rf"{re.escape(SITE)}/\S*", body), body
        assert EVIDENCE not in body
        assert "evidence" not in body.lower()
        assert "score" not in body.lower()
        assert "%" not in body
        assert "level" not in body.lower()
        for name in others:
            assert name not in body, f"{name} named in an email to {message.to}"
    assert "<html" in html
    assert "<p>" not in text


def test_every_demo_email_is_text_and_html_says_why_and_carries_no_evidence(demo):
    send_notifications()
    assert mail.outbox
    names = set(Organisation.objects.values_list("name", flat=True))
    for message in mail.outbox:
        recipient = User.objects.get(email=message.to[0])
        assert_safe(message, others=names - {recipient.organisation.name})


# Every kind of notice ------------------------------------------------------------


@pytest.fixture
def every_kind(council_a, council_b, administrator, settings):
    """A notice of every kind due in Avonford's partnership (Avonford leads, Cotswold
    is a member), with evidence planted in every answer."""
    settings.SITE_URL = SITE
    today = timezone.localdate()
    # Named for no member, so a member's name in an email would be a leak.
    council_a.partnership.name = "Vale Shared Services"
    council_a.partnership.save()
    council_a.partnership.memberships.update(joined_on=today - timedelta(days=400))
    cotswold = add_partner(council_a.partnership, "Cotswold Council")
    UserFactory(username="cotswold-ict", organisation=cotswold, role=Role.ICT_MANAGER)
    UserFactory(username="cotswold-exec", organisation=cotswold, role=Role.EXECUTIVE)
    current = council_a.round
    Round.objects.filter(pk=current.pk).update(closes_on=today + timedelta(days=7))
    finished = Round.objects.create(
        partnership=council_a.partnership,
        framework=current.framework,
        name="Second review",
        opens_on=today - timedelta(days=30),
    )
    assess(finished, council_a.organisation, level=4, evidence=EVIDENCE)
    assess(finished, cotswold, level=1, evidence=EVIDENCE)
    reopen_assessment(
        assessment=assess(current, cotswold, level=2, evidence=EVIDENCE),
        user=administrator,
        reason="The <b>governance</b> answers were for last year",
    )
    FundingFormulaFactory(partnership=council_a.partnership)
    for due_in, role in ((3, OwnerRole.ICT_MANAGER), (-3, OwnerRole.EXECUTIVE)):
        Action.objects.create(
            partnership=council_a.partnership,
            organisation=cotswold,
            round=current,
            gap_key="gap",
            gap_code="citizen-identity-below-gate",
            gap_severity="critical",
            gap_message="Cotswold Council has not got citizen identity management",
            description="Choose an identity provider",
            owner_role=role,
            due_on=today + timedelta(days=due_in),
        )
    return cotswold


def test_every_kind_of_email_is_safe_and_links_to_its_page(every_kind, council_a):
    send_notifications()
    rows = {(r.kind, r.recipient.username): r for r in Notification.objects.all()}
    assert {kind for kind, _ in rows} == set(Kind.values)
    names = set(Organisation.objects.values_list("name", flat=True))
    for message in mail.outbox:
        recipient = User.objects.get(email=message.to[0])
        assert_safe(message, others=names - {recipient.organisation.name})

    def email_for(kind, username):
        row = rows[kind, username]
        [message] = [
            m for m in mail.outbox if m.to == [row.recipient.email] and m.subject == row.subject
        ]
        return parts(message)

    text, html = email_for(Kind.ASSESSMENT_REOPENED, "cotswold-ict")
    assert "Reason given: The <b>governance</b> answers were for last year" in text
    assert "Reason given: The &lt;b&gt;governance&lt;/b&gt; answers" in html
    reopened = council_a.round.assessments.get(organisation=every_kind)
    pages = {
        (Kind.ROUND_OPENED, "cotswold-ict"): reverse("assessments:dashboard"),
        (Kind.ROUND_REMINDER, "cotswold-ict"): reverse("assessments:dashboard"),
        (Kind.ASSESSMENT_REOPENED, "cotswold-ict"): reverse(
            "assessments:tasks", args=[reopened.pk]
        ),
        (Kind.FORMULA_TO_SIGN, "cotswold-exec"): reverse(
            "partnerships:funding", args=[council_a.partnership.pk]
        ),
        (Kind.ALL_SUBMITTED, "avonford-exec"): reverse(
            "assessments:partnership_report",
            args=[Round.objects.get(name="Second review").pk],
        ),
        (Kind.ACTION_DUE, "cotswold-ict"): reverse(
            "assessments:action", args=[Action.objects.get(owner_role="ict_manager").pk]
        ),
        (Kind.ACTION_OVERDUE, "cotswold-exec"): reverse(
            "assessments:action", args=[Action.objects.get(owner_role="executive").pk]
        ),
    }
    preferences = SITE + reverse("notifications:preferences")
    for (kind, username), page in pages.items():
        text, html = email_for(kind, username)
        assert f"{SITE}{page}" in text
        assert f'href="{SITE}{page}"' in html
        # Reminders say how to turn them off; other notices do not offer it.
        assert (preferences in text) is (
            kind in {Kind.ROUND_REMINDER, Kind.ACTION_DUE, Kind.ACTION_OVERDUE}
        )


# Failures and retries ------------------------------------------------------------


def test_a_failed_send_is_recorded_and_sent_once_on_the_next_run(demo, settings):
    settings.EMAIL_BACKEND = f"{MODULE}.FailingBackend"
    out = send_notifications()
    assert "Sent now: 0. Failed: 5" in out
    rows = list(Notification.objects.all())
    assert len(rows) == 5
    for row in rows:
        assert row.outcome == Outcome.FAILED
        assert row.attempts == 1
        assert row.sent_at is None
        assert row.last_error == "ConnectionRefusedError: mail server refused the connection"
        assert (row.claimed_at, row.claimed_by) == (None, "")  # released for the next run
    assert mail.outbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert "Sent now: 5. Failed: 0" in send_notifications()
    assert "Sent now: 0. Failed: 0" in send_notifications()
    assert len(mail.outbox) == 5
    assert len({(m.to[0], m.subject) for m in mail.outbox}) == 5
    for row in Notification.objects.all():
        assert (row.outcome, row.attempts, row.last_error) == (Outcome.SENT, 2, "")
        assert row.sent_at is not None


def test_one_failed_send_does_not_stop_the_others(demo, settings, monkeypatch):
    settings.EMAIL_BACKEND = f"{MODULE}.PickyBackend"
    monkeypatch.setattr(PickyBackend, "refused", "police-exec@example.invalid")
    assert "Sent now: 4. Failed: 1" in send_notifications()
    failed = Notification.objects.get(outcome=Outcome.FAILED)
    assert failed.recipient.username == "police-exec"
    assert "police-exec@example.invalid" not in {m.to[0] for m in mail.outbox}

    monkeypatch.setattr(PickyBackend, "refused", "nobody")
    assert "Sent now: 1. Failed: 0" in send_notifications()
    assert [m.to[0] for m in mail.outbox].count("police-exec@example.invalid") == 1
    assert len(mail.outbox) == 5


# Claims --------------------------------------------------------------------------


@pytest.fixture
def waiting(db, settings):
    """One unsent notification to a person nothing else is due to."""
    settings.SITE_URL = SITE
    user = UserFactory(username="waiting-ict", organisation=None, role=Role.ICT_MANAGER)
    return Notification.objects.create(
        recipient=user,
        kind=Kind.FORMULA_TO_SIGN,
        about="formula:999",
        subject="Sign version 3 of the funding formula",
        context={"partnership": "Test partnership", "version": 3, "url": SITE + "/"},
    )


def test_an_expired_claim_is_taken_over(waiting, settings):
    expired = timezone.now() - timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS + 5)
    Notification.objects.filter(pk=waiting.pk).update(claimed_at=expired, claimed_by="dead-run")
    assert "Sent now: 1" in send_notifications()
    waiting.refresh_from_db()
    assert waiting.outcome == Outcome.SENT
    assert waiting.claimed_by not in ("", "dead-run")
    assert [m.to for m in mail.outbox] == [["waiting-ict@example.invalid"]]


def test_a_fresh_claim_is_left_to_the_run_that_holds_it(waiting, settings):
    fresh = timezone.now() - timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS - 30)
    Notification.objects.filter(pk=waiting.pk).update(claimed_at=fresh, claimed_by="live-run")
    assert "Sent now: 0" in send_notifications()
    waiting.refresh_from_db()
    assert (waiting.outcome, waiting.sent_at, waiting.claimed_by) == (
        Outcome.PENDING,
        None,
        "live-run",
    )
    assert mail.outbox == []


def test_a_sent_notification_is_never_claimed_again(waiting, settings):
    Notification.objects.filter(pk=waiting.pk).update(
        outcome=Outcome.SENT, sent_at=timezone.now(), attempts=1
    )
    assert "Sent now: 0" in send_notifications()
    assert mail.outbox == []


def test_the_database_refuses_a_second_row_for_one_notice(waiting):
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            recipient=waiting.recipient,
            kind=waiting.kind,
            about=waiting.about,
            subject="Again",
        )
    # Another kind or another object is another notice.
    Notification.objects.create(
        recipient=waiting.recipient, kind=Kind.ROUND_OPENED, about=waiting.about, subject="x"
    )
    Notification.objects.create(
        recipient=waiting.recipient, kind=waiting.kind, about="formula:1000", subject="x"
    )


def test_the_database_refuses_a_sent_row_without_its_time(waiting):
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.filter(pk=waiting.pk).update(outcome=Outcome.SENT)


# Two runs at once ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "second_starts",
    [
        "together",  # both work out, record and claim at the same moment
        "while the first sends",  # the second claims while the first holds every row
    ],
)
def test_two_runs_at_once_send_each_notice_exactly_once(settings, monkeypatch, second_starts):
    settings.SITE_URL = SITE
    settings.EMAIL_BACKEND = f"{MODULE}.SlowBackend"
    monkeypatch.setattr(SlowBackend, "sent", [])
    monkeypatch.setattr(SlowBackend, "sending", threading.Event())
    seed_demo()
    # More people, so each run has plenty to send while the other runs.
    nhs = Organisation.objects.get(name="Isis Valley Community Health NHS Trust")
    for n in range(10):
        UserFactory(username=f"nhs-finance-{n}", organisation=nhs, role=Role.EXECUTIVE)
    expected = 5 + 10
    outputs, spans, errors = {}, {}, []
    start_together = threading.Barrier(2)

    def one_run(name: str) -> None:
        try:
            start_together.wait()
            if name == "cron-b" and second_starts == "while the first sends":
                assert SlowBackend.sending.wait(timeout=30)
            began = time.monotonic()
            outputs[name] = send_notifications()
            spans[name] = (began, time.monotonic())
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    runs = [threading.Thread(target=one_run, args=(n,), name=n) for n in ("cron-a", "cron-b")]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(timeout=120)

    assert errors == []
    (a_start, a_end), (b_start, b_end) = spans["cron-a"], spans["cron-b"]
    assert a_start < b_end and b_start < a_end, "the two runs did not overlap"
    sent = [(to, subject) for _, to, subject in SlowBackend.sent]
    assert len(sent) == expected
    assert len(set(sent)) == expected, "a notice was sent twice"
    sent_now = sum(int(re.search(r"Sent now: (\d+)", out).group(1)) for out in outputs.values())
    assert sent_now == expected
    assert Notification.objects.count() == expected
    assert set(Notification.objects.values_list("outcome", "attempts").distinct()) == {
        (Outcome.SENT, 1)
    }


# A real SMTP server --------------------------------------------------------------


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


def test_a_notice_goes_through_a_real_smtp_server(smtp_server, council_a, settings):
    controller, inbox = smtp_server
    settings.SITE_URL = SITE
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = controller.hostname
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    # The round opened today: its ICT manager is told, and no one else.
    assert "Sent now: 1. Failed: 0" in send_notifications()

    [envelope] = inbox.envelopes
    assert envelope.rcpt_tos == ["avonford-ict@example.invalid"]
    assert envelope.mail_from == settings.DEFAULT_FROM_EMAIL
    received = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert received["To"] == "avonford-ict@example.invalid"
    assert received["Subject"] == "2026 review is open: assess your organisation's readiness"
    assert received.is_multipart()
    assert [part.get_content_type() for part in received.walk() if not part.is_multipart()] == [
        "text/plain",
        "text/html",
    ]
    text = received.get_body(preferencelist=("plain",)).get_content()
    html = received.get_body(preferencelist=("html",)).get_content()
    dashboard = SITE + reverse("assessments:dashboard")
    assert "Why you got this email" in text and dashboard in text
    assert "Why you got this email" in html and f'href="{dashboard}"' in html

    row = Notification.objects.get()
    assert (row.recipient, row.kind, row.outcome) == (
        council_a.ict_manager,
        Kind.ROUND_OPENED,
        Outcome.SENT,
    )
    assert mail.outbox == []  # it went to the SMTP server, not the test outbox
    # The second run sends nothing more.
    assert "Sent now: 0" in send_notifications()
    assert len(inbox.envelopes) == 1
