"""The anonymised peer benchmark: where a partner, or a partnership, stands among peers
on each dimension, as the median and quartiles of the latest submitted scores of
organisations of the same kind, and of partnerships of similar size, across the
instance.

Computed per framework version from every submitted assessment (`compute`), stored
(`refresh`, run by the task queue when an assessment is submitted or reopened) and
read by a report in one query (`read`). It names no one, and a figure is stored only
when it cannot give away one peer's score:

- k-anonymity: a comparison group is shown only when it holds at least
  `MIN_ORGANISATIONS` organisations from at least `MIN_PARTNERSHIPS` partnerships (a
  partnership group: at least `MIN_ORGANISATIONS` partnerships);
- stability: a dimension's figures are shown only when taking any one peer out of the
  group moves none of the three figures by more than one rounding step (0.1), so
  comparing the figures before and after one organisation joins tells nothing more
  than which side of the median it fell on.

Scores are the report's own (`data._scores`, `scoring.partnership_dimension`): no
second implementation of scoring.
"""

import hashlib
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import models, transaction
from django.db.models import Subquery
from django.utils import timezone

from partnerships.models import Membership, OrganisationKind

from ..models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Dimension,
    Framework,
    Round,
    RoundStatus,
)
from ..reporting.data import members_of_round, scores_by_dimension
from ..reporting.scoring import overall_score, partnership_dimension, rounded
from .models import SWITCH_ID, BenchmarkSwitch, PeerBenchmark

SCHEMA = 1
MIN_ORGANISATIONS = 5
MIN_PARTNERSHIPS = 3
# One rounding step of the scores shown: the most one peer may move a figure.
STEP = Decimal("0.1")
OVERALL = "overall"
# Partnerships of similar size: members today, in these ranges (upper bound None: no limit).
SIZE_BANDS = ((2, 9), (10, 24), (25, 49), (50, None))
NOT_ENOUGH = "Not enough peers yet"
GROUP_LABELS = {
    OrganisationKind.COUNTY: "County councils",
    OrganisationKind.DISTRICT: "District councils",
    OrganisationKind.UNITARY: "Unitary authorities",
    OrganisationKind.METROPOLITAN: "Metropolitan borough councils",
    OrganisationKind.LONDON_BOROUGH: "London borough councils",
    OrganisationKind.POLICE: "Police forces",
    OrganisationKind.FIRE: "Fire and rescue services",
    OrganisationKind.NHS: "NHS bodies",
    OrganisationKind.HOUSING: "Housing associations",
    OrganisationKind.VOLUNTARY: "Voluntary and community sector bodies",
    OrganisationKind.OTHER: "Other organisations",
}


# ---------------------------------------------------------------- computing


@dataclass(frozen=True)
class Unit:
    """One peer in a group: an organisation (or a partnership), the partnerships it
    stands for, and its score per dimension code (and OVERALL)."""

    partnerships: frozenset
    scores: dict


def size_band(members: int) -> str | None:
    for low, high in SIZE_BANDS:
        if members >= low and (high is None or members <= high):
            return f"{low}-{high}" if high else f"{low}+"
    return None


def size_band_label(key: str) -> str:
    if key.endswith("+"):
        return f"Partnerships of {key[:-1]} or more members"
    low, high = key.split("-")
    return f"Partnerships of {low} to {high} members"


def _figures(values: list[float]) -> dict:
    """Lower quartile, median and upper quartile, rounded as scores are. In decimal
    arithmetic, as scoring's means are: in binary floating point the median of 2.8 and
    2.9 is 2.8499999..., which would round down."""
    values = [Decimal(repr(value)) for value in values]
    if len(values) == 1:
        only = rounded(values[0])
        return {"lower_quartile": only, "median": only, "upper_quartile": only}
    lower, median, upper = statistics.quantiles(values, n=4, method="inclusive")
    return {
        "lower_quartile": rounded(lower),
        "median": rounded(median),
        "upper_quartile": rounded(upper),
    }


def stable(values: list[float]) -> bool:
    """Whether taking out any one value moves no figure by more than one step."""
    shown = _figures(values)
    for value in set(values):
        rest = list(values)
        rest.remove(value)
        without = _figures(rest)
        for name, figure in shown.items():
            if abs(Decimal(repr(without[name])) - Decimal(repr(figure))) > STEP:
                return False
    return True


def _group(label: str, units: list[Unit], codes: list[str], *, min_units: int) -> dict:
    """A comparison group's figures per dimension; None where a dimension has too few
    scored peers, too few partnerships behind them, or figures one peer could move."""
    partnerships = set().union(*(u.partnerships for u in units)) if units else set()
    dimensions = {}
    for code in codes:
        scored = [u for u in units if u.scores.get(code) is not None]
        behind = set().union(*(u.partnerships for u in scored)) if scored else set()
        values = [u.scores[code] for u in scored]
        if len(scored) < min_units or len(behind) < MIN_PARTNERSHIPS or not stable(values):
            dimensions[code] = None
        else:
            dimensions[code] = {**_figures(values), "peers": len(values)}
    return {
        "label": label,
        "peers": len(units),
        "partnerships": len(partnerships),
        "shown": len(units) >= min_units and len(partnerships) >= MIN_PARTNERSHIPS,
        "dimensions": dimensions,
    }


