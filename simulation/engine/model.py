"""The engine: one SimPy environment per replication, cases moved by event callbacks.

A case is a small state record, not a generator process: each step (arrive, join a queue, start,
finish, renege) is a callback on a SimPy timeout, which keeps the event count at a handful per
case and lets patience cancel a wait without interrupts. Offices are priority queues with staff
as servers; they start work only while open, and the working calendar turns handling hours into
clock time by arithmetic, so idle offices schedule nothing at all.

The front door (the 12345 centre and the dispatch desk, ``front_door.py``) is computed before
the clock starts: only what it passes on becomes a case here. A request settled at first contact
by a grid worker or a window clerk still takes that office's time, as a short job in its queue.
"""

from __future__ import annotations

import gc
import heapq
import math
from array import array
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import simpy
from simpy.events import NORMAL, Event

from ..contract import CHANNELS, HOURS_PER_DAY, LEVELS, SEVERITIES, Channel
from ..scenario.schema import Scenario, open_hours_per_week
from .arrivals import Cases, draw_cases, rework_draws, supervision_draw
from .calendar import scenario_calendar
from .city import CITY, COUNTY, GRID, TOWN, VILLAGE, City, specialist_groups
from .evaluation import chance_of_one, coefficients
from .events import (
    ARRIVE,
    CLOSE,
    ESCALATE,
    FINISH,
    FIRST_CONTACT,
    QUEUE,
    REFER,
    REOPEN,
    SELF_ESCALATE,
    START,
    EventLog,
)
from .front_door import CASE, SETTLED, pass_front_door
from .record import ABANDONED, ESCALATED_OUT, LITIGATION, OPEN, RESOLVED, RawReplication

GRID_VISIT, HOTLINE, ONLINE, WALK_IN = (int(c) for c in Channel)
N_LEVELS = len(LEVELS)
N_SEVERITIES = len(SEVERITIES)


class _Call(Event):
    """A timeout that calls ``fn(*args)`` when it fires: no lambda, no generator process."""

    _ok = True  # already triggered: SimPy's step() reads these two after the callbacks
    _value = None

    def __init__(self, env: simpy.Environment, delay: float, fn, args: tuple) -> None:
        self.env = env
        self.callbacks = [_fire]
        self.fn = fn
        self.args = args
        env.schedule(self, NORMAL, delay)


