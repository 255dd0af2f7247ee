"""Recording and sending notifications, safe to run from cron on several machines at
once.

1. `record`: every due notice is inserted, ignoring any already there: the database's
   unique constraint (recipient, kind, about) keeps one row per notice, whichever run
   inserts it first.
2. `claim`: a run takes the unsent rows by a conditional UPDATE that matches only rows
   nobody holds (or whose holder's claim has expired), marking them with its own
   token: of two runs, each row is updated by exactly one, and only that run sends it.
3. `send`: the email goes through Django's email backend; success records the time,
   failure records the error and releases the row, so the next run tries again.

A run killed after the mail server accepted a message but before the result was
recorded sends it again once the claim expires (NOTIFICATION_CLAIM_SECONDS): the one
case in which a person could get a notice twice, and never silently lost.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from .due import Notice, link
from .models import Notification, Outcome

BATCH = 500


def record(notices: list[Notice]) -> int:
    """Insert the notices not recorded yet; returns how many rows exist for them now
    that were not sent before (for the run's summary)."""
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=n.recipient_id,
                kind=n.kind,
                about=n.about,
                subject=n.subject[:200],
                context=n.context,
            )
            for n in notices
        ],
        ignore_conflicts=True,
        batch_size=BATCH,
    )
    return len(notices)


def claim(token: str) -> list[Notification]:
    """Take every unsent notification nobody holds, in one UPDATE: of two runs at
    once, each row goes to whichever updates it first (PostgreSQL re-checks the
    condition on a row another transaction just claimed; SQLite runs one writer at a
    time)."""
    now = timezone.now()
    expired = now - timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS)
    Notification.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=expired), sent_at__isnull=True
    ).update(claimed_at=now, claimed_by=token)
    return list(
        Notification.objects.filter(claimed_by=token, sent_at__isnull=True)
        .select_related("recipient")
        .order_by("pk")
    )


def message(notification: Notification) -> EmailMultiAlternatives:
    context = notification.context | {
        "recipient": notification.recipient,
        "kind": notification.kind,
        "preferences_url": link("notifications:preferences"),
    }
    template = f"notifications/email/{notification.kind}"
    email = EmailMultiAlternatives(
        subject=notification.subject,
        body=render_to_string(f"{template}.txt", context),
        to=[notification.recipient.email],
    )
    email.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return email


def send(notification: Notification, token: str) -> bool:
    """Send one claimed notification and record the outcome. True if sent."""
    try:
        message(notification).send()
    except Exception as error:  # any failure of the backend: record it, try again later
        Notification.objects.filter(pk=notification.pk, claimed_by=token).update(
            outcome=Outcome.FAILED,
            attempts=F("attempts") + 1,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            claimed_at=None,
            claimed_by="",
        )
        return False
    Notification.objects.filter(pk=notification.pk, claimed_by=token).update(
        outcome=Outcome.SENT,
        sent_at=timezone.now(),
        attempts=F("attempts") + 1,
        last_error="",
    )
    return True


def run(notices: list[Notice]) -> dict:
    """Record the due notices, then send every unsent one this run can claim."""
    token = uuid.uuid4().hex
    record(notices)
    claimed = claim(token)
    sent = sum(send(notification, token) for notification in claimed)
    return {
        "due": len(notices),
        "claimed": len(claimed),
        "sent": sent,
        "failed": len(claimed) - sent,
    }
