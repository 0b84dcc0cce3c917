"""Statutory public holidays: which dated days a weekly working calendar closes or opens.

``calendar.holidays: cn`` follows the State Council's yearly notice (国务院办公厅关于节假日安排的
通知), read from the ``chinesecalendar`` package (import ``chinese_calendar``): the days of each
holiday break are closed even when they fall on a workday, and the weekend days worked in
exchange (调休) are open even when they fall on a rest day. The package knows the years whose
notice has been published (2004–2026 in version 1.11); a run that covers any other year is
refused with the years it knows, since guessing next year's breaks would be wrong by up to a week.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

HOLIDAY_SETS: tuple[str, ...] = ("none", "cn")
"""Values of ``calendar.holidays``: no dated exceptions, or China's statutory holidays."""


class UnsupportedYearError(ValueError):
    """A run covers a year for which the holiday set has no published dates."""

    def __init__(self, holidays: str, years: list[int], known: tuple[int, int]) -> None:
        self.holidays = holidays
        self.years = years
        self.known = known
        listed = ", ".join(map(str, years))
        super().__init__(
            f"holidays {holidays!r} know the years {known[0]}-{known[1]}; the run covers {listed}"
        )


@dataclass(frozen=True)
class DatedDays:
    """Dated exceptions to a weekly calendar between ``first`` and ``last`` (inclusive)."""

    first: dt.date
    last: dt.date
    closed: frozenset[dt.date]
    """Days off although their weekday is a workday (and holiday days in general)."""
    opened: frozenset[dt.date]
    """Days worked although their weekday is a rest day (调休 make-up working days)."""


def _cn_known_years() -> tuple[int, int]:
    from chinese_calendar import constants

    years = {d.year for d in constants.holidays} | {d.year for d in constants.workdays}
    return min(years), max(years)


def covered_years(first: dt.date, last: dt.date) -> list[int]:
    return list(range(first.year, last.year + 1))


def check_years(holidays: str, first: dt.date, last: dt.date) -> None:
    """Raise ``UnsupportedYearError`` when the holiday set lacks a year of ``first..last``."""
    if holidays == "none":
        return
    low, high = _cn_known_years()
    missing = [y for y in covered_years(first, last) if not low <= y <= high]
    if missing:
        raise UnsupportedYearError(holidays, missing, (low, high))


def dated_days(holidays: str, first: dt.date, last: dt.date) -> DatedDays | None:
    """The exceptions of ``holidays`` over whole years from ``first``'s to ``last``'s year.

    Whole years, so that work spilling past the run's last day still meets the holidays of
    that year. ``None`` for ``"none"``.
    """
    if holidays == "none":
        return None
    if holidays != "cn":
        raise ValueError(f"unknown holiday set {holidays!r}; known: {', '.join(HOLIDAY_SETS)}")
    check_years(holidays, first, last)
    from chinese_calendar import constants

    start, end = dt.date(first.year, 1, 1), dt.date(last.year, 12, 31)
    # ``constants.holidays`` lists every day of each break, weekends inside it included;
    # ``constants.workdays`` lists only the make-up working days, all on weekends.
    closed = frozenset(d for d in constants.holidays if start <= d <= end)
    opened = frozenset(d for d in constants.workdays if start <= d <= end)
    return DatedDays(start, end, closed, opened)