def compute(framework: Framework, *, today=None) -> dict:
    """The benchmark of one framework version, from every submitted assessment of it.
    Four queries: the dimensions, the submitted assessments, their answers and the
    memberships (for the partnerships' members and sizes)."""
    today = today or timezone.localdate()
    codes = list(
        Dimension.objects.filter(framework=framework)
        .order_by("position")
        .values_list("code", flat=True)
    )
    submitted = Assessment.objects.filter(
        round__framework=framework, status=AssessmentStatus.SUBMITTED
    )
    meta = list(
        submitted.values_list(
            "pk",
            "organisation_id",
            "organisation__kind",
            "round_id",
            "round__partnership_id",
            "round__opens_on",
            "submitted_at",
            "round__status",
            "round__closes_on",
        )
    )
    rows = defaultdict(list)
    for assessment_id, dimension_code, weight, level in Answer.objects.filter(
        assessment__in=submitted.values("pk")
    ).values_list("assessment_id", "question__dimension__code", "question__weight", "level"):
        rows[assessment_id].append((dimension_code, weight, level))
    memberships = defaultdict(list)
    for membership in Membership.objects.only(
        "partnership_id", "organisation_id", "joined_on", "left_on"
    ):
        memberships[membership.partnership_id].append(membership)

    def scores_of(assessment_id) -> dict:
        by_dimension = scores_by_dimension(rows.get(assessment_id, ()))
        scores = {code: by_dimension.get(code) for code in codes}
        scores[OVERALL] = overall_score(scores.values())
        return scores

    # Organisations: each once, by its latest submitted assessment of this framework.
    latest = {}
    for pk, organisation_id, kind, _, partnership_id, _, submitted_at, *_ in meta:
        if organisation_id not in latest or submitted_at > latest[organisation_id][0]:
            latest[organisation_id] = (submitted_at, pk, kind, partnership_id)
    by_kind = defaultdict(list)
    for _, pk, kind, partnership_id in latest.values():
        by_kind[kind].append(Unit(frozenset([partnership_id]), scores_of(pk)))

    # Partnerships: each once, by its latest round with a submission, scored as its
    # report scores it: the weakest submitted partner on each dimension, among the
    # round's members (members_of_round, the report's own rule).
    latest_round = {}
    for _, _, _, round_id, partnership_id, opens_on, _, status, closes_on in meta:
        known = latest_round.get(partnership_id)
        if known is None or (opens_on, round_id) > (known.opens_on, known.pk):
            latest_round[partnership_id] = Round(
                pk=round_id, status=status, opens_on=opens_on, closes_on=closes_on
            )
    round_members = {
        partnership_id: {
            m.organisation_id for m in members_of_round(memberships[partnership_id], round_, today)
        }
        for partnership_id, round_ in latest_round.items()
    }
    in_round = defaultdict(list)
    for pk, organisation_id, _, round_id, partnership_id, *_ in meta:
        if (
            latest_round[partnership_id].pk == round_id
            and organisation_id in round_members[partnership_id]
        ):
            in_round[partnership_id].append(pk)
    today_round = Round(status=RoundStatus.OPEN)  # members today, as an open round has
    by_size = defaultdict(list)
    for partnership_id, assessment_ids in in_round.items():
        band = size_band(len(members_of_round(memberships[partnership_id], today_round, today)))
        if band is None:
            continue
        per_partner = [scores_of(pk) for pk in assessment_ids]
        scores = {
            code: partnership_dimension(
                {str(i): s[code] for i, s in enumerate(per_partner)}
            ).weakest_score
            for code in codes
        }
        scores[OVERALL] = overall_score(scores.values())
        by_size[band].append(Unit(frozenset([partnership_id]), scores))

    every = [*codes, OVERALL]
    return {
        "schema": SCHEMA,
        "computed_at": timezone.now().isoformat(),
        "organisation_groups": {
            kind: _group(GROUP_LABELS.get(kind, kind), units, every, min_units=MIN_ORGANISATIONS)
            for kind, units in by_kind.items()
        },
        "partnership_groups": {
            band: _group(size_band_label(band), units, every, min_units=MIN_ORGANISATIONS)
            for band, units in by_size.items()
        },
    }


# ---------------------------------------------------------------- storing and reading


def enabled() -> bool:
    return BenchmarkSwitch.objects.filter(pk=SWITCH_ID).values_list(
        "enabled", flat=True
    ).first() in (
        True,
        None,
    )


