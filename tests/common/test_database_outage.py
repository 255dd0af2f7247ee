"""While the database cannot be reached, pages answer 503 with Retry-After and a page
saying to try again, never a 500 or a traceback; the next request after it is back
works. The outage is real: the connection is pointed at a database that cannot be
opened (a folder that does not exist for SQLite, a closed port for PostgreSQL)."""

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import RequestFactory
from django.urls import reverse

from assessments.capture.services import start_assessment
from common.views import server_error

pytestmark = pytest.mark.django_db(transaction=True)

UNAVAILABLE = "Sorry, the service is unavailable"


class Outage:
    """Takes the database away and brings it back. Closing the connection makes the
    next query connect again, with whatever settings are current."""

    def __init__(self):
        self.original = dict(connection.settings_dict)

    def begin(self):
        connection.close()
        if connection.vendor == "sqlite":
            connection.settings_dict["NAME"] = "/nonexistent-folder/readiness.sqlite3"
        else:
            connection.settings_dict["PORT"] = "1"

    def end(self):
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(self.original)


@pytest.fixture
def outage():
    outage = Outage()
    yield outage
    outage.end()


def assert_unavailable(response, url):
    assert response.status_code == 503, url
    assert response["Retry-After"] == "30", url
    assert "no-store" in response["Cache-Control"], url
    body = response.text
    assert UNAVAILABLE in body, url
    assert "Try again in a few minutes" in body, url
    assert "Traceback" not in body and "OperationalError" not in body, url


def test_signed_in_pages_answer_503_while_the_database_is_down_and_work_once_it_is_back(
    client, council_a, outage
):
    assessment = start_assessment(
        round=council_a.round, organisation=council_a.organisation, user=council_a.ict_manager
    )
    client.force_login(council_a.ict_manager)
    pages = [
        reverse("assessments:dashboard"),
        reverse("assessments:tasks", args=[assessment.pk]),
        reverse("assessments:partnership_report", args=[council_a.round.pk]),
        # No view query at all: the template's header asks who is signed in.
        reverse("accessibility"),
    ]
    assert client.get(pages[0]).status_code == 200

    outage.begin()  # from here on, loading the session itself fails
    for url in pages:
        assert_unavailable(client.get(url), url)
    answer = reverse("assessments:dimension", args=[assessment.pk, "governance"])
    assert_unavailable(client.post(answer, {"level": "2"}), answer)

    outage.end()  # back: the very next request works, with the same session
    for url in pages:
        assert client.get(url).status_code == 200, url


def test_visitors_signing_in_get_503_while_the_database_is_down(client, council_a, outage):
    outage.begin()
    login = reverse("login")
    # The sign-in form itself needs no database...
    assert client.get(login).status_code == 200
    # ...checking a password does.
    response = client.post(login, {"username": "avonford-ict", "password": "not-checked-yet"})
    assert_unavailable(response, login)
    reset = reverse("password_reset")
    assert_unavailable(client.post(reset, {"email": "someone@example.org"}), reset)

    outage.end()
    assert client.post(login, {"username": "avonford-ict", "password": "wrong"}).status_code == 200


def test_the_health_check_still_answers_its_own_503(client, outage):
    outage.begin()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}


def test_an_outage_met_inside_a_middleware_gets_the_503_page_too(outage):
    """Middleware errors skip the middleware's own handler and reach the 500 handler,
    which answers the same page for a database outage (and the usual 500 otherwise)."""
    request = RequestFactory().get("/")
    outage.begin()
    try:
        connection.ensure_connection()
    except OperationalError:
        response = server_error(request)
    else:
        pytest.fail("the database should be unreachable")
    assert_unavailable(response, "handler500")
    try:
        raise ValueError("a bug, not an outage")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text


def test_broken_persistent_connections_are_replaced_at_once():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
