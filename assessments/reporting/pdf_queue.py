"""Preparing PDFs off the request path, on Django's task framework (django-tasks with
its database backend; `manage.py db_worker` runs the tasks).

- When what a PDF shows changes (an assessment submitted, a round closed, a funding
  formula recorded or signed, an action agreed or updated), the affected PDFs are
  queued, after the change commits. A PDF already waiting in the queue is not queued
  again: the task renders the data as it is when it runs, so ten saves in a minute
  make one render, of the latest data.
- A render that fails is queued again, a little later, up to PDF_RENDER_ATTEMPTS times;
  then the download page says it could not be prepared. A broken file is never stored.
- With no worker (PDF_WORKERS off, the embedded default) nothing is queued and
  downloads render in the request (`render_in_request`), one render per PDF at a time
  and at most PDF_RENDERS_PER_PROCESS per process, so PDFs never take every web worker.
"""

import logging
import threading
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ..models import Assessment, Round, RoundStatus
from . import pdf_store
from .pdf_documents import ORGANISATION, PARTNERSHIP, Document, document_for

logger = logging.getLogger(__name__)

RETRY_AFTER = timedelta(seconds=30)
LOCK_SECONDS = 300  # longer than the slowest render


@task()
def render_report_pdf(kind: str, object_id: int, attempt: int = 1) -> str | None:
    """Render and store the PDF of a round's partnership report or of an assessment's
    organisation report, as its data is now; returns its key."""
    document = document_for(kind, object_id)
    if document is None:
        return None
    if pdf_store.read(document.key) is not None:
        return document.key  # already rendered
    with single_flight(document.key) as mine:
        if not mine:
            return document.key  # another process is rendering this very PDF
        try:
            pdf = document.render()
            # A PDF the worker cannot keep reaches nobody: retry it like a failed render.
            if not pdf_store.save(document.key, kind, object_id, pdf):
                raise OSError(f"The rendered PDF {document.key} could not be stored")
        except Exception:
            if attempt < settings.PDF_RENDER_ATTEMPTS:
                render_report_pdf.using(run_after=timezone.now() + RETRY_AFTER).enqueue(
                    kind=kind, object_id=object_id, attempt=attempt + 1
                )
            raise
    return document.key


def _waiting(kind: str, object_id: int):
    return DBTaskResult.objects.filter(
        task_path=render_report_pdf.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        args_kwargs__kwargs__kind=kind,
        args_kwargs__kwargs__object_id=object_id,
    )


def queue(kind: str, object_id: int) -> None:
    """Queue a render unless one for this PDF is already waiting to start."""
    if not settings.PDF_WORKERS:
        return
    if _waiting(kind, object_id).filter(status=TaskResultStatus.READY).exists():
        return
    render_report_pdf.enqueue(kind=kind, object_id=object_id)


def state(kind: str, object_id: int) -> str:
    """ "waiting" while a render is queued or running; "failed" when the last render
    failed and no retry is left; "idle" otherwise."""
    if _waiting(kind, object_id).exists():
        return "waiting"
    last = (
        DBTaskResult.objects.filter(
            task_path=render_report_pdf.module_path,
            args_kwargs__kwargs__kind=kind,
            args_kwargs__kwargs__object_id=object_id,
        )
        .order_by("-enqueued_at")
        .first()
    )
    return "failed" if last is not None and last.status == TaskResultStatus.FAILED else "idle"


def queue_after_commit(*, rounds=(), assessments=()) -> None:
    """After the current transaction commits, queue the partnership PDFs of `rounds`
    and the organisation PDFs of `assessments`."""
    if not settings.PDF_WORKERS:
        return
    round_ids = [r.pk for r in rounds]
    assessment_ids = [a.pk for a in assessments]

    def enqueue():
        for pk in round_ids:
            queue(PARTNERSHIP, pk)
        for pk in assessment_ids:
            queue(ORGANISATION, pk)

    transaction.on_commit(enqueue)


def queue_partnership(partnership_id: int) -> None:
    """Everything of a partnership that a formula, sign-off or action change shows in:
    its open rounds' partnership and organisation PDFs."""
    if not settings.PDF_WORKERS:
        return
    rounds = list(Round.objects.filter(partnership_id=partnership_id, status=RoundStatus.OPEN))
    queue_after_commit(rounds=rounds, assessments=list(Assessment.objects.filter(round__in=rounds)))


# ---------------------------------------------------------------- rendering in the request

_renders_in_process = threading.BoundedSemaphore(settings.PDF_RENDERS_PER_PROCESS)


@contextmanager
def single_flight(key: str):
    """Whether this caller may render the PDF `key`: only one at a time, across
    processes where the cache is shared (CACHE_URL), within the process otherwise."""
    mine = cache.add(f"pdf-rendering:{key}", 1, LOCK_SECONDS)
    try:
        yield mine
    finally:
        if mine:
            cache.delete(f"pdf-rendering:{key}")


def render_in_request(document: Document) -> bytes | None:
    """Render in the request when nothing else is rendering this PDF and this process
    has a render slot free; None otherwise (the caller shows "being prepared")."""
    if not _renders_in_process.acquire(blocking=False):
        return None
    try:
        with single_flight(document.key) as mine:
            if not mine:
                return None
            pdf = document.render()
            pdf_store.save(document.key, document.kind, document.object_id, pdf)
            return pdf
    finally:
        _renders_in_process.release()
