"""Scenarios for the tests, built one way.

Every builder returns a scenario's plain data (a dict: tests run it, load it, write it as YAML or
mutate it). ``scenario(base, **changes)`` merges ``changes`` into ``base`` exactly as a scenario
file merges into the file it ``extends`` (``simulation.scenario.compose.merge``: mappings merged
key by key, lists and share mappings replaced whole), so the tests have no merge rule of their
own. The stages start on Monday 2021-01-04 (``MONDAY``).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
from collections.abc import Mapping, Sequence

from simulation.contract import LEVELS, SEVERITIES
from simulation.scenario.compose import merge
from simulation.scenario.loader import load_scenario
from simulation.scenario.schema import Scenario

MONDAY = dt.date(2021, 1, 4)
NO_PATIENCE = {s: None for s in SEVERITIES}
FLAT = {"weekly": [1.0] * 7, "monthly": [1.0] * 12}
"""Arrival profiles without a weekly or a seasonal swing."""
NO_DELAYS = {"transfer_hours": 0, "intake_hours": 0, "patience_days": NO_PATIENCE}
"""Escalation with no transfer time, no intake and citizens who never run out of patience."""


def scenario(base: Mapping, **changes) -> dict:
    """``base`` with ``changes`` merged in as a child file merges into the file it extends."""
    return copy.deepcopy(merge(dict(base), changes))


def loaded(base: Mapping, **changes) -> Scenario:
    """``scenario(base, **changes)`` loaded and validated."""
    return load_scenario(scenario(base, **changes))


def generated(
    counties: int = 1, towns: int = 1, villages: int = 1, grids: int = 1, population: int = 1000
) -> dict:
    """A ``city`` section: an equal-split generated city of this shape (default one grid)."""
    return {
        "generate": {
            "counties": counties,
            "towns_per_county": towns,
            "villages_per_town": villages,
            "grids_per_village": grids,
            "population": population,
        }
    }


TINY = {
    "name": "tiny",
    "seed": 1,
    "start_date": MONDAY.isoformat(),
    "horizon_days": 30,
    "warmup_days": 0,
    "replications": 1,
    "calendar": {"always_open": True},
    "city": generated(),
    "offices": {lv: {"staff": 1} for lv in LEVELS},
    "arrivals": {"per_10k_residents_per_year": 0.0},
    "escalation": NO_DELAYS,
}
"""One county, town, village and grid of one staff each, always open, no arrivals, no delays
and no patience, 30 days from a Monday: a plain stage for hand-built cases."""


tiny = functools.partial(scenario, TINY)
"""``TINY`` with changes: ``tiny(horizon_days=10)``."""


ONE_GRID = {
    "name": "tiny",
    "seed": 7,
    "horizon_days": 60,
    "warmup_days": 5,
    "replications": 2,
    "city": generated(population=2000),
}
"""One grid of 2,000 residents under the default rules (rates, calendar, patience), 60 days and
two replications: a whole run of a few dozen cases."""


one_grid = functools.partial(scenario, ONE_GRID)
"""``ONE_GRID`` with changes: ``one_grid(horizon_days=10)``."""

TWO_GRIDS = one_grid(
    horizon_days=20,
    warmup_days=2,
    replications=1,
    arrivals={"per_10k_residents_per_year": 2000},
    city=generated(grids=2, population=4000),
)
"""Two grids of 2,000 residents, 20 days, one replication: a run of a few dozen cases that
takes a second, for tests of what a command writes."""


SMALL = {
    "name": "small",
    "horizon_days": 90,
    "warmup_days": 14,
    "replications": 6,
    "city": {"generate": {}},
}
"""The default generated city (2 counties, 120 grids, 200,000 residents): ~350 cases a
replication under the default rules."""


small = functools.partial(scenario, SMALL)
"""``SMALL`` with changes: ``small(horizon_days=10)``."""


def exponential_tree(
    *,
    shape: Sequence[int],
    staff: Sequence[int],
    mean_hours: Sequence[float],
    resolve: Sequence[float],
    grid_rate_per_hour: float,
    days: int,
    replications: int,
    seed: int,
    warmup_days: int = 20,
) -> dict:
    """The contract's Jackson-network conditions on a generated tree: always open, grid visits
    only, one severity, exponential handlings, no delays.

    ``shape`` is (counties, towns per county, villages per town, grids per village); every grid
    gets 10,000 residents and ``grid_rate_per_hour`` grid visits an hour.
    """
    counties, towns, villages, grids = shape
    return tiny(
        name="jackson",
        seed=seed,
        horizon_days=days,
        warmup_days=warmup_days,
        replications=replications,
        city=generated(*shape, population=10_000 * counties * towns * villages * grids),
        offices={lv: {"staff": s} for lv, s in zip(LEVELS, staff, strict=True)},
        case_types={
            "dispute": {
                "share": 1.0,
                "severity": {"minor": 1.0},
                "handling_hours": {
                    lv: {"dist": "exponential", "mean": m}
                    for lv, m in zip(LEVELS, mean_hours, strict=True)
                },
                "resolve": dict(zip(LEVELS, resolve, strict=True)),
            }
        },
        triage={"minor": "grid"},
        arrivals={
            # residents × rate / 10 000 / 365 / 24 = grid_rate_per_hour with 10 000 residents
            "per_10k_residents_per_year": grid_rate_per_hour * 24 * 365,
            "channels": {"grid_visit": 1.0},
            **FLAT,
        },
    )
