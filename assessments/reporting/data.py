"""Report data, built once as plain, JSON-ready data and rendered by every format:
the HTML pages, the CSV and JSON exports (and the PDF). Each report loads what it
needs in a fixed number of queries, whatever the number of partners.

Only submitted assessments count towards a partnership's scores: a draft may still
change. Evidence and comments never enter the partnership report; they appear only in
an organisation's own report.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from partnerships.models import FundingFormula, FundingSignOff, Membership, Organisation

from ..actions.plan import action_plan, own_actions
from ..models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Level,
    OrganisationSnapshot,
    OwnerRole,
    Question,
    Round,
    RoundSnapshot,
    RoundStatus,
)
from .comparison import Evaluation, closed_since, mark_since_previous
from .gaps import (
    Context,
    FrameworkFacts,
    Gap,
    Gate,
    PartnerFacts,
    funding_formula_not_agreed,
    members_without_submission,
    partner_gaps,
    partnership_gaps,
    sort_gaps,
    verdict,
)
from .scoring import band, dimension_score, overall_score, partnership_dimension
from .summary import board_summary

SCHEMA_VERSION = 1
# What a frozen round keeps of each gap, for the rounds after it.
DIGEST_GAP_FIELDS = ("key", "refs", "severity", "message", "dimension_name", "owner_label")
NOT_STARTED = "not_started"


# ---------------------------------------------------------------- shared pieces


def _framework(questions: list[Question]) -> tuple[FrameworkFacts, list[dict]]:
    """Facts for the gap rules and the dimension list, from the framework's questions
    (loaded with their dimensions)."""
    names, owners, dimensions = {}, defaultdict(Counter), []
    for question in questions:
        dimension = question.dimension
        if dimension.code not in names:
            names[dimension.code] = dimension.name
            dimensions.append({"code": dimension.code, "name": dimension.name})
        if question.owner:
            owners[dimension.code][question.owner] += 1
    gates = [
        Gate(q.code, q.statement, q.dimension.code, q.gate_level, q.gate_owner)
        for q in questions
        if q.gate_level is not None
    ]
    usual_owner = {code: counter.most_common(1)[0][0] for code, counter in owners.items()}
    return FrameworkFacts(names, usual_owner, gates), dimensions


def framework_of(round_: Round) -> tuple[list[Question], FrameworkFacts, list[dict]]:
    """The round's framework: its statements (with their dimensions), the facts the gap
    rules need and the dimension list. One query."""
    questions = list(
        Question.objects.filter(dimension__framework_id=round_.framework_id).select_related(
            "dimension"
        )
    )
    facts, dimensions = _framework(questions)
    return questions, facts, dimensions


def scores_by_dimension(rows) -> dict[str, float | None]:
    """Dimension scores from (dimension code, weight, level) rows of one assessment."""
    by_dimension = defaultdict(list)
    for dimension_code, weight, level in rows:
        by_dimension[dimension_code].append((level, weight))
    return {code: dimension_score(pairs) for code, pairs in by_dimension.items()}


def _score_entry(score: float | None) -> dict:
    shade = band(score)
    return {
        "score": score,
        "band": shade.value if shade else None,
        "band_label": shade.label if shade else "Not assessed",
    }


def _gap_data(gap: Gap, dimension_names) -> dict:
    return {
        "code": gap.code,
        "severity": gap.severity.value,
        "dimension": gap.dimension,
        "dimension_name": dimension_names.get(gap.dimension) if gap.dimension else None,
        "owner": gap.owner,
        "owner_label": gap.owner_label,
        "organisations": list(gap.organisations),
        "refs": list(gap.refs),
        "key": gap.key,
        "title": gap.title,
        "statement": gap.statement,
        "level": gap.level,
        "message": gap.message,
        "action": gap.action,
    }


def _actions_by_owner(gaps: list[dict]) -> list[dict]:
    """Recommended actions grouped by who must act, in a fixed order of owners."""
    grouped = {role.value: [] for role in OwnerRole}
    for gap in gaps:
        if gap["action"] not in grouped[gap["owner"]]:
            grouped[gap["owner"]].append(gap["action"])
    return [
        {"owner": role.value, "owner_label": role.label, "actions": grouped[role.value]}
        for role in OwnerRole
        if grouped[role.value]
    ]


def _verdict_data(gaps: list[Gap], overall: float | None) -> dict:
    result = verdict(gaps, overall)
    critical = sum(1 for g in gaps if g.severity.value == "critical")
    return {"code": result.value, "label": result.label, "critical_gaps": critical}


def _round_data(round_: Round) -> dict:
    return {
        "id": round_.pk,
        "name": round_.name,
        "status": round_.status,
        "opens_on": round_.opens_on.isoformat(),
        "closes_on": round_.closes_on.isoformat() if round_.closes_on else None,
        "framework": {"name": round_.framework.name, "version": round_.framework.version},
    }


def members_of_round(memberships: list[Membership], round_: Round, today: date):
    """Who a round's report is about. An open round: today's members. A closed round:
    everyone who was a member at any time while it ran, so a member that leaves later,
    even on the day the round closes, stays in the reports of the rounds it took part in."""
    if round_.is_open or round_.closes_on is None:
        return [
            m
            for m in memberships
            if m.joined_on <= today and (m.left_on is None or m.left_on > today)
        ]
    return [
        m
        for m in memberships
        if m.joined_on <= round_.closes_on and (m.left_on is None or m.left_on > round_.opens_on)
    ]


def _funding(partnership) -> tuple[FundingFormula | None, dict[int, dict]]:
    formula = partnership.funding_formulas.order_by("-version").first()
    if formula is None:
        return None, {}
    sign_offs = {
        organisation_id: {"signer_name": name, "signer_role": role, "signed_at": signed.isoformat()}
        for organisation_id, name, role, signed in FundingSignOff.objects.filter(
            formula=formula
        ).values_list("organisation_id", "signer_name", "signer_role", "signed_at")
    }
    return formula, sign_offs


# ---------------------------------------------------------------- partnership report


@dataclass(frozen=True)
class Entry:
    """One partner as the partnership's scores see it: the organisation, its role in
    the partnership, its assessment (None: not started) and that assessment's
    (statement code, dimension code, weight, level) answers, only when submitted."""

    organisation: Organisation
    role: str
    assessment: Assessment | None
    answers: tuple = ()

    @classmethod
    def of(cls, organisation, role: str, assessment, rows) -> "Entry":
        submitted = assessment is not None and assessment.status == AssessmentStatus.SUBMITTED
        return cls(
            organisation, role, assessment, tuple(rows.get(assessment.pk, ())) if submitted else ()
        )


@dataclass(frozen=True)
class Standing:
    """Where a set of partners stands: each partner's facts and report row, the gaps,
    the per-dimension summary (weakest partner first) and the overall score."""

    partners: list[PartnerFacts]
    member_rows: list[dict]
    gaps: list[Gap]
    summary: list[dict]
    overall: float | None


def evaluate_partners(
    entries: list[Entry], dimensions: list[dict], context: Context, sign_offs: dict[int, dict]
) -> Standing:
    """Scores, gaps and verdict inputs for these partners: the one implementation of a
    partnership's readiness, used by the report and by the membership projection."""
    partners, member_rows = [], []
    for entry in entries:
        organisation, assessment = entry.organisation, entry.assessment
        status = assessment.status if assessment else NOT_STARTED
        submitted = status == AssessmentStatus.SUBMITTED
        scores = scores_by_dimension((d, w, lvl) for _, d, w, lvl in entry.answers)
        scores = {d["code"]: scores.get(d["code"]) for d in dimensions} if submitted else {}
        signed = sign_offs.get(organisation.pk)
        partners.append(
            PartnerFacts(
                name=organisation.name,
                status=status,
                submitted_on=timezone.localdate(assessment.submitted_at) if submitted else None,
                dimension_scores=scores,
                levels={code: level for code, _, _, level in entry.answers},
                signed_funding=signed is not None,
                ref=organisation_ref(organisation.pk),
            )
        )
        overall = overall_score(scores.values()) if submitted else None
        member_rows.append(
            {
                "organisation": {
                    "id": organisation.pk,
                    "name": organisation.name,
                    "kind": organisation.get_kind_display(),
                    "gss_code": organisation.gss_code,
                },
                "role": entry.role,
                "assessment_status": status,
                "submitted_on": partners[-1].submitted_on.isoformat() if submitted else None,
                "scores": [
                    {"dimension": d["code"], **_score_entry(scores.get(d["code"]))}
                    for d in dimensions
                ],
                "overall": _score_entry(overall),
                "funding_signed": signed is not None,
                "funding_sign_off": signed,
            }
        )
    gaps = partnership_gaps(partners, context)
    summary = []
    for d in dimensions:
        scored = {p.name: p.dimension_scores.get(d["code"]) for p in partners if p.dimension_scores}
        stats = partnership_dimension(scored)
        summary.append(
            {
                **d,
                "weakest": stats.weakest,
                **_score_entry(stats.weakest_score),
                "mean": stats.mean,
                "spread": stats.spread,
                "scored_partners": stats.scored_partners,
                "diverging": any(
                    g.code == "partners-diverge" and g.dimension == d["code"] for g in gaps
                ),
            }
        )
    # A partnership is as ready as its weakest partner on each dimension.
    overall = overall_score(item["score"] for item in summary)
    return Standing(partners, member_rows, gaps, summary, overall)


