"""From uploaded bytes to rows: size, encoding (UTF-8 or Excel's Windows-1252), the
header row and the data rows with their line numbers."""

import csv
import io
import re
from dataclasses import dataclass

from .problems import ImportRefused, Problem

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
COLUMNS = ("name", "kind", "gss_code", "region")
REQUIRED_COLUMNS = ("name", "kind")
HEADER = ",".join(COLUMNS)
# Control characters never found in a text file (tab, LF and CR are fine).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

NOT_CSV = "The file is not a CSV file. Save it from your spreadsheet as CSV, then upload it again"
EMPTY = f"The file is empty. Upload a CSV file with a header row: {HEADER}"
TOO_MANY_ROWS = (
    f"The file has more than {MAX_ROWS:,} rows. Split it into files of {MAX_ROWS:,} rows or fewer"
)


def _refused(message: str) -> ImportRefused:
    return ImportRefused([Problem(message)])


@dataclass(frozen=True)
class Rows:
    """The header's column names (lower case, trimmed) and the non-blank data rows with
    their line numbers."""

    header: tuple[str, ...]
    header_line: int
    records: tuple[tuple[int, tuple[str, ...]], ...]


def size_problem(size: int) -> Problem | None:
    """The problem with a file of `size` bytes, if it is too big; callers that know the
    size before reading (uploads, files on disk) check it first."""
    if size > MAX_BYTES:
        return Problem(
            f"The file is {size / (1024 * 1024):.1f} MB. "
            f"Upload a file of {MAX_BYTES // (1024 * 1024)} MB or less"
        )
    return None


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw:
        raise _refused(NOT_CSV)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise _refused(NOT_CSV) from None
    if _CONTROL.search(text):
        raise _refused(NOT_CSV)
    return text


def _column_name(cell: str) -> str:
    return re.sub(r"[\s-]+", "_", cell.strip().lstrip("\ufeff").strip().lower())


def read_csv(raw: bytes) -> Rows:
    """Decode and split the file into rows; raises ImportRefused for a file that cannot
    be read at all. Reads at most MAX_ROWS + 1 data rows."""
    problem = size_problem(len(raw))
    if problem:
        raise ImportRefused([problem])
    text = _decode(raw)
    if not text.strip():
        raise _refused(EMPTY)
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    header: tuple[str, ...] | None = None
    header_line = 0
    records: list[tuple[int, tuple[str, ...]]] = []
    line = 0
    try:
        for cells in reader:
            line += 1
            if not any(cell.strip() for cell in cells):
                continue  # blank rows, and the ",,," rows spreadsheets leave at the end
            if header is None:
                header, header_line = tuple(_column_name(c) for c in cells), line
                continue
            if len(records) == MAX_ROWS:
                raise _refused(TOO_MANY_ROWS)
            records.append((line, tuple(cells)))
    except csv.Error:
        raise _refused(
            f'Line {line + 1} could not be read: a quote (") may not be closed. '
            "Check the quotes on that line, then upload the file again"
        ) from None
    if header is None:  # nothing but separators, like ",,,"
        raise _refused(EMPTY)
    return Rows(header=header, header_line=header_line, records=tuple(records))
