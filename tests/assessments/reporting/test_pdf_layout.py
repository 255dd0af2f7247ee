"""PDF layout: nothing runs off the paper, and long words wrap.

Every page is rasterised with pypdfium2 and the strip of paper in the right margin must
stay blank: a table too wide for its page, or a word that does not wrap, draws there.
"""

import io
import math

import pypdfium2
import pytest
from django.urls import reverse
from pypdf import PdfReader

from assessments.capture.services import COMMENT_MAX_CHARACTERS, EVIDENCE_MAX_CHARACTERS
from assessments.models import Answer, Assessment, Round
from assessments.reporting.pdf import render_pdf
from ops.demo import PARTNERSHIP_NAME, seed_demo
from partnerships.models import (
    FundingSignOff,
    Membership,
    MembershipRole,
    Organisation,
    Partnership,
    Role,
    User,
)
from tests.builders import add_partner, assess, sign_funding

pytestmark = pytest.mark.django_db

# static/css/print.css: @page { margin: 22mm 16mm 20mm }, the same on landscape pages.
RIGHT_MARGIN_MM = 16
POINTS_PER_MM = 72 / 25.4
DPI = 50
# Anti-aliasing may tint the pixel next to the text area; the strip starts 1 mm inside
# the margin, and a pixel counts as ink below this grey level (255 is white).
STRIP_INSET_MM = 1
INK = 200

# The longest the form accepts.
MAX_EVIDENCE, MAX_COMMENT = EVIDENCE_MAX_CHARACTERS, COMMENT_MAX_CHARACTERS


@pytest.fixture(autouse=True)
def _pdf_cache(settings, tmp_path):
    settings.PDF_CACHE_DIR = tmp_path / "pdf-cache"


def pages_with_ink_in_the_right_margin(pdf: bytes) -> list[int]:
    """Page numbers (from 1) with anything drawn in the right margin."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        touched = []
        for index in range(len(document)):
            page = document[index]
            scale = DPI / 72
            margin_starts_pt = page.get_width() - (RIGHT_MARGIN_MM - STRIP_INSET_MM) * (
                POINTS_PER_MM
            )
            bitmap = page.render(scale=scale, grayscale=True)
            width, height, stride = bitmap.width, bitmap.height, bitmap.stride
            assert bitmap.n_channels == 1, "expected a greyscale rendering"
            pixels = bytes(bitmap.buffer)
            first = math.ceil(margin_starts_pt * scale)
            if any(
                min(pixels[row * stride + first : row * stride + width]) < INK
                for row in range(height)
            ):
                touched.append(index + 1)
            page.close()
        return touched
    finally:
        document.close()


def pdf_text(pdf: bytes) -> str:
    """The text as a reader copying it gets it (pdfium: pypdf takes many times longer)."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return "\n".join(
            document[index].get_textpage().get_text_range() for index in range(len(document))
        )
    finally:
        document.close()


