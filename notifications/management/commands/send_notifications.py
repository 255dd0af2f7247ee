"""`manage.py send_notifications`: work out which notices are due, record them and
send each one at most once. Safe to run every few minutes from cron or a systemd timer
on several machines at once (see the README)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from notifications.due import due_notices
from notifications.sending import run


class Command(BaseCommand):
    help = "Send the email notifications that are due (each at most once)."

    def handle(self, *args, **options):
        result = run(due_notices(timezone.localdate()))
        self.stdout.write(
            f"{result['due']} notices due. Sent now: {result['sent']}. Failed: "
            f"{result['failed']} (tried again on the next run). Notices sent before are "
            "not sent again."
        )
