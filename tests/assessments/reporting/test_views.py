"""Report pages and exports: who sees what, the numbers match, the query count is fixed."""

import csv
import io
import json

import pytest
from django.urls import reverse

from assessments.reporting.data import partnership_report
from tests.builders import add_partner, assess, sign_funding

pytestmark = pytest.mark.django_db

SECRET = "B-only-evidence-do-not-share"


@pytest.fixture
def partnership(council_a, council_b):
    """Council B is a member of council A's partnership too; both submitted."""
    add_partner_membership(council_a, council_b)
    assess(council_a.round, council_a.organisation, level=4, evidence="A-own-evidence")
    b = assess(
        council_a.round,
        council_b.organisation,
        level=3,
        levels={"identity-management.citizen-identity": 1},
        evidence=SECRET,
    )
    sign_funding(council_a.partnership, [council_a.organisation])
    return b


def add_partner_membership(council_a, council_b):
    from tests.factories import MembershipFactory

    MembershipFactory(partnership=council_a.partnership, organisation=council_b.organisation)


def urls(round_):
    return {
        "page": reverse("assessments:partnership_report", args=[round_.pk]),
        "csv": reverse("assessments:partnership_report_csv", args=[round_.pk]),
        "json": reverse("assessments:partnership_report_json", args=[round_.pk]),
    }


def test_members_see_every_partners_scores_but_never_others_evidence(
    client, council_a, partnership
):
    for user in (council_a.ict_manager, council_a.executive):
        client.force_login(user)
        for kind, url in urls(council_a.round).items():
            response = client.get(url)
            assert response.status_code == 200, kind
            body = response.content.decode("utf-8-sig")
            assert "Brambleton Council" in body, kind
            assert SECRET not in body, kind
            assert "A-own-evidence" not in body, kind  # no evidence in partnership reports


def test_an_organisation_sees_its_own_full_detail(client, council_b, partnership):
    client.force_login(council_b.ict_manager)
    response = client.get(reverse("assessments:organisation_report", args=[partnership.pk]))
    assert response.status_code == 200
    assert SECRET in response.text
    assert "Not ready" in response.text
    assert '<svg class="app-radar"' in response.text
    assert 'role="img"' in response.text


def test_the_page_puts_the_verdict_and_critical_gaps_first(client, council_a, partnership):
    client.force_login(council_a.executive)
    html = client.get(urls(council_a.round)["page"]).text
    summary = html.index("Board summary")
    verdict = html.index("Verdict: Not ready")
    # Critical gaps grouped by kind, each naming its partners with their levels.
    critical = html.index(
        "Citizen identity management below level 2:</strong> Brambleton Council (1)"
    )
    other = html.index('id="other-gaps"')
    heatmap = html.index("Readiness of each partner")
    assert summary < verdict < critical < other < heatmap
    assert "Who acts:</span> ICT manager (CIO)" in html
    assert "Chief executive and finance director" in html
    # High gaps are counted in the summary and listed under "Other gaps", not above.
    assert "Other gaps: 2 high and 0 warnings" in html
    assert html.index("scores Federation (3.0) above identity management") > other


def test_the_csv_opens_in_excel_with_one_row_per_partner(client, council_a, partnership):
    client.force_login(council_a.executive)
    response = client.get(urls(council_a.round)["csv"])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="avonford-council-partnership-2026-review-readiness.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in response.content
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 2
    header, *partners = rows
    assert header[:2] == ["Organisation", "GSS code"]
    assert header[6] == "Business scope"
    report = partnership_report(council_a.round)
    for row, member in zip(partners, report["members"], strict=True):
        assert row[0] == member["organisation"]["name"]
        assert row[6:15] == [f"{s['score']:.1f}" for s in member["scores"]]
        assert row[15] == f"{member['overall']['score']:.1f}"


def test_a_name_that_looks_like_a_formula_is_made_harmless(client, council_a, partnership):
    council_a.organisation.name = '=HYPERLINK("http://x")'
    council_a.organisation.save()
    client.force_login(council_a.executive)
    body = client.get(urls(council_a.round)["csv"]).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body


def test_the_json_has_a_versioned_schema_and_the_pages_numbers(client, council_a, partnership):
    client.force_login(council_a.executive)
    response = client.get(urls(council_a.round)["json"])
    data = json.loads(response.content)
    assert data["schema"] == "partnership-readiness/partnership-report"
    assert data["schema_version"] == 1
    assert data["verdict"]["label"] == "Not ready"
    page = client.get(urls(council_a.round)["page"])
    for member in data["members"]:
        for entry in member["scores"]:
            if entry["score"] is not None:
                assert f"<strong>{entry['score']:.1f}</strong>" in page.text
    assert data == json.loads(json.dumps(partnership_report(council_a.round), default=str))


PERSONAS = ["anonymous", "a_ict", "a_exec", "b_ict", "b_exec", "administrator"]


