"""The benchmark's scale dataset, written straight into the benchmark's own database.

450 organisations (every council in England and Wales, from the repository's
data/organisations-ons-2021.csv, topped up with invented police, fire, NHS and voluntary
bodies), 60 partnerships of three rounds each and
about 8,000 submitted assessments of one answer per statement.

Rows are made with bulk_create rather than through the services: the services' checks and
change history are not what the benchmark measures, and would make the build take many
minutes. One seeded random generator drives every choice, so every build is the same data.
Import this module only after django.setup().
"""

import csv
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from assessments.framework.loader import load_framework_file
from assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Framework,
    Question,
    Round,
    RoundStatus,
)
from partnerships.models import (
    FundingFormula,
    FundingSignOff,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    Partnership,
    Role,
    User,
)

SEED = 2026
ORGANISATIONS = 450
PARTNERSHIPS = 60
HEADLINE = "Bench partnership 01"  # exactly 30 partners: the benchmark's headline case
SMALL = "Bench partnership 60"  # exactly 3 partners
# The build is one transaction, so this partnership existing means a complete build.
MARKER = HEADLINE
HEADLINE_SIZE, SMALL_SIZE = 30, 3
# The other 58 partnerships spread evenly over this range: with three rounds each that
# gives about 8,000 submitted assessments.
OTHER_SIZES = (20, 73)
SIGN_OFF_SHARE = 0.85  # most members, not all, have signed the funding formula
BATCH_SIZE = 1000

# The 355 councils of England and Wales (ONS, April 2021) in the organisation import
# format, shipped in the repository (data/README.md says where it comes from).
COUNCILS_CSV = Path(__file__).resolve().parents[1] / "data" / "organisations-ons-2021.csv"
OTHER_BODIES = [
    (OrganisationKind.POLICE, "Bench Police Force"),
    (OrganisationKind.FIRE, "Bench Fire and Rescue Service"),
    (OrganisationKind.NHS, "Bench NHS Trust"),
    (OrganisationKind.VOLUNTARY, "Bench Voluntary Action Network"),
]
EVIDENCE_BY_LEVEL = [
    "Nothing in place yet.",
    "Discussed at officer level; no written plan.",
    "Written plan agreed by the ICT board.",
    "In place and reviewed this year.",
    "In place across all services and audited annually.",
]
FORMULA_TEXT = (
    "Running costs are shared in proportion to each partner's population served; savings "
    "are returned in the same proportions."
)


@dataclass(frozen=True)
class OrganisationSpec:
    name: str
    kind: str
    gss_code: str | None


@dataclass
class Context:
    """What every partnership's build needs, loaded once."""

    rng: random.Random
    framework: Framework
    questions: list[Question]
    organisations: list[Organisation]
    executives: dict[int, User]  # by organisation id
    ict_managers: dict[int, User]
    today: date
    # Each organisation's underlying maturity, so its answers hang together across rounds.
    maturity: dict[int, float] = field(default_factory=dict)


def is_built() -> bool:
    return Partnership.objects.filter(name=MARKER).exists()


# ---------------------------------------------------------------- organisations and people


def council_specs() -> list[OrganisationSpec]:
    """Every council in data/organisations-ons-2021.csv (name, kind, GSS code), by GSS code."""
    with COUNCILS_CSV.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    kinds = set(OrganisationKind.values)
    specs = []
    for row in rows:
        if row["kind"] not in kinds:
            raise ValueError(f"{COUNCILS_CSV}: unknown kind {row['kind']!r} for {row['name']}")
        specs.append(OrganisationSpec(row["name"], row["kind"], row["gss_code"]))
    return sorted(specs, key=lambda spec: spec.gss_code)


def organisation_specs() -> list[OrganisationSpec]:
    specs = council_specs()[:ORGANISATIONS]
    for n in range(1, ORGANISATIONS - len(specs) + 1):
        kind, stem = OTHER_BODIES[n % len(OTHER_BODIES)]
        specs.append(OrganisationSpec(f"{stem} {n:02d}", kind, None))
    return specs


def create_organisations() -> list[Organisation]:
    # bulk_create skips Organisation.save(), so codes must already be NULL when absent.
    return Organisation.objects.bulk_create(
        [Organisation(name=s.name, kind=s.kind, gss_code=s.gss_code) for s in organisation_specs()],
        batch_size=BATCH_SIZE,
    )