@transaction.atomic
def refresh(framework_id: int) -> PeerBenchmark | None:
    """Compute and store one framework version's benchmark (none while switched off)."""
    framework = Framework.objects.filter(pk=framework_id).first()
    if framework is None or not enabled():
        PeerBenchmark.objects.filter(framework_id=framework_id).delete()
        return None
    data = compute(framework)
    benchmark, _ = PeerBenchmark.objects.update_or_create(
        framework=framework, defaults={"data": data, "computed_at": timezone.now()}
    )
    return benchmark


def frameworks_in_use() -> list[int]:
    return list(
        Framework.objects.filter(rounds__isnull=False).distinct().values_list("pk", flat=True)
    )


def refresh_all() -> int:
    """Every framework version in use; returns how many were computed."""
    return sum(refresh(pk) is not None for pk in frameworks_in_use())


def _switched_on() -> Subquery:
    return Subquery(BenchmarkSwitch.objects.filter(pk=SWITCH_ID).values("enabled"))


def read(framework_id: int) -> dict | None:
    """A report's benchmark, in one query: None when switched off; the stored figures
    otherwise (an empty dict when none is computed yet, which reads as "not enough
    peers yet")."""
    row = (
        Framework.objects.filter(pk=framework_id)
        .annotate(
            switched_on=_switched_on(),
            figures=Subquery(
                PeerBenchmark.objects.filter(framework_id=framework_id).values("data"),
                output_field=models.JSONField(),
            ),
        )
        .values_list("switched_on", "figures")
        .first()
    )
    if row is None or row[0] is False:
        return None
    return row[1] or {}


def stamp_columns(framework_id: int) -> dict:
    """Expressions for which figures a report would show now (when they were computed,
    and whether the benchmark is on), to add to a query a page makes anyway; their
    values, given to `stamp_of`, key a cached rendering of the peers section."""
    return {
        "peers_switched_on": _switched_on(),
        "peers_computed_at": Subquery(
            PeerBenchmark.objects.filter(framework_id=framework_id).values("computed_at")
        ),
    }


def stamp_of(values) -> str:
    return hashlib.sha256(repr(tuple(values)).encode()).hexdigest()[:32]


# ---------------------------------------------------------------- placing a report


def _standing(score: float | None, figures: dict | None) -> str:
    if figures is None:
        return NOT_ENOUGH
    if score is None:
        return "Not assessed"
    if score < figures["lower_quartile"]:
        return "Behind most peers"
    if score > figures["upper_quartile"]:
        return "Ahead of most peers"
    return "Among most peers"


def comparison(
    benchmark: dict | None, family: str, key: str, scores: dict, dimensions: list[dict]
) -> dict | None:
    """Where `scores` (dimension code or OVERALL -> score) stand in the group `key` of
    `family` ("organisation_groups" or "partnership_groups"), dimension by dimension,
    for a report to show. None when the benchmark is switched off."""
    if benchmark is None:
        return None
    group = (benchmark.get(family) or {}).get(key)
    shown = bool(group and group["shown"])
    rows = []
    for code, name in [*((d["code"], d["name"]) for d in dimensions), (OVERALL, "Overall")]:
        figures = group["dimensions"].get(code) if shown else None
        rows.append(
            {
                "code": code,
                "name": name,
                "score": scores.get(code),
                "figures": figures,
                "standing": _standing(scores.get(code), figures),
            }
        )
    shown = shown and any(r["figures"] for r in rows)
    # Only what the page shows (the day, not the time), so a refresh that changes no
    # figure shown keeps the same PDF.
    return {
        "label": group["label"] if shown else None,
        "shown": shown,
        "peers": group["peers"] if shown else None,
        "partnerships": group["partnerships"] if shown else None,
        "computed_at": benchmark["computed_at"][:10] if shown else None,
        "rows": rows,
    }


def for_partnership_report(report: dict, benchmark: dict | None) -> dict | None:
    """The partnership against partnerships of similar size."""
    scores = {d["code"]: d["score"] for d in report["dimension_summary"]}
    scores[OVERALL] = report["overall"]["score"]
    band = size_band(len(report["members"])) or ""
    return comparison(benchmark, "partnership_groups", band, scores, report["dimensions"])


def for_organisation_report(report: dict, benchmark: dict | None) -> dict | None:
    """The organisation against organisations of the same kind."""
    kinds = {label: value for value, label in OrganisationKind.choices}
    scores = {d["code"]: d["score"] for d in report["dimensions"]}
    scores[OVERALL] = report["overall"]["score"]
    dimensions = [{"code": d["code"], "name": d["name"]} for d in report["dimensions"]]
    kind = kinds.get(report["organisation"]["kind"], "")
    return comparison(benchmark, "organisation_groups", kind, scores, dimensions)


def delete_all() -> None:
    PeerBenchmark.objects.all().delete()
