"""Inviting people: an administrator creates the account with no usable password and
the person sets their own through Django's password-reset link, so no password is
ever chosen by, or sent through, anyone else."""

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import User
from .signals import user_invited


@transaction.atomic
def invite_user(
    *,
    email: str,
    first_name: str,
    last_name: str,
    organisation,
    role: str,
    job_title: str,
    invited_by,
    base_url: str,
    send: bool = True,
) -> User:
    """Creates the account with no usable password and emails the link, unless `send`
    is False (a batch sends its emails once every account exists: `send_invitation`)."""
    email = email.strip().lower()
    user = User(
        username=email,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        organisation=organisation,
        role=role,
        job_title=job_title.strip(),
    )
    user.set_unusable_password()
    user.save()
    if send:
        send_invitation(user, invited_by=invited_by, base_url=base_url)
    user_invited.send(sender=User, user=user, invited_by=invited_by)
    return user


def send_invitation(user: User, *, invited_by, base_url: str, token=default_token_generator):
    """Emails the invited person a link to choose their password (valid 3 days)."""
    link = base_url.rstrip("/") + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": token.make_token(user),
        },
    )
    context = {"user": user, "link": link, "invited_by": invited_by}
    send_mail(
        subject="You have been invited to Partnership Readiness",
        message=render_to_string("registration/invitation_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
