import re
import unicodedata
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


# ---------------------------------------------------------------- long words in PDFs

# A run of more than LONG_RUN characters without a space (a pasted URL, a hash) gets a
# line-break opportunity, a zero-width space, after every BREAK_EVERY characters.
LONG_RUN = 30
BREAK_EVERY = 10
ZERO_WIDTH_SPACE = "\u200b"
_LONG_RUN_RE = re.compile(rf"\S{{{LONG_RUN + 1},}}")


def _break_run(match: re.Match) -> str:
    run, pieces, start = match.group(), [], 0
    while start < len(run):
        end = min(start + BREAK_EVERY, len(run))
        # Never separate a letter from the accents that follow it.
        while end < len(run) and unicodedata.combining(run[end]):
            end += 1
        pieces.append(run[start:end])
        start = end
    return ZERO_WIDTH_SPACE.join(pieces)


@register.filter
def pdf_breakable(text: str | None) -> str:
    """Text for a PDF with break opportunities inside very long words.

    WeasyPrint wraps a word too long for its line (overflow-wrap: anywhere) by laying
    out the whole rest of the word again for every line it makes, so the cost grows
    with the square of the word's length: one 5,000-character word per statement made
    an organisation PDF take several times as long as the same text in ordinary words.
    With a break opportunity every few characters each line is laid out once, as for
    ordinary text. The zero-width spaces are not drawn and not in the PDF's text (copying
    gives the word back whole). Only for PDFs: on pages, browsers wrap long words
    themselves, and a copied URL must not carry invisible characters. The result is
    escaped as usual when the template prints it.

    Also for names in PDF tables: a table's columns are at least as wide as their
    longest word, so one very long name would push the table off the page."""
    if not text:
        return ""
    return _LONG_RUN_RE.sub(_break_run, str(text))


@register.simple_tag(takes_context=True)
def breakable(context, text):
    """`{% breakable name %}` in the templates that pages and PDFs share: the text with
    pdf_breakable's break opportunities when the template renders a PDF (`pdf` is true
    in its context), the text as it is on a page. Escaped like `{{ name }}`."""
    return pdf_breakable(text) if context.get("pdf") else text


# ---------------------------------------------------------------- short column headings

# Headings for tables with a column per dimension, short enough for every column to fit
# on a laptop screen and an A4 page; the full name is always there for screen readers.
# A framework with other dimension codes keeps the full names.
SHORT_DIMENSION_NAMES = {
    "business-scope": "Scope",
    "information-sharing": "Info sharing",
    "identity-management": "Identity",
    "transactions": "Transactions",
}


@register.filter
def short_name(dimension: dict) -> str:
    """A dimension's short column heading (its name when it has none)."""
    return SHORT_DIMENSION_NAMES.get(dimension.get("code"), dimension.get("name", ""))


@register.filter
def shortened(dimensions: list[dict]) -> list[dict]:
    """The dimensions whose column headings are shortened: `short` and `name` each."""
    return [
        {"short": short_name(d), "name": d["name"]}
        for d in dimensions
        if short_name(d) != d["name"]
    ]


# ---------------------------------------------------------------- board summary


@register.filter
def of_severity(gaps: list[dict], severities: str) -> list[dict]:
    """The gaps of the given severities: `gaps|of_severity:"high,warning"`."""
    wanted = severities.split(",")
    return [gap for gap in gaps if gap["severity"] in wanted]


LONGEST_NAME_IN_SUMMARY = 48


def _clipped(name: str, limit: int) -> str:
    """In a capped list, each name is cut to a length a line can hold."""
    if limit and len(name) > LONGEST_NAME_IN_SUMMARY:
        return name[: LONGEST_NAME_IN_SUMMARY - 1].rstrip() + "…"
    return name


@register.filter
def name_list(names: list, limit: int = 0) -> str:
    """ "Cherwell (0), Isis Valley NHS (1) and 22 more": names (or partners with a
    level) in a sentence, at most `limit` of them, each cut to a line's length, when a
    page must stay short (the PDF's one-page summary); all of them, whole, when `limit`
    is 0. Escaped when printed."""
    items = [
        (_clipped(item["name"], limit), item.get("level"))
        if isinstance(item, dict)
        else (_clipped(str(item), limit), None)
        for item in names
    ]
    items = [name if level is None else f"{name} ({level})" for name, level in items]
    shown = items[:limit] if limit else items
    rest = len(items) - len(shown)
    if rest:
        return f"{', '.join(shown)} and {rest} more"
    if len(shown) > 1:
        return f"{', '.join(shown[:-1])} and {shown[-1]}"
    return shown[0] if shown else ""


ACTION_FIELD_LABELS = {
    "description": "What will be done",
    "owner_role": "Who owns it",
    "owner_name": "Named person",
    "due_on": "Due date",
    "status": "Status",
    "dropped_reason": "Why it was dropped",
}


@register.filter
def field_label(name: str) -> str:
    """An action field's name as its change history shows it."""
    return ACTION_FIELD_LABELS.get(name, name)
