"""A round's closing date as people read it: how many days are left, or how long ago
it passed. Plain functions over dates (no models); the pages and emails share them."""

from datetime import date


def days_left(closes_on: date | None, today: date) -> int | None:
    """Days until the closing date (0 on the day, negative once past); None with no date."""
    return None if closes_on is None else (closes_on - today).days


def deadline_phrase(closes_on: date | None, today: date) -> str:
    """ "5 days left", "1 day left", "closes today", "closing date passed 3 days ago"."""
    left = days_left(closes_on, today)
    if left is None:
        return "no closing date set"
    if left > 1:
        return f"{left} days left"
    if left == 1:
        return "1 day left"
    if left == 0:
        return "closes today"
    overdue = -left
    return f"closing date passed {overdue} day{'s' if overdue != 1 else ''} ago"
