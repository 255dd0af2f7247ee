"""Import and export organisations as CSV.

The format
----------
The first row is a header naming the columns; every other row is one organisation::

    name,kind,gss_code,region
    Hartlepool,unitary,E06000001,North East
    Thames Valley Police,police,,South East

- ``name`` (required): up to 200 characters.
- ``kind`` (required): one of the organisation kinds, as its value (``county``,
  ``district``, ``unitary``, ``metropolitan``, ``london_borough``, ``police``, ``fire``,
  ``nhs``, ``housing``, ``voluntary``, ``other``) or its label (``Unitary authority``),
  in any case.
- ``gss_code`` (optional column): the ONS GSS code, a letter E, W, S or N and 8 digits;
  blank if the organisation has none. Each code may appear once in a file.
- ``region`` (optional column): up to 100 characters; blank clears the region.

Header names are matched case-insensitively with surrounding spaces trimmed, in any order;
other columns are ignored. Blank rows are skipped. Line numbers in messages count the
header as line 1, like a spreadsheet's row numbers.

Matching: a row with a GSS code updates the organisation with that code (name, kind and,
if the file has the column, region) or creates one. A row without a code updates the
organisation without a code that has the same name (ignoring case), or creates one.
Organisations not in the file are left alone; nothing is ever deleted.

Files are UTF-8 (with or without a byte-order mark) or, as Excel on Windows saves
"CSV (Comma delimited)", Windows-1252; CRLF or LF line ends; quoted fields may hold
commas. At most 2 MB and 5,000 organisations per file. Every row is checked before
anything is written, and the whole file is written in one transaction, or nothing is.

Export writes the same columns, UTF-8 with a byte-order mark and CRLF line ends; a cell
that a spreadsheet would run as a formula is prefixed with ``'``, which import removes, so
exporting and importing again changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Organisation, OrganisationKind

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
COLUMNS = ("name", "kind", "gss_code", "region")
REQUIRED_COLUMNS = ("name", "kind")
HEADER = ",".join(COLUMNS)
NAME_MAX = Organisation._meta.get_field("name").max_length
REGION_MAX = Organisation._meta.get_field("region").max_length
GSS_CODE = re.compile(r"[EWSN]\d{8}")
# A cell starting with these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters never found in a text file (tab, LF and CR are fine).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BATCH = 500

NOT_CSV = "The file is not a CSV file. Save it from your spreadsheet as CSV, then upload it again"
EMPTY = f"The file is empty. Upload a CSV file with a header row: {HEADER}"
NO_ROWS = (
    "The file has a header row but no organisations. Add one row for each organisation "
    "under the header, then upload it again"
)
TOO_MANY_ROWS = (
    f"The file has more than {MAX_ROWS:,} rows. Split it into files of {MAX_ROWS:,} rows or fewer"
)
KIND_CHOICES = ", ".join(OrganisationKind.values)


@dataclass(frozen=True)
class Problem:
    """Something wrong with the file, in words that say what to do. `line` counts the
    header as line 1; None for the file as a whole."""

    message: str
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        where = f"Line {self.line}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class CsvFileError(Exception):
    """The file as a whole cannot be read (too big, empty, not text, too many rows)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.problem = Problem(message)


@dataclass(frozen=True)
class Rows:
    """The header's column names (lower case, trimmed) and the non-blank data rows with
    their line numbers."""

    header: tuple[str, ...]
    header_line: int
    records: tuple[tuple[int, tuple[str, ...]], ...]


@dataclass(frozen=True)
class NewOrganisation:
    line: int
    name: str
    kind: str
    gss_code: str | None
    region: str

    @property
    def kind_label(self) -> str:
        return OrganisationKind(self.kind).label


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str

    def _display(self, value: str) -> str:
        if self.field == "kind":
            return OrganisationKind(value).label if value in OrganisationKind.values else value
        return value or "(blank)"

    @property
    def old_display(self) -> str:
        return self._display(self.old)

    @property
    def new_display(self) -> str:
        return self._display(self.new)


@dataclass(frozen=True)
class Update:
    line: int
    organisation: Organisation  # as it is now
    name: str
    kind: str
    region: str
    changes: tuple[FieldChange, ...]


