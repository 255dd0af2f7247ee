"""The anonymised peer benchmark (assessments/insights/benchmark.py): who counts as a
peer, when a group may be shown (k-anonymity and stability), the figures themselves
(worked out by hand here, with `statistics.quantiles(method="inclusive")` semantics and
rounding half up to one decimal place), what is stored, how it is read, the switch,
and the refresh after a submission, inline or on the task queue."""

import io
import json
from datetime import timedelta

import pytest
import yaml
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from assessments.capture.services import reopen_assessment, submit_assessment
from assessments.framework.loader import DEFAULT_FRAMEWORK_FILE, load_framework_text
from assessments.insights import benchmark
from assessments.insights.models import SWITCH_ID, BenchmarkSwitch, PeerBenchmark
from assessments.insights.services import switch_benchmark
from assessments.insights.tasks import refresh_peer_benchmark
from assessments.models import Dimension, Question, RoundStatus
from assessments.reporting.data import partnership_report
from identity.models import SecurityEvent
from partnerships.models import Membership, OrganisationKind, Partnership, Role
from tests.builders import assess
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    RoundFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DISTRICT = OrganisationKind.DISTRICT
DISTRICTS = "district"  # the group's key: the organisation kind's value
CODES = [
    "business-scope",
    "governance",
    "legal",
    "information-sharing",
    "identity-management",
    "federation",
    "transactions",
    "infrastructure",
    "sustainability",
]


# ---------------------------------------------------------------- building peers


def new_round(framework, partnership_name, *, name="2026 review"):
    """This year's round of the partnership of that name (both made if need be)."""
    partnership = Partnership.objects.filter(name=partnership_name).first()
    partnership = partnership or PartnershipFactory(name=partnership_name)
    existing = partnership.rounds.filter(name=name).first()
    return existing or RoundFactory(partnership=partnership, framework=framework, name=name)


def old_round(framework, partnership):
    """Last year's round of the partnership, closed."""
    today = timezone.localdate()
    return RoundFactory(
        partnership=partnership,
        framework=framework,
        name="2025 review",
        status=RoundStatus.CLOSED,
        opens_on=today - timedelta(days=365),
        closes_on=today - timedelta(days=300),
    )


def member(partnership, name, *, kind=DISTRICT, left_days_ago=None):
    organisation = OrganisationFactory(name=name, kind=kind)
    today = timezone.localdate()
    MembershipFactory(
        partnership=partnership,
        organisation=organisation,
        joined_on=today - timedelta(days=400),
        left_on=today - timedelta(days=left_days_ago) if left_days_ago is not None else None,
    )
    return organisation


def dimension_at(framework, code, level) -> dict:
    """Every statement of one dimension at `level` (for `assess(levels=...)`)."""
    return dict.fromkeys(
        Question.objects.filter(dimension__framework=framework, dimension__code=code).values_list(
            "code", flat=True
        ),
        level,
    )


def transactions_at(score) -> dict:
    """Transactions, events and messages: weights 2, 2, 2, 2 and 1 (failed
    transactions). Every statement at 3 but failed transactions at 1:
    (2*3*4 + 1*1) / 9 = 25/9 = 2.78 -> 2.8; at 2: 26/9 = 2.89 -> 2.9; at 3: 3.0."""
    return {"transactions.failed-transactions": {2.8: 1, 2.9: 2, 3.0: 3}[score]}


def peers(framework, layout, *, kind=DISTRICT, level=3, prefix="Peer"):
    """Submitted organisations of one kind: `layout` is {partnership name: count}.
    Returns the organisations, in order."""
    made = []
    for partnership_name, count in layout.items():
        round_ = new_round(framework, partnership_name)
        for _ in range(count):
            organisation = member(
                round_.partnership, f"{prefix} {len(made) + 1} of {partnership_name}", kind=kind
            )
            assess(round_, organisation, level=level)
            made.append(organisation)
    return made


def district_group(framework):
    return benchmark.compute(framework)["organisation_groups"][DISTRICTS]


# ---------------------------------------------------------------- stability


def test_one_peer_moving_the_median_by_half_a_point_is_unstable():
    # [1, 2, 3, 4, 5]: median 3; without the 5, [1, 2, 3, 4] has median 2.5: 0.5 > 0.1.
    assert benchmark.stable([1.0, 2.0, 3.0, 4.0, 5.0]) is False


