"""Report pages and exports. Each view loads the object through the access helper
(404 for non-members), builds the report data once, and hands it to one renderer."""

import logging

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.views.decorators.cache import never_cache

from ..access import (
    can_plan_own_actions,
    can_plan_partnership_actions,
    get_assessment_for_user,
    get_round_for_user,
)
from .cache import cached_partnership_report, cached_pdf, cached_rendering, pdf_key
from .charts import organisation_radar, partnership_radar
from .data import organisation_report
from .exports import action_plan_csv, partnership_csv, report_json
from .snapshots import frozen_organisation_report, own_organisation_report

logger = logging.getLogger(__name__)


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
    report, key = cached_partnership_report(round_)
    body = cached_rendering(
        key,
        "html-body",
        lambda: render_to_string(
            "assessments/reports/_partnership_body.html",
            {"report": report, "radar": partnership_radar(report)},
        ),
    )
    user, partnership = request.user, round_.partnership
    can_plan = can_plan_own_actions(user, partnership) or can_plan_partnership_actions(
        user, partnership
    )
    return render(
        request,
        "assessments/partnership_report.html",
        {"report": report, "body": body, "can_plan": can_plan},
    )


@login_required
def partnership_csv_export(request, round_id: int):
    report, _ = cached_partnership_report(get_round_for_user(request.user, round_id))
    return _file_response(
        partnership_csv(report), "text/csv; charset=utf-8", f"{_file_stem(report)}-readiness.csv"
    )


@login_required
def round_actions_csv(request, round_id: int):
    """The action plan as the round's report shows it (as at closing, for a closed round)."""
    report, _ = cached_partnership_report(get_round_for_user(request.user, round_id))
    return _file_response(
        action_plan_csv(report["action_plan"]),
        "text/csv; charset=utf-8",
        f"{_file_stem(report)}-action-plan.csv",
    )


@login_required
def partnership_json_export(request, round_id: int):
    report, _ = cached_partnership_report(get_round_for_user(request.user, round_id))
    return _file_response(
        report_json(report), "application/json", f"{_file_stem(report)}-readiness.json"
    )


def report_of(assessment) -> dict:
    """An organisation's report: as frozen when its round closed, or as it is now, with
    its actions as the (cached) partnership report shows them."""
    frozen = frozen_organisation_report(assessment)
    if frozen is not None:
        return frozen
    partnership, _ = cached_partnership_report(assessment.round)
    return organisation_report(assessment, partnership_plan=partnership["action_plan"])


@login_required
@never_cache
def organisation_page(request, pk: int):
    assessment = get_assessment_for_user(request.user, pk)
    report = report_of(assessment)
    return render(
        request,
        "assessments/organisation_report.html",
        {"report": report, "radar": organisation_radar(report), "assessment": assessment},
    )


def _pdf_response(request, *, template: str, context: dict, filename: str, key: str):
    """Render (or reuse) the PDF; on any rendering failure, log it and show a page
    that says what to do, never a partial file."""
    try:
        pdf, from_cache = cached_pdf(key, lambda: render_to_string(template, context))
    except Exception:
        logger.exception("PDF rendering failed for %s", filename)
        return render(
            request,
            "assessments/pdf_failed.html",
            {"report": context["report"]},
            status=503,
        )
    response = _file_response(pdf, "application/pdf", filename)
    response["X-PDF-Cache"] = "hit" if from_cache else "miss"
    return response


def _pdf_context(report: dict, *, title: str, author: str, cover_title: str, cover_subtitle: str):
    return {
        "report": report,
        "title": title,
        "author": author,
        "running_title": title,
        "cover_title": cover_title,
        "cover_subtitle": cover_subtitle,
        "critical_gaps": [gap for gap in report["gaps"] if gap["severity"] == "critical"],
    }


@login_required
def partnership_pdf(request, round_id: int):
    round_ = get_round_for_user(request.user, round_id)
    report, _ = cached_partnership_report(round_)
    # The appendix holds the reader's own organisation's answers, and only those.
    own = own_organisation_report(round_, request.user.organisation_id, report["action_plan"])
    name, round_name = report["partnership"]["name"], report["round"]["name"]
    context = _pdf_context(
        report,
        title=f"{name}: readiness report, {round_name}",
        author=name,
        cover_title=name,
        cover_subtitle=f"{len(report['members'])} member organisations",
    )
    context |= {"radar": partnership_radar(report), "own_report": own}
    return _pdf_response(
        request,
        template="assessments/pdf/partnership.html",
        context=context,
        filename=f"{_file_stem(report)}-readiness.pdf",
        key=pdf_key("partnership", report, own),
    )


@login_required
def organisation_pdf(request, pk: int):
    assessment = get_assessment_for_user(request.user, pk)
    report = report_of(assessment)
    name = report["organisation"]["name"]
    context = _pdf_context(
        report,
        title=f"{name}: readiness report, {report['round']['name']}",
        author=name,
        cover_title=name,
        cover_subtitle=report["partnership"]["name"],
    )
    context["radar"] = organisation_radar(report)
    stem = f"{slugify(name)}-{slugify(report['round']['name'])}"
    return _pdf_response(
        request,
        template="assessments/pdf/organisation.html",
        context=context,
        filename=f"{stem}-readiness.pdf",
        key=pdf_key("organisation", report),
    )
