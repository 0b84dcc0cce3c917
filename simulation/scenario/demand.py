"""What a scenario's demand amounts to before any simulation: daily rate multipliers from the
weekly and monthly profiles, the first simulated weekday, and the expected number of cases."""

from __future__ import annotations

import datetime as dt

import numpy as np

from .schema import Scenario


def day_multipliers(scenario: Scenario) -> np.ndarray:
    """Rate multiplier of every simulated day from the weekly and monthly profiles."""
    n_days = scenario.warmup_days + scenario.horizon_days
    first = scenario.start_date - dt.timedelta(days=scenario.warmup_days)
    dates = np.datetime64(first, "D") + np.arange(n_days)
    weekday = (dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    month = dates.astype("datetime64[M]").astype(np.int64) % 12
    weekly = np.asarray(scenario.arrivals.weekly, dtype=float)
    monthly = np.asarray(scenario.arrivals.monthly, dtype=float)
    return weekly[weekday] / weekly.mean() * monthly[month] / monthly.mean()


def first_weekday(scenario: Scenario) -> int:
    """Weekday (Monday 0) of the first simulated day."""
    return (scenario.start_date - dt.timedelta(days=scenario.warmup_days)).weekday()


def expected_cases(scenario: Scenario, residents: int) -> float:
    """Expected arrivals over the counted period (baseline profile plus surges)."""
    per_day = residents * scenario.arrivals.per_10k_residents_per_year / 10_000 / 365
    counted = day_multipliers(scenario)[scenario.warmup_days :]
    total = per_day * float(counted.sum())
    for surge in scenario.arrivals.surges:
        days = max(0, min(surge.days, scenario.horizon_days - surge.first_day(scenario.start_date)))
        total += surge.per_day * days
    return total
