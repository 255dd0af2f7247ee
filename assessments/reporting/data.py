"""Report data, built once as plain, JSON-ready data and rendered by every format:
the HTML pages, the CSV and JSON exports (and the PDF). Each report loads what it
needs in a fixed number of queries, whatever the number of partners.

Only submitted assessments count towards a partnership's scores: a draft may still
change. Evidence and comments never enter the partnership report; they appear only in
an organisation's own report.
"""

from collections import Counter, defaultdict
from datetime import date

from django.utils import timezone

from partnerships.models import FundingFormula, FundingSignOff, Membership

from ..models import Answer, Assessment, AssessmentStatus, Level, OwnerRole, Question, Round
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

SCHEMA_VERSION = 1
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


def _scores(rows) -> dict[str, float | None]:
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


def partnership_report(round_: Round, *, today: date | None = None) -> dict:
    """Everything the partnership report shows, for one round. Seven queries: the
    memberships, the framework's questions, the partnership's assessments, their
    answers, the funding formula and its sign-offs (the round itself is loaded by the
    caller)."""
    today = today or timezone.localdate()
    partnership = round_.partnership
    memberships = list(
        Membership.objects.filter(partnership=partnership).select_related("organisation")
    )
    members = members_of_round(memberships, round_, today)
    questions = list(
        Question.objects.filter(dimension__framework_id=round_.framework_id).select_related(
            "dimension"
        )
    )
    facts, dimensions = _framework(questions)
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

    current = {a.organisation_id: a for a in assessments if a.round_id == round_.pk}
    partners, member_rows = [], []
    for membership in members:
        organisation = membership.organisation
        assessment = current.get(organisation.pk)
        status = assessment.status if assessment else NOT_STARTED
        submitted = status == AssessmentStatus.SUBMITTED
        answers = rows.get(assessment.pk, []) if submitted else []
        scores = _scores((d, w, lvl) for _, d, w, lvl in answers)
        scores = {d["code"]: scores.get(d["code"]) for d in dimensions} if submitted else {}
        signed = sign_offs.get(organisation.pk)
        partners.append(
            PartnerFacts(
                name=organisation.name,
                status=status,
                submitted_on=timezone.localdate(assessment.submitted_at) if submitted else None,
                dimension_scores=scores,
                levels={code: level for code, _, _, level in answers},
                signed_funding=signed is not None,
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
                "role": membership.get_role_display(),
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

    context = Context(facts, today, formula.version if formula else None)
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
    gap_data = [_gap_data(g, facts.dimension_names) for g in gaps]
    return {
        "schema": "partnership-readiness/partnership-report",
        "schema_version": SCHEMA_VERSION,
        "generated_on": today.isoformat(),
        "partnership": {"id": partnership.pk, "name": partnership.name},
        "round": _round_data(round_),
        "verdict": _verdict_data(gaps, overall),
        "overall": _score_entry(overall),
        "dimensions": dimensions,
        "members": member_rows,
        "dimension_summary": summary,
        "gaps": gap_data,
        "actions_by_owner": _actions_by_owner(gap_data),
        "not_submitted": [p.name for p in partners if p.status != AssessmentStatus.SUBMITTED],
        "funding_formula": {
            "version": formula.version if formula else None,
            "text": formula.text if formula else None,
            "agreed": bool(formula) and all(p.signed_funding for p in partners),
            "signed": sum(p.signed_funding for p in partners),
            "members": len(partners),
        },
        "trend": _trend(assessments, rows, dimensions, {m.organisation_id for m in members}),
    }


def _trend(assessments, rows, dimensions, member_ids) -> list[dict]:
    """Per round of the partnership, oldest first: how many members submitted, the mean
    score per dimension and overall across them."""
    by_round = defaultdict(list)
    for assessment in assessments:
        if (
            assessment.status == AssessmentStatus.SUBMITTED
            and assessment.organisation_id in member_ids
        ):
            by_round[assessment.round].append(assessment)
    trend = []
    for round_ in sorted(by_round, key=lambda r: (r.opens_on, r.pk)):
        per_dimension = defaultdict(list)
        for assessment in by_round[round_]:
            scores = _scores((d, w, lvl) for _, d, w, lvl in rows.get(assessment.pk, []))
            for code, score in scores.items():
                if score is not None:
                    per_dimension[code].append(score)
        means = {
            d["code"]: overall_score(per_dimension[d["code"]]) if per_dimension[d["code"]] else None
            for d in dimensions
        }
        trend.append(
            {
                "round": round_.name,
                "opens_on": round_.opens_on.isoformat(),
                "submitted": len(by_round[round_]),
                "dimension_means": [
                    {"dimension": d["code"], "mean": means[d["code"]]} for d in dimensions
                ],
                "overall_mean": overall_score(means.values()),
            }
        )
    return trend


# ---------------------------------------------------------------- organisation report


def organisation_report(assessment: Assessment, *, today: date | None = None) -> dict:
    """One organisation's report for one round, with full detail (its own evidence and
    comments). Six queries: the framework's questions, the answers, the previous
    round's assessment and answers, the funding formula and this member's sign-off."""
    today = today or timezone.localdate()
    round_, organisation = assessment.round, assessment.organisation
    questions = list(
        Question.objects.filter(dimension__framework_id=round_.framework_id).select_related(
            "dimension"
        )
    )
    facts, dimensions = _framework(questions)
    answers = {
        a.question_id: a
        for a in Answer.objects.filter(assessment=assessment).only(
            "question_id", "level", "evidence", "comment", "copied"
        )
    }
    scores = _scores(
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
    previous_scores = {}
    if previous is not None:
        previous_scores = _scores(
            Answer.objects.filter(assessment=previous).values_list(
                "question__dimension__code", "question__weight", "level"
            )
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
        "actions_by_owner": _actions_by_owner(gap_data),
        "funding_signed": sign_off is not None,
    }


def _change(score: float | None, before: float | None) -> float | None:
    if score is None or before is None:
        return None
    return round(score - before, 1)


def own_organisation_report(round_: Round, organisation_id: int | None) -> dict | None:
    """The organisation report of the reader's own organisation in this round, if it
    has an assessment there (for the partnership PDF's appendix)."""
    if organisation_id is None:
        return None
    assessment = (
        Assessment.objects.filter(round=round_, organisation_id=organisation_id)
        .select_related("round__partnership", "round__framework", "organisation")
        .first()
    )
    return organisation_report(assessment) if assessment else None


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
