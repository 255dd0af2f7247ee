from django.core.management.base import BaseCommand, CommandError

from common.audit import security_event_for
from ops.backup import export_document, write_document, write_file
from partnerships.models import Partnership


class Command(BaseCommand):
    help = (
        "Write all data (or one partnership and everything it needs) as one versioned JSON "
        "backup, for import_data to restore into an empty database. The backup includes "
        "users' password hashes, so that logins survive a restore: store it securely. "
        "Sessions, the admin log and login-attempt records are not included."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--partnership",
            type=int,
            metavar="ID",
            help="Export only this partnership, its members, their people and its rounds.",
        )
        parser.add_argument(
            "--output",
            metavar="FILE",
            help="Write to FILE (created readable by its owner only); default: standard output.",
        )

    def handle(self, *args, **options):
        partnership = None
        if options["partnership"] is not None:
            partnership = Partnership.objects.filter(pk=options["partnership"]).first()
            if partnership is None:
                raise CommandError(f"There is no partnership with id {options['partnership']}.")
        document = export_document(partnership)
        scope = f"partnership {partnership.pk} ({partnership})" if partnership else "all data"
        security_event_for("export_downloaded", detail=f"Backup of {scope} (manage.py export_data)")
        if not options["output"]:
            self.stdout.ending = ""  # the document is written piece by piece
            write_document(document, self.stdout)
            return
        try:
            write_file(document, options["output"])
        except OSError as exc:
            raise CommandError(f"Could not write {options['output']}: {exc.strerror}.") from None
        total = sum(document["counts"].values())
        self.stdout.write(
            self.style.SUCCESS(f"Exported {total} rows ({scope}) to {options['output']}.")
        )
        self.stdout.write(
            "It contains password hashes and identity providers' client secrets: store it securely."
        )
