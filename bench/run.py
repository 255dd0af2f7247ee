"""`make bench`: query counts and timings of the report pages and exports at scale.

Also times the send_notifications command on the same data (bench/notices.py),
in a scenario of its own that is rolled back at the end, and the peer benchmark's
refresh (bench/peers.py), before the pages, so the reports show its figures.

Runs in-process with Django's test client against a database of its own
(var/bench.sqlite3, or BENCH_DATABASE_URL), building the scale dataset on first use.
The PDFs are measured each in a fresh process (bench/pdf_worker.py).
It is a report, not a test: it exits 0 even when a budget is exceeded, and says OVER.

    .venv/bin/python bench/run.py [--repeat N] [--rebuild] [--markdown] [--no-pdf]
"""

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH_DATABASE = REPO / "var" / "bench.sqlite3"
DEV_DATABASE = REPO / "var" / "db.sqlite3"
WARMUP = 3
QUERY_BUDGET = 10
RATIO_BUDGET = 5.0
# The report pages' rows, by name (the budgets judge the repeat view).
BASELINE = "trivial view (baseline)"
REPORT_CACHED = "partnership report, 30 partners, repeat view (cached)"
REPORT_BUILT = "partnership report, 30 partners, built (cache empty)"
CLOSED_CACHED = "partnership report, 30 partners, closed round (frozen), repeat view (cached)"
ACTION_PLAN = "action plan, 30 partners, repeat view (cached)"
# The "what if" page: a projection is computed on every request (nothing is cached or
# saved), scoring the partnership twice, today and with the change, like a report built
# from scratch; so its budget is the built report's order, not the cached pages' 5x.
WHAT_IF = "what if, 30 partners, 3 added and 2 removed (never cached)"
WHAT_IF_ADDED, WHAT_IF_REMOVED = 3, 2
WHAT_IF_QUERY_BUDGET = 15
WHAT_IF_RATIO_BUDGET = 40.0
PDF_WORKER = Path(__file__).resolve().with_name("pdf_worker.py")
ORGANISATION_PDF = "organisation PDF"
MAXIMUM_IN_WORDS = "organisation PDF, every answer at maximum length, in words"
MAXIMUM_UNBROKEN = "organisation PDF, every answer at maximum length, unbroken"
PARTNERSHIP_PDF = "30-partner PDF"
PDF_WARM_BUDGETS = {ORGANISATION_PDF: 1.5, PARTNERSHIP_PDF: 5.0}  # seconds
# The partnership PDF: cover, then the board summary on exactly one page, then the action
# plan. The first line of pages 2 and 3 must be these headings.
SUMMARY_PAGE_STARTS = ["Board summary", "Action plan"]
PDF_MEMORY_BUDGET = 250  # MB, per process
PDF_RUNS = 5  # warm renders and cached reads per PDF
# The maximum-length PDFs take seconds each: fewer runs keep the benchmark short.
LONG_PDF_RUNS = 3
# A PDF's cost depends on how much text it holds, not on its shape: the same length of
# text as one unbroken word may take at most this much longer than in ordinary words.
SHAPE_RATIO_BUDGET = 1.5
# The environment before configure_django() rewrites it, for the PDF workers: they set
# Django up themselves, from the same variables this process started with.
ORIGINAL_ENVIRON = dict(os.environ)


@dataclass
class Case:
    name: str
    path: str
    user: object
    built: bool = False  # empty the cache before each request, so the report is built


