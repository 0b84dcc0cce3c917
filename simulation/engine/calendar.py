"""Working calendars by arithmetic: no process opens or closes an office.

Simulation time is in hours from midnight of the first simulated day. A calendar maps clock
time ``t`` to *working time* ``W(t)``, the open hours elapsed since time 0, and back. Adding
``h`` working hours to ``t`` is then ``T(W(t) + h)``: a 3 h mediation started at 16:00 with
17:00 closing ends at 10:30 the next workday. Each call is O(log spans) whatever the date.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

import numpy as np

from ..contract import WEEKDAYS
from ..scenario.schema import CalendarSpec

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
