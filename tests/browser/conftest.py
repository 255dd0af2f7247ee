"""Browser tests: Playwright driving the system Chromium against the live server.

They skip with a reason where Chromium is not installed (a newcomer's laptop); CI sets
REQUIRE_BROWSER_TESTS=1, which turns that skip into a failure.
"""

import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe

# Playwright's sync API runs an event loop in this thread; the ORM calls that the
# tests make between page actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM:
        return
    if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
        raise pytest.UsageError(
            "REQUIRE_BROWSER_TESTS=1 but Chromium is not installed: apt-get install chromium"
        )
    skip = pytest.mark.skip(reason="Chromium is not installed (apt-get install chromium)")
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def sign_in(page, live_server):
    def _sign_in(username: str, password: str):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()

    return _sign_in


def assert_accessible(page) -> None:
    """axe-core finds no WCAG 2.0/2.1/2.2 A or AA violations on the current page."""
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, results.generate_report()


AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}


def violations(page) -> str:
    """axe's WCAG A and AA violations on the current page, one line per element."""
    lines = []
    for violation in Axe().run(page, options=AXE_OPTIONS).response["violations"]:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
    return "\n".join(lines)


class Checker:
    """Runs axe on each page and keeps every failure, to report them all at once."""

    def __init__(self, page, live_server):
        self.page, self.live_server, self.failures = page, live_server, []

    def check(self, label: str) -> None:
        found = violations(self.page)
        if found:
            self.failures.append(f"{label} ({self.page.url}):\n{found}")

    def visit(self, url: str) -> None:
        response = self.page.goto(self.live_server.url + url)
        assert response.ok, f"{url} answered {response.status}"
        self.check(url)

    def assert_none(self) -> None:
        assert not self.failures, "\n\n".join(self.failures)
