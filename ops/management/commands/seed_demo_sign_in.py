from django.core.management.base import BaseCommand

from ops.demo_sign_in import DEMO_ISSUER, seed_demo_sign_in


class Command(BaseCommand):
    help = "Register the local test provider for the demo's Cherwell District Council."

    def add_arguments(self, parser):
        parser.add_argument("--issuer", default=DEMO_ISSUER)

    def handle(self, *args, issuer, **options):
        provider = seed_demo_sign_in(issuer)
        self.stdout.write(
            self.style.SUCCESS(f"{provider.name} at {provider.issuer_url} signs in Cherwell.")
        )
