"""PDFs rendered off the request path (issue 13): the render task on the database
queue, run by real `manage.py db_worker` processes (here: threads), WeasyPrint output
read back with pypdf.

Tests that run the worker use real transactions (`transaction=True`): the worker
commits, closes connections and claims tasks the way it does in production."""

import io
import re
import threading
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks.signals import task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from assessments.actions.services import create_action, update_action
from assessments.capture.services import submit_assessment
from assessments.choices import OwnerRole
from assessments.models import Assessment, RenderedPdf
from assessments.reporting import pdf_documents, pdf_queue, pdf_store
from assessments.reporting.cache import cached_partnership_report
from assessments.reporting.pdf_documents import (
    ORGANISATION,
    PARTNERSHIP,
    partnership_document,
)
from assessments.reporting.pdf_queue import render_report_pdf
from partnerships.services import record_funding_formula
from tests.builders import add_partner, assess, sign_funding

WORKER = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _pdf_cache(settings, tmp_path):
    settings.PDF_CACHE_DIR = tmp_path / "pdf-cache"
    return settings.PDF_CACHE_DIR


@pytest.fixture
def workers_on(settings):
    settings.PDF_WORKERS = True


@pytest.fixture(autouse=True)
def _no_signal_handlers(monkeypatch):
    """The worker installs SIGINT/SIGTERM handlers, which only the main thread may do,
    and which would outlive it in the test process."""
    monkeypatch.setattr(Worker, "configure_signals", lambda self: None)


@pytest.fixture
def partnership(council_a):
    """Council A (lead, level 4) and Bexley Vale (weak), both submitted, A signed."""
    bexley = add_partner(council_a.partnership, "Bexley Vale Council")
    own = assess(council_a.round, council_a.organisation, level=4, evidence="Avonford minutes")
    assess(council_a.round, bexley, level=3, levels={"identity-management.citizen-identity": 0})
    sign_funding(council_a.partnership, [council_a.organisation])
    return own


class Renders:
    """Counts the PDFs actually rendered (WeasyPrint runs), by document."""

    def __init__(self, monkeypatch):
        self.counts = Counter()
        self.threads = set()
        self._lock = threading.Lock()
        self._real = pdf_documents.Document.render
        self.before = None  # called (outside the lock) before each render

        def render(document):
            with self._lock:
                self.counts[document.kind, document.object_id] += 1
                self.threads.add(threading.current_thread().name)
                number = sum(self.counts.values())
            if self.before is not None:
                self.before(number)
            return self._real(document)

        monkeypatch.setattr(pdf_documents.Document, "render", render)

    @property
    def total(self):
        return sum(self.counts.values())


@pytest.fixture
def renders(monkeypatch):
    return Renders(monkeypatch)


def run_worker(worker_id="worker-1"):
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
        worker_id,
        stdout=out,
        stderr=out,
    )
    return out.getvalue()


def tasks(**filters):
    return DBTaskResult.objects.filter(task_path=render_report_pdf.module_path, **filters)


def ready_by_pdf():
    return Counter(
        (t.args_kwargs["kwargs"]["kind"], t.args_kwargs["kwargs"]["object_id"])
        for t in tasks(status=TaskResultStatus.READY)
    )


def pdf_text(pdf: bytes) -> str:
    assert pdf is not None and pdf.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def flat(text: str) -> str:
    return " ".join(text.split())


def preparing_targets(response):
    """Where the "being prepared" page goes next: its refresh (the `Refresh` header,
    sent once the reader chose to keep checking; the page itself otherwise) and its
    "Check now" link."""
    html = response.text
    here = response.request["PATH_INFO"]
    if response.request.get("QUERY_STRING"):
        here += "?" + response.request["QUERY_STRING"]
    refresh = re.search(r"url=(.*)$", response.get("Refresh", ""))
    check_now = re.search(r'href="([^"]*)">Check now</a>', html)[1]
    return (unescape(refresh[1]) if refresh else here), unescape(check_now)


def pdf_url(council):
    return reverse("assessments:partnership_report_pdf", args=[council.round.pk])


# ------------------------------------------------------------------------ the task


