"""Refreshing the peer benchmark off the request path. A submission (or a reopening)
changes the figures of its framework version: after the change commits, the refresh is
queued on the task queue when a worker runs (PDF_WORKERS), and run there and then
otherwise. A refresh already waiting is not queued again: it computes from the data as
it is when it runs, so a burst of submissions makes one refresh."""

from django.conf import settings
from django.db import transaction
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from . import benchmark


@task()
def refresh_peer_benchmark(framework_id: int) -> bool:
    return benchmark.refresh(framework_id) is not None


def _waiting(framework_id: int) -> bool:
    return DBTaskResult.objects.filter(
        task_path=refresh_peer_benchmark.module_path,
        status=TaskResultStatus.READY,
        args_kwargs__kwargs__framework_id=framework_id,
    ).exists()


def refresh_now_or_queue(framework_id: int) -> None:
    if settings.PDF_WORKERS:
        if not _waiting(framework_id):
            refresh_peer_benchmark.enqueue(framework_id=framework_id)
    else:
        benchmark.refresh(framework_id)


def refresh_after_commit(framework_id: int) -> None:
    transaction.on_commit(lambda: refresh_now_or_queue(framework_id))
