"""The benchmark's scale dataset, written straight into the benchmark's own database.

450 organisations (every council in England and Wales, from the repository's
data/organisations-ons-2021.csv, topped up with invented police, fire, NHS and voluntary
bodies), 60 partnerships of three rounds each and
about 8,000 submitted assessments of one answer per statement. Every closed round is
frozen (its snapshot taken as at its closing date, as closing a round does in
production), and every partnership has about ten actions on its action plan.

Organisations, people, rounds, assessments and answers are made with bulk_create rather
than through the services: the services' checks and change history are not what the
benchmark measures, and would make the build take many minutes. The snapshots and the
actions go through the code production uses (freeze_round, create_action and
update_action), so they hold what production would hold. Seeded random generators drive
every choice, so every build is the same data.
Import this module only after django.setup().
"""

import csv
import hashlib
import random
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import zip_longest
from pathlib import Path

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils import timezone

from assessments.actions.models import Action, ActionChange, ActionStatus
from assessments.actions.services import create_action, update_action
from assessments.choices import OwnerRole
from assessments.framework.loader import load_framework_file
from assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Framework,
    OrganisationSnapshot,
    Question,
    Round,
    RoundSnapshot,
    RoundStatus,
)
from assessments.reporting.cache import cached_partnership_report
from assessments.reporting.snapshots import freeze_round
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
# The actions have a generator of their own, so adding them left the rest of the data
# as it was.
ACTIONS_SEED = SEED + 1
ORGANISATIONS = 450
PARTNERSHIPS = 60
HEADLINE = "Bench partnership 01"  # exactly 30 partners: the benchmark's headline case
SMALL = "Bench partnership 60"  # exactly 3 partners
# The build is one transaction, so this partnership existing means a complete build; its
# description names the version of the build that made it and the schema it was made
# for (build_stamp()). Bump BUILD_VERSION whenever the build makes different data; a
# changed migration changes the schema part by itself. Either way run.py builds again
# instead of reusing an older build. 2: snapshots of the closed rounds and actions.
MARKER = HEADLINE
BUILD_VERSION = 2
REPO = Path(__file__).resolve().parents[1]
HEADLINE_SIZE, SMALL_SIZE = 30, 3
# The other 58 partnerships spread evenly over this range: with three rounds each that
# gives about 8,000 submitted assessments.
OTHER_SIZES = (20, 73)
SIGN_OFF_SHARE = 0.85  # most members, not all, have signed the funding formula
BATCH_SIZE = 1000

# The 355 councils of England and Wales (ONS, April 2021) in the organisation import
# format, shipped in the repository (data/README.md says where it comes from).
COUNCILS_CSV = REPO / "data" / "organisations-ons-2021.csv"
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