@dataclass
class Result:
    name: str
    queries: int
    seconds: list[float]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def p95_ms(self) -> float:
        # Nearest rank: with 30 timings, the second slowest.
        ordered = sorted(self.seconds)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] * 1000


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=30, help="timed requests per page (default 30)"
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="delete the benchmark data and build it again"
    )
    parser.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    parser.add_argument(
        "--no-pdf", action="store_true", help="skip the PDFs (each measured in a new process)"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


# ---------------------------------------------------------------- database and Django


def database_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{BENCH_DATABASE}"
    if url == os.environ.get("DATABASE_URL", "").strip():
        sys.exit("BENCH_DATABASE_URL is the app's DATABASE_URL; the benchmark needs its own.")
    return url


def sqlite_file(url: str) -> Path | None:
    """The SQLite file a database URL names, or None for another database."""
    import dj_database_url

    config = dj_database_url.parse(url)
    return Path(config["NAME"]).resolve() if config["ENGINE"].endswith("sqlite3") else None


def configure_django(url: str) -> None:
    # Set before settings are read; forced, not defaulted, so a developer's shell
    # (DATABASE_URL, DEBUG=1) can never point the benchmark at another database.
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": url,
            "DEBUG": "0",  # measure what production runs
            "SECRET_KEY": "bench-only-throwaway-key-not-for-any-deployment-0123456789",
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "0",  # the test client speaks plain HTTP
            # Readers are signed in with force_login, not through the second factor; a
            # session that has passed it costs no query for the check (pinned in
            # tests/identity/test_queries.py), as with this off.
            "MFA_REQUIRED_FOR": "",
        }
    )
    # `make bench` runs this file as a script, so the repository is not on the path.
    sys.path.insert(0, str(REPO))
    # WhiteNoise serves from the finders when collectstatic has not run (as in the tests,
    # which silence the same warning in pyproject.toml).
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()


def setup_django(rebuild: bool = False) -> Path | None:
    """Django against the benchmark's own database, as run.py and the PDF workers use it.
    Returns the SQLite file, or None for another database."""
    url = database_url()
    database_file = sqlite_file(url)
    if database_file == DEV_DATABASE.resolve():
        sys.exit(f"{DEV_DATABASE} is the development database; the benchmark needs its own.")
    if database_file is not None:
        database_file.parent.mkdir(parents=True, exist_ok=True)
        if rebuild:
            delete_sqlite(database_file)
    configure_django(url)
    from django.test.utils import setup_test_environment

    setup_test_environment()
    return database_file


