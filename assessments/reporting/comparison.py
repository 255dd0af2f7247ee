"""Following gaps from round to round, over plain data (no models): which of this
round's gaps are new or still open since the previous round, which of its gaps have
closed, and, for an action, whether its gap has closed, is still open or has come back.

A gap is known by its key (kind, dimension, statement, whose). A partner's gap can
only be judged in a round where that partner submitted an assessment: a partner that
has not reassessed yet has not closed anything. A partnership-wide gap drawn from
partners' scores (partners diverging) is judged only where the partners it named have
all submitted; the other partnership-wide gaps (funding, submissions) every round.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PARTNERSHIP = "partnership"
# Partnership-wide gaps that come from the named partners' scores.
FROM_SCORES = frozenset({"partners-diverge"})
NEW = "new"
STILL_OPEN = "still_open"


@dataclass(frozen=True)
class Evaluation:
    """One round's verdict on gaps: which gaps it raised, and whose assessments it
    judged (partners that submitted)."""

    round_name: str
    opens_on: str  # ISO date, for ordering
    gap_keys: frozenset[str]
    submitted: frozenset[str]  # partner refs

    def judged(self, key: str, refs: Iterable[str] = ()) -> bool:
        """Whether this round can say if the gap `key` (naming the partners `refs`) is
        still there."""
        kind, subject = key.split("|", 1)[0], key.rsplit("|", 1)[-1]
        if subject != PARTNERSHIP:
            return subject in self.submitted
        if kind in FROM_SCORES:
            refs = tuple(refs)
            return bool(refs) and all(ref in self.submitted for ref in refs)
        return True


def mark_since_previous(gaps: Sequence[dict], previous: Evaluation | None) -> None:
    """Mark each gap (report data) "new" or "still_open" since the previous round;
    None when there is no previous round to compare with."""
    for gap in gaps:
        if previous is None:
            gap["since_previous"] = None
        else:
            gap["since_previous"] = STILL_OPEN if gap["key"] in previous.gap_keys else NEW


def closed_since(previous_gaps: Iterable[dict], current: Evaluation) -> list[dict]:
    """The previous round's gaps that this round judged and no longer raises."""
    return [
        gap
        for gap in previous_gaps
        if gap["key"] not in current.gap_keys and current.judged(gap["key"], gap.get("refs", ()))
    ]


class GapState:
    NOT_REASSESSED = "not_reassessed"
    CLOSED = "closed"
    STILL_OPEN = "still_open"
    COME_BACK = "come_back"

    LABELS = {
        NOT_REASSESSED: "Not reassessed yet",
        CLOSED: "Gap closed",
        STILL_OPEN: "Gap still open",
        COME_BACK: "Gap has come back",
    }


def gap_state(
    key: str, raised_on: str, evaluations: Iterable[Evaluation], refs: Sequence[str] = ()
) -> str:
    """The state of a gap raised in the round that opened on `raised_on`, judged by the
    later rounds that could judge it, oldest first."""
    seen = [
        key in evaluation.gap_keys
        for evaluation in sorted(evaluations, key=lambda e: e.opens_on)
        if evaluation.opens_on > raised_on and evaluation.judged(key, refs)
    ]
    if not seen:
        return GapState.NOT_REASSESSED
    if not seen[-1]:
        return GapState.CLOSED
    return GapState.STILL_OPEN if all(seen) else GapState.COME_BACK
