"""The calendar section of a scenario: workdays, opening hours and statutory holidays.

``engine/calendar.py`` turns it into working time; ``holidays.py`` holds the dated exceptions.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from .spec import Spec, invalid

__all__ = ["CalendarSpec", "Weekday", "open_hours_per_week", "parse_hours"]

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

_HOURS = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


def parse_hours(text: str) -> tuple[float, float]:
    """``"08:30-12:00"`` → ``(8.5, 12.0)`` hours after midnight."""
    if not isinstance(text, str):
        raise invalid("a span like '08:30-12:00'", repr(text))
    match = _HOURS.match(text.strip())
    if not match:
        raise invalid("a span like '08:30-12:00'", repr(text))
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if m1 >= 60 or m2 >= 60 or h1 > 24 or h2 > 24:
        raise invalid("a span of clock times like '08:30-12:00'", repr(text))
    start, end = h1 + m1 / 60, h2 + m2 / 60
    if not start < end <= 24:
        raise invalid("a span that starts before it ends within one day", repr(text))
    return start, end


class CalendarSpec(Spec):
    always_open: bool = False
    workdays: list[Weekday] = Field(default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"])
    hours: list[str] = Field(default_factory=lambda: ["08:30-12:00", "13:30-17:00"])
    holidays: Literal["none", "cn"] = "none"
    """Dated exceptions to the week: ``cn`` closes China's statutory holidays and opens their
    make-up working days (调休); ``none`` repeats the week unchanged (see ``holidays.py``)."""

    @field_validator("hours")
    @classmethod
    def _spans(cls, hours: list[str]) -> list[str]:
        spans = []
        for i, text in enumerate(hours):
            try:
                spans.append(parse_hours(text))
            except PydanticCustomError as error:
                raise invalid(error.context["expected"], error.context["found"], str(i)) from None
        if not spans:
            raise invalid("at least one opening span", "none")
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            if start < end:
                raise invalid("spans in order that do not overlap", repr(hours))
        return hours

    @field_validator("workdays")
    @classmethod
    def _workdays(cls, days: list[str]) -> list[str]:
        if not days:
            raise invalid("at least one workday", "none")
        if len(set(days)) != len(days):
            raise invalid("each day listed once", repr(days))
        return days

    @property
    def spans(self) -> list[tuple[float, float]]:
        return [parse_hours(h) for h in self.hours]


def open_hours_per_week(calendar: CalendarSpec) -> float:
    """Open hours in a week of this calendar (168 when always open)."""
    if calendar.always_open:
        return 168.0
    daily = sum(end - start for start, end in calendar.spans)
    return daily * len(calendar.workdays)
