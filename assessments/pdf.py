"""Board-ready PDFs with WeasyPrint, from the same report data and template body as
the HTML pages.

WeasyPrint would fetch any URL a document names, including addresses on the server's
own network (several WeasyPrint CVEs are about exactly that). `StaticOnlyFetcher`
serves our own static files and `data:` URLs and refuses everything else, so text a
partner typed can never make the server fetch anything.

Rendered PDFs are cached on disk under a fingerprint of everything they show, so a
repeat download costs a file read and any change to the data makes a new PDF.
"""

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.serializers.json import DjangoJSONEncoder
from weasyprint import HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

logger = logging.getLogger(__name__)

# Relative URLs in the PDF's HTML resolve against this made-up origin; the fetcher
# answers for it from the static files and nothing else.
BASE_URL = "https://pdf.invalid/"
# Bump when the PDF templates or print CSS change, so cached PDFs are remade.
PDF_LAYOUT_VERSION = 1
CONTENT_TYPES = {
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


class RefusedURL(ValueError):
    """WeasyPrint logs this and leaves the resource out; rendering carries on."""


class StaticOnlyFetcher(URLFetcher):
    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        static_prefix = BASE_URL + settings.STATIC_URL.lstrip("/")
        if url.startswith(static_prefix):
            relative = url[len(static_prefix) :].split("?")[0].split("#")[0]
            found = finders.find(relative) if ".." not in relative else None
            if found:
                path = Path(found)
                return URLFetcherResponse(
                    url,
                    path.read_bytes(),
                    {"Content-Type": CONTENT_TYPES.get(path.suffix, "application/octet-stream")},
                )
        logger.warning("PDF rendering refused to fetch %s", url[:200])
        raise RefusedURL(f"Only the application's own static files may be used: {url[:200]}")


def render_pdf(html: str) -> bytes:
    """A tagged PDF (PDF/UA-1): structure for screen readers, the language from
    <html lang>, the title from <title> and the author from <meta name=author>."""
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf(
        pdf_variant="pdf/ua-1"
    )


def fingerprint(*parts) -> str:
    canonical = json.dumps(
        [PDF_LAYOUT_VERSION, *parts], cls=DjangoJSONEncoder, sort_keys=True, default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def cache_path(key: str) -> Path:
    return Path(settings.PDF_CACHE_DIR) / f"{key}.pdf"


def cached_pdf(key: str, make_html) -> tuple[bytes, bool]:
    """The PDF for `key`, rendered from `make_html()` only when not cached yet.
    Returns (pdf bytes, whether it came from the cache). The file is written to a
    temporary name and renamed, so a failed or concurrent render never leaves a
    partial PDF behind."""
    path = cache_path(key)
    try:
        return path.read_bytes(), True
    except FileNotFoundError:
        pass
    pdf = render_pdf(make_html())
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as handle:
        handle.write(pdf)
    os.replace(handle.name, path)
    return pdf, False
