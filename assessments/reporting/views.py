"""Report pages and exports. Each view loads the object through the access helper
(404 for non-members), builds the report data once, and hands it to one renderer."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache

from common.downloads import PDF, attachment

from ..access import get_assessment_for_user, get_round_for_user, report_offers
from ..insights import benchmark
from . import pdf_store
from .cache import (
    cached_organisation_report,
    cached_partnership_report,
    cached_partnership_report_and_peers,
    cached_rendering,
)
from .charts import organisation_radar, partnership_radar
from .exports import action_plan_csv, partnership_csv, report_json
from .pdf_documents import file_stem, organisation_document, partnership_document
from .pdf_queue import queue, render_in_request, state

logger = logging.getLogger(__name__)


PREPARING_REFRESH_SECONDS = 5
# How the peers section speaks of a partnership.
OURS = {
    "who": "the partnership",
    "unit": "partnerships",
    "own_column": "The partnership",
    "group": "partnerships of similar size",
}


@login_required
@never_cache
def partnership_page(request, round_id: int):
    round_ = get_round_for_user(request.user, round_id)
    report, key, peers_stamp = cached_partnership_report_and_peers(round_)
    body = cached_rendering(
        key,
        "html-body",
        lambda: render_to_string(
            "assessments/reports/_partnership_body.html",
            {"report": report, "radar": partnership_radar(report)},
        ),
    )

    def peers_section() -> str:
        peers = benchmark.for_partnership_report(report, benchmark.read(round_.framework_id))
        return render_to_string("assessments/reports/_peers.html", {"peers": peers, **OURS})

    # Cached under the report and the benchmark it shows (read with the report's
    # fingerprint, or with a closed round's snapshot).
    peers_html = cached_rendering(key, f"html-peers:{peers_stamp}", peers_section)
    can_plan, can_project = report_offers(request.user, round_.partnership)
    return render(
        request,
        "assessments/partnership_report.html",
        {
            "report": report,
            "body": body,
            "peers": peers_html,
            "can_plan": can_plan,
            "can_project": round_.is_open and can_project,
        },
    )


@login_required
def partnership_csv_export(request, round_id: int):
    report, _ = cached_partnership_report(get_round_for_user(request.user, round_id))
    return attachment(
        request,
        partnership_csv(report),
        "text/csv; charset=utf-8",
        f"{file_stem(report)}-readiness.csv",
    )


@login_required
def round_actions_csv(request, round_id: int):
    """The action plan as the round's report shows it (as at closing, for a closed round)."""
    report, _ = cached_partnership_report(get_round_for_user(request.user, round_id))
    return attachment(
        request,
        action_plan_csv(report["action_plan"]),
        "text/csv; charset=utf-8",
        f"{file_stem(report)}-action-plan.csv",
    )


@login_required
def partnership_json_export(request, round_id: int):
    report, _ = cached_partnership_report(get_round_for_user(request.user, round_id))
    return attachment(
        request, report_json(report), "application/json", f"{file_stem(report)}-readiness.json"
    )


@login_required
@never_cache
def organisation_page(request, pk: int):
    assessment = get_assessment_for_user(request.user, pk)
    report = cached_organisation_report(assessment)
    return render(
        request,
        "assessments/organisation_report.html",
        {
            "report": report,
            "radar": organisation_radar(report),
            "assessment": assessment,
            "peers": benchmark.for_organisation_report(
                report, benchmark.read(assessment.round.framework_id)
            ),
        },
    )


def _pdf_response(request, document):
    """The stored PDF if it is ready; otherwise, with a worker, queue it and say it is
    being prepared; without one, render it here unless it
    is already being rendered. A failure shows a page that says what to do, never a
    partial file."""
    pdf = pdf_store.read(document.key)
    if pdf is not None:
        return _pdf_file(request, pdf, document, "hit")
    if settings.PDF_WORKERS:
        retry = request.GET.get("retry") == "1"
        if not retry and state(document.kind, document.object_id) == "failed":
            return _pdf_failed(request, document)
        queue(document.kind, document.object_id)
        if retry:
            # Queued again: wait at the plain address, so the page's refresh and "check
            # now" report a new failure instead of queueing the render again each time.
            return redirect(request.path)
        return _pdf_preparing(request, document)
    try:
        pdf = render_in_request(document)
    except Exception:
        logger.exception("PDF rendering failed for %s", document.filename)
        return _pdf_failed(request, document)
    if pdf is None:
        return _pdf_preparing(request, document)
    return _pdf_file(request, pdf, document, "miss")


def _pdf_file(request, pdf: bytes, document, cache_state: str) -> HttpResponse:
    response = attachment(request, pdf, "application/pdf", document.filename, kind=PDF)
    response["X-PDF-Cache"] = cache_state
    return response


def _pdf_preparing(request, document):
    """ "Your report is being prepared". It refreshes itself (without JavaScript) only
    once the reader chooses to keep checking, and says how to stop: a page that
    reloads on its own, unasked and unstoppable, fails WCAG 2.2.1 (Timing
    Adjustable). The refresh is an HTTP `Refresh` header to the same address."""
    waiting = request.GET.get("wait") == "1"
    response = render(
        request,
        "assessments/pdf_preparing.html",
        {
            "report": document.report,
            "refresh_seconds": PREPARING_REFRESH_SECONDS,
            "waiting": waiting,
            "here": request.path,
        },
        status=202,
    )
    response["Retry-After"] = str(PREPARING_REFRESH_SECONDS)
    if waiting:
        response["Refresh"] = f"{PREPARING_REFRESH_SECONDS}; url={request.path}?wait=1"
    return response


def _pdf_failed(request, document):
    return render(
        request,
        "assessments/pdf_failed.html",
        {"report": document.report, "retry": settings.PDF_WORKERS},
        status=503,
    )


@login_required
def partnership_pdf(request, round_id: int):
    round_ = get_round_for_user(request.user, round_id)
    return _pdf_response(request, partnership_document(round_))


@login_required
def organisation_pdf(request, pk: int):
    assessment = get_assessment_for_user(request.user, pk)
    return _pdf_response(request, organisation_document(assessment))
