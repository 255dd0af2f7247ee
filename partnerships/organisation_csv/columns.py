"""Checking each column of a row: one function per column, each returning the
cleaned value and the problems it found (with the line and column named)."""

import re

from common.spreadsheets import unescape_cell

from ..models import Organisation, OrganisationKind
from .problems import Problem
from .reading import COLUMNS, HEADER, REQUIRED_COLUMNS, Rows

NAME_MAX = Organisation._meta.get_field("name").max_length
REGION_MAX = Organisation._meta.get_field("region").max_length
GSS_CODE = re.compile(r"[EWSN]\d{8}")
# A region cell holding only this clears the region; a blank cell leaves it alone. A
# region that really is "-" is written (and exported) as "'-", like any cell that a
# spreadsheet would run as a formula, so the marker is never ambiguous.
CLEAR_REGION = "-"
KIND_CHOICES = ", ".join(OrganisationKind.values)


def name_key(name: str) -> str:
    """Names match ignoring case and runs of spaces."""
    return " ".join(name.split()).casefold()


def header_index(rows: Rows) -> tuple[dict[str, int], list[str], list[Problem]]:
    """Where each known column is, the columns ignored, and problems with the header."""
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


def cell(index: dict[str, int], cells: tuple[str, ...], column: str) -> str:
    position = index.get(column)
    if position is None or position >= len(cells):
        return ""
    return unescape_cell(cells[position].strip()).strip()


def region_cell(index: dict[str, int], cells: tuple[str, ...]) -> str | None:
    """The region to store: None to leave it as it is (a blank cell, or no region
    column), "" to clear it (the cell holds only CLEAR_REGION), or the new region."""
    position = index.get("region")
    if position is None or position >= len(cells):
        return None
    raw = cells[position].strip()
    if raw == CLEAR_REGION:
        return ""
    return unescape_cell(raw).strip() or None


def export_region(region: str) -> str:
    """The region as export writes it, before formula escaping: never the bare marker.
    (A stored "-" comes out as "'-" anyway; this also covers one with spaces round it,
    which import would otherwise trim to the marker.)"""
    return f"'{CLEAR_REGION}" if region.strip() == CLEAR_REGION else region


def check_name(name: str, line: int) -> list[Problem]:
    if not name:
        return [Problem("enter a name", line, "name")]
    if len(name) > NAME_MAX:
        return [
            Problem(
                f"the name is {len(name)} characters long. Use {NAME_MAX} characters or fewer",
                line,
                "name",
            )
        ]
    return []


def kind_value(text: str) -> str | None:
    """A kind given as its value (`unitary`) or label ("Unitary authority"), any case."""
    wanted = " ".join(text.split()).casefold()
    for kind in OrganisationKind:
        if wanted in (kind.value, kind.value.replace("_", " "), kind.label.casefold()):
            return kind.value
    return None


def check_kind(text: str, line: int) -> tuple[str | None, list[Problem]]:
    if not text:
        return None, [
            Problem(f"enter a kind of organisation. Use one of: {KIND_CHOICES}", line, "kind")
        ]
    kind = kind_value(text)
    if kind is None:
        return None, [
            Problem(
                f"“{text}” is not a kind of organisation. Use one of: {KIND_CHOICES}",
                line,
                "kind",
            )
        ]
    return kind, []


def check_gss_code(text: str, line: int, seen: dict[str, int]) -> tuple[str | None, list[Problem]]:
    """`seen` maps codes to the line they were first found on, across the file."""
    code = text.upper() or None
    if code is None:
        return None, []
    if not GSS_CODE.fullmatch(code):
        return code, [
            Problem(
                f"{text} is not a GSS code. Use a letter E, W, S or N followed by "
                "8 digits, like E06000001, or leave it blank",
                line,
                "gss_code",
            )
        ]
    if code in seen:
        return code, [
            Problem(
                f"{code} is also on line {seen[code]}. Each GSS code may appear once",
                line,
                "gss_code",
            )
        ]
    seen[code] = line
    return code, []


def check_name_without_code(name: str, line: int, seen: dict[str, int]) -> list[Problem]:
    """An organisation without a GSS code is matched by name, so its name may appear
    once in the file."""
    key = name_key(name)
    if key in seen:
        return [
            Problem(
                f"“{name}” without a GSS code is also on line {seen[key]}. "
                "Each organisation without a GSS code may appear once",
                line,
                "name",
            )
        ]
    seen[key] = line
    return []


def check_region(region: str | None, line: int) -> list[Problem]:
    if region and len(region) > REGION_MAX:
        return [
            Problem(
                f"the region is {len(region)} characters long. "
                f"Use {REGION_MAX} characters or fewer",
                line,
                "region",
            )
        ]
    return []