@dataclass
class ImportPlan:
    """What importing the file will do; `apply` carries it out."""

    creates: list[NewOrganisation] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    unchanged: list[tuple[int, Organisation]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int

    def __str__(self) -> str:
        return f"Created {self.created}, updated {self.updated}, unchanged {self.unchanged}"


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
        raise CsvFileError(NOT_CSV)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise CsvFileError(NOT_CSV) from None
    if _CONTROL.search(text):
        raise CsvFileError(NOT_CSV)
    return text


def _column_name(cell: str) -> str:
    return re.sub(r"[\s-]+", "_", cell.strip().lstrip("\ufeff").strip().lower())


def read_csv(raw: bytes) -> Rows:
    """Decode and split the file into rows; raises CsvFileError for a file that cannot
    be read at all. Reads at most MAX_ROWS + 1 data rows."""
    problem = size_problem(len(raw))
    if problem:
        raise CsvFileError(problem.message)
    text = _decode(raw)
    if not text.strip():
        raise CsvFileError(EMPTY)
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
                raise CsvFileError(TOO_MANY_ROWS)
            records.append((line, tuple(cells)))
    except csv.Error:
        raise CsvFileError(
            f'Line {line + 1} could not be read: a quote (") may not be closed. '
            "Check the quotes on that line, then upload the file again"
        ) from None
    if header is None:  # nothing but separators, like ",,,"
        raise CsvFileError(EMPTY)
    return Rows(header=header, header_line=header_line, records=tuple(records))


def _unescape(value: str) -> str:
    """Undo the export's protection against spreadsheet formulas."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _kind(value: str) -> str | None:
    wanted = " ".join(value.split()).casefold()
    for kind in OrganisationKind:
        if wanted in (kind.value, kind.value.replace("_", " "), kind.label.casefold()):
            return kind.value
    return None


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _header_problems(rows: Rows) -> tuple[dict[str, int], list[str], list[Problem]]:
    index: dict[str, int] = {}
    ignored: list[str] = []
    problems: list[Problem] = []
    for position, name in enumerate(rows.header):
        if name not in COLUMNS:
            if name:
                ignored.append(name)
        elif name in index:
            problems.append(
                Problem(
                    f"the column {name} appears more than once. Keep one of them",
                    rows.header_line,
                )
            )
        else:
            index[name] = position
    missing = [name for name in REQUIRED_COLUMNS if name not in index]
    if missing:
        what = " and ".join(missing)
        columns = "columns" if len(missing) > 1 else "column"
        problems.insert(
            0,
            Problem(
                f"the header row has no {what} {columns}. The first row must name the "
                f"columns: {HEADER} (gss_code and region may be left out)",
                rows.header_line,
            ),
        )
    return index, ignored, problems


def validate(rows: Rows) -> ImportPlan | list[Problem]:
    """Check every row and work out what importing them would do. Returns every problem
    found (nothing may be imported then), or the plan."""
    index, ignored, problems = _header_problems(rows)
    if problems:
        return problems
    if not rows.records:
        return [Problem(NO_ROWS)]
    has_region = "region" in index

    def cell(cells: tuple[str, ...], column: str) -> str:
        position = index.get(column)
        if position is None or position >= len(cells):
            return ""
        return _unescape(cells[position].strip()).strip()

    parsed: list[NewOrganisation] = []
    code_lines: dict[str, int] = {}
    name_lines: dict[str, int] = {}
    for line, cells in rows.records:
        name, kind_text = cell(cells, "name"), cell(cells, "kind")
        code_text, region = cell(cells, "gss_code"), cell(cells, "region")
        row_problems: list[Problem] = []
        if not name:
            row_problems.append(Problem("enter a name", line, "name"))
        elif len(name) > NAME_MAX:
            row_problems.append(
                Problem(
                    f"the name is {len(name)} characters long. Use {NAME_MAX} characters or fewer",
                    line,
                    "name",
                )
            )
        kind = _kind(kind_text)
        if not kind_text:
            row_problems.append(
                Problem(f"enter a kind of organisation. Use one of: {KIND_CHOICES}", line, "kind")
            )
        elif kind is None:
            row_problems.append(
                Problem(
                    f"“{kind_text}” is not a kind of organisation. Use one of: {KIND_CHOICES}",
                    line,
                    "kind",
                )
            )
        code = code_text.upper() or None
        if code is not None:
            if not GSS_CODE.fullmatch(code):
                row_problems.append(
                    Problem(
                        f"{code_text} is not a GSS code. Use a letter E, W, S or N followed by "
                        "8 digits, like E06000001, or leave it blank",
                        line,
                        "gss_code",
                    )
                )
            elif code in code_lines:
                row_problems.append(
                    Problem(
                        f"{code} is also on line {code_lines[code]}. Each GSS code may appear once",
                        line,
                        "gss_code",
                    )
                )
            else:
                code_lines[code] = line
        elif name:
            key = _name_key(name)
            if key in name_lines:
                row_problems.append(
                    Problem(
                        f"“{name}” without a GSS code is also on line {name_lines[key]}. "
                        "Each organisation without a GSS code may appear once",
                        line,
                        "name",
                    )
                )
            else:
                name_lines[key] = line
        if len(region) > REGION_MAX:
            row_problems.append(
                Problem(
                    f"the region is {len(region)} characters long. "
                    f"Use {REGION_MAX} characters or fewer",
                    line,
                    "region",
                )
            )
        problems += row_problems
        if not row_problems:
            parsed.append(NewOrganisation(line, name, kind, code, region))
    if problems:
        return problems
    return _plan(parsed, has_region, ignored)


def _existing(parsed: list[NewOrganisation]):
    codes = [row.gss_code for row in parsed if row.gss_code]
    by_code: dict[str, Organisation] = {}
    for start in range(0, len(codes), _BATCH):
        for organisation in Organisation.objects.filter(gss_code__in=codes[start : start + _BATCH]):
            by_code[organisation.gss_code] = organisation
    by_name: dict[str, list[Organisation]] = {}
    if any(row.gss_code is None for row in parsed):
        for organisation in Organisation.objects.filter(gss_code__isnull=True).order_by("pk"):
            by_name.setdefault(_name_key(organisation.name), []).append(organisation)
    return by_code, by_name


def _plan(parsed: list[NewOrganisation], has_region: bool, ignored: list[str]):
    by_code, by_name = _existing(parsed)
    plan = ImportPlan(ignored_columns=ignored)
    problems: list[Problem] = []
    for row in parsed:
        if row.gss_code:
            existing = by_code.get(row.gss_code)
        else:
            matches = by_name.get(_name_key(row.name), [])
            if len(matches) > 1:
                problems.append(
                    Problem(
                        f"{len(matches)} organisations without a GSS code are called "
                        f"“{row.name}”, so this row could update either. Give this row a "
                        "GSS code, or rename one of them in the admin first",
                        row.line,
                        "name",
                    )
                )
                continue
            existing = matches[0] if matches else None
        if existing is None:
            plan.creates.append(row)
            continue
        region = row.region if has_region else existing.region
        changes = tuple(
            FieldChange(label, old, new)
            for label, old, new in (
                ("name", existing.name, row.name),
                ("kind", existing.kind, row.kind),
                ("region", existing.region, region),
            )
            if old != new
        )
        if changes:
            plan.updates.append(Update(row.line, existing, row.name, row.kind, region, changes))
        else:
            plan.unchanged.append((row.line, existing))
    return problems or plan


def check(raw: bytes) -> ImportPlan | list[Problem]:
    """Read and validate a file: the plan, or every problem with it."""
    try:
        rows = read_csv(raw)
    except CsvFileError as error:
        return [error.problem]
    return validate(rows)


def apply(plan: ImportPlan) -> ImportResult:
    """Carry out a plan in one transaction."""
    now = timezone.now()
    with transaction.atomic():
        Organisation.objects.bulk_create(
            [
                Organisation(name=row.name, kind=row.kind, gss_code=row.gss_code, region=row.region)
                for row in plan.creates
            ],
            batch_size=_BATCH,
        )
        Organisation.objects.bulk_update(
            [
                Organisation(
                    pk=update.organisation.pk,
                    name=update.name,
                    kind=update.kind,
                    region=update.region,
                    updated_at=now,
                )
                for update in plan.updates
            ],
            ["name", "kind", "region", "updated_at"],
            batch_size=_BATCH,
        )
    return ImportResult(len(plan.creates), len(plan.updates), len(plan.unchanged))


def import_csv(raw: bytes) -> ImportResult | list[Problem]:
    """Check the file against the organisations as they are now and, if nothing is
    wrong, import it, all in one transaction."""
    try:
        with transaction.atomic():
            plan = check(raw)
            if isinstance(plan, list):
                return plan
            return apply(plan)
    except IntegrityError:
        return [
            Problem(
                "Someone changed the organisations while this file was being imported, so "
                "nothing was imported. Upload the file again"
            )
        ]


def _cell(value: str | None) -> str:
    text = value or ""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def export_csv(organisations: Iterable[Organisation]) -> bytes:
    """The organisations in the import format: UTF-8 with a byte-order mark (so Excel
    reads the characters right) and CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # the excel dialect: CRLF, quotes only where needed
    writer.writerow(COLUMNS)
    if hasattr(organisations, "iterator"):
        organisations = organisations.iterator(chunk_size=2000)
    for organisation in organisations:
        writer.writerow(
            _cell(value)
            for value in (
                organisation.name,
                organisation.kind,
                organisation.gss_code,
                organisation.region,
            )
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
