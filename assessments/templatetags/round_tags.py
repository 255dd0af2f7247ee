"""A round's closing date on pages: `round|days_left` and `round|deadline`."""

from django import template
from django.utils import timezone

from ..deadlines import days_left as _days_left
from ..deadlines import deadline_phrase

register = template.Library()


@register.filter
def days_left(round_) -> int | None:
    return _days_left(round_.closes_on, timezone.localdate())


@register.filter
def deadline(round_) -> str:
    return deadline_phrase(round_.closes_on, timezone.localdate())
