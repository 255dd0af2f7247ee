"""The ICT manager's journey through an assessment, in a real browser: start, fill in
each dimension (once with a missing answer), check, submit; a draft left and resumed;
the same journey without JavaScript; and an executive who can only read."""

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from assessments.capture.services import start_assessment
from tests.browser.conftest import assert_accessible
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DIMENSIONS = [
    "Business scope",
    "Governance",
    "Legal issues",
    "Information sharing",
    "Identity management",
    "Federation",
    "Transactions, events and messages",
    "Infrastructure",
    "Sustainability",
]
LEVELS = ["0 – Not started", "1 – Initial", "2 – Developing", "3 – Established", "4 – Embedded"]


def question_id(question) -> str:
    """The statement's id, from its wrapper `<div id="question-<id>" class="app-question">`."""
    return question.get_attribute("id").removeprefix("question-")


def answer_dimension(page, level_label: str, skip_first: bool = False) -> None:
    """Choose `level_label` for every statement on the page (bar the first, if asked) and
    give evidence for the first statement."""
    questions = page.locator(".app-question")
    assert questions.count() > 0
    for index, question in enumerate(questions.all()):
        if skip_first and index == 0:
            continue
        question.get_by_label(level_label, exact=True).check()
    questions.first.get_by_label("Evidence").fill("Minutes of the joint committee, March 2026.")


def answer_dimension_by_keyboard(page) -> None:
    """Tab-free keyboard use: Space selects the focused radio, an arrow key moves the
    selection within its group, and typing fills the evidence box."""
    for question in page.locator(".app-question").all():
        question.get_by_label(LEVELS[0], exact=True).focus()
        page.keyboard.press("Space")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        expect(question.get_by_label(LEVELS[2], exact=True)).to_be_checked()
    page.locator(".app-question").first.get_by_label("Evidence").focus()
    page.keyboard.type("Typed with the keyboard: the data sharing agreement.")


