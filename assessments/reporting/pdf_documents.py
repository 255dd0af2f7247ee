"""The two PDF documents, each described once: its report data, its template and
context, its file name and its key (a hash of everything it shows). The download views
and the rendering task both start here, so a PDF rendered ahead by a worker is exactly
the one a download asks for.

The partnership PDF is one document per round, the same for every member: each
organisation's own answers, with their evidence, are in its organisation PDF, which
the partnership PDF names.
"""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.text import slugify

from ..insights import benchmark
from ..models import Assessment, Round
from .cache import cached_organisation_report, cached_partnership_report, pdf_key
from .charts import organisation_radar, partnership_radar
from .pdf import render_pdf

PARTNERSHIP, ORGANISATION = "partnership", "organisation"


@dataclass
class Document:
    kind: str
    object_id: int
    report: dict
    key: str
    filename: str
    template: str
    context: dict

    def render(self) -> bytes:
        return render_pdf(render_to_string(self.template, self.context))


def _context(report: dict, *, title: str, author: str, cover_title: str, cover_subtitle: str):
    return {
        "report": report,
        "title": title,
        "author": author,
        "running_title": title,
        "cover_title": cover_title,
        "cover_subtitle": cover_subtitle,
        "critical_gaps": [gap for gap in report["gaps"] if gap["severity"] == "critical"],
    }


def file_stem(report: dict) -> str:
    return f"{slugify(report['partnership']['name'])}-{slugify(report['round']['name'])}"


def partnership_document(round_: Round) -> Document:
    report, _ = cached_partnership_report(round_)
    peers = benchmark.for_partnership_report(report, benchmark.read(round_.framework_id))
    name, round_name = report["partnership"]["name"], report["round"]["name"]
    context = _context(
        report,
        title=f"{name}: readiness report, {round_name}",
        author=name,
        cover_title=name,
        cover_subtitle=f"{len(report['members'])} member organisations",
    ) | {"radar": partnership_radar(report), "peers": peers}
    return Document(
        PARTNERSHIP,
        round_.pk,
        report,
        pdf_key(PARTNERSHIP, report, peers),
        f"{file_stem(report)}-readiness.pdf",
        "assessments/pdf/partnership.html",
        context,
    )


def organisation_document(assessment: Assessment) -> Document:
    report = cached_organisation_report(assessment)
    peers = benchmark.for_organisation_report(report, benchmark.read(assessment.round.framework_id))
    name = report["organisation"]["name"]
    context = _context(
        report,
        title=f"{name}: readiness report, {report['round']['name']}",
        author=name,
        cover_title=name,
        cover_subtitle=report["partnership"]["name"],
    ) | {"radar": organisation_radar(report), "peers": peers}
    stem = f"{slugify(name)}-{slugify(report['round']['name'])}"
    return Document(
        ORGANISATION,
        assessment.pk,
        report,
        pdf_key(ORGANISATION, report, peers),
        f"{stem}-readiness.pdf",
        "assessments/pdf/organisation.html",
        context,
    )


def document_for(kind: str, object_id: int) -> Document | None:
    """The document as its data is now (for the rendering task); None if its round or
    assessment no longer exists."""
    if kind == PARTNERSHIP:
        round_ = Round.objects.select_related("partnership", "framework").filter(pk=object_id)
        return partnership_document(round_[0]) if round_ else None
    assessment = (
        Assessment.objects.select_related("round__partnership", "round__framework", "organisation")
        .filter(pk=object_id)
        .first()
    )
    return organisation_document(assessment) if assessment else None
