"""Signing in: with the organisation's own account (single sign-on), or with a password
and, where the person has an authenticator app, its code.

A password that is right but still needs a code does not sign the person in: the
account waits in the session for up to 10 minutes while the code page asks for it.
"""

import logging
import time

import requests
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.providers.base import AuthProcess
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from partnerships.forms import SignInForm
from partnerships.models import User

from ..adapters import OIDC_METHOD
from ..events import SIGN_IN_METHOD, record
from ..federation import email_domain, link_for_email
from ..forms import OrganisationEmailForm, SignInCodeForm
from ..mfa import SECOND_FACTOR_SETTLED, has_authenticator_app
from ..models import EventKind

logger = logging.getLogger(__name__)

PENDING = "sign_in_awaiting_code"
PENDING_SECONDS = 600
PASSWORD = "password"
PASSWORD_AND_CODE = "password and code"


def _safe_next(request, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


class SignInView(auth_views.LoginView):
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("email_form", OrganisationEmailForm())
        return context

    def form_valid(self, form):
        user = form.get_user()
        if has_authenticator_app(user):
            self.request.session[PENDING] = {
                "user": user.pk,
                "backend": user.backend,
                "next": self.get_redirect_url(),
                "at": time.time(),
            }
            return redirect("identity:enter_code")
        self.request.session[SIGN_IN_METHOD] = PASSWORD
        return super().form_valid(form)


@require_POST
@sensitive_post_parameters()
def single_sign_on(request):
    """The person types their work email; we send them to the identity provider linked
    to its domain (the page never lists every organisation's provider)."""
    form = OrganisationEmailForm(request.POST)
    next_url = _safe_next(request, request.POST.get("next", ""))
    if form.is_valid():
        email = form.cleaned_data["email"].lower()
        link = link_for_email(email)
        if link is not None and link.provider.is_active:
            provider = get_social_adapter(request).get_provider(request, link.provider.slug)
            try:
                # Reads the provider's discovery document, so the provider must answer.
                redirect_to_provider = provider.redirect(
                    request,
                    AuthProcess.LOGIN,
                    next_url=next_url or None,
                    auth_params={"login_hint": email},
                )
                return _leave_for(request, link.provider, redirect_to_provider["Location"])
            except (requests.RequestException, ValueError, KeyError):
                logger.warning("Identity provider %s did not answer", link.provider.slug)
                return render(
                    request,
                    "identity/sign_in_refused.html",
                    {
                        "message": f"{link.provider.name} is not answering at the moment. Try "
                        "again in a few minutes, or sign in with your password if you have one",
                        "title": "Your organisation's sign-in is not answering",
                    },
                    status=503,
                )
        record(
            EventKind.SIGN_IN_FAILED,
            username=email,
            succeeded=False,
            method=OIDC_METHOD,
            detail=f"No organisation signs in with its own account for @{email_domain(email)}",
            request=request,
        )
        form.add_error(
            "email",
            f"No organisation signs in with its own account for @{email_domain(email)} "
            "email addresses. Sign in with your password below, or ask your administrator",
        )
    return render(
        request,
        "registration/login.html",
        {"form": SignInForm(request), "email_form": form, "next": next_url},
        status=400,
    )


def _leave_for(request, provider, url: str):
    """A page that sends the browser on to the provider at once (an instant meta
    refresh, with a link too). A redirect answering the form's POST would be blocked:
    the sign-in page's Content-Security-Policy allows forms to go to this site only
    (`form-action 'self'`), and browsers apply that to where the redirect leads."""
    return render(
        request, "identity/leaving_for_provider.html", {"provider": provider, "provider_url": url}
    )


def _pending(request):
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None, None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return (pending, user) if user else (None, None)


@sensitive_post_parameters()
def enter_code(request):
    pending, user = _pending(request)
    if user is None:
        request.session.pop(PENDING, None)
        messages.info(request, "Sign in again: codes are asked for within 10 minutes")
        return redirect("login")
    form = SignInCodeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        form.save()  # marks a recovery code used, and tells the security log
        del request.session[PENDING]
        request.session[SIGN_IN_METHOD] = PASSWORD_AND_CODE
        auth_login(request, user, backend=pending["backend"])
        request.session[SECOND_FACTOR_SETTLED] = True
        return HttpResponseRedirect(
            _safe_next(request, pending["next"]) or resolve_url(settings.LOGIN_REDIRECT_URL)
        )
    return render(request, "identity/enter_code.html", {"form": form})