def test_many_identical_scores_are_stable_even_with_an_outlier():
    # [1, 3, 3, 3, 3, 3, 3]: every figure is 3.0, and stays 3.0 whichever one is taken
    # out (without the 1 all are 3; without a 3 the quartile positions 1.25 and 3.75
    # of [1, 3, 3, 3, 3, 3] still fall between two 3s).
    assert benchmark.stable([3.0] * 6 + [1.0]) is True


def test_stable_allows_one_rounding_step_and_no_more():
    # [2.8, 2.8, 2.8, 2.9, 2.9]: without a 2.9 the upper quartile (position 2.25 of
    # [2.8, 2.8, 2.8, 2.9]) is 2.8 + 0.25 * 0.1 = 2.825 -> 2.8, one step down: allowed.
    assert benchmark.stable([2.8, 2.8, 2.8, 2.9, 2.9]) is True
    # [2, 3, 3, 3, 3]: without a 3 the lower quartile of [2, 3, 3, 3] is
    # 2 + 0.75 * 1 = 2.75 -> 2.8, 0.2 below 3.0: refused.
    assert benchmark.stable([2.0, 3.0, 3.0, 3.0, 3.0]) is False


# ---------------------------------------------------------------- k-anonymity


def test_four_organisations_are_not_enough_even_from_four_partnerships(framework):
    peers(framework, {"North": 1, "East": 1, "South": 1, "West": 1})
    # Unitary authorities in the same partnerships are another group, not more peers.
    peers(
        framework,
        {"North": 1, "East": 1, "South": 1},
        kind=OrganisationKind.UNITARY,
        prefix="Unitary",
    )

    group = district_group(framework)

    assert group["peers"] == 4 and group["partnerships"] == 4
    assert group["shown"] is False
    assert group["dimensions"] == dict.fromkeys([*CODES, benchmark.OVERALL])


def test_five_organisations_from_two_partnerships_are_not_enough(framework):
    peers(framework, {"North": 3, "East": 2})

    group = district_group(framework)

    assert group["peers"] == 5 and group["partnerships"] == 2
    assert group["shown"] is False
    assert set(group["dimensions"].values()) == {None}

    # A district from a third partnership makes the group one that is shown.
    peers(framework, {"South": 1}, prefix="Late")
    group = district_group(framework)
    assert group["peers"] == 6 and group["partnerships"] == 3
    assert group["shown"] is True
    assert group["dimensions"]["governance"] == {
        "lower_quartile": 3.0,
        "median": 3.0,
        "upper_quartile": 3.0,
        "peers": 6,
    }


def test_enough_stable_peers_show_the_median_and_quartiles(framework):
    """Six districts, two in each of three partnerships. Every statement at level 3,
    except:

    - transactions (see `transactions_at`): 2.8, 2.8, 2.9, 3.0, 3.0, 3.0;
    - governance: the first district at level 2 throughout, the last at level 4.
    """
    layout = {"North": 2, "East": 2, "South": 2}
    transactions = [2.8, 2.8, 2.9, 3.0, 3.0, 3.0]
    governance = [2, 3, 3, 3, 3, 4]
    number = 0
    for partnership_name, count in layout.items():
        round_ = new_round(framework, partnership_name)
        for _ in range(count):
            organisation = member(round_.partnership, f"District {number} of {partnership_name}")
            levels = transactions_at(transactions[number]) | dimension_at(
                framework, "governance", governance[number]
            )
            assess(round_, organisation, level=3, levels=levels)
            number += 1

    group = district_group(framework)

    assert group["label"] == "District councils"
    assert (group["peers"], group["partnerships"], group["shown"]) == (6, 3, True)
    # Transactions, sorted [2.8, 2.8, 2.9, 3.0, 3.0, 3.0], n = 6. The inclusive
    # method puts quartile p at position (n - 1) * p of the sorted list (from 0),
    # interpolating between its neighbours:
    # - lower quartile, position 1.25: 2.8 + 0.25 * (2.9 - 2.8) = 2.825 -> 2.8;
    # - median, position 2.5: (2.9 + 3.0) / 2 = 2.95 -> 3.0 (half up);
    # - upper quartile, position 3.75: 3.0 + 0.75 * (3.0 - 3.0) = 3.0.
    # Stable: without a 2.8 the five left give 2.8, 2.9, 3.0 (positions 1, 2, 3);
    # without the 2.9, 2.8, 3.0, 3.0; without a 3.0, 2.8, 2.9, 3.0. No figure moves by
    # more than 0.1.
    assert group["dimensions"]["transactions"] == {
        "lower_quartile": 2.8,
        "median": 3.0,
        "upper_quartile": 3.0,
        "peers": 6,
    }
    # Governance [2, 3, 3, 3, 3, 4]: positions 1.25, 2.5 and 3.75 all fall between
    # two 3s, so 3.0, 3.0, 3.0; the 2 and the 4 change nothing.
    assert group["dimensions"]["governance"] == {
        "lower_quartile": 3.0,
        "median": 3.0,
        "upper_quartile": 3.0,
        "peers": 6,
    }
    assert group["dimensions"]["legal"]["median"] == 3.0
    # Overall: the mean of the nine dimension scores. First district (governance 2.0,
    # transactions 2.8): (7 * 3 + 2 + 2.8) / 9 = 25.8 / 9 = 2.87 -> 2.9; second
    # (26.8 / 9) and third (26.9 / 9) -> 3.0; fourth and fifth 3.0; last (governance
    # 4.0): 28 / 9 = 3.11 -> 3.1. Sorted [2.9, 3.0, 3.0, 3.0, 3.0, 3.1]: 3.0 throughout.
    assert group["dimensions"][benchmark.OVERALL] == {
        "lower_quartile": 3.0,
        "median": 3.0,
        "upper_quartile": 3.0,
        "peers": 6,
    }


