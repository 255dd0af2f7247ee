import pytest
from django.urls import reverse

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


def test_an_account_is_locked_after_10_wrong_passwords(client, council_a):
    statuses = [
        # A different address each time, so only the per-account limit applies.
        sign_in(client, "avonford-ict", "wrong", address=f"10.0.1.{attempt}").status_code
        for attempt in range(10)
    ]
    # The tenth wrong guess is answered with the lock-out page.
    assert statuses == [200] * 9 + [429]
    response = sign_in(client, "avonford-ict", TEST_PASSWORD, address="10.0.2.1")
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.text
    assert "Wait 5 minutes" in response.text


def test_nine_wrong_passwords_still_allow_the_right_one(client, council_a):
    for attempt in range(9):
        sign_in(client, "avonford-ict", "wrong", address=f"10.0.1.{attempt}")
    assert sign_in(client, "avonford-ict", TEST_PASSWORD, address="10.0.2.1").status_code == 302


def test_an_address_is_locked_after_10_wrong_guesses_across_accounts(client, council_a):
    for attempt in range(10):
        sign_in(client, f"guess-{attempt}", "wrong", address="10.9.9.9")
    response = sign_in(client, "avonford-ict", TEST_PASSWORD, address="10.9.9.9")
    assert response.status_code == 429
    # The same account from another address is not blocked by that address's guesses.
    assert sign_in(client, "avonford-ict", TEST_PASSWORD, address="10.8.8.8").status_code == 302
