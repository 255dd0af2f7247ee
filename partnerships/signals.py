"""What other apps may want to hear about a partnership, without this app knowing them:
`funding_changed` is sent (with `partnership`) when a funding formula is recorded or
signed, so the reports that show it can be prepared again."""

from django.dispatch import Signal

funding_changed = Signal()
