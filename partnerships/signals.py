"""What other apps may want to hear about a partnership, without this app knowing them:
`funding_changed` is sent (with `partnership`) when a funding formula is recorded or
signed, so the reports that show it can be prepared again; `user_invited` (with
`user` and `invited_by`) when someone is invited, for the security log."""

from django.dispatch import Signal

funding_changed = Signal()
user_invited = Signal()