def test_a_median_halfway_between_two_scores_rounds_half_up(framework):
    """Six districts from three partnerships with transactions scores
    [2.8, 2.8, 2.8, 2.9, 2.9, 3.0] (every other statement at 3). The median, at
    position (6 - 1) * 0.5 = 2.5, is (2.8 + 2.9) / 2 = 2.85, which rounds half up to
    2.9, as every score in the service does (2.25 -> 2.3, scoring.rounded). The lower
    quartile (position 1.25) is 2.8 and the upper (position 3.75, between two 2.9s)
    2.9. Stable: without the 3.0 the median of the five is 2.8, without a 2.8 it is
    2.9, without a 2.9 it is 2.8, each within 0.1 of 2.9."""
    transactions = [2.8, 2.8, 2.8, 2.9, 2.9, 3.0]
    number = 0
    for partnership_name in ("North", "East", "South"):
        round_ = new_round(framework, partnership_name)
        for _ in range(2):
            organisation = member(round_.partnership, f"District {number} of {partnership_name}")
            assess(round_, organisation, level=3, levels=transactions_at(transactions[number]))
            number += 1

    figures = district_group(framework)["dimensions"]["transactions"]

    assert figures == {"lower_quartile": 2.8, "median": 2.9, "upper_quartile": 2.9, "peers": 6}


def test_a_group_that_is_large_enough_but_unstable_has_that_dimension_suppressed(framework):
    """Five districts from three partnerships: enough peers. Governance 1, 2, 3, 4, 4
    (every other statement at 3): without the 1 the median of [2, 3, 4, 4] is 3.5, half
    a point from 3.0, so governance is not shown; the other dimensions (all 3.0) are."""
    governance = [1, 2, 3, 4, 4]
    number = 0
    for partnership_name, count in {"North": 2, "East": 2, "South": 1}.items():
        round_ = new_round(framework, partnership_name)
        for _ in range(count):
            organisation = member(round_.partnership, f"District {number} of {partnership_name}")
            levels = dimension_at(framework, "governance", governance[number])
            assess(round_, organisation, level=3, levels=levels)
            number += 1

    group = district_group(framework)

    assert group["shown"] is True
    assert group["dimensions"]["governance"] is None
    assert group["dimensions"]["legal"] == {
        "lower_quartile": 3.0,
        "median": 3.0,
        "upper_quartile": 3.0,
        "peers": 5,
    }


# ---------------------------------------------------------------- who counts


