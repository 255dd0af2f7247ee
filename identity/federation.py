"""Who may sign in through an organisation's identity provider.

There is no self-registration. A person gets in through a provider only when their
work email's domain is linked to an organisation that signs in there, and either:

- they already signed in this way before (their provider account is linked), and still
  belong to that organisation;
- they have an account (invited, or a password user) at that organisation, and the
  provider says the email address is verified: the accounts are linked on this first
  sign-in;
- the organisation allows accounts on first sign-in and the email is verified: a new
  account is made with no role, until an administrator or the organisation's executive
  gives one.

Every refusal says what to do, in plain English.
"""

from dataclasses import dataclass

from django.db.models import Q

from partnerships.models import User

from .models import IdentityProvider, OrganisationSignIn


class SignInRefused(Exception):
    """The provider vouched for someone we will not let in; the message says why."""


@dataclass(frozen=True)
class Admission:
    user: User
    link: OrganisationSignIn
    # "existing" (linked before), "linked" (linked now), or "created" (new account).
    how: str


def email_domain(email: str) -> str:
    return email.strip().lower().rpartition("@")[2]


def link_for_email(email: str) -> OrganisationSignIn | None:
    """The organisation link whose domains include the email's domain, with its
    provider, or None. Domains are unique across links (the service sees to it)."""
    domain = email_domain(email)
    if not domain or "@" not in email:
        return None
    candidates = OrganisationSignIn.objects.select_related("provider", "organisation").filter(
        email_domains__contains=domain
    )
    return next((link for link in candidates if domain in link.domains), None)


def claims_verified(claims: dict) -> bool:
    """OpenID Connect's `email_verified`; Microsoft Entra ID says the same with its
    optional `xms_edov` claim (email domain owner verified)."""
    for name in ("email_verified", "xms_edov"):
        value = claims.get(name)
        if value is True or (isinstance(value, str) and value.lower() == "true"):
            return True
    return False


def _domain_refused(email: str, provider: IdentityProvider) -> SignInRefused:
    return SignInRefused(
        f"Your email address ends in @{email_domain(email)}, which is not linked to an "
        f"organisation that signs in through {provider.name}. Sign in with your work "
        "email address, or ask an administrator to link your organisation's domain"
    )


def admit(*, provider: IdentityProvider, claims: dict, linked_user: User | None) -> Admission:
    """Decides whether the person the provider vouched for (`claims`, from the verified
    ID token) may sign in, and as whom. `linked_user` is the account already linked to
    this provider account, if any. Raises SignInRefused. Creates nothing: the caller
    saves a new account (see `new_account`)."""
    email = str(claims.get("email") or "").strip().lower()
    if not email or "@" not in email:
        raise SignInRefused(
            f"{provider.name} did not tell us your email address, so we cannot tell which "
            "organisation you belong to. Ask your IT team to release the email claim"
        )
    link = link_for_email(email)
    if link is None or link.provider_id != provider.pk or not provider.is_active:
        raise _domain_refused(email, provider)

    if linked_user is not None:
        return Admission(_usable(linked_user, link), link, "existing")

    existing = User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).first()
    verified = claims_verified(claims)
    if existing is not None:
        if not verified:
            raise SignInRefused(
                f"{provider.name} has not confirmed that {email} is your email address, so "
                "we cannot link it to your account here. Ask your IT team to verify it, or "
                "sign in with your password"
            )
        return Admission(_usable(existing, link), link, "linked")

    if link.just_in_time_accounts and verified:
        return Admission(new_account(claims, link), link, "created")
    raise SignInRefused(
        f"You do not have an account for Partnership Readiness yet. Ask an administrator "
        f"or an executive at {link.organisation.name} to invite you"
    )


def _usable(user: User, link: OrganisationSignIn) -> User:
    if user.organisation_id != link.organisation_id:
        raise SignInRefused(
            "Your account here belongs to a different organisation from the one your "
            "email address is linked to. Ask an administrator to check your account"
        )
    if not user.is_active:
        raise SignInRefused(
            "This account has been turned off. Ask your administrator to turn it on"
        )
    return user


def new_account(claims: dict, link: OrganisationSignIn) -> User:
    """An unsaved account for a just-in-time sign-in: no role, no usable password."""
    email = str(claims["email"]).strip().lower()
    user = User(
        username=email,
        email=email,
        first_name=str(claims.get("given_name") or "")[:150],
        last_name=str(claims.get("family_name") or "")[:150],
        organisation=link.organisation,
        role="",
    )
    user.set_unusable_password()
    return user
