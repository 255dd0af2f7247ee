"""Renderers that turn report data into files: CSV for spreadsheets, JSON for other
systems. They only format what `reports.py` computed, so the numbers always match the
pages."""

import json

from django.core.serializers.json import DjangoJSONEncoder

from common.spreadsheets import csv_bytes

from ..models import AssessmentStatus
from .data import NOT_STARTED

STATUS_LABELS = dict(AssessmentStatus.choices) | {NOT_STARTED: "Not started"}


def partnership_csv(report: dict) -> bytes:
    """One row per partner: UTF-8 with a byte-order mark, so Excel opens it with the
    right characters, and CRLF line ends."""
    dimension_names = [d["name"] for d in report["dimensions"]]
    header = (
        ["Organisation", "GSS code", "Kind", "Role", "Assessment", "Submitted on"]
        + dimension_names
        + ["Overall", "Overall band", "Funding formula signed"]
    )
    rows = (
        [
            member["organisation"]["name"],
            member["organisation"]["gss_code"],
            member["organisation"]["kind"],
            member["role"],
            STATUS_LABELS[member["assessment_status"]],
            member["submitted_on"],
            *[entry["score"] for entry in member["scores"]],
            member["overall"]["score"],
            member["overall"]["band_label"],
            "Yes" if member["funding_signed"] else "No",
        ]
        for member in report["members"]
    )
    return csv_bytes(header, rows)


def report_json(report: dict) -> bytes:
    return json.dumps(report, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")


def action_plan_csv(plan: dict) -> bytes:
    """One row per action, with its gap and what later rounds say about the gap."""
    header = [
        "Action",
        "Organisation",
        "Partnership-wide",
        "Owner",
        "Named person",
        "Due on",
        "Status",
        "Overdue",
        "Reason dropped",
        "Done on",
        "Gap",
        "Gap severity",
        "Raised in round",
        "Gap now",
    ]
    rows = (
        [
            item["description"],
            item["organisation"],
            "Yes" if item["partnership_wide"] else "No",
            item["owner_label"],
            item["owner_name"],
            item["due_on"],
            item["status_label"],
            "Yes" if item["overdue"] else "No",
            item["dropped_reason"],
            item["done_on"],
            item["gap"]["message"],
            item["gap"]["severity"].capitalize(),
            item["gap"]["round"],
            item["gap_state_label"],
        ]
        for item in plan["items"]
    )
    return csv_bytes(header, rows)
