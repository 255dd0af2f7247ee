"""CSV that spreadsheets open safely: UTF-8 with a byte-order mark (so Excel reads
the characters right), CRLF line ends, and no cell that a spreadsheet would run as a
formula (such a cell gets a leading apostrophe, which `unescape_cell` removes on the
way back in)."""

import csv
import io
from collections.abc import Iterable

# A cell starting with these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def unescape_cell(value: str) -> str:
    """Undo `safe_cell`'s protection, for files this app exported."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def csv_bytes(header: Iterable[str], rows: Iterable[Iterable]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # the excel dialect: CRLF, quotes only where needed
    writer.writerow(header)
    for row in rows:
        writer.writerow(safe_cell(value) for value in row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
