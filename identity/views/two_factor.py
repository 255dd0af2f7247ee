"""The signed-in person's second factor: set up an authenticator app, see and renew
recovery codes, and remove the app (not allowed where the role requires one). The work
is done by allauth's MFA flows; these pages give them the GOV.UK look."""

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal import flows as recovery_flows
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal import flows as totp_flows
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..access import mfa_required
from ..adapters import MFAAdapter
from ..forms import ConfirmRemovalForm, SetUpAuthenticatorForm
from ..mfa import SECOND_FACTOR_SETTLED

FIRST_CODES = "show_new_recovery_codes"


def _authenticator(user, kind):
    return Authenticator.objects.filter(user_id=user.pk, type=kind).first()


def _security_page(request, removal_form=None, status=200):
    app = _authenticator(request.user, Authenticator.Type.TOTP)
    codes = _authenticator(request.user, Authenticator.Type.RECOVERY_CODES)
    if app and removal_form is None:
        removal_form = ConfirmRemovalForm(user=request.user)
    return render(
        request,
        "identity/security.html",
        {
            "app": app,
            "unused_codes": len(RecoveryCodes(codes).get_unused_codes()) if codes else 0,
            "required": mfa_required(request.user),
            "removal_form": removal_form if app else None,
        },
        status=status,
    )


@login_required
def security(request):
    return _security_page(request)


@login_required
def set_up_authenticator(request):
    if _authenticator(request.user, Authenticator.Type.TOTP):
        return redirect("identity:security")
    form = SetUpAuthenticatorForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        totp_flows.activate_totp(request, form)
        request.session[SECOND_FACTOR_SETTLED] = True
        request.session[FIRST_CODES] = True
        next_url = request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            request.session["after_recovery_codes"] = next_url
        return redirect("identity:recovery_codes")
    adapter = MFAAdapter()
    totp_url = adapter.build_totp_url(request.user, form.secret)
    return render(
        request,
        "identity/set_up_authenticator.html",
        {
            "form": form,
            "secret": form.secret,
            "qr_svg": adapter.build_totp_svg(totp_url),
            "required": mfa_required(request.user),
        },
    )


@login_required
def recovery_codes(request):
    codes = _authenticator(request.user, Authenticator.Type.RECOVERY_CODES)
    if codes is None:
        return redirect("identity:security")
    if request.method == "POST":
        codes = recovery_flows.generate_recovery_codes(request)
        messages.success(request, "You have new recovery codes. The old ones no longer work")
        return redirect("identity:recovery_codes")
    return render(
        request,
        "identity/recovery_codes.html",
        {
            "codes": RecoveryCodes(codes).get_unused_codes(),
            "first_time": request.session.pop(FIRST_CODES, False),
            "continue_to": request.session.pop("after_recovery_codes", ""),
        },
    )


@login_required
@require_POST
def remove_authenticator(request):
    app = _authenticator(request.user, Authenticator.Type.TOTP)
    if app is None:
        return redirect("identity:security")
    if mfa_required(request.user):
        messages.error(
            request,
            "Your role needs an authenticator app, so it cannot be removed. If you have a "
            "new phone, ask an administrator to reset it, then set it up again",
        )
        return redirect("identity:security")
    form = ConfirmRemovalForm(request.POST, user=request.user)
    if not form.is_valid():
        return _security_page(request, form, status=400)
    totp_flows.deactivate_totp(request, app)
    request.session.pop(SECOND_FACTOR_SETTLED, None)
    return redirect("identity:security")
