"""Telling the security log about something, without the app that did it knowing the
log: `security_event.send(sender=..., kind=..., user=..., detail=...)`. The identity app
listens and records it (`identity.events`); `kind` is one of its `EventKind` values.
`detail` is a short sentence of our own making: never a password, token, secret or
text that a person typed as evidence."""

from django.dispatch import Signal

security_event = Signal()


def security_event_for(
    kind: str, *, user=None, detail: str = "", request=None, partnership=None, about=None
) -> None:
    """`user` is who acted; `about`, the person acted on, if another; `partnership`,
    where the change was made."""
    security_event.send(
        sender=None,
        kind=kind,
        user=user,
        detail=detail,
        request=request,
        partnership=partnership,
        about=about,
    )
