"""Demo data: one partnership whose reports show the gaps that sink partnerships.

Idempotent: every row is found by its natural key before it is created, so running
the seed twice leaves the same data. The password is for demonstrations only.

The people are invented: their names belong to no one at these (partly invented)
organisations. Dates hang together: the 2025 round opened a year ago and closed six
weeks later; the 2026 round opened a month ago and closes in 5 days; the funding
formula was recorded before anyone signed it.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from assessments.actions.services import create_action, update_action
from assessments.choices import OwnerRole
from assessments.framework.loader import load_framework_file
from assessments.models import (
    Action,
    ActionStatus,
    Answer,
    Assessment,
    AssessmentStatus,
    Framework,
    Question,
    Round,
    RoundStatus,
)
from assessments.reporting.cache import cached_partnership_report
from assessments.reporting.snapshots import freeze_round
from partnerships.models import (
    Coordinator,
    FundingFormula,
    FundingShare,
    FundingSignOff,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    Partnership,
    Role,
    User,
)

DEMO_PASSWORD = "demo-only-readiness-2026"  # noqa: S105 - demo accounts only, documented
PARTNERSHIP_NAME = "Oxfordshire Shared Services Partnership"
CURRENT_ROUND = "2026 readiness review"
PREVIOUS_ROUND = "2025 readiness review"
CURRENT_ROUND_OPENED_DAYS_AGO = 30
CURRENT_ROUND_CLOSES_IN_DAYS = 5
PREVIOUS_ROUND_OPENED_DAYS_AGO = 365
PREVIOUS_ROUND_LASTED_DAYS = 42
FORMULA_RECORDED_DAYS_AGO = 30


@dataclass(frozen=True)
class DemoPerson:
    first_name: str
    last_name: str
    job_title: str


ADMINISTRATOR = DemoPerson("Morgan", "Ellery", "Partnership Systems Administrator")
COORDINATOR = DemoPerson("Farah", "Lindqvist", "Shared Services Programme Manager")


@dataclass(frozen=True)
class DemoPartner:
    slug: str  # username prefix
    name: str
    kind: str
    gss_code: str | None
    lead: bool
    # Level for every statement, then per-statement exceptions, for this round.
    base_level: int
    exceptions: dict[str, int | None]
    status: str | None  # None: no assessment started
    previous_base_level: int | None  # last year's submitted level; None: did not take part
    ict_manager: DemoPerson
    executive: DemoPerson
    # Days ago the executive signed the funding formula (it was recorded
    # FORMULA_RECORDED_DAYS_AGO, earlier); None: not signed.
    signed_days_ago: int | None = None

    @property
    def signs_formula(self) -> bool:
        return self.signed_days_ago is not None

    @property
    def executive_title(self) -> str:
        return self.executive.job_title


PARTNERS = [
    DemoPartner(
        slug="oxfordshire",
        name="Oxfordshire County Council",
        kind=OrganisationKind.COUNTY,
        gss_code="E10000025",
        lead=True,
        base_level=4,
        exceptions={"transactions.event-notification": 3, "sustainability.skills-and-staffing": 3},
        status=AssessmentStatus.SUBMITTED,
        previous_base_level=3,
        ict_manager=DemoPerson("Priya", "Halden", "Head of ICT"),
        executive=DemoPerson("Gareth", "Penrose", "Chief Executive"),
        signed_days_ago=20,
    ),
    DemoPartner(
        slug="cherwell",
        name="Cherwell District Council",
        kind=OrganisationKind.DISTRICT,
        gss_code="E07000177",
        lead=False,
        base_level=3,
        # No citizen identity management: the classic omission.
        exceptions={
            "identity-management.citizen-identity": 0,
            "identity-management.identity-federation": 1,
            "federation.identity-provider-trust": 1,
        },
        status=AssessmentStatus.SUBMITTED,
        previous_base_level=2,
        ict_manager=DemoPerson("Ruth", "Ashdown", "ICT Manager"),
        executive=DemoPerson("Tomasz", "Wrenfield", "Director of Finance"),
        signed_days_ago=12,
    ),
    DemoPartner(
        slug="police",
        name="Vale and Downs Police",
        kind=OrganisationKind.POLICE,
        gss_code=None,
        lead=False,
        base_level=3,
        exceptions={"legal.procurement-route": 1, "sustainability.long-term-funding": 1},
        status=AssessmentStatus.SUBMITTED,
        previous_base_level=2,
        ict_manager=DemoPerson("Siân", "Calloway", "Head of Digital and ICT"),
        executive=DemoPerson("Marcus", "Adebayo-Lund", "Chief Finance Officer"),
    ),
    DemoPartner(
        slug="nhs",
        name="Isis Valley Community Health NHS Trust",
        kind=OrganisationKind.NHS,
        gss_code=None,
        lead=False,
        base_level=2,
        # A draft still being filled in: later statements not answered yet.
        exceptions={},
        status=AssessmentStatus.DRAFT,
        previous_base_level=None,
        ict_manager=DemoPerson("Helena", "Brightwater", "Digital Services Manager"),
        executive=DemoPerson("Amir", "Castellane", "Chief Executive"),
    ),
    DemoPartner(
        slug="voluntary",
        name="Oxfordshire Voluntary Action Network",
        kind=OrganisationKind.VOLUNTARY,
        gss_code=None,
        lead=False,
        base_level=2,
        exceptions={},
        status=None,
        previous_base_level=None,
        ict_manager=DemoPerson("Jo", "Fairweather", "Operations and ICT Lead"),
        executive=DemoPerson("Bernadette", "Quillan", "Chief Executive"),
    ),
]

FUNDING_FORMULA_TEXT = (
    "Running costs are shared in proportion to each partner's share of the combined "
    "population served, reviewed every April. Savings are returned in the same "
    "proportions after the shared service's own reserve is met."
)


@transaction.atomic
def seed_demo() -> Partnership:
    framework = load_framework_file().framework
    now = timezone.now()
    today = timezone.localdate()

    User.objects.get_or_create(
        username="admin",
        defaults={
            "first_name": ADMINISTRATOR.first_name,
            "last_name": ADMINISTRATOR.last_name,
            "job_title": ADMINISTRATOR.job_title,
            "email": "admin@example.invalid",
            "is_staff": True,
            "is_superuser": True,
            "password": _demo_password_hash(),
        },
    )
    partnership, _ = Partnership.objects.get_or_create(
        name=PARTNERSHIP_NAME,
        defaults={
            "description": (
                "A county, a district, police, health and voluntary-sector partners planning "
                "shared customer services, revenues and benefits, and ICT."
            )
        },
    )
    current_opens = today - timedelta(days=CURRENT_ROUND_OPENED_DAYS_AGO)
    current = _round(
        partnership,
        framework,
        CURRENT_ROUND,
        RoundStatus.OPEN,
        current_opens,
        closes_on=today + timedelta(days=CURRENT_ROUND_CLOSES_IN_DAYS),
    )
    previous_opens = today - timedelta(days=PREVIOUS_ROUND_OPENED_DAYS_AGO)
    previous = _round(
        partnership,
        framework,
        PREVIOUS_ROUND,
        RoundStatus.CLOSED,
        previous_opens,
        closes_on=previous_opens + timedelta(days=PREVIOUS_ROUND_LASTED_DAYS),
    )
    formula, _ = FundingFormula.objects.get_or_create(
        partnership=partnership,
        version=1,
        defaults={
            "text": FUNDING_FORMULA_TEXT,
            "created_at": now - timedelta(days=FORMULA_RECORDED_DAYS_AGO),
        },
    )

    for partner in PARTNERS:
        organisation, ict_manager, executive = _join(partnership, partner)
        if partner.signs_formula:
            _sign(formula, organisation, executive, partner)
        if partner.previous_base_level is not None:
            _assessment(
                previous,
                organisation,
                ict_manager,
                levels=_levels(framework, partner.previous_base_level, {}),
                status=AssessmentStatus.SUBMITTED,
                submitted_at=now - timedelta(days=350),
            )
        if partner.status is not None:
            levels = _levels(framework, partner.base_level, partner.exceptions)
            if partner.status == AssessmentStatus.DRAFT:
                # Only the first four dimensions answered so far.
                answered = _first_dimensions(framework, 4)
                levels = {
                    code: level if code.split(".")[0] in answered else None
                    for code, level in levels.items()
                }
            _assessment(
                current,
                organisation,
                ict_manager,
                levels=levels,
                status=partner.status,
                submitted_at=now - timedelta(days=7)
                if partner.status == AssessmentStatus.SUBMITTED
                else None,
            )
    # The closed round's reports, frozen as at its closing date, as closing does.
    freeze_round(previous)
    _coordinator(partnership)
    if not Action.objects.filter(partnership=partnership).exists():
        _actions(partnership, previous, current)
    return partnership


# ---------------------------------------------------------------- the neighbours

NEIGHBOURS_NAME = "South and Vale Digital Partnership"
NEIGHBOURS = [
    DemoPartner(
        slug="south-oxfordshire",
        name="South Oxfordshire District Council",
        kind=OrganisationKind.DISTRICT,
        gss_code="E07000179",
        lead=True,
        base_level=3,
        exceptions={"identity-management.citizen-identity": 4},
        status=AssessmentStatus.SUBMITTED,
        previous_base_level=None,
        ict_manager=DemoPerson("Imogen", "Carraway", "Head of ICT"),
        executive=DemoPerson("Dominic", "Ashgrove", "Chief Executive"),
        signed_days_ago=15,
    ),
    DemoPartner(
        slug="vale",
        name="Vale of White Horse District Council",
        kind=OrganisationKind.DISTRICT,
        gss_code="E07000180",
        lead=False,
        base_level=3,
        # Funding, benefits and skills beyond next year not yet secured: a gap, but
        # not one that sinks a partnership.
        exceptions={
            "sustainability.long-term-funding": 1,
            "sustainability.benefits-realisation": 1,
            "sustainability.skills-and-staffing": 1,
        },
        status=AssessmentStatus.SUBMITTED,
        previous_base_level=None,
        ict_manager=DemoPerson("Callum", "Brightling", "ICT and Digital Manager"),
        executive=DemoPerson("Yasmin", "Okonkwo-Hale", "Director of Finance"),
        signed_days_ago=10,
    ),
]


# Each council's share of the running costs, by population.
NEIGHBOUR_SHARES = {"south-oxfordshire": 55, "vale": 45}


@transaction.atomic
def seed_neighbours() -> Partnership:
    """A second, smaller partnership of two district councils, both submitted and
    signed: "Ready with conditions". Its lead executive can project adding Cherwell
    (which keeps its scores to itself) and see the verdict fall; Oxfordshire's lead
    executive can project adding the Vale, which shares its scores in projections.
    With so few organisations the peer benchmark says there are not enough peers yet."""
    from assessments.insights.models import ProjectionConsent

    framework = load_framework_file().framework
    now, today = timezone.now(), timezone.localdate()
    partnership, _ = Partnership.objects.get_or_create(
        name=NEIGHBOURS_NAME,
        defaults={"description": "Two district councils sharing digital services and ICT."},
    )
    current = _round(
        partnership,
        framework,
        CURRENT_ROUND,
        RoundStatus.OPEN,
        today - timedelta(days=CURRENT_ROUND_OPENED_DAYS_AGO),
        closes_on=today + timedelta(days=CURRENT_ROUND_CLOSES_IN_DAYS),
    )
    formula, _ = FundingFormula.objects.get_or_create(
        partnership=partnership,
        version=1,
        defaults={
            "text": FUNDING_FORMULA_TEXT,
            "created_at": now - timedelta(days=FORMULA_RECORDED_DAYS_AGO),
        },
    )
    for partner in NEIGHBOURS:
        organisation, ict_manager, executive = _join(partnership, partner)
        FundingShare.objects.get_or_create(
            formula=formula,
            organisation=organisation,
            defaults={"percentage": NEIGHBOUR_SHARES[partner.slug]},
        )
        _sign(formula, organisation, executive, partner)
        _assessment(
            current,
            organisation,
            ict_manager,
            levels=_levels(framework, partner.base_level, partner.exceptions),
            status=AssessmentStatus.SUBMITTED,
            submitted_at=now - timedelta(days=5),
        )
        if partner.slug == "vale":
            ProjectionConsent.objects.get_or_create(
                organisation=organisation, defaults={"allowed_by": executive}
            )
    return partnership


def _coordinator(partnership) -> None:
    """The lead council's programme manager, who runs the partnership from its
    coordination pages: no role of their own (they fill in nothing, sign nothing)."""
    lead = partnership.memberships.get(role=MembershipRole.LEAD).organisation
    user, _ = User.objects.get_or_create(
        username="coordinator",
        defaults={
            "first_name": COORDINATOR.first_name,
            "last_name": COORDINATOR.last_name,
            "email": "coordinator@example.invalid",
            "organisation": lead,
            "role": "",
            "job_title": COORDINATOR.job_title,
            "password": _demo_password_hash(),
        },
    )
    Coordinator.objects.get_or_create(partnership=partnership, user=user)


def _actions(partnership, previous: Round, current: Round) -> None:
    """A small action plan, made through the same services people use: last round's
    funding gaps (one closed since, one still open) and one gap new this round."""
    lead_executive = User.objects.get(username="oxfordshire-exec")
    cherwell_executive = User.objects.get(username="cherwell-exec")
    cherwell_ict = User.objects.get(username="cherwell-ict")
    today = timezone.localdate()

    def gap(round_, code, organisation=None):
        report, _ = cached_partnership_report(round_)
        return next(
            g
            for g in report["gaps"]
            if g["code"] == code
            and (organisation is None or organisation.name in g["organisations"])
        )

    create_action(
        user=lead_executive,
        round_=previous,
        gap=gap(previous, "funding-formula-not-agreed"),
        partnership_wide=True,
        description="Agree the cost-sharing formula at the partnership board and collect "
        "every member's signature.",
        owner_role=OwnerRole.EXECUTIVE,
        owner_name="",
        due_on=today + timedelta(days=21),
    )
    funding = create_action(
        user=cherwell_executive,
        round_=previous,
        gap=gap(previous, "funding-formula-below-gate", cherwell_executive.organisation),
        partnership_wide=False,
        description="Take the partnership's funding formula to Cabinet for approval.",
        owner_role=OwnerRole.EXECUTIVE,
        owner_name=cherwell_executive.get_full_name(),
        due_on=today + timedelta(days=7),
    )
    update_action(
        user=cherwell_executive, action=funding, version=funding.version, status=ActionStatus.DONE
    )
    create_action(
        user=cherwell_ict,
        round_=current,
        gap=gap(current, "citizen-identity-below-gate", cherwell_ict.organisation),
        partnership_wide=False,
        description="Join the county's resident account, so residents sign in once for "
        "both councils' services.",
        owner_role=OwnerRole.ICT_MANAGER,
        owner_name=cherwell_ict.get_full_name(),
        due_on=today + timedelta(days=90),
    )


def _join(partnership, partner: DemoPartner) -> tuple[Organisation, User, User]:
    """The partner's organisation, a member for over a year, and its two people."""
    organisation = _organisation(partner)
    Membership.objects.get_or_create(
        partnership=partnership,
        organisation=organisation,
        defaults={
            "role": MembershipRole.LEAD if partner.lead else MembershipRole.MEMBER,
            "joined_on": timezone.localdate() - timedelta(days=400),
        },
    )
    ict_manager = _user(partner, organisation, Role.ICT_MANAGER, partner.ict_manager)
    executive = _user(partner, organisation, Role.EXECUTIVE, partner.executive)
    return organisation, ict_manager, executive


