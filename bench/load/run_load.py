"""`make load`: a bounded mixed load on loopback against gunicorn, with the bench data on
PostgreSQL, for three scenarios side by side:

- no PDFs: the same users, but executives never download a PDF (the baseline for the
  ordinary pages);
- PDFs rendered in the request (PDF_WORKERS unset);
- PDFs queued (PDF_WORKERS=1 and one `manage.py db_worker`).

ICT managers save answers; executives view the reports and download the PDFs just
after changes (bench/load/locustfile.py says exactly what each user does). Each
scenario runs on a fresh copy of the bench database, with a fresh PDF folder and a
shared database cache (CACHE_URL=db://), for a fixed window after every user has signed
in and warmed up. Prints one Markdown table, the ordinary pages by page, and whether
the target was met: with queued rendering, the ordinary pages' 95th percentile within
3x of the no-PDF run's, and no request failed.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/readiness_bench \\
        .venv/bin/python bench/load/run_load.py [--help for the options]

The bench database itself is only read (to copy it): the load writes to copies named
after it and this process (<name>_load_template_<pid>, <name>_load_<pid>), dropped at
the end.
"""

import argparse
import csv
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
BIN = Path(sys.executable).parent  # the virtualenv's bin: gunicorn and locust too
LOCUSTFILE = HERE / "locustfile.py"
SETUP = HERE / "setup_data.py"
GUNICORN_CONF = REPO / "gunicorn.conf.py"
TARGET_RATIO = 3.0
HEALTHZ = "/healthz"
START_TIMEOUT = 60  # seconds for gunicorn to answer /healthz
STOP_TIMEOUT = 10  # seconds for a process to stop before it is killed
# Passed to the server from this environment; nothing else is (a developer's
# DATABASE_URL, PDF_STORAGE_BUCKET or WEB_CONCURRENCY must not leak into the run).
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")
ACCESS_LINE = re.compile(r'"(?:GET|POST|HEAD) (\S+) [^"]*" (\d{3}) .*?(?: (\d+)ms)?$', re.M)


@dataclass
class Scenario:
    key: str
    name: str
    pdfs: bool
    queued: bool


SCENARIOS = [
    Scenario("baseline", "no PDFs (baseline)", pdfs=False, queued=False),
    Scenario("inline", "PDFs rendered in the request", pdfs=True, queued=False),
    Scenario("queued", "PDFs queued (1 db_worker)", pdfs=True, queued=True),
]


@dataclass
class Outcome:
    scenario: Scenario
    window: float = 0.0
    requests: int = 0
    pages: list[float] = field(default_factory=list)
    healthz: list[float] = field(default_factory=list)
    ready: dict[str, list[float]] = field(default_factory=dict)
    by_page: dict[str, list[float]] = field(default_factory=dict)
    failures: int = 0  # requests Locust counted as failed (its CSV)
    failure_lines: list[str] = field(default_factory=list)
    server_errors: int = 0  # 5xx in gunicorn's access log, warm-up included
    task_failures: int = 0  # PDF tasks the worker failed
    log_problems: list[str] = field(default_factory=list)
    pdf_lines: list[str] = field(default_factory=list)  # renders: where, how many, how long
    unfinished: list[list] = field(default_factory=list)  # [kind, age in s] of each
    retried: list[list[str]] = field(default_factory=list)  # GETs sent again (browser-like)
    counts: dict = field(default_factory=dict)
    seconds: float = 0.0
    load: list[float] = field(default_factory=list)  # the machine's load average, before/after
    busy_before: float = 0.0  # share of the CPUs other work used just before the run
    error: str | None = None

    @property
    def clean(self) -> bool:
        return not (self.failures or self.server_errors or self.task_failures)

    def failure_cell(self) -> str:
        """Locust's failed requests, then what the server saw that Locust may not have
        (outside the window, or a render in the worker)."""
        extra = []
        if self.server_errors:
            extra.append(f"{self.server_errors} 5xx in the server log")
        if self.task_failures:
            extra.append(f"{self.task_failures} failed PDF tasks")
        return str(self.failures) + (f" ({', '.join(extra)})" if extra else "")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument(
        "--window", type=int, default=60, help="seconds measured per run (default 60)"
    )
    parser.add_argument(
        "--pairs", type=int, default=8, help="ICT manager and executive pairs (default 8)"
    )
    parser.add_argument(
        "--change-seconds",
        type=int,
        default=15,
        help="seconds between a submission and its reopening (default 15)",
    )
    parser.add_argument(
        "--save-wait",
        default="3,6",
        help="MIN,MAX seconds an ICT manager waits between saves (default 3,6)",
    )
    parser.add_argument(
        "--poll-seconds",
        type=float,
        default=1.0,
        help="seconds between requests for a PDF being prepared (default 1; browsers: 5)",
    )
    parser.add_argument(
        "--scenarios",
        default="baseline,inline,queued",
        help="which runs, comma-separated (default baseline,inline,queued)",
    )
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=0,
        help="run the db_worker at this niceness (default 0: as the web server)",
    )
    parser.add_argument(
        "--logs", type=Path, help="keep the server, worker and Locust output in this folder"
    )
    args = parser.parse_args(argv)
    known = {s.key for s in SCENARIOS}
    args.scenarios = [key.strip() for key in args.scenarios.split(",") if key.strip()]
    if not args.scenarios or set(args.scenarios) - known:
        parser.error(f"--scenarios takes some of {', '.join(sorted(known))}")
    return args


