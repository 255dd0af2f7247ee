"""For a person who lost the phone with their authenticator app: removes their app and
recovery codes so their next password sign-in asks them to set up a new one. Logged in
the security log with the reason. Check who is asking before you run it (call them
back on a number you already hold), as with any account recovery."""

import getpass

from django.core.management.base import BaseCommand, CommandError

from identity.services import reset_second_factor
from partnerships.models import User


class Command(BaseCommand):
    help = "Remove a person's authenticator app and recovery codes (they set up a new one)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="The person's username")
        parser.add_argument(
            "--reason", required=True, help="Why, for the security log (e.g. 'lost phone')"
        )

    def handle(self, *args, username, reason, **options):
        person = User.objects.filter(username=username).first()
        if person is None:
            raise CommandError(f"There is no user with the username {username!r}.")
        if not reason.strip():
            raise CommandError("Give a reason with --reason, for the security log.")
        operator = getpass.getuser()
        removed = reset_second_factor(person=person, reason=reason.strip(), by=operator)
        if not removed:
            self.stdout.write(f"{username} had no authenticator app; nothing to remove.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Removed the authenticator app and recovery codes of {username}. They set up "
                "a new app at their next password sign-in."
            )
        )