def _sign(formula, organisation, executive, partner: DemoPartner) -> None:
    FundingSignOff.objects.get_or_create(
        formula=formula,
        organisation=organisation,
        defaults={
            "signed_by": executive,
            "signer_name": executive.get_full_name(),
            "signer_role": partner.executive_title,
            "signed_at": timezone.now() - timedelta(days=partner.signed_days_ago),
        },
    )


def _demo_password_hash() -> str:
    from django.contrib.auth.hashers import make_password

    return make_password(DEMO_PASSWORD)


def _round(partnership, framework, name, status, opens_on, *, closes_on) -> Round:
    round_, _ = Round.objects.get_or_create(
        partnership=partnership,
        name=name,
        defaults={
            "framework": framework,
            "status": status,
            "opens_on": opens_on,
            "closes_on": closes_on,
        },
    )
    return round_


def _organisation(partner: DemoPartner) -> Organisation:
    lookup = {"gss_code": partner.gss_code} if partner.gss_code else {"name": partner.name}
    organisation, _ = Organisation.objects.get_or_create(
        **lookup,
        defaults={"name": partner.name, "kind": partner.kind, "region": "South East"},
    )
    return organisation


def _user(partner: DemoPartner, organisation, role, person: DemoPerson) -> User:
    suffix = "ict" if role == Role.ICT_MANAGER else "exec"
    user, _ = User.objects.get_or_create(
        username=f"{partner.slug}-{suffix}",
        defaults={
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": f"{partner.slug}-{suffix}@example.invalid",
            "organisation": organisation,
            "role": role,
            "job_title": person.job_title,
            "password": _demo_password_hash(),
        },
    )
    return user