def _fire(event: _Call) -> None:
    event.fn(*event.args)


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """A replication allocates millions of acyclic objects (offices, pools, cases, events, heap
    entries); the cyclic collector would walk every live one again and again for nothing —
    about a third of the run time. Reference counting still frees them at once."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Pool:
    """Staff of one office who can take the same cases, and the cases waiting for them."""

    __slots__ = ("office", "free", "queue", "waiting", "wakeup")

    def __init__(self, office: int, servers: int) -> None:
        self.office = office
        self.free = servers
        self.queue: list[tuple[int, int, _Case, int]] = []  # (-severity, seq, case, token)
        self.waiting = 0
        self.wakeup = False


class _Case:
    __slots__ = (
        "i", "type", "severity", "office", "level", "pool", "dept", "n_depts", "token",
        "joined", "waiting", "doors", "trips", "places", "levels", "wait", "work", "intake_due",
        "entered", "first_contact", "reopens", "supervised",
    )  # fmt: skip

    def __init__(self, i: int, type_: int, severity: int) -> None:
        self.i = i
        self.type = type_
        self.severity = severity
        self.office = -1
        self.level = -1
        self.pool: _Pool | None = None
        self.dept = 0
        self.n_depts = 1
        self.token = 0
        self.joined = 0.0
        self.waiting = False
        self.doors = 0
        self.trips = 0
        self.places: set[int] = set()
        self.levels = 0
        self.wait = 0.0
        self.work = 0.0
        self.intake_due = True
        self.entered = 0.0  # when it entered its current office
        self.first_contact = False  # a first-contact settlement: a short job, not a case
        self.reopens = 0
        self.supervised = 0  # 1 once flagged by the town (督办): served before the others


class Model:
    """One replication of a scenario on its city."""

    def __init__(
        self,
        scenario: Scenario,
        city: City,
        replication: int,
        cases: Cases | None = None,
        events: bool = False,
    ) -> None:
        """``cases`` replaces the drawn arrivals (tests follow hand-built cases this way);
        ``events`` keeps the event log (one row per step of every case, ``events.py``)."""
        self.events = EventLog() if events else None
        self.scenario = scenario
        self._given_cases = cases
        self.city = city
        self.replication = replication
        self.env = simpy.Environment()
        self.calendar = scenario_calendar(scenario)
        self.always_open = self.calendar.always_open
        self.t0 = scenario.warmup_days * HOURS_PER_DAY
        self.t1 = self.t0 + scenario.horizon_days * HOURS_PER_DAY

        esc = scenario.escalation
        types = list(scenario.case_types.values())
        self.triage = [LEVELS.index(getattr(scenario.triage, s)) for s in SEVERITIES]
        self.resolve = [[getattr(t.resolve, lv) for lv in LEVELS] for t in types]
        self.attendance = [getattr(esc.attendance, lv) for lv in LEVELS]
        self.patience = [
            math.inf if d is None else d * HOURS_PER_DAY
            for d in (getattr(esc.patience_days, s) for s in SEVERITIES)
        ]
        self.departments = [len(t.departments) for t in types]
        self.first_contact = np.asarray(
            [[t.first_contact.get(c, 0.0) for c in CHANNELS] for t in types], dtype=float
        ).reshape(len(types), len(CHANNELS))
        self.beyond_city = LITIGATION if esc.beyond_city == "litigation" else ESCALATED_OUT
        # Plain floats: pydantic attribute access is too slow for the per-event path.
        self.transfer_hours = esc.transfer_hours
        self.intake_hours = esc.intake_hours
        self.online_share = esc.online_mediation
        self.give_up = esc.give_up
        self.shared_information = esc.shared_information
        self.referral_hours = esc.referral_days * HOURS_PER_DAY
        self.drain = scenario.drain
        self.eval_coef = coefficients(scenario.evaluation)
        self.evaluate = scenario.evaluation.enabled
        self.reopen = scenario.evaluation.reopen if self.evaluate else 0.0
        self.reopen_hours = scenario.evaluation.reopen_days * HOURS_PER_DAY
        self.max_reopens = scenario.evaluation.max_reopens
        self.limit_days = [getattr(scenario.time_limits_days, s) for s in SEVERITIES]
        sup = scenario.supervision
        self.supervise = sup.enabled
        self.supervise_after = [d * HOURS_PER_DAY * sup.share_of_limit for d in self.limit_days]
        self.pull_up = sup.pull_up

        offices = city.offices
        self.parent = [o.parent for o in offices]
        self.office_level = [o.level for o in offices]
        self.one_stop = [o.one_stop for o in offices]
        self.misroute = [o.misroute for o in offices]
        self.share = case_shares(scenario, city)
        self.pools = self._build_pools(types)

        n = len(offices)
        self.o_arrivals = [0] * n
        self.o_handled = [0] * n
        self.o_resolved = [0] * n
        self.o_busy = [0.0] * n
        self.o_wait = [0.0] * n
        self.o_queue = [0] * n
        self.o_max_queue = [0] * n
        self.o_entries = [0] * n
        self.o_system = [0.0] * n
        self.queue_by_level = [0] * N_LEVELS
        self.busy_by_level = [0] * N_LEVELS
        self._seq = 0
        self._to_wake: list[_Pool] = []
        self._deadlines: list[tuple[float, int, _Case, int]] = []
        self._deadline_due = math.inf

    def _build_pools(self, types: list) -> list[list[_Pool]]:
        """Per office, the pool serving each case type (one shared pool unless specialists)."""
        names = list(self.scenario.case_types)
        shares = {name: t.share for name, t in zip(names, types, strict=True)}
        pools: list[list[_Pool]] = []
        for office in self.city.offices:
            if office.level == VILLAGE and not office.generalist:
                by_type: list[_Pool | None] = [None] * len(names)
                for group, servers in specialist_groups(office.staff, shares):
                    pool = _Pool(office.index, servers)
                    for name in group:
                        by_type[names.index(name)] = pool
                pools.append(by_type)  # type: ignore[arg-type]
            else:
                pools.append([_Pool(office.index, office.staff)] * len(names))
        return pools

    # ------------------------------------------------------------ scheduling

    def _after(self, delay: float, callback, *args) -> None:
        _Call(self.env, delay, callback, args)

    def _move(self, delay: float, case: _Case, office: int) -> None:
        """The file reaches ``office`` after ``delay`` hours (at once when there is none)."""
        if delay:
            _Call(self.env, delay, self._join, (case, office))
        else:
            self._join(case, office)

    # ------------------------------------------------------------ run

    def run(self) -> RawReplication:
        sc = self.scenario
        cases = self._given_cases
        if cases is None:
            cases = draw_cases(sc, self.city, self.replication)
        self.cases = cases
        n = len(cases)
        self.counted = (cases.time >= self.t0) & (cases.time < self.t1)
        self.closed = np.full(n, np.nan)
        self.outcome = np.full(n, OPEN, dtype=np.int8)
        self.closed_level = np.full(n, -1, dtype=np.int8)
        self.levels = np.zeros(n, dtype=np.int8)
        self.doors = np.zeros(n, dtype=np.int16)
        self.trips = np.zeros(n, dtype=np.int16)
        self.wait = np.zeros(n)
        self.work = np.zeros(n)
        self.current_level = np.full(n, -1, dtype=np.int8)
        self.satisfied = np.full(n, -1, dtype=np.int8)  # -1: not asked (or reopened since)
        self.reopens = np.zeros(n, dtype=np.int16)
        self.supervised = np.zeros(n, dtype=bool)
        self.active: dict[int, _Case] = {}
        self.open_counted = 0
        self.arrived = 0
        self._oldest_open = 0

        triage = np.asarray(self.triage, dtype=np.int64)[cases.severity]
        settles = cases.first_contact_u < self.first_contact[cases.type, cases.channel]
        self.front = pass_front_door(sc, cases, triage, settles)
        self.fate = self.front.fate.copy()  # in-person first contacts are settled below
        self.schedule = np.flatnonzero(self.fate == CASE).tolist()

        # Per-case lists read on the hot path (list indexing beats numpy scalar access).
        self.c_time = cases.time.tolist()
        self.c_grid = cases.grid.tolist()
        self.c_type = cases.type.tolist()
        self.c_severity = cases.severity.tolist()
        self.c_channel = cases.channel.tolist()
        self.c_walk_in = cases.walk_in_level.tolist()
        self.c_counted = self.counted.tolist()
        self.c_settles = settles.tolist()
        self.c_delay = self.front.delay.tolist()
        self.branch = self.city.branch.tolist()
        # Fate matrices as flat arrays of doubles: Python floats on indexing, 8 bytes per value.
        self.c_handling = array("d", cases.handling.ravel().tobytes())
        self.c_resolve_u = array("d", cases.resolve_u.ravel().tobytes())
        self.c_online_u = array("d", cases.online_u.ravel().tobytes())
        self.c_misroute_u = array("d", cases.misroute_u.tobytes())
        self.c_give_up_u = array("d", np.ascontiguousarray(cases.give_up_u).ravel().tobytes())
        self.c_first_contact_hours = array("d", cases.first_contact_hours.tobytes())
        self.c_evaluation_u = cases.evaluation_u.tolist()

        self.daily_rows: list[np.ndarray] = []
        self.env.process(self._sample_daily())
        if self.schedule:
            self._after(self.c_time[self.schedule[0]], self._arrive, 0)
        with cyclic_gc_paused():
            if sc.drain:
                self.done = self.env.event()
                self.env.run(until=self.t1)
                if self.open_counted:
                    self.env.run(until=self.done)
            else:
                self.env.run(until=self.t1)
        end = self.env.now
        if len(self.daily_rows) * HOURS_PER_DAY < end:  # the last day ends with the run
            self._sample()
        for case in self.active.values():
            self._write(case)
        days = len(self.daily_rows)
        return RawReplication(
            replication=self.replication,
            cases=cases,
            counted=self.counted,
            closed=self.closed,
            outcome=self.outcome,
            closed_level=self.closed_level,
            levels=self.levels,
            doors=self.doors,
            trips=self.trips,
            wait=self.wait,
            work=self.work,
            end_time=end,
            office_arrivals=np.asarray(self.o_arrivals),
            office_handled=np.asarray(self.o_handled),
            office_resolved=np.asarray(self.o_resolved),
            office_busy_hours=np.asarray(self.o_busy),
            office_wait_sum=np.asarray(self.o_wait),
            office_max_queue=np.asarray(self.o_max_queue),
            open_hours=self.calendar.open_hours_between(self.t0, self.t1),
            daily=np.stack(self.daily_rows) if days else np.zeros((0, N_LEVELS, 4)),
            first_day=-sc.warmup_days,
            fate=self.fate,
            front=self.front,
            office_entries=np.asarray(self.o_entries),
            office_system_hours=np.asarray(self.o_system),
            office_share=np.asarray(self.share),
            satisfied=self.satisfied,
            reopens=self.reopens,
            events=self.events,
            supervised=self.supervised,
        )

    # ------------------------------------------------------------ arrivals and entry

    def _arrive(self, k: int) -> None:
        """The ``k``-th request that reaches the offices (in arrival order)."""
        now = self.env.now
        schedule = self.schedule
        i = schedule[k]
        if k + 1 < len(schedule):
            self._after(self.c_time[schedule[k + 1]] - now, self._arrive, k + 1)
        self.arrived = i + 1
        case = _Case(i, self.c_type[i], self.c_severity[i])
        self.active[i] = case
        if self.c_counted[i]:
            self.open_counted += 1
        branch = self.branch[self.c_grid[i]]
        triage = self.triage[case.severity]
        channel = self.c_channel[i]
        if self.events is not None:
            self.events.add(i, now, branch[GRID], ARRIVE)
        if self.supervise:
            self._after(self.supervise_after[case.severity], self._supervise, case)
        if channel == GRID_VISIT:
            if self.c_settles[i]:  # the grid worker settles it on the spot
                self._join_first_contact(case, branch[GRID])
            elif triage == GRID:
                self._join(case, branch[GRID])
            else:  # the grid worker reports it up: the system moves the file, no door
                self.current_level[i] = triage
                self._move(self.c_delay[i], case, branch[triage])
        elif channel == WALK_IN:
            level = max(self.c_walk_in[i], VILLAGE)
            office = branch[level]
            case.doors = 1
            self._visit(case, self._place(office, 0))
            if self.c_settles[i]:  # the window clerk settles it at once
                self._join_first_contact(case, office)
                return
            if level < triage:  # referred up at the counter: another door
                case.doors += 1
                if self.events is not None:
                    self.events.add(i, self.env.now, office, REFER)
                office = branch[triage]
            self._walk_into(case, office, 0.0)
        else:  # a work order from a call or the app: the call (or app) was the one door
            case.doors = 1
            self.current_level[i] = triage
            self._move(self.c_delay[i], case, branch[triage])

    def _place(self, office: int, dept: int) -> int:
        """A place the citizen may travel to: an office, or one department of a county
        without a one-stop centre."""
        if self.office_level[office] == COUNTY and not self.one_stop[office]:
            return -(office * 64 + dept) - 1
        return office

    def _visit(self, case: _Case, place: int) -> None:
        if place not in case.places:
            case.places.add(place)
            case.trips += 1

    def _walk_into(self, case: _Case, office: int, delay: float) -> None:
        """The citizen comes in person to ``office`` after ``delay`` hours. At a county without
        one-stop they may first reach a wrong department: one more door and trip, and the
        referral to the right one takes ``referral_days``."""
        if (
            self.office_level[office] == COUNTY
            and not self.one_stop[office]
            and self.c_misroute_u[case.i] < self.misroute[office]
        ):
            case.doors += 1
            case.trips += 1
            delay += self.referral_hours
            if self.events is not None:
                self.events.add(case.i, self.env.now, office, REFER)
        self._move(delay, case, office)

    # ------------------------------------------------------------ queues and service

    def _join(self, case: _Case, office: int) -> None:
        """The case enters ``office`` (a new office: departments start from the first)."""
        level = self.office_level[office]
        case.office = office
        case.level = level
        case.dept = 0
        case.n_depts = (
            self.departments[case.type] if level == COUNTY and not self.one_stop[office] else 1
        )
        case.levels |= 1 << level
        case.entered = self.env.now
        self.current_level[case.i] = level
        case.pool = self.pools[office][case.type]
        self._enqueue(case)

    def _join_first_contact(self, case: _Case, office: int) -> None:
        """A request settled at first contact: a short job in ``office``'s queue, not a case."""
        case.first_contact = True
        case.office = office
        if self.events is not None:
            self.events.add(case.i, self.env.now, office, FIRST_CONTACT)
        case.level = self.office_level[office]
        self.current_level[case.i] = case.level
        case.pool = self.pools[office][case.type]
        self._enqueue(case)

    def _enqueue(self, case: _Case) -> None:
        now = self.env.now
        pool = case.pool
        office = case.office
        if self.t0 <= now < self.t1:
            self.o_arrivals[office] += 1
        if self.events is not None:
            self.events.add(case.i, now, office, QUEUE)
        case.token += 1
        case.joined = now
        if pool.free and not pool.waiting and (self.always_open or self.calendar.is_open(now)):
            self._start(case, pool)
            return
        case.waiting = True
        self._seq += 1
        priority = -case.severity - case.supervised * N_SEVERITIES
        heapq.heappush(pool.queue, (priority, self._seq, case, case.token))
        pool.waiting += 1
        self.o_queue[office] += 1
        self.queue_by_level[case.level] += 1
        if self.o_queue[office] > self.o_max_queue[office] and self.t0 <= now < self.t1:
            self.o_max_queue[office] = self.o_queue[office]
        patience = self.patience[case.severity]
        if patience != math.inf and not case.first_contact:
            self._watch_patience(now + patience, case)
        if pool.free:
            self._wake_at_opening(pool)

    def _wake_at_opening(self, pool: _Pool) -> None:
        """Every office keeps one calendar, so one event per opening wakes all waiting pools."""
        if pool.wakeup:
            return
        pool.wakeup = True
        self._to_wake.append(pool)
        if len(self._to_wake) == 1:
            now = self.env.now
            self._after(self.calendar.next_open(now) - now, self._opening)

    def _opening(self) -> None:
        pools, self._to_wake = self._to_wake, []
        for pool in pools:
            pool.wakeup = False
            self._serve_next(pool, opened=True)

    def _watch_patience(self, deadline: float, case: _Case) -> None:
        """Patience deadlines share one heap and one pending timer (at the earliest deadline),
        so a case that is served in time costs no event."""
        heapq.heappush(self._deadlines, (deadline, case.i, case, case.token))
        if deadline < self._deadline_due:
            self._deadline_due = deadline
            self._after(deadline - self.env.now, self._patience_due, deadline)

    def _patience_due(self, due: float) -> None:
        if due != self._deadline_due:
            return  # an earlier timer took over
        now = self.env.now
        deadlines = self._deadlines
        while deadlines:
            deadline, _, case, token = deadlines[0]
            live = token == case.token and case.waiting
            if live and deadline > now:
                break
            heapq.heappop(deadlines)
            if live:
                self._renege(case)
        self._deadline_due = math.inf
        if deadlines:
            self._deadline_due = deadlines[0][0]
            self._after(self._deadline_due - now, self._patience_due, self._deadline_due)

    def _serve_next(self, pool: _Pool, opened: bool = False) -> None:
        if not pool.waiting:
            return
        now = self.env.now
        if not (opened or self.always_open or self.calendar.is_open(now)):
            self._wake_at_opening(pool)
            return
        queue = pool.queue
        while pool.free and pool.waiting:
            _, _, case, token = heapq.heappop(queue)
            if token != case.token or not case.waiting:
                continue  # left the queue earlier (patience ran out)
            case.waiting = False
            pool.waiting -= 1
            self.o_queue[pool.office] -= 1
            self.queue_by_level[case.level] -= 1
            self._start(case, pool)

    def _start(self, case: _Case, pool: _Pool) -> None:
        now = self.env.now
        i, level, office = case.i, case.level, case.office
        pool.free -= 1
        self.busy_by_level[level] += 1
        if self.events is not None:
            self.events.add(i, now, office, START)
        wait = now - case.joined
        case.wait += wait
        if case.first_contact:
            work = self.c_first_contact_hours[i]
        else:
            work = self.c_handling[i * N_LEVELS + level] / case.n_depts
            if case.intake_due:
                work += self.intake_hours
                case.intake_due = False
            case.work += work
        # staff with other duties give a case only part of their time: it occupies them longer
        share = self.share[office]
        occupied = work / share
        end = now + occupied if self.always_open else self.calendar.add_working_hours(now, occupied)
        if self.t0 <= now < self.t1:
            self.o_handled[office] += 1
            self.o_wait[office] += wait
            # work started while open: all of it counts unless it runs past the horizon
            if end <= self.t1:
                self.o_busy[office] += work
            else:
                self.o_busy[office] += self.calendar.open_hours_between(now, self.t1) * share
        elif now < self.t0 < end:
            self.o_busy[office] += (
                self.calendar.open_hours_between(self.t0, min(end, self.t1)) * share
            )
        if (
            not case.first_contact
            and self.attendance[level]
            and self.c_online_u[i * N_LEVELS + level] >= self.online_share
        ):
            self._visit(case, self._place(office, case.dept))
        self._after(end - now, self._finish, case, pool)

    def _finish(self, case: _Case, pool: _Pool) -> None:
        pool.free += 1
        level, office, i = case.level, case.office, case.i
        self.busy_by_level[level] -= 1
        if self.events is not None:
            self.events.add(i, self.env.now, office, FINISH)
        self._serve_next(pool)
        if case.first_contact:
            self._settle(case)
            return
        shared = self.shared_information
        if case.dept + 1 < case.n_depts:  # the next department: another door of its own
            case.dept += 1
            case.doors += 1
            case.intake_due = not shared
            if self.events is not None:
                self.events.add(i, self.env.now, office, REFER)
            if self.referral_hours:  # scattered departments: the citizen's own next trip
                self._after(self.referral_hours, self._enqueue, case)
            else:
                self._enqueue(case)
            return
        if self.c_resolve_u[i * N_LEVELS + level] < self.resolve[case.type][level]:
            if self.t0 <= self.env.now < self.t1:
                self.o_resolved[office] += 1
            self._close(case, RESOLVED, level)
        elif level == CITY:
            self._close(case, self.beyond_city, CITY)
        else:  # 分级流转: the file moves up; the upper office contacts the citizen
            case.intake_due = not shared
            parent = self.parent[office]
            self._leave(case)
            if self.events is not None:
                self.events.add(i, self.env.now, office, ESCALATE)
            self.current_level[i] = level + 1
            self._move(self.transfer_hours, case, parent)

    def _renege(self, case: _Case) -> None:
        """Patience ran out while waiting: abandon, or walk in one level up (越级)."""
        pool = case.pool
        case.waiting = False
        pool.waiting -= 1
        office, level = case.office, case.level
        now = self.env.now
        self.o_queue[office] -= 1
        self.queue_by_level[level] -= 1
        case.wait += now - case.joined
        if level == CITY:  # a petition beyond the city
            self._close(case, ESCALATED_OUT, CITY)
        elif self.c_give_up_u[case.i * N_LEVELS + level] < self.give_up:
            self._close(case, ABANDONED, level)
        else:  # in person, so at the parent office's next opening
            parent = self.parent[office]
            self._leave(case)
            if self.events is not None:
                self.events.add(case.i, now, office, SELF_ESCALATE)
            case.doors += 1
            self._visit(case, self._place(parent, 0))
            opening = now if self.always_open else self.calendar.next_open(now)
            self._walk_into(case, parent, opening - now)

    # ------------------------------------------------------------ closing and records

    def _leave(self, case: _Case) -> None:
        """The case leaves its office: its time there counts toward hours_in_system."""
        if self.c_counted[case.i]:
            self.o_entries[case.office] += 1
            self.o_system[case.office] += self.env.now - case.entered

    def _settle(self, case: _Case) -> None:
        """A first-contact settlement is done: the office resolved it; no case record."""
        i = case.i
        if self.t0 <= self.env.now < self.t1:
            self.o_resolved[case.office] += 1
        self.fate[i] = SETTLED
        if self.events is not None:
            self.events.add(i, self.env.now, case.office, CLOSE, RESOLVED)
        self.current_level[i] = -1
        del self.active[i]
        self._counted_done(i)

    def _close(self, case: _Case, outcome: int, level: int) -> None:
        i = case.i
        self._leave(case)
        if self.events is not None:  # every closing, also one a verdict then reopens
            self.events.add(i, self.env.now, case.office, CLOSE, outcome)
        if self.evaluate and self._follow_up(case, outcome):
            return  # reopened: still open, back at its office after reopen_days
        self.closed[i] = self.env.now
        self.outcome[i] = outcome
        self.closed_level[i] = level
        self.current_level[i] = -1
        self._write(case)
        del self.active[i]
        self._counted_done(i)

    def _follow_up(self, case: _Case, outcome: int) -> bool:
        """The follow-up call (回访) on closing: record the verdict; a dissatisfied one reopens
        the case with chance ``reopen`` (at most ``max_reopens`` times). True when reopened."""
        i = case.i
        now = self.env.now
        if case.reopens:
            reopen_u, u = rework_draws(self.scenario.seed, self.replication, i, case.reopens)
        else:
            reopen_u, u = math.nan, self.c_evaluation_u[i]
        late = (now - self.c_time[i]) / HOURS_PER_DAY - self.limit_days[case.severity]
        chance = chance_of_one(self.eval_coef, case.doors, case.trips, late, outcome == RESOLVED)
        if u >= chance:
            self.satisfied[i] = 1
            return False
        self.satisfied[i] = 0
        if not self.reopen or case.reopens >= self.max_reopens:
            return False
        if case.reopens == 0:
            reopen_u = rework_draws(self.scenario.seed, self.replication, i, 0)[0]
        if reopen_u >= self.reopen:
            return False
        case.reopens += 1
        self.reopens[i] = case.reopens
        self.satisfied[i] = -1  # asked again when it closes again
        if self.events is not None:  # decided now; back in the queue after reopen_days
            self.events.add(i, now, case.office, REOPEN)
        self._after(self.reopen_hours, self._reopen, case, case.office)
        return True

    def _reopen(self, case: _Case, office: int) -> None:
        """返工: the case is handled again at the office that closed it (a new intake)."""
        case.intake_due = True
        self._join(case, office)

    def _supervise(self, case: _Case) -> None:
        """督办: the share of the time limit has passed. A case still open below the town is
        flagged; if it is waiting, it moves ahead of unsupervised cases, and the town pulls it
        up to its own office with chance ``pull_up``."""
        i = case.i
        if self.active.get(i) is not case or case.first_contact or case.level >= TOWN:
            return
        if self.current_level[i] != case.level:
            return  # on its way up already
        case.supervised = 1
        self.supervised[i] = True
        if not case.waiting:
            return  # in service: its next queue sees the flag
        pool = case.pool
        if (
            self.pull_up
            and supervision_draw(self.scenario.seed, self.replication, i) < self.pull_up
        ):
            case.waiting = False
            pool.waiting -= 1
            self.o_queue[case.office] -= 1
            self.queue_by_level[case.level] -= 1
            case.wait += self.env.now - case.joined
            self._leave(case)
            if self.events is not None:
                self.events.add(i, self.env.now, case.office, ESCALATE)
            town = self.branch[self.c_grid[i]][TOWN]
            case.intake_due = not self.shared_information
            self.current_level[i] = TOWN
            self._move(self.transfer_hours, case, town)
            return
        case.token += 1  # its old place in the queue lapses: re-queued ahead
        self._seq += 1
        priority = -case.severity - N_SEVERITIES
        heapq.heappush(pool.queue, (priority, self._seq, case, case.token))
        patience = self.patience[case.severity]
        if patience != math.inf:  # the lapsed token cancelled its patience watch: renew it
            self._watch_patience(case.joined + patience, case)

    def _counted_done(self, i: int) -> None:
        if self.c_counted[i]:
            self.open_counted -= 1
            if self.drain and not self.open_counted and self.env.now >= self.t1:
                self.done.succeed()

    def _write(self, case: _Case) -> None:
        i = case.i
        self.levels[i] = case.levels
        self.doors[i] = case.doors
        self.trips[i] = case.trips
        self.wait[i] = case.wait
        self.work[i] = case.work

    def _sample_daily(self):
        while True:
            yield self.env.timeout(HOURS_PER_DAY)
            self._sample()

    def _sample(self) -> None:
        """End of a day: open cases, backlog, queue and busy staff per level."""
        now = self.env.now
        lo, hi = self._oldest_open, self.arrived
        current = self.current_level[lo:hi]
        still_open = np.flatnonzero(current >= 0)
        self._oldest_open = lo + int(still_open[0]) if len(still_open) else hi
        levels = current[still_open]
        backlog_hours = self.scenario.backlog_days * HOURS_PER_DAY
        old = self.cases.time[lo:hi][still_open] < now - backlog_hours
        row = np.zeros((N_LEVELS, 4))
        row[:, 0] = np.bincount(levels, minlength=N_LEVELS)
        row[:, 1] = np.bincount(levels[old], minlength=N_LEVELS)
        row[:, 2] = self.queue_by_level
        row[:, 3] = self.busy_by_level
        self.daily_rows.append(row)


def case_shares(scenario: Scenario, city: City) -> list[float]:
    """Each office's share of working hours for casework: ``case_time_share`` of what its
    household visits (grid workers) leave of the working week."""
    week = open_hours_per_week(scenario.calendar)
    return [
        o.case_time_share * (1.0 - o.visits_per_week * o.visit_hours / week)
        if o.visits_per_week
        else o.case_time_share
        for o in city.offices
    ]
