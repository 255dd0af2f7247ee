"""Board-ready PDFs: real WeasyPrint output read back with pypdf."""

import io
import logging
import socket
import threading

import pytest
from django.urls import reverse
from pypdf import PdfReader

from assessments.models import Answer
from assessments.reporting import pdf as pdf_module
from assessments.reporting import pdf_documents
from assessments.reporting.pdf import StaticOnlyFetcher, render_pdf
from partnerships.models import Organisation
from tests.builders import add_partner, assess, sign_funding
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OTHER_EVIDENCE = "Bexley-private-evidence"


@pytest.fixture(autouse=True)
def _pdf_cache(settings, tmp_path):
    settings.PDF_CACHE_DIR = tmp_path / "pdf-cache"
    return settings.PDF_CACHE_DIR


@pytest.fixture
def partnership(council_a):
    """A strong council A that signed the formula; Bexley Vale without citizen identity
    management and unsigned."""
    bexley = add_partner(council_a.partnership, "Bexley Vale Council")
    own = assess(
        council_a.round, council_a.organisation, level=4, evidence="Avonford board minutes"
    )
    assess(
        council_a.round,
        bexley,
        level=3,
        levels={"identity-management.citizen-identity": 0},
        evidence=OTHER_EVIDENCE,
    )
    sign_funding(council_a.partnership, [council_a.organisation])
    return own


def read(response) -> PdfReader:
    assert response.status_code == 200, response.content[:500]
    assert response.content.startswith(b"%PDF")
    return PdfReader(io.BytesIO(response.content))


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def partnership_pdf_url(council):
    return reverse("assessments:partnership_report_pdf", args=[council.round.pk])


