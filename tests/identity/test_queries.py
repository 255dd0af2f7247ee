"""What the second-factor check costs each page: one query until the session is known
to be settled, none after."""

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_check_costs_one_query_once_per_session(
    client, council_a, settings, django_assert_num_queries
):
    settings.MFA_REQUIRED_FOR = ["administrator", "executive"]
    Authenticator.objects.create(
        user=council_a.executive, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    client.force_login(council_a.executive)
    page = reverse("notifications:preferences")
    with CaptureQueriesContext(connection) as first:
        assert client.get(page).status_code == 200
    assert sum("mfa_authenticator" in q["sql"] for q in first.captured_queries) == 1
    # Later pages: no authenticator query, so the same count every time.
    with CaptureQueriesContext(connection) as later:
        assert client.get(page).status_code == 200
    assert not any("mfa_authenticator" in q["sql"] for q in later.captured_queries)
    with django_assert_num_queries(len(later.captured_queries)):
        assert client.get(page).status_code == 200


def test_the_sign_in_page_needs_no_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get(reverse("login")).status_code == 200
