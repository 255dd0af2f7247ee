"""Import organisations from a CSV file (the format is in partnerships/organisation_csv.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from partnerships import organisation_csv


class Command(BaseCommand):
    help = (
        "Create and update organisations from a CSV file with the columns "
        f"{organisation_csv.HEADER}. Every row is checked first; if any is wrong, every "
        "problem is listed and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the CSV file to import")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and say what would change, without writing anything",
        )

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            size = file.stat().st_size
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        problem = organisation_csv.size_problem(size)
        if problem:
            raise CommandError(str(problem))
        raw = file.read_bytes()
        if dry_run:
            with transaction.atomic():
                result = organisation_csv.check(raw)
            if not isinstance(result, list):
                self.stdout.write(
                    f"Would create {len(result.creates)}, update {len(result.updates)}, "
                    f"leave unchanged {len(result.unchanged)} (dry run: nothing written)"
                )
                for update in result.updates:
                    changes = "; ".join(
                        f"{c.field}: {c.old or '(blank)'} -> {c.new or '(blank)'}"
                        for c in update.changes
                    )
                    self.stdout.write(f"  line {update.line}: {update.organisation}: {changes}")
                return
        else:
            result = organisation_csv.import_csv(raw)
        if isinstance(result, list):
            for problem in result:
                self.stderr.write(str(problem))
            count = len(result)
            raise CommandError(
                f"Nothing was imported: {count} problem{'s' if count != 1 else ''} in {file}"
            )
        self.stdout.write(self.style.SUCCESS(str(result)))
