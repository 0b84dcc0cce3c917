"""The front door: the 12345/96345 centre and the hub's dispatch desk, before any office.

A call waits for an operator (first come, first served; a caller hangs up when the wait passes
their patience), is answered, and is either settled at once (接诉即办: first contact) or becomes a
work order. Work orders — from calls, from the 微嘉园 app and from grid workers' reports — wait
for a dispatcher, who sends each to the office of its triage level. Nothing that happens in the
offices reaches back to these queues, so they are computed exactly here, in one pass per queue
before the offices' simulation starts, and cost a few microseconds a request instead of a case's
events (docs/model.md, "The front door").

The queues are exact multi-server FCFS queues with abandonment: serving calls in arrival order,
each call takes the seat that becomes available first, so its start time depends only on the
calls before it that were served; a call whose start would come after its patience runs out
hangs up and leaves the seat to the next. Seats may differ by hour of the day and the line may
close: a seat's *duty periods* say when it takes new calls (a call already started is finished).
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right
from dataclasses import dataclass

import numpy as np

from ..contract import HOURS_PER_DAY, Channel, Level
from ..scenario.schema import CalendarSpec, Scenario
from .arrivals import Cases
from .calendar import Calendar, scenario_calendar

CASE, SETTLED, ABANDONED = 0, 1, 2
"""What became of a request at the front door: a case for the offices, settled, hung up."""

HOTLINE, ONLINE, GRID_VISIT = int(Channel.hotline), int(Channel.online), int(Channel.grid_visit)
GRID = int(Level.grid)
MARGIN_DAYS = 60
"""Duty periods are laid out this far past the horizon, for calls still waiting at its end."""


@dataclass
class QueueStats:
    """One front-door queue over the counted period: the row it gets in ``offices.csv``."""

    servers: int
    """The most servers on duty at once (the ``staff`` column)."""
    arrivals: int = 0
    handled: int = 0
    resolved: int = 0
    busy_hours: float = 0.0
    available_hours: float = 0.0
    wait_hours: float = 0.0
    max_queue: int = 0


@dataclass
class FrontDoor:
    """Every request's passage through the front door (arrays aligned with ``Cases``)."""

    fate: np.ndarray
    """``CASE``, ``SETTLED`` or ``ABANDONED`` (in-person first contacts are decided later)."""
    delay: np.ndarray
    """Hours from arrival until a remote request's work order reaches its office."""
    answered_in_target: np.ndarray
    """Calls answered within ``hotline.answer_target_seconds``."""
    call_wait: np.ndarray
    """Hours an answered call waited for an operator (0 for everything else)."""
    hotline: QueueStats | None
    dispatch: QueueStats | None


class Duty:
    """When each of a queue's servers takes new work, as sorted periods per server."""

    def __init__(
        self,
        seats_by_hour: list[int],
        calendar: Calendar,
        end: float,
    ) -> None:
        self.servers = max(seats_by_hour)
        self.always = calendar.always_open and len(set(seats_by_hour)) == 1
        self.starts: list[list[float]] = []
        self.ends: list[list[float]] = []
        if self.always:
            return
        open_periods = calendar.open_periods(0.0, end)
        for rank in range(self.servers):
            starts: list[float] = []
            ends: list[float] = []
            for a, b in open_periods:
                for lo, hi in _hours_on(seats_by_hour, rank, a, b):
                    if ends and ends[-1] >= lo:
                        ends[-1] = hi
                    else:
                        starts.append(lo)
                        ends.append(hi)
            self.starts.append(starts)
            self.ends.append(ends)

    def next_on_duty(self, server: int, t: float) -> float:
        """``t`` if the server takes work at ``t``, else its next duty start (inf: never)."""
        starts = self.starts[server]
        i = bisect_right(starts, t) - 1
        if i >= 0 and t < self.ends[server][i]:
            return t
        return starts[i + 1] if i + 1 < len(starts) else math.inf

    def hours(self, a: float, b: float) -> float:
        """Server-hours on duty within ``[a, b)``."""
        if self.always:
            return self.servers * max(0.0, b - a)
        total = 0.0
        for starts, ends in zip(self.starts, self.ends, strict=True):
            for s, e in zip(starts, ends, strict=True):
                total += max(0.0, min(e, b) - max(s, a))
        return total


