"""The "Your report is being prepared" page, in a real browser: accessible, and it
works with JavaScript off: once the reader chooses to keep checking it refreshes
itself until the worker has rendered the PDF, which the same address then downloads."""

import io

import pytest
from django.core.management import call_command
from django_tasks_db.management.commands.db_worker import Worker

from tests.browser.conftest import assert_accessible
from tests.builders import add_partner, assess, sign_funding
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _workers(settings, tmp_path, monkeypatch):
    settings.PDF_WORKERS = True
    settings.PDF_CACHE_DIR = tmp_path / "pdf-cache"
    monkeypatch.setattr(Worker, "configure_signals", lambda self: None)


@pytest.fixture
def reports(council_a):
    weak = add_partner(council_a.partnership, "Bexley Vale Council")
    own = assess(council_a.round, council_a.organisation, level=4)
    assess(council_a.round, weak, level=2, levels={"identity-management.citizen-identity": 0})
    sign_funding(council_a.partnership, [council_a.organisation])
    return own


def run_worker():
    call_command(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        "--worker-id",
        "browser-test-worker",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )


def sign_in_on(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("avonford-exec")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda address: "/accounts/login/" not in address)


def test_the_being_prepared_page_is_accessible_and_links_to_the_web_page(
    page, live_server, sign_in, council_a, reports
):
    sign_in("avonford-exec", TEST_PASSWORD)
    response = page.goto(f"{live_server.url}/rounds/{council_a.round.pk}/report.pdf")
    assert response.status == 202
    assert response.headers["retry-after"] == "5"
    page.get_by_role("heading", name="Your report is being prepared").wait_for()
    assert page.title().startswith("Your report is being prepared")
    # No refresh the reader did not ask for (WCAG 2.2.1): every axe rule passes.
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    assert "refresh" not in response.headers
    assert_accessible(page)
    page.get_by_role("link", name="keep checking automatically").click()
    page.get_by_role("link", name="Stop checking automatically").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="report as a web page").click()
    page.get_by_role("heading", name="Verdict: Not ready").wait_for()
    assert page.url == f"{live_server.url}/rounds/{council_a.round.pk}/report/"


def test_with_javascript_off_the_page_refreshes_into_the_download(
    browser, live_server, council_a, reports
):
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    try:
        page = context.new_page()
        sign_in_on(page, live_server)
        url = f"{live_server.url}/assessments/{reports.pk}/report.pdf"
        assert page.goto(url).status == 202
        page.get_by_role("heading", name="Your report is being prepared").wait_for()
        check_now = page.get_by_role("link", name="Check now")
        assert check_now.get_attribute("href") == f"/assessments/{reports.pk}/report.pdf"

        # "Check now" before the worker has run: still being prepared.
        with page.expect_navigation():
            check_now.click()
        page.get_by_role("heading", name="Your report is being prepared").wait_for()

        # The reader chooses to keep checking: from then on the page refreshes itself
        # (an HTTP Refresh header, no script) until the same address downloads the PDF.
        with page.expect_navigation():
            page.get_by_role("link", name="keep checking automatically").click()
        page.get_by_role("link", name="Stop checking automatically").wait_for()
        run_worker()
        with page.expect_download(timeout=20_000) as download_info:
            pass
        download = download_info.value
        assert download.suggested_filename == "avonford-council-2026-review-readiness.pdf"
        with open(download.path(), "rb") as handle:
            assert handle.read(5) == b"%PDF-"

        served = context.request.get(url)
        assert served.status == 200
        assert served.headers["x-pdf-cache"] == "hit"
        assert served.body().startswith(b"%PDF-")
    finally:
        context.close()
