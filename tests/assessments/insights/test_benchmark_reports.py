"""The peer benchmark on the reports: the organisation and partnership pages and PDFs
show where they stand among peers ("Not enough peers yet" on the small demo), name no
peer, and never carry anyone's evidence or comments to someone else."""

import io
import re
from html import unescape

import pytest
from django.urls import reverse
from pypdf import PdfReader

from assessments.insights import benchmark
from assessments.insights.services import switch_benchmark
from assessments.models import Assessment, Question
from ops.demo import CURRENT_ROUND, PREVIOUS_ROUND, seed_demo, seed_neighbours
from partnerships.models import Organisation, OrganisationKind, Partnership, Role, User
from tests.builders import add_partner, assess
from tests.factories import PartnershipFactory, RoundFactory, UserFactory

pytestmark = pytest.mark.django_db

EVIDENCE = "PEER-EVIDENCE-123"
TRANSACTIONS = "Transactions, events and messages"
ORGANISATION_HEADING = "How your organisation compares with peers"
PARTNERSHIP_HEADING = "How the partnership compares with peers"


@pytest.fixture(autouse=True)
def _pdf_cache(settings, tmp_path):
    settings.PDF_CACHE_DIR = tmp_path / "pdf-cache"
    return settings.PDF_CACHE_DIR


# ---------------------------------------------------------------- reading pages and PDFs


def peers_section(html: str) -> str:
    """From the peers heading to the end of the page's main content ("" if none)."""
    start = html.find('id="peers"')
    return "" if start < 0 else html[start : html.index("</main>", start)]