def schema_fingerprint() -> str:
    """A hash of the project's own migration files: a new migration, or one edited in
    place before it is released (which `migrate` would not apply again), changes it."""
    digest = hashlib.sha256()
    for app in apps.get_app_configs():
        folder = Path(app.path) / "migrations"
        if REPO not in folder.parents:
            continue  # Django's and third-party apps change only with their versions
        for file in sorted(folder.glob("*.py")):
            digest.update(file.relative_to(REPO).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def build_stamp() -> str:
    return f"[bench build {BUILD_VERSION}, schema {schema_fingerprint()}]"


def build_state() -> str:
    """Whether the data is "absent" (nothing built), "current" (built by this version of
    the build, for this schema) or "stale" (built by an older version, or for another
    schema: before migrations that added tables the build now fills, say)."""
    try:
        description = (
            Partnership.objects.filter(name=MARKER).values_list("description", flat=True).first()
        )
    except DatabaseError:
        return "stale"  # tables that no longer match the models
    if description is None:
        return "absent"
    return "current" if description.endswith(build_stamp()) else "stale"


def is_built() -> bool:
    return build_state() == "current"


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


def create_partnership(ctx: Context, number: int, size: int) -> tuple[list[Round], list]:
    """The partnership, its members, rounds, assessments and funding formula. Returns
    its rounds (oldest first) and its members (the lead first)."""
    name = f"Bench partnership {number:02d}"
    stamp = f" {build_stamp()}" if name == MARKER else ""
    partnership = Partnership.objects.create(
        name=name, description=f"Scale data for the benchmark: {size} partners.{stamp}"
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
    return rounds, members


def freeze_closed_rounds(rounds: list[Round]) -> None:
    """Each closed round frozen once, oldest first, as closing it did in production (as
    at its closing date). Unfrozen, the first read of a closed round would freeze it,
    which production never does after this release."""
    for round_ in rounds:
        if round_.status == RoundStatus.CLOSED:
            freeze_round(round_)


# ---------------------------------------------------------------- action plans

ACTION_DESCRIPTIONS = {
    OwnerRole.EXECUTIVE: [
        "Take the funding formula to the next leadership team meeting for sign-off.",
        "Agree the partnership's governance terms of reference at cabinet.",
        "Name a senior responsible owner and report progress to the board each quarter.",
    ],
    OwnerRole.ICT_MANAGER: [
        "Complete the technical design and have it reviewed by the partnership's architects.",
        "Move the remaining services onto the shared identity platform.",
        "Run a recovery test of the shared systems and publish the results.",
    ],
    OwnerRole.LEGAL: [
        "Draft the data sharing agreement and take it through legal review.",
        "Review the contracts for the shared services before they are renewed.",
    ],
    OwnerRole.INFORMATION_GOVERNANCE: [
        "Update the information asset register and the data protection impact assessment.",
        "Train the service leads in the partnership's information governance policy.",
    ],
}
ACTIONS_PER_ROUND = 5  # from each of the last two rounds: about ten per partnership
OWNER_NAMES = ["Sam Patel", "Alex Morgan", "Jo Williams", "Chris Evans", "Priya Shah", ""]
DROPPED_REASON = "Superseded by the partnership-wide programme agreed at the board."


def is_partnership_gap(gap: dict) -> bool:
    return gap["key"].rsplit("|", 1)[-1] == "partnership"


def organisation_of(gap: dict) -> int:
    """The organisation id of a partner's own gap (its key ends with its ref)."""
    return int(gap["key"].rsplit("|", 1)[-1].split(":", 1)[1])


def planner_for(ctx: Context, organisation_id: int, owner_role: str) -> User:
    """Who agrees an organisation's own action: its ICT manager for ICT gaps, its
    executive for the rest."""
    if owner_role == OwnerRole.ICT_MANAGER:
        return ctx.ict_managers[organisation_id]
    return ctx.executives[organisation_id]


def choose_gaps(rng: random.Random, gaps: list[dict], later_keys: set[str] | None) -> list:
    """(gap, partnership_wide) for one round's actions: one partnership-wide action on a
    partnership gap (if the round has one), and the partners' own gaps, from different
    partners, to make ACTIONS_PER_ROUND. For the previous round (`later_keys`, the open
    round's gap keys), half of the partners' gaps are ones the open round still raises
    and half ones it no longer raises, so the plan shows gaps closed, still open and not
    reassessed yet."""
    chosen = []
    shared = [g for g in gaps if is_partnership_gap(g)]
    if shared:
        chosen.append((rng.choice(shared), True))
    own = [g for g in gaps if not is_partnership_gap(g)]
    rng.shuffle(own)
    if later_keys is not None:
        still = [g for g in own if g["key"] in later_keys]
        gone = [g for g in own if g["key"] not in later_keys]
        own = [g for pair in zip_longest(still, gone) for g in pair if g is not None]
    # Different partners where there are enough of them (a small partnership repeats).
    seen_organisations = set()
    for gap in own:
        if len(chosen) == ACTIONS_PER_ROUND:
            return chosen
        if organisation_of(gap) not in seen_organisations:
            seen_organisations.add(organisation_of(gap))
            chosen.append((gap, False))
    for gap in own:
        if len(chosen) == ACTIONS_PER_ROUND:
            break
        if all(gap is not taken for taken, _ in chosen):
            chosen.append((gap, False))
    return chosen


def create_action_plan(
    ctx: Context, rng: random.Random, rounds: list[Round], members: list
) -> list[Action]:
    """About ten actions, agreed through create_action by the people who may: five from
    the previous (closed) round's report and five from the open round's. Then, through
    update_action, some are in progress, some done and one dropped with a reason."""
    previous, current = rounds[-2], rounds[-1]
    lead_executive = ctx.executives[members[0].pk]
    current_gaps = cached_partnership_report(current)[0]["gaps"]
    previous_gaps = cached_partnership_report(previous)[0]["gaps"]
    plans = [
        (previous, gap, wide)
        for gap, wide in choose_gaps(rng, previous_gaps, {g["key"] for g in current_gaps})
    ] + [(current, gap, wide) for gap, wide in choose_gaps(rng, current_gaps, None)]
    today = ctx.today
    actions = []
    for round_, gap, wide in plans:
        owner_role = gap["owner"]
        user = lead_executive if wide else planner_for(ctx, organisation_of(gap), owner_role)
        action = create_action(
            user=user,
            round_=round_,
            gap=gap,
            partnership_wide=wide,
            description=rng.choice(ACTION_DESCRIPTIONS[OwnerRole(owner_role)]),
            owner_role=owner_role,
            owner_name=rng.choice(OWNER_NAMES),
            due_on=today + timedelta(days=rng.randint(14, 365)),
        )
        actions.append((action, user, round_ is previous))
    # The previous round's actions have had a year: most done or under way, one dropped.
    # The open round's are newer: a couple under way.
    earlier = [a for a in actions if a[2]]
    later = [a for a in actions if not a[2]]
    changes = [ActionStatus.DONE, ActionStatus.DONE, ActionStatus.IN_PROGRESS]
    changes += [ActionStatus.DROPPED]
    for (action, user, _), status in zip(earlier, changes, strict=False):
        if status == ActionStatus.DONE:
            # Under way first, then done: two changes in its history.
            action = update_action(
                user=user, action=action, version=action.version, status=ActionStatus.IN_PROGRESS
            )
        update_action(
            user=user,
            action=action,
            version=action.version,
            status=status,
            dropped_reason=DROPPED_REASON if status == ActionStatus.DROPPED else "",
        )
    for action, user, _ in later[:2]:
        update_action(
            user=user, action=action, version=action.version, status=ActionStatus.IN_PROGRESS
        )
    return [action for action, _, _ in actions]


# ---------------------------------------------------------------- the whole build


@dataclass
class Phases:
    """Seconds spent on each part of the build, for run.py to report."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def timing(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


phases = Phases()


def build() -> float:
    """Builds everything in one transaction (faster on SQLite, and a failed build leaves
    no marker behind). Returns the seconds it took; `phases` says where they went. Each
    partnership's data is written, then its closed rounds frozen, oldest first, then its
    actions agreed."""
    start = time.perf_counter()
    phases.seconds.clear()
    with transaction.atomic():
        with phases.timing("data"):
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
        actions_rng = random.Random(ACTIONS_SEED)
        for number, size in enumerate(partnership_sizes(), start=1):
            with phases.timing("data"):
                rounds, members = create_partnership(ctx, number, size)
            with phases.timing("snapshots"):
                freeze_closed_rounds(rounds)
            with phases.timing("actions"):
                create_action_plan(ctx, actions_rng, rounds, members)
    # The reports cached while agreeing the actions are out of date (the actions are in
    # their fingerprint): the benchmark starts from an empty cache.
    cache.clear()
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
        "round snapshots": RoundSnapshot.objects.count(),
        "organisation snapshots": OrganisationSnapshot.objects.count(),
        "actions": Action.objects.count(),
        "action changes": ActionChange.objects.count(),
    }


# ---------------------------------------------------------------- what the benchmark reads


def open_round(partnership_name: str) -> Round:
    return Round.objects.get(partnership__name=partnership_name, status=RoundStatus.OPEN)


def latest_closed_round(partnership_name: str) -> Round:
    return (
        Round.objects.filter(partnership__name=partnership_name, status=RoundStatus.CLOSED)
        .order_by("-opens_on")
        .first()
    )


def an_action(round_: Round) -> Action:
    """The partnership-wide action with the longest history: the lead executive, who
    reads the pages, may change it, so its page shows the form as well as the history."""
    return (
        Action.objects.filter(partnership_id=round_.partnership_id, partnership_wide=True)
        .order_by("-version", "pk")
        .first()
    )


def executive_of(organisation_id: int) -> User:
    return User.objects.get(organisation_id=organisation_id, role=Role.EXECUTIVE)


def largest_partnership_coordinator():
    """The partnership with the most current members and a coordinator for it (its lead
    partner's executive, made a coordinator here if not yet one)."""
    from django.db.models import Count

    from partnerships.models import Coordinator, Partnership, still_a_member

    largest = (
        Partnership.objects.annotate(
            members=Count("memberships", filter=still_a_member("memberships__"))
        )
        .order_by("-members", "name")
        .first()
    )
    lead = Membership.objects.get(partnership=largest, role=MembershipRole.LEAD)
    person = executive_of(lead.organisation_id)
    Coordinator.objects.get_or_create(partnership=largest, user=person)
    return largest, person


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


def what_if_changes(round_: Round, *, add: int, remove: int) -> tuple[list[int], list[int]]:
    """A "what if" projection for the round's partnership: the ids of `add` organisations
    that are not members and have a submitted assessment of the round's framework in
    another partnership, and of `remove` current members other than the lead (each the
    first by name, so every run projects the same change). The organisations added are
    made to share their scores in projections here (if they do not yet), so the page
    shows the whole projection, its heaviest form, not only the verdicts."""
    from django.db.models import Exists, OuterRef

    from assessments.insights.models import ProjectionConsent
    from partnerships.models import still_a_member

    current = Membership.objects.filter(still_a_member(), partnership_id=round_.partnership_id)
    assessed_elsewhere = Assessment.objects.filter(
        organisation=OuterRef("pk"),
        status=AssessmentStatus.SUBMITTED,
        round__framework_id=round_.framework_id,
    ).exclude(round__partnership_id=round_.partnership_id)
    added = list(
        Organisation.objects.exclude(pk__in=current.values("organisation_id"))
        .filter(Exists(assessed_elsewhere))
        .order_by("name")
        .values_list("pk", flat=True)[:add]
    )
    removed = list(
        current.exclude(role=MembershipRole.LEAD)
        .order_by("organisation__name")
        .values_list("organisation_id", flat=True)[:remove]
    )
    if len(added) != add or len(removed) != remove:
        raise ValueError(f"{round_.partnership} cannot add {add} and remove {remove}: --rebuild")
    for organisation_id in added:
        ProjectionConsent.objects.get_or_create(
            organisation_id=organisation_id,
            defaults={"allowed_by": executive_of(organisation_id)},
        )
    return added, removed
