import pytest
from django.db import connection


def test_it_answers_200_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db(transaction=True)
def test_it_answers_503_when_the_database_does_not(client):
    original = dict(connection.settings_dict)
    connection.close()
    # Point the connection at a database that cannot be reached: a folder that does
    # not exist for SQLite, a closed port for PostgreSQL.
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-folder/readiness.sqlite3"
    else:
        connection.settings_dict["PORT"] = "1"
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert client.get("/healthz").status_code == 200
