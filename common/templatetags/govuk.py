"""Template tags for GOV.UK patterns the pages share."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def back_link(text: str, viewname: str, *args) -> str:
    """A GOV.UK back link to a named URL: {% back_link "Back to the task list"
    "assessments:tasks" assessment.pk %}."""
    return format_html(
        '<a href="{}" class="govuk-back-link">{}</a>', reverse(viewname, args=args), text
    )