@WORKER
def test_the_worker_renders_a_queued_pdf_for_real_and_stores_it(
    council_a, partnership, workers_on, renders
):
    pdf_queue.queue(PARTNERSHIP, council_a.round.pk)
    assert ready_by_pdf() == {(PARTNERSHIP, council_a.round.pk): 1}
    key = partnership_document(council_a.round).key
    assert pdf_store.read(key) is None

    run_worker()

    task = tasks().get()
    assert task.status == TaskResultStatus.SUCCESSFUL, task.traceback
    assert task.return_value == key
    stored = pdf_store.read(key)
    reader = PdfReader(io.BytesIO(stored))
    assert reader.metadata.title == "Avonford Council partnership: readiness report, 2026 review"
    text = flat(pdf_text(stored))
    assert "Board summary" in text and "Verdict: Not ready" in text
    assert RenderedPdf.objects.get(key=key).size == len(stored)
    assert renders.counts == {(PARTNERSHIP, council_a.round.pk): 1}

    # A task for a PDF already stored renders nothing.
    assert render_report_pdf.call(kind=PARTNERSHIP, object_id=council_a.round.pk) == key
    assert renders.total == 1


@pytest.mark.django_db
def test_the_task_renders_nothing_for_a_deleted_assessment(partnership, renders):
    assessment_id = partnership.pk
    Assessment.objects.filter(pk=assessment_id).delete()
    assert render_report_pdf.call(kind=ORGANISATION, object_id=assessment_id) is None
    assert renders.total == 0


@pytest.mark.django_db
def test_nothing_is_queued_without_workers_or_when_the_change_rolls_back(
    settings, council_a, partnership
):
    settings.PDF_WORKERS = False
    pdf_queue.queue(PARTNERSHIP, council_a.round.pk)
    pdf_queue.queue_partnership(council_a.partnership.pk)
    assert not tasks().exists()

    settings.PDF_WORKERS = True
    try:
        with transaction.atomic():
            pdf_queue.queue_after_commit(rounds=[council_a.round], assessments=[partnership])
            raise RuntimeError("the change fails")
    except RuntimeError:
        pass
    assert not tasks().exists()


# ------------------------------------------------------------------ deduplication


@WORKER
def test_many_saves_make_one_waiting_task_per_pdf_and_one_render_of_the_latest_data(
    client, council_a, workers_on, renders
):
    """Ten saves in a minute: a submission, a formula, an action agreed and changed
    again and again. Each PDF waits in the queue once; the worker renders each once,
    and what it renders is the data as it is after the last save."""
    bexley = add_partner(council_a.partnership, "Bexley Vale Council")
    theirs = assess(council_a.round, bexley, level=2)
    own = assess(council_a.round, council_a.organisation, level=4, status="draft")
    assert not tasks().exists()

    submit_assessment(assessment=own, user=council_a.ict_manager)
    record_funding_formula(
        partnership=council_a.partnership,
        text="Shared by population.",
        shares={council_a.organisation.pk: Decimal("60"), bexley.pk: Decimal("40")},
        user=council_a.executive,
    )
    gaps = cached_partnership_report(council_a.round)[0]["gaps"]
    funding = next(g for g in gaps if g["code"] == "funding-formula-not-agreed")
    action = create_action(
        user=council_a.executive,
        round_=council_a.round,
        gap=funding,
        partnership_wide=True,
        description="Agree the formula, draft 1.",
        owner_role=OwnerRole.EXECUTIVE,
        owner_name="",
        due_on=timezone.localdate() + timedelta(days=30),
    )
    for draft in range(2, 9):
        action = update_action(
            user=council_a.executive,
            action=action,
            version=action.version,
            description=f"Agree the formula, draft {draft}.",
        )

    expected = {
        (PARTNERSHIP, council_a.round.pk): 1,
        (ORGANISATION, own.pk): 1,
        (ORGANISATION, theirs.pk): 1,
    }
    assert ready_by_pdf() == expected
    assert renders.total == 0  # queued, not rendered in the saving request

    run_worker()

    assert not tasks().exclude(status=TaskResultStatus.SUCCESSFUL).exists()
    assert renders.counts == expected
    client.force_login(council_a.executive)
    response = client.get(pdf_url(council_a))
    assert response.status_code == 200 and response["X-PDF-Cache"] == "hit"
    text = flat(pdf_text(response.content))
    assert "Agree the formula, draft 8." in text
    assert "draft 7." not in text
    organisation = client.get(reverse("assessments:organisation_report_pdf", args=[own.pk]))
    assert organisation["X-PDF-Cache"] == "hit"
    assert renders.counts == expected