def peer_rows(html: str) -> dict[str, list[str]]:
    """The peers table: dimension name -> the row's other cells, as text."""
    rows = {}
    for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", peers_section(html), re.S):
        cells = [
            " ".join(unescape(re.sub(r"<[^>]+>", "", cell)).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        rows[cells[0]] = cells[1:]
    return rows


def pdf_text(response) -> str:
    assert response.status_code == 200, response.content[:500]
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


# ---------------------------------------------------------------- the demo


def test_the_demo_has_too_few_organisations_for_any_comparison(client):
    seed_demo()
    seed_neighbours()
    assert benchmark.refresh_all() == 1
    data = benchmark.read(Assessment.objects.first().round.framework_id)
    groups = [*data["organisation_groups"].values(), *data["partnership_groups"].values()]
    assert groups and not any(group["shown"] for group in groups)

    client.force_login(User.objects.get(username="oxfordshire-exec"))
    demo_round = Partnership.objects.get(name="Oxfordshire Shared Services Partnership").rounds.get(
        name=CURRENT_ROUND
    )
    html = client.get(reverse("assessments:partnership_report", args=[demo_round.pk])).text
    assert PARTNERSHIP_HEADING in peers_section(html)
    assert "Not enough peers yet" in peers_section(html)
    assert "<table" not in peers_section(html)

    client.force_login(User.objects.get(username="cherwell-exec"))
    cherwell = Assessment.objects.get(
        organisation__name="Cherwell District Council", round=demo_round
    )
    html = client.get(reverse("assessments:organisation_report", args=[cherwell.pk])).text
    assert ORGANISATION_HEADING in peers_section(html)
    assert "Not enough peers yet" in peers_section(html)
    assert "<table" not in peers_section(html)


# ---------------------------------------------------------------- enough peers


def levels(framework, *, transactions: float, governance: int = 3) -> dict:
    """Every statement at 3 but these. Transactions (weights 2, 2, 2, 2 and 1 for
    failed transactions): failed transactions at 1 gives (24 + 1) / 9 = 2.78 -> 2.8,
    at 2 gives 26 / 9 = 2.89 -> 2.9, at 3 gives 3.0."""
    chosen = {"transactions.failed-transactions": {2.8: 1, 2.9: 2, 3.0: 3}[transactions]}
    for code in Question.objects.filter(
        dimension__framework=framework, dimension__code="governance"
    ).values_list("code", flat=True):
        chosen[code] = governance
    return chosen


@pytest.fixture
def peers(framework, council_a):
    """Ten unitary authorities, two in each of five partnerships, all submitted, every
    answer with its own distinctive evidence and comment. Avonford Council (council
    A) has governance at level 2 and transactions at 2.8; the others have governance
    at 3. Transactions by partnership: Avonford's (2.8, 3.0), then (2.8, 2.9),
    (2.8, 3.0), (2.9, 2.9) and (2.9, 3.0). Avonford's partnership also has a third
    member, Quayside Housing, which has not started its assessment."""
    partner = add_partner(council_a.partnership, "Harbourside Unitary Council")
    assert partner.kind == council_a.organisation.kind == OrganisationKind.UNITARY
    own = assess(
        council_a.round,
        council_a.organisation,
        levels=levels(framework, transactions=2.8, governance=2),
        evidence=f"{EVIDENCE}-avonford",
    )
    theirs = assess(
        council_a.round,
        partner,
        levels=levels(framework, transactions=3.0),
        evidence=f"{EVIDENCE}-harbourside",
    )
    quayside = add_partner(council_a.partnership, "Quayside Housing")  # a member with no assessment
    quayside.kind = OrganisationKind.HOUSING
    quayside.save()
    pairs = [(2.8, 2.9), (2.8, 3.0), (2.9, 2.9), (2.9, 3.0)]
    for n, pair in enumerate(pairs, start=1):
        round_ = RoundFactory(
            partnership=PartnershipFactory(name=f"Peer Partnership {n}"),
            framework=framework,
            name="2026 review",
        )
        for m, transactions in enumerate(pair):
            organisation = add_partner(round_.partnership, f"Peer Unitary {n}-{m}")
            assess(
                round_,
                organisation,
                levels=levels(framework, transactions=transactions),
                evidence=f"{EVIDENCE}-peer-{n}-{m}",
            )
    benchmark.refresh_all()
    return {
        "own": own,
        "theirs": theirs,
        "partner_executive": UserFactory(organisation=partner, role=Role.EXECUTIVE),
        "quayside_executive": UserFactory(organisation=quayside, role=Role.EXECUTIVE),
    }


def test_the_organisation_page_places_it_among_organisations_of_its_kind(client, council_a, peers):
    client.force_login(council_a.executive)
    response = client.get(reverse("assessments:organisation_report", args=[peers["own"].pk]))
    assert response.status_code == 200
    section = peers_section(response.text)
    assert ORGANISATION_HEADING in section
    assert "Not enough peers yet" not in section
    assert "Unitary authorities: lower quartile, median and upper quartile" in section
    assert "the latest submitted scores of 10 organisations from 5 partnerships" in section
    rows = peer_rows(response.text)
    # Transactions, sorted [2.8, 2.8, 2.8, 2.9, 2.9, 2.9, 2.9, 3.0, 3.0, 3.0], n = 10;
    # inclusive quartile p at position (n - 1) * p = 9p, interpolated:
    # lower 2.25: 2.8 + 0.25 * (2.9 - 2.8) = 2.825 -> 2.8; median 4.5: (2.9 + 2.9) / 2
    # = 2.9; upper 6.75: 2.9 + 0.75 * (3.0 - 2.9) = 2.975 -> 3.0. Avonford's 2.8 is
    # within the quartiles.
    assert rows[TRANSACTIONS] == ["2.8", "2.8", "2.9", "3.0", "Among most peers"]
    # Governance [2.0, 3.0 x 9]: 3.0 throughout; Avonford's 2.0 is below them.
    assert rows["Governance"] == ["2.0", "3.0", "3.0", "3.0", "Behind most peers"]
    assert rows["Business scope"] == ["3.0", "3.0", "3.0", "3.0", "Among most peers"]
    # Overall: Avonford (7 * 3 + 2.0 + 2.8) / 9 = 25.8 / 9 = 2.87 -> 2.9; every other
    # authority (24 + 2.8, 2.9 or 3.0) / 9 -> 3.0.
    assert rows["Overall"] == ["2.9", "3.0", "3.0", "3.0", "Behind most peers"]
    assert len(rows) == 1 + 9 + 1  # the header, nine dimensions, overall


def test_the_partnership_page_places_it_among_partnerships_of_its_size(client, council_a, peers):
    client.force_login(council_a.executive)
    response = client.get(reverse("assessments:partnership_report", args=[council_a.round.pk]))
    assert response.status_code == 200
    section = peers_section(response.text)
    assert PARTNERSHIP_HEADING in section
    assert "Partnerships of 2 to 9 members: lower quartile, median" in section
    assert "the latest submitted scores of 5 partnerships, as at" in section
    rows = peer_rows(response.text)
    # Each partnership's weakest partner: transactions 2.8, 2.8, 2.8, 2.9, 2.9;
    # positions 1, 2 and 3 of five: 2.8, 2.8, 2.9.
    assert rows[TRANSACTIONS][1:] == ["2.8", "2.8", "2.9", "Among most peers"]
    # Governance: Avonford's partnership 2.0, the other four 3.0. Without the 2.0 the
    # figures stay 3.0, but without a 3.0 the lower quartile of [2, 3, 3, 3] is
    # 2 + 0.75 = 2.75 -> 2.8, 0.2 away: one partnership could move it, so not shown.
    assert rows["Governance"][1:] == ["Not shown", "Not enough peers yet"]
    assert rows["Business scope"][1:] == ["3.0", "3.0", "3.0", "Among most peers"]


def test_the_organisation_pdf_has_the_peers_table(client, council_a, peers):
    client.force_login(council_a.executive)
    text = pdf_text(
        client.get(reverse("assessments:organisation_report_pdf", args=[peers["own"].pk]))
    )
    assert "How the organisation compares with peers" in text
    assert "Dimension Its score Lower quartile Median Upper quartile" in text
    assert f"{TRANSACTIONS} 2.8 2.8 2.9 3.0 Among most peers" in text
    assert "Governance 2.0 3.0 3.0 3.0 Behind most peers" in text


def test_switched_off_no_page_or_pdf_has_a_peers_section(
    client, council_a, administrator, peers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        switch_benchmark(user=administrator, enabled=False)

    client.force_login(council_a.executive)
    pages = [
        reverse("assessments:organisation_report", args=[peers["own"].pk]),
        reverse("assessments:partnership_report", args=[council_a.round.pk]),
    ]
    for url in pages:
        html = client.get(url).text
        assert 'id="peers"' not in html, url
        assert "compares with peers" not in html, url
        assert "Not enough peers yet" not in html, url
        assert "Lower quartile" not in html, url
    pdfs = [
        reverse("assessments:organisation_report_pdf", args=[peers["own"].pk]),
        reverse("assessments:partnership_report_pdf", args=[council_a.round.pk]),
    ]
    for url in pdfs:
        text = pdf_text(client.get(url))
        assert "Readiness" in text or "readiness" in text, url
        assert "compares with peers" not in text, url
        assert "Not enough peers yet" not in text, url
        assert "Lower quartile" not in text, url


def test_switching_off_changes_a_pdf_already_stored(
    client, council_a, administrator, peers, django_capture_on_commit_callbacks
):
    """The PDF's key covers the peers: a PDF stored while the benchmark was on is not
    served once it is off."""
    client.force_login(council_a.executive)
    url = reverse("assessments:organisation_report_pdf", args=[peers["own"].pk])
    assert "compares with peers" in pdf_text(client.get(url))
    assert client.get(url)["X-PDF-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        switch_benchmark(user=administrator, enabled=False)
    response = client.get(url)
    assert response["X-PDF-Cache"] == "miss"
    assert "compares with peers" not in pdf_text(response)


# ---------------------------------------------------------------- nothing leaks


def test_no_one_sees_anyone_elses_evidence_or_any_peers_name(client, council_a, peers):
    """Every answer of every authority carries its own evidence and comment text.
    Harbourside's executive (council A's partner) and Quayside's (a member that has
    not assessed) see the partnership's page, CSV, JSON and PDF with none of it, and
    Harbourside's own report with only its own; no peers section names anyone."""
    all_names = [
        *Organisation.objects.values_list("name", flat=True),
        *Partnership.objects.values_list("name", flat=True),
    ]
    round_pk = council_a.round.pk
    partnership_urls = [
        reverse("assessments:partnership_report", args=[round_pk]),
        reverse("assessments:partnership_report_csv", args=[round_pk]),
        reverse("assessments:partnership_report_json", args=[round_pk]),
    ]
    for persona in (peers["partner_executive"], peers["quayside_executive"]):
        client.force_login(persona)
        for url in partnership_urls:
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.content.decode("utf-8-sig")
            assert EVIDENCE not in body, url
        html = client.get(partnership_urls[0]).text
        assert "Partnerships of 2 to 9 members" in peers_section(html)
        for name in all_names:
            assert name not in peers_section(html), name
        text = pdf_text(client.get(reverse("assessments:partnership_report_pdf", args=[round_pk])))
        assert "How the partnership compares with peers" in text
        assert EVIDENCE.replace("-", "") not in text.replace("-", "")
        # Someone else's organisation report is not theirs to see.
        response = client.get(reverse("assessments:organisation_report", args=[peers["own"].pk]))
        assert response.status_code == 404

    client.force_login(peers["partner_executive"])
    html = client.get(reverse("assessments:organisation_report", args=[peers["theirs"].pk])).text
    assert f"{EVIDENCE}-harbourside" in html  # its own evidence, on its own report
    assert html.count(EVIDENCE) == html.count(f"{EVIDENCE}-harbourside")
    section = peers_section(html)
    assert "Unitary authorities" in section
    for name in all_names:
        assert name not in section, name
    text = pdf_text(
        client.get(reverse("assessments:organisation_report_pdf", args=[peers["theirs"].pk]))
    )
    assert "How the organisation compares with peers" in text
    flat = text.replace("-", "").replace(" ", "")
    assert flat.count(EVIDENCE.replace("-", "")) == flat.count(
        f"{EVIDENCE}-harbourside".replace("-", "")
    )
    assert flat.count(f"{EVIDENCE}-harbourside".replace("-", "")) > 0


def test_a_cached_report_shows_the_benchmark_as_refreshed_since(
    client, council_a, peers, framework
):
    """The report's own data has not changed, so it is served from the cache; the peers
    section must still follow the benchmark, which other partnerships' submissions
    refresh."""
    client.force_login(council_a.executive)
    url = reverse("assessments:partnership_report", args=[council_a.round.pk])
    assert peer_rows(client.get(url).text)["Business scope"][1:4] == ["3.0", "3.0", "3.0"]
    # Five more partnerships of two, weak on business scope (level 1 throughout).
    weak = {
        code: 1
        for code in Question.objects.filter(
            dimension__framework=framework, dimension__code="business-scope"
        ).values_list("code", flat=True)
    }
    for n in range(5):
        round_ = RoundFactory(
            partnership=PartnershipFactory(name=f"Weak Partnership {n}"),
            framework=framework,
            name="2026 review",
        )
        for m in range(2):
            assess(round_, add_partner(round_.partnership, f"Weak Unitary {n}-{m}"), levels=weak)
    benchmark.refresh_all()
    # Ten partnerships: five at 1.0 and five at 3.0 on business scope.
    rows = peer_rows(client.get(url).text)
    assert rows["Business scope"][1:4] != ["3.0", "3.0", "3.0"]


def test_a_closed_rounds_cached_report_follows_the_switch(client, administrator):
    """A closed round's report is a snapshot, cached; its peers section is cached too,
    under the benchmark it shows, so switching the benchmark off takes it away."""
    seed_demo()
    benchmark.refresh_all()
    client.force_login(User.objects.get(username="oxfordshire-exec"))
    closed = Partnership.objects.get(name="Oxfordshire Shared Services Partnership").rounds.get(
        name=PREVIOUS_ROUND
    )
    url = reverse("assessments:partnership_report", args=[closed.pk])
    assert "Not enough peers yet" in peers_section(client.get(url).text)
    switch_benchmark(user=administrator, enabled=False)
    assert peers_section(client.get(url).text) == ""
