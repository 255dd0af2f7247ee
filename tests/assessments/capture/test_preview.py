"""Before submitting, the ICT manager sees what the partnership will see: gated
statements marked "Critical" where they are answered and checked, and on the check
page the organisation's scores and the gaps its answers will raise, worked out by the
report's own rules."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from assessments.capture.services import (
    AnswerInput,
    save_dimension,
    start_assessment,
    submit_assessment,
)
from assessments.models import Answer
from assessments.reporting.data import partnership_report
from assessments.reporting.scoring import dimension_score, overall_score
from tests.factories import AnswerFactory, AssessmentFactory, RoundFactory

pytestmark = pytest.mark.django_db

STAFF_IDENTITY = "identity-management.staff-identity"
FUNDING_FORMULA = "governance.funding-formula"
GATED = 4  # gated statements in the framework file
MARKER = "Critical</strong> Below level {gate} is a critical gap for the whole partnership."
# Rules about the whole partnership (signatures, other members), not about one
# organisation's answers: the preview leaves them out.
PARTNERSHIP_WIDE = {"funding-formula-not-agreed", "member-not-submitted", "partners-diverge"}


@pytest.fixture
def draft(council_a):
    return start_assessment(
        round=council_a.round, organisation=council_a.organisation, user=council_a.ict_manager
    )


def answer(assessment, user, *, level=3, levels=None, evidence=""):
    """Save every dimension through the service: each statement at `level`, except
    those in `levels` (by question code; None leaves a statement unanswered)."""
    levels = levels or {}
    for dimension in assessment.round.framework.dimensions.all():
        rows = Answer.objects.filter(
            assessment=assessment, question__dimension=dimension
        ).select_related("question")
        save_dimension(
            assessment=assessment,
            dimension=dimension,
            user=user,
            answers=[
                AnswerInput(
                    a.question_id, levels.get(a.question.code, level), evidence, "", a.version
                )
                for a in rows
            ],
        )


def check_page(client, user, assessment):
    client.force_login(user)
    response = client.get(reverse("assessments:check", args=[assessment.pk]))
    assert response.status_code == 200
    return response


def answer_row(html: str, question) -> str:
    """One statement's row on the check page."""
    row = rf'<div class="govuk-summary-list__row" id="answer-{question.pk}">'
    match = re.search(rf"{row}(.*?)</dd>\s*(<dd|</div>)", html, re.S)
    assert match, f"no row for {question.code}"
    return match.group(1)


def question(assessment, code):
    return assessment.round.framework.dimensions.get(code=code.split(".")[0]).questions.get(
        code=code
    )


class TestTheCriticalMarker:
    def test_a_gated_statement_is_marked_in_the_hint_its_radios_are_described_by(
        self, client, council_a, draft
    ):
        client.force_login(council_a.ict_manager)
        url = reverse("assessments:dimension", args=[draft.pk, "identity-management"])
        html = client.get(url).text
        gated = question(draft, STAFF_IDENTITY)
        ungated = question(draft, "identity-management.privileged-access")

        assert f'<fieldset class="govuk-fieldset" aria-describedby="id_level_{gated.pk}_hint"' in (
            html
        )
        hint = re.search(
            rf'<div id="id_level_{gated.pk}_hint" class="govuk-hint">(.*?)</div>', html, re.S
        )
        assert MARKER.format(gate=2) in hint.group(1)
        assert escape(gated.guidance) in hint.group(1)  # the guidance is still there, escaped
        plain = re.search(
            rf'<div id="id_level_{ungated.pk}_hint" class="govuk-hint">(.*?)</div>', html, re.S
        )
        assert "Critical" not in plain.group(1)
        # Three gated statements on this page, and a line saying what the marker means.
        assert html.count("Critical</strong> Below level") == 3
        assert "have a minimum level" in html

    def test_a_dimension_without_gates_has_no_marker(self, client, council_a, draft):
        client.force_login(council_a.ict_manager)
        html = client.get(reverse("assessments:dimension", args=[draft.pk, "legal"])).text
        assert "Critical" not in html

    def test_the_read_only_dimension_page_marks_gates_and_a_level_below_one(
        self, client, council_a, draft
    ):
        answer(draft, council_a.ict_manager, levels={STAFF_IDENTITY: 1})
        submit_assessment(assessment=draft, user=council_a.ict_manager)
        client.force_login(council_a.ict_manager)
        url = reverse("assessments:dimension", args=[draft.pk, "identity-management"])
        html = client.get(url).text
        assert 'type="radio"' not in html
        assert html.count(MARKER.format(gate=2)) == 3
        assert html.count("Your answer is below level 2: this is a critical gap.") == 1

    def test_the_check_page_marks_every_gated_statement(self, client, council_a, draft):
        html = check_page(client, council_a.ict_manager, draft).text
        assert html.count("Critical</strong> Below level") == GATED
        assert MARKER.format(gate=3) in answer_row(html, question(draft, FUNDING_FORMULA))
        assert "Critical" not in answer_row(html, question(draft, "governance.joint-board"))
        # Nothing is answered yet, so nothing is below a gate.
        assert "Your answer is below level" not in html

    def test_the_check_page_warns_next_to_an_answer_below_its_gate(self, client, council_a, draft):
        answer(draft, council_a.ict_manager, levels={STAFF_IDENTITY: 1, FUNDING_FORMULA: 3})
        html = check_page(client, council_a.ict_manager, draft).text
        warning = "Your answer is below level 2: this will be a critical gap."
        assert warning in answer_row(html, question(draft, STAFF_IDENTITY))
        # At the gate is not below it.
        assert "Your answer is below" not in answer_row(html, question(draft, FUNDING_FORMULA))
        assert html.count("Your answer is below level") == 1