def delete_sqlite(database_file: Path) -> None:
    """The SQLite file and its WAL and shared-memory files: a WAL left behind could be
    replayed into the new database of the same name."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{database_file}{suffix}").unlink(missing_ok=True)


def prepare_data(rebuild: bool, database_file: Path | None) -> None:
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", interactive=False, verbosity=0)
    if rebuild and database_file is None:
        # Another database cannot be deleted from here; empty it instead.
        call_command("flush", interactive=False, verbosity=0)

    from bench import scale_data

    state = scale_data.build_state()
    if state == "current":
        print("Scale data: reusing the existing build (--rebuild to build it again)")
        return
    if state == "stale":
        # Built by an older version of the build (before the snapshots and actions, say):
        # its figures would not be today's. Start again from an empty database.
        print("Scale data: the existing build is from an older version of the build or schema")
        if database_file is not None:
            connections.close_all()
            delete_sqlite(database_file)
            call_command("migrate", interactive=False, verbosity=0)
        else:
            call_command("flush", interactive=False, verbosity=0)
    print("Scale data: building (first run, or after the data changed)...")
    seconds = scale_data.build()
    parts = ", ".join(f"{name} {s:.1f} s" for name, s in scale_data.phases.seconds.items())
    counts = ", ".join(f"{n:,} {name}" for name, n in scale_data.row_counts().items())
    print(f"Scale data: built in {seconds:.1f} s ({parts}): {counts}")


def describe_environment() -> str:
    import django
    from django.db import connection

    version = ".".join(str(part) for part in connection.get_database_version())
    name = connection.settings_dict["NAME"]
    return (
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"{connection.display_name} {version} ({name}), {os.cpu_count()} CPUs"
    )


def describe_data() -> str:
    from bench.scale_data import row_counts

    counts = row_counts()
    wanted = [
        "organisations",
        "partnerships",
        "rounds",
        "round snapshots",
        "submitted assessments",
        "answers",
        "actions",
    ]
    return "Data: " + ", ".join(f"{counts[name]:,} {name}" for name in wanted)


# ---------------------------------------------------------------- measuring


def cases() -> list[Case]:
    from django.urls import reverse

    from bench import scale_data

    headline = scale_data.open_round(scale_data.HEADLINE)
    closed = scale_data.latest_closed_round(scale_data.HEADLINE)
    small = scale_data.open_round(scale_data.SMALL)
    # A current member's executive, as in real use: access requires membership. As the
    # lead partner's executive, they may also plan partnership-wide actions and change
    # them, so the action pages show them everything: every gap, every form.
    reader = scale_data.lead_executive(headline)
    assessment = scale_data.a_submitted_assessment(headline)
    report = reverse("assessments:partnership_report", args=[headline.pk])
    closed_report = reverse("assessments:partnership_report", args=[closed.pk])
    csv = reverse("assessments:partnership_report_csv", args=[headline.pk])
    plan = reverse("assessments:action_plan", args=[headline.partnership_id])
    largest, coordinator = scale_data.largest_partnership_coordinator()
    return [
        Case(BASELINE, reverse("accessibility"), reader),
        Case(REPORT_CACHED, report, reader),
        Case(REPORT_BUILT, report, reader, built=True),
        Case(CLOSED_CACHED, closed_report, reader),
        Case(
            "partnership report, 30 partners, closed round (frozen), cache empty",
            closed_report,
            reader,
            built=True,
        ),
        Case(
            "partnership report, 3 partners, repeat view (cached)",
            reverse("assessments:partnership_report", args=[small.pk]),
            scale_data.lead_executive(small),
        ),
        Case("CSV export, 30 partners, repeat view (cached)", csv, reader),
        Case("CSV export, 30 partners, built (cache empty)", csv, reader, built=True),
        Case(
            "JSON export, 30 partners, repeat view (cached)",
            reverse("assessments:partnership_report_json", args=[headline.pk]),
            reader,
        ),
        Case(
            "organisation report",
            reverse("assessments:organisation_report", args=[assessment.pk]),
            scale_data.executive_of(assessment.organisation_id),
        ),
        Case(ACTION_PLAN, plan, reader),
        Case("action plan, 30 partners, built (cache empty)", plan, reader, built=True),
        Case(
            "action plan CSV, 30 partners, repeat view (cached)",
            reverse("assessments:action_plan_csv", args=[headline.partnership_id]),
            reader,
        ),
        Case(
            "action page (history and update form)",
            reverse("assessments:action", args=[scale_data.an_action(headline).pk]),
            reader,
        ),
        Case(
            "new action page, 30 partners, every gap (cached)",
            reverse("assessments:new_action", args=[headline.pk]),
            reader,
        ),
        Case(
            f"coordinator's overview, largest partnership ({largest.members} members)",
            reverse("coordination:partnership", args=[largest.pk]),
            coordinator,
        ),
        Case(WHAT_IF, what_if_path(headline), reader),
    ]


def what_if_path(round_) -> str:
    """The "what if" page of the round with organisations assessed in other bench
    partnerships, which share their scores, added and some members removed: the whole
    projection (verdicts, overall score, weakest partners, gaps added and closed)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from bench import scale_data

    added, removed = scale_data.what_if_changes(round_, add=WHAT_IF_ADDED, remove=WHAT_IF_REMOVED)
    query = urlencode([*(("add", pk) for pk in added), *(("remove", pk) for pk in removed)])
    return f"{reverse('assessments:what_if', args=[round_.pk])}?{query}"


def timed_get(client, path: str) -> float:
    start = time.perf_counter()
    response = client.get(path)
    seconds = time.perf_counter() - start
    if response.status_code != 200:
        sys.exit(f"GET {path} answered {response.status_code}, not 200: benchmark stopped.")
    return seconds


def signed_in(user, clients: dict):
    """One test client per user, signed in once (sign-in is not what is measured)."""
    from django.test import Client

    if user.pk not in clients:
        clients[user.pk] = Client()
        clients[user.pk].force_login(user)
    return clients[user.pk]


def measure(case: Case, repeat: int, clients: dict) -> Result:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(case.user, clients)

    def get() -> float:
        if case.built:
            cache.clear()  # outside the timed region
        return timed_get(client, case.path)

    for _ in range(WARMUP):
        get()
    # Queries on a separate request: capturing them slows the request it watches.
    if case.built:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        timed_get(client, case.path)
    return Result(case.name, len(queries), [get() for _ in range(repeat)])


