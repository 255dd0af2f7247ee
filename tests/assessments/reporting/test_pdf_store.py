"""PDFs without a worker (rendered in the request, within limits), the PDF store
(atomic writes, serving when storing fails, pruning) and the queue health check."""

import io
import logging
import os
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from assessments.models import RenderedPdf
from assessments.reporting import pdf_documents, pdf_queue, pdf_store
from assessments.reporting.pdf_documents import ORGANISATION, PARTNERSHIP, partnership_document
from assessments.reporting.pdf_queue import render_report_pdf
from tests.builders import add_partner, assess, sign_funding

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pdf_cache(settings, tmp_path):
    settings.PDF_CACHE_DIR = tmp_path / "pdf-cache"
    settings.PDF_WORKERS = False
    return settings.PDF_CACHE_DIR


@pytest.fixture
def partnership(council_a):
    bexley = add_partner(council_a.partnership, "Bexley Vale Council")
    own = assess(council_a.round, council_a.organisation, level=4, evidence="Avonford minutes")
    assess(council_a.round, bexley, level=2)
    sign_funding(council_a.partnership, [council_a.organisation])
    return own


@pytest.fixture
def renders(monkeypatch):
    counts = Counter()
    real = pdf_documents.Document.render

    def render(document):
        counts[document.kind, document.object_id] += 1
        return real(document)

    monkeypatch.setattr(pdf_documents.Document, "render", render)
    return counts


@pytest.fixture
def slots_taken():
    """Every in-request render slot of this process busy (another request rendering)."""
    taken = 0
    while pdf_queue._renders_in_process.acquire(blocking=False):
        taken += 1
    assert taken >= 1
    yield
    for _ in range(taken):
        pdf_queue._renders_in_process.release()


def files_in(folder):
    return sorted(path.name for path in folder.rglob("*") if path.is_file())


def pdf_url(council):
    return reverse("assessments:partnership_report_pdf", args=[council.round.pk])


def assert_preparing(response):
    assert response.status_code == 202
    assert response["Retry-After"] == "5"
    assert "Your report is being prepared" in response.text
    assert not response.content.startswith(b"%PDF")


# ------------------------------------------------------------ rendering in the request


def test_without_workers_a_download_renders_once_and_stores_it(
    client, council_a, partnership, renders, _pdf_cache
):
    client.force_login(council_a.executive)
    first = client.get(pdf_url(council_a))
    assert first.status_code == 200 and first["X-PDF-Cache"] == "miss"
    assert first.content.startswith(b"%PDF")
    key = partnership_document(council_a.round).key
    assert files_in(_pdf_cache) == [f"{key}.pdf"]
    assert RenderedPdf.objects.get(key=key).kind == PARTNERSHIP
    second = client.get(pdf_url(council_a))
    assert second["X-PDF-Cache"] == "hit" and second.content == first.content
    assert renders == {(PARTNERSHIP, council_a.round.pk): 1}
    assert not DBTaskResult.objects.exists()  # nothing queued without a worker


def test_when_the_process_has_no_render_slot_free_the_download_is_being_prepared(
    client, council_a, partnership, renders, slots_taken, _pdf_cache
):
    client.force_login(council_a.executive)
    assert_preparing(client.get(pdf_url(council_a)))
    assert renders == {}
    assert files_in(_pdf_cache) == []
    assert not DBTaskResult.objects.exists()


def test_a_free_slot_again_renders_in_the_request(client, council_a, partnership, renders):
    """The slot a render takes is given back, even when the render fails."""
    client.force_login(council_a.executive)
    counting = pdf_documents.Document.render

    def failing(document):
        raise RuntimeError("simulated WeasyPrint failure")

    pdf_documents.Document.render = failing
    try:
        assert client.get(pdf_url(council_a)).status_code == 503
    finally:
        pdf_documents.Document.render = counting
    response = client.get(pdf_url(council_a))
    assert response.status_code == 200 and response["X-PDF-Cache"] == "miss"
    assert renders == {(PARTNERSHIP, council_a.round.pk): 1}


