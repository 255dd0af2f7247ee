"""Sends administrators and executives who signed in with a password, and have no
authenticator app yet, to set one up before any other page (identity.mfa)."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from common.middleware import DATABASE_UNAVAILABLE_ERRORS

from .mfa import must_set_up_authenticator

# Pages reachable before set-up: set-up itself, signing out, and what needs no account.
ALLOWED_PREFIXES = ("/static/", "/healthz", "/accessibility/")


class TwoFactorSetUpMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_set_up_first(request):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('identity:set_up_authenticator')}?{query}")
        return self.get_response(request)

    def _must_set_up_first(self, request) -> bool:
        if request.path.startswith(ALLOWED_PREFIXES):
            return False
        if request.path in (reverse("identity:set_up_authenticator"), reverse("logout")):
            return False
        try:
            return must_set_up_authenticator(request)
        except DATABASE_UNAVAILABLE_ERRORS:
            # Let the view meet the outage, where DatabaseUnavailableMiddleware turns it
            # into a 503; raised here, it would become a 500.
            return False
