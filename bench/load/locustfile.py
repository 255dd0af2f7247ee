"""The mixed load of `make load`, for Locust: started by bench/load/run_load.py, which
prepares the data and the server and passes these settings in the environment:

    LOAD_CONFIG   JSON from setup_data.py prepare: password, round, dimensions, and the
                  pairs (an organisation of Bench partnership 01 whose assessment in the
                  open round is a draft, its ICT manager and its executive)
    LOAD_PDFS     1: executives download the PDFs after changes; 0: they never do
    LOAD_WINDOW   seconds measured (default 60)
    LOAD_SAMPLES  where to write every measured request (JSON), for run_load.py
    LOAD_CHANGE_SECONDS  seconds between submitting an assessment and reopening it
                  (default 15): the changes that make a new partnership PDF
    LOAD_SAVE_WAIT  "MIN,MAX" seconds an ICT manager waits between saves (default 3,6)
    LOAD_POLL_SECONDS  seconds between requests for a PDF being prepared (default 1)

Users, one of each per pair, plus an administrator and a probe:

- ICT manager (a save every LOAD_SAVE_WAIT, 3 to 6 s): opens a dimension of their
  organisation's draft, changes one level and saves it as a draft (a new organisation
  PDF), then views the task list. Every LOAD_CHANGE_SECONDS one of them submits their
  assessment (check answers, submit) and the administrator reopens it as long after:
  each is a change the partnership report shows, so a new partnership PDF. (A draft's
  answers count only in its organisation's own report: a draft save alone leaves the
  partnership PDF as it was.)
- Executive: dashboard, partnership report, organisation report, 1 to 2 s apart, again
  and again. With PDFs, just after a change (checked after each page): the
  organisation PDF after any change to their organisation's assessment, the
  partnership PDF after a submission or reopening, each downloaded as from another
  browser tab while they read on, so the pages read are the same with and without
  PDFs. A download that answers 202 ("being prepared") is asked again every second
  (LOAD_POLL_SECONDS) until a 200 application/pdf arrives: its time-to-ready runs
  from the first request to then. One download of each kind at a time per executive.
- Probe: /healthz twice a second, the unit the pages are compared with.

Everyone signs in (POST /accounts/login/) and warms up first (executives download the
two PDFs once, so the window measures PDFs made again after a change); the window
starts when the last user is ready: the statistics are reset then, and the run stops
LOAD_WINDOW seconds later, once the PDF waits begun in the window are over (at most
GRACE_SECONDS more, the load going on unmeasured meanwhile).
"""

import json
import os
import random
import re
import time
from html.parser import HTMLParser
from itertools import count
from pathlib import Path

import gevent
from gevent.event import Event
from locust import HttpUser, between, constant, events, task
from urllib3.util.retry import Retry

CONFIG = json.loads(Path(os.environ["LOAD_CONFIG"]).read_text(encoding="utf-8"))
PDFS = os.environ.get("LOAD_PDFS", "1") == "1"
WINDOW_SECONDS = float(os.environ.get("LOAD_WINDOW", "60"))
CHANGE_SECONDS = float(os.environ.get("LOAD_CHANGE_SECONDS", "15"))
SAVE_WAIT = [float(s) for s in os.environ.get("LOAD_SAVE_WAIT", "3,6").split(",")]
SAMPLES_PATH = os.environ.get("LOAD_SAMPLES")
PAIRS = CONFIG["pairs"]
ROUND = CONFIG["round"]
# The "being prepared" page refreshes itself every 5 s; polling every second measures the
# time-to-ready to the second (and asks five times as often as a browser would).
POLL_SECONDS = float(os.environ.get("LOAD_POLL_SECONDS", "1"))
POLL_LIMIT_SECONDS = 120.0
# After the window, PDF waits that began in it may finish (the load goes on meanwhile,
# unmeasured), so the slowest are not cut off; at most this long.
GRACE_SECONDS = 45.0
USERS = 2 * len(PAIRS) + 2  # ICT managers, executives, the administrator, the probe

HEALTHZ = "/healthz"
READY = "READY"  # the request type of the time-to-ready events
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ANSWER_FIELD = re.compile(r"^(level|evidence|comment|version)_(\d+)$")


# ---------------------------------------------------------------- shared state


class Window:
    """The measured window: starts when every user has signed in and warmed up."""

    ready = 0
    released = Event()
    start: float | None = None
    end: float | None = None
    unfinished: list[tuple] = []  # (kind, age in s) of the PDF waits cut off by the end
    counts: dict[str, int] = {}  # the changes made in the window


