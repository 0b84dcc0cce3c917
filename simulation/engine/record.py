"""What a replication leaves behind: its raw columns, turned into the contract's flat tables
(once, at the end)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..contract import (
    CASE_COLUMNS,
    CHANNELS,
    DAILY_COLUMNS,
    FRONT_DOOR_COLUMNS,
    HOTLINE_LEVEL,
    HOURS_PER_DAY,
    KINDS,
    LEVELS,
    OFFICE_COLUMNS,
    OUTCOMES,
    SEVERITIES,
    Level,
    Outcome,
)
from ..scenario.schema import Scenario
from .arrivals import Cases
from .city import City
from .events import EventLog
from .front_door import CASE, FrontDoor, QueueStats

RESOLVED, LITIGATION, ESCALATED_OUT, ABANDONED, OPEN = (int(o) for o in Outcome)


@dataclass
class RawReplication:
    """What one replication leaves behind: per-case, per-office and per-day columns."""

    replication: int
    cases: Cases
    counted: np.ndarray
    closed: np.ndarray
    outcome: np.ndarray
    closed_level: np.ndarray
    levels: np.ndarray
    doors: np.ndarray
    trips: np.ndarray
    wait: np.ndarray
    work: np.ndarray
    end_time: float
    office_arrivals: np.ndarray
    office_handled: np.ndarray
    office_resolved: np.ndarray
    office_busy_hours: np.ndarray
    office_wait_sum: np.ndarray
    office_max_queue: np.ndarray
    open_hours: float
    daily: np.ndarray  # (days, levels, 4): open_cases, backlog, queue, busy_staff
    first_day: int
    fate: np.ndarray
    """Per request: a case (0), settled at first contact (1) or hung up at the hotline (2)."""
    front: FrontDoor
    office_entries: np.ndarray
    office_system_hours: np.ndarray
    office_share: np.ndarray
    """Each office's share of working hours for casework."""
    satisfied: np.ndarray | None = None
    """Per case: the follow-up verdict (1 satisfied, 0 not, -1 not asked); None: never asked."""
    reopens: np.ndarray | None = None
    """Per case: how many times a dissatisfied verdict reopened it."""
    events: EventLog | None = None
    """The event log, when asked for (``events.py``)."""
    supervised: np.ndarray | None = None
    """Per case: flagged by town supervision (督办)."""


