"""Our answers to allauth's questions: which identity providers exist (from our own
`IdentityProvider` rows, so a new one works without a restart), who may sign in
through them (`identity.federation`), and that nobody signs up on their own.

allauth's MFA login stage is not used: password sign-ins ask for the code on our own
page (`identity.views.sign_in`), and single sign-on relies on the organisation's
provider for its second factor.
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.db import transaction
from django.shortcuts import render

from . import federation
from .events import SIGN_IN_METHOD, record
from .models import EventKind, IdentityProvider
from .provider import PROVIDER_ID

# Sessions created by single sign-on are marked with this method (and the provider).
OIDC_METHOD = "single sign-on"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False

    def get_login_stages(self):
        return [
            stage for stage in super().get_login_stages() if not stage.startswith("allauth.mfa")
        ]

    def login(self, request, user):
        method = getattr(user, "sign_in_method", "")
        if method:
            # Kept through Django's session key rotation at login.
            request.session[SIGN_IN_METHOD] = method
        super().login(request, user)


class MFAAdapter(DefaultMFAAdapter):
    def get_totp_issuer(self) -> str:
        return settings.MFA_TOTP_ISSUER

    def can_delete_authenticator(self, authenticator) -> bool:
        from .mfa import mfa_required

        return not mfa_required(authenticator.user)


def provider_app(provider: IdentityProvider) -> SocialApp:
    """allauth's view of one of our providers; never saved (allauth accepts unsaved apps)."""
    return SocialApp(
        provider=PROVIDER_ID,
        provider_id=provider.slug,
        name=provider.name,
        client_id=provider.client_id,
        secret=provider.client_secret,
        settings={
            "server_url": provider.issuer_url,
            "oauth_pkce_enabled": True,
            # The verified ID token is the only source of who the person is.
            "fetch_userinfo": False,
        },
    )


def refusal_page(request, message: str, *, status: int = 403):
    return render(request, "identity/sign_in_refused.html", {"message": message}, status=status)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return False

    def list_apps(self, request, provider=None, client_id=None):
        providers = IdentityProvider.objects.filter(is_active=True)
        if provider and provider != PROVIDER_ID:
            providers = providers.filter(slug=provider)
        if client_id:
            providers = providers.filter(client_id=client_id)
        return [provider_app(row) for row in providers]

    def pre_social_login(self, request, sociallogin):
        provider = IdentityProvider.objects.filter(
            slug=sociallogin.account.provider, is_active=True
        ).first()
        claims = sociallogin.account.extra_data.get("id_token") or {}
        if provider is None:
            self._refuse(request, sociallogin, "This identity provider has been turned off")
        expected_nonce = sociallogin.state.get("nonce")
        if not expected_nonce or claims.get("nonce") != expected_nonce:
            self._refuse(
                request,
                sociallogin,
                "Your sign-in could not be checked. Start again from the sign-in page",
            )
        linked_user = sociallogin.user if sociallogin.is_existing else None
        try:
            with transaction.atomic():
                admission = federation.admit(
                    provider=provider, claims=claims, linked_user=linked_user
                )
                if admission.how == "created":
                    admission.user.save()
                if admission.how != "existing":
                    sociallogin.connect(request, admission.user)
        except federation.SignInRefused as refused:
            self._refuse(request, sociallogin, str(refused), provider=provider, claims=claims)
        user = sociallogin.user
        if admission.how == "linked":
            record(
                EventKind.ACCOUNT_LINKED,
                user=user,
                method=OIDC_METHOD,
                detail=f"Linked to {provider.name}",
                actor=user,
            )
        user.backend = MODEL_BACKEND
        user.sign_in_method = OIDC_METHOD

    def _refuse(self, request, sociallogin, message, *, provider=None, claims=None):
        claims = claims or {}
        record(
            EventKind.SIGN_IN_FAILED,
            username=str(claims.get("email") or "")[:150],
            succeeded=False,
            method=OIDC_METHOD,
            detail=f"Refused by this service ({provider.name if provider else 'unknown provider'})",
            request=request,
        )
        raise ImmediateHttpResponse(refusal_page(request, message))

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ):
        # The provider said no, the person cancelled, or the token failed a check.
        record(
            EventKind.SIGN_IN_FAILED,
            succeeded=False,
            method=OIDC_METHOD,
            detail=f"Failed at {getattr(provider, 'name', 'the provider')}: {error or 'error'}",
            request=request,
        )
        raise ImmediateHttpResponse(
            refusal_page(
                request,
                "We could not sign you in through your organisation's account. Start again "
                "from the sign-in page; if it keeps happening, tell your IT team",
            )
        )
