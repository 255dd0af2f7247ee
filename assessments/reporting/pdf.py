"""Board-ready PDFs with WeasyPrint, from the same report data and template body as
the HTML pages.

WeasyPrint would fetch any URL a document names, including addresses on the server's
own network (several WeasyPrint CVEs are about exactly that). `StaticOnlyFetcher`
serves our own static files and `data:` URLs and refuses everything else, so text a
partner typed can never make the server fetch anything.

Caching rendered PDFs is `cache.py`'s job; this module only renders.
"""

import logging
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

logger = logging.getLogger(__name__)

# Relative URLs in the PDF's HTML resolve against this made-up origin; the fetcher
# answers for it from the static files and nothing else.
BASE_URL = "https://pdf.invalid/"
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
