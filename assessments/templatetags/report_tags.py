from datetime import date

from django import template
from django.utils.dateformat import format as format_date

register = template.Library()


@register.filter
def human_date(iso_text: str | None) -> str:
    """Report data carries ISO dates (for JSON); pages show 19 November 2026."""
    if not iso_text:
        return ""
    try:
        return format_date(date.fromisoformat(iso_text[:10]), "j F Y")
    except ValueError:
        return iso_text
