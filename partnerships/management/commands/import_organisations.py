"""Import organisations from a CSV file (the format is in partnerships/organisation_csv)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from partnerships.organisation_csv.planning import check, import_csv
from partnerships.organisation_csv.problems import ImportRefused
from partnerships.organisation_csv.reading import HEADER, size_problem


class Command(BaseCommand):
    help = (
        f"Create and update organisations from a CSV file with the columns {HEADER}. "
        "Every row is checked first; if any is wrong, every problem is listed and "
        "nothing is written."
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
        problem = size_problem(size)
        if problem:
            raise CommandError(str(problem))
        raw = file.read_bytes()
        try:
            if dry_run:
                with transaction.atomic():
                    self._describe(check(raw))
                return
            result = import_csv(raw)
        except ImportRefused as refusal:
            for problem in refusal.problems:
                self.stderr.write(str(problem))
            count = len(refusal.problems)
            raise CommandError(
                f"Nothing was imported: {count} problem{'s' if count != 1 else ''} in {file}"
            ) from None
        self.stdout.write(self.style.SUCCESS(str(result)))

    def _describe(self, plan) -> None:
        self.stdout.write(
            f"Would create {len(plan.creates)}, update {len(plan.updates)}, "
            f"leave unchanged {len(plan.unchanged)} (dry run: nothing written)"
        )
        important, others = plan.important_updates, plan.other_updates
        if important:
            self.stdout.write(
                f"Check these first: {len(important)} rename an organisation or change a "
                "current partnership member"
            )
            for update in important:
                self._describe_update(update)
        if others:
            if important:
                self.stdout.write(f"Other updates ({len(others)}):")
            for update in others:
                self._describe_update(update)

    def _describe_update(self, update) -> None:
        changes = "; ".join(
            f"{c.field}: {c.old_display} -> {c.new_display}" for c in update.changes
        )
        member = f" (member of {', '.join(update.partnerships)})" if update.partnerships else ""
        self.stdout.write(f"  line {update.line}: {update.organisation}{member}: {changes}")
