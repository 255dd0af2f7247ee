"""What a change of membership would do to a partnership's readiness: its verdict,
overall score, weakest partner per dimension, critical gaps and funding shares today and
with some organisations added and some members removed. Nothing is saved.

Both sides are scored by the partnership report's own code (`data.evaluate_partners`
with the same gap rules), so a projection is exactly the report the partnership would
get if the change were made. An added organisation is judged on its latest submitted
assessment of the same framework version in another partnership (only its levels are
loaded, never its evidence or comments), or as not assessed when it has none.

An added organisation's scores show through the projection's overall score, weakest
partners and gap messages. So unless every added organisation with scores has allowed
it (`ProjectionConsent`), the projection keeps only the verdicts and the number of gaps.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from partnerships.models import FundingShare, Membership, Organisation

from ..models import Answer, Assessment, AssessmentStatus, Round
from ..reporting.data import (
    Entry,
    Standing,
    _funding,
    _gap_data,
    _score_entry,
    _verdict_data,
    evaluate_partners,
    framework_of,
    members_of_round,
)
from ..reporting.gaps import Context
from .models import ProjectionConsent

MAX_CHANGES = 20  # organisations added, and members removed, in one projection
SEARCH_RESULTS = 20
SEVERITIES = ("critical", "high", "warning")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Candidate:
    organisation: Organisation
    assessment: Assessment | None  # its latest submitted one elsewhere; None: not assessed
    shares_scores: bool


def latest_elsewhere(round_: Round, organisation_ids) -> dict[int, Assessment]:
    """Each organisation's latest submitted assessment of the round's framework version,
    in another partnership's round. One query."""
    latest = {}
    for assessment in (
        Assessment.objects.filter(
            organisation_id__in=organisation_ids,
            status=AssessmentStatus.SUBMITTED,
            round__framework_id=round_.framework_id,
        )
        .exclude(round__partnership_id=round_.partnership_id)
        .only("pk", "organisation_id", "status", "submitted_at", "round_id")
        .order_by("organisation_id", "-submitted_at", "-pk")
    ):
        latest.setdefault(assessment.organisation_id, assessment)
    return latest


def _levels(assessment_ids) -> dict[int, list]:
    """(statement code, dimension code, weight, level) of submitted assessments: levels
    only, never evidence or comments. One query."""
    rows = {}
    for assessment_id, code, dimension_code, weight, level in Answer.objects.filter(
        assessment_id__in=assessment_ids, assessment__status=AssessmentStatus.SUBMITTED
    ).values_list(
        "assessment_id", "question__code", "question__dimension__code", "question__weight", "level"
    ):
        rows.setdefault(assessment_id, []).append((code, dimension_code, weight, level))
    return rows


def _side(standing: Standing, facts) -> dict:
    gaps = [_gap_data(g, facts.dimension_names) for g in standing.gaps]
    counts = Counter(g["severity"] for g in gaps)
    return {
        "verdict": _verdict_data(standing.gaps, standing.overall),
        "overall": _score_entry(standing.overall),
        "dimension_summary": standing.summary,
        "gaps": gaps,
        "gap_counts": {severity: counts.get(severity, 0) for severity in SEVERITIES},
        "members": len(standing.partners),
    }


def _funding_shares(formula, shares: dict[int, Decimal], today_ids, projected_ids, names):
    """Each member's share today and, re-normalised so the remaining members' shares add
    up to 100%, after the change. Added organisations have no share until a new formula
    gives them one."""
    if formula is None or not shares:
        return None
    remaining = [pk for pk in projected_ids if pk in shares]
    total = sum((shares[pk] for pk in remaining), Decimal(0))
    rows = []
    for pk in [*today_ids, *(pk for pk in projected_ids if pk not in today_ids)]:
        projected = None
        if pk in remaining and total:
            projected = (shares[pk] * HUNDRED / total).quantize(Decimal("0.01"))
        rows.append(
            {
                "name": names[pk],
                "today": shares.get(pk) if pk in today_ids else None,
                "projected": projected,
                "change": "removed"
                if pk not in projected_ids
                else ("added" if pk not in today_ids else ""),
            }
        )
    return {"version": formula.version, "rows": rows}


def memberships_of(round_: Round) -> list[Membership]:
    """Every membership of the round's partnership, with its organisation: one query
    (a page that shows the members too passes them to `project`)."""
    return list(
        Membership.objects.filter(partnership_id=round_.partnership_id).select_related(
            "organisation"
        )
    )


