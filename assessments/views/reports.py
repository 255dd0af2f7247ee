"""Report pages and exports. Each view loads the object through the access helper
(404 for non-members), builds the report data once, and hands it to one renderer."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.cache import never_cache

from ..access import get_assessment_for_user, get_round_for_user
from ..charts import describe_scores, radar_svg
from ..exports import partnership_csv, report_json
from ..reports import organisation_report, partnership_report


def _file_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _file_stem(report: dict) -> str:
    return f"{slugify(report['partnership']['name'])}-{slugify(report['round']['name'])}"


@login_required
@never_cache
def partnership_page(request, round_id: int):
    round_ = get_round_for_user(request.user, round_id)
    return render(
        request, "assessments/partnership_report.html", {"report": partnership_report(round_)}
    )


@login_required
def partnership_csv_export(request, round_id: int):
    report = partnership_report(get_round_for_user(request.user, round_id))
    return _file_response(
        partnership_csv(report), "text/csv; charset=utf-8", f"{_file_stem(report)}-readiness.csv"
    )


@login_required
def partnership_json_export(request, round_id: int):
    report = partnership_report(get_round_for_user(request.user, round_id))
    return _file_response(
        report_json(report), "application/json", f"{_file_stem(report)}-readiness.json"
    )


def organisation_radar(report: dict):
    labels = [d["name"] for d in report["dimensions"]]
    values = [d["score"] for d in report["dimensions"]]
    previous = None
    if report["previous_round"]:
        previous = [d["previous"] for d in report["dimensions"]]
    description = describe_scores(labels, values)
    if previous is not None:
        description += f". Dashed outline: {report['previous_round']}."
    return radar_svg(
        labels,
        values,
        previous=previous,
        title=f"{report['organisation']['name']}: readiness by dimension, 0 to 4",
        description=description,
    )


@login_required
@never_cache
def organisation_page(request, pk: int):
    assessment = get_assessment_for_user(request.user, pk)
    report = organisation_report(assessment)
    return render(
        request,
        "assessments/organisation_report.html",
        {"report": report, "radar": organisation_radar(report), "assessment": assessment},
    )
