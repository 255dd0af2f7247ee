"""The peer benchmark's refresh at scale, for bench/run.py: `refresh_all()` computes the
figures of every framework version in use from every submitted assessment on the
instance and stores them, as a submission or a reopening does (on the task queue, or in
the request without a worker) and as `manage.py refresh_peer_benchmarks` does.

Timed RUNS times, queries counted in each run (a handful: capturing them costs nothing
next to the computing). The figures are left stored, as production keeps them, so the
report pages measured after this show the peer tables; refreshing again gives the same
figures (only the time they were computed changes), so running the benchmark twice
measures the same pages. Import this module only after django.setup().
"""

import json
import time
from dataclasses import dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.insights import benchmark
from assessments.insights.models import PeerBenchmark
from assessments.models import Assessment, AssessmentStatus

RUNS = 3
FAMILIES = {"organisation_groups": "organisations of a kind", "partnership_groups": "partnerships"}


@dataclass
class Run:
    name: str
    seconds: float
    queries: int
    frameworks: int  # framework versions computed


@dataclass
class Group:
    label: str
    peers: int
    partnerships: int
    shown: bool
    figures_shown: int  # dimensions (and overall) with figures
    figures_withheld: int  # too few scored peers or partnerships, or unstable


@dataclass
class Measurement:
    runs: list[Run]
    submitted: int  # submitted assessments the figures are computed from
    stored_bytes: int  # the stored figures' JSON, every framework version
    groups: dict[str, list[Group]] = field(default_factory=dict)  # by family


def measure(runs: int = RUNS) -> Measurement:
    timed = []
    for n in range(1, runs + 1):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            frameworks = benchmark.refresh_all()
            seconds = time.perf_counter() - start
        timed.append(Run(f"refresh_all(), run {n}", seconds, len(queries), frameworks))
    stored = list(PeerBenchmark.objects.values_list("data", flat=True))
    groups = {family: [] for family in FAMILIES}
    for data in stored:
        for family in FAMILIES:
            for group in (data.get(family) or {}).values():
                figures = group["dimensions"].values()
                groups[family].append(
                    Group(
                        label=group["label"],
                        peers=group["peers"],
                        partnerships=group["partnerships"],
                        shown=group["shown"],
                        figures_shown=sum(f is not None for f in figures),
                        figures_withheld=sum(f is None for f in figures),
                    )
                )
    return Measurement(
        runs=timed,
        submitted=Assessment.objects.filter(status=AssessmentStatus.SUBMITTED).count(),
        # As serialised for the database (a JSON text column on SQLite, jsonb on
        # PostgreSQL, whose binary form is of the same order).
        stored_bytes=sum(len(json.dumps(data).encode()) for data in stored),
        groups=groups,
    )
