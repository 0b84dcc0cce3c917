"""Shared helpers for the engine tests: hand-built cases and one-replication runs.

Scenarios come from ``builders.py``. Times of hand-built cases are hours since midnight of the
first simulated day. The builders' stages start on Monday 2021-01-04 with no warm-up, so
``at("sat", 22)`` is Saturday 22:00 of the first week and day numbers in outputs are days since
that Monday.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from hypothesis import settings

from simulation.contract import CHANNELS, LEVELS, SEVERITIES, WEEKDAYS
from simulation.engine.arrivals import Cases
from simulation.engine.city import City, build_city
from simulation.engine.model import Model
from simulation.engine.record import RawReplication, case_table, daily_table, office_table
from simulation.scenario.loader import load_scenario
from simulation.scenario.schema import Scenario

# CI must give the same verdict on the same commit: there, property tests draw a fixed sequence
# of examples. Locally they explore new examples each run.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

RESOLVE = 0.0
"""A resolution draw that resolves at any level with a resolve probability above 0."""
FAIL = 0.99
"""A resolution (or online, misroute, give-up) draw above every probability the tests use."""


def at(weekday: str, hour: float, week: int = 0) -> float:
    """Simulation time of ``hour`` o'clock on ``weekday`` of week ``week`` (runs start Monday)."""
    return (WEEKDAYS.index(weekday) + 7 * week) * 24.0 + hour


@dataclass
class Case:
    """One hand-built case. Levels are names; per-level values map level name → value."""

    time: float = 0.0
    channel: str = "walk_in"
    severity: str = "general"
    walk_in: str = "village"
    type: int = 0
    grid: int = 0
    handling: Mapping[str, float] | float = 1.0
    resolve: Mapping[str, float] | float = RESOLVE
    online: Mapping[str, float] | float = FAIL
    misroute: float = FAIL
    give_up: Mapping[str, float] | float = FAIL
    evaluation: float = 1.0  # the follow-up draw: dissatisfied when below the chance


def _per_level(value: Mapping[str, float] | float, default: float) -> list[float]:
    if isinstance(value, Mapping):
        unknown = set(value) - set(LEVELS)
        assert not unknown, unknown
        return [float(value.get(lv, default)) for lv in LEVELS]
    return [float(value)] * len(LEVELS)


def make_cases(*cases: Case) -> Cases:
    """A ``Cases`` block from hand-built cases (sorted by time, as the engine expects).

    A per-level mapping names only the levels that matter: missing handling hours are 1.0,
    missing resolution draws fail (``FAIL``), missing online draws are ``FAIL`` (in person).
    """
    ordered = sorted(cases, key=lambda c: c.time)
    return Cases(
        time=np.asarray([c.time for c in ordered], dtype=float),
        grid=np.asarray([c.grid for c in ordered], dtype=np.int64),
        type=np.asarray([c.type for c in ordered], dtype=np.int64),
        severity=np.asarray([SEVERITIES.index(c.severity) for c in ordered], dtype=np.int64),
        channel=np.asarray([CHANNELS.index(c.channel) for c in ordered], dtype=np.int64),
        walk_in_level=np.asarray([LEVELS.index(c.walk_in) for c in ordered], dtype=np.int64),
        handling=np.asarray([_per_level(c.handling, 1.0) for c in ordered]).reshape(-1, 5),
        resolve_u=np.asarray([_per_level(c.resolve, FAIL) for c in ordered]).reshape(-1, 5),
        online_u=np.asarray([_per_level(c.online, FAIL) for c in ordered]).reshape(-1, 5),
        misroute_u=np.asarray([c.misroute for c in ordered], dtype=float),
        give_up_u=np.asarray([_per_level(c.give_up, FAIL) for c in ordered]).reshape(-1, 5),
        evaluation_u=np.asarray([c.evaluation for c in ordered], dtype=float),
    )


@dataclass
class Run:
    """One replication of hand-built cases, with the contract's tables."""

    scenario: Scenario
    city: City
    raw: RawReplication
    cases: pd.DataFrame
    offices: pd.DataFrame
    daily: pd.DataFrame

    def row(self, k: int = 0) -> pd.Series:
        """The ``k``-th case in arrival order (case_id k)."""
        match = self.cases[self.cases["case_id"] == k]
        assert len(match) == 1, f"case {k} is not counted"
        return match.iloc[0]


def run_cases(scenario: Mapping | Scenario, *cases: Case, replication: int = 0) -> Run:
    """Run hand-built ``cases`` through one replication of ``scenario``."""
    sc = load_scenario(scenario)
    city = build_city(sc)
    raw = Model(sc, city, replication, cases=make_cases(*cases)).run()
    return Run(
        sc,
        city,
        raw,
        case_table(raw, sc, city),
        office_table(raw, city, sc),
        daily_table(raw),
    )


def hours_of_day(days: pd.Series | np.ndarray) -> np.ndarray:
    """Clock hour (0–24) of day numbers (days since a midnight)."""
    values = np.asarray(days, dtype=float)
    return (values - np.floor(values)) * 24.0
