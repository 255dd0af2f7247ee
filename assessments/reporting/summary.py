"""The board summary: the one page a chief executive reads first. Built from report
data already computed (no models, no queries): the verdict and overall score with its
change, critical gaps grouped by kind with the partners each applies to, what is
outstanding, and the action plan's state. High and warning gaps are only counted here;
they are listed under "Other gaps".
"""

from collections.abc import Sequence

CRITICAL = "critical"


def critical_groups(gaps: Sequence[dict]) -> list[dict]:
    """Critical gaps of the same kind as one entry naming every partner it applies to,
    with that partner's level where the gap is about a statement."""
    groups: dict[tuple, dict] = {}
    for gap in gaps:
        if gap["severity"] != CRITICAL:
            continue
        kind = (gap["code"], gap["dimension"], gap["statement"], gap["title"] or gap["message"])
        group = groups.setdefault(
            kind,
            {
                "code": gap["code"],
                "title": gap["title"] or gap["message"],
                "dimension_name": gap["dimension_name"],
                "owner_label": gap["owner_label"],
                "action": gap["action"],
                "partners": [],
            },
        )
        for name in gap["organisations"]:
            group["partners"].append({"name": name, "level": gap["level"]})
    return list(groups.values())


def board_summary(
    *,
    overall: dict,
    previous_overall: float | None,
    previous_round: str | None,
    gaps: Sequence[dict],
    not_submitted: Sequence[str],
    not_signed: Sequence[str],
    funding_version: int | None,
    action_counts: dict,
) -> dict:
    score = overall["score"]
    change = None
    if score is not None and previous_overall is not None:
        change = round(score - previous_overall, 1)
    return {
        "overall": overall,
        "previous_round": previous_round,
        "previous_overall": previous_overall,
        "change": change,
        "critical_groups": critical_groups(gaps),
        "not_submitted": list(not_submitted),
        "not_signed": list(not_signed),
        "funding_version": funding_version,
        "other_gaps": {
            "high": sum(1 for g in gaps if g["severity"] == "high"),
            "warning": sum(1 for g in gaps if g["severity"] == "warning"),
        },
        "actions": action_counts,
    }