# ---------------------------------------------------------------- databases


def database_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL", "").strip()
    if not url:
        sys.exit(
            "make load needs PostgreSQL: set BENCH_DATABASE_URL, for example\n"
            "  createdb -h 127.0.0.1 -U postgres readiness_bench\n"
            "  BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/readiness_bench make load"
        )
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("BENCH_DATABASE_URL must be a PostgreSQL URL (postgres://...) for make load.")
    if url == os.environ.get("DATABASE_URL", "").strip():
        sys.exit("BENCH_DATABASE_URL is the app's DATABASE_URL; the load test needs its own.")
    return url


def with_name(url: str, name: str) -> str:
    base, _, query = url.partition("?")
    return base.rsplit("/", 1)[0] + "/" + name + (f"?{query}" if query else "")


def database_name(url: str) -> str:
    return url.partition("?")[0].rsplit("/", 1)[1]


class Server:
    """Statements on the PostgreSQL server itself (create and drop the copies)."""

    def __init__(self, url: str):
        import psycopg2

        self.connection = psycopg2.connect(with_name(url, "postgres"))
        self.connection.autocommit = True

    def run(self, sql: str, params=None):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else None

    def drop(self, name: str) -> None:
        self.run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def copy(self, source: str, target: str) -> None:
        import psycopg2

        self.drop(target)
        try:
            self.run(f'CREATE DATABASE "{target}" TEMPLATE "{source}" STRATEGY FILE_COPY')
        except psycopg2.errors.ObjectInUse:
            sys.exit(
                f"Database {source} is in use (a `make bench` running?): it can only be "
                "copied while nobody is connected. Try again when it is free."
            )

    def close(self) -> None:
        self.connection.close()


def query(url: str, sql: str) -> list[tuple]:
    import psycopg2

    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    finally:
        connection.close()


TASKS_BY_STATUS = "SELECT status, COUNT(*) FROM django_tasks_database_dbtaskresult GROUP BY status"
# The worker's renders (the warm-up's included), by kind: how many, how long each took
# and how long each waited in the queue.
WORKER_RENDERS = """
SELECT args_kwargs->'kwargs'->>'kind', COUNT(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM finished_at - started_at)),
       MAX(EXTRACT(EPOCH FROM finished_at - started_at)),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM started_at - enqueued_at)),
       MAX(EXTRACT(EPOCH FROM started_at - enqueued_at))
FROM django_tasks_database_dbtaskresult WHERE status = 'SUCCESSFUL' GROUP BY 1 ORDER BY 1
"""
STORED_PDFS = "SELECT kind, COUNT(*) FROM assessments_renderedpdf GROUP BY kind ORDER BY kind"


# ---------------------------------------------------------------- processes


