"""Charts drawn on the server as inline SVG: no script, nothing fetched, the same in a
browser and in a PDF. Every chart has a title and a description, and the pages put a
table of the same numbers beside it for screen reader users."""

import math

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from ..choices import MAX_LEVEL

SIZE = 520
CENTRE = SIZE / 2
RADIUS = 150
LABEL_GAP = 22
GRID = "#b1b4b6"
INK = "#0b0c0c"
CURRENT = ("#1d70b8", "#1d70b8", "0.25")  # stroke, fill, fill opacity
PREVIOUS = ("#505a5f", "none", "0")


def _n(number: float) -> str:
    """Coordinates as text with one decimal: format_html escapes its arguments into
    strings, so numbers are formatted before they reach it."""
    return f"{number:.1f}"


def _point(index: int, count: int, value: float) -> tuple[str, str]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    distance = RADIUS * value / MAX_LEVEL
    return _n(CENTRE + distance * math.cos(angle)), _n(CENTRE + distance * math.sin(angle))


def _points(values: list[float | None]) -> str:
    count = len(values)
    return " ".join(",".join(_point(i, count, value or 0)) for i, value in enumerate(values))


def _wrap(label: str, width: int = 16) -> list[str]:
    lines, line = [], ""
    for word in label.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + [line]


def _label(index: int, count: int, text: str) -> SafeString:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    x = CENTRE + (RADIUS + LABEL_GAP) * math.cos(angle)
    y = CENTRE + (RADIUS + LABEL_GAP) * math.sin(angle)
    anchor = "middle" if abs(math.cos(angle)) < 0.3 else ("start" if math.cos(angle) > 0 else "end")
    lines = _wrap(text)
    top = y - (len(lines) - 1) * 8 + (6 if math.sin(angle) > 0.3 else 0)
    spans = format_html_join(
        "",
        '<tspan x="{}" y="{}">{}</tspan>',
        ((x, top + 16 * n, line) for n, line in enumerate(lines)),
    )
    return format_html(
        '<text font-size="13" fill="{}" text-anchor="{}">{}</text>', INK, anchor, spans
    )


def radar_svg(
    labels: list[str],
    values: list[float | None],
    *,
    previous: list[float | None] | None = None,
    title: str,
    description: str,
    chart_id: str = "radar",
) -> SafeString:
    """A radar chart of up to nine dimensions on the 0-4 scale. A dimension with no
    score is drawn at 0; the description and the table beside the chart say it is
    not assessed."""
    count = len(labels)
    rings = format_html_join(
        "",
        '<polygon points="{}" fill="none" stroke="{}" stroke-width="1"/>',
        ((_points([level] * count), GRID) for level in range(1, MAX_LEVEL + 1)),
    )
    spokes = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
        ((_n(CENTRE), _n(CENTRE), *_point(i, count, MAX_LEVEL), GRID) for i in range(count)),
    )
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="11" fill="#505a5f">{}</text>',
        (
            (_n(CENTRE + 4), _n(CENTRE - RADIUS * level / MAX_LEVEL + 12), level)
            for level in range(1, MAX_LEVEL + 1)
        ),
    )
    shapes = []
    if previous is not None:
        stroke, fill, opacity = PREVIOUS
        shapes.append(
            format_html(
                '<polygon points="{}" fill="{}" fill-opacity="{}" stroke="{}" '
                'stroke-width="2" stroke-dasharray="6 4"/>',
                _points(previous),
                fill,
                opacity,
                stroke,
            )
        )
    stroke, fill, opacity = CURRENT
    shapes.append(
        format_html(
            '<polygon points="{}" fill="{}" fill-opacity="{}" stroke="{}" stroke-width="3"/>',
            _points(values),
            fill,
            opacity,
            stroke,
        )
    )
    markers = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="4" fill="{}"/>',
        ((*_point(i, count, v or 0), CURRENT[0]) for i, v in enumerate(values)),
    )
    label_text = mark_safe("".join(_label(i, count, text) for i, text in enumerate(labels)))
    return format_html(
        '<svg class="app-radar" viewBox="0 0 {size} {size}" width="{size}" height="{size}" '
        'role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg" '
        'font-family="Report Sans, Arial, sans-serif">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        "{rings}{spokes}{ticks}{shapes}{markers}{labels}</svg>",
        size=SIZE,
        id=chart_id,
        title=title,
        desc=description,
        rings=rings,
        spokes=spokes,
        ticks=ticks,
        shapes=mark_safe("".join(shapes)),
        markers=markers,
        labels=label_text,
    )


def describe_scores(labels: list[str], values: list[float | None]) -> str:
    return "; ".join(
        f"{label}: {'not assessed' if value is None else f'{value:.1f} of 4'}"
        for label, value in zip(labels, values, strict=True)
    )


def organisation_radar(report: dict) -> SafeString:
    labels = [d["name"] for d in report["dimensions"]]
    values = [d["score"] for d in report["dimensions"]]
    previous = [d["previous"] for d in report["dimensions"]] if report["previous_round"] else None
    description = describe_scores(labels, values)
    if previous is not None:
        description += f". Dashed outline: {report['previous_round']}."
    return radar_svg(
        labels,
        values,
        previous=previous,
        title=f"{report['organisation']['name']}: readiness by dimension, 0 to 4",
        description=description,
    )


def partnership_radar(report: dict) -> SafeString:
    """The weakest partner's score on each dimension (the partnership's readiness),
    with the partners' mean as a dashed outline."""
    summary = report["dimension_summary"]
    labels = [d["name"] for d in summary]
    weakest = [d["score"] for d in summary]
    means = [d["mean"] for d in summary]
    return radar_svg(
        labels,
        weakest,
        previous=means,
        title=f"{report['partnership']['name']}: weakest partner's score by dimension, 0 to 4",
        description=f"Weakest scores: {describe_scores(labels, weakest)}. "
        f"Dashed outline, the partners' mean: {describe_scores(labels, means)}.",
        chart_id="partnership-radar",
    )
