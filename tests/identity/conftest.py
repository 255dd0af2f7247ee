"""Single sign-on against the real provider on loopback (tests/oidc.py): an identity
provider registered for Avonford Council's domain, with a client registered at the
provider for the test client's callback."""

from dataclasses import dataclass

import pytest

from identity.models import IdentityProvider, OrganisationSignIn

DOMAIN = "cherwell.gov.uk"  # the domain of the provider fixture's accounts


@dataclass
class Federation:
    provider: IdentityProvider
    link: OrganisationSignIn
    local: object  # tests.oidc.LocalProvider


def register(local, *, base_url: str, organisation, slug: str = "local", **link_options):
    callback = f"{base_url}/accounts/oidc/{slug}/login/callback/"
    client_id, secret = local.register_client([callback])
    provider = IdentityProvider.objects.create(
        name="Oxfordshire test provider",
        slug=slug,
        issuer_url=local.issuer,
        client_id=client_id,
        client_secret=secret,
    )
    link = OrganisationSignIn.objects.create(
        organisation=organisation, provider=provider, email_domains=DOMAIN, **link_options
    )
    return Federation(provider, link, local)


@pytest.fixture
def federation(oidc_provider, council_a):
    return register(
        oidc_provider, base_url="http://testserver", organisation=council_a.organisation
    )


def provider_url(started) -> str:
    """Where the start of single sign-on sends the browser: a page that goes on to the
    provider at once (a redirect would break the sign-in page's form-action policy)."""
    assert started.status_code == 200, started.content
    url = started.context["provider_url"]
    assert f'content="0;url={url}"'.replace("&", "&amp;") in started.text
    return url