def test_only_each_organisations_latest_submission_of_this_framework_counts(framework):
    """Five districts from three partnerships, each submitted at level 1 last year and
    at level 3 this year: the figures are this year's (3.0, not 1.0), each district
    once. A district with only a draft (level 0) and districts that answered another
    version of the framework (level 0) are not peers."""
    made = []
    for partnership_name, count in {"North": 2, "East": 2, "South": 1}.items():
        this_year = new_round(framework, partnership_name)
        last_year = old_round(framework, this_year.partnership)
        for _ in range(count):
            organisation = member(this_year.partnership, f"District {len(made)}")
            assess(last_year, organisation, level=1, submitted_days_ago=300)
            assess(this_year, organisation, level=3, submitted_days_ago=7)
            made.append(organisation)
    # South's second district has only a draft this year.
    assess(this_year, member(this_year.partnership, "Drafting District"), level=0, status="draft")

    draft = yaml.safe_load(DEFAULT_FRAMEWORK_FILE.read_text())
    draft["dimensions"][0]["summary"] = "Version two of the framework."
    version_two = load_framework_text(yaml.safe_dump(draft), source="v2.yaml").framework
    assert version_two.pk != framework.pk
    for partnership_name in ("Far", "Away", "Elsewhere"):
        round_ = new_round(version_two, partnership_name)
        for n in range(2):
            assess(round_, member(round_.partnership, f"{partnership_name} {n}"), level=0)

    group = district_group(framework)

    assert (group["peers"], group["partnerships"], group["shown"]) == (5, 3, True)
    for code in [*CODES, benchmark.OVERALL]:
        assert group["dimensions"][code] == {
            "lower_quartile": 3.0,
            "median": 3.0,
            "upper_quartile": 3.0,
            "peers": 5,
        }, code
    # The other version has its own benchmark, from its own six districts only.
    other = benchmark.compute(version_two)["organisation_groups"][DISTRICTS]
    assert (other["peers"], other["partnerships"]) == (6, 3)
    assert other["dimensions"]["governance"]["median"] == 0.0


def test_partnerships_are_scored_by_their_weakest_partner_and_grouped_by_size(framework):
    """Five two-member partnerships (size band 2-9), this year's round: partner A at
    level 4 but governance 1, partner B at level 2 but governance 3. The partnership's
    score is the weakest partner's on each dimension: governance min(1, 3) = 1.0,
    every other dimension min(4, 2) = 2.0; overall the mean of those nine,
    (1 + 8 * 2) / 9 = 17 / 9 = 1.89 -> 1.9. Last year's round (everyone at level 0)
    and a third member's draft this year (level 0) do not count.

    A sixth partnership had ten members, but one has left: nine today, so it is in
    the same band. A seventh has ten current members: band 10-24, alone there."""
    today = timezone.localdate()
    for n in range(6):
        round_ = new_round(framework, f"Pair {n}")
        last_year = old_round(framework, round_.partnership)
        a = member(round_.partnership, f"Pair {n} strong")
        b = member(round_.partnership, f"Pair {n} weak")
        for organisation in (a, b):
            assess(last_year, organisation, level=0, submitted_days_ago=300)
        assess(round_, a, level=4, levels=dimension_at(framework, "governance", 1))
        assess(round_, b, level=2, levels=dimension_at(framework, "governance", 3))
        if n == 0:
            assess(round_, member(round_.partnership, "Pair 0 drafting"), level=0, status="draft")
        if n == 5:
            for m in range(8):
                member(round_.partnership, f"Pair 5 extra {m}", left_days_ago=1 if m == 0 else None)
    assert Membership.objects.filter(partnership__name="Pair 5").count() == 10
    large = new_round(framework, "Large")
    for m in range(10):
        organisation = member(large.partnership, f"Large {m}")
        if m < 2:
            assess(large, organisation, level=4)
    # Someone joining tomorrow is not a member yet.
    MembershipFactory(partnership=large.partnership, joined_on=today + timedelta(days=1))

    groups = benchmark.compute(framework)["partnership_groups"]

    assert set(groups) == {"2-9", "10-24"}
    small = groups["2-9"]
    assert small["label"] == "Partnerships of 2 to 9 members"
    assert (small["peers"], small["partnerships"], small["shown"]) == (6, 6, True)
    assert small["dimensions"]["governance"]["median"] == 1.0
    for code in CODES:
        expected = 1.0 if code == "governance" else 2.0
        assert small["dimensions"][code] == {
            "lower_quartile": expected,
            "median": expected,
            "upper_quartile": expected,
            "peers": 6,
        }, code
    assert small["dimensions"][benchmark.OVERALL]["median"] == 1.9
    assert groups["10-24"]["peers"] == 1 and groups["10-24"]["shown"] is False
    assert groups["10-24"]["label"] == "Partnerships of 10 to 24 members"


