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
    HOURS_PER_DAY,
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
    """One row per counted case (arrived after the warm-up, before the horizon)."""
    keep = np.flatnonzero(raw.counted)
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
        },
        columns=list(CASE_COLUMNS),
    )


def office_table(raw: RawReplication, city: City) -> pd.DataFrame:
    """Per office: volumes, utilisation and waits over the counted period."""
    staff = np.asarray([o.staff for o in city.offices], dtype=np.int64)
    available = staff * raw.open_hours
    handled = raw.office_handled
    with np.errstate(invalid="ignore", divide="ignore"):
        utilization = np.where(available > 0, raw.office_busy_hours / available, np.nan)
        mean_wait = np.where(handled > 0, raw.office_wait_sum / np.maximum(handled, 1), np.nan)
    return pd.DataFrame(
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
        },
        columns=list(OFFICE_COLUMNS),
    )


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
