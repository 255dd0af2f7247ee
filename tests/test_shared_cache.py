"""CACHE_URL=db:// really shares the report cache: the report data one request builds
is stored in the database cache table, and the next request (from any process, as
the table is shared) is served from it without rebuilding the report."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.reporting.cache import report_data_key
from config.settings import DATABASE_CACHE_TABLE, cache_from_url
from tests.builders import assess

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_cache(settings):
    settings.CACHES = {"default": cache_from_url("db://")}
    call_command("createcachetable", verbosity=0)


def statements(queries, table):
    """The statements that name `table` as Django quotes it (as the ORM and the cache
    write it, unlike the fingerprint's plain SQL, which reads every table)."""
    return [q["sql"] for q in queries if f'"{table}"' in q["sql"]]


def test_the_partnership_report_is_cached_in_the_database_and_served_from_it(
    client, council_a, database_cache
):
    assess(council_a.round, council_a.organisation, level=3)
    client.force_login(council_a.executive)
    page = reverse("assessments:partnership_report", args=[council_a.round.pk])

    with CaptureQueriesContext(connection) as built:
        assert client.get(page).status_code == 200
    with CaptureQueriesContext(connection) as cached:
        assert client.get(page).status_code == 200

    # The first view built the report (reading the answers) and stored it in the table.
    assert statements(built.captured_queries, "assessments_answer")
    assert any(
        sql.lstrip().upper().startswith("INSERT")
        for sql in statements(built.captured_queries, DATABASE_CACHE_TABLE)
    )
    # The second read it back from the table and did not build it again.
    assert statements(cached.captured_queries, DATABASE_CACHE_TABLE)
    assert not statements(cached.captured_queries, "assessments_answer")
    assert len(cached.captured_queries) < len(built.captured_queries)
    # The report data is in the shared table under its fingerprint key.
    key = report_data_key(council_a.round)
    assert cache.get(key) is not None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {DATABASE_CACHE_TABLE}")
        stored = {row[0] for row in cursor.fetchall()}
    assert cache.make_key(key) in stored


def test_migrate_makes_the_cache_table_so_a_deployment_cannot_forget_it(settings):
    settings.CACHES = {"default": cache_from_url("db://")}
    assert DATABASE_CACHE_TABLE not in connection.introspection.table_names()
    call_command("migrate", verbosity=0)
    assert DATABASE_CACHE_TABLE in connection.introspection.table_names()