@WORKER
def test_a_change_after_a_render_started_queues_a_fresh_render(council_a, partnership, workers_on):
    """Only a task that has not started yet covers later changes: one already running
    may be rendering the data as it was before the change."""
    pdf_queue.queue(PARTNERSHIP, council_a.round.pk)
    tasks().update(status=TaskResultStatus.RUNNING)
    pdf_queue.queue(PARTNERSHIP, council_a.round.pk)
    pdf_queue.queue(PARTNERSHIP, council_a.round.pk)
    assert ready_by_pdf() == {(PARTNERSHIP, council_a.round.pk): 1}
    assert tasks().count() == 2


# ---------------------------------------------------------------- several workers


@WORKER
def test_two_workers_never_render_the_same_task_twice(
    council_a, council_b, partnership, workers_on, renders
):
    """Two `db_worker`s on one queue: every task runs once, every PDF renders once,
    and both workers really ran at the same time (the first two renders wait for
    each other)."""
    council_b_own = assess(council_b.round, council_b.organisation, level=2)
    other = Assessment.objects.exclude(pk__in=[partnership.pk, council_b_own.pk]).get()
    pdfs = [
        (PARTNERSHIP, council_a.round.pk),
        (ORGANISATION, partnership.pk),
        (ORGANISATION, other.pk),
        (PARTNERSHIP, council_b.round.pk),
        (ORGANISATION, council_b_own.pk),
    ]
    for kind, object_id in pdfs:
        pdf_queue.queue(kind, object_id)
    assert tasks(status=TaskResultStatus.READY).count() == len(pdfs)

    together = threading.Barrier(2, timeout=60)
    renders.before = lambda number: together.wait() if number <= 2 else None
    started = Counter()

    def count_start(sender, task_result, **kwargs):
        started[task_result.id] += 1

    task_started.connect(count_start, dispatch_uid="test-count-starts")
    errors = []

    def worker(worker_id):
        try:
            run_worker(worker_id)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(name,), name=name)
        for name in ("worker-one", "worker-two")
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    finally:
        task_started.disconnect(dispatch_uid="test-count-starts")
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []

    done = list(tasks())
    assert [t.traceback for t in done if t.status != TaskResultStatus.SUCCESSFUL] == []
    assert sorted(started.values()) == [1] * len(pdfs)
    assert {str(t.id) for t in done} == set(started)
    assert renders.counts == Counter(dict.fromkeys(pdfs, 1))
    assert renders.threads == {"worker-one", "worker-two"}
    assert {worker_id for t in done for worker_id in t.worker_ids} == {"worker-one", "worker-two"}
    assert all(len(t.worker_ids) == 1 for t in done)
    assert RenderedPdf.objects.count() == len(pdfs)


# ---------------------------------------------------------------- failures and retries


@WORKER
def test_a_failed_render_is_retried_then_reported_and_never_served(
    client, council_a, partnership, workers_on, monkeypatch, _pdf_cache
):
    attempts = []

    def broken(html):
        attempts.append(html)
        raise RuntimeError("simulated WeasyPrint failure")

    monkeypatch.setattr(pdf_documents, "render_pdf", broken)
    client.force_login(council_a.executive)
    assert client.get(pdf_url(council_a)).status_code == 202  # queued

    run_worker()

    first, retry = tasks().order_by("enqueued_at")
    assert first.status == TaskResultStatus.FAILED
    assert "simulated WeasyPrint failure" in first.traceback
    assert retry.status == TaskResultStatus.READY
    assert retry.args_kwargs["kwargs"] == {
        "kind": PARTNERSHIP,
        "object_id": council_a.round.pk,
        "attempt": 2,
    }
    assert retry.run_after >= first.started_at + timedelta(seconds=25)
    assert len(attempts) == 1
    # While the retry waits, downloads say "being prepared" and queue nothing more.
    waiting = client.get(pdf_url(council_a))
    assert waiting.status_code == 202
    assert tasks().count() == 2

    for attempt in (2, 3):  # the retry's time comes
        tasks(status=TaskResultStatus.READY).update(run_after=timezone.now())
        run_worker()
        assert len(attempts) == attempt
    finished = list(tasks().order_by("enqueued_at"))
    assert [t.status for t in finished] == [TaskResultStatus.FAILED] * 3
    assert [t.args_kwargs["kwargs"].get("attempt", 1) for t in finished] == [1, 2, 3]

    response = client.get(pdf_url(council_a))
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert not response.content.startswith(b"%PDF")
    assert "could not be made" in response.text
    assert 'href="?retry=1"' in response.text
    assert tasks().count() == 3  # a failed PDF is not queued again by looking at it
    assert not RenderedPdf.objects.exists()
    assert not [path for path in _pdf_cache.rglob("*") if path.is_file()]

    # "Try again" queues it once more, from the first attempt, and lands on the
    # "being prepared" page...
    again = client.get(pdf_url(council_a) + "?retry=1", follow=True)
    assert again.status_code == 202
    assert "Your report is being prepared" in again.text
    assert ready_by_pdf() == {(PARTNERSHIP, council_a.round.pk): 1}
    # ...whose refresh and "check now" say so when that fails too, instead of
    # queueing it again and again.
    refresh, check_now = preparing_targets(again)
    for _ in range(3):
        tasks(status=TaskResultStatus.READY).update(run_after=timezone.now())
        run_worker()
    assert len(attempts) == 6
    for target in (refresh, check_now):
        response = client.get(target)
        assert response.status_code == 503, target
    assert tasks().count() == 6


