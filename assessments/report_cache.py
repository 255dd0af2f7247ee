"""A partnership report is read far more often than its data changes, and building it
for 30 partners costs far more than a plain page. So the report data (and the HTML
of its body) is cached under a fingerprint of everything it is built from, read in
one query: a repeat view costs that query and a cache lookup, and any change to an
assessment, answer, membership, member organisation, round, formula or sign-off
gives a new fingerprint, so a stale report is never shown.

The fingerprint also carries today's date (reports say how old assessments are) and
the report schema version.
"""

import hashlib

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from .reports import SCHEMA_VERSION, partnership_report

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
     JOIN partnerships_fundingformula f ON f.id = sh.formula_id WHERE f.partnership_id = %(p)s)
"""


def fingerprint(round_) -> str:
    with connection.cursor() as cursor:
        cursor.execute(FINGERPRINT_SQL, {"p": round_.partnership_id})
        row = cursor.fetchone()
    parts = [SCHEMA_VERSION, round_.pk, timezone.localdate().isoformat(), *map(str, row)]
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()
    return f"partnership-report:{round_.pk}:{digest}"


def cached_partnership_report(round_) -> tuple[dict, str]:
    """The round's partnership report and its cache key (for caching renderings)."""
    key = fingerprint(round_)
    report = cache.get(key)
    if report is None:
        report = partnership_report(round_)
        cache.set(key, report, CACHE_SECONDS)
    return report, key


def cached_rendering(key: str, kind: str, render) -> str:
    """A rendering (such as the page's HTML body) of the report cached under `key`."""
    return cache.get_or_set(f"{key}:{kind}", render, CACHE_SECONDS)
