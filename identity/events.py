"""The security event log: `record()` writes one event, and the receivers below turn
Django's, axes', allauth's and our own apps' signals into events.

The request (for the address and the person acting) comes from allauth's context,
which its middleware sets for every request, so services and signal receivers that are
not handed the request still log where an action came from.
"""

from allauth.core import context
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from axes.helpers import get_client_ip_address
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from common.audit import security_event
from partnerships.models import Organisation, User
from partnerships.signals import user_invited

from .access import ACCESS_FIELDS
from .models import EventKind, SecurityEvent

# Where the sign-in views write how a person signed in, for the log and for the rule
# that password sign-ins of some roles need a second factor (identity.mfa).
SIGN_IN_METHOD = "sign_in_method"


def _request(request=None):
    return request if request is not None else getattr(context, "request", None)


def _address(request) -> str | None:
    if request is None:
        return None
    try:
        return get_client_ip_address(request) or None
    except (KeyError, ValueError):
        return None


def _acting_user(request):
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


def record(
    kind: str,
    *,
    user=None,
    username: str = "",
    succeeded: bool = True,
    method: str = "",
    detail: str = "",
    request=None,
    actor=None,
    partnership=None,
) -> SecurityEvent:
    request = _request(request)
    if actor is None:
        actor = _acting_user(request)
    if user is None and actor is not None and kind not in _ABOUT_SOMEONE_ELSE:
        user = actor
    return SecurityEvent.objects.create(
        kind=kind,
        succeeded=succeeded,
        user=user,
        username=(username or (user.get_username() if user else ""))[:150],
        organisation_id=getattr(user, "organisation_id", None),
        actor=actor,
        partnership=partnership,
        method=method[:30],
        ip_address=_address(request),
        detail=detail[:300],
    )


# Events whose `user` is the person acted on, not the person acting.
_ABOUT_SOMEONE_ELSE = {
    EventKind.ROLE_CHANGED,
    EventKind.ORGANISATION_CHANGED,
    EventKind.ACCESS_CHANGED,
    EventKind.INVITATION_SENT,
    EventKind.ACCOUNT_CREATED,
    EventKind.MFA_RESET,
    EventKind.PARTNERSHIP_CHANGED,
}


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    method = request.session.get(SIGN_IN_METHOD, "") if request is not None else ""
    record(EventKind.SIGN_IN, user=user, method=method, request=request, actor=user)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    # Django has already replaced the password in `credentials` with stars.
    username = str(credentials.get("username", ""))
    user = User.objects.filter(username=username).first() if username else None
    record(
        EventKind.SIGN_IN_FAILED,
        user=user,
        username=username,
        succeeded=False,
        method="password",
        request=request,
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    record(
        EventKind.LOCKED_OUT,
        username=str(username or ""),
        succeeded=False,
        method="password",
        detail="Too many failed sign-ins: signing in paused for 5 minutes",
        request=request,
    )


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(EventKind.SIGN_OUT, user=user, request=request, actor=user)


def _authenticator_name(authenticator) -> str:
    return (
        "recovery codes"
        if authenticator.type == Authenticator.Type.RECOVERY_CODES
        else ("authenticator app")
    )


@receiver(mfa_signals.authenticator_added)
def _mfa_added(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.TOTP:
        record(EventKind.MFA_ADDED, user=user, request=request, actor=user)


@receiver(mfa_signals.authenticator_removed)
def _mfa_removed(sender, request, user, authenticator, **kwargs):
    record(
        EventKind.MFA_REMOVED,
        user=authenticator.user,
        detail=f"Removed the {_authenticator_name(authenticator)}",
        request=request,
        actor=user,
    )


@receiver(mfa_signals.authenticator_reset)
def _recovery_codes_new(sender, request, user, authenticator, **kwargs):
    record(EventKind.RECOVERY_CODES_NEW, user=user, request=request, actor=user)


@receiver(mfa_signals.authenticator_used)
def _authenticator_used(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        record(EventKind.RECOVERY_CODE_USED, user=user, method="recovery code", request=request)


@receiver(mfa_signals.authentication_failed)
def _mfa_failed(sender, request, user, authenticator, **kwargs):
    record(EventKind.MFA_FAILED, user=user, succeeded=False, method="code", request=request)


# Role, organisation and access changes, whichever page or command made them.
_WATCHED = {
    field: {"role": EventKind.ROLE_CHANGED, "organisation_id": EventKind.ORGANISATION_CHANGED}.get(
        field, EventKind.ACCESS_CHANGED
    )
    for field in ACCESS_FIELDS
}


def _describe(field: str, value) -> str:
    if field == "role":
        return dict(User._meta.get_field("role").choices).get(value, "") or "no role"
    if field == "organisation_id":
        organisation = Organisation.objects.filter(pk=value).first() if value else None
        return organisation.name if organisation else "no organisation"
    return "yes" if value else "no"


@receiver(pre_save, sender=User)
def _remember_access(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & {*_WATCHED, "organisation"}:
        return  # signing in saves last_login alone: no query for that
    before = User.objects.filter(pk=instance.pk).values(*_WATCHED).first()
    instance._access_before = before


@receiver(post_save, sender=User)
def _access_changed(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        record(
            EventKind.ACCOUNT_CREATED,
            user=instance,
            detail=f"Role: {_describe('role', instance.role)}",
        )
        return
    before = getattr(instance, "_access_before", None)
    instance._access_before = None
    if not before:
        return
    for field, kind in _WATCHED.items():
        old, new = before[field], getattr(instance, field)
        if old != new:
            label = field.removesuffix("_id").replace("_", " ")
            record(
                kind,
                user=instance,
                detail=f"{label.capitalize()}: {_describe(field, old)} to {_describe(field, new)}",
            )


@receiver(user_invited)
def _invited(sender, user, invited_by, **kwargs):
    record(
        EventKind.INVITATION_SENT,
        user=user,
        actor=invited_by,
        detail=f"Invited as {_describe('role', user.role)}",
    )


@receiver(security_event)
def _from_other_apps(
    sender, kind, user=None, detail="", request=None, partnership=None, about=None, **kwargs
):
    record(
        EventKind(kind),
        user=about,
        detail=detail,
        request=request,
        actor=user,
        partnership=partnership,
    )
