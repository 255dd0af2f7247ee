"""One PDF's figures, measured in a process of its own, for bench/run.py: so `cold` is
the first render in a new process and the peak memory is this process's own.

    .venv/bin/python bench/pdf_worker.py PATH USER_ID [--runs N]
        [--fill {words,unbroken} --assessment ID]          # prints one JSON object

Sets Django up as run.py does, points PDF_CACHE_DIR at a new temporary directory, signs
the user in and GETs the PDF: once (cold), N times (PDF_RUNS by default) emptying the PDF
cache before each (warm: WeasyPrint renders again, with its imports and fonts loaded) and
N times from the cache. Exits 1, saying why, if a response is not the expected PDF.

With --fill, every answer of the assessment first gets evidence and a comment as long as
the form accepts (5,000 and 2,000 characters): `words`, ordinary sentences; `unbroken`,
one word with no space or other break opportunity (a pasted hash). That is done inside a
transaction that is rolled back at the end, so the benchmark's data never changes.
"""

import argparse
import io
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, so the repository is not on the path yet.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.run import PDF_RUNS, setup_django  # noqa: E402

# What fills the evidence and comments with --fill, repeated to the maximum length.
FILLS = {
    "words": "The signed data sharing agreement was reviewed by the partnership board. ",
    # Hexadecimal, like a pasted hash: no break opportunity anywhere (a URL has a few, at
    # its slashes, which would make this case easier than the worst).
    "unbroken": "0123456789abcdef",
}


PAGE_STARTS = 4


def first_line(page) -> str:
    text = page.extract_text() or ""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def fail(message: str):
    sys.exit(f"pdf_worker: {message}")


def get_pdf(client, path: str, expected_cache: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    response = client.get(path)
    seconds = time.perf_counter() - start
    if response.status_code != 200:
        fail(f"GET {path} answered {response.status_code}, not 200.")
    if response["Content-Type"] != "application/pdf" or not response.content.startswith(b"%PDF"):
        fail(f"GET {path} did not answer a PDF ({response['Content-Type']}).")
    cache = response.get("X-PDF-Cache")
    if cache != expected_cache:
        fail(f"GET {path}: X-PDF-Cache is {cache!r}, expected {expected_cache!r}.")
    return seconds, response.content


def empty(directory: Path) -> None:
    files = list(directory.iterdir())
    if not any(f.suffix == ".pdf" for f in files):
        fail(f"no PDF was cached in {directory}: PDF_CACHE_DIR was not used.")
    for file in files:
        file.unlink()


def own_peak_mb() -> float | None:
    """VmHWM, the peak of this process's own memory map, to check ru_maxrss against
    (ru_maxrss can carry the peak of the process this one was spawned from)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pdf_worker.py")
    parser.add_argument("path")
    parser.add_argument("user_id", type=int)
    parser.add_argument("--runs", type=int, default=PDF_RUNS)
    parser.add_argument("--fill", choices=sorted(FILLS))
    parser.add_argument("--assessment", type=int, help="whose answers --fill fills")
    args = parser.parse_args(argv)
    if bool(args.fill) != bool(args.assessment):
        parser.error("--fill and --assessment go together")
    return args


def fill_answers(assessment_id: int, fill: str) -> None:
    """Every answer's evidence and comment at the longest the form accepts."""
    from assessments.capture.services import COMMENT_MAX_CHARACTERS, EVIDENCE_MAX_CHARACTERS
    from assessments.models import Answer

    def text(length: int) -> str:
        pattern = FILLS[fill]
        return (pattern * (length // len(pattern) + 1))[:length].strip().ljust(length, ".")

    answers = Answer.objects.filter(assessment_id=assessment_id)
    if not answers.exists():
        fail(f"assessment {assessment_id} has no answers to fill.")
    answers.update(evidence=text(EVIDENCE_MAX_CHARACTERS), comment=text(COMMENT_MAX_CHARACTERS))


def measure(client, path: str, directory: Path, runs: int) -> tuple[float, list, list, bytes]:
    cold, pdf = get_pdf(client, path, "miss")
    warm = []
    for _ in range(runs):
        empty(directory)  # outside the timed region
        warm.append(get_pdf(client, path, "miss")[0])
    cached = [get_pdf(client, path, "hit")[0] for _ in range(runs)]
    return cold, warm, cached, pdf


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.test import Client

    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as name:
        directory = Path(name)
        settings.PDF_CACHE_DIR = directory
        client = Client()
        client.force_login(get_user_model().objects.get(pk=args.user_id))

        with transaction.atomic():
            if args.fill:
                fill_answers(args.assessment, args.fill)
            cold, warm, cached, pdf = measure(client, args.path, directory, args.runs)
            # The filled answers were only for this measurement.
            transaction.set_rollback(True)

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    figures = {
        "pages": len(reader.pages),
        # The first line of the first few pages, so run.py can check what starts where
        # (the partnership PDF's board summary must take exactly one page).
        "page_starts": [first_line(page) for page in reader.pages[:PAGE_STARTS]],
        "kb": len(pdf) / 1024,
        "cold_s": cold,
        "warm_s": statistics.median(warm),
        "cached_ms": statistics.median(cached) * 1000,
        # Kilobytes on Linux.
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "own_peak_mb": own_peak_mb(),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
