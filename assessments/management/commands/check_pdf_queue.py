"""`manage.py check_pdf_queue`: a health signal for the PDF queue. Prints how many
renders are waiting and how long the oldest has waited; exits with status 1 when the
oldest has waited longer than --max-age seconds (no worker running, or workers stuck),
so a monitor or a systemd `ExecStartPost` can alert on it."""

import sys

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


class Command(BaseCommand):
    help = "Exit non-zero when the oldest queued task has waited too long."

    def add_arguments(self, parser):
        parser.add_argument("--max-age", type=int, default=300, help="seconds (default 300)")

    def handle(self, *args, max_age, **options):
        now = timezone.now()
        # Ready to run now: no run_after (stored as the largest date) or one that passed.
        waiting = DBTaskResult.objects.ready()
        oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
        age = (now - oldest).total_seconds() if oldest else 0
        self.stdout.write(f"{waiting.count()} tasks waiting; the oldest for {age:.0f} s.")
        if age > max_age:
            self.stderr.write(f"The queue is stuck: a task has waited more than {max_age} s.")
            sys.exit(1)
