"""Report pages show everything: on a 1280 px screen every column of every table is in
view without scrolling; at 320 px the page never scrolls sideways, and a table too wide
for the screen scrolls inside its own labelled, focusable region."""

import pytest
from django.urls import reverse

from assessments.models import Answer, Assessment, Round
from ops.demo import CURRENT_ROUND, DEMO_PASSWORD, PARTNERSHIP_NAME, PREVIOUS_ROUND, seed_demo
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_WORD = "https://evidence.example.org/" + "0123456789abcdef" * 311  # 5,000 characters

# Problems with the tables on the page, as sentences (empty when all is well).
TABLES_IN_VIEW = """() => {
  const problems = [];
  const viewport = document.documentElement.clientWidth;
  for (const table of document.querySelectorAll("main table")) {
    const name = table.caption ? table.caption.textContent.trim() : "a table";
    const box = table.parentElement;
    const width = table.getBoundingClientRect().width;
    if (width > box.clientWidth + 0.5) {
      problems.push(`${name}: ${width}px wide in ${box.clientWidth}px`);
    }
    if (box.scrollWidth > box.clientWidth) {
      problems.push(`${name}: scrolls sideways`);
    }
    for (const cell of table.querySelectorAll("th, td")) {
      const right = cell.getBoundingClientRect().right;
      if (right > viewport + 0.5) {
        problems.push(`${name}: "${cell.innerText.trim()}" ends at ${right}px, past ${viewport}px`);
      }
    }
  }
  return problems;
}"""

# Tables that scroll sideways, each with how its scrolling region is marked up.
SCROLLING_TABLES = """() => [...document.querySelectorAll("main table")]
  .filter((table) => table.parentElement.scrollWidth > table.parentElement.clientWidth)
  .map((table) => {
    const box = table.parentElement;
    const labelledBy = box.getAttribute("aria-labelledby");
    return {
      caption: table.caption ? table.caption.textContent.trim() : null,
      role: box.getAttribute("role"),
      tabIndex: box.tabIndex,
      label: labelledBy ? document.getElementById(labelledBy).textContent.trim() : null,
    };
  })"""


@pytest.fixture
def report_paths():
    """The demo's two partnership reports and the lead partner's own report, with the
    longest evidence the form accepts, a URL without a space, in its first answer."""
    seed_demo()
    current = Round.objects.get(partnership__name=PARTNERSHIP_NAME, name=CURRENT_ROUND)
    previous = Round.objects.get(partnership__name=PARTNERSHIP_NAME, name=PREVIOUS_ROUND)
    own = Assessment.objects.get(round=current, organisation__name="Oxfordshire County Council")
    first = Answer.objects.filter(assessment=own).order_by("pk").first()
    Answer.objects.filter(pk=first.pk).update(evidence=LONG_WORD, comment=LONG_WORD[:2000])
    return {
        "current": reverse("assessments:partnership_report", args=[current.pk]),
        "previous": reverse("assessments:partnership_report", args=[previous.pk]),
        "own": reverse("assessments:organisation_report", args=[own.pk]),
    }


def open_page(page, live_server, path: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}{path}")
    page.locator("h1").wait_for()


def test_on_a_laptop_screen_every_column_of_every_table_is_in_view(
    page, live_server, sign_in, report_paths
):
    sign_in("oxfordshire-exec", DEMO_PASSWORD)
    for name, path in report_paths.items():
        open_page(page, live_server, path, 1280)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280, name
        assert page.evaluate(TABLES_IN_VIEW) == [], name
        assert_accessible(page)

    open_page(page, live_server, report_paths["current"], 1280)
    heatmap = page.get_by_role("table", name="Scores by partner and dimension, 2026")
    for column in ["Infrastructure", "Sustainability", "Overall"]:
        header = heatmap.get_by_role("columnheader", name=column, exact=True)
        assert header.is_visible()
        assert header.bounding_box()["x"] + header.bounding_box()["width"] <= 1280
    # Short headings on screen; the full name for screen readers.
    for full_name in ["Information sharing", "Identity management", "Business scope"]:
        assert heatmap.get_by_role("columnheader", name=full_name, exact=True).count() == 1


def test_on_a_small_phone_the_page_never_scrolls_sideways(page, live_server, sign_in, report_paths):
    sign_in("oxfordshire-exec", DEMO_PASSWORD)
    scrolling = {}
    for name, path in report_paths.items():
        open_page(page, live_server, path, 320)
        assert page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]") == [
            320,
            320,
        ], name
        scrolling[name] = page.evaluate(SCROLLING_TABLES)
        # Each table that is wider than the screen scrolls in a focusable region named
        # by the table's caption.
        for table in scrolling[name]:
            assert table["role"] == "region" and table["tabIndex"] == 0, table
            assert table["label"] and table["label"] == table["caption"], table
        assert_accessible(page)
    # The heatmap is one of them: the check above is not empty.
    assert any(t["caption"].startswith("Scores by partner") for t in scrolling["current"])

    # Its first column (the partner) stays in view while the region scrolls.
    open_page(page, live_server, report_paths["current"], 320)
    region = page.get_by_role("region", name="Scores by partner and dimension, 2026")
    region.evaluate("(box) => { box.scrollLeft = box.scrollWidth; }")
    partner = region.get_by_role("rowheader", name="Oxfordshire County Council")
    box = partner.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= 320