def _hours_on(seats: list[int], rank: int, a: float, b: float) -> list[tuple[float, float]]:
    """The parts of ``[a, b)`` in hours of the day when more than ``rank`` seats are on duty."""
    spans = []
    h = math.floor(a)
    while h < b:
        if seats[h % 24] > rank:
            lo, hi = max(a, float(h)), min(b, float(h + 1))
            if spans and spans[-1][1] >= lo:
                spans[-1] = (spans[-1][0], hi)
            else:
                spans.append((lo, hi))
        h += 1
    return spans


def fcfs(
    arrivals: np.ndarray,
    service: np.ndarray,
    patience: np.ndarray | None,
    duty: Duty,
) -> np.ndarray:
    """Start times of a multi-server FCFS queue (NaN where the caller hung up first).

    ``arrivals`` must be sorted. Service runs in clock time once started.
    """
    n = len(arrivals)
    start = np.full(n, np.nan)
    if duty.servers == 0 or n == 0:
        return start
    arr = arrivals.tolist()
    work = service.tolist()
    wait_limit = patience.tolist() if patience is not None else None
    free = [(0.0, j) for j in range(duty.servers)]  # (time the server is next free, server)
    heapreplace = heapq.heapreplace
    out = start  # written element by element: a list would double the memory at scale
    if duty.always:  # every server always on duty: the earliest free one takes the call
        for i in range(n):
            a = arr[i]
            t, j = free[0]
            s = a if a > t else t
            if wait_limit is not None and s - a > wait_limit[i]:
                continue  # hung up before an operator was free; the seat stays free
            out[i] = s
            heapreplace(free, (s + work[i], j))
        return start
    next_on_duty = duty.next_on_duty
    for i in range(n):
        a = arr[i]
        while True:  # the first server really available (lazily re-keyed: keys only grow)
            t, j = free[0]
            s = next_on_duty(j, a if a > t else t)
            if len(free) == 1 or s <= free[1][0] and (len(free) < 3 or s <= free[2][0]):
                break
            heapreplace(free, (s, j))
        if s == math.inf or (wait_limit is not None and s - a > wait_limit[i]):
            if s != math.inf:
                heapreplace(free, (s, j))
            continue
        out[i] = s
        heapreplace(free, (s + work[i], j))
    return start


def _stats(
    servers: int,
    arrival: np.ndarray,
    start: np.ndarray,
    service: np.ndarray,
    patience: np.ndarray | None,
    settled: np.ndarray,
    duty: Duty,
    t0: float,
    t1: float,
) -> QueueStats:
    """A queue's counted-period figures from its arrivals, starts and services."""
    counted = (arrival >= t0) & (arrival < t1)
    answered = ~np.isnan(start)
    end = np.where(answered, start + service, np.nan)
    busy = np.clip(np.minimum(end, t1) - np.maximum(start, t0), 0.0, None)
    leave = np.where(answered, start, arrival + (patience if patience is not None else 0.0))
    waited = leave > arrival
    return QueueStats(
        servers=servers,
        arrivals=int(counted.sum()),
        handled=int((counted & answered).sum()),
        resolved=int((counted & answered & settled).sum()),
        busy_hours=float(busy[answered].sum()),
        available_hours=duty.hours(t0, t1),
        wait_hours=float((start - arrival)[counted & answered].sum()),
        max_queue=_max_queue(arrival[waited], leave[waited], t0, t1),
    )


def _max_queue(joined: np.ndarray, left: np.ndarray, t0: float, t1: float) -> int:
    """The most requests waiting at once during ``[t0, t1)``."""
    if not len(joined):
        return 0
    times = np.concatenate([left, joined])
    steps = np.concatenate([-np.ones(len(left)), np.ones(len(joined))])
    order = np.lexsort((steps, times))  # at equal times the leaving goes first
    level = np.cumsum(steps[order])
    inside = (times[order] >= t0) & (times[order] < t1)
    return int(level[inside].max()) if inside.any() else 0


