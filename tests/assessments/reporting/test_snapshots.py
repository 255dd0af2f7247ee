"""Closed rounds never change: closing freezes the round's reports; later renames,
funding formulas, leavers and framework edits leave every view and download of it as
it was; reopening (with a reason) discards the frozen copy and records it."""

import io
import shutil
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessments.models import (
    Dimension,
    OrganisationSnapshot,
    Question,
    Round,
    RoundReopening,
    RoundSnapshot,
    RoundStatus,
)
from assessments.reporting.data import partnership_report
from assessments.rounds import ReopenReasonRequired, close_rounds, reopen_rounds
from partnerships.models import Membership
from partnerships.services import end_memberships, record_funding_formula
from tests.builders import add_partner, assess, sign_funding
from tests.factories import RoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pdf_cache(settings, tmp_path):
    settings.PDF_CACHE_DIR = tmp_path / "pdf-cache"
    return settings.PDF_CACHE_DIR


@pytest.fixture
def closed(council_a, administrator):
    """Council A's round with two submitted partners and a signed formula, opened 40
    days ago and closed today by an administrator."""
    partnership = council_a.partnership
    Round.objects.filter(pk=council_a.round.pk).update(
        opens_on=timezone.localdate() - timedelta(days=40)
    )
    council_a.round.refresh_from_db()
    partner = add_partner(partnership, "Brambleton Vale Council")
    assess(council_a.round, council_a.organisation, level=3, evidence="Avonford board minutes")
    assess(
        council_a.round,
        partner,
        level=3,
        levels={"identity-management.citizen-identity": 1},
    )
    sign_funding(partnership, [council_a.organisation])
    assert close_rounds(rounds=[council_a.round], user=administrator) == 1
    council_a.round.refresh_from_db()
    return council_a.round, partner


def downloads(client, round_, settings) -> dict:
    """The round's JSON and CSV bytes and its PDF's text, rendered afresh."""
    shutil.rmtree(settings.PDF_CACHE_DIR, ignore_errors=True)
    pdf = client.get(reverse("assessments:partnership_report_pdf", args=[round_.pk]))
    assert pdf.status_code == 200
    return {
        "json": client.get(
            reverse("assessments:partnership_report_json", args=[round_.pk])
        ).content,
        "csv": client.get(reverse("assessments:partnership_report_csv", args=[round_.pk])).content,
        "actions_csv": client.get(
            reverse("assessments:round_actions_csv", args=[round_.pk])
        ).content,
        "pdf": [page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages],
        "page": client.get(reverse("assessments:partnership_report", args=[round_.pk])).text,
    }


def change_everything(round_, partner, administrator):
    """Everything a closed round's report must not follow."""
    partner.name = "Renamed District Council"
    partner.save()
    record_funding_formula(
        partnership=round_.partnership,
        text="Costs shared by population, from next year.",
        shares={},
        user=administrator,
    )
    end_memberships(memberships=Membership.objects.filter(organisation=partner), user=administrator)
    Dimension.objects.filter(framework=round_.framework, code="governance").update(
        name="Governance and leadership"
    )
    Question.objects.filter(code="identity-management.citizen-identity").update(
        statement="Residents have one verified account across all services."
    )


def test_closing_a_round_freezes_its_reports_as_at_the_closing_date(closed):
    round_, partner = closed
    snapshot = RoundSnapshot.objects.get(round=round_)
    assert snapshot.as_at == round_.closes_on == timezone.localdate()
    assert len(snapshot.digest["submitted"]) == 2
    # One organisation report per assessment, with that organisation's evidence.
    frozen = OrganisationSnapshot.objects.filter(snapshot=snapshot)
    assert frozen.count() == 2
    assert any("Avonford board minutes" in row.report for row in frozen)


def test_a_closed_rounds_downloads_do_not_change_after_anything_changes(
    client, closed, council_a, administrator, settings
):
    round_, partner = closed
    client.force_login(council_a.executive)
    before = downloads(client, round_, settings)
    assert "Brambleton Vale Council" in before["json"].decode()
    assert "as at" in before["page"]

    change_everything(round_, partner, administrator)
    # The live data did change: built now, the report would differ.
    live = partnership_report(Round.objects.get(pk=round_.pk))
    assert "Renamed District Council" in str(live)
    assert live["funding_formula"]["version"] == 2

    after = downloads(client, round_, settings)
    assert after["json"] == before["json"]
    assert after["csv"] == before["csv"]
    assert after["actions_csv"] == before["actions_csv"]
    assert after["pdf"] == before["pdf"]
    assert "Renamed District Council" not in " ".join(after["pdf"])
    assert "Governance and leadership" not in after["page"]


def test_a_closed_rounds_organisation_report_is_frozen_too(
    client, closed, council_a, administrator
):
    round_, partner = closed
    own = council_a.organisation.assessments.get(round=round_)
    url = reverse("assessments:organisation_report", args=[own.pk])
    client.force_login(council_a.ict_manager)
    before = client.get(url).text.split("<main", 1)[1]
    council_a.organisation.name = "Avonford Unitary Council"
    council_a.organisation.save()
    after = client.get(url).text.split("<main", 1)[1]  # the header names the reader's own
    assert "Avonford Unitary Council" not in after
    assert "as at" in after
    assert before.count("Avonford Council") == after.count("Avonford Council")