def test_a_pdf_another_request_is_rendering_is_not_rendered_again(
    client, council_a, partnership, renders, _pdf_cache
):
    key = partnership_document(council_a.round).key
    assert cache.add(f"pdf-rendering:{key}", 1)  # another request holds the render
    client.force_login(council_a.executive)
    assert_preparing(client.get(pdf_url(council_a)))
    assert renders == {}
    assert files_in(_pdf_cache) == []
    # Another PDF is not held up by it.
    organisation = client.get(reverse("assessments:organisation_report_pdf", args=[partnership.pk]))
    assert organisation.status_code == 200
    assert renders == {(ORGANISATION, partnership.pk): 1}
    # When that render finishes (its lock released), the download renders.
    cache.delete(f"pdf-rendering:{key}")
    assert client.get(pdf_url(council_a)).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_render_the_pdf_once(
    client, council_a, partnership, monkeypatch, _pdf_cache
):
    """While one request renders, another for the same PDF is told it is being prepared,
    even with a render slot free: one render per PDF at a time."""
    monkeypatch.setattr(pdf_queue, "_renders_in_process", threading.BoundedSemaphore(2))
    real = pdf_documents.Document.render
    rendering, finish = threading.Event(), threading.Event()
    calls = []

    def slow(document):
        calls.append(document.key)
        rendering.set()
        assert finish.wait(30)
        return real(document)

    monkeypatch.setattr(pdf_documents.Document, "render", slow)
    document = partnership_document(council_a.round)
    results = []

    def other_request():
        try:
            results.append(pdf_queue.render_in_request(document))
        finally:
            connection.close()

    thread = threading.Thread(target=other_request)
    thread.start()
    try:
        assert rendering.wait(30)
        client.force_login(council_a.executive)
        assert_preparing(client.get(pdf_url(council_a)))
    finally:
        finish.set()
        thread.join(60)
    assert results[0].startswith(b"%PDF")
    assert calls == [document.key]
    assert client.get(pdf_url(council_a))["X-PDF-Cache"] == "hit"


# ------------------------------------------------------------------- storing


def test_a_rendered_pdf_is_served_even_when_storing_it_fails(
    client, council_a, partnership, monkeypatch, caplog, _pdf_cache
):
    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pdf_store.os, "replace", full_disk)
    client.force_login(council_a.executive)
    with caplog.at_level(logging.ERROR):
        response = client.get(pdf_url(council_a))
    assert response.status_code == 200
    assert response["X-PDF-Cache"] == "miss"
    assert "Board summary" in PdfReader(io.BytesIO(response.content)).pages[1].extract_text()
    assert "could not be stored" in caplog.text
    assert files_in(_pdf_cache) == []  # no partial PDF, no .tmp file
    assert not RenderedPdf.objects.exists()
    monkeypatch.undo()
    # Once the disk has room again, the next download stores it.
    assert client.get(pdf_url(council_a))["X-PDF-Cache"] == "miss"
    assert client.get(pdf_url(council_a))["X-PDF-Cache"] == "hit"


def test_two_writers_of_the_same_pdf_leave_one_file(_pdf_cache, monkeypatch, db):
    """Two processes that rendered the same PDF store it at the same moment (both saw
    no file yet): the second replaces the first, atomically, and leaves no copy that
    nothing would ever read or prune."""
    storage = pdf_store.store()

    class CheckedBeforeEitherWrote:
        def exists(self, name):
            return False

        def __getattr__(self, name):
            return getattr(storage, name)

    monkeypatch.setattr(pdf_store, "store", CheckedBeforeEitherWrote)
    assert pdf_store.save("abc", PARTNERSHIP, 1, b"%PDF-1.7 first")
    assert pdf_store.save("abc", PARTNERSHIP, 1, b"%PDF-1.7 second")
    assert files_in(_pdf_cache) == ["abc.pdf"]
    assert pdf_store.read("abc") == b"%PDF-1.7 second"
    assert RenderedPdf.objects.count() == 1


def test_the_store_writes_atomically(_pdf_cache, db):
    assert pdf_store.save("abc", PARTNERSHIP, 1, b"%PDF-1.7 whole")
    assert pdf_store.read("abc") == b"%PDF-1.7 whole"
    assert files_in(_pdf_cache) == ["abc.pdf"]
    # Saving the same key again (another worker, the same data) keeps one file and record.
    assert pdf_store.save("abc", PARTNERSHIP, 1, b"%PDF-1.7 whole")
    assert files_in(_pdf_cache) == ["abc.pdf"]
    assert RenderedPdf.objects.count() == 1
    assert pdf_store.read("missing") is None


