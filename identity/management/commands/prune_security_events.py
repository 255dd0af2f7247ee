"""Deletes security events older than SECURITY_EVENTS_KEEP_DAYS (or --days). Run daily
from cron, like prune_pdfs."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from identity.models import SecurityEvent


class Command(BaseCommand):
    help = "Delete security events older than SECURITY_EVENTS_KEEP_DAYS days."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep this many days instead of SECURITY_EVENTS_KEEP_DAYS.",
        )

    def handle(self, *args, **options):
        days = (
            options["days"] if options["days"] is not None else settings.SECURITY_EVENTS_KEEP_DAYS
        )
        if days < 1:
            raise CommandError("Keep at least 1 day of security events: give --days 1 or more.")
        cutoff = timezone.now() - timedelta(days=days)
        deleted, _ = SecurityEvent.objects.filter(at__lt=cutoff).delete()
        self.stdout.write(f"Deleted {deleted} security event(s) older than {days} days.")
