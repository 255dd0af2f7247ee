"""The redirect URI that identity providers send people back to: allauth's callback
view, with our provider's stricter adapter (identity.provider)."""

from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView
from django.http import Http404

from ..provider import OrganisationOIDCAdapter


def callback(request, provider_id: str):
    try:
        view = OAuth2CallbackView.adapter_view(OrganisationOIDCAdapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
