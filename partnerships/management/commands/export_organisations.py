"""Export every organisation as CSV, in the format import_organisations reads."""

from pathlib import Path

from django.core.management.base import BaseCommand

from partnerships.models import Organisation
from partnerships.organisation_csv.export import export_csv


class Command(BaseCommand):
    help = (
        "Write every organisation as CSV (name,kind,gss_code,region; UTF-8 with a "
        "byte-order mark, CRLF line ends) to FILE, or to standard output."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, help="where to write (default: stdout)")

    def handle(self, *args, file: Path | None, **options):
        organisations = Organisation.objects.order_by("name", "gss_code", "pk")
        data = export_csv(organisations)
        if file is None:
            self.stdout.write(data.decode("utf-8"), ending="")
            return
        file.write_bytes(data)
        count = organisations.count()
        self.stdout.write(self.style.SUCCESS(f"Wrote {count} organisations to {file}"))