def partnership_report(round_: Round, *, today: date | None = None) -> dict:
    """Everything the partnership report shows, for one round, as it is today (or as at
    `today`: a closing round's snapshot passes its closing date). Nine queries: the
    memberships, the framework's questions, the partnership's assessments, their
    answers, the funding formula and its sign-offs, the closed rounds' snapshot
    digests and the actions (the round itself is loaded by the caller)."""
    today = today or timezone.localdate()
    partnership = round_.partnership
    memberships = list(
        Membership.objects.filter(partnership=partnership).select_related("organisation")
    )
    members = members_of_round(memberships, round_, today)
    _, facts, dimensions = framework_of(round_)
    assessments = list(
        Assessment.objects.filter(round__partnership=partnership).select_related("round")
    )
    rows = defaultdict(list)
    for assessment_id, code, dimension_code, weight, level in Answer.objects.filter(
        assessment__round__partnership=partnership, assessment__status=AssessmentStatus.SUBMITTED
    ).values_list(
        "assessment_id", "question__code", "question__dimension__code", "question__weight", "level"
    ):
        rows[assessment_id].append((code, dimension_code, weight, level))
    formula, sign_offs = _funding(partnership)
    digests = snapshot_digests(partnership.pk, before=round_)

    current = {a.organisation_id: a for a in assessments if a.round_id == round_.pk}
    standing = evaluate_partners(
        [
            Entry.of(m.organisation, m.get_role_display(), current.get(m.organisation_id), rows)
            for m in members
        ],
        dimensions,
        Context(facts, today, formula.version if formula else None),
        sign_offs,
    )
    partners, member_rows = standing.partners, standing.member_rows
    gaps, summary, overall = standing.gaps, standing.summary, standing.overall
    gap_data = [_gap_data(g, facts.dimension_names) for g in gaps]

    # Compared with the last closed round before this one.
    previous = digests[-1] if digests else None
    this_round = Evaluation(
        round_.name,
        round_.opens_on.isoformat(),
        frozenset(g["key"] for g in gap_data),
        frozenset(p.ref for p in partners if p.status == AssessmentStatus.SUBMITTED),
    )
    mark_since_previous(gap_data, previous and previous["evaluation"])
    plan = action_plan(
        partnership_id=partnership.pk,
        evaluations=[d["evaluation"] for d in digests] + [this_round],
        as_at=today,
        since=date.fromisoformat(previous["as_at"]) if previous else None,
        up_to=round_.opens_on,
    )
    overall_entry = _score_entry(overall)
    not_submitted = [p.name for p in partners if p.status != AssessmentStatus.SUBMITTED]
    return {
        "schema": "partnership-readiness/partnership-report",
        "schema_version": SCHEMA_VERSION,
        "generated_on": today.isoformat(),
        "snapshot": None,
        "partnership": {"id": partnership.pk, "name": partnership.name},
        "round": _round_data(round_),
        "verdict": _verdict_data(gaps, overall),
        "overall": overall_entry,
        "summary": board_summary(
            overall=overall_entry,
            previous_overall=previous["overall"] if previous else None,
            previous_round=previous["round"] if previous else None,
            gaps=gap_data,
            not_submitted=not_submitted,
            not_signed=[p.name for p in partners if formula and not p.signed_funding],
            funding_version=formula.version if formula else None,
            action_counts=plan["counts"],
        ),
        "dimensions": dimensions,
        "members": member_rows,
        "dimension_summary": summary,
        "gaps": gap_data,
        "previous_round": (
            {"name": previous["round"], "as_at": previous["as_at"]} if previous else None
        ),
        "closed_gaps": closed_since(previous["gaps"], this_round) if previous else [],
        "actions_by_owner": _actions_by_owner(gap_data),
        "action_plan": plan,
        "not_submitted": not_submitted,
        "funding_formula": {
            "version": formula.version if formula else None,
            "text": formula.text if formula else None,
            "agreed": bool(formula) and all(p.signed_funding for p in partners),
            "signed": sum(p.signed_funding for p in partners),
            "members": len(partners),
        },
        "trend": _trend(
            round_, assessments, rows, dimensions, {m.organisation_id for m in members}, digests
        ),
    }


