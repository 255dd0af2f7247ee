from django.core.management.base import BaseCommand

from assessments.insights.benchmark import refresh_all
from ops.demo import DEMO_PASSWORD, NEIGHBOURS, PARTNERS, seed_demo, seed_neighbours


class Command(BaseCommand):
    help = "Create demo data (idempotent): two partnerships, their members, users and assessments."

    def handle(self, *args, **options):
        partnership = seed_demo()
        neighbours = seed_neighbours()
        refresh_all()  # the peer benchmark, as submissions would have refreshed it
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {partnership}, {neighbours}."))
        usernames = ["admin", "coordinator"] + [
            f"{p.slug}-{suffix}" for p in PARTNERS + NEIGHBOURS for suffix in ("ict", "exec")
        ]
        self.stdout.write(f"Demo users (demo only): {', '.join(usernames)}")
        self.stdout.write(f"Demo password for all of them (demo only): {DEMO_PASSWORD}")
