"""Working calendars by arithmetic: no process opens or closes an office.

Simulation time is in hours from midnight of the first simulated day. A calendar maps clock
time ``t`` to *working time* ``W(t)``, the open hours elapsed since time 0, and back. Adding
``h`` working hours to ``t`` is then ``T(W(t) + h)``: a 3 h mediation started at 16:00 with
17:00 closing ends at 10:30 the next workday. Each call is O(log spans) whatever the date.

A week that repeats is :class:`Calendar`. With statutory holidays (``calendar.holidays: cn``)
the open periods of every dated day are listed instead (:class:`HolidayCalendar`, about 500 a
year), still searched by bisection; after the last listed year the week repeats again.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right

import numpy as np

from ..contract import HOURS_PER_DAY, WEEKDAYS
from ..scenario.demand import first_weekday
from ..scenario.holidays import DatedDays, dated_days
from ..scenario.schema import CalendarSpec, Scenario

HOURS_PER_WEEK = 168.0


class Calendar:
    """Opening hours of every office, repeating weekly from a first day's weekday."""

    def __init__(self, spec: CalendarSpec, first_weekday: int = 0) -> None:
        self.always_open = spec.always_open
        self._shift = first_weekday * 24.0
        intervals: list[list[float]] = []
        if not self.always_open:
            days = sorted(WEEKDAYS.index(d) for d in spec.workdays)
            for day in days:
                for start, end in spec.spans:
                    a, b = day * 24.0 + start, day * 24.0 + end
                    if intervals and intervals[-1][1] >= a:  # touching spans form one period
                        intervals[-1][1] = b
                    else:
                        intervals.append([a, b])
            if intervals == [[0.0, HOURS_PER_WEEK]]:
                self.always_open = True  # open round the clock every day
        self._starts = [a for a, _ in intervals]
        self._ends = [b for _, b in intervals]
        self._cum: list[float] = []
        total = 0.0
        for a, b in intervals:
            self._cum.append(total)
            total += b - a
        self._cum_end = [c + (b - a) for c, (a, b) in zip(self._cum, intervals, strict=True)]
        self.open_hours_per_week = HOURS_PER_WEEK if self.always_open else total
        self._origin = 0.0 if self.always_open else self._week_partial(self._shift)
        self._period = (0.0, 0.0)
        """The last open period looked up, in clock time: most calls fall inside it."""

    def _open_period(self, t: float) -> tuple[float, float] | None:
        """The open period (clock time) that contains ``t``, or None when closed."""
        weeks, r = divmod(t + self._shift, HOURS_PER_WEEK)
        i = bisect_right(self._starts, r) - 1
        if i >= 0 and r < self._ends[i]:
            base = weeks * HOURS_PER_WEEK - self._shift
            return base + self._starts[i], base + self._ends[i]
        return None

    def _week_partial(self, r: float) -> float:
        """Open hours between Monday 00:00 and week-time ``r``."""
        i = bisect_right(self._starts, r) - 1
        if i < 0:
            return 0.0
        return self._cum[i] + min(r - self._starts[i], self._ends[i] - self._starts[i])

    def working_time(self, t: float) -> float:
        """W(t): open hours elapsed between time 0 and ``t``."""
        if self.always_open:
            return t
        weeks, r = divmod(t + self._shift, HOURS_PER_WEEK)
        return weeks * self.open_hours_per_week + self._week_partial(r) - self._origin

    def clock_time(self, w: float) -> float:
        """T(w): the earliest time at which ``w`` open hours have elapsed."""
        if self.always_open:
            return w
        weeks, rem = divmod(w + self._origin, self.open_hours_per_week)
        if rem == 0.0:  # exactly at a week's last closing: earliest time is that closing
            weeks, rem = weeks - 1, self.open_hours_per_week
        i = bisect_left(self._cum_end, rem)
        i = min(i, len(self._starts) - 1)
        return weeks * HOURS_PER_WEEK + self._starts[i] + (rem - self._cum[i]) - self._shift

    def is_open(self, t: float) -> bool:
        if self.always_open:
            return True
        lo, hi = self._period
        if lo <= t < hi:
            return True
        period = self._open_period(t)
        if period is None:
            return False
        self._period = period
        return True

    def next_open(self, t: float) -> float:
        """``t`` itself when open, otherwise the next opening."""
        if self.always_open:
            return t
        weeks, r = divmod(t + self._shift, HOURS_PER_WEEK)
        i = bisect_right(self._starts, r) - 1
        if i >= 0 and r < self._ends[i]:
            return t
        j = i + 1
        if j == len(self._starts):
            weeks, j = weeks + 1, 0
        return weeks * HOURS_PER_WEEK + self._starts[j] - self._shift

    def next_open_many(self, times: np.ndarray) -> np.ndarray:
        """``next_open`` for an array of times at once."""
        if self.always_open or not len(times):
            return np.asarray(times, dtype=float)
        starts, ends = np.asarray(self._starts), np.asarray(self._ends)
        weeks, r = np.divmod(np.asarray(times, dtype=float) + self._shift, HOURS_PER_WEEK)
        i = np.searchsorted(starts, r, side="right") - 1
        is_open = (i >= 0) & (r < ends[np.maximum(i, 0)])
        j = i + 1
        wrap = j == len(starts)
        opening = (weeks + wrap) * HOURS_PER_WEEK + starts[np.where(wrap, 0, j)] - self._shift
        return np.where(is_open, times, opening)

    def add_working_hours(self, t: float, hours: float) -> float:
        """The time at which ``hours`` of work started at ``t`` is done (``t`` need not be open)."""
        if self.always_open:
            return t + hours
        if hours <= 0:
            return t
        lo, hi = self._period
        if lo <= t and t + hours <= hi:  # done within the open period it started in
            return t + hours
        # ``clock_time`` gives the *earliest* time with that working time. When ``hours`` is
        # lost to rounding in ``W(t) + hours`` (far below one ulp of W), that earliest time is
        # the previous closing, before ``t`` - even before time 0. Work never ends before it
        # can start.
        end = self.clock_time(self.working_time(t) + hours)
        return end if end > t else self.next_open(t)

    def open_hours_between(self, a: float, b: float) -> float:
        return self.working_time(b) - self.working_time(a)

    def open_periods(self, a: float, b: float) -> list[tuple[float, float]]:
        """The open periods (clock time) that overlap ``[a, b)``, clipped to it."""
        if self.always_open:
            return [(a, b)] if a < b else []
        periods = []
        t = self.next_open(a)
        while t < b:
            period = self._open_period(t)
            assert period is not None
            periods.append((max(a, t), min(b, period[1])))
            t = self.next_open(period[1])
        return periods