def organisation_ref(organisation_id: int) -> str:
    """A partner's reference in gap keys: its id, so a renamed organisation's gaps are
    still its gaps."""
    return f"organisation:{organisation_id}"


def snapshot_digests(partnership_id: int, *, before: Round, inclusive: bool = False) -> list[dict]:
    """The digests of the partnership's closed rounds that opened before `before` (and
    `before` itself, if `inclusive`), oldest first, each with its `Evaluation` of gaps.
    One query; the reports themselves are not loaded. A round closed before snapshots
    existed is frozen here, once."""
    rounds = Round.objects.filter(
        partnership_id=partnership_id, status=RoundStatus.CLOSED, opens_on__lte=before.opens_on
    )
    if not inclusive:
        rounds = rounds.exclude(pk=before.pk)
    rounds = rounds.select_related("snapshot").only("pk", "snapshot__digest")
    digests = []
    for closed in rounds.order_by("opens_on", "pk"):
        try:
            digest = dict(closed.snapshot.digest)
        except RoundSnapshot.DoesNotExist:
            # Imported here: freezing a round builds its report with this module.
            from .snapshots import freeze_round

            digest = dict(freeze_round(Round.objects.get(pk=closed.pk)).digest)
        digest["evaluation"] = evaluation_of(digest)
        digests.append(digest)
    return digests