def test_a_partnership_is_scored_as_its_report_scores_it_without_members_that_left(framework):
    """Five three-member partnerships in an open round: two members at level 3, and a
    third that submitted at level 1, then left yesterday. The open round's report is
    about today's members only (`members_of_round`), so each partnership's report
    scores it 3.0 on every dimension; the benchmark, which compares that report's
    scores with its peers', must score the partnerships the same way: 3.0, not the
    leaver's 1.0."""
    rounds = []
    for n in range(5):
        round_ = new_round(framework, f"Trio {n}")
        for m in range(2):
            assess(round_, member(round_.partnership, f"Trio {n} stays {m}"), level=3)
        assess(round_, member(round_.partnership, f"Trio {n} left", left_days_ago=1), level=1)
        rounds.append(round_)
    report = partnership_report(rounds[0])
    assert len(report["members"]) == 2
    assert {d["score"] for d in report["dimension_summary"]} == {3.0}

    small = benchmark.compute(framework)["partnership_groups"]["2-9"]

    assert small["peers"] == 5
    assert small["dimensions"]["governance"] == {
        "lower_quartile": 3.0,
        "median": 3.0,
        "upper_quartile": 3.0,
        "peers": 5,
    }


def test_the_stored_benchmark_names_no_organisation_and_no_partnership(framework):
    layout = {"Northmere Shared Services": 2, "Eastwick Digital": 2, "Southby Alliance": 2}
    peers(framework, layout, prefix="Thornbury District Council")
    peers(framework, layout, kind=OrganisationKind.UNITARY, prefix="Wexcombe Unitary")

    stored = benchmark.refresh(framework.pk)

    text = json.dumps(PeerBenchmark.objects.get(pk=stored.pk).data)
    assert stored.data["organisation_groups"][DISTRICTS]["shown"] is True
    names = [
        *Partnership.objects.values_list("name", flat=True),
        *Membership.objects.values_list("organisation__name", flat=True),
        *Membership.objects.values_list("organisation__gss_code", flat=True),
    ]
    assert len(names) == 3 + 12 + 12
    for name in names:
        assert name not in text
    assert "Thornbury" not in text and "Wexcombe" not in text


# ---------------------------------------------------------------- storing and reading


def test_read_takes_one_query_on_with_figures_on_without_and_off(
    framework, django_assert_num_queries
):
    peers(framework, {"North": 2, "East": 2, "South": 1})
    with django_assert_num_queries(1):
        assert benchmark.read(framework.pk) == {}

    benchmark.refresh(framework.pk)
    with django_assert_num_queries(1):
        data = benchmark.read(framework.pk)
    assert data["schema"] == benchmark.SCHEMA
    assert data["organisation_groups"][DISTRICTS]["shown"] is True

    BenchmarkSwitch.objects.filter(pk=SWITCH_ID).update(enabled=False)
    with django_assert_num_queries(1):
        assert benchmark.read(framework.pk) is None


def test_the_switch_row_exists_and_is_on_by_default(db):
    assert BenchmarkSwitch.objects.get(pk=SWITCH_ID).enabled is True


def test_switching_off_deletes_the_figures_and_on_again_computes_them(
    framework, administrator, council_a, django_capture_on_commit_callbacks
):
    peers(framework, {"North": 2, "East": 2, "South": 1})
    benchmark.refresh(framework.pk)
    assert PeerBenchmark.objects.count() == 1

    # Not an administrator: refused, and nothing changes.
    for user in (council_a.executive, council_a.ict_manager):
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
            switch_benchmark(user=user, enabled=False)
    assert BenchmarkSwitch.objects.get(pk=SWITCH_ID).enabled is True
    assert PeerBenchmark.objects.count() == 1
    assert not SecurityEvent.objects.filter(kind="sharing_changed").exists()

    with django_capture_on_commit_callbacks(execute=True):
        switch_benchmark(user=administrator, enabled=False)
    switch = BenchmarkSwitch.objects.get(pk=SWITCH_ID)
    assert (switch.enabled, switch.changed_by) == (False, administrator)
    assert not PeerBenchmark.objects.exists()
    assert benchmark.read(framework.pk) is None
    # While off, a refresh stores nothing.
    assert benchmark.refresh(framework.pk) is None
    assert not PeerBenchmark.objects.exists()
    assert SecurityEvent.objects.filter(kind="sharing_changed", actor=administrator).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        switch_benchmark(user=administrator, enabled=True)
    assert BenchmarkSwitch.objects.get(pk=SWITCH_ID).enabled is True
    data = benchmark.read(framework.pk)
    assert data["organisation_groups"][DISTRICTS]["dimensions"]["legal"]["median"] == 3.0
    assert SecurityEvent.objects.filter(kind="sharing_changed", actor=administrator).count() == 2


# ---------------------------------------------------------------- refreshing