@WORKER
def test_a_worker_that_cannot_store_the_pdf_retries_then_says_so(
    client, council_a, partnership, workers_on, renders, monkeypatch, _pdf_cache
):
    """A render the worker cannot keep (a full or read-only store) is no use to anyone:
    it is retried like a failed render, then reported, instead of the page saying
    "being prepared" for ever while every refresh renders it again."""

    def read_only(src, dst):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(pdf_store.os, "replace", read_only)
    client.force_login(council_a.executive)
    assert client.get(pdf_url(council_a)).status_code == 202
    for _ in range(6):
        tasks(status=TaskResultStatus.READY).update(run_after=timezone.now())
        run_worker()
        client.get(pdf_url(council_a))  # someone waiting on the page
    assert renders.total == 3
    assert [t.status for t in tasks()] == [TaskResultStatus.FAILED] * 3
    assert client.get(pdf_url(council_a)).status_code == 503
    assert [path for path in _pdf_cache.rglob("*") if path.is_file()] == []
    assert not RenderedPdf.objects.exists()


# ------------------------------------------------------------- "being prepared"


@WORKER
def test_a_pdf_not_ready_yet_says_it_is_being_prepared_then_the_same_url_serves_it(
    client, council_a, partnership, workers_on, renders
):
    client.force_login(council_a.executive)
    url = pdf_url(council_a)
    response = client.get(url)

    assert response.status_code == 202
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    html = response.text
    assert "Your report is being prepared" in html
    # No refresh the reader did not ask for (WCAG 2.2.1); offered, and stoppable.
    assert 'http-equiv="refresh"' not in html and "Refresh" not in response
    assert f'href="{url}">Check now</a>' in html
    assert f'href="{url}?wait=1">keep checking automatically</a>' in html
    waiting = client.get(url + "?wait=1")
    assert waiting.status_code == 202
    assert waiting["Refresh"] == f"5; url={url}?wait=1"
    assert f'href="{url}">Stop checking automatically</a>' in waiting.text
    report_url = reverse("assessments:partnership_report", args=[council_a.round.pk])
    assert f'href="{report_url}">report as a web page</a>' in html
    assert renders.total == 0
    assert ready_by_pdf() == {(PARTNERSHIP, council_a.round.pk): 1}
    # Asking again while it waits queues nothing more.
    assert client.get(url).status_code == 202
    assert tasks().count() == 1

    run_worker()

    served = client.get(url)
    assert served.status_code == 200
    assert served["X-PDF-Cache"] == "hit"
    assert served["Content-Disposition"] == (
        'attachment; filename="avonford-council-partnership-2026-review-readiness.pdf"'
    )
    assert "Board summary" in pdf_text(served.content)
    assert renders.total == 1


@WORKER
def test_the_organisation_pdf_preparing_page_links_to_its_own_web_page(
    client, council_a, partnership, workers_on
):
    client.force_login(council_a.executive)
    response = client.get(reverse("assessments:organisation_report_pdf", args=[partnership.pk]))
    assert response.status_code == 202
    report_url = reverse("assessments:organisation_report", args=[partnership.pk])
    assert f'href="{report_url}">report as a web page</a>' in response.text
    assert ready_by_pdf() == {(ORGANISATION, partnership.pk): 1}
