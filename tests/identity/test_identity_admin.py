"""Administrators register identity providers and link organisations to them in the
admin; the same checks as the service (HTTPS, one organisation per domain), logged."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialApp
from django.contrib import admin
from django.urls import reverse

from identity.models import EventKind, IdentityProvider, OrganisationSignIn, SecurityEvent

pytestmark = pytest.mark.django_db

ADD = "admin:identity_identityprovider_add"


def provider_form(**overrides):
    data = {
        "name": "Oxfordshire Entra ID",
        "slug": "oxfordshire-entra",
        "issuer_url": "https://login.microsoftonline.com/tenant-id/v2.0",
        "client_id": "client-1",
        "client_secret": "secret-value-1",
        "is_active": "on",
        "organisation_links-TOTAL_FORMS": "0",
        "organisation_links-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def with_link(data, organisation, domains, index=0, **extra):
    prefix = f"organisation_links-{index}"
    data = {**data, "organisation_links-TOTAL_FORMS": str(index + 1)}
    data.update(
        {
            f"{prefix}-organisation": str(organisation.pk),
            f"{prefix}-email_domains": domains,
            **{f"{prefix}-{key}": value for key, value in extra.items()},
        }
    )
    return data


def test_an_administrator_registers_a_provider_and_links_an_organisation(
    client, administrator, council_a
):
    client.force_login(administrator)
    data = with_link(
        provider_form(),
        council_a.organisation,
        "Avonford.gov.uk, @avonford.gov.uk  avonford-police.uk",
        just_in_time_accounts="on",
    )
    response = client.post(reverse(ADD), data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    link = OrganisationSignIn.objects.get()
    assert link.provider.issuer_url == "https://login.microsoftonline.com/tenant-id/v2.0"
    assert link.domains == ["avonford.gov.uk", "avonford-police.uk"]
    assert link.just_in_time_accounts
    details = list(
        SecurityEvent.objects.filter(kind=EventKind.PROVIDER_CHANGED)
        .order_by("id")
        .values_list("detail", flat=True)
    )
    assert details == [
        "Registered identity provider Oxfordshire Entra ID",
        "Linked Avonford Council to Oxfordshire Entra ID for avonford.gov.uk, "
        "avonford-police.uk, accounts made on first sign-in",
    ]


@pytest.mark.parametrize(
    "issuer", ["http://login.example.org/tenant", "http://127.0.0.1:9000", "ftp://x.example"]
)
def test_issuers_must_use_https(client, administrator, settings, issuer):
    settings.IDENTITY_PROVIDERS_ALLOW_LOOPBACK_HTTP = False
    client.force_login(administrator)
    response = client.post(reverse(ADD), provider_form(issuer_url=issuer))
    assert response.status_code == 200
    assert not IdentityProvider.objects.exists()


def test_plain_http_on_loopback_is_allowed_for_local_trials(client, administrator, settings):
    settings.IDENTITY_PROVIDERS_ALLOW_LOOPBACK_HTTP = True
    client.force_login(administrator)
    client.post(reverse(ADD), provider_form(issuer_url="http://127.0.0.1:9000"))
    assert IdentityProvider.objects.get().issuer_url == "http://127.0.0.1:9000"


def test_a_domain_leads_to_one_organisation_only(client, administrator, council_a, council_b):
    client.force_login(administrator)
    client.post(reverse(ADD), with_link(provider_form(), council_a.organisation, "shared.gov.uk"))
    response = client.post(
        reverse(ADD),
        with_link(
            provider_form(slug="other", client_id="client-2"),
            council_b.organisation,
            "brambleton.gov.uk shared.gov.uk",
        ),
    )
    assert response.status_code == 200
    assert "already linked to another organisation: shared.gov.uk (Avonford Council)" in (
        response.text
    )
    assert IdentityProvider.objects.count() == 1


def test_the_secret_is_never_shown_and_kept_when_left_blank(client, administrator):
    client.force_login(administrator)
    client.post(reverse(ADD), provider_form())
    provider = IdentityProvider.objects.get()
    change = reverse("admin:identity_identityprovider_change", args=[provider.pk])
    assert "secret-value-1" not in client.get(change).text
    client.post(change, provider_form(client_secret="", name="Renamed"))
    provider.refresh_from_db()
    assert (provider.name, provider.client_secret) == ("Renamed", "secret-value-1")


def test_deleting_a_link_revokes_it_and_is_logged(client, administrator, council_a):
    client.force_login(administrator)
    client.post(reverse(ADD), with_link(provider_form(), council_a.organisation, "avonford.gov.uk"))
    provider, link = IdentityProvider.objects.get(), OrganisationSignIn.objects.get()
    data = with_link(
        provider_form(client_secret=""),
        council_a.organisation,
        "avonford.gov.uk",
        id=str(link.pk),
        provider=str(provider.pk),
        DELETE="on",
    )
    data["organisation_links-INITIAL_FORMS"] = "1"
    client.post(reverse("admin:identity_identityprovider_change", args=[provider.pk]), data)
    assert not OrganisationSignIn.objects.exists()
    assert SecurityEvent.objects.filter(
        detail="Removed the link of Avonford Council to Oxfordshire Entra ID"
    ).exists()


def test_allauth_pages_that_bypass_our_rules_are_not_in_the_admin():
    assert not admin.site.is_registered(SocialApp)
    assert not admin.site.is_registered(Authenticator)
