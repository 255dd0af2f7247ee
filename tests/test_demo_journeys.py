"""The issues' "done when" checks, on the demo data a newcomer sees after `make demo`."""

import csv
import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from assessments.models import Round
from ops.demo import CURRENT_ROUND, DEMO_PASSWORD, PARTNERSHIP_NAME, seed_demo
from partnerships.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.PDF_CACHE_DIR = tmp_path / "pdf-cache"
    seed_demo()
    return Round.objects.get(partnership__name=PARTNERSHIP_NAME, name=CURRENT_ROUND)


def sign_in(client, username):
    response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_a_demo_executive_sees_not_ready_and_who_must_act(client, demo):
    sign_in(client, "cherwell-exec")
    html = client.get(reverse("assessments:partnership_report", args=[demo.pk])).text
    assert "Verdict: Not ready" in html
    assert "Cherwell District Council has not got citizen identity management" in html
    assert "The funding formula (version 1) is not signed by 3 of 5 members" in html
    assert "Who acts:</span> ICT manager (CIO)" in html
    assert "Who acts:</span> Chief executive and finance director" in html

    exported = json.loads(
        client.get(reverse("assessments:partnership_report_json", args=[demo.pk])).content
    )
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    reverse("assessments:partnership_report_csv", args=[demo.pk])
                ).content.decode("utf-8-sig")
            )
        )
    )
    assert exported["verdict"]["label"] == "Not ready"
    for member, row in zip(exported["members"], rows, strict=True):
        assert row["Organisation"] == member["organisation"]["name"]
        overall = member["overall"]["score"]
        assert row["Overall"] == ("" if overall is None else f"{overall:.1f}")
        if overall is not None:
            assert f"<strong>{overall:.1f}</strong>" in html


def summary_page(client, demo) -> str:
    response = client.get(reverse("assessments:partnership_report_pdf", args=[demo.pk]))
    assert response.content.startswith(b"%PDF")
    return " ".join(PdfReader(io.BytesIO(response.content)).pages[1].extract_text().split())


def test_the_demo_ceo_finds_the_verdict_on_page_two_and_signing_removes_the_funding_gap(
    client, demo
):
    sign_in(client, "oxfordshire-exec")
    page_two = summary_page(client, demo)
    assert "Verdict: Not ready" in page_two
    assert "Funding formula version 1 not signed by every member" in page_two
    assert "Citizen identity management below level 2: Cherwell District Council (0)" in page_two
    assert "Who acts: Chief executive and finance director" in page_two
    assert "Who acts: ICT manager (CIO)" in page_two
    # The demo's action plan: last round's funding gap closed, this round's still new.
    assert "2 actions open, 0 overdue, 1 done since 2025 readiness review" in page_two

    funding = reverse("partnerships:funding", args=[demo.partnership_id])
    for username in ["police-exec", "nhs-exec", "voluntary-exec"]:
        client.logout()
        sign_in(client, username)
        executive = User.objects.get(username=username)
        response = client.post(
            reverse("partnerships:funding_sign", args=[demo.partnership_id]),
            {
                "version": "1",
                "signer_name": executive.get_full_name(),
                "signer_role": executive.job_title,
                "confirm": "on",
            },
        )
        assert response["Location"] == funding

    client.logout()
    sign_in(client, "oxfordshire-exec")
    page_two = summary_page(client, demo)
    assert "not signed" not in page_two
    assert "Every member's executive has signed version 1 of the funding formula" in page_two
    assert "Verdict: Not ready" in page_two  # identity management is still missing


def test_each_demo_dashboard_opens_with_what_needs_that_person(client, demo):
    def first_need(username):
        client.logout()
        sign_in(client, username)
        response = client.get(reverse("assessments:dashboard"))
        html = response.text
        # "What needs you" comes before the partnerships.
        assert html.index("What needs you") < html.index("Assessment rounds")
        return response.context["needs"][0].text

    assert first_need("nhs-ict") == "Submit your assessment: 5 days left"
    assert first_need("voluntary-ict") == "Start your assessment: 5 days left"
    assert first_need("police-exec") == "Sign version 1 of the funding formula"
    assert first_need("oxfordshire-exec") == "2 of 5 members have not submitted: 5 days left"
