"""Inviting people, choosing a password, password rules, deactivation."""

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from partnerships.models import Role, User

pytestmark = pytest.mark.django_db


def invite(client, administrator, organisation, **overrides):
    client.force_login(administrator)
    data = {
        "email": "New.Person@Avonford.gov.uk",
        "first_name": "New",
        "last_name": "Person",
        "organisation": organisation.pk if organisation else "",
        "role": Role.ICT_MANAGER,
        "job_title": "ICT Manager",
    } | overrides
    return client.post(reverse("admin:partnerships_user_invite"), data)


def test_an_invited_person_sets_their_own_password_and_signs_in(client, administrator, council_a):
    response = invite(client, administrator, council_a.organisation)
    assert response.status_code == 302
    user = User.objects.get(email="new.person@avonford.gov.uk")
    assert (user.organisation, user.role, user.has_usable_password()) == (
        council_a.organisation,
        Role.ICT_MANAGER,
        False,
    )
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Avonford Council" in body
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", body).group(1)

    client.logout()
    form = client.get(link, follow=True)
    assert "Choose your password" in form.text
    set_password_url = form.redirect_chain[-1][0]
    weak = client.post(
        set_password_url, {"new_password1": "password1234", "new_password2": "password1234"}
    )
    assert "too common" in weak.text or "too easy to guess" in weak.text
    done = client.post(
        set_password_url,
        {
            "new_password1": "amber kettle orbit lantern",
            "new_password2": "amber kettle orbit lantern",
        },
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("amber kettle orbit lantern")
    signed_in = client.post(
        reverse("login"),
        {"username": "new.person@avonford.gov.uk", "password": "amber kettle orbit lantern"},
    )
    assert signed_in.status_code == 302
    # The link works once.
    assert "This link has expired or been used" in client.get(link, follow=True).text


def test_inviting_someone_who_has_an_account_is_refused(client, administrator, council_a):
    invite(client, administrator, council_a.organisation)
    response = invite(client, administrator, council_a.organisation)
    assert "Someone with this email address already has an account" in response.text
    assert User.objects.filter(email="new.person@avonford.gov.uk").count() == 1
    assert len(mail.outbox) == 1


def test_an_invitation_needs_an_email_and_an_organisation(client, administrator, council_a):
    response = invite(client, administrator, None, email="not-an-email")
    assert "Enter an email address like name@council.gov.uk" in response.text
    assert "Choose the person&#x27;s organisation" in response.text
    assert not mail.outbox


def test_only_administrators_can_invite(client, council_a):
    client.force_login(council_a.executive)
    response = client.get(reverse("admin:partnerships_user_invite"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    "password",
    [
        "short-pass",
        "password123456",
        "Partnership2026!",
        "qwertyuiop12",
        "aaaaaaaaaaaaaa",
        "123456789012",
    ],
)
def test_weak_or_predictable_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", ["amber kettle orbit lantern", "tidal-spruce-velvet-42"])
def test_long_unpredictable_passwords_need_no_symbols_or_capitals(password):
    validate_password(password)


def test_deactivating_a_user_ends_their_sessions(client, administrator, council_a):
    client.force_login(council_a.ict_manager)
    assert client.get(reverse("assessments:dashboard")).status_code == 200

    admin_client = client.__class__()
    admin_client.force_login(administrator)
    admin_client.post(
        reverse("admin:partnerships_user_changelist"),
        {"action": "deactivate_users", "_selected_action": [council_a.ict_manager.pk]},
    )
    council_a.ict_manager.refresh_from_db()
    assert not council_a.ict_manager.is_active
    response = client.get(reverse("assessments:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_forgotten_password_sends_a_link_without_saying_whether_the_account_exists(
    client, council_a
):
    council_a.ict_manager.email = "ict@avonford.example"
    council_a.ict_manager.save()
    known = client.post(reverse("password_reset"), {"email": "ict@avonford.example"})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@avonford.example"})
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