def test_reopening_needs_a_reason_discards_the_snapshot_and_records_it(closed, administrator):
    round_, partner = closed
    with pytest.raises(ReopenReasonRequired):
        reopen_rounds(rounds=[round_], user=administrator, reason="  ")
    assert RoundSnapshot.objects.filter(round=round_).exists()

    taken = RoundSnapshot.objects.get(round=round_)
    assert reopen_rounds(rounds=[round_], user=administrator, reason="Police data late") == 1
    round_.refresh_from_db()
    assert round_.status == RoundStatus.OPEN
    assert not RoundSnapshot.objects.filter(round=round_).exists()
    assert not OrganisationSnapshot.objects.filter(assessment__round=round_).exists()
    record = RoundReopening.objects.get(round=round_)
    assert record.reason == "Police data late"
    assert record.reopened_by == administrator
    assert record.discarded_snapshot_as_at == taken.as_at
    assert record.discarded_snapshot_taken_at == taken.taken_at


def test_the_admin_asks_why_before_reopening_a_round(client, closed, administrator):
    round_, _ = closed
    client.force_login(administrator)
    url = reverse("admin:assessments_round_changelist")
    data = {"action": "open_rounds", "_selected_action": [round_.pk]}
    asked = client.post(url, data)
    assert asked.status_code == 200
    assert "Why are these rounds being reopened?" in asked.text
    empty = client.post(url, data | {"confirm": "yes", "reason": ""})
    assert "Enter why the round is being reopened" in empty.text
    assert Round.objects.get(pk=round_.pk).status == RoundStatus.CLOSED
    done = client.post(url, data | {"confirm": "yes", "reason": "Late submission agreed"})
    assert done.status_code == 302
    assert Round.objects.get(pk=round_.pk).status == RoundStatus.OPEN
    assert RoundReopening.objects.get(round=round_).reason == "Late submission agreed"


def test_the_trend_uses_the_closed_rounds_snapshot(closed, council_a, administrator):
    round_, partner = closed
    frozen_point = RoundSnapshot.objects.get(round=round_).digest["trend_point"]
    change_everything(round_, partner, administrator)
    following = RoundFactory(
        partnership=council_a.partnership,
        framework=round_.framework,
        name="2027 review",
        opens_on=timezone.localdate(),
    )
    assess(following, council_a.organisation, level=4)
    trend = partnership_report(following)["trend"]
    assert [point["round"] for point in trend] == [round_.name, "2027 review"]
    # The partner that left since still counts in the round it took part in.
    assert trend[0] == frozen_point
    assert trend[0]["submitted"] == 2


def test_the_next_round_compares_its_gaps_with_the_closed_round(closed, council_a):
    round_, partner = closed
    following = RoundFactory(
        partnership=council_a.partnership,
        framework=round_.framework,
        name="2027 review",
        opens_on=timezone.localdate(),
    )
    assess(following, council_a.organisation, level=3)
    report = partnership_report(following)
    assert report["previous_round"]["name"] == round_.name
    citizen = "citizen-identity-below-gate"
    # The partner has not reassessed yet: its gap is neither closed nor carried over.
    assert not any(g["code"] == citizen for g in report["closed_gaps"])
    assess(following, partner, level=3)
    report = partnership_report(following)
    closed_codes = [g["key"].split("|")[0] for g in report["closed_gaps"]]
    assert citizen in closed_codes
    assert report["summary"]["previous_round"] == round_.name
    signed = {g["code"]: g["since_previous"] for g in report["gaps"]}
    assert signed["funding-formula-not-agreed"] == "still_open"


def test_a_round_closed_before_snapshots_existed_is_frozen_on_first_view(client, council_a):
    today = timezone.localdate()
    Round.objects.filter(pk=council_a.round.pk).update(
        status=RoundStatus.CLOSED,
        opens_on=today - timedelta(days=60),
        closes_on=today - timedelta(days=20),
    )
    assess(council_a.round, council_a.organisation, level=2)
    assert not RoundSnapshot.objects.exists()
    client.force_login(council_a.executive)
    page = client.get(reverse("assessments:partnership_report", args=[council_a.round.pk]))
    assert page.status_code == 200
    snapshot = RoundSnapshot.objects.get(round=council_a.round)
    assert snapshot.as_at == today - timedelta(days=20)
    assert "as at" in page.text


def test_funding_shares_of_a_new_formula_do_not_reach_the_closed_round(
    client, closed, council_a, administrator, settings
):
    round_, partner = closed
    client.force_login(council_a.executive)
    before = client.get(reverse("assessments:partnership_report_json", args=[round_.pk])).content
    record_funding_formula(
        partnership=round_.partnership,
        text="New split.",
        shares={council_a.organisation.pk: Decimal("60"), partner.pk: Decimal("40")},
        user=administrator,
    )
    after = client.get(reverse("assessments:partnership_report_json", args=[round_.pk])).content
    assert after == before