# ------------------------------------------------------------------- pruning


def stored(key, object_id, *, days_ago, size=1000, kind=PARTNERSHIP):
    assert pdf_store.save(key, kind, object_id, b"%" * size)
    RenderedPdf.objects.filter(key=key).update(
        rendered_at=timezone.now() - timedelta(days=days_ago)
    )


def prune(*args):
    out = io.StringIO()
    call_command("prune_pdfs", *args, stdout=out)
    return out.getvalue()


def test_prune_deletes_superseded_pdfs_older_than_the_days_and_keeps_current_ones(_pdf_cache):
    stored("round1-old", 1, days_ago=20)
    stored("round1-older", 1, days_ago=30)
    stored("round1-current", 1, days_ago=10)  # current however old it is
    stored("round2-superseded-recently", 2, days_ago=3)
    stored("round2-current", 2, days_ago=1)
    stored("org1-current", 1, days_ago=40, kind=ORGANISATION)  # another document, id 1

    output = prune("--days", "7")

    assert "Deleted 2 PDFs; 4 kept" in output
    assert files_in(_pdf_cache) == [
        "org1-current.pdf",
        "round1-current.pdf",
        "round2-current.pdf",
        "round2-superseded-recently.pdf",
    ]
    assert set(RenderedPdf.objects.values_list("key", flat=True)) == {
        "org1-current",
        "round1-current",
        "round2-current",
        "round2-superseded-recently",
    }


def test_prune_deletes_the_oldest_beyond_the_size_cap(_pdf_cache):
    megabyte = 1024 * 1024
    stored("a", 1, days_ago=3, size=megabyte // 2)
    stored("b", 2, days_ago=2, size=megabyte // 2)
    stored("c", 3, days_ago=1, size=megabyte // 2)

    output = prune("--days", "7", "--max-mb", "1")

    assert output.strip() == "Deleted 1 PDFs; 2 kept, 1.0 MB."
    assert files_in(_pdf_cache) == ["b.pdf", "c.pdf"]
    assert prune("--days", "7", "--max-mb", "1").strip() == "Deleted 0 PDFs; 2 kept, 1.0 MB."


def test_a_pruned_pdf_is_simply_rendered_again(client, council_a, partnership, _pdf_cache):
    client.force_login(council_a.executive)
    assert client.get(pdf_url(council_a))["X-PDF-Cache"] == "miss"
    prune("--days", "0", "--max-mb", "0")
    assert files_in(_pdf_cache) == []
    assert client.get(pdf_url(council_a))["X-PDF-Cache"] == "miss"


# --------------------------------------------------------------- queue health


def check(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("check_pdf_queue", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_check_pdf_queue_passes_with_an_empty_queue(db):
    assert "0 tasks waiting" in check("--max-age", "60")


def test_check_pdf_queue_fails_when_a_task_has_waited_too_long(settings, council_a, partnership):
    settings.PDF_WORKERS = True
    pdf_queue.queue(PARTNERSHIP, council_a.round.pk)
    assert "1 tasks waiting" in check("--max-age", "60")  # just queued: fine

    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(seconds=120))
    with pytest.raises(SystemExit) as exit_:
        check("--max-age", "60")
    assert exit_.value.code == 1
    assert "1 tasks waiting; the oldest for 120 s." in check("--max-age", "300")


def test_check_pdf_queue_ignores_a_retry_that_is_not_due_yet(settings, council_a, partnership):
    settings.PDF_WORKERS = True
    render_report_pdf.using(run_after=timezone.now() + timedelta(minutes=5)).enqueue(
        kind=PARTNERSHIP, object_id=council_a.round.pk, attempt=2
    )
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(seconds=120))
    assert "0 tasks waiting" in check("--max-age", "60")


def test_storage_follows_the_pdf_cache_dir_setting(settings, tmp_path, db):
    settings.PDF_CACHE_DIR = tmp_path / "elsewhere"
    assert pdf_store.save("k", PARTNERSHIP, 1, b"%PDF")
    assert os.path.exists(tmp_path / "elsewhere" / "k.pdf")
