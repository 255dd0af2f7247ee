"""Caching of report data and of rendered PDFs, each under a key that changes
whenever what it shows changes, so nothing stale is ever served.

- Report data: a partnership report is read far more often than its data changes,
  and building it for 30 partners costs far more than a plain page. The report data
  (and the HTML of its body) is cached under `report_data_key`, a fingerprint of
  every row the report is built from, read in one query: a repeat view costs that
  query and a cache lookup, and any change to an assessment, answer, membership,
  member organisation, round, formula or sign-off gives a new key. The key also
  carries today's date (reports say how old assessments are) and the schema version.
- Closed rounds: drawn from the snapshot frozen when the round closed (snapshots.py),
  cached under the snapshot's id; nothing that happens later changes them.
- PDFs: stored (pdf_store.py) under `pdf_key`, a hash of the report data the PDF
  shows, so a repeat download is a read and any change to the data makes a new PDF.
"""

import hashlib
import json

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone

from ..insights.benchmark import stamp_columns, stamp_of
from .data import SCHEMA_VERSION, organisation_report, partnership_report
from .snapshots import frozen_organisation_report, frozen_partnership_report_with

CACHE_SECONDS = 60 * 60 * 24

# One statement of scalar subqueries; plain SQL that SQLite and PostgreSQL both run.
# Each line watches one kind of row that the report is built from.
FINGERPRINT_SQL = """
SELECT
  (SELECT p.updated_at FROM partnerships_partnership p WHERE p.id = %(p)s),
  (SELECT COUNT(*) FROM assessments_assessment a
     JOIN assessments_round r ON r.id = a.round_id WHERE r.partnership_id = %(p)s),
  (SELECT MAX(a.updated_at) FROM assessments_assessment a
     JOIN assessments_round r ON r.id = a.round_id WHERE r.partnership_id = %(p)s),
  (SELECT MAX(ans.updated_at) FROM assessments_answer ans
     JOIN assessments_assessment a ON a.id = ans.assessment_id
     JOIN assessments_round r ON r.id = a.round_id WHERE r.partnership_id = %(p)s),
  (SELECT COUNT(*) FROM partnerships_membership m WHERE m.partnership_id = %(p)s),
  (SELECT MAX(m.updated_at) FROM partnerships_membership m WHERE m.partnership_id = %(p)s),
  (SELECT MAX(o.updated_at) FROM partnerships_organisation o
     JOIN partnerships_membership m ON m.organisation_id = o.id
     WHERE m.partnership_id = %(p)s),
  (SELECT COUNT(*) FROM assessments_round r WHERE r.partnership_id = %(p)s),
  (SELECT MAX(r.updated_at) FROM assessments_round r WHERE r.partnership_id = %(p)s),
  (SELECT COUNT(*) FROM partnerships_fundingformula f WHERE f.partnership_id = %(p)s),
  (SELECT MAX(f.version) FROM partnerships_fundingformula f WHERE f.partnership_id = %(p)s),
  (SELECT COUNT(*) FROM partnerships_fundingsignoff s
     JOIN partnerships_fundingformula f ON f.id = s.formula_id WHERE f.partnership_id = %(p)s),
  (SELECT MAX(s.id) FROM partnerships_fundingsignoff s
     JOIN partnerships_fundingformula f ON f.id = s.formula_id WHERE f.partnership_id = %(p)s),
  (SELECT COUNT(*) FROM partnerships_fundingshare sh
     JOIN partnerships_fundingformula f ON f.id = sh.formula_id WHERE f.partnership_id = %(p)s),
  (SELECT COUNT(*) FROM assessments_action x WHERE x.partnership_id = %(p)s),
  (SELECT MAX(x.updated_at) FROM assessments_action x WHERE x.partnership_id = %(p)s),
  (SELECT COUNT(*) FROM assessments_roundsnapshot s
     JOIN assessments_round r ON r.id = s.round_id WHERE r.partnership_id = %(p)s),
  (SELECT MAX(s.id) FROM assessments_roundsnapshot s
     JOIN assessments_round r ON r.id = s.round_id WHERE r.partnership_id = %(p)s),
  (SELECT b.computed_at FROM assessments_peerbenchmark b WHERE b.framework_id = %(f)s),
  (SELECT s.enabled FROM assessments_benchmarkswitch s WHERE s.id = 1)
"""
# The last two columns say which peer benchmark the page's peers section shows; they
# key that section's rendering, not the report data (another partnership's submission
# refreshes the benchmark, and must not rebuild this report).
PEER_COLUMNS = 2


def _fingerprint(round_) -> tuple[str, str]:
    """The report data's key, and the peer benchmark's stamp: one query."""
    with connection.cursor() as cursor:
        cursor.execute(FINGERPRINT_SQL, {"p": round_.partnership_id, "f": round_.framework_id})
        row = cursor.fetchone()
    report_row, peer_row = row[:-PEER_COLUMNS], row[-PEER_COLUMNS:]
    parts = [SCHEMA_VERSION, round_.pk, timezone.localdate().isoformat(), *map(str, report_row)]
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()
    # Hashed: a cache key holds no spaces (memcached refuses them).
    peers = hashlib.sha256("|".join(map(str, peer_row)).encode()).hexdigest()[:32]
    return f"partnership-report:{round_.pk}:{digest}", peers


def report_data_key(round_) -> str:
    return _fingerprint(round_)[0]


def cached_partnership_report(round_) -> tuple[dict, str]:
    """The round's partnership report and its cache key (for caching renderings): a
    closed round's as frozen, an open round's as it is now."""
    report, key, _ = cached_partnership_report_and_peers(round_)
    return report, key


def cached_partnership_report_and_peers(round_) -> tuple[dict, str, str]:
    """As `cached_partnership_report`, with the stamp of the peer benchmark as it is
    now (for caching the peers section's rendering), read with the fingerprint or,
    for a closed round, with its snapshot."""
    frozen = frozen_partnership_report_with(round_, stamp_columns(round_.framework_id))
    if frozen is not None:
        report, snapshot_id, peers = frozen
        return report, f"partnership-report:{round_.pk}:snapshot:{snapshot_id}", stamp_of(peers)
    key, peers = _fingerprint(round_)
    report = cache.get(key)
    if report is None:
        report = partnership_report(round_)
        cache.set(key, report, CACHE_SECONDS)
    return report, key, peers


def cached_rendering(key: str, kind: str, render) -> str:
    """A rendering (such as the page's HTML body) of the report cached under `key`."""
    return cache.get_or_set(f"{key}:{kind}", render, CACHE_SECONDS)


def cached_organisation_report(assessment) -> dict:
    """An organisation's report: as frozen when its round closed, or as it is now, with
    its actions as the (cached) partnership report shows them."""
    frozen = frozen_organisation_report(assessment)
    if frozen is not None:
        return frozen
    partnership, _ = cached_partnership_report(assessment.round)
    return organisation_report(assessment, partnership_plan=partnership["action_plan"])


# ---------------------------------------------------------------- PDFs

# Bump when the PDF templates or print CSS change, so stored PDFs are made again.
PDF_LAYOUT_VERSION = 4


def pdf_key(*parts) -> str:
    """A hash of everything a PDF shows (its kind and report data)."""
    canonical = json.dumps(
        [PDF_LAYOUT_VERSION, *parts], cls=DjangoJSONEncoder, sort_keys=True, default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