def drafting_district(framework, partnership_name="Late"):
    """A district whose complete assessment (level 3) waits to be submitted, and its
    ICT manager."""
    round_ = new_round(framework, partnership_name)
    organisation = member(round_.partnership, f"{partnership_name} District Council")
    ict_manager = UserFactory(organisation=organisation, role=Role.ICT_MANAGER)
    return assess(round_, organisation, level=3, status="draft"), ict_manager


def test_submitting_refreshes_the_benchmark_and_reopening_takes_the_scores_out(
    framework, administrator, django_capture_on_commit_callbacks
):
    peers(framework, {"North": 2, "East": 1, "South": 1})
    benchmark.refresh(framework.pk)
    assert benchmark.read(framework.pk)["organisation_groups"][DISTRICTS]["peers"] == 4
    draft, ict_manager = drafting_district(framework)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submit_assessment(assessment=draft, user=ict_manager)
    assert callbacks

    group = PeerBenchmark.objects.get(framework=framework).data["organisation_groups"][DISTRICTS]
    assert (group["peers"], group["partnerships"], group["shown"]) == (5, 4, True)
    assert group["dimensions"]["governance"]["median"] == 3.0

    with django_capture_on_commit_callbacks(execute=True):
        reopen_assessment(assessment=draft, user=administrator, reason="Wrong levels entered")

    group = PeerBenchmark.objects.get(framework=framework).data["organisation_groups"][DISTRICTS]
    assert (group["peers"], group["shown"]) == (4, False)
    assert set(group["dimensions"].values()) == {None}


# ---------------------------------------------------------------- on the task queue


@pytest.fixture
def _no_signal_handlers(monkeypatch):
    """The worker installs SIGINT/SIGTERM handlers, which would outlive it in the test
    process (as in tests/assessments/reporting/test_pdf_queue.py)."""
    monkeypatch.setattr(Worker, "configure_signals", lambda self: None)


def run_worker():
    """`manage.py db_worker` until the queue has nothing ready to run."""
    out = io.StringIO()
    call_command(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        "--interval",
        "0.05",
        "--worker-id",
        "benchmark-worker",
        stdout=out,
        stderr=out,
    )
    return out.getvalue()


def refresh_tasks(**filters):
    return DBTaskResult.objects.filter(task_path=refresh_peer_benchmark.module_path, **filters)


@pytest.mark.django_db(transaction=True)
def test_with_workers_a_submission_queues_one_refresh_that_the_worker_runs(
    settings, tmp_path, framework, _no_signal_handlers
):
    """Real transactions: the submissions commit (so their on-commit hooks run) and
    the worker claims the task as it does in production."""
    settings.PDF_WORKERS = True
    settings.PDF_CACHE_DIR = tmp_path / "pdf-cache"
    peers(framework, {"North": 2, "East": 1, "South": 1})
    first, first_ict = drafting_district(framework, "Late")
    second, second_ict = drafting_district(framework, "Later")

    submit_assessment(assessment=first, user=first_ict)

    waiting = refresh_tasks().get()
    assert waiting.status == TaskResultStatus.READY
    assert waiting.args_kwargs["kwargs"] == {"framework_id": framework.pk}
    assert not PeerBenchmark.objects.exists()  # queued, not computed in the request

    # A second submission while that refresh waits: the one task covers both.
    submit_assessment(assessment=second, user=second_ict)
    assert refresh_tasks().count() == 1
    assert not PeerBenchmark.objects.exists()

    # Only the refresh is of interest here; the PDFs the submissions queued are
    # rendered in tests/assessments/reporting/test_pdf_queue.py.
    DBTaskResult.objects.exclude(task_path=refresh_peer_benchmark.module_path).delete()
    run_worker()

    done = refresh_tasks().get()
    assert done.status == TaskResultStatus.SUCCESSFUL, done.traceback
    assert done.return_value is True
    group = PeerBenchmark.objects.get(framework=framework).data["organisation_groups"][DISTRICTS]
    assert (group["peers"], group["partnerships"], group["shown"]) == (6, 5, True)

    # Once it has run, the next submission queues a fresh refresh.
    third, third_ict = drafting_district(framework, "Latest")
    submit_assessment(assessment=third, user=third_ict)
    assert refresh_tasks(status=TaskResultStatus.READY).count() == 1


def test_dimension_codes_match_the_framework(framework):
    assert list(Dimension.objects.filter(framework=framework).values_list("code", flat=True)) == (
        CODES
    )
