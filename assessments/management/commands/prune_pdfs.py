"""`manage.py prune_pdfs`: delete stored PDFs that a newer render of the same report
has superseded, once they are older than PDF_PRUNE_AFTER_DAYS, then the oldest while
the store is over PDF_STORE_MAX_MB. A deleted PDF that is asked for again is simply
rendered again."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from assessments.reporting.pdf_store import prune


class Command(BaseCommand):
    help = "Delete superseded PDFs older than a number of days, and the oldest beyond a size cap."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.PDF_PRUNE_AFTER_DAYS)
        parser.add_argument("--max-mb", type=int, default=settings.PDF_STORE_MAX_MB)

    def handle(self, *args, days, max_mb, **options):
        result = prune(older_than=timedelta(days=days), max_bytes=max_mb * 1024 * 1024)
        self.stdout.write(
            f"Deleted {result['deleted']} PDFs; {result['kept']} kept, "
            f"{result['bytes'] / 1024 / 1024:.1f} MB."
        )