class Changes:
    """What changed since a download, so executives download just after changes."""

    organisation: dict[int, int] = {pair["assessment"]: 0 for pair in PAIRS}
    partnership = 0
    claimed: int | None = None  # the assessment being submitted, until it is reopened
    submitted: int | None = None  # the assessment waiting for the administrator
    last_change = 0.0  # when the partnership report last changed (submit or reopen)
    counts = {"saves": 0, "submits": 0, "reopens": 0}


SAMPLES: list[tuple] = []  # (request type, name, ms, ok) of the requests in the window
RETRIED: list[tuple] = []  # (name, error) of the GETs in the window sent again
READY_SAMPLES: list[tuple] = []  # (kind, ms, ok) of the PDF waits begun in the window
ACTIVE_WAITS: dict[int, tuple[str, float]] = {}  # (kind, when it began) of each PDF wait
_wait_ids = count()
_next_ict, _next_executive = count(), count()


@events.request.add_listener
def record(request_type, name, response_time, exception=None, response=None, **_kwargs):
    if request_type != READY and Window.start is not None and Window.end is None:
        SAMPLES.append((request_type, name, round(response_time, 2), exception is None))
        retries = getattr(getattr(response, "raw", None), "retries", None)
        if retries is not None and retries.history:
            RETRIED.append((name, str(retries.history[-1].error)))


@events.quitting.add_listener
def write_samples(environment, **_kwargs):
    if not SAMPLES_PATH:
        return
    end = Window.end or time.time()
    with open(SAMPLES_PATH, "w", encoding="utf-8") as handle:
        json.dump(
            {
                "window_seconds": (end - Window.start) if Window.start else 0.0,
                "started": Window.start is not None,
                "users_ready": Window.ready,
                "users": USERS,
                "counts": Window.counts,
                "unfinished_pdf_waits": Window.unfinished,
                "samples": SAMPLES,
                "retried": RETRIED,
                "ready": READY_SAMPLES,
            },
            handle,
        )


def arrive(environment) -> None:
    """Wait here until every user is ready; the last one starts the window."""
    Window.ready += 1
    if Window.ready == USERS:
        environment.runner.stats.reset_all()
        Window.start = Changes.last_change = time.time()
        Window.released.set()
        gevent.spawn_later(WINDOW_SECONDS, finish, environment)
    Window.released.wait()


def finish(environment) -> None:
    Window.end = time.time()
    Window.counts = dict(Changes.counts)
    deadline = Window.end + GRACE_SECONDS

    def waiting():
        return [(kind, t) for kind, t in ACTIVE_WAITS.values() if t < Window.end]

    while waiting() and time.time() < deadline:
        gevent.sleep(0.2)
    Window.unfinished = [(kind, round(time.time() - t, 1)) for kind, t in waiting()]
    environment.runner.quit()


# ---------------------------------------------------------------- HTML forms


