"""Readiness scores: plain functions over values already loaded, so the HTML page, the
PDF, the CSV and the JSON all compute the same numbers without touching the database.

A score is on the maturity scale 0 (not started) to 4 (embedded). "No score" is None,
never a sentinel such as -1. Scores are rounded half up to one decimal place before
anything else uses them, so what a page shows is exactly what the gap rules judged.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

# Band thresholds (documented in the README): below 2.0 is below "developing".
AMBER_FROM = 2.0
GREEN_FROM = 3.0


class Band(Enum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"

    @property
    def label(self) -> str:
        return {"red": "Weak", "amber": "Developing", "green": "Strong"}[self.value]


def rounded(score: float | Decimal | None) -> float | None:
    """Half up to one decimal place: 2.25 -> 2.3, not Python's banker's 2.2."""
    if score is None:
        return None
    exact = score if isinstance(score, Decimal) else Decimal(repr(score))
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _mean(values: list[float]) -> float:
    """Mean in decimal arithmetic, then rounded: (2.3 + 2.4) / 2 = 2.35 -> 2.4. In
    binary floating point the sum is 2.3499999..., which would round down."""
    exact = sum((Decimal(repr(value)) for value in values), Decimal(0)) / len(values)
    return rounded(exact)


def dimension_score(answers: Iterable[tuple[int | None, int]]) -> float | None:
    """Weighted mean of the answered levels; unanswered statements are left out.

    `answers` is (level, weight) pairs. Levels 2 (weight 3) and 4 (weight 1):
    (2*3 + 4*1) / (3 + 1) = 10 / 4 = 2.5. Nothing answered: None.
    """
    total = weights = 0
    for level, weight in answers:
        if level is not None:
            total += level * weight
            weights += weight
    if not weights:
        return None
    return rounded(Decimal(total) / Decimal(weights))


def overall_score(dimension_scores: Iterable[float | None]) -> float | None:
    """Mean of the dimensions that have a score; each dimension counts equally,
    whatever its number of statements. (3.0 + 2.0 + None) -> 2.5."""
    scored = [score for score in dimension_scores if score is not None]
    return _mean(scored) if scored else None


def band(score: float | None) -> Band | None:
    """1.9 -> red, 2.0 -> amber, 2.9 -> amber, 3.0 -> green, None -> None."""
    if score is None:
        return None
    if score >= GREEN_FROM:
        return Band.GREEN
    if score >= AMBER_FROM:
        return Band.AMBER
    return Band.RED


@dataclass(frozen=True)
class PartnershipDimension:
    """How the partners stand on one dimension: the weakest partner (named), the
    mean and the spread (strongest minus weakest)."""

    weakest: str | None
    weakest_score: float | None
    mean: float | None
    spread: float | None
    scored_partners: int


def partnership_dimension(scores_by_partner: Mapping[str, float | None]) -> PartnershipDimension:
    """{"A": 1.0, "B": 3.5, "C": None} -> weakest A at 1.0, mean (1.0 + 3.5) / 2 = 2.25,
    shown as 2.3, spread 3.5 - 1.0 = 2.5. Ties for weakest go to the first name in
    alphabetical order, so the result does not depend on the order of the input."""
    scored = sorted((score, name) for name, score in scores_by_partner.items() if score is not None)
    if not scored:
        return PartnershipDimension(None, None, None, None, 0)
    weakest_score, weakest = scored[0]
    values = [score for score, _ in scored]
    return PartnershipDimension(
        weakest=weakest,
        weakest_score=weakest_score,
        mean=_mean(values),
        spread=rounded(Decimal(repr(values[-1])) - Decimal(repr(values[0]))),
        scored_partners=len(values),
    )
