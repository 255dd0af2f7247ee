from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, describe, import_document, read_document


class Command(BaseCommand):
    help = (
        "Restore a backup written by export_data into a new, empty database (run migrate "
        "first). Everything is loaded in one transaction: on any error nothing is written. "
        "Users' password hashes are restored, so everyone signs in as before."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="A backup written by export_data.")

    def handle(self, *args, **options):
        path = options["file"]
        try:
            with open(path, "rb") as stream:
                text = stream.read()
        except OSError as exc:
            raise CommandError(f"Could not read {path}: {exc.strerror}.") from None
        try:
            counts = import_document(read_document(text))
        except BackupError as exc:
            raise CommandError(f"{path}: {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"Restored {path}: {describe(counts)}."))
