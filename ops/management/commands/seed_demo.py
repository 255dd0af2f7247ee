from django.core.management.base import BaseCommand

from ops.demo import DEMO_PASSWORD, PARTNERS, seed_demo


class Command(BaseCommand):
    help = "Create demo data (idempotent): a partnership, its members, users and assessments."

    def handle(self, *args, **options):
        partnership = seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {partnership}."))
        usernames = ["admin", "coordinator"] + [
            f"{p.slug}-{suffix}" for p in PARTNERS for suffix in ("ict", "exec")
        ]
        self.stdout.write(f"Demo users (demo only): {', '.join(usernames)}")
        self.stdout.write(f"Demo password for all of them (demo only): {DEMO_PASSWORD}")