def evaluation_of(digest: dict) -> Evaluation:
    """A frozen report's verdict on gaps, from its digest (partnership or organisation)."""
    return Evaluation(
        digest["round"],
        digest["opens_on"],
        frozenset(g["key"] for g in digest["gaps"]),
        frozenset(digest["submitted"]),
    )


def report_digest(report: dict) -> dict:
    """What later rounds need from a closed round's partnership report."""
    round_id = report["round"]["id"]
    return {
        "round": report["round"]["name"],
        "opens_on": report["round"]["opens_on"],
        "as_at": report["generated_on"],
        "overall": report["overall"]["score"],
        "gaps": [{key: gap[key] for key in DIGEST_GAP_FIELDS} for gap in report["gaps"]],
        "submitted": [
            organisation_ref(m["organisation"]["id"])
            for m in report["members"]
            if m["assessment_status"] == AssessmentStatus.SUBMITTED
        ],
        "trend_point": next((p for p in report["trend"] if p["round_id"] == round_id), None),
    }


def _trend(round_, assessments, rows, dimensions, member_ids, digests) -> list[dict]:
    """Per round of the partnership up to this one, oldest first: how many members
    submitted, the mean score per dimension and overall across them. A closed round's
    point comes from its snapshot, as it was when it closed."""
    frozen = {d["trend_point"]["round_id"]: d["trend_point"] for d in digests if d["trend_point"]}
    by_round = defaultdict(list)
    for assessment in assessments:
        if (
            assessment.status == AssessmentStatus.SUBMITTED
            and assessment.organisation_id in member_ids
            and assessment.round_id not in frozen
            and assessment.round.opens_on <= round_.opens_on
        ):
            by_round[assessment.round].append(assessment)
    live = []
    for past in by_round:
        per_dimension = defaultdict(list)
        for assessment in by_round[past]:
            scores = scores_by_dimension(
                (d, w, lvl) for _, d, w, lvl in rows.get(assessment.pk, [])
            )
            for code, score in scores.items():
                if score is not None:
                    per_dimension[code].append(score)
        means = {
            d["code"]: overall_score(per_dimension[d["code"]]) if per_dimension[d["code"]] else None
            for d in dimensions
        }
        live.append(
            {
                "round_id": past.pk,
                "round": past.name,
                "opens_on": past.opens_on.isoformat(),
                "submitted": len(by_round[past]),
                "dimension_means": [
                    {"dimension": d["code"], "mean": means[d["code"]]} for d in dimensions
                ],
                "overall_mean": overall_score(means.values()),
            }
        )
    return sorted([*frozen.values(), *live], key=lambda p: (p["opens_on"], p["round_id"]))


