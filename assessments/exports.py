"""Renderers that turn report data into files: CSV for spreadsheets, JSON for other
systems. They only format what `reports.py` computed, so the numbers always match the
pages."""

import csv
import io
import json

from django.core.serializers.json import DjangoJSONEncoder

STATUS_LABELS = {"submitted": "Submitted", "draft": "Draft", "not_started": "Not started"}
# A cell starting with these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def partnership_csv(report: dict) -> bytes:
    """One row per partner: UTF-8 with a byte-order mark, so Excel opens it with the
    right characters, and CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    dimension_names = [d["name"] for d in report["dimensions"]]
    writer.writerow(
        ["Organisation", "GSS code", "Kind", "Role", "Assessment", "Submitted on"]
        + dimension_names
        + ["Overall", "Overall band", "Funding formula signed"]
    )
    for member in report["members"]:
        organisation = member["organisation"]
        writer.writerow(
            _cell(value)
            for value in [
                organisation["name"],
                organisation["gss_code"],
                organisation["kind"],
                member["role"],
                STATUS_LABELS[member["assessment_status"]],
                member["submitted_on"],
                *[entry["score"] for entry in member["scores"]],
                member["overall"]["score"],
                member["overall"]["band_label"],
                "Yes" if member["funding_signed"] else "No",
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def report_json(report: dict) -> bytes:
    return json.dumps(report, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")