def expect_dimension_page(page, name: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def test_an_ict_manager_completes_checks_and_submits_an_assessment(
    page, live_server, sign_in, council_a
):
    sign_in("avonford-ict", TEST_PASSWORD)
    page.get_by_role("heading", name="Your partnerships").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Start the assessment").click()
    page.get_by_role("heading", name="Start your assessment for 2026 review").wait_for()
    assert page.locator("input[type=radio]").count() == 0
    page.get_by_role("button", name="Start assessment").click()

    page.get_by_role("heading", name="Partnership readiness assessment").wait_for()
    assert re.search(r"/assessments/\d+/$", page.url)
    expect(page.get_by_text("0 of 9 dimensions completed.")).to_be_visible()
    task_links = page.locator(".govuk-task-list__link")
    expect(task_links).to_have_text(DIMENSIONS)
    assert_accessible(page)

    page.get_by_role("link", name=DIMENSIONS[0], exact=True).click()
    for position, name in enumerate(DIMENSIONS):
        expect_dimension_page(page, name)
        expect(page.get_by_text(f"Dimension {position + 1} of 9,")).to_be_visible()
        if name == "Governance":
            first = page.locator(".app-question").first
            qid = question_id(first)
            answer_dimension(page, LEVELS[4], skip_first=True)
            page.get_by_role("button", name="Save and continue").click()

            summary = page.locator(".govuk-error-summary")
            expect(summary).to_be_visible()
            expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
            assert page.title().startswith("Error:")
            expect_dimension_page(page, "Governance")
            error_links = summary.get_by_role("link")
            expect(error_links).to_have_count(1)
            expect(error_links).to_contain_text("Select a level from 0 to 4 for “")
            assert error_links.get_attribute("href") == f"#id_level_{qid}_1"
            # What was chosen survives the failed save.
            second = page.locator(".app-question").nth(1)
            expect(second.get_by_label(LEVELS[4], exact=True)).to_be_checked()
            assert_accessible(page)

            error_links.click()
            target = page.locator(f"#id_level_{qid}_1")
            expect(target).to_have_attribute("type", "radio")
            expect(target).to_have_attribute("name", f"level_{qid}")
            expect(target).to_be_focused()
            # The radio it lands on is the first of the unanswered statement.
            expect(
                page.locator(f"#question-{qid}").get_by_label(LEVELS[0], exact=True)
            ).to_be_focused()

            page.locator(f"#question-{qid}").get_by_label(LEVELS[1], exact=True).check()
        elif name == "Information sharing":
            answer_dimension_by_keyboard(page)
        else:
            answer_dimension(page, LEVELS[3] if position % 2 else LEVELS[2])
        if name == "Information sharing":
            page.get_by_role("button", name="Save and continue").focus()
            page.keyboard.press("Enter")
        else:
            page.get_by_role("button", name="Save and continue").click()
        if position + 1 < len(DIMENSIONS):
            expect_dimension_page(page, DIMENSIONS[position + 1])

    page.get_by_role("heading", name="Check your answers before submitting").wait_for()
    assert page.url.endswith("/check/")
    cards = page.locator(".govuk-summary-card__title")
    expect(cards).to_have_text(DIMENSIONS)
    expect(page.locator(".govuk-summary-list__row")).to_have_count(46)
    expect(page.get_by_text("statement still to answer")).to_have_count(0)
    expect(page.get_by_text("statements still to answer")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("button", name="Submit assessment").click()
    panel = page.locator(".govuk-panel--confirmation")
    expect(panel.get_by_role("heading", level=1)).to_have_text("Assessment submitted")
    expect(panel).to_contain_text("Avonford Council")
    expect(panel).to_contain_text("2026 review")
    assert page.url.endswith("/submitted/")
    assert_accessible(page)

    page.get_by_role("link", name="View your submitted assessment").click()
    page.get_by_role("heading", name="Partnership readiness assessment").wait_for()
    expect(page.get_by_text("9 of 9 dimensions completed.")).to_be_visible()
    notice = page.locator(".govuk-inset-text")
    expect(notice).to_contain_text("Submitted on ")
    expect(notice).to_contain_text("It can no longer be changed.")
    expect(page.get_by_role("link", name="Check your answers")).to_have_count(0)

    page.get_by_role("link", name="Federation", exact=True).click()
    expect_dimension_page(page, "Federation")
    expect(page.locator(".govuk-summary-list__row")).to_have_count(5)
    expect(page.locator(".govuk-inset-text")).to_contain_text("can no longer be changed")
    expect(page.locator("input[type=radio]")).to_have_count(0)
    expect(page.locator("textarea")).to_have_count(0)
    expect(page.get_by_role("button", name="Save and continue")).to_have_count(0)


def test_the_same_flow_works_without_javascript(browser, live_server, council_a):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("avonford-ict")
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Your partnerships").wait_for()
        # No script ran: GOV.UK Frontend's enhancements are absent.
        assert "govuk-frontend-supported" not in (page.locator("body").get_attribute("class") or "")

        page.get_by_role("link", name="Start the assessment").click()
        page.get_by_role("button", name="Start assessment").click()
        page.get_by_role("heading", name="Partnership readiness assessment").wait_for()
        expect(page.get_by_text("0 of 9 dimensions completed.")).to_be_visible()

        page.get_by_role("link", name=DIMENSIONS[0], exact=True).click()
        met_the_error = False
        for position, name in enumerate(DIMENSIONS):
            expect_dimension_page(page, name)
            if not met_the_error:
                qid = question_id(page.locator(".app-question").first)
                answer_dimension(page, LEVELS[1], skip_first=True)
                page.get_by_role("button", name="Save and continue").click()
                summary = page.locator(".govuk-error-summary")
                expect(summary).to_contain_text("There is a problem")
                link = summary.get_by_role("link")
                expect(link).to_contain_text("Select a level from 0 to 4 for “")
                link.click()
                # A plain in-page link: the browser follows it to the first radio.
                assert page.url.endswith(f"#id_level_{qid}_1")
                expect(page.locator(f"#id_level_{qid}_1")).to_have_attribute("type", "radio")
                met_the_error = True
            answer_dimension(page, LEVELS[position % 5])
            page.get_by_role("button", name="Save and continue").click()

        page.get_by_role("heading", name="Check your answers before submitting").wait_for()
        expect(page.locator(".govuk-summary-card__title")).to_have_text(DIMENSIONS)
        page.get_by_role("button", name="Submit assessment").click()
        expect(page.locator(".govuk-panel__title")).to_have_text("Assessment submitted")
        # Without script the error link's fragment rides along through the later redirects.
        assert urlparse(page.url).path.endswith("/submitted/")
    finally:
        context.close()


def test_a_draft_can_be_left_incomplete_and_resumed(page, live_server, sign_in, council_a):
    sign_in("avonford-ict", TEST_PASSWORD)
    page.get_by_role("link", name="Start the assessment").click()
    page.get_by_role("button", name="Start assessment").click()
    page.get_by_role("heading", name="Partnership readiness assessment").wait_for()

    page.get_by_role("link", name="Business scope", exact=True).click()
    expect_dimension_page(page, "Business scope")
    questions = page.locator(".app-question")
    questions.nth(0).get_by_label(LEVELS[1], exact=True).check()
    questions.nth(2).get_by_label(LEVELS[4], exact=True).check()
    page.get_by_role("button", name="Save as draft").click()

    page.get_by_role("heading", name="Partnership readiness assessment").wait_for()
    expect(page.get_by_text("Business scope: saved as a draft.")).to_be_visible()
    expect(page.get_by_text("0 of 9 dimensions completed.")).to_be_visible()
    first_task = page.locator(".govuk-task-list__item").first
    expect(first_task.locator(".govuk-task-list__link")).to_have_text("Business scope")
    expect(first_task.locator(".govuk-task-list__status")).to_have_text("In progress")
    expect(first_task.locator(".govuk-task-list__hint")).to_have_text("2 of 5 statements answered")
    second_task = page.locator(".govuk-task-list__item").nth(1)
    expect(second_task.locator(".govuk-task-list__status")).to_have_text("Not yet started")

    page.get_by_role("link", name="Business scope", exact=True).click()
    expect_dimension_page(page, "Business scope")
    questions = page.locator(".app-question")
    expect(questions.nth(0).get_by_label(LEVELS[1], exact=True)).to_be_checked()
    expect(questions.nth(2).get_by_label(LEVELS[4], exact=True)).to_be_checked()
    expect(page.locator("input[type=radio]:checked")).to_have_count(2)


def test_an_executive_can_read_but_not_change(page, live_server, sign_in, council_a):
    assessment = start_assessment(
        round=council_a.round, organisation=council_a.organisation, user=council_a.ict_manager
    )
    sign_in("avonford-exec", TEST_PASSWORD)
    page.get_by_role("heading", name="Your partnerships").wait_for()
    expect(page.get_by_role("link", name="Start the assessment")).to_have_count(0)

    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    page.get_by_role("heading", name="Partnership readiness assessment").wait_for()
    expect(page.locator(".govuk-inset-text")).to_have_text(
        "You can read this assessment. Only Avonford Council's ICT manager can change it."
    )
    expect(page.get_by_role("link", name="Check your answers")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="Governance", exact=True).click()
    expect_dimension_page(page, "Governance")
    expect(page.locator(".govuk-inset-text")).to_have_text(
        "You can read these answers. Only Avonford Council's ICT manager can change them."
    )
    expect(page.locator(".govuk-summary-list__row")).to_have_count(6)
    expect(page.locator("input[type=radio]")).to_have_count(0)
    expect(page.get_by_role("button", name="Save and continue")).to_have_count(0)
    expect(page.get_by_role("button", name="Save as draft")).to_have_count(0)
    assert_accessible(page)
