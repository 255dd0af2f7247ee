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