def create_users(organisations: list[Organisation]) -> tuple[dict, dict]:
    """One executive and one ICT manager per organisation, who cannot sign in with a
    password (the benchmark signs them in with force_login)."""
    users = []
    for n, organisation in enumerate(organisations, start=1):
        for role, slug, title in [
            (Role.EXECUTIVE, "exec", "Chief Executive"),
            (Role.ICT_MANAGER, "ict", "ICT Manager"),
        ]:
            users.append(
                User(
                    username=f"bench-{slug}-{n:03d}",
                    first_name=title.split()[0],
                    last_name=organisation.name[:150],
                    organisation=organisation,
                    role=role,
                    job_title=title,
                    password=make_password(None),
                )
            )
    users = User.objects.bulk_create(users, batch_size=BATCH_SIZE)
    executives = {u.organisation_id: u for u in users if u.role == Role.EXECUTIVE}
    ict_managers = {u.organisation_id: u for u in users if u.role == Role.ICT_MANAGER}
    return executives, ict_managers


# ---------------------------------------------------------------- partnerships


def partnership_sizes() -> list[int]:
    """Members per partnership, in partnership-number order."""
    low, high = OTHER_SIZES
    count = PARTNERSHIPS - 2
    others = [round(low + (high - low) * i / (count - 1)) for i in range(count)]
    # Shuffled so that size does not follow the partnership number.
    random.Random(SEED).shuffle(others)
    return [HEADLINE_SIZE, *others, SMALL_SIZE]


def create_rounds(partnership: Partnership, ctx: Context) -> list[Round]:
    """Two closed rounds a year apart and the open one, oldest first. Members joined four
    years ago, before any of them, so members_of_round() counts every member."""
    starts = [ctx.today - timedelta(days=730), ctx.today - timedelta(days=365)]
    rounds = [
        Round(
            partnership=partnership,
            name=f"{opens_on:%B %Y} readiness review",
            framework=ctx.framework,
            status=RoundStatus.CLOSED,
            opens_on=opens_on,
            closes_on=opens_on + timedelta(days=60),
        )
        for opens_on in starts
    ]
    opens_on = ctx.today - timedelta(days=21)
    rounds.append(
        Round(
            partnership=partnership,
            name=f"{opens_on:%B %Y} readiness review",
            framework=ctx.framework,
            status=RoundStatus.OPEN,
            opens_on=opens_on,
        )
    )
    return Round.objects.bulk_create(rounds)


def level_for(ctx: Context, organisation_id: int, round_index: int) -> int:
    """Around the organisation's maturity, a little better each round."""
    raw = ctx.maturity[organisation_id] + 0.3 * round_index + ctx.rng.gauss(0, 0.9)
    return min(4, max(0, round(raw)))


def submitted_at(ctx: Context, round_: Round) -> datetime:
    last_day = (round_.closes_on or ctx.today) - round_.opens_on
    day = round_.opens_on + timedelta(days=ctx.rng.randint(1, last_day.days - 1))
    return datetime(day.year, day.month, day.day, 10, ctx.rng.randint(0, 59), tzinfo=UTC)