def check_partner_counts(clients: dict) -> None:
    """The reports must list the partners the dataset promises, the closed rounds be
    frozen and the headline partnership have its actions, or the timings mean little."""
    from django.urls import reverse

    from bench import scale_data

    for name, expected in [(scale_data.HEADLINE, 30), (scale_data.SMALL, 3)]:
        round_ = scale_data.open_round(name)
        client = signed_in(scale_data.lead_executive(round_), clients)
        path = reverse("assessments:partnership_report_json", args=[round_.pk])
        members = client.get(path).json()["members"]
        if len(members) != expected:
            sys.exit(f"{path} lists {len(members)} partners, expected {expected}.")
    # Closed rounds frozen as production freezes them when they close: an unfrozen one
    # would be frozen by the first request that reads it, inside the measurements.
    counts = scale_data.row_counts()
    closed = counts["rounds"] - counts["partnerships"]  # one open round each
    if counts["round snapshots"] != closed:
        sys.exit(f"{counts['round snapshots']} of {closed} closed rounds are frozen: --rebuild.")
    plan = scale_data.open_round(scale_data.HEADLINE).partnership.actions.count()
    if plan < 5:
        sys.exit(f"{scale_data.HEADLINE} has {plan} actions, expected about 10: --rebuild.")


def check_what_if(clients: dict) -> None:
    """The "what if" page measured must show the whole projection of the change asked
    for, or its timings would be those of a form, an error or a projection that keeps
    the added organisations' scores back."""
    from django.utils.html import escape

    from bench import scale_data
    from partnerships.models import Organisation

    headline = scale_data.open_round(scale_data.HEADLINE)
    path = what_if_path(headline)
    response = signed_in(scale_data.lead_executive(headline), clients).get(path)
    page = response.content.decode()
    added, removed = scale_data.what_if_changes(headline, add=WHAT_IF_ADDED, remove=WHAT_IF_REMOVED)
    names = Organisation.objects.filter(pk__in=[*added, *removed]).values_list("name", flat=True)
    missing = [
        text
        for text in [
            'id="projection"',
            "Weakest partner on each dimension",
            "Gaps the change would add",
            *(escape(name) for name in names),
        ]
        if text not in page
    ]
    if response.status_code != 200 or missing or "not agreed to show" in page:
        sys.exit(
            f"GET {path} answered {response.status_code} without the whole projection "
            f"(missing: {missing}): benchmark stopped."
        )


def check_peers_shown(clients: dict) -> str:
    """Whether the headline report shows the peer table, now the figures are stored."""
    from django.urls import reverse

    from bench import scale_data

    headline = scale_data.open_round(scale_data.HEADLINE)
    client = signed_in(scale_data.lead_executive(headline), clients)
    page = client.get(reverse("assessments:partnership_report", args=[headline.pk]))
    text = page.content.decode()
    if 'id="peers"' not in text:
        sys.exit("The 30-partner report has no peer section: benchmark stopped.")
    from assessments.insights.benchmark import size_band, size_band_label

    group = size_band_label(size_band(30)).lower()
    if "app-peers" in text:
        return f"the 30-partner report shows its peer table ({group})"
    return f"the 30-partner report says: Not enough peers yet ({group})"


def pdf_cases() -> list[tuple[str, list[str]]]:
    """(name, worker arguments) for each PDF; the paths are resolved here, so the
    worker's first request is also its first use of the URLconf and the PDF code. The
    maximum-length cases fill the same assessment's answers (in the worker, rolled back)
    with evidence and comments as long as the form accepts: in ordinary words, and as one
    unbroken word (a pasted hash), the worst case for wrapping text."""
    from django.urls import reverse

    from bench import scale_data

    headline = scale_data.open_round(scale_data.HEADLINE)
    assessment = scale_data.a_submitted_assessment(headline)
    organisation = [
        reverse("assessments:organisation_report_pdf", args=[assessment.pk]),
        str(scale_data.executive_of(assessment.organisation_id).pk),
    ]
    maximum = ["--runs", str(LONG_PDF_RUNS), "--assessment", str(assessment.pk), "--fill"]
    return [
        (ORGANISATION_PDF, organisation),
        (
            PARTNERSHIP_PDF,
            [
                reverse("assessments:partnership_report_pdf", args=[headline.pk]),
                str(scale_data.lead_executive(headline).pk),
            ],
        ),
        (MAXIMUM_IN_WORDS, [*organisation, *maximum, "words"]),
        (MAXIMUM_UNBROKEN, [*organisation, *maximum, "unbroken"]),
    ]


# Started through this small launcher, not directly: on Linux a process's ru_maxrss
# carries over the peak of the process it was spawned from (across vfork/fork and exec),
# so a worker started from this process, grown by the in-process runs, would report
# this process's peak. The launcher is small and fork()s the worker, which then starts
# from the launcher's small peak.
LAUNCHER = "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:]).returncode)"


