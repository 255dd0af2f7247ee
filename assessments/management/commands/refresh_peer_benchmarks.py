"""`manage.py refresh_peer_benchmarks`: compute the peer benchmark of every framework
version in use, now. Submissions refresh it on their own; this is for after an import,
a restore, or a change to organisations' kinds."""

import time

from django.core.management.base import BaseCommand

from assessments.insights.benchmark import enabled, refresh_all


class Command(BaseCommand):
    help = "Compute the anonymised peer benchmark of every framework version in use."

    def handle(self, *args, **options):
        if not enabled():
            self.stdout.write("The peer benchmark is switched off; nothing computed.")
            return
        started = time.perf_counter()
        count = refresh_all()
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Peer benchmark computed for {count} framework version(s) in {seconds:.1f} s."
            )
        )