class Processes:
    """Everything this run starts, each in a session of its own, stopped by its id."""

    def __init__(self):
        self.running: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, command: list[str], env: dict, log: Path) -> subprocess.Popen:
        with log.open("wb") as output:
            process = subprocess.Popen(
                command,
                cwd=REPO,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.running.append((name, process))
        return process

    def stop_all(self) -> None:
        while self.running:
            _name, process = self.running.pop()
            stop(process)


def stop(process: subprocess.Popen) -> None:
    """SIGINT (gunicorn's quick shutdown; the worker's too), then SIGKILL to the
    process's own group if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(STOP_TIMEOUT)
    except ProcessLookupError:
        pass
    # Workers left in the group (gunicorn's, if the master died first).
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def busy_cpus(seconds: float = 2.0) -> float:
    """The share of the machine's CPU time used over `seconds` (by others: nothing of
    this run is running when it is called)."""

    def sample():
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
        return sum(values), values[3] + values[4]  # total, idle + iowait

    try:
        total, idle = sample()
        time.sleep(seconds)
        total2, idle2 = sample()
    except OSError:  # not Linux
        return 0.0
    return 1 - (idle2 - idle) / max(1, total2 - total)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(url: str, pdf_dir: Path, queued: bool) -> dict:
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "SECRET_KEY": "load-test-only-throwaway-key-not-for-any-deployment-0123456789",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": url,
            "CACHE_URL": "db://",
            "PDF_CACHE_DIR": str(pdf_dir),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if queued:
        env["PDF_WORKERS"] = "1"
    return env


def gunicorn_command(port: int) -> list[str]:
    bind = ["--bind", f"127.0.0.1:{port}"]  # loopback only, whatever the config says
    # gunicorn 27 opens a control socket in the home folder by default: not this run's,
    # which must not take it from another gunicorn on the machine.
    help_text = subprocess.run(
        [str(BIN / "gunicorn"), "--help"], capture_output=True, text=True, check=False
    ).stdout
    if "--no-control-socket" in help_text:
        bind.append("--no-control-socket")
    if GUNICORN_CONF.exists():
        return [str(BIN / "gunicorn"), "-c", str(GUNICORN_CONF), *bind, "config.wsgi"]
    return [
        str(BIN / "gunicorn"),
        *("--worker-class", "gthread", "--workers", "2", "--threads", "4"),
        *("--timeout", "60", "--access-logfile", "-"),
        *bind,
        "config.wsgi",
    ]


def wait_for_healthz(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}):\n{tail(log)}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{HEALTHZ}", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"gunicorn did not answer {HEALTHZ} in {START_TIMEOUT} s:\n{tail(log)}")


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# ---------------------------------------------------------------- one scenario


def run_scenario(
    scenario: Scenario, args, config_path: Path, url: str, logs: Path, processes: Processes
) -> Outcome:
    outcome = Outcome(scenario)
    outcome.busy_before = busy_cpus()
    started = time.monotonic()
    outcome.load = [os.getloadavg()[0]]
    slug = re.sub(r"[^a-z0-9]+", "-", scenario.name.lower()).strip("-")
    pdf_dir = Path(tempfile.mkdtemp(prefix="load-pdfs-"))
    port = free_port()
    env = server_env(url, pdf_dir, scenario.queued)
    access_log = logs / f"{slug}-gunicorn.log"
    worker_log = logs / f"{slug}-worker.log"
    try:
        web = processes.start("gunicorn", gunicorn_command(port), env, access_log)
        if scenario.queued:
            worker_command = [sys.executable, "manage.py", "db_worker", "--no-startup-delay"]
            if args.worker_nice:
                worker_command = ["nice", "-n", str(args.worker_nice), *worker_command]
            processes.start("db_worker", worker_command, env, worker_log)
        wait_for_healthz(port, web, access_log)

        samples_path = logs / f"{slug}-samples.json"
        csv_prefix = logs / slug
        users = 2 * args.pairs + 2
        locust_env = dict(os.environ) | {
            "LOAD_CONFIG": str(config_path),
            "LOAD_PDFS": "1" if scenario.pdfs else "0",
            "LOAD_WINDOW": str(args.window),
            "LOAD_SAMPLES": str(samples_path),
            "LOAD_CHANGE_SECONDS": str(args.change_seconds),
            "LOAD_SAVE_WAIT": args.save_wait,
            "LOAD_POLL_SECONDS": str(args.poll_seconds),
        }
        # The locustfile ends the run LOAD_WINDOW seconds after everyone is ready (and
        # the PDF waits begun in the window are over, 45 s at most); -t is the outer
        # bound, for a warm-up that never finishes.
        limit = args.window + 45 + 120
        command = [
            str(BIN / "locust"),
            *("-f", str(LOCUSTFILE), "--headless", "--only-summary"),
            *("-u", str(users), "-r", str(users), "-t", f"{limit}s"),
            *("--host", f"http://127.0.0.1:{port}", "--csv", str(csv_prefix)),
            *("--loglevel", "WARNING", "--exit-code-on-error", "0"),
        ]
        locust_log = logs / f"{slug}-locust.log"
        locust = processes.start("locust", command, locust_env, locust_log)
        try:
            locust.wait(limit + 60)
        except subprocess.TimeoutExpired:
            stop(locust)
            raise RuntimeError(f"Locust did not stop within {limit + 60} s") from None
        if locust.returncode != 0:
            raise RuntimeError(f"Locust exited with {locust.returncode}:\n{tail(locust_log)}")
        read_samples(outcome, samples_path)
        read_locust_csv(outcome, csv_prefix)
    except (RuntimeError, OSError, ValueError, KeyError) as exc:
        outcome.error = f"{type(exc).__name__}: {exc}"
    finally:
        processes.stop_all()
        shutil.rmtree(pdf_dir, ignore_errors=True)
    read_server_logs(outcome, access_log, worker_log if scenario.queued else None)
    if scenario.pdfs and outcome.error is None:
        read_renders(outcome, url)
    outcome.seconds = time.monotonic() - started
    outcome.load.append(os.getloadavg()[0])
    return outcome


def read_samples(outcome: Outcome, path: Path) -> None:
    data = json.loads(path.read_text())
    if not data["started"]:
        raise RuntimeError(
            f"only {data['users_ready']} of {data['users']} users got ready: no window measured"
        )
    outcome.window = data["window_seconds"]
    outcome.unfinished = data["unfinished_pdf_waits"]
    outcome.retried = data["retried"]
    outcome.counts.update(data["counts"])
    for kind, ms, ok in data["ready"]:
        if ok:  # a wait that failed is counted with the failures (Locust's CSV)
            outcome.ready.setdefault(kind, []).append(ms / 1000)
    for _request_type, name, ms, _ok in data["samples"]:
        outcome.requests += 1
        if name == HEALTHZ:
            outcome.healthz.append(ms)
        elif not name.startswith("PDF "):
            outcome.pages.append(ms)
            outcome.by_page.setdefault(name, []).append(ms)
        else:
            outcome.counts[name] = outcome.counts.get(name, 0) + 1


def read_locust_csv(outcome: Outcome, prefix: Path) -> None:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["Name"] != "Aggregated"]
    outcome.failures = sum(int(row["Failure Count"]) for row in rows)
    with open(f"{prefix}_failures.csv", newline="") as handle:
        outcome.failure_lines = [
            f"{row['Occurrences']} x {row['Method']} {row['Name']}: {row['Error']}"
            for row in csv.DictReader(handle)
        ]


def read_renders(outcome: Outcome, url: str) -> None:
    stored = ", ".join(f"{n} {kind}" for kind, n in query(url, STORED_PDFS))
    outcome.pdf_lines.append(f"PDFs rendered and stored, warm-up included: {stored}")
    if outcome.scenario.queued:
        outcome.task_failures = dict(query(url, TASKS_BY_STATUS)).get("FAILED", 0)
        for kind, n, median, longest, waited, waited_most in query(url, WORKER_RENDERS):
            # A task whose PDF another task stored meanwhile ends at once: tasks, not renders.
            outcome.pdf_lines.append(
                f"worker, {kind}: {n} tasks, median {median:.1f} s (max {longest:.1f} s), "
                f"queued for median {waited:.1f} s (max {waited_most:.1f} s) before it started"
            )


def read_server_logs(outcome: Outcome, access_log: Path, worker_log: Path | None) -> None:
    text = access_log.read_text(errors="replace") if access_log.exists() else ""
    in_request = {}
    for match in ACCESS_LINE.finditer(text):
        path, status, ms = match.groups()
        if status.startswith("5"):
            outcome.server_errors += 1
        # A 200 PDF that took over half a second was rendered in that request (a stored
        # one is served in milliseconds).
        if path.endswith("report.pdf") and status == "200" and ms and int(ms) > 500:
            kind = "partnership" if path.startswith("/rounds/") else "organisation"
            in_request.setdefault(kind, []).append(int(ms) / 1000)
    if not outcome.scenario.queued:
        for kind, seconds in sorted(in_request.items()):
            outcome.pdf_lines.append(
                f"in the request, {kind}: about {len(seconds)} renders (200s over 0.5 s), "
                f"median {statistics.median(seconds):.1f} s (max {max(seconds):.1f} s)"
            )
    for marker in ("WORKER TIMEOUT", "Traceback"):
        if marker in text:
            outcome.log_problems.append(f"gunicorn log: {text.count(marker)} x {marker}")
    restarts = text.count("Autorestarting worker")
    if restarts:
        outcome.log_problems.append(
            f"gunicorn log: {restarts} worker restarts after max_requests, warm-up included "
            "(a gthread worker that restarts may reset connections: gunicorn issue #3038)"
        )
    if worker_log is not None and worker_log.exists():
        worker = worker_log.read_text(errors="replace")
        if "Traceback" in worker:
            outcome.log_problems.append(f"worker log: {worker.count('Traceback')} x Traceback")


# ---------------------------------------------------------------- reporting


def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank, as bench/run.py."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def ready_cell(values: list[float] | None) -> str:
    if not values:
        return "–"
    return f"{statistics.median(values):.1f} / {percentile(values, 0.95):.1f} ({len(values)})"


def row(outcome: Outcome) -> list[str]:
    if outcome.error or not outcome.pages or not outcome.healthz:
        return [outcome.scenario.name, "failed to run", "", "", "", "", "", ""]
    unit = statistics.median(outcome.healthz)
    median, p95 = statistics.median(outcome.pages), percentile(outcome.pages, 0.95)
    pdfs = outcome.scenario.pdfs
    return [
        outcome.scenario.name,
        f"{outcome.requests / outcome.window:.1f}",
        f"{median:.0f} ({median / unit:.1f}x)",
        f"{p95:.0f} ({p95 / unit:.1f}x)",
        f"{unit:.1f}",
        ready_cell(outcome.ready.get("organisation")) if pdfs else "–",
        ready_cell(outcome.ready.get("partnership")) if pdfs else "–",
        outcome.failure_cell(),
    ]


def markdown(header: list[str], rows: list[list[str]]) -> str:
    lines = [header, ["---"] + ["--:"] * (len(header) - 1), *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def page_table(outcomes: list[Outcome]) -> str:
    names = sorted({name for o in outcomes for name in o.by_page})
    rows = []
    for name in names:
        cells = [name]
        for o in outcomes:
            values = o.by_page.get(name)
            cells.append(
                f"{statistics.median(values):.0f} / {percentile(values, 0.95):.0f} ({len(values)})"
                if values
                else "–"
            )
        rows.append(cells)
    return markdown(["page: median / p95 ms (n)", *[o.scenario.name for o in outcomes]], rows)


BUSY_WARNING = 0.25


def busy_warning(outcomes: list[Outcome]) -> str | None:
    busy = [o for o in outcomes if o.busy_before > BUSY_WARNING]
    if not busy:
        return None
    runs = ", ".join(f"{o.scenario.name} ({o.busy_before:.0%})" for o in busy)
    return (
        f"WARNING: other work kept the CPUs busy just before {runs}: the figures are noisy; "
        "run again on a quiet machine."
    )


def verdict(outcomes: list[Outcome]) -> str:
    by_key = {o.scenario.key: o for o in outcomes}
    baseline, queued = by_key.get("baseline"), by_key.get("queued")
    if baseline is None or queued is None:
        return "Target: not judged (it needs the baseline and queued runs)."
    if baseline.error or queued.error or not baseline.pages or not queued.pages:
        return "Target: not measured (a run failed; see above)."
    ratio = percentile(queued.pages, 0.95) / percentile(baseline.pages, 0.95)
    pages_ok = ratio <= TARGET_RATIO
    met = "met" if pages_ok and queued.clean else "NOT met"
    return (
        f"Target {met}: with queued rendering, ordinary pages' p95 is {ratio:.1f}x the "
        f"no-PDF run's (target at most {TARGET_RATIO:g}x) "
        f"{'OK' if pages_ok else 'OVER'}; failures: {queued.failure_cell()} "
        f"{'OK' if queued.clean else 'OVER'}."
    )


def notes(outcomes: list[Outcome], args) -> list[str]:
    lines = []
    by_key = {o.scenario.key: o for o in outcomes}
    baseline, inline = by_key.get("baseline"), by_key.get("inline")
    if baseline and inline and baseline.pages and inline.pages:
        ratio = percentile(inline.pages, 0.95) / percentile(baseline.pages, 0.95)
        lines.append(f"In-request rendering, for comparison: ordinary pages' p95 {ratio:.1f}x.")
    for o in outcomes:
        parts = [f"{o.window:.0f} s window", f"{o.requests} requests"]
        parts += [f"{v} {k}" for k, v in o.counts.items()]
        if o.unfinished:
            ages = ", ".join(f"{kind} {age:.0f} s" for kind, age in o.unfinished)
            parts.append(f"{len(o.unfinished)} PDF waits cut off by the end ({ages})")
        load = " -> ".join(f"{value:.1f}" for value in o.load)
        lines.append(
            f"{o.scenario.name}: " + ", ".join(parts) + f"; run took {o.seconds:.0f} s, "
            f"machine load average {load}, CPUs {o.busy_before:.0%} busy just before"
        )
        if o.error:
            lines.append(f"  ERROR: {o.error}")
        lines += [f"  {line}" for line in o.pdf_lines]
        if o.retried:
            names = ", ".join(sorted({name for name, _ in o.retried}))
            errors = "; ".join(sorted({error for _, error in o.retried}))
            lines.append(
                f"  {len(o.retried)} GETs sent again after their connection broke, as a "
                f"browser does ({names}): {errors}"
            )
        lines += [f"  failed: {line}" for line in o.failure_lines]
        if o.server_errors:
            lines.append(f"  {o.server_errors} responses 5xx in gunicorn's access log")
        if o.task_failures:
            lines.append(f"  {o.task_failures} PDF tasks failed in the worker")
        lines += [f"  {problem}" for problem in o.log_problems]
    return lines


# ---------------------------------------------------------------- main


def main(argv) -> int:
    args = parse_args(argv)
    url = database_url()
    began = time.monotonic()
    # SIGTERM (a CI timeout, say) stops the run as Ctrl-C does, through the finally.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    print("Bench data (bench/run.py's builder; reused when current)...", flush=True)
    bench_env = dict(os.environ) | {"BENCH_DATABASE_URL": url}
    built = subprocess.run([sys.executable, str(SETUP), "bench"], cwd=REPO, env=bench_env)
    if built.returncode != 0:
        sys.exit("Building or checking the bench data failed (see above).")

    bench_name = database_name(url)
    # This run's own copies: two runs at once never drop each other's.
    template_name = f"{bench_name}_load_template_{os.getpid()}"
    load_name = f"{bench_name}_load_{os.getpid()}"
    server = Server(url)
    processes = Processes()
    logs = args.logs or Path(tempfile.mkdtemp(prefix="load-run-"))
    logs.mkdir(parents=True, exist_ok=True)
    outcomes = []
    try:
        server.copy(bench_name, template_name)
        prepared = subprocess.run(
            [sys.executable, str(SETUP), "prepare", with_name(url, template_name), str(args.pairs)],
            cwd=REPO,
            env=dict(os.environ) | {"BENCH_DATABASE_URL": url},
            capture_output=True,
            text=True,
        )
        if prepared.returncode != 0:
            sys.exit(f"Preparing the load data failed:\n{prepared.stderr.strip()}")
        config_path = logs / "config.json"
        config_path.write_text(prepared.stdout)
        config = json.loads(prepared.stdout)
        print(
            f"Load: {args.pairs} ICT managers and {args.pairs} executives of "
            f"{config['partnership']} (30 partners; each ICT manager saves every "
            f"{args.save_wait.replace(',', ' to ')} s), an administrator and a /healthz probe; "
            f"{args.window} s measured per run after sign-in and warm-up; a submission or "
            f"reopening every {args.change_seconds} s.",
            flush=True,
        )
        if args.worker_nice:
            print(f"The db_worker runs at niceness {args.worker_nice}.", flush=True)
        for scenario in [s for s in SCENARIOS if s.key in args.scenarios]:
            print(f"Running: {scenario.name}...", flush=True)
            server.copy(template_name, load_name)
            outcome = run_scenario(
                scenario, args, config_path, with_name(url, load_name), logs, processes
            )
            outcomes.append(outcome)
            if outcome.error:
                print(f"  ERROR: {outcome.error}", flush=True)
    finally:
        processes.stop_all()
        for name in (load_name, template_name):
            server.drop(name)
        server.close()
        if args.logs is None:
            shutil.rmtree(logs, ignore_errors=True)

    header = [
        "scenario",
        "req/s",
        "pages median ms (x healthz)",
        "pages p95 ms (x healthz)",
        "healthz median ms",
        "org PDF ready median / p95 s (n)",
        "partnership PDF ready median / p95 s (n)",
        "failures",
    ]
    print()
    print(markdown(header, [row(o) for o in outcomes]))
    print()
    print(verdict(outcomes))
    if warning := busy_warning(outcomes):
        print(warning)
    print()
    print("\n".join(notes(outcomes, args)))
    print()
    print(page_table(outcomes))
    print(f"\nmake load took {time.monotonic() - began:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
