"""The gaps that sink partnerships, as small rules over plain, already-loaded facts.

Gates (which statements are critical, at what level, owned by whom) come from the
framework data; the structural rules (funding sign-off, divergence, "you cannot
federate what you cannot identify", missing or stale assessments) live here. Any
critical gap makes the verdict "Not ready", whatever the averages say.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from ..choices import OwnerRole
from .scoring import AMBER_FROM, GREEN_FROM, partnership_dimension

DIVERGENCE_LEVELS = 2.0
IDENTITY = "identity-management"
BUILT_ON_IDENTITY = ("federation", "transactions")


class Severity(Enum):
    CRITICAL = "critical"
    HIGH = "high"
    WARNING = "warning"

    @property
    def rank(self) -> int:
        return {"critical": 0, "high": 1, "warning": 2}[self.value]


class Verdict(Enum):
    NOT_READY = "not_ready"
    CONDITIONAL = "ready_with_conditions"
    READY = "ready"

    @property
    def label(self) -> str:
        return {
            "not_ready": "Not ready",
            "ready_with_conditions": "Ready with conditions",
            "ready": "Ready",
        }[self.value]


@dataclass(frozen=True)
class Gap:
    code: str
    severity: Severity
    dimension: str | None  # dimension code
    owner: str  # an OwnerRole value
    message: str
    action: str
    organisations: tuple[str, ...] = ()  # the partners it concerns
    refs: tuple[str, ...] = ()  # the same partners' stable references (PartnerFacts.ref)
    # Whose gap it is: one partner's ref, or PARTNERSHIP for a partnership-wide gap.
    subject: str = "partnership"
    statement: str = ""  # the gated statement's code, for gates
    level: int | None = None  # the partner's level on that statement
    # What kind of gap it is, in a few words, for grouping ("Citizen identity
    # management below level 2"); empty for kinds that are never grouped.
    title: str = ""

    @property
    def owner_label(self) -> str:
        return OwnerRole(self.owner).label

    @property
    def key(self) -> str:
        """The same gap in another round has the same key, so actions and round-to-round
        comparisons can follow it: what kind, where, and whose."""
        return "|".join((self.code, self.dimension or "", self.statement, self.subject))


@dataclass(frozen=True)
class Gate:
    question_code: str
    statement: str
    dimension: str
    level: int
    owner: str


@dataclass(frozen=True)
class FrameworkFacts:
    dimension_names: Mapping[str, str]  # code -> name, in framework order
    dimension_owners: Mapping[str, str]  # code -> usual owner
    gates: Sequence[Gate]


@dataclass(frozen=True)
class PartnerFacts:
    name: str
    status: str  # "not_started", "draft" or "submitted"
    submitted_on: date | None = None
    dimension_scores: Mapping[str, float | None] = field(default_factory=dict)
    levels: Mapping[str, int | None] = field(default_factory=dict)  # by question code
    signed_funding: bool = False
    ref: str = ""  # stable across renames (the organisation's id), for gap keys

    @property
    def has_assessment(self) -> bool:
        return self.status != "not_started"


@dataclass(frozen=True)
class Context:
    framework: FrameworkFacts
    today: date
    funding_formula_version: int | None  # None: no formula recorded


# Gated statements the product knows by name, with their own codes and words.
GATE_WORDS = {
    "identity-management.staff-identity": (
        "staff-identity-below-gate",
        "Staff identity management below level {gate}",
        "{partner} has not got staff identity management in place for the shared "
        "services (level {level}, needs {gate}).",
        "Plan joiners, movers and leavers, role-based access and strong sign-in for "
        "staff now, before services are shared; it cannot be added at the end.",
    ),
    "identity-management.citizen-identity": (
        "citizen-identity-below-gate",
        "Citizen identity management below level {gate}",
        "{partner} has not got citizen identity management in place (level {level}, needs {gate}).",
        "Agree how residents and service users prove who they are, to what level of "
        "assurance, with one account across the partners' services.",
    ),
    "identity-management.identity-federation": (
        "identity-not-federated",
        "Identity federation below level {gate}",
        "{partner}'s identities are not federated across the partners (level {level}, "
        "needs {gate}).",
        "Set up trust between the partners' identity providers (for example SAML or "
        "OpenID Connect) so staff and citizens use one identity across the partnership.",
    ),
    "governance.funding-formula": (
        "funding-formula-below-gate",
        "Funding formula reported below level {gate}",
        "{partner} reports the funding formula is not in place (level {level}, needs {gate}).",
        "The chief executive and finance director agree each partner's share of costs "
        "and savings, in writing, before anything else is committed.",
    ),
}


def gated_statements_below_gate(partner: PartnerFacts, context: Context) -> list[Gap]:
    gaps = []
    for gate in context.framework.gates:
        level = partner.levels.get(gate.question_code)
        if level is None or level >= gate.level:
            continue
        code, title, message, action = GATE_WORDS.get(
            gate.question_code,
            (
                "below-gate",
                "“{statement}” below level {gate}",
                "{partner} is below the critical level on “{statement}” "
                "(level {level}, needs {gate}).",
                "Bring this statement up to at least the critical level before committing.",
            ),
        )
        gaps.append(
            Gap(
                code=code,
                severity=Severity.CRITICAL,
                dimension=gate.dimension,
                owner=gate.owner,
                message=message.format(
                    partner=partner.name, statement=gate.statement, level=level, gate=gate.level
                ),
                action=action,
                organisations=(partner.name,),
                refs=(partner.ref,),
                subject=partner.ref,
                statement=gate.question_code,
                level=level,
                title=title.format(statement=gate.statement, gate=gate.level),
            )
        )
    return gaps


def dimensions_not_assessed(partner: PartnerFacts, context: Context) -> list[Gap]:
    if not partner.has_assessment:
        return []  # reported once, as a member without an assessment
    return [
        Gap(
            code="dimension-not-assessed",
            severity=Severity.HIGH,
            dimension=code,
            owner=OwnerRole.ICT_MANAGER,
            message=f"{partner.name} has not assessed {name}.",
            action=f"Answer the {name} statements so the partnership can see its readiness.",
            organisations=(partner.name,),
            refs=(partner.ref,),
            subject=partner.ref,
        )
        for code, name in context.framework.dimension_names.items()
        if partner.dimension_scores.get(code) is None
    ]


def dimensions_below_developing(partner: PartnerFacts, context: Context) -> list[Gap]:
    names = context.framework.dimension_names
    return [
        Gap(
            code="dimension-below-developing",
            severity=Severity.HIGH,
            dimension=code,
            owner=context.framework.dimension_owners.get(code, OwnerRole.EXECUTIVE),
            message=f"{partner.name} scores {score:.1f} on {names[code]}, below "
            f"“developing” ({AMBER_FROM:.0f}).",
            action=f"Agree a plan to bring {names[code]} to at least level 2, developing.",
            organisations=(partner.name,),
            refs=(partner.ref,),
            subject=partner.ref,
        )
        for code, score in partner.dimension_scores.items()
        if score is not None and score < AMBER_FROM and code in names
    ]


def built_above_identity(partner: PartnerFacts, context: Context) -> list[Gap]:
    """You cannot federate, or exchange trusted transactions, on identities you have
    not got: a score above identity management means work is in the wrong order."""
    identity = partner.dimension_scores.get(IDENTITY)
    if identity is None:
        return []
    names = context.framework.dimension_names
    return [
        Gap(
            code="built-above-identity",
            severity=Severity.HIGH,
            dimension=code,
            owner=OwnerRole.ICT_MANAGER,
            message=f"{partner.name} scores {names[code]} ({score:.1f}) above identity "
            f"management ({identity:.1f}).",
            action="Put identity management for staff and citizens in place first; "
            f"{names[code].lower()} depends on it.",
            organisations=(partner.name,),
            refs=(partner.ref,),
            subject=partner.ref,
        )
        for code in BUILT_ON_IDENTITY
        if (score := partner.dimension_scores.get(code)) is not None
        and score > identity
        and code in names
    ]


def twelve_months_before(today: date) -> date:
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


def stale_assessment(partner: PartnerFacts, context: Context) -> list[Gap]:
    if partner.submitted_on is None or partner.submitted_on >= twelve_months_before(context.today):
        return []
    return [
        Gap(
            code="stale-assessment",
            severity=Severity.WARNING,
            dimension=None,
            owner=OwnerRole.ICT_MANAGER,
            message=f"{partner.name}'s assessment was submitted on "
            f"{partner.submitted_on:%-d %B %Y}, more than 12 months ago.",
            action="Reassess, so the partnership plans on today's position.",
            organisations=(partner.name,),
            refs=(partner.ref,),
            subject=partner.ref,
        )
    ]


PartnerRule = Callable[[PartnerFacts, Context], list[Gap]]
PARTNER_RULES: list[PartnerRule] = [
    gated_statements_below_gate,
    dimensions_not_assessed,
    dimensions_below_developing,
    built_above_identity,
    stale_assessment,
]


def funding_formula_not_agreed(partners: Sequence[PartnerFacts], context: Context) -> list[Gap]:
    action = (
        "Chief executives and finance directors agree the funding formula, each partner's "
        "share of costs and savings, and every member's executive signs it off."
    )
    if context.funding_formula_version is None:
        return [
            Gap(
                code="funding-formula-not-agreed",
                severity=Severity.CRITICAL,
                dimension="governance",
                owner=OwnerRole.EXECUTIVE,
                message="No funding formula has been recorded for the partnership.",
                action=action,
                organisations=tuple(p.name for p in partners),
                refs=tuple(p.ref for p in partners),
                title="No funding formula recorded",
            )
        ]
    unsigned_partners = [p for p in partners if not p.signed_funding]
    unsigned = tuple(p.name for p in unsigned_partners)
    if not unsigned:
        return []
    version = context.funding_formula_version
    if len(partners) == 1:  # an organisation's own report: speak of it alone
        message = f"{unsigned[0]} has not signed version {version} of the funding formula."
    else:
        message = (
            f"The funding formula (version {version}) is not signed by {len(unsigned)} "
            f"of {len(partners)} members: {', '.join(unsigned)}."
        )
    return [
        Gap(
            code="funding-formula-not-agreed",
            severity=Severity.CRITICAL,
            dimension="governance",
            owner=OwnerRole.EXECUTIVE,
            message=message,
            action=action,
            organisations=unsigned,
            refs=tuple(p.ref for p in unsigned_partners),
            title=f"Funding formula version {version} not signed by every member",
        )
    ]


def members_without_submission(partners: Sequence[PartnerFacts], context: Context) -> list[Gap]:
    missing_partners = [p for p in partners if p.status != "submitted"]
    missing = tuple(p.name for p in missing_partners)
    if not missing:
        return []
    if len(partners) == 1:  # an organisation's own report
        message = f"{missing[0]} has not submitted its assessment for this round."
    else:
        message = (
            f"{len(missing)} of {len(partners)} members have not submitted an assessment "
            f"in this round: {', '.join(missing)}."
        )
    return [
        Gap(
            code="member-not-submitted",
            severity=Severity.HIGH,
            dimension=None,
            owner=OwnerRole.ICT_MANAGER,
            message=message,
            action="Each member's ICT manager completes and submits their assessment, so "
            "the partnership sees the whole picture.",
            organisations=missing,
            refs=tuple(p.ref for p in missing_partners),
        )
    ]


def partners_diverge(partners: Sequence[PartnerFacts], context: Context) -> list[Gap]:
    gaps = []
    for code, name in context.framework.dimension_names.items():
        scores = {p.name: p.dimension_scores.get(code) for p in partners if p.status == "submitted"}
        summary = partnership_dimension(scores)
        if summary.spread is None or summary.spread < DIVERGENCE_LEVELS:
            continue
        strongest = max((s, n) for n, s in scores.items() if s is not None)[1]
        ref_of = {p.name: p.ref for p in partners}
        gaps.append(
            Gap(
                code="partners-diverge",
                severity=Severity.WARNING,
                dimension=code,
                owner=context.framework.dimension_owners.get(code, OwnerRole.EXECUTIVE),
                message=f"Partners differ by {summary.spread:.1f} levels on {name}: "
                f"{summary.weakest} is weakest, {strongest} strongest.",
                action=f"The partnership should discuss {name} together: partners "
                "understand it differently or are at very different stages.",
                organisations=(summary.weakest, strongest),
                refs=(ref_of[summary.weakest], ref_of[strongest]),
            )
        )
    return gaps


PartnershipRule = Callable[[Sequence[PartnerFacts], Context], list[Gap]]
PARTNERSHIP_RULES: list[PartnershipRule] = [
    funding_formula_not_agreed,
    members_without_submission,
    partners_diverge,
]


def sort_gaps(gaps: list[Gap], dimension_order: Sequence[str]) -> list[Gap]:
    """Critical first, then by dimension in framework order."""
    position = {code: index for index, code in enumerate(dimension_order)}
    return sorted(
        gaps, key=lambda g: (g.severity.rank, position.get(g.dimension, len(position)), g.code)
    )


def partner_gaps(partner: PartnerFacts, context: Context) -> list[Gap]:
    return [gap for rule in PARTNER_RULES for gap in rule(partner, context)]


def partnership_gaps(partners: Sequence[PartnerFacts], context: Context) -> list[Gap]:
    """Every partner's own gaps (submitted assessments only: drafts may still change)
    and the partnership-wide ones."""
    gaps = [
        gap
        for partner in partners
        if partner.status == "submitted"
        for gap in partner_gaps(partner, context)
    ]
    gaps += [gap for rule in PARTNERSHIP_RULES for gap in rule(partners, context)]
    return sort_gaps(gaps, list(context.framework.dimension_names))


def verdict(gaps: Sequence[Gap], overall: float | None) -> Verdict:
    """Any critical gap: not ready. No critical or high gap and an overall score of
    3.0 ("established") or more: ready. Anything between: ready with conditions."""
    if any(g.severity is Severity.CRITICAL for g in gaps):
        return Verdict.NOT_READY
    if overall is None or overall < GREEN_FROM or any(g.severity is Severity.HIGH for g in gaps):
        return Verdict.CONDITIONAL
    return Verdict.READY