def measure_pdf(name: str, arguments: list[str]) -> dict:
    command = [sys.executable, "-c", LAUNCHER, sys.executable, str(PDF_WORKER), *arguments]
    done = subprocess.run(
        command, capture_output=True, text=True, env=ORIGINAL_ENVIRON, cwd=REPO, check=False
    )
    if done.returncode != 0:
        sys.exit(f"The PDF worker for {name} failed:\n{done.stderr.strip()}")
    figures = json.loads(done.stdout)
    figures["name"] = name
    figures["stderr"] = done.stderr.strip()
    return figures


# ---------------------------------------------------------------- reporting


def format_table(header: list[str], rows: list[list[str]], markdown: bool) -> str:
    if markdown:
        lines = [header, ["---"] + ["--:"] * (len(header) - 1), *rows]
        return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )
        for cells in [header, *rows]
    )


def table(results: list[Result], markdown: bool) -> str:
    baseline = results[0].median_ms
    header = ["page", "queries", "median ms", "p95 ms", "x baseline"]
    rows = [
        [
            r.name,
            str(r.queries),
            f"{r.median_ms:.1f}",
            f"{r.p95_ms:.1f}",
            f"{r.median_ms / baseline:.1f}x",
        ]
        for r in results
    ]
    return format_table(header, rows, markdown)


def budget_lines(results: list[Result]) -> list[str]:
    by_name = {r.name: r for r in results}
    baseline, built = by_name[BASELINE], by_name[REPORT_BUILT]
    lines = []
    # The same budgets for the open round's report, the closed round's (frozen) and the
    # action plan page: each a repeat view, drawn from the cache or the snapshot.
    for label, name in [
        ("30-partner partnership report", REPORT_CACHED),
        ("30-partner partnership report, closed round", CLOSED_CACHED),
        ("30-partner action plan", ACTION_PLAN),
    ]:
        page = by_name[name]
        ratio = page.median_ms / baseline.median_ms
        queries_ok = "OK" if page.queries <= QUERY_BUDGET else "OVER"
        time_ok = "OK" if ratio <= RATIO_BUDGET else "OVER"
        lines += [
            f"{label}: {page.queries} queries (budget {QUERY_BUDGET}) {queries_ok}",
            f"{label}: median {page.median_ms:.1f} ms = {ratio:.1f}x "
            f"the trivial view (budget {RATIO_BUDGET:g}x) {time_ok}",
        ]
    lines.append(
        f"30-partner partnership report, built (cache empty): median {built.median_ms:.1f} ms "
        f"= {built.median_ms / baseline.median_ms:.1f}x the trivial view (no budget)"
    )
    what_if = by_name[WHAT_IF]
    ratio = what_if.median_ms / baseline.median_ms
    queries_ok = "OK" if what_if.queries <= WHAT_IF_QUERY_BUDGET else "OVER"
    time_ok = "OK" if ratio <= WHAT_IF_RATIO_BUDGET else "OVER"
    lines += [
        f"30-partner what if: {what_if.queries} queries (budget {WHAT_IF_QUERY_BUDGET}) "
        f"{queries_ok}",
        f"30-partner what if: median {what_if.median_ms:.1f} ms = {ratio:.1f}x the trivial "
        f"view (budget {WHAT_IF_RATIO_BUDGET:g}x) {time_ok}",
    ]
    return lines


def peers_table(measurement, markdown: bool) -> str:
    header = ["refresh", "seconds", "queries", "frameworks"]
    rows = [
        [r.name, f"{r.seconds:.2f}", str(r.queries), str(r.frameworks)] for r in measurement.runs
    ]
    return format_table(header, rows, markdown)


def described_groups(groups) -> str:
    """Each comparison group with its peers, and for a shown one how many of its
    figures (dimensions and overall) are shown."""
    parts = []
    for g in groups:
        figures = f", figures for {g.figures_shown} of {g.figures_shown + g.figures_withheld}"
        parts.append(
            f"{g.label} ({g.peers} from {g.partnerships} partnerships{figures if g.shown else ''})"
        )
    return "; ".join(parts) or "none"


