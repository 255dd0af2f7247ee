"""Where rendered PDFs are kept: Django's storage API (the `pdfs` storage in
settings.STORAGES), so every web machine can serve what any worker rendered. The local
file system is the default (`PDF_CACHE_DIR`); S3-compatible object storage through
django-storages is a setting away (see the README).

A PDF is stored under the key of the report data it shows, so a stored PDF is never
stale; `RenderedPdf` records each one, so pruning knows which is a document's current
PDF (its newest) and which were superseded.
"""

import logging
import os
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.db import IntegrityError
from django.utils import timezone

from ..models import RenderedPdf

logger = logging.getLogger(__name__)


class AtomicFileSystemStorage(FileSystemStorage):
    """The file system, written atomically: a PDF is written to a temporary file in
    the same folder and renamed into place, so a full or failing disk never leaves a
    partial PDF or a temporary file behind. The folder follows PDF_CACHE_DIR."""

    def __init__(self, **kwargs):
        # A name is the key of what the PDF shows: a second writer of the same name (two
        # processes that rendered it at once) replaces the file rather than leaving a
        # copy under another name that nothing reads or prunes.
        kwargs.setdefault("allow_overwrite", True)
        super().__init__(**kwargs)

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PDF_CACHE_DIR)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def _save(self, name, content):
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False)
        try:
            with handle:
                for chunk in content.chunks():
                    handle.write(chunk)
            os.replace(handle.name, path)
        except BaseException:
            Path(handle.name).unlink(missing_ok=True)
            raise
        return name


def store():
    return storages["pdfs"]


def name_for(key: str) -> str:
    return f"{key}.pdf"


def read(key: str) -> bytes | None:
    """The stored PDF for `key`, or None (not rendered yet, or unreadable)."""
    try:
        with store().open(name_for(key), "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except OSError:
        logger.exception("Stored PDF %s could not be read", key)
        return None


def save(key: str, kind: str, object_id: int, pdf: bytes) -> bool:
    """Store a rendered PDF. False when storing failed (logged): the caller still has
    the PDF and serves it."""
    try:
        if not store().exists(name_for(key)):
            store().save(name_for(key), ContentFile(pdf))
        RenderedPdf.objects.get_or_create(
            key=key, defaults={"kind": kind, "object_id": object_id, "size": len(pdf)}
        )
    except IntegrityError:
        return True  # stored by another process at the same moment
    except Exception:
        logger.exception("Rendered PDF %s could not be stored", key)
        return False
    return True


def prune(*, older_than: timedelta, max_bytes: int | None = None) -> dict:
    """Delete superseded PDFs (not their document's newest) older than `older_than`,
    then, while the store is over `max_bytes`, the oldest of the rest. Returns counts."""
    cutoff = timezone.now() - older_than
    newest = {}
    for pk, kind, object_id in RenderedPdf.objects.order_by("rendered_at", "pk").values_list(
        "pk", "kind", "object_id"
    ):
        newest[kind, object_id] = pk
    current = set(newest.values())
    deleted = 0
    for record in RenderedPdf.objects.filter(rendered_at__lt=cutoff).exclude(pk__in=current):
        deleted += _delete(record)
    if max_bytes is not None:
        total = sum(RenderedPdf.objects.values_list("size", flat=True))
        for record in RenderedPdf.objects.order_by("rendered_at", "pk"):
            if total <= max_bytes:
                break
            total -= record.size
            deleted += _delete(record)
    remaining = RenderedPdf.objects.all()
    return {
        "deleted": deleted,
        "kept": remaining.count(),
        "bytes": sum(remaining.values_list("size", flat=True)),
    }


def _delete(record: RenderedPdf) -> int:
    try:
        store().delete(name_for(record.key))
    except OSError:
        logger.exception("Stored PDF %s could not be deleted", record.key)
        return 0
    record.delete()
    return 1
