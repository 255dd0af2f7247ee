"""Single sign-on for the demo: the local test provider (tests/oidc_demo.py, started by
`make demo SSO=1`) registered as Cherwell District Council's identity provider, for the
domain cherwell.example. Demo only: the client secret and the provider's accounts are
published in the repository.

- sam.okafor@cherwell.example is invited as Cherwell's second ICT manager, so their
  first sign-in links the account and lands on the dashboard;
- new.starter@cherwell.example has no account: Cherwell allows accounts on first
  sign-in, so they get one with no role and see the page that says so;
- someone@elsewhere.example is refused: that domain is not linked.
"""

from django.db import transaction

DEMO_ISSUER = "http://127.0.0.1:9000"
DEMO_CLIENT_ID = "readiness-demo"
DEMO_CLIENT_SECRET = "demo-only-client-secret"  # noqa: S105 - the local demo provider only
DEMO_DOMAIN = "cherwell.example"
DEMO_ORGANISATION = "Cherwell District Council"
DEMO_INVITED = "sam.okafor@cherwell.example"


@transaction.atomic
def seed_demo_sign_in(issuer: str = DEMO_ISSUER):
    # Imported here, so the demo provider script can read the constants above without
    # setting Django up.
    from identity.models import IdentityProvider, OrganisationSignIn
    from partnerships.models import Organisation, Role, User

    organisation = Organisation.objects.get(name=DEMO_ORGANISATION)
    provider, _ = IdentityProvider.objects.update_or_create(
        slug="local",
        defaults={
            "name": "Local test provider (demo only)",
            "issuer_url": issuer,
            "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET,
            "is_active": True,
        },
    )
    OrganisationSignIn.objects.update_or_create(
        organisation=organisation,
        defaults={
            "provider": provider,
            "email_domains": DEMO_DOMAIN,
            "just_in_time_accounts": True,
        },
    )
    user, created = User.objects.get_or_create(
        username=DEMO_INVITED,
        defaults={
            "email": DEMO_INVITED,
            "first_name": "Sam",
            "last_name": "Okafor",
            "organisation": organisation,
            "role": Role.ICT_MANAGER,
            "job_title": "Infrastructure Lead",
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return provider
