"""The `send_notifications` command at scale, for bench/run.py: run twice on the
benchmark's data in a scenario of its own, inside a transaction that is rolled back at
the end, so the data never changes and nothing is sent anywhere.

The scenario: every round of every partnership (the closed ones too) is open and closes
in 7 days, so the 7-day reminder is due in every round. It is set with a plain UPDATE,
not through the services (reopen_rounds would discard the frozen reports and leave no
closing date): this is the benchmark's own scenario, heavier than production's. The
benchmark's users have no email address, and notices skip people without one, so each
gets `<username>@example.invalid` in the same transaction. Emails go to Django's
in-memory backend (locmem).

The first run records and sends every notice due; the second must find them all
recorded and sent, and send nothing. Each run is timed, and its queries counted, in
the same run (capturing the queries adds little next to rendering the emails).
Import this module only after django.setup().
"""

import io
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Value
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from assessments.models import Round, RoundStatus
from notifications.models import Notification, Outcome
from partnerships.models import User

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
CLOSES_IN_DAYS = 7
EMAIL_DOMAIN = "example.invalid"
FIRST, SECOND = "send_notifications, first run", "send_notifications, second run"


@dataclass
class Run:
    name: str
    seconds: float
    queries: int
    emails: int
    summary: str  # what the command printed


@dataclass
class Measurement:
    runs: list[Run]
    rounds: int  # rounds set open, closing in CLOSES_IN_DAYS days
    users_given_email: int
    # The Notification rows the runs made, by kind, and how many of them were sent.
    by_kind: dict[str, int] = field(default_factory=dict)
    sent_by_kind: dict[str, int] = field(default_factory=dict)
    emails_to_distinct_people: int = 0
    rolled_back: bool = False


class _RollBack(Exception):
    """Raised to leave the measurement's transaction, undoing everything in it."""


def run_once(name: str) -> Run:
    mail.outbox = []
    output = io.StringIO()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        call_command("send_notifications", stdout=output)
        seconds = time.perf_counter() - start
    return Run(name, seconds, len(queries), len(mail.outbox), output.getvalue().strip())


def measure() -> Measurement:
    before = data_state()
    last_pk = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    result = None
    try:
        with override_settings(EMAIL_BACKEND=LOCMEM), transaction.atomic():
            today = timezone.localdate()
            rounds = Round.objects.update(
                status=RoundStatus.OPEN, closes_on=today + timedelta(days=CLOSES_IN_DAYS)
            )
            users = User.objects.filter(email="").update(
                email=Concat("username", Value(f"@{EMAIL_DOMAIN}"))
            )
            first = run_once(FIRST)
            recipients = {address for email in mail.outbox for address in email.to}
            second = run_once(SECOND)
            made = Notification.objects.filter(pk__gt=last_pk)
            result = Measurement(
                runs=[first, second],
                rounds=rounds,
                users_given_email=users,
                by_kind=_count_by_kind(made),
                sent_by_kind=_count_by_kind(made.filter(outcome=Outcome.SENT)),
                emails_to_distinct_people=len(recipients),
            )
            raise _RollBack
    except _RollBack:
        pass
    mail.outbox = []
    result.rolled_back = data_state() == before
    return result


def data_state() -> tuple:
    """What the scenario changes, to check that the rollback undid it."""
    return (
        list(Round.objects.order_by("pk").values_list("status", "closes_on")),
        User.objects.filter(email="").count(),
        Notification.objects.count(),
    )


def _count_by_kind(queryset) -> dict[str, int]:
    rows = queryset.values_list("kind").annotate(n=Count("pk")).order_by("kind")
    return dict(rows)