def pass_front_door(
    scenario: Scenario,
    cases: Cases,
    triage: np.ndarray,
    settles: np.ndarray,
) -> FrontDoor:
    """Every request through the hotline and the dispatch desk.

    ``triage`` is each request's triage level; ``settles`` whether its entry point would settle
    it at once (its first-contact draw is below its type's chance for its channel).
    """
    n = len(cases)
    hotline = scenario.hotline
    t0 = scenario.warmup_days * HOURS_PER_DAY
    t1 = t0 + scenario.horizon_days * HOURS_PER_DAY
    end = t1 + MARGIN_DAYS * HOURS_PER_DAY
    channel = cases.channel
    fate = np.full(n, CASE, dtype=np.int8)
    delay = np.zeros(n)
    in_target = np.zeros(n, dtype=bool)
    call_wait = np.zeros(n)

    # ---- the 12345 centre
    calls = np.flatnonzero(channel == HOTLINE)
    order_time = np.full(n, np.nan)  # when a remote request becomes a work order
    hotline_stats = None
    seats = hotline.seats_by_hour
    if seats is None:  # no queue: the call is the door, at once
        fate[calls[settles[calls]]] = SETTLED
        order_time[calls] = cases.time[calls]
        in_target[calls] = True
    else:
        duty = Duty(seats, scenario_calendar(scenario, hotline.calendar), end)
        arrival = cases.time[calls]
        start = fcfs(arrival, cases.talk[calls], cases.call_patience[calls], duty)
        answered = ~np.isnan(start)
        fate[calls[~answered]] = ABANDONED
        fate[calls[answered & settles[calls]]] = SETTLED
        order_time[calls[answered]] = (start + cases.talk[calls])[answered]
        target = hotline.answer_target_seconds / 3600.0
        in_target[calls] = answered & (start - arrival <= target)
        call_wait[calls[answered]] = (start - arrival)[answered]
        hotline_stats = _stats(
            duty.servers,
            arrival,
            start,
            cases.talk[calls],
            cases.call_patience[calls],
            settles[calls],
            duty,
            t0,
            t1,
        )

    # ---- work orders: calls not settled, app reports, grid reports beyond the grid
    app = channel == ONLINE
    order_time[app] = cases.time[app]
    reports = (channel == GRID_VISIT) & (triage > GRID) & ~settles
    order_time[reports] = cases.time[reports]
    orders = np.flatnonzero((fate == CASE) & ~np.isnan(order_time))
    settle_at_desk = app & settles  # the hub answers an app report itself
    dispatch_stats = None
    if hotline.dispatchers is None:
        delay[orders] = scenario.arrivals.dispatch_hours
        delay[orders[reports[orders]]] = scenario.escalation.transfer_hours
        queued = calls[fate[calls] == CASE]
        delay[queued] += order_time[queued] - cases.time[queued]
    else:
        spec: CalendarSpec = hotline.dispatch_calendar or hotline.calendar
        duty = Duty([hotline.dispatchers] * 24, scenario_calendar(scenario, spec), end)
        by_time = orders[np.argsort(order_time[orders], kind="stable")]
        placed = order_time[by_time]
        start = fcfs(placed, cases.dispatch[by_time], None, duty)
        done = start + cases.dispatch[by_time]
        delay[by_time] = done - cases.time[by_time]
        dispatch_stats = _stats(
            duty.servers,
            placed,
            start,
            cases.dispatch[by_time],
            None,
            settle_at_desk[by_time],
            duty,
            t0,
            t1,
        )
        stuck = by_time[np.isnan(start)]  # no dispatcher ever on duty: never leaves the desk
        delay[stuck] = math.inf
    fate[settle_at_desk] = SETTLED
    return FrontDoor(fate, delay, in_target, call_wait, hotline_stats, dispatch_stats)