def _first_dimensions(framework: Framework, count: int) -> set[str]:
    return set(framework.dimensions.order_by("position").values_list("code", flat=True)[:count])


def _levels(framework: Framework, base: int, exceptions: dict[str, int | None]) -> dict:
    codes = list(
        Question.objects.filter(dimension__framework=framework).values_list("code", flat=True)
    )
    unknown = set(exceptions) - set(codes)
    if unknown:
        # The framework file was edited: keep the demo story true rather than quietly lose it.
        raise ValueError(f"Demo data names statements the framework lacks: {sorted(unknown)}")
    return {code: exceptions.get(code, base) for code in codes}


def _assessment(round_, organisation, author, *, levels, status, submitted_at) -> Assessment:
    assessment, created = Assessment.objects.get_or_create(
        round=round_,
        organisation=organisation,
        defaults={
            "status": status,
            # Started a while before it was submitted (or, for a draft, before today).
            "created_at": (submitted_at or timezone.now()) - timedelta(days=10),
            "created_by": author,
            "submitted_at": submitted_at,
            "submitted_by": author if submitted_at else None,
        },
    )
    if not created:
        return assessment
    by_code = {q.code: q for q in Question.objects.filter(dimension__framework=round_.framework)}
    Answer.objects.bulk_create(
        Answer(
            assessment=assessment,
            question=by_code[code],
            level=level,
            evidence=f"Demo evidence for {organisation.name}." if level else "",
            updated_by=author,
        )
        for code, level in levels.items()
    )
    return assessment