class TestWhatThePartnershipWillSee:
    def test_it_comes_before_the_submit_button_and_says_it_is_a_preview(
        self, client, council_a, draft
    ):
        answer(draft, council_a.ict_manager)
        html = check_page(client, council_a.ict_manager, draft).text
        assert "This is a preview from the current answers." in html
        section = html.index('id="partnership-view">What the partnership will see</h2>')
        assert section < html.index("Submit assessment")
        assert 'href="#partnership-view"' in html
        assert "These answers raise no gaps." in html

    def test_a_gap_below_a_gate_matches_the_partnership_report_after_submission(
        self, client, council_a, draft
    ):
        answer(draft, council_a.ict_manager, levels={STAFF_IDENTITY: 1})
        response = check_page(client, council_a.ict_manager, draft)
        preview = response.context["preview"]
        critical = [g for g in preview["gaps"] if g["severity"] == "critical"]
        assert [g["code"] for g in critical] == ["staff-identity-below-gate"]
        assert preview["gaps"][0] == critical[0]  # critical first
        assert "including 1 critical gap." in response.text

        submit_assessment(assessment=draft, user=council_a.ict_manager)
        report = partnership_report(council_a.round)
        own = [g for g in report["gaps"] if g["code"] not in PARTNERSHIP_WIDE]
        # The same gaps, in the same order, in the same words.
        assert [(g["code"], g["message"]) for g in preview["gaps"]] == [
            (g["code"], g["message"]) for g in own
        ]
        assert critical[0]["message"] == (
            "Avonford Council has not got staff identity management in place for the "
            "shared services (level 1, needs 2)."
        )
        for gap in preview["gaps"]:
            assert escape(gap["message"]) in response.text
        assert escape(critical[0]["owner_label"]) in response.text
        # Identity management scores 2.5, so federation and transactions (3.0) sit
        # above it: high gaps, after the critical one.
        assert [g["code"] for g in preview["gaps"][1:]] == ["built-above-identity"] * 2

    def test_the_scores_shown_are_the_reports_scores(self, client, council_a, draft):
        answer(draft, council_a.ict_manager, levels={STAFF_IDENTITY: 1})
        response = check_page(client, council_a.ict_manager, draft)
        preview = response.context["preview"]
        scores = {d["code"]: d["score"] for d in preview["dimensions"]}
        # Identity management: staff identity 1 (weight 3), joiners and privileged
        # access 3 (weight 2 each), citizen identity and federation 3 (weight 3 each):
        # (3 + 6 + 6 + 9 + 9) / 13 = 33 / 13 = 2.54 -> 2.5.
        assert scores["identity-management"] == 2.5
        assert dimension_score([(1, 3), (3, 2), (3, 2), (3, 3), (3, 3)]) == 2.5
        assert scores["governance"] == 3.0
        # Overall: (8 * 3.0 + 2.5) / 9 = 2.94 -> 2.9.
        assert preview["overall"]["score"] == overall_score(scores.values()) == 2.9
        row = re.search(r'id="preview-identity-management">(.*?)</tr>', response.text, re.S)
        assert "<strong>2.5</strong>" in row.group(1) and "Developing" in row.group(1)
        assert "5 of 5" in row.group(1)
        overall = re.search(r'id="preview-overall">(.*?)</tr>', response.text, re.S)
        assert "<strong>2.9</strong>" in overall.group(1) and "46 of 46" in overall.group(1)

        submit_assessment(assessment=draft, user=council_a.ict_manager)
        member = partnership_report(council_a.round)["members"][0]
        assert [(d["code"], d["score"], d["band"]) for d in preview["dimensions"]] == [
            (entry["dimension"], entry["score"], entry["band"]) for entry in member["scores"]
        ]
        assert preview["overall"] == member["overall"]

    def test_a_part_answered_draft_is_scored_from_what_is_answered(self, client, council_a, draft):
        governance = {
            "governance.joint-board": 4,  # weight 2
            FUNDING_FORMULA: 1,  # weight 3, below its gate of 3
        }
        answer(draft, council_a.ict_manager, level=None, levels=governance)
        response = check_page(client, council_a.ict_manager, draft)
        preview = response.context["preview"]
        by_code = {d["code"]: d for d in preview["dimensions"]}
        # (4 * 2 + 1 * 3) / (2 + 3) = 11 / 5 = 2.2, from 2 of the 6 statements.
        assert (by_code["governance"]["score"], by_code["governance"]["answered"]) == (2.2, 2)
        assert by_code["legal"]["score"] is None
        assert preview["overall"]["score"] == 2.2
        assert "scored from the statements answered so far" in response.text
        row = re.search(r'id="preview-governance">(.*?)</tr>', response.text, re.S)
        assert "<strong>2.2</strong>" in row.group(1) and "2 of 6" in row.group(1)
        codes = [g["code"] for g in preview["gaps"]]
        assert codes == ["funding-formula-below-gate"] + ["dimension-not-assessed"] * 8

    def test_a_submitted_assessment_shows_what_the_partnership_sees(self, client, council_a, draft):
        answer(draft, council_a.ict_manager, levels={STAFF_IDENTITY: 0})
        submit_assessment(assessment=draft, user=council_a.ict_manager)
        html = check_page(client, council_a.ict_manager, draft).text
        assert "What the partnership sees</h2>" in html
        assert "This is a preview" not in html
        assert "Submit assessment" not in html
        assert "Your answer is below level 2: this is a critical gap." in html
        assert "level 0, needs 2" in html

    def test_text_people_typed_is_escaped(self, client, council_a, draft):
        council_a.organisation.name = "Avon <b>& Ford</b>"
        council_a.organisation.save()
        answer(
            draft,
            council_a.ict_manager,
            levels={STAFF_IDENTITY: 1},
            evidence="<script>alert('evidence')</script>",
        )
        html = check_page(client, council_a.ict_manager, draft).text
        assert "<script>alert(" not in html
        assert escape("<script>alert('evidence')</script>") in html
        assert "<b>& Ford</b>" not in html
        assert escape("Avon <b>& Ford</b> has not got staff identity management") in html
        assert escape("Avon <b>& Ford</b>: score for each dimension") in html