def peers_lines(measurement, shown_on_report: str) -> list[str]:
    from bench import peers

    seconds = statistics.median(r.seconds for r in measurement.runs)
    lines = [
        f"refresh_all(): median {seconds:.2f} s over {len(measurement.runs)} runs, from "
        f"{measurement.submitted:,} submitted assessments; stored JSON "
        f"{measurement.stored_bytes / 1024:.1f} KB ({measurement.stored_bytes:,} bytes)",
    ]
    for family, groups in measurement.groups.items():
        shown = [g for g in groups if g.shown]
        hidden = [g for g in groups if not g.shown]
        lines += [
            f"groups of {peers.FAMILIES[family]}: {len(shown)} shown, {len(hidden)} "
            "suppressed (not enough peers)",
            f"  shown: {described_groups(shown)}",
            f"  suppressed: {described_groups(hidden)}",
        ]
    withheld = sum(g.figures_withheld for gs in measurement.groups.values() for g in gs if g.shown)
    lines += [
        "figures withheld within shown groups (too few scored peers or partnerships, or one "
        f"peer could move them): {withheld}",
        shown_on_report,
    ]
    return lines


def pdf_table(pdfs: list[dict], markdown: bool) -> str:
    header = ["pdf", "pages", "KB", "cold s", "warm s", "cached ms", "peak MB"]
    rows = [
        [
            p["name"],
            str(p["pages"]),
            f"{p['kb']:.0f}",
            f"{p['cold_s']:.2f}",
            f"{p['warm_s']:.2f}",
            f"{p['cached_ms']:.1f}",
            f"{p['peak_mb']:.0f}",
        ]
        for p in pdfs
    ]
    return format_table(header, rows, markdown)


def store_size_line(pdfs: list[dict]) -> str:
    """The PDF store's size at this scale with every current PDF rendered once: each
    assessment's organisation PDF and each round's partnership PDF, at the sizes just
    measured (an estimate: partnership PDFs are counted at the 30-partner size)."""
    from assessments.models import Assessment, RenderedPdf, Round

    by_name = {p["name"]: p for p in pdfs}
    organisations, rounds = Assessment.objects.count(), Round.objects.count()
    mb = (
        organisations * by_name[ORGANISATION_PDF]["kb"] + rounds * by_name[PARTNERSHIP_PDF]["kb"]
    ) / 1024
    stored = sum(RenderedPdf.objects.values_list("size", flat=True)) / 1024 / 1024
    return (
        f"PDF store with every current PDF once: about {mb:,.0f} MB ({organisations:,} "
        f"organisation PDFs, {rounds} partnership PDFs); `prune_pdfs` keeps it there by "
        f"deleting superseded ones. Recorded in this database's store: {stored:.1f} MB."
    )


def pdf_budget_lines(pdfs: list[dict]) -> list[str]:
    lines = []
    for p in pdfs:
        budget = PDF_WARM_BUDGETS.get(p["name"])
        if budget is None:
            continue
        ok = "OK" if p["warm_s"] <= budget else "OVER"
        lines.append(f"{p['name']} warm {p['warm_s']:.2f} s (budget {budget:g} s) {ok}")
    by_name = {p["name"]: p for p in pdfs}
    words, unbroken = by_name[MAXIMUM_IN_WORDS], by_name[MAXIMUM_UNBROKEN]
    ratio = unbroken["warm_s"] / words["warm_s"]
    ok = "OK" if ratio <= SHAPE_RATIO_BUDGET else "OVER"
    lines.append(
        f"maximum-length answers, unbroken against in words: warm {unbroken['warm_s']:.2f} s "
        f"/ {words['warm_s']:.2f} s = {ratio:.2f}x (budget {SHAPE_RATIO_BUDGET:g}x) {ok}"
    )
    second, third = (by_name[PARTNERSHIP_PDF]["page_starts"] + ["", "", ""])[1:3]
    fits = [second, third] == SUMMARY_PAGE_STARTS
    lines.append(
        f"{PARTNERSHIP_PDF}: page 2 starts “{second}”, page 3 “{third}”: the board summary "
        + ("fits one page OK" if fits else "does not fit one page OVER")
    )
    peak = max(p["peak_mb"] for p in pdfs)
    ok = "OK" if peak <= PDF_MEMORY_BUDGET else "OVER"
    lines.append(f"peak memory {peak:.0f} MB (budget {PDF_MEMORY_BUDGET} MB) {ok}")
    return lines


def notifications_table(measurement, markdown: bool) -> str:
    header = ["command", "seconds", "queries", "emails"]
    rows = [[r.name, f"{r.seconds:.2f}", str(r.queries), str(r.emails)] for r in measurement.runs]
    return format_table(header, rows, markdown)


