"""Following gaps from round to round, and grouping critical gaps for the board: plain
functions over report data."""

from assessments.reporting.comparison import (
    Evaluation,
    GapState,
    closed_since,
    gap_state,
    mark_since_previous,
)
from assessments.reporting.summary import critical_groups
from assessments.templatetags.report_tags import name_list

CHERWELL = "organisation:2"
GAP = (
    "citizen-identity-below-gate|identity-management|identity-management.citizen-identity|"
    + CHERWELL
)
FUNDING = "funding-formula-not-agreed|governance||partnership"


def judged(round_name, opens_on, keys, submitted=(CHERWELL,)):
    return Evaluation(round_name, opens_on, frozenset(keys), frozenset(submitted))


def test_a_gap_is_new_or_still_open_since_the_previous_round():
    gaps = [{"key": GAP}, {"key": FUNDING}]
    mark_since_previous(gaps, judged("2025", "2025-01-01", [FUNDING]))
    assert [g["since_previous"] for g in gaps] == ["new", "still_open"]
    mark_since_previous(gaps, None)
    assert [g["since_previous"] for g in gaps] == [None, None]


def test_a_partners_gap_closes_only_once_that_partner_has_reassessed():
    previous = [{"key": GAP}, {"key": FUNDING}]
    not_yet = judged("2026", "2026-01-01", [], submitted=())
    # The funding gap is the partnership's: judged every round.
    assert [g["key"] for g in closed_since(previous, not_yet)] == [FUNDING]
    reassessed = judged("2026", "2026-01-01", [FUNDING])
    assert [g["key"] for g in closed_since(previous, reassessed)] == [GAP]


def test_an_actions_gap_state_follows_the_later_rounds_that_judged_it():
    raised = "2025-01-01"
    r26_open = judged("2026", "2026-01-01", [GAP])
    r26_closed = judged("2026", "2026-01-01", [])
    r27_back = judged("2027", "2027-01-01", [GAP])
    r27_unjudged = judged("2027", "2027-01-01", [], submitted=())
    earlier = judged("2024", "2024-01-01", [])
    assert gap_state(GAP, raised, []) == GapState.NOT_REASSESSED
    assert gap_state(GAP, raised, [earlier]) == GapState.NOT_REASSESSED
    assert gap_state(GAP, raised, [r26_open]) == GapState.STILL_OPEN
    assert gap_state(GAP, raised, [r26_closed]) == GapState.CLOSED
    assert gap_state(GAP, raised, [r27_back, r26_closed]) == GapState.COME_BACK
    # A later round where the partner has not submitted yet does not count.
    assert gap_state(GAP, raised, [r26_closed, r27_unjudged]) == GapState.CLOSED


def gap(code, severity, organisations, level=None, statement="", title=""):
    return {
        "code": code,
        "severity": severity,
        "dimension": "identity-management",
        "dimension_name": "Identity management",
        "statement": statement,
        "title": title,
        "message": f"{organisations[0]} message",
        "owner_label": "ICT manager (CIO)",
        "action": "Do it.",
        "organisations": organisations,
        "level": level,
    }


def test_critical_gaps_of_one_kind_are_one_entry_naming_each_partner_and_level():
    title = "Citizen identity management below level 2"
    gaps = [
        gap("citizen-identity-below-gate", "critical", ["Cherwell"], 0, "c", title),
        gap("dimension-below-developing", "high", ["Cherwell"]),
        gap("citizen-identity-below-gate", "critical", ["Isis Valley NHS"], 1, "c", title),
        gap("identity-not-federated", "critical", ["Cherwell"], 1, "f", "Federation below 2"),
    ]
    groups = critical_groups(gaps)
    assert [g["title"] for g in groups] == [title, "Federation below 2"]
    assert groups[0]["partners"] == [
        {"name": "Cherwell", "level": 0},
        {"name": "Isis Valley NHS", "level": 1},
    ]
    assert name_list(groups[0]["partners"]) == "Cherwell (0) and Isis Valley NHS (1)"


def test_name_lists_are_capped_for_the_one_page_summary():
    names = [f"Partner {n}" for n in range(30)]
    assert name_list(names, 4) == ", ".join(names[:4]) + " and 26 more"
    long = "Borough Council of " + "Somewhere " * 10
    assert name_list([long], 4) == long[:47].rstrip() + "…"
    assert name_list([long]) == long
    assert name_list(names[:1]) == "Partner 0"
    assert name_list([]) == ""
    assert name_list(["<b>x</b>"]) == "<b>x</b>"  # plain text: the template escapes it
