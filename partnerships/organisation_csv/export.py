"""Organisations in the import format, so exporting and importing again changes
nothing: UTF-8 with a byte-order mark, CRLF line ends, formula-safe cells. A blank
region is written blank (import leaves it blank) and never as the clearing marker."""

from collections.abc import Iterable

from common.spreadsheets import csv_bytes

from ..models import Organisation
from .columns import export_region
from .reading import COLUMNS


def export_csv(organisations: Iterable[Organisation]) -> bytes:
    if hasattr(organisations, "iterator"):
        organisations = organisations.iterator(chunk_size=2000)
    return csv_bytes(
        COLUMNS,
        ((o.name, o.kind, o.gss_code, export_region(o.region)) for o in organisations),
    )