def project(
    round_: Round, *, add=(), remove=(), today: date | None = None, memberships=None
) -> dict:
    """The partnership's readiness in `round_` today and with the organisations `add`
    (ids) added and the members `remove` (organisation ids) removed. Nine queries, or
    eight given the partnership's `memberships` (`memberships_of`)."""
    today = today or timezone.localdate()
    partnership = round_.partnership
    if memberships is None:
        memberships = memberships_of(round_)
    members = members_of_round(memberships, round_, today)
    member_ids = [m.organisation_id for m in members]
    _, facts, dimensions = framework_of(round_)
    current = {
        a.organisation_id: a
        for a in Assessment.objects.filter(round=round_).only(
            "pk", "organisation_id", "status", "submitted_at", "round_id"
        )
    }
    added = list(
        Organisation.objects.filter(pk__in=add)
        .exclude(pk__in=member_ids)
        .annotate(shares_scores=Exists(_consents()))
    )
    elsewhere = latest_elsewhere(round_, [o.pk for o in added])
    # A former member that rejoins brings back its assessment of this round, as the
    # report would; anyone else is judged on its latest submission elsewhere.
    candidates = [
        Candidate(o, current.get(o.pk) or elsewhere.get(o.pk), o.shares_scores) for o in added
    ]
    rows = _levels(
        [a.pk for a in current.values() if a.status == AssessmentStatus.SUBMITTED]
        + [a.pk for a in elsewhere.values()]
    )
    formula, sign_offs = _funding(partnership)
    shares = (
        dict(
            FundingShare.objects.filter(formula=formula).values_list(
                "organisation_id", "percentage"
            )
        )
        if formula
        else {}
    )

    context = Context(facts, today, formula.version if formula else None)
    today_entries = [
        Entry.of(m.organisation, m.get_role_display(), current.get(m.organisation_id), rows)
        for m in members
    ]
    # In the report's order (members by name), so gap messages list names as it does.
    projected_entries = sorted(
        [e for e in today_entries if e.organisation.pk not in set(remove)]
        + [Entry.of(c.organisation, "Member", c.assessment, rows) for c in candidates],
        key=lambda entry: entry.organisation.name,
    )
    now = _side(evaluate_partners(today_entries, dimensions, context, sign_offs), facts)
    then = _side(evaluate_partners(projected_entries, dimensions, context, sign_offs), facts)
    now_keys = {g["key"] for g in now["gaps"]}
    then_keys = {g["key"] for g in then["gaps"]}
    # This partnership's own round's answers were its members' to see already.
    withheld = [
        c.organisation.name
        for c in candidates
        if c.assessment and c.assessment.round_id != round_.pk and not c.shares_scores
    ]
    names = {m.organisation_id: m.organisation.name for m in members}
    names |= {c.organisation.pk: c.organisation.name for c in candidates}
    projection = {
        "round": {"id": round_.pk, "name": round_.name},
        "partnership": {"id": partnership.pk, "name": partnership.name},
        "generated_on": today.isoformat(),
        "dimensions": dimensions,
        "added": [
            {
                "id": c.organisation.pk,
                "name": c.organisation.name,
                "kind": c.organisation.get_kind_display(),
                "assessed": c.assessment is not None,
                "submitted_on": timezone.localdate(c.assessment.submitted_at).isoformat()
                if c.assessment
                else None,
            }
            for c in candidates
        ],
        "removed": [
            {"id": m.organisation_id, "name": m.organisation.name}
            for m in members
            if m.organisation_id in set(remove)
        ],
        "today": now,
        "projected": then,
        "gaps_added": [g for g in then["gaps"] if g["key"] not in now_keys],
        "gaps_removed": [g for g in now["gaps"] if g["key"] not in then_keys],
        "funding": _funding_shares(
            formula,
            shares,
            member_ids,
            [e.organisation.pk for e in projected_entries],
            names,
        ),
        "withheld": withheld,
    }
    return withhold_scores(projection) if withheld else projection


def withhold_scores(projection: dict) -> dict:
    """Only the verdicts and gap counts: what an added organisation's scores could be
    worked out from is dropped from the data itself, not merely hidden on the page."""
    kept = {"verdict", "gap_counts", "members"}
    return projection | {
        "projected": {key: projection["projected"][key] for key in kept},
        "gaps_added": [],
        "gaps_removed": [],
    }


def _consents():
    return ProjectionConsent.objects.filter(organisation=OuterRef("pk"))


def _candidates(round_: Round):
    """Organisations that are not members of the round's partnership today, each with
    whether it has a submitted assessment of this framework version elsewhere."""
    today = timezone.localdate()
    members = Membership.objects.filter(partnership_id=round_.partnership_id).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=today), joined_on__lte=today
    )
    assessed = Assessment.objects.filter(
        organisation=OuterRef("pk"),
        status=AssessmentStatus.SUBMITTED,
        round__framework_id=round_.framework_id,
    ).exclude(round__partnership_id=round_.partnership_id)
    return (
        Organisation.objects.exclude(pk__in=members.values("organisation_id"))
        .annotate(assessed=Exists(assessed))
        .order_by("name")
    )


def _described(organisations) -> list[dict]:
    return [
        {
            "id": o.pk,
            "name": o.name,
            "kind": o.get_kind_display(),
            "gss_code": o.gss_code,
            "assessed": o.assessed,
        }
        for o in organisations
    ]


def find_candidates(round_: Round, query: str, *, exclude=()) -> list[dict]:
    """Organisations that could be added, by part of the name or GSS code. One query."""
    query = query.strip()
    if not query:
        return []
    found = _candidates(round_).filter(pk__in=Organisation.objects.matching(query).values("pk"))
    return _described(found.exclude(pk__in=exclude)[:SEARCH_RESULTS])


def candidates_by_id(round_: Round, ids) -> list[dict]:
    """The organisations chosen to add that could be added. One query."""
    return _described(_candidates(round_).filter(pk__in=ids))
