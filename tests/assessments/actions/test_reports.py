"""The action plan in every rendering of a report (page, PDF, CSV, JSON, and an
organisation's own report), people's text shown as text everywhere, and query counts
that do not grow with the partnership."""

import csv
import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from assessments.actions.models import Action, ActionChange
from assessments.choices import OwnerRole
from assessments.models import Assessment
from tests.assessments.actions.conftest import in_days
from tests.assessments.actions.test_gap_states import plan_rows
from tests.builders import add_partner, assess, sign_funding

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture(autouse=True)
def _pdf_cache(settings, tmp_path):
    settings.PDF_CACHE_DIR = tmp_path / "pdf-cache"


@pytest.fixture
def three_actions(partners, plan_action):
    """Brambleton's own action, Cotswold's own action on the funding gap, and the lead's
    partnership-wide action on the same gap."""
    funding = partners.gap("funding-formula-not-agreed")
    return {
        "brambleton": plan_action(description="Brambleton joins the resident account"),
        "cotswold": plan_action(
            user=partners.other_ict,
            gap=funding,
            description="Cotswold signs the formula",
            owner_role=OwnerRole.EXECUTIVE,
            due_on=in_days(10),
        ),
        "partnership": plan_action(
            user=partners.lead_exec,
            gap=funding,
            partnership_wide=True,
            description="The board agrees the formula",
            owner_role=OwnerRole.EXECUTIVE,
            due_on=in_days(20),
        ),
    }


def urls(partners) -> dict:
    args = [partners.round.pk]
    return {
        "report": reverse("assessments:partnership_report", args=args),
        "pdf": reverse("assessments:partnership_report_pdf", args=args),
        "json": reverse("assessments:partnership_report_json", args=args),
        "csv": reverse("assessments:round_actions_csv", args=args),
        "plan": reverse("assessments:action_plan", args=[partners.partnership.pk]),
        "plan_csv": reverse("assessments:action_plan_csv", args=[partners.partnership.pk]),
    }


def pdf_pages(response) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_partnership_report_page_shows_every_action(client, partners, three_actions):
    client.force_login(partners.member_ict)
    html = client.get(urls(partners)["report"]).text
    assert html.index("Board summary") < html.index('id="action-plan"')
    rows = plan_rows(html)
    assert [row[0].split(" Gap: ")[0] for row in rows] == [
        "Cotswold signs the formula",
        "The board agrees the formula",
        "Brambleton joins the resident account",
    ]
    assert rows[1][1] == (
        "Avonford Council (for the partnership) Chief executive and finance director: Sam Patel"
    )
    for action in three_actions.values():
        assert reverse("assessments:action", args=[action.pk]) in html


def test_the_partnership_pdf_has_the_action_plan_on_page_three(client, partners, three_actions):
    client.force_login(partners.lead_exec)
    pages = pdf_pages(client.get(urls(partners)["pdf"]))
    assert "Board summary" in pages[1]
    assert "3 actions open, 0 overdue, 0 done so far." in pages[1]
    assert "Brambleton joins the resident account" not in pages[1]
    assert pages[2].startswith("Action plan Actions as at ")
    assert "Page 3 of" in pages[2]
    for text in (
        "Brambleton joins the resident account",
        "Cotswold signs the formula",
        "The board agrees the formula",
        "Avonford Council (for the partnership)",
        "Not reassessed yet",
    ):
        assert text in pages[2], text
    # Earliest due first, as on the page.
    assert (
        pages[2].index("Cotswold signs")
        < pages[2].index("The board agrees")
        < pages[2].index("Brambleton joins")
    )


def test_the_rounds_action_csv_has_one_row_per_action(client, partners, three_actions):
    client.force_login(partners.other_ict)
    response = client.get(urls(partners)["csv"])
    assert response["Content-Disposition"] == (
        'attachment; filename="avonford-council-partnership-2026-review-action-plan.csv"'
    )
    header, *rows = csv_rows(response)
    assert header[:3] == ["Action", "Organisation", "Partnership-wide"]
    assert header[-1] == "Gap now"
    assert [(row[0], row[1], row[2]) for row in rows] == [
        ("Cotswold signs the formula", "Cotswold Council", "No"),
        ("The board agrees the formula", "Avonford Council", "Yes"),
        ("Brambleton joins the resident account", "Brambleton Council", "No"),
    ]
    assert rows[2][5] == in_days(30).isoformat()
    assert rows[2][6] == "Not started"
    assert rows[2][-1] == "Not reassessed yet"
    # Today's plan downloads the same rows.
    assert csv_rows(client.get(urls(partners)["plan_csv"]))[1:] == rows


def test_an_action_that_looks_like_a_formula_is_made_harmless_in_the_csv(
    client, partners, plan_action
):
    plan_action(description='=HYPERLINK("http://example.invalid")', owner_name="+Sam")
    client.force_login(partners.member_ict)
    header, row = csv_rows(client.get(urls(partners)["csv"]))
    assert row[0] == '\'=HYPERLINK("http://example.invalid")'
    assert row[4] == "'+Sam"