def _categorical(codes: np.ndarray, categories: list[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes.astype(np.int64), categories=categories)


def _town_codes(city: City, towns: np.ndarray) -> pd.Categorical:
    """The 12-digit code of each case's town (empty for a synthetic town), as a categorical."""
    town_offices = [o for o in city.offices if o.level == int(Level.town)]
    codes = sorted({o.code for o in town_offices})
    index = {code: i for i, code in enumerate(codes)}
    position = np.zeros(len(city.offices), dtype=np.int64)
    for o in town_offices:
        position[o.index] = index[o.code]
    return pd.Categorical.from_codes(position[towns], categories=codes)


def case_table(raw: RawReplication, scenario: Scenario, city: City) -> pd.DataFrame:
    """One row per counted case (arrived after the warm-up, before the horizon, and not settled
    or hung up at the front door)."""
    keep = np.flatnonzero(raw.counted & (raw.fate == CASE))
    cases = raw.cases
    t0 = scenario.warmup_days * HOURS_PER_DAY
    arrival = cases.time[keep]
    closed = raw.closed[keep]
    outcome = raw.outcome[keep]
    limit = np.asarray([getattr(scenario.time_limits_days, s) * HOURS_PER_DAY for s in SEVERITIES])[
        cases.severity[keep]
    ]
    is_open = outcome == OPEN
    age = np.where(is_open, raw.end_time, closed) - arrival
    on_time = pd.array(age <= limit, dtype="boolean")
    on_time[is_open & (age <= limit)] = pd.NA
    satisfied = pd.array(np.full(len(keep), pd.NA), dtype="boolean")
    if raw.satisfied is not None:
        verdict = raw.satisfied[keep]
        asked = verdict >= 0
        satisfied[asked] = verdict[asked] == 1
    reopens = raw.reopens[keep] if raw.reopens is not None else np.zeros(len(keep))
    supervised = raw.supervised[keep] if raw.supervised is not None else np.zeros(len(keep), bool)

    branch = city.branch[cases.grid[keep]]
    names = [o.name for o in city.offices]
    closed_level = raw.closed_level[keep].astype(np.int64)
    level_count = np.zeros(len(keep), dtype=np.int64)
    for bit in range(len(LEVELS)):
        level_count += (raw.levels[keep] >> bit) & 1
    office_cat = pd.CategoricalDtype(names)
    return pd.DataFrame(
        {
            "replication": np.full(len(keep), raw.replication, dtype=np.int64),
            "case_id": keep.astype(np.int64),
            "type": _categorical(cases.type[keep], list(scenario.case_types)),
            "kind": _categorical(_kinds(scenario)[cases.type[keep]], list(KINDS)),
            "severity": _categorical(cases.severity[keep], list(SEVERITIES)),
            "channel": _categorical(cases.channel[keep], list(CHANNELS)),
            "county": pd.Categorical(
                [city.offices[o].county for o in branch[:, 3]],
                categories=list(city.counties),
            ),
            "town": pd.Categorical.from_codes(branch[:, 2], dtype=office_cat),
            "town_code": _town_codes(city, branch[:, 2]),
            "village": pd.Categorical.from_codes(branch[:, 1], dtype=office_cat),
            "grid": pd.Categorical.from_codes(branch[:, 0], dtype=office_cat),
            "arrival_day": (arrival - t0) / HOURS_PER_DAY,
            "closed_day": (closed - t0) / HOURS_PER_DAY,
            "outcome": _categorical(outcome, list(OUTCOMES)),
            "closed_level": _categorical(closed_level, list(LEVELS)),
            "levels": level_count,
            "doors": raw.doors[keep].astype(np.int64),
            "trips": raw.trips[keep].astype(np.int64),
            "wait_hours": raw.wait[keep],
            "handling_hours": raw.work[keep],
            "on_time": on_time,
            "satisfied": satisfied,
            "reopens": reopens.astype(np.int64),
            "supervised": supervised.astype(bool),
        },
        columns=list(CASE_COLUMNS),
    )


def office_table(raw: RawReplication, city: City, scenario: Scenario) -> pd.DataFrame:
    """Per office: volumes, utilisation and waits over the counted period; the 12345 centre
    and the dispatch desk (level ``hotline``) last when the scenario has them."""
    staff = np.asarray([o.staff for o in city.offices], dtype=np.int64)
    paid = staff * raw.open_hours
    handled = raw.office_handled
    entries = raw.office_entries
    with np.errstate(invalid="ignore", divide="ignore"):
        utilization = np.where(paid > 0, raw.office_busy_hours / (paid * raw.office_share), np.nan)
        utilization_paid = np.where(paid > 0, raw.office_busy_hours / paid, np.nan)
        mean_wait = np.where(handled > 0, raw.office_wait_sum / np.maximum(handled, 1), np.nan)
        in_system = np.where(entries > 0, raw.office_system_hours / np.maximum(entries, 1), np.nan)
    table = pd.DataFrame(
        {
            "replication": np.full(len(staff), raw.replication, dtype=np.int64),
            "office": [o.name for o in city.offices],
            "office_code": [o.code for o in city.offices],
            "level": [LEVELS[o.level] for o in city.offices],
            "county": [o.county for o in city.offices],
            "staff": staff,
            "arrivals": raw.office_arrivals.astype(np.int64),
            "handled": handled.astype(np.int64),
            "resolved": raw.office_resolved.astype(np.int64),
            "utilization": utilization,
            "mean_wait_hours": mean_wait,
            "max_queue": raw.office_max_queue.astype(np.int64),
            "utilization_paid": utilization_paid,
            "entries": entries.astype(np.int64),
            "mean_hours_in_system": in_system,
            "cost_per_staff_year": [float(o.cost_per_staff_year) for o in city.offices],
        },
        columns=list(OFFICE_COLUMNS),
    )
    city_name = city.offices[0].name if city.offices else scenario.city.name
    rows = [
        row
        for row in (
            _queue_row(raw.replication, f"{city_name}/12345", raw.front.hotline),
            _queue_row(raw.replication, f"{city_name}/12345-dispatch", raw.front.dispatch),
        )
        if row is not None
    ]
    if not rows:
        return table
    extra = pd.DataFrame(rows, columns=list(OFFICE_COLUMNS)).astype(table.dtypes.to_dict())
    return pd.concat([table, extra], ignore_index=True)


def _queue_row(replication: int, name: str, stats: QueueStats | None) -> dict | None:
    """A front-door queue as an office row: arrivals offered, handled (answered or dispatched),
    resolved (settled there), utilisation over the server-hours on duty."""
    if stats is None:
        return None
    served = stats.handled
    on_duty = stats.available_hours
    utilization = stats.busy_hours / on_duty if on_duty > 0 else np.nan
    return {
        "replication": replication,
        "office": name,
        "level": HOTLINE_LEVEL,
        "county": "",
        "staff": stats.servers,
        "arrivals": stats.arrivals,
        "handled": served,
        "resolved": stats.resolved,
        "utilization": utilization,
        "mean_wait_hours": stats.wait_hours / served if served else np.nan,
        "max_queue": stats.max_queue,
        "utilization_paid": utilization,
        "entries": stats.arrivals,
        "mean_hours_in_system": np.nan,
    }


def front_door_table(raw: RawReplication, scenario: Scenario, city: City) -> pd.DataFrame:
    """Per county, kind and channel: counted requests, how many were settled at first contact,
    hung up at the hotline and answered within its target, and the answered calls' summed wait
    in seconds (one row per combination that had requests)."""
    counted = np.flatnonzero(raw.counted)
    cases = raw.cases
    counties = list(city.counties)
    county_index = {name: k for k, name in enumerate(counties)}
    office_county = np.asarray([county_index.get(o.county, 0) for o in city.offices])
    county = office_county[city.branch[cases.grid[counted], 3]]
    kind = _kinds(scenario)[cases.type[counted]]
    channel = cases.channel[counted]
    shape = (len(counties), len(KINDS), len(CHANNELS))
    cell = np.ravel_multi_index((county, kind, channel), shape)
    size = int(np.prod(shape))
    fate = raw.fate[counted]
    requests = np.bincount(cell, minlength=size)
    settled = np.bincount(cell, weights=fate == 1, minlength=size)
    hung_up = np.bincount(cell, weights=fate == 2, minlength=size)
    in_target = np.bincount(cell, weights=raw.front.answered_in_target[counted], minlength=size)
    waited = np.bincount(cell, weights=raw.front.call_wait[counted], minlength=size) * 3600.0
    present = np.flatnonzero(requests)
    c, k, ch = np.unravel_index(present, shape)
    return pd.DataFrame(
        {
            "replication": np.full(len(present), raw.replication, dtype=np.int64),
            "county": pd.Categorical.from_codes(c, categories=counties),
            "kind": pd.Categorical.from_codes(k, categories=list(KINDS)),
            "channel": pd.Categorical.from_codes(ch, categories=list(CHANNELS)),
            "requests": requests[present].astype(np.int64),
            "first_contact": settled[present].astype(np.int64),
            "abandoned": hung_up[present].astype(np.int64),
            "answered_in_target": in_target[present].astype(np.int64),
            "wait_seconds": waited[present],
        },
        columns=list(FRONT_DOOR_COLUMNS),
    )


def _kinds(scenario: Scenario) -> np.ndarray:
    """The kind code of each case type."""
    return np.asarray([KINDS.index(t.kind) for t in scenario.case_types.values()], dtype=np.int64)


def daily_table(raw: RawReplication) -> pd.DataFrame:
    """Per day and level: open cases, backlog, queue and busy staff at the day's end."""
    days, levels, _ = raw.daily.shape
    values = raw.daily.reshape(days * levels, 4).astype(np.int64)
    return pd.DataFrame(
        {
            "replication": np.full(days * levels, raw.replication, dtype=np.int64),
            "day": np.repeat(np.arange(days, dtype=np.int64) + raw.first_day, levels),
            "level": np.tile(np.asarray(LEVELS, dtype=object), days),
            "open_cases": values[:, 0],
            "backlog": values[:, 1],
            "queue": values[:, 2],
            "busy_staff": values[:, 3],
        },
        columns=list(DAILY_COLUMNS),
    )
