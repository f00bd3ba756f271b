"""Dates people count by."""

from datetime import date


def age_on(born: date, day: date) -> int:
    """Whole years from a birth date to a day (a birthday counts on its day)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