class FormParser(HTMLParser):
    """The fields a browser would submit from each form of a page (checked radios,
    hidden and text inputs, textareas), without the submit buttons."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, str]] = []
        self._form: dict[str, str] | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self._form = {}
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and attributes.get("name"):
            kind = (attributes.get("type") or "text").lower()
            if kind in ("radio", "checkbox"):
                if "checked" in attributes:
                    self._form[attributes["name"]] = attributes.get("value") or "on"
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self._form[attributes["name"]] = attributes.get("value") or ""
        elif tag == "textarea" and self._form is not None:
            self._textarea, self._text = attributes.get("name"), []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # Browsers drop the newline that follows <textarea>, as Django's widget writes.
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):
                text = text[1:]
            self._form[self._textarea] = text
            self._textarea = None
        elif tag == "form":
            self._form = None


def answer_form(html: str) -> dict[str, str] | None:
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        if any(name.startswith("version_") for name in form):
            return form
    return None


def csrf_token(html: str) -> str | None:
    match = CSRF.search(html)
    return match.group(1) if match else None


# ---------------------------------------------------------------- the users


# A GET whose connection breaks before the answer (the server closing an idle keep-alive
# connection just as it is reused, or a gunicorn worker restarting) is sent once more
# on a new connection, as browsers do; each one is reported. Other requests are not.
BROWSER_RETRY = Retry(
    total=1, connect=1, read=1, status=0, other=0, allowed_methods=frozenset({"GET"})
)


def sign_in(user: HttpUser, username: str) -> bool:
    for adapter in user.client.adapters.values():
        adapter.max_retries = BROWSER_RETRY
    page = user.client.get("/accounts/login/", name="sign-in page")
    data = {
        "csrfmiddlewaretoken": csrf_token(page.text) or "",
        "username": username,
        "password": CONFIG["password"],
    }
    with user.client.post(
        "/accounts/login/", data=data, name="sign-in", allow_redirects=False, catch_response=True
    ) as response:
        if response.status_code != 302:
            response.failure(f"{username} not signed in: {response.status_code}")
            return False
    return True


def expect_redirect(response, ending: str, what: str) -> bool:
    location = response.headers.get("Location", "")
    if response.status_code == 302 and location.endswith(ending):
        return True
    response.failure(f"{what}: {response.status_code} {location}".strip())
    return False


class Probe(HttpUser):
    fixed_count = 1
    wait_time = constant(0.5)

    def on_start(self):
        for adapter in self.client.adapters.values():
            adapter.max_retries = BROWSER_RETRY
        arrive(self.environment)

    @task
    def healthz(self):
        self.client.get(HEALTHZ, name=HEALTHZ)


class IctManager(HttpUser):
    fixed_count = len(PAIRS)
    wait_time = between(*SAVE_WAIT)

    def on_start(self):
        index = next(_next_ict)
        self.pair = PAIRS[index]
        self.assessment = self.pair["assessment"]
        self.tasks_url = f"/assessments/{self.assessment}/"
        dimensions = CONFIG["dimensions"]
        start = index % len(dimensions)
        self.dimensions = dimensions[start:] + dimensions[:start]
        self.saves = 0
        try:
            if sign_in(self, self.pair["ict_manager"]):
                self.client.get(self.tasks_url, name="task list")
        finally:
            arrive(self.environment)

    @task
    def save_a_dimension(self):
        if Changes.claimed == self.assessment:
            # Submitted, waiting for the administrator to reopen it: read-only.
            self.client.get(self.tasks_url, name="task list")
            return
        code = self.dimensions[self.saves % len(self.dimensions)]
        url = f"/assessments/{self.assessment}/dimensions/{code}/"
        with self.client.get(url, name="dimension page", catch_response=True) as page:
            form = answer_form(page.text) if page.status_code == 200 else None
            if form is None:
                page.failure(f"no answer form ({page.status_code})")
                return
        questions = sorted({m.group(2) for name in form if (m := ANSWER_FIELD.match(name))})
        question = questions[self.saves % len(questions)]
        level = form.get(f"level_{question}")
        # One level changed: the organisation's report (and PDF) changes.
        form[f"level_{question}"] = str((int(level) + 1) % 5 if level else 2)
        form["action"] = "draft"
        with self.client.post(
            url, data=form, name="save dimension", allow_redirects=False, catch_response=True
        ) as response:
            if not expect_redirect(response, self.tasks_url, "not saved"):
                return
        self.saves += 1
        Changes.counts["saves"] += 1
        Changes.organisation[self.assessment] += 1
        self.client.get(self.tasks_url, name="task list")
        if Changes.claimed is None and time.time() - Changes.last_change >= CHANGE_SECONDS:
            self.submit()

    def submit(self):
        Changes.claimed = self.assessment  # no other ICT manager submits until it is reopened
        check, submitted = f"/assessments/{self.assessment}/check/", f"{self.tasks_url}submitted/"
        page = self.client.get(check, name="check answers")
        with self.client.post(
            check,
            data={"csrfmiddlewaretoken": csrf_token(page.text) or ""},
            name="submit",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            done = expect_redirect(response, submitted, "not submitted")
        # The confirmation page shows only for a submitted assessment (else it redirects):
        # it also says whether a submission whose answer was lost went through.
        confirmation = self.client.get(submitted, name="submitted page", allow_redirects=False)
        if not done and confirmation.status_code != 200:
            Changes.claimed = None
            return
        Changes.submitted = self.assessment
        Changes.last_change = time.time()
        Changes.partnership += 1
        Changes.organisation[self.assessment] += 1
        Changes.counts["submits"] += 1


class Administrator(HttpUser):
    """Reopens the submitted assessment LOAD_CHANGE_SECONDS after it was submitted."""

    fixed_count = 1
    wait_time = constant(1)

    def on_start(self):
        try:
            sign_in(self, CONFIG["admin"])
        finally:
            arrive(self.environment)

    @task
    def reopen(self):
        assessment = Changes.submitted
        if assessment is None or time.time() - Changes.last_change < CHANGE_SECONDS:
            return
        url = f"/assessments/{assessment}/reopen/"
        page = self.client.get(url, name="reopen page")
        data = {
            "csrfmiddlewaretoken": csrf_token(page.text) or "",
            "reason": "The partner asked to correct an answer (load test).",
        }
        with self.client.post(
            url, data=data, name="reopen", allow_redirects=False, catch_response=True
        ) as response:
            if not expect_redirect(response, f"/assessments/{assessment}/", "not reopened"):
                return
        Changes.last_change = time.time()
        Changes.partnership += 1
        Changes.organisation[assessment] += 1
        Changes.counts["reopens"] += 1
        Changes.submitted = Changes.claimed = None


class Executive(HttpUser):
    fixed_count = len(PAIRS)
    wait_time = between(1, 3)

    def on_start(self):
        self.pair = PAIRS[next(_next_executive)]
        self.assessment = self.pair["assessment"]
        self.report = f"/rounds/{ROUND}/report/"
        self.organisation_report = f"/assessments/{self.assessment}/report/"
        self.seen = {"organisation": 0, "partnership": 0}
        self.downloads: dict[str, gevent.Greenlet] = {}
        try:
            if sign_in(self, self.pair["executive"]) and PDFS:
                # Warm-up: the PDFs as they are, so the window measures PDFs made again.
                self.download("organisation", f"{self.organisation_report[:-1]}.pdf")
                self.download("partnership", f"{self.report[:-1]}.pdf")
        finally:
            arrive(self.environment)

    def on_stop(self):
        for download in self.downloads.values():
            download.kill(block=False)

    def think(self):
        gevent.sleep(random.uniform(1, 2))

    @task
    def read_reports(self):
        self.client.get("/", name="dashboard")
        self.download_changed()
        self.think()
        self.client.get(self.report, name="partnership report")
        self.download_changed()
        self.think()
        self.client.get(self.organisation_report, name="organisation report")
        self.download_changed()

    def download_changed(self):
        """Just after a change: download the PDF it changed, as from another browser tab
        (the "being prepared" page refreshing itself) while reading on, so the pages
        read are the same with and without PDFs. One download of each at a time."""
        if not PDFS:
            return
        for kind, version, url in [
            ("organisation", Changes.organisation[self.assessment], self.organisation_report),
            ("partnership", Changes.partnership, self.report),
        ]:
            running = self.downloads.get(kind)
            if version == self.seen[kind] or (running is not None and not running.dead):
                continue
            self.seen[kind] = version
            self.downloads[kind] = gevent.spawn(self.download, kind, f"{url[:-1]}.pdf")

    def download(self, kind: str, url: str) -> None:
        """GET the PDF, and again every POLL_SECONDS while it answers 202; fires a READY
        event with the time from the first request to the PDF served."""
        start = time.perf_counter()
        wait = next(_wait_ids)
        began = time.time()
        ACTIVE_WAITS[wait] = (kind, began)
        measured = Window.start is not None and began >= Window.start and Window.end is None

        def ready(exception=None, length=0):
            ms = (time.perf_counter() - start) * 1000
            events.request.fire(
                request_type=READY,
                name=f"{kind} PDF ready",
                response_time=ms,
                response_length=length,
                exception=exception,
                context={},
            )
            if measured:
                READY_SAMPLES.append((kind, round(ms, 1), exception is None))

        try:
            while True:
                with self.client.get(url, name=f"PDF {kind}", catch_response=True) as response:
                    content_type = response.headers.get("Content-Type", "")
                    if response.status_code == 200 and content_type.startswith("application/pdf"):
                        ready(length=len(response.content))
                        return
                    if response.status_code != 202:
                        response.failure(f"{response.status_code} {content_type}")
                        return
                if time.perf_counter() - start > POLL_LIMIT_SECONDS:
                    ready(RuntimeError(f"not ready after {POLL_LIMIT_SECONDS:.0f} s"))
                    return
                gevent.sleep(POLL_SECONDS)
        except Exception as exc:  # noqa: BLE001 - reported as a failure, not a crash
            ready(exc)
        finally:
            ACTIVE_WAITS.pop(wait, None)