# ---------------------------------------------------------------- organisation report


def organisation_report(
    assessment: Assessment, *, today: date | None = None, partnership_plan: dict | None = None
) -> dict:
    """One organisation's report for one round, with full detail (its own evidence and
    comments). Seven queries: the framework's questions, the answers, the previous
    round's assessment, its answers and its frozen report's gaps, the funding formula
    and this member's sign-off. Its actions are its share of `partnership_plan`, the
    round's partnership report's action plan, so both reports say the same about them
    (built here when not given)."""
    today = today or timezone.localdate()
    round_, organisation = assessment.round, assessment.organisation
    if partnership_plan is None:
        # First, as it also freezes any earlier round closed before snapshots existed.
        partnership_plan = partnership_report(round_, today=today)["action_plan"]
    questions, facts, dimensions = framework_of(round_)
    answers = {
        a.question_id: a
        for a in Answer.objects.filter(assessment=assessment).only(
            "question_id", "level", "evidence", "comment", "copied"
        )
    }
    scores = scores_by_dimension(
        (q.dimension.code, q.weight, answers[q.pk].level if q.pk in answers else None)
        for q in questions
    )
    previous = (
        Assessment.objects.filter(
            round__partnership_id=round_.partnership_id,
            organisation=organisation,
            status=AssessmentStatus.SUBMITTED,
            round__opens_on__lt=round_.opens_on,
        )
        .select_related("round")
        .order_by("-round__opens_on", "-pk")
        .first()
    )
    previous_scores, previous_digest = {}, None
    if previous is not None:
        previous_scores = scores_by_dimension(
            Answer.objects.filter(assessment=previous).values_list(
                "question__dimension__code", "question__weight", "level"
            )
        )
        previous_digest = (
            OrganisationSnapshot.objects.filter(assessment=previous)
            .values_list("digest", flat=True)
            .first()
        )
    formula = round_.partnership.funding_formulas.order_by("-version").first()
    sign_off = (
        FundingSignOff.objects.filter(formula=formula, organisation=organisation).first()
        if formula
        else None
    )

    submitted = assessment.is_submitted
    own = PartnerFacts(
        name=organisation.name,
        status=assessment.status,
        submitted_on=timezone.localdate(assessment.submitted_at) if submitted else None,
        dimension_scores={d["code"]: scores.get(d["code"]) for d in dimensions},
        levels={q.code: answers[q.pk].level for q in questions if q.pk in answers},
        signed_funding=sign_off is not None,
        ref=organisation_ref(organisation.pk),
    )
    context = Context(facts, today, formula.version if formula else None)
    gaps = sort_gaps(
        partner_gaps(own, context)
        + funding_formula_not_agreed([own], context)
        + members_without_submission([own], context),
        [d["code"] for d in dimensions],
    )
    overall = overall_score(own.dimension_scores.values())
    previous_overall = overall_score(previous_scores.values()) if previous else None
    gap_data = [_gap_data(g, facts.dimension_names) for g in gaps]
    this_round = Evaluation(
        round_.name,
        round_.opens_on.isoformat(),
        frozenset(g["key"] for g in gap_data),
        frozenset([own.ref] if submitted else []),
    )
    previous_evaluation = evaluation_of(previous_digest) if previous_digest else None
    mark_since_previous(gap_data, previous_evaluation)
    detail = []
    for d in dimensions:
        score, before = scores.get(d["code"]), previous_scores.get(d["code"])
        detail.append(
            {
                **d,
                **_score_entry(score),
                "previous": before,
                "change": _change(score, before),
                "statements": [
                    _statement(q, answers.get(q.pk))
                    for q in questions
                    if q.dimension.code == d["code"]
                ],
            }
        )
    return {
        "schema": "partnership-readiness/organisation-report",
        "schema_version": SCHEMA_VERSION,
        "generated_on": today.isoformat(),
        "snapshot": None,
        "organisation": {
            "id": organisation.pk,
            "name": organisation.name,
            "kind": organisation.get_kind_display(),
            "gss_code": organisation.gss_code,
        },
        "partnership": {"id": round_.partnership_id, "name": round_.partnership.name},
        "round": _round_data(round_),
        "assessment": {
            "id": assessment.pk,
            "status": assessment.status,
            "submitted_on": own.submitted_on.isoformat() if own.submitted_on else None,
        },
        "previous_round": previous.round.name if previous else None,
        "verdict": _verdict_data(gaps, overall),
        "overall": _score_entry(overall),
        "previous_overall": previous_overall,
        "overall_change": _change(overall, previous_overall),
        "dimensions": detail,
        "gaps": gap_data,
        "closed_gaps": (
            closed_since(previous_digest["gaps"], this_round) if previous_evaluation else []
        ),
        "actions_by_owner": _actions_by_owner(gap_data),
        "action_plan": own_actions(partnership_plan, organisation.pk),
        "funding_signed": sign_off is not None,
    }


def organisation_digest(report: dict) -> dict:
    """What the organisation's next report needs from this one, once frozen."""
    submitted = report["assessment"]["status"] == AssessmentStatus.SUBMITTED
    return {
        "round": report["round"]["name"],
        "opens_on": report["round"]["opens_on"],
        "as_at": report["generated_on"],
        "gaps": [{key: gap[key] for key in DIGEST_GAP_FIELDS} for gap in report["gaps"]],
        "submitted": [organisation_ref(report["organisation"]["id"])] if submitted else [],
    }


def _change(score: float | None, before: float | None) -> float | None:
    if score is None or before is None:
        return None
    return round(score - before, 1)


def _statement(question: Question, answer) -> dict:
    level = answer.level if answer else None
    return {
        "code": question.code,
        "statement": question.statement,
        "level": level,
        "level_label": Level(level).label if level is not None else "Not answered",
        "gate_level": question.gate_level,
        "below_gate": question.gate_level is not None
        and level is not None
        and level < question.gate_level,
        "evidence": answer.evidence if answer else "",
        "comment": answer.comment if answer else "",
    }