@pytest.fixture(params=[1, 20], ids=["1 earlier", "20 earlier"])
def assessment(request, council_a, framework):
    """A draft whose organisation has earlier assessments with answers."""
    questions = list(framework.dimensions.get(code="governance").questions.all())
    for _ in range(request.param):
        earlier = AssessmentFactory(
            round=RoundFactory(partnership=council_a.partnership, framework=framework),
            organisation=council_a.organisation,
            submitted=True,
        )
        for statement in questions:
            AnswerFactory(assessment=earlier, question=statement, level=3)
    return start_assessment(
        round=council_a.round, organisation=council_a.organisation, user=council_a.ict_manager
    )


@pytest.mark.parametrize("level", [3, 0], ids=["no gaps", "many gaps"])
def test_the_check_page_query_count_is_fixed(
    client, council_a, assessment, level, django_assert_num_queries
):
    answer(assessment, council_a.ict_manager, level=level)
    client.force_login(council_a.ict_manager)
    # session, user (+organisation), assessment (+round, partnership, framework,
    # organisation, membership's end date, latest reopening), the answer rows' question
    # ids and any statements without one (to add them), the answers with their
    # statements and dimensions. The preview adds none.
    with django_assert_num_queries(6):
        response = client.get(reverse("assessments:check", args=[assessment.pk]))
    assert response.status_code == 200
    gaps = len(response.context["preview"]["gaps"])
    assert (gaps == 0) if level == 3 else (gaps > 10)