def _merged(periods: list[tuple[float, float]]) -> list[list[float]]:
    """Touching periods (a span ending at 24:00, the next starting at 0:00) form one."""
    merged: list[list[float]] = []
    for a, b in periods:
        if merged and merged[-1][1] >= a:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    return merged


class HolidayCalendar(Calendar):
    """A weekly calendar with dated exceptions: closed holidays, opened make-up workdays.

    The open periods from time 0 to the end of the last dated day are listed with the working
    time at each one's start, so every call is a bisection over them (O(log periods)). Before
    time 0 and after the dated days the week repeats (only work spilling past the last listed
    year meets it). ``is_open``, ``add_working_hours`` and ``open_hours_between`` are the weekly
    calendar's, built on the methods below.
    """

    def __init__(self, spec: CalendarSpec, first_date: dt.date, dated: DatedDays) -> None:
        self._week = Calendar(spec, first_date.weekday())
        self.always_open = False  # holidays close even a round-the-clock week
        self.open_hours_per_week = self._week.open_hours_per_week
        self._period = (0.0, 0.0)
        workdays = {WEEKDAYS.index(d) for d in spec.workdays}
        spans = spec.spans
        n_days = max((dated.last - first_date).days + 1, 0)
        periods: list[tuple[float, float]] = []
        for day in range(n_days):
            date = first_date + dt.timedelta(days=day)
            if date in dated.opened or (date.weekday() in workdays and date not in dated.closed):
                base = day * HOURS_PER_DAY
                periods.extend((base + a, base + b) for a, b in spans)
        intervals = _merged(periods)
        self._starts = [a for a, _ in intervals]
        self._ends = [b for _, b in intervals]
        self._cum = []
        total = 0.0
        for a, b in intervals:
            self._cum.append(total)
            total += b - a
        self._cum_end = [c + (b - a) for c, (a, b) in zip(self._cum, intervals, strict=True)]
        self._end = n_days * HOURS_PER_DAY
        """Clock time at which the dated days end and the week repeats."""
        self._w_end = total
        self._tail_shift = total - self._week.working_time(self._end)
        """Added to the week's working time after ``_end`` to continue from ``_w_end``."""
        self._starts_np = np.asarray(self._starts, dtype=float)
        self._ends_np = np.asarray(self._ends, dtype=float)

    def _open_period(self, t: float) -> tuple[float, float] | None:
        if not 0.0 <= t < self._end:
            return self._week._open_period(t)
        i = bisect_right(self._starts, t) - 1
        if i >= 0 and t < self._ends[i]:
            return self._starts[i], self._ends[i]
        return None

    def working_time(self, t: float) -> float:
        if t < 0.0:
            return self._week.working_time(t)
        if t >= self._end:
            return self._week.working_time(t) + self._tail_shift
        i = bisect_right(self._starts, t) - 1
        if i < 0:
            return 0.0
        return self._cum[i] + min(t - self._starts[i], self._ends[i] - self._starts[i])

    def clock_time(self, w: float) -> float:
        if w <= 0.0:
            return self._week.clock_time(w)
        if w > self._w_end:
            return self._week.clock_time(w - self._tail_shift)
        i = bisect_left(self._cum_end, w)
        return self._starts[i] + (w - self._cum[i])

    def _after_dated(self) -> float:
        return self._week.next_open(self._end)

    def next_open(self, t: float) -> float:
        if t < 0.0:
            r = self._week.next_open(t)
            return r if r < 0.0 else self.next_open(0.0)
        if t >= self._end:
            return self._week.next_open(t)
        i = bisect_right(self._starts, t) - 1
        if i >= 0 and t < self._ends[i]:
            return t
        return self._starts[i + 1] if i + 1 < len(self._starts) else self._after_dated()

    def next_open_many(self, times: np.ndarray) -> np.ndarray:
        times = np.asarray(times, dtype=float)
        out = self._week.next_open_many(times)
        before = (times < 0.0) & (out >= 0.0)  # the week's opening falls in the dated days
        if before.any():
            out[before] = self.next_open(0.0)
        inside = (times >= 0.0) & (times < self._end)
        if not inside.any():
            return out
        t = times[inside]
        n = len(self._starts)
        if n == 0:
            out[inside] = self._after_dated()
            return out
        i = np.searchsorted(self._starts_np, t, side="right") - 1
        is_open = (i >= 0) & (t < self._ends_np[np.maximum(i, 0)])
        j = np.minimum(i + 1, n - 1)
        opening = np.where(i + 1 < n, self._starts_np[j], self._after_dated())
        out[inside] = np.where(is_open, t, opening)
        return out


def scenario_calendar(scenario: Scenario, spec: CalendarSpec | None = None) -> Calendar:
    """The working calendar of a scenario's offices (or ``spec``, another calendar of the same
    scenario, such as the 12345 centre's): weekly, or weekly with dated holidays."""
    spec = spec or scenario.calendar
    first = scenario.start_date - dt.timedelta(days=scenario.warmup_days)
    if spec.always_open or spec.holidays == "none":
        return Calendar(spec, first_weekday(scenario))
    last = scenario.start_date + dt.timedelta(days=scenario.horizon_days - 1)
    dated = dated_days(spec.holidays, first, last)
    assert dated is not None
    return HolidayCalendar(spec, first, dated)
