"""Writes of the identity app: identity providers and organisations' links to them,
a first role for a newly arrived person, and resetting a lost second factor. Each runs
in one transaction, checks the access predicates, and is logged."""

import ipaddress
from urllib.parse import urlsplit

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from common.access import require
from partnerships.access import can_administer
from partnerships.models import Role, User

from .access import can_assign_role
from .events import record
from .models import EventKind, IdentityProvider, OrganisationSignIn

ADMINISTRATORS_ONLY = "Only an administrator can register identity providers"


def normalise_domains(text: str) -> str:
    domains = []
    for domain in text.replace(",", " ").lower().split():
        domain = domain.removeprefix("@")
        if domain not in domains:
            domains.append(domain)
    return " ".join(domains)


def check_issuer_url(url: str) -> None:
    """HTTPS only; plain HTTP only on loopback where the settings allow it (local
    trials and tests)."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    loopback = False
    try:
        loopback = parts.hostname == "localhost" or ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        pass
    if parts.scheme == "http" and loopback and settings.IDENTITY_PROVIDERS_ALLOW_LOOPBACK_HTTP:
        return
    raise ValidationError({"issuer_url": "Enter the provider's issuer URL starting with https://"})


def check_domains_free(link: OrganisationSignIn) -> None:
    """A domain leads to one organisation only, or sign-in could not tell which."""
    taken = {}
    for other in OrganisationSignIn.objects.exclude(pk=link.pk).select_related("organisation"):
        for domain in other.domains:
            taken[domain] = other.organisation.name
    clashes = [f"{domain} ({taken[domain]})" for domain in link.domains if domain in taken]
    if clashes:
        raise ValidationError(
            {
                "email_domains": "These domains are already linked to another organisation: "
                + ", ".join(clashes)
                + ". Remove them from one of the two"
            }
        )


@transaction.atomic
def save_provider(*, provider: IdentityProvider, user) -> IdentityProvider:
    require(can_administer(user), ADMINISTRATORS_ONLY)
    check_issuer_url(provider.issuer_url)
    provider.issuer_url = provider.issuer_url.rstrip("/")
    created = provider.pk is None
    provider.save()
    record(
        EventKind.PROVIDER_CHANGED,
        actor=user,
        detail=f"{'Registered' if created else 'Changed'} identity provider {provider.name}",
    )
    return provider


@transaction.atomic
def save_link(*, link: OrganisationSignIn, user) -> OrganisationSignIn:
    require(can_administer(user), ADMINISTRATORS_ONLY)
    link.email_domains = normalise_domains(link.email_domains)
    check_domains_free(link)
    link.save()
    record(
        EventKind.PROVIDER_CHANGED,
        actor=user,
        detail=(
            f"Linked {link.organisation.name} to {link.provider.name} for "
            f"{', '.join(link.domains)}"
            + (", accounts made on first sign-in" if link.just_in_time_accounts else "")
        ),
    )
    return link


@transaction.atomic
def remove_link(*, link: OrganisationSignIn, user) -> None:
    """Revokes single sign-on for the organisation at once."""
    require(can_administer(user), ADMINISTRATORS_ONLY)
    record(
        EventKind.PROVIDER_CHANGED,
        actor=user,
        detail=f"Removed the link of {link.organisation.name} to {link.provider.name}",
    )
    link.delete()


@transaction.atomic
def assign_first_role(*, person: User, role: str, user) -> User:
    require(
        can_assign_role(user, person),
        "Only an administrator or an executive of their organisation can give this person a role",
    )
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role"})
    person.role = role
    person.save(update_fields=["role"])  # the security log records the change
    return person


@transaction.atomic
def reset_second_factor(*, person: User, reason: str, by: str) -> int:
    """For someone who lost their authenticator device: removes their app and
    recovery codes, so their next password sign-in asks them to set up a new one.
    Run by the people who run the service (a management command), never from a page."""
    deleted, _ = Authenticator.objects.filter(user=person).delete()
    record(
        EventKind.MFA_RESET,
        user=person,
        detail=f"By {by}: {reason}"[:300],
    )
    return deleted