def landscape_text(pdf: bytes) -> str:
    """The text of the landscape pages only."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return "\n".join(
            document[index].get_textpage().get_text_range()
            for index in range(len(document))
            if document[index].get_width() > document[index].get_height()
        )
    finally:
        document.close()


def get_pdf(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response.content.startswith(b"%PDF")
    return response.content


def test_the_margin_check_sees_what_runs_off_the_page():
    """The check itself: a table wider than the page, and a word that may not wrap, are
    both seen in the margin; the same document without them is not."""
    head = '<html lang="en-GB"><head><link rel="stylesheet" href="static/css/print.css">'
    fits = render_pdf(f"{head}<body><p>A short line.</p></body></html>")
    assert pages_with_ink_in_the_right_margin(fits) == []
    table = "<table><tr>" + "<td>Infrastructure</td>" * 40 + "</tr></table>"
    assert pages_with_ink_in_the_right_margin(
        render_pdf(f"{head}<body><p>Fine.</p><div>{table}</div></body></html>")
    ) == [1]
    unwrapped = '<p style="overflow-wrap: normal">' + "Q" * 400 + "</p>"
    assert pages_with_ink_in_the_right_margin(
        render_pdf(f"{head}<body>{unwrapped}</body></html>")
    ) == [1]


def test_unbroken_evidence_and_comments_at_their_longest_wrap_inside_the_page(client, council_a):
    """A pasted URL or hash as long as the form allows, in every answer: the organisation
    PDF wraps each one within the page, and no character is lost."""
    assessment = assess(council_a.round, council_a.organisation, level=3)
    answers = Answer.objects.filter(assessment=assessment)
    answers.update(evidence="Q" * MAX_EVIDENCE, comment="Z" * MAX_COMMENT)
    count = answers.count()
    client.force_login(council_a.executive)

    pdf = get_pdf(client, reverse("assessments:organisation_report_pdf", args=[assessment.pk]))

    text = pdf_text(pdf)
    # Every character of every answer is there, in pieces no longer than a line, and
    # the break opportunities added for WeasyPrint are not in the text a reader copies.
    assert text.count("Q") == MAX_EVIDENCE * count
    assert text.count("Z") == MAX_COMMENT * count
    assert "\u200b" not in text
    longest_line = max(len(line) for line in text.splitlines())
    assert longest_line < 150, f"a line of {longest_line} characters did not wrap"
    assert pages_with_ink_in_the_right_margin(pdf) == []


def field_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def test_names_as_long_as_allowed_and_without_a_space_wrap_inside_the_page(client, council_a):
    """Partnership, round, organisation and signer names at their longest, each one
    unbroken word: in headings, the running header, gap messages and table cells they
    wrap, so every table still fits its page."""
    Partnership.objects.filter(pk=council_a.partnership.pk).update(
        name="P" * field_length(Partnership, "name")
    )
    Round.objects.filter(pk=council_a.round.pk).update(name="R" * field_length(Round, "name"))
    Organisation.objects.filter(pk=council_a.organisation.pk).update(
        name="O" * field_length(Organisation, "name")
    )
    other = add_partner(council_a.partnership, "N" * field_length(Organisation, "name"))
    own = assess(council_a.round, council_a.organisation, level=1, evidence="Minutes")
    assess(council_a.round, other, level=3, levels={"identity-management.citizen-identity": 0})
    sign_funding(council_a.partnership, [council_a.organisation])
    FundingSignOff.objects.update(
        signer_name="S" * field_length(FundingSignOff, "signer_name"),
        signer_role="J" * field_length(FundingSignOff, "signer_role"),
    )
    client.force_login(council_a.executive)

    for url in [
        reverse("assessments:partnership_report_pdf", args=[council_a.round.pk]),
        reverse("assessments:organisation_report_pdf", args=[own.pk]),
    ]:
        pdf = get_pdf(client, url)
        assert pages_with_ink_in_the_right_margin(pdf) == [], url


def test_every_pdf_of_the_demo_fits_its_pages(client):
    """Both rounds' partnership PDFs (read by the lead partner's executive, so with the
    appendix of its answers) and every assessment's organisation PDF: no page has ink in
    the right margin, landscape pages (heatmap, trend) included."""
    seed_demo()
    rounds = Round.objects.filter(partnership__name=PARTNERSHIP_NAME)
    assessments = Assessment.objects.filter(round__in=rounds).select_related(
        "organisation", "round"
    )
    assert rounds.count() == 2 and assessments.count() >= 5
    lead = Membership.objects.get(
        partnership__name=PARTNERSHIP_NAME, role=MembershipRole.LEAD
    ).organisation
    documents = {}
    client.force_login(User.objects.filter(organisation=lead, role=Role.EXECUTIVE).first())
    for round_ in rounds:
        url = reverse("assessments:partnership_report_pdf", args=[round_.pk])
        documents[f"{round_.name}: partnership PDF"] = get_pdf(client, url)
    for assessment in assessments:
        reader = User.objects.filter(organisation=assessment.organisation).first()
        client.force_login(reader)
        url = reverse("assessments:organisation_report_pdf", args=[assessment.pk])
        name = f"{assessment.round.name}: PDF of {assessment.organisation.name}"
        documents[name] = get_pdf(client, url)

    assert len(documents) == rounds.count() + assessments.count()

    for name, pdf in documents.items():
        assert pages_with_ink_in_the_right_margin(pdf) == [], name
    # The tables with a column per dimension are on landscape pages.
    for round_ in rounds:
        wide = landscape_text(documents[f"{round_.name}: partnership PDF"])
        assert "Readiness of each partner" in wide and "Trend across rounds" in wide


def test_pdf_text_gets_break_opportunities_only_inside_very_long_words():
    from assessments.templatetags.report_tags import pdf_breakable

    ordinary = "Signed data-sharing agreement, see https://example.org/a/b (2026)."
    assert pdf_breakable(ordinary) == ordinary
    assert pdf_breakable(None) == ""
    digest = "0123456789abcdef" * 4
    assert pdf_breakable(f"SHA-256 {digest}.") == (
        "SHA-256 " + "\u200b".join(f"{digest}."[i : i + 10] for i in range(0, 65, 10))
    )
    # A letter keeps the accent that follows it.
    accented = "e\u0301" * 20
    assert all(not piece.startswith("\u0301") for piece in pdf_breakable(accented).split("\u200b"))
    assert pdf_breakable(accented).replace("\u200b", "") == accented


def page_starting(reader, heading: str) -> int:
    return next(
        number
        for number, page in enumerate(reader.pages)
        if page.extract_text().lstrip().startswith(heading)
    )


@pytest.mark.parametrize("name_length", [40, 200])
def test_the_board_summary_is_one_page_for_thirty_partners_at_their_worst(
    client, council_a, name_length
):
    """30 partners: 20 submitted and below every gated statement (every kind of critical
    gap, naming 20 partners each), 9 not submitted, nobody but the lead signed, names
    of 40 characters and of the longest allowed. The summary (page 2) is followed
    directly by the action plan: it took one page."""
    gates = {
        "identity-management.staff-identity": 0,
        "identity-management.citizen-identity": 1,
        "identity-management.identity-federation": 0,
        "governance.funding-formula": 1,
    }
    for n in range(29):
        name = f"Partner {n:02d} " + "Borough Council of Somewhere " * 8
        partner = add_partner(council_a.partnership, name[:name_length])
        if n < 20:
            assess(council_a.round, partner, level=1, levels=gates)
    assess(council_a.round, council_a.organisation, level=3)
    sign_funding(council_a.partnership, [council_a.organisation])
    client.force_login(council_a.executive)
    pdf = get_pdf(client, reverse("assessments:partnership_report_pdf", args=[council_a.round.pk]))
    reader = PdfReader(io.BytesIO(pdf))
    summary = page_starting(reader, "Board summary")
    assert summary == 1
    assert page_starting(reader, "Action plan") == summary + 1
    text = " ".join(reader.pages[summary].extract_text().split())
    assert "Staff identity management below level 2" in text
    assert "and 16 more" in text  # 20 partners named, 4 shown
    assert "9 of 30 members have not submitted" in text
    assert pages_with_ink_in_the_right_margin(pdf) == []