def test_the_json_export_carries_the_action_plan(client, partners, three_actions):
    client.force_login(partners.member_exec)
    report = json.loads(client.get(urls(partners)["json"]).content)
    items = report["action_plan"]["items"]
    assert [item["id"] for item in items] == [
        three_actions[name].pk for name in ("cotswold", "partnership", "brambleton")
    ]
    assert items[1]["partnership_wide"] is True
    assert items[2]["gap"]["key"] == partners.gap("citizen-identity-below-gate")["key"]
    assert items[2]["gap_state"] == "not_reassessed"
    assert report["action_plan"]["counts"] == {
        "total": 3,
        "open": 3,
        "overdue": 0,
        "done_since": 0,
        "dropped": 0,
    }
    assert report["summary"]["actions"]["open"] == 3


def test_an_organisations_own_report_shows_only_its_own_actions(client, partners, three_actions):
    own = Assessment.objects.get(round=partners.round, organisation=partners.member)
    client.force_login(partners.member_ict)
    html = client.get(reverse("assessments:organisation_report", args=[own.pk])).text
    rows = plan_rows(html)
    assert [row[0].split(" Gap: ")[0] for row in rows] == ["Brambleton joins the resident account"]
    assert "Cotswold signs the formula" not in html
    assert "The board agrees the formula" not in html

    lead = Assessment.objects.get(round=partners.round, organisation=partners.lead)
    client.force_login(partners.lead_exec)
    html = client.get(reverse("assessments:organisation_report", args=[lead.pk])).text
    assert "No actions have been agreed yet." in html
    assert "The board agrees the formula" not in html


def test_peoples_text_in_an_action_is_shown_as_text_everywhere(client, partners, plan_action):
    action = plan_action(description=f"Fix {SCRIPT} now", owner_name=f"Sam {SCRIPT}")
    client.force_login(partners.member_ict)
    own = Assessment.objects.get(round=partners.round, organisation=partners.member)
    pages = {
        "plan": urls(partners)["plan"],
        "detail": reverse("assessments:action", args=[action.pk]),
        "report": urls(partners)["report"],
        "own report": reverse("assessments:organisation_report", args=[own.pk]),
    }
    for name, url in pages.items():
        html = client.get(url).text
        assert SCRIPT not in html, name
        assert f"Fix {ESCAPED} now" in html, name
        assert f"Sam {ESCAPED}" in html, name
    # The history and the form carry the text escaped as well.
    detail = client.get(pages["detail"]).text
    assert f"“Fix {ESCAPED} now”" in detail
    assert f'value="Sam {ESCAPED}"' in detail
    # The PDF shows the characters as text.
    text = " ".join(pdf_pages(client.get(urls(partners)["pdf"])))
    assert f"Fix {SCRIPT} now" in text
    assert f"Sam {SCRIPT}" in text


def test_an_organisation_name_with_markup_is_text_on_the_new_action_page(client, partners):
    partners.member.name = "<b>Brambleton</b> Council"
    partners.member.save()
    client.force_login(partners.member_ict)
    html = client.get(reverse("assessments:new_action", args=[partners.round.pk])).text
    assert "<b>Brambleton</b>" not in html
    assert "&lt;b&gt;Brambleton&lt;/b&gt; Council has not got citizen identity" in html


def partnership_with_actions(council_a, partners_count: int) -> list[Action]:
    """`partners_count` partners (council A among them), each with a gap and ten actions
    on it, each action with its first change."""
    organisations = [council_a.organisation]
    assess(council_a.round, council_a.organisation, level=1)
    for n in range(partners_count - 1):
        organisation = add_partner(council_a.partnership, f"Partner {n:02d}")
        assess(council_a.round, organisation, level=1 + n % 2)
        organisations.append(organisation)
    sign_funding(council_a.partnership, organisations[: partners_count // 2])
    actions = Action.objects.bulk_create(
        Action(
            partnership=council_a.partnership,
            organisation=organisation,
            round=council_a.round,
            gap_key=f"dimension-below-developing|governance||organisation:{organisation.pk}",
            gap_code="dimension-below-developing",
            gap_severity="high",
            gap_message=f"{organisation.name} scores Governance below developing.",
            description=f"Action {n} for {organisation.name}",
            owner_role=OwnerRole.ICT_MANAGER,
            due_on=in_days(n - 3),
        )
        for organisation in organisations
        for n in range(10)
    )
    ActionChange.objects.bulk_create(
        ActionChange(
            action=action, changes={"status": {"old": "", "new": "Not started"}}, version=1
        )
        for action in actions
    )
    return actions


@pytest.mark.parametrize("partners_count", [3, 30])
def test_action_page_query_counts_do_not_grow_with_partners(
    client, council_a, partners_count, django_assert_num_queries
):
    actions = partnership_with_actions(council_a, partners_count)
    client.force_login(council_a.executive)
    plan = reverse("assessments:action_plan", args=[council_a.partnership.pk])
    # Session, user (+organisation), partnership, the latest round (+partnership,
    # framework), the report's fingerprint and its eight queries (memberships,
    # questions, assessments, answers, formula, sign-offs, closed rounds' digests,
    # actions); which actions the reader may update (a current member? the lead?) and
    # whether the reader may plan actions (a current member?)
    with django_assert_num_queries(16):
        response = client.get(plan)
    assert len(plan_rows(response.text)) == 10 * partners_count
    # The report is cached now: its fingerprint instead of its eight queries.
    with django_assert_num_queries(8):
        client.get(plan)
    own = next(a for a in actions if a.organisation_id == council_a.organisation.pk)
    # Session, user, the action (+partnership, organisation, round), may the reader
    # update it (a current member?), its history
    with django_assert_num_queries(5):
        response = client.get(reverse("assessments:action", args=[own.pk]))
    assert "Save the changes" in response.text
