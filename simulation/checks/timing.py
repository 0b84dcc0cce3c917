"""Check families against the engine's own contract for time: arrival counts against the
weekly and monthly profiles and surge volumes, throughput of an overloaded office under a working
calendar, and patience (self-escalation after exactly the stated wait)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..analysis.theory import mmc_wait
from ..contract import HOURS_PER_DAY, LEVELS, WEEKDAYS
from .harness import (
    NEVER,
    Context,
    Row,
    analytic_scenario,
    check_seed,
    compare,
    exponential,
    kpi_values,
    per_10k,
    per_rep,
)

# ---------------------------------------------------------------- arrivals

ARRIVAL_WEEKLY = [1.15, 1.10, 1.05, 1.05, 1.05, 0.85, 0.75]
ARRIVAL_MONTHLY = [1.25, 1.30, 1.00, 0.95, 0.95, 0.90, 0.90, 0.90, 0.95, 0.95, 0.95, 1.00]
ARRIVAL_SURGES = [
    {"name": "closure", "where": "county-1", "type": "labour", "start_day": 100, "days": 14,
     "per_day": 40},
    {"name": "flood", "where": "county-2", "type": "flood", "start_day": 200, "days": 10,
     "per_day": 25},
]  # fmt: skip
START = dt.date(2021, 1, 1)


def run_arrivals(ctx: Context) -> list[Row]:
    base_per_day = 120.0 if ctx.quick else 300.0
    horizon = 365
    handling = exponential([0.01] * 5)
    types = {
        "dispute": {"share": 1.0, "handling_hours": handling},
        "labour": {"share": 0.0, "handling_hours": handling},
        "flood": {"share": 0.0, "handling_hours": handling},
    }
    for t in types.values():
        t.update(severity={"minor": 1.0}, resolve=dict.fromkeys(LEVELS, 1.0))
    name = "arrivals" + ("-quick" if ctx.quick else "")
    sc = analytic_scenario(
        name,
        seed=check_seed(ctx.seed, name),
        horizon_days=horizon,
        warmup_days=1,
        replications=10,
        generate=(2, 1, 1, 1),
        population=20_000,
        staff=(50, 1, 1, 1, 1),
        per_10k=base_per_day * 365 * 10_000 / 20_000,
        weekly=ARRIVAL_WEEKLY,
        monthly=ARRIVAL_MONTHLY,
        case_types=types,
        surges=ARRIVAL_SURGES,
    )
    res = ctx.run(sc)
    cases = res.cases
    rows = []
    # the profile, computed here from dates (independently of the engine's arrivals module)
    dates = [START + dt.timedelta(days=d) for d in range(horizon)]
    weekly = np.asarray(ARRIVAL_WEEKLY) / np.mean(ARRIVAL_WEEKLY)
    monthly = np.asarray(ARRIVAL_MONTHLY) / np.mean(ARRIVAL_MONTHLY)
    expected = np.array([base_per_day * weekly[d.weekday()] * monthly[d.month - 1] for d in dates])
    base = cases[cases["type"] == "dispute"]
    day = np.floor(base["arrival_day"].to_numpy()).astype(int)
    counts = pd.crosstab(base["replication"].to_numpy(), day).reindex(
        index=res.by_replication.index, columns=range(horizon), fill_value=0
    )
    weekday = np.array([d.weekday() for d in dates])
    month = np.array([d.month - 1 for d in dates])
    for w, label in enumerate(WEEKDAYS):
        days = weekday == w
        rows.append(
            compare("arrivals", f"cases a day on {label}", counts.loc[:, days].mean(axis=1),
                    float(expected[days].mean()), 0.01)
        )  # fmt: skip
    for m in range(12):
        days = month == m
        rows.append(
            compare("arrivals", f"cases a day in {dt.date(2021, m + 1, 1):%b}",
                    counts.loc[:, days].mean(axis=1), float(expected[days].mean()), 0.01)
        )  # fmt: skip
    rows.append(
        compare("arrivals", "cases a year", counts.sum(axis=1), float(expected.sum()), 0.01)
    )
    for surge in ARRIVAL_SURGES:
        mine = cases[cases["type"] == surge["type"]]
        start, end = surge["start_day"], surge["start_day"] + surge["days"]
        inside = (
            (mine["arrival_day"] >= start)
            & (mine["arrival_day"] < end)
            & (mine["county"] == surge["where"])
        )
        reps = mine["replication"]
        rows += [
            compare("arrivals", f"surge {surge['name']}: cases",
                    per_rep(reps.value_counts(), res), surge["per_day"] * surge["days"], 0.01),
            compare("arrivals", f"surge {surge['name']}: share in its county and days",
                    per_rep(inside.groupby(reps).mean(), res), 1.0, 0.0, 1e-12),
        ]  # fmt: skip
    return rows


# ---------------------------------------------------------------- working calendars

CALENDARS = [
    # (label, calendar, staff, handling)
    ("Mon-Fri 08:30-12:00 13:30-17:00, 3 staff, exponential 0.5 h",
     {"workdays": ["mon", "tue", "wed", "thu", "fri"], "hours": ["08:30-12:00", "13:30-17:00"]},
     3, {"dist": "exponential", "mean": 0.5}),
    ("Mon-Sat 09:00-11:00 14:00-18:00, 2 staff, fixed 1.5 h",
     {"workdays": ["mon", "tue", "wed", "thu", "fri", "sat"],
      "hours": ["09:00-11:00", "14:00-18:00"]},
     2, {"dist": "fixed", "value": 1.5}),
]  # fmt: skip


def _span_hours(text: str) -> tuple[float, float]:
    a, b = text.split("-")
    return tuple(int(t[:2]) + int(t[3:]) / 60 for t in (a, b))  # type: ignore[return-value]


def run_calendar(ctx: Context) -> list[Row]:
    rows = []
    for k, (label, calendar, staff, dist) in enumerate(CALENDARS[:1] if ctx.quick else CALENDARS):
        spans = [_span_hours(h) for h in calendar["hours"]]
        open_per_day = sum(b - a for a, b in spans)
        mean = dist.get("mean", dist.get("value"))
        capacity_per_day = staff * open_per_day / mean
        per_day = 2 * capacity_per_day * len(calendar["workdays"]) / 7  # twice the capacity
        horizon = 91 if ctx.quick else 182
        name = f"calendar/{k}" + ("-quick" if ctx.quick else "")
        sc = analytic_scenario(
            name,
            seed=check_seed(ctx.seed, name),
            horizon_days=horizon,
            warmup_days=7,
            replications=10,
            staff=(staff, 1, 1, 1, 1),
            handling={lv: dist for lv in LEVELS},
            per_10k=per_day * 365,
            calendar={"always_open": False, **calendar},
            drain=False,
        )
        res = ctx.run(sc)
        workdays = {WEEKDAYS.index(d) for d in calendar["workdays"]}
        n_workdays = sum(
            (START + dt.timedelta(days=d)).weekday() in workdays for d in range(horizon)
        )
        grid = res.offices[res.offices["level"] == "grid"].set_index("replication")
        handled = per_rep(grid["handled"], res) / n_workdays
        # completions must fall inside opening hours (a handling ends at a closing at the latest)
        closed = res.cases.dropna(subset=["closed_day"])
        t = closed["closed_day"].to_numpy()
        day = np.floor(t).astype(int)
        hour = (t - day) * HOURS_PER_DAY
        wd = (np.array(START.weekday()) + day) % 7
        eps = 1e-6
        inside = np.isin(wd, list(workdays)) & np.any(
            [(hour >= a - eps) & (hour <= b + eps) for a, b in spans], axis=0
        )
        outside = pd.Series(~inside).groupby(closed["replication"].to_numpy()).mean()
        check = "calendar"
        rows += [
            compare(check, f"{label}: handlings a workday", handled, capacity_per_day, 0.01),
            compare(check, f"{label}: utilisation", kpi_values(res, "utilization_grid"), 1.0, 0.01),
            compare(check, f"{label}: share of completions while closed",
                    per_rep(outside, res), 0.0, 0.0, 1e-12),
        ]  # fmt: skip
    return rows


# ---------------------------------------------------------------- patience

PATIENCE_FULL = [0.0, 0.3]
PATIENCE_QUICK = [0.0]
PATIENCE_DAYS = 0.25


def run_patience(ctx: Context) -> list[Row]:
    """The grid's only worker holds one warm-up case for the whole run, so every counted case
    waits longer than its patience (6 h): it must leave the grid queue after exactly 6 h and
    walk in at the village (a door and a trip), or give up with probability ``give_up``.

    The run does not drain (the blocked grid would never empty); cases of the last counted day
    are left out, so every case compared has had its 6 h and its village handling."""
    rows = []
    lam, village_staff, village_mean = 1.0, 20, 0.5
    for give_up in PATIENCE_QUICK if ctx.quick else PATIENCE_FULL:
        name = f"patience/give_up={give_up}"
        horizon = 30 if ctx.quick else 90
        handling = exponential([village_mean] * 5)
        handling["grid"] = {"dist": "fixed", "value": 1e6}  # longer than any run
        sc = analytic_scenario(
            name,
            seed=check_seed(ctx.seed, name),
            horizon_days=horizon,
            warmup_days=2,
            replications=10,
            staff=(1, village_staff, 1, 1, 1),
            handling=handling,
            per_10k=per_10k(lam, 10_000),
            patience={**NEVER, "minor": PATIENCE_DAYS},
            give_up=give_up,
            drain=False,
        )
        res = ctx.run(sc)
        cases = res.cases[res.cases["arrival_day"] < horizon - 1]
        reps = cases["replication"]
        escalated = (
            (cases["outcome"] == "resolved")
            & (cases["closed_level"] == "village")
            & (cases["doors"] == 1)
            & (cases["trips"] == 1)
            & (cases["levels"] == 2)
        )
        abandoned = (cases["outcome"] == "abandoned") & (cases["closed_level"] == "grid")
        village_wait = mmc_wait(lam * (1 - give_up), 1 / village_mean, village_staff)
        wait = PATIENCE_DAYS * HOURS_PER_DAY + (1 - give_up) * village_wait
        check = "patience"
        label = f"patience 6 h < any wait, give_up {give_up}"
        rows += [
            compare(check, f"{label}: self-escalated to village (1 door, 1 trip)",
                    per_rep(escalated.groupby(reps).mean(), res), 1 - give_up, 0.0, 1e-12),
            compare(check, f"{label}: abandoned at the grid",
                    per_rep(abandoned.groupby(reps).mean(), res), give_up, 0.0, 1e-12),
            compare(check, f"{label}: mean wait (h)",
                    per_rep(cases["wait_hours"].groupby(reps).mean(), res), wait, 0.001),
        ]  # fmt: skip
    return rows