def create_assessments(
    ctx: Context, rounds: list[Round], members: list[Organisation]
) -> list[Answer]:
    """Every member submits in the closed rounds; in the open round a few (never the lead)
    are still drafting or have not started. Returns the answers to write."""
    waiting = ctx.rng.sample(members[1:], len(members) // 12)
    drafting = {o.pk for o in waiting[: (len(waiting) + 1) // 2]}
    not_started = {o.pk for o in waiting} - drafting
    assessments, plans = [], []
    for round_index, round_ in enumerate(rounds):
        for organisation in members:
            if round_.is_open and organisation.pk in not_started:
                continue
            draft = round_.is_open and organisation.pk in drafting
            ict = ctx.ict_managers[organisation.pk]
            when = submitted_at(ctx, round_)
            assessments.append(
                Assessment(
                    round=round_,
                    organisation=organisation,
                    status=AssessmentStatus.DRAFT if draft else AssessmentStatus.SUBMITTED,
                    created_at=when - timedelta(days=3),
                    created_by=ict,
                    submitted_at=None if draft else when,
                    submitted_by=None if draft else ict,
                )
            )
            plans.append((organisation.pk, round_index, draft, ict, when))
    # SQLite 3.35+ and PostgreSQL return the new primary keys, which the answers need.
    assessments = Assessment.objects.bulk_create(assessments, batch_size=BATCH_SIZE)
    answers = []
    for assessment, (organisation_id, round_index, draft, ict, when) in zip(
        assessments, plans, strict=True
    ):
        # A draft has its answer rows (as start_assessment makes them) but only the first
        # twenty statements answered so far.
        answered = 20 if draft else len(ctx.questions)
        for position, question in enumerate(ctx.questions):
            level = level_for(ctx, organisation_id, round_index) if position < answered else None
            answers.append(
                Answer(
                    assessment=assessment,
                    question=question,
                    level=level,
                    evidence=EVIDENCE_BY_LEVEL[level] if level is not None else "",
                    updated_at=when,
                    updated_by=ict,
                )
            )
    return answers


def create_funding(ctx: Context, partnership: Partnership, members: list[Organisation]) -> None:
    lead = ctx.executives[members[0].pk]
    formula = FundingFormula.objects.create(
        partnership=partnership, version=1, text=FORMULA_TEXT, created_by=lead
    )
    signed_at = timezone.now() - timedelta(days=30)
    FundingSignOff.objects.bulk_create(
        [
            FundingSignOff(
                formula=formula,
                organisation=organisation,
                signed_by=ctx.executives[organisation.pk],
                signer_name=ctx.executives[organisation.pk].get_full_name(),
                signer_role=ctx.executives[organisation.pk].job_title,
                signed_at=signed_at,
            )
            for organisation in members
            if organisation is members[0] or ctx.rng.random() < SIGN_OFF_SHARE
        ],
        batch_size=BATCH_SIZE,
    )


def create_partnership(ctx: Context, number: int, size: int) -> None:
    partnership = Partnership.objects.create(
        name=f"Bench partnership {number:02d}",
        description=f"Scale data for the benchmark: {size} partners.",
    )
    members = ctx.rng.sample(ctx.organisations, size)
    joined_on = ctx.today - timedelta(days=4 * 365)
    Membership.objects.bulk_create(
        [
            Membership(
                partnership=partnership,
                organisation=organisation,
                role=MembershipRole.LEAD if index == 0 else MembershipRole.MEMBER,
                joined_on=joined_on,
            )
            for index, organisation in enumerate(members)
        ]
    )
    rounds = create_rounds(partnership, ctx)
    Answer.objects.bulk_create(create_assessments(ctx, rounds, members), batch_size=BATCH_SIZE)
    create_funding(ctx, partnership, members)


# ---------------------------------------------------------------- the whole build


def build() -> float:
    """Builds everything in one transaction (faster on SQLite, and a failed build leaves
    no marker behind). Returns the seconds it took."""
    start = time.perf_counter()
    with transaction.atomic():
        framework = load_framework_file().framework
        questions = list(Question.objects.filter(dimension__framework=framework))
        organisations = create_organisations()
        executives, ict_managers = create_users(organisations)
        rng = random.Random(SEED)
        ctx = Context(
            rng=rng,
            framework=framework,
            questions=questions,
            organisations=organisations,
            executives=executives,
            ict_managers=ict_managers,
            today=timezone.localdate(),
            maturity={o.pk: rng.uniform(0.8, 3.2) for o in organisations},
        )
        for number, size in enumerate(partnership_sizes(), start=1):
            create_partnership(ctx, number, size)
    return time.perf_counter() - start


def row_counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "partnerships": Partnership.objects.count(),
        "memberships": Membership.objects.count(),
        "rounds": Round.objects.count(),
        "submitted assessments": Assessment.objects.filter(
            status=AssessmentStatus.SUBMITTED
        ).count(),
        "draft assessments": Assessment.objects.filter(status=AssessmentStatus.DRAFT).count(),
        "answers": Answer.objects.count(),
        "funding sign-offs": FundingSignOff.objects.count(),
    }


# ---------------------------------------------------------------- what the benchmark reads


def open_round(partnership_name: str) -> Round:
    return Round.objects.get(partnership__name=partnership_name, status=RoundStatus.OPEN)


def executive_of(organisation_id: int) -> User:
    return User.objects.get(organisation_id=organisation_id, role=Role.EXECUTIVE)


def lead_executive(round_: Round) -> User:
    """The lead partner's executive: a current member, so allowed to read the reports."""
    lead = Membership.objects.get(partnership_id=round_.partnership_id, role=MembershipRole.LEAD)
    return executive_of(lead.organisation_id)


def a_submitted_assessment(round_: Round) -> Assessment:
    return (
        Assessment.objects.filter(round=round_, status=AssessmentStatus.SUBMITTED)
        .order_by("organisation__name")
        .first()
    )