def test_every_report_url_answers_every_persona_correctly(
    client, council_a, council_b, administrator, framework
):
    """Council B is not a member of A's partnership: 404 everywhere, like a page that
    does not exist. A's organisation report is A's own: 404 for B."""
    a_assessment = assess(council_a.round, council_a.organisation, level=3, evidence="mine")
    people = {
        "anonymous": None,
        "a_ict": council_a.ict_manager,
        "a_exec": council_a.executive,
        "b_ict": council_b.ict_manager,
        "b_exec": council_b.executive,
        "administrator": administrator,
    }
    expected = {
        **{url: [302, 200, 200, 404, 404, 200] for url in urls(council_a.round).values()},
        reverse("assessments:organisation_report", args=[a_assessment.pk]): [
            302,
            200,
            200,
            404,
            404,
            200,
        ],
    }
    for url, statuses in expected.items():
        for persona, status in zip(PERSONAS, statuses, strict=True):
            client.logout()
            if people[persona]:
                client.force_login(people[persona])
            response = client.get(url)
            assert response.status_code == status, f"{persona} {url}"
            if status == 302:
                assert response["Location"].startswith(reverse("login"))
            if status == 200 and url.endswith((".csv", ".json")):
                assert "no-store" in response["Cache-Control"]


def test_a_member_that_has_left_no_longer_sees_the_report(
    client, council_a, partnership, council_b
):
    council_b.organisation.memberships.filter(partnership=council_a.partnership).update(
        left_on=council_a.round.opens_on
    )
    client.force_login(council_b.executive)
    assert client.get(urls(council_a.round)["page"]).status_code == 404


@pytest.mark.parametrize("partners", [3, 30])
def test_report_query_counts_do_not_grow_with_partners(
    client, council_a, framework, partners, django_assert_num_queries
):
    assess(council_a.round, council_a.organisation, level=3)
    organisations = [council_a.organisation]
    for n in range(partners - 1):
        organisation = add_partner(council_a.partnership, f"Partner {n:02d}")
        assess(council_a.round, organisation, level=n % 5)
        organisations.append(organisation)
    sign_funding(council_a.partnership, organisations[: partners // 2])
    client.force_login(council_a.executive)
    page, csv_url, json_url = urls(council_a.round).values()
    # Built: session, user (+organisation), round (+partnership, framework), the data's
    # fingerprint, memberships, questions, assessments, answers, formula, sign-offs,
    # closed rounds' digests, actions; the peer benchmark (for its section); and what
    # the page offers the reader (planning actions, projecting a membership change)
    with django_assert_num_queries(14):
        assert client.get(page).status_code == 200
    # Cached: session, user, round, fingerprint (nothing changed, so no rebuild; it
    # also says which peer benchmark the cached peers section shows), and what the
    # page offers the reader
    with django_assert_num_queries(5):
        assert client.get(page).status_code == 200
    # Exports: session, user, round, fingerprint, and the security log's record of it.
    for url in (csv_url, json_url):
        with django_assert_num_queries(5):
            assert client.get(url).status_code == 200
    own = council_a.organisation.assessments.get()
    # session, user, assessment, the partnership report's fingerprint (its action plan,
    # cached), questions, answers, previous assessment, formula, sign-off, peer benchmark
    with django_assert_num_queries(10):
        client.get(reverse("assessments:organisation_report", args=[own.pk]))


def test_the_cached_report_changes_whenever_its_data_changes(
    client, council_a, council_b, partnership, administrator
):
    """Each kind of change the report is built from gives a fresh report, whether made
    through the pages, the services or the admin."""
    from assessments.capture.services import reopen_assessment
    from assessments.models import Answer
    from partnerships.models import Organisation
    from tests.factories import RoundFactory

    client.force_login(council_a.executive)
    page = urls(council_a.round)["page"]

    def shows(text):
        return text in client.get(page).text

    assert shows("Brambleton Council")
    # An answer edited outside the service layer (as the admin would).
    answer = Answer.objects.get(
        assessment=partnership, question__code="identity-management.citizen-identity"
    )
    answer.level = 4
    answer.save()
    assert not shows("Brambleton Council has not got citizen identity management")
    # A member organisation renamed.
    Organisation.objects.filter(pk=council_b.organisation.pk).first().save()
    council_b.organisation.name = "Brambleton Borough Council"
    council_b.organisation.save()
    assert shows("Brambleton Borough Council")
    # An assessment reopened: it no longer counts.
    reopen_assessment(assessment=partnership, user=administrator, reason="Typo")
    assert shows("1 of 2 members have not submitted")
    # A member leaving.
    membership = council_b.organisation.memberships.get(partnership=council_a.partnership)
    membership.left_on = council_a.round.opens_on
    membership.save()
    assert not shows("Brambleton Borough Council")
    # A new round appears in the trend.
    RoundFactory(
        partnership=council_a.partnership, framework=council_a.round.framework, name="2027 review"
    )
    sign_funding(council_a.partnership, [council_a.organisation], version=2)
    html = client.get(page).text
    assert "(version 2)" in html or "is signed by 1 of 1" in html