def notifications_lines(measurement) -> list[str]:
    from notifications.models import Kind

    first, second = measurement.runs
    # Every kind, those with no notices too (no action is due within 7 days in the data);
    # rows recorded but not sent (failed) in brackets.
    kinds = []
    for kind in Kind.values:
        sent, recorded = measurement.sent_by_kind.get(kind, 0), measurement.by_kind.get(kind, 0)
        unsent = f" ({recorded - sent:,} not sent)" if recorded != sent else ""
        kinds.append(f"{kind} {sent:,}{unsent}")
    recorded = sum(measurement.by_kind.values())
    sent = sum(measurement.sent_by_kind.values())
    lines = [
        f"emails by kind (Notification rows sent): {', '.join(kinds)}",
        f"{recorded:,} notices recorded, {sent:,} sent, {first.emails:,} emails in the outbox "
        f"on the first run, to {measurement.emails_to_distinct_people:,} people",
        f"first run said: {first.summary}",
        f"second run said: {second.summary}",
        f"second run sent {second.emails} emails: " + ("OK" if second.emails == 0 else "OVER"),
    ]
    if sent != first.emails:
        lines.append(f"{sent:,} rows marked sent but {first.emails:,} emails in the outbox: OVER")
    lines.append(
        "data as it was after the rollback: "
        + ("OK" if measurement.rolled_back else "NO (the bench data changed: --rebuild)")
    )
    return lines


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    database_file = setup_django(args.rebuild)
    print("Partnership Readiness benchmark")
    print(describe_environment())
    prepare_data(args.rebuild, database_file)
    print(describe_data())
    print(
        f"Each page: {WARMUP} warm-up requests, then {args.repeat} timed; queries of one. "
        "Built rows empty the cache before each request.\n"
    )

    clients = {}
    check_partner_counts(clients)
    # The peer benchmark first: its figures stay stored, so the reports show them.
    from bench import peers as peer_bench

    peers = peer_bench.measure()
    shown_on_report = check_peers_shown(clients)
    check_what_if(clients)
    results = [measure(case, args.repeat, clients) for case in cases()]
    print(table(results, args.markdown))
    print()
    print("\n".join(budget_lines(results)))

    print(
        f"\nPeer benchmark refresh (refresh_all(), every framework version in use, computed "
        f"from every submitted assessment and stored), {peer_bench.RUNS} runs, before the "
        "pages above, which show the figures it stored; queries counted in each run.\n"
    )
    print(peers_table(peers, args.markdown))
    print()
    print("\n".join(peers_lines(peers, shown_on_report)))

    from bench import notices as notification_bench

    notices = notification_bench.measure()
    print(
        f"\nsend_notifications, run twice in a transaction rolled back at the end: every "
        f"round of every partnership ({notices.rounds}) open and closing in "
        f"{notification_bench.CLOSES_IN_DAYS} days, the {notices.users_given_email} users "
        f"without an email address given one @{notification_bench.EMAIL_DOMAIN}, emails "
        "to Django's in-memory backend; queries counted in the timed run.\n"
    )
    print(notifications_table(notices, args.markdown))
    print()
    print("\n".join(notifications_lines(notices)))
    if args.no_pdf:
        return 0

    print(
        f"\nPDFs, each in a new process: cold = its first request; warm = median of "
        f"{PDF_RUNS} renders ({LONG_PDF_RUNS} at maximum length), PDF cache emptied before "
        f"each; cached = median of as many cache hits; peak = the process's maximum "
        "resident memory.\n"
    )
    pdfs = [measure_pdf(*case) for case in pdf_cases()]
    print(pdf_table(pdfs, args.markdown))
    print()
    print("\n".join(pdf_budget_lines(pdfs)))
    print(store_size_line(pdfs))
    for p in pdfs:
        if p["own_peak_mb"] is not None and abs(p["peak_mb"] - p["own_peak_mb"]) > 5:
            print(
                f"\n{p['name']}: ru_maxrss says {p['peak_mb']:.0f} MB but the process's own "
                f"peak (VmHWM) is {p['own_peak_mb']:.0f} MB: the peak figure is not its own."
            )
        if p["stderr"]:
            print(f"\n{p['name']}: the worker wrote to stderr:\n{p['stderr']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
