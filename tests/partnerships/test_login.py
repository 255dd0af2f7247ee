from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_a_user_signs_in_and_reaches_the_dashboard(client, council_a):
    response = sign_in(client, "avonford-ict", TEST_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:dashboard")
    assert "Your partnerships" in client.get(reverse("assessments:dashboard")).text


def test_a_wrong_password_says_what_to_do(client, council_a):
    response = sign_in(client, "avonford-ict", "not-the-password")
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.text
    assert 'class="govuk-error-summary"' in response.text


def test_empty_fields_get_their_own_messages(client, db):
    response = sign_in(client, "", "")
    assert "Enter your username" in response.text
    assert "Enter your password" in response.text


def test_signing_out_ends_the_session(client, council_a):
    client.force_login(council_a.ict_manager)
    client.post(reverse("logout"))
    response = client.get(reverse("assessments:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# ---------------------------------------------------------------- throttling
# Limits (config/settings.py): 10 failures for one account from one address, 30 for one
# address across accounts, 100 for one account across addresses, each until 5 minutes
# pass without a new failure.

OWNER = "avonford-ict"
ATTACKER_ADDRESS = "10.6.6.6"
OWNER_ADDRESS = "10.0.2.1"


def fail(username, address, times=1):
    """Wrong passwords from a client of their own, as an attacker's would be."""
    return [sign_in(Client(), username, "wrong", address=address).status_code for _ in range(times)]


def test_an_attackers_10_failures_never_stop_the_owner_signing_in_from_elsewhere(client, council_a):
    # The tenth wrong guess is answered with the lock-out page.
    assert fail(OWNER, ATTACKER_ADDRESS, times=10) == [200] * 9 + [429]
    assert sign_in(client, OWNER, TEST_PASSWORD, address=OWNER_ADDRESS).status_code == 302


def test_the_account_is_paused_from_the_attackers_address_even_with_the_right_password(
    client, council_a
):
    fail(OWNER, ATTACKER_ADDRESS, times=10)
    response = sign_in(client, OWNER, TEST_PASSWORD, address=ATTACKER_ADDRESS)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_guesses_refused_while_paused_do_not_count_towards_the_account_cap(client, council_a):
    """Hammering a paused pair adds nothing: more tries from one address leave the
    account's count at 10, far below its cap of 100."""
    fail(OWNER, ATTACKER_ADDRESS, times=10)
    assert set(fail(OWNER, ATTACKER_ADDRESS, times=20)) == {429}
    assert AccessAttempt.objects.aggregate(n=Sum("failures_since_start"))["n"] == 10
    assert sign_in(client, OWNER, TEST_PASSWORD, address=OWNER_ADDRESS).status_code == 302


def test_the_owner_signing_in_does_not_give_the_attacker_fresh_guesses(client, council_a):
    fail(OWNER, ATTACKER_ADDRESS, times=10)
    assert sign_in(client, OWNER, TEST_PASSWORD, address=OWNER_ADDRESS).status_code == 302
    assert fail(OWNER, ATTACKER_ADDRESS) == [429]


def test_signing_in_forgets_the_owners_own_mistakes_from_that_address(client, council_a):
    assert fail(OWNER, OWNER_ADDRESS, times=9) == [200] * 9
    assert sign_in(client, OWNER, TEST_PASSWORD, address=OWNER_ADDRESS).status_code == 302
    assert fail(OWNER, OWNER_ADDRESS, times=9) == [200] * 9


def test_the_pause_ends_after_5_minutes_without_a_failure(client, council_a):
    fail(OWNER, ATTACKER_ADDRESS, times=10)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=5, seconds=1))
    assert sign_in(client, OWNER, TEST_PASSWORD, address=ATTACKER_ADDRESS).status_code == 302


def test_an_address_is_paused_after_30_wrong_guesses_across_accounts(client, council_a):
    # Three accounts, nine guesses each, then three more: no pair reaches 10.
    for account in ("guess-1", "guess-2", "guess-3"):
        assert fail(account, ATTACKER_ADDRESS, times=9) == [200] * 9
    assert fail("guess-4", ATTACKER_ADDRESS, times=3) == [200, 200, 429]
    response = sign_in(client, OWNER, TEST_PASSWORD, address=ATTACKER_ADDRESS)
    assert response.status_code == 429
    # The same account from another address is not blocked by that address's guesses.
    assert sign_in(client, OWNER, TEST_PASSWORD, address=OWNER_ADDRESS).status_code == 302


def test_an_account_is_paused_after_100_wrong_guesses_from_many_addresses(client, council_a):
    # Nine addresses have used up their 10 guesses each (recorded directly, for speed)...
    for address in range(9):
        AccessAttempt.objects.create(
            username=OWNER,
            ip_address=f"10.7.0.{address}",
            user_agent="",
            http_accept="*/*",
            path_info=reverse("login"),
            get_data="",
            post_data="",
            failures_since_start=10,
        )
    # ...and a tenth guesses nine times: 99 failures, and the owner still gets in.
    assert fail(OWNER, "10.7.1.0", times=9) == [200] * 9
    assert sign_in(Client(), OWNER, TEST_PASSWORD, address=OWNER_ADDRESS).status_code == 302
    # The hundredth pauses the account everywhere, the owner's success having forgotten
    # none of the attacker's failures.
    assert fail(OWNER, "10.7.1.0") == [429]
    response = sign_in(client, OWNER, TEST_PASSWORD, address="10.0.3.1")
    assert response.status_code == 429


def test_nine_wrong_passwords_still_allow_the_right_one(client, council_a):
    fail(OWNER, ATTACKER_ADDRESS, times=9)
    assert sign_in(client, OWNER, TEST_PASSWORD, address=ATTACKER_ADDRESS).status_code == 302


def test_the_lock_out_page_says_what_happened_and_what_to_do(client, council_a):
    fail(OWNER, ATTACKER_ADDRESS, times=10)
    response = sign_in(client, OWNER, TEST_PASSWORD, address=ATTACKER_ADDRESS)
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    page = response.text
    assert "<title>Too many attempts to sign in" in page
    assert '<h1 class="govuk-heading-l">Too many attempts to sign in</h1>' in page
    assert "too many wrong passwords for this account or from this address" in page
    assert "Wait 5 minutes, then" in page
    assert f'href="{reverse("login")}"' in page
    assert 'name="password"' not in page