def test_the_partnership_pdf_says_not_ready_on_page_two_with_gaps_and_owners(
    client, council_a, partnership
):
    client.force_login(council_a.executive)
    response = client.get(partnership_pdf_url(council_a))
    assert response["Content-Disposition"] == (
        'attachment; filename="avonford-council-partnership-2026-review-readiness.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    reader = read(response)
    assert len(reader.pages) >= 4
    cover, summary = reader.pages[0].extract_text(), reader.pages[1].extract_text()
    assert "Avonford Council partnership" in cover and "Verdict: Not ready" in cover
    assert "Board summary" in summary
    assert "Verdict: Not ready" in summary
    flat = " ".join(summary.split())
    # Critical gaps grouped by kind, naming each partner with its level, and who acts.
    assert "Citizen identity management below level 2: Bexley Vale Council (0)" in flat
    assert "Funding formula version 1 not signed by every member: Bexley Vale Council" in flat
    assert "Who acts: ICT manager (CIO)" in flat
    assert "Who acts: Chief executive and finance director" in flat
    assert (
        "The executive of 1 member has not signed version 1 of the funding formula: "
        "Bexley Vale Council." in flat
    )
    assert "Page 2 of" in summary


def test_the_pdf_is_tagged_titled_and_in_british_english(client, council_a, partnership):
    client.force_login(council_a.executive)
    reader = read(client.get(partnership_pdf_url(council_a)))
    assert reader.metadata.title == "Avonford Council partnership: readiness report, 2026 review"
    assert reader.metadata.author == "Avonford Council partnership"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    fonts = {
        font.get_object()["/BaseFont"]
        for page in reader.pages
        for font in page["/Resources"].get("/Font", {}).values()
    }
    # Only the bundled font: the PDF looks the same on every machine.
    assert fonts and all("Report-Sans" in name for name in fonts)


def test_the_partnership_pdf_is_one_document_for_every_member_with_no_evidence(
    client, council_a, partnership, _pdf_cache
):
    """Each member used to get its own copy with its answers appended; now one PDF per
    round serves everyone, carries nobody's evidence and says where answers are."""
    client.force_login(council_a.ict_manager)
    first = client.get(partnership_pdf_url(council_a))
    text = text_of(read(first))
    assert "Each organisation's own answers" in text
    assert "Avonford board minutes" not in text
    assert OTHER_EVIDENCE not in text
    other_member = UserFactory(organisation=council_a.organisation, role="executive")
    client.force_login(other_member)
    second = client.get(partnership_pdf_url(council_a))
    assert second["X-PDF-Cache"] == "hit" and second.content == first.content


def test_the_organisation_pdf_has_its_own_detail(client, council_a, partnership):
    client.force_login(council_a.executive)
    response = client.get(reverse("assessments:organisation_report_pdf", args=[partnership.pk]))
    assert response["Content-Disposition"] == (
        'attachment; filename="avonford-council-2026-review-readiness.pdf"'
    )
    reader = read(response)
    assert reader.metadata.author == "Avonford Council"
    assert "Avonford board minutes" in text_of(reader)


def test_non_members_get_404_and_visitors_sign_in(client, council_a, council_b, partnership):
    urls = [
        partnership_pdf_url(council_a),
        reverse("assessments:organisation_report_pdf", args=[partnership.pk]),
    ]
    for url in urls:
        client.force_login(council_b.executive)
        assert client.get(url).status_code == 404
        client.logout()
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_repeat_download_is_served_from_the_cache(client, council_a, partnership, _pdf_cache):
    client.force_login(council_a.executive)
    first = client.get(partnership_pdf_url(council_a))
    second = client.get(partnership_pdf_url(council_a))
    assert (first["X-PDF-Cache"], second["X-PDF-Cache"]) == ("miss", "hit")
    assert first.content == second.content
    assert len(list(_pdf_cache.glob("*.pdf"))) == 1


@pytest.mark.parametrize("change", ["answer", "sign_off", "membership"])
def test_any_change_to_the_report_makes_a_new_pdf(client, council_a, partnership, change):
    client.force_login(council_a.executive)
    assert client.get(partnership_pdf_url(council_a))["X-PDF-Cache"] == "miss"
    if change == "answer":
        answer = Answer.objects.filter(assessment=partnership).first()
        answer.level = 1
        answer.save()
    elif change == "sign_off":
        formula = council_a.partnership.funding_formulas.get()
        sign_funding(council_a.partnership, [], version=formula.version + 1)
    else:
        add_partner(council_a.partnership, "Newly Joined Council")
    response = client.get(partnership_pdf_url(council_a))
    assert response["X-PDF-Cache"] == "miss"
    assert client.get(partnership_pdf_url(council_a))["X-PDF-Cache"] == "hit"


def test_a_rendering_failure_gives_an_error_page_a_log_line_and_no_file(
    client, council_a, partnership, monkeypatch, caplog, _pdf_cache
):
    def broken(html):
        raise RuntimeError("simulated WeasyPrint failure")

    monkeypatch.setattr(pdf_documents, "render_pdf", broken)
    client.force_login(council_a.executive)
    with caplog.at_level(logging.ERROR):
        response = client.get(partnership_pdf_url(council_a))
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert "Sorry, the PDF could not be made" in response.text
    assert "PDF rendering failed" in caplog.text
    assert not list(_pdf_cache.glob("*"))


class Listener:
    """A TCP listener on a free local port that counts the connections it receives."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self):
        self.running = False
        self.thread.join()
        self.server.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def payloads(port: int) -> str:
    return (
        f'<img src="http://127.0.0.1:{port}/tracker.png">'
        '<link rel="attachment" href="file:///etc/passwd">'
        "<script>alert('x')</script>"
    )


def test_evidence_cannot_make_the_server_fetch_anything(client, council_a, partnership, listener):
    Answer.objects.filter(assessment=partnership).update(
        evidence=payloads(listener.port), comment=payloads(listener.port)
    )
    # The partnership PDF shows no evidence; an organisation's name reaches it.
    Organisation.objects.filter(pk=council_a.organisation.pk).update(
        name=payloads(listener.port)[:200]
    )
    client.force_login(council_a.executive)
    for url in (
        partnership_pdf_url(council_a),
        reverse("assessments:organisation_report_pdf", args=[partnership.pk]),
    ):
        reader = read(client.get(url))
        # Shown as text (line wrapping may split it, so compare without spaces).
        text = "".join(text_of(reader).split())
        assert f'<imgsrc="http://127.0.0.1:{listener.port}/tracker.png">' in text
        assert reader.attachments == {}
    assert "<script>alert('x')</script>" in text  # the organisation PDF's evidence
    assert listener.connections == 0


def test_the_fetcher_refuses_network_and_files_even_in_raw_html(listener, caplog):
    """Defence in depth: even if markup reached WeasyPrint unescaped, nothing is fetched."""
    html = (
        "<html lang='en-GB'><head><title>t</title>"
        f"<link rel='stylesheet' href='http://127.0.0.1:{listener.port}/x.css'>"
        "<link rel='attachment' href='file:///etc/passwd'>"
        "<link rel='attachment' href='static/../../../../etc/passwd'>"
        "</head><body>"
        f"<img src='http://127.0.0.1:{listener.port}/x.png' alt=''>"
        "<img src='file:///etc/hostname' alt=''>"
        "<p>Body text</p></body></html>"
    )
    reader = PdfReader(io.BytesIO(render_pdf(html)))
    assert listener.connections == 0
    assert reader.attachments == {}
    assert "Body text" in reader.pages[0].extract_text()
    assert caplog.text.count("PDF rendering refused to fetch") >= 4


def test_the_fetcher_serves_our_static_files_and_data_urls():
    fetcher = StaticOnlyFetcher()
    css = fetcher.fetch(pdf_module.BASE_URL + "static/css/print.css")
    assert b"@font-face" in css.read()
    data = fetcher.fetch("data:text/plain;base64,aGVsbG8=")
    assert data.read() == b"hello"
    with pytest.raises(ValueError):
        fetcher.fetch("https://example.org/static/css/print.css")
