"""Size limits: estimate a run's cases and memory from the scenario before running it.

A scenario that loads may still be far too large to run: a rate of 10⁶ per 10,000 residents, a
horizon of a thousand years. (A city too large to build, 10³⁰ grids, does not load at all: the
schema refuses it, ``names.MAX_OFFICES``.) ``check_limits`` estimates, from the scenario alone
and without building the city, how many cases one replication simulates and the peak memory of
the run, and raises ``LimitError`` (a ``ScenarioError``: the CLI prints it and exits with code 2)
when either is above its limit. ``experiments.runner.run`` calls it once, before anything runs.
The message gives the estimate and the option that raises the limit.

Memory constants, measured with ``ru_maxrss`` on this code (serial runs, Python 3.11, Linux):

===============================  ==============  ================  ===============
scenario                         simulated/rep   counted cases     peak RSS
===============================  ==============  ================  ===============
``scenarios/jiaxing.yaml``       ~41,500         38,531 (1 rep)    255 MB
``scenarios/jiaxing.yaml``       ~41,500         115,649 (3 reps)  302 MB
``jiaxing-all-requests.yaml``    ~980,000        905,271 (1 rep)   998 MB
``jiaxing-all-requests.yaml``    ~980,000        1,811,672 (2)     1,881 MB
===============================  ==============  ================  ===============

with 191 MB resident before the run (interpreter, NumPy, pandas, SciPy, SimPy). So one
replication in flight costs about (998 − 191) MB / 980,000 ≈ 860 bytes per simulated case
(``ENGINE_BYTES_PER_CASE``, rounded up to 900), and each further replication kept for the
results about (1,881 − 998) MB / 905,000 ≈ 975 bytes per counted case (``KEPT_BYTES_PER_CASE``,
rounded up to 1,000; the case table alone is ~130 bytes a case, the rest is pandas' working
copies when the replications' tables are joined and their KPIs computed). The estimate is
meant to be on the safe side by tens of percent, not exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ScenarioError
from .demand import day_multipliers, expected_cases
from .names import MAX_OFFICES, MAX_RESIDENTS, city_size
from .schema import Scenario

__all__ = [
    "BASE_BYTES",
    "DEFAULT_MAX_CASES",
    "DEFAULT_MAX_MEMORY_GB",
    "ENGINE_BYTES_PER_CASE",
    "KEPT_BYTES_PER_CASE",
    "MAX_OFFICES",
    "MAX_RESIDENTS",
    "Estimate",
    "LimitError",
    "check_limits",
    "estimate",
]

DEFAULT_MAX_CASES = 5_000_000
"""Simulated cases per replication (warm-up included) above which a run is refused."""
DEFAULT_MAX_MEMORY_GB = 8.0
"""Estimated peak memory (GB, 10⁹ bytes) above which a run is refused."""

BASE_BYTES = 200e6
"""Resident memory of a worker before it runs anything (measured 191 MB)."""
ENGINE_BYTES_PER_CASE = 900.0
"""Peak bytes per simulated case of the replication in flight (measured ~860, full volume)."""
KEPT_BYTES_PER_CASE = 1000.0
"""Bytes per counted case of each finished replication kept for the results (measured ~975)."""


class LimitError(ScenarioError):
    """A scenario too large to run (or to build) under the current limits."""

    def __init__(self, message: str, *, key: str = "") -> None:
        super().__init__(key, "a scenario within the size limits", message)
        self.text = message
        self.args = (message,)

    def message(self) -> str:
        return getattr(self, "text", None) or super().message()

    def __str__(self) -> str:
        return self.message()

    def __reduce__(self):
        return _rebuild_limit, (self.text, self.key)


def _rebuild_limit(text: str, key: str) -> LimitError:
    return LimitError(text, key=key)


@dataclass(frozen=True)
class Estimate:
    """What a scenario amounts to before it runs."""

    offices: int
    residents: int
    cases_per_replication: float
    """Expected simulated cases of one replication: warm-up and counted period, surges included."""
    counted_per_replication: float
    """Expected cases arriving after the warm-up (the ones kept in the results)."""
    replications: int
    parallel: int
    """Replications in flight at once (one per worker, at most the replications)."""
    peak_bytes: float

    @property
    def peak_gb(self) -> float:
        return self.peak_bytes / 1e9

    def describe(self) -> str:
        return (
            f"about {self.cases_per_replication:,.0f} cases per replication "
            f"({self.counted_per_replication:,.0f} counted), {self.replications} replication(s), "
            f"{self.parallel} at a time: estimated peak memory {self.peak_gb:,.1f} GB"
        )


def estimate(scenario: Scenario, workers: int | None = 1) -> Estimate:
    """Expected cases and peak memory of running ``scenario`` with ``workers`` processes.

    Cases: ``summary.expected_cases`` for the counted period (profiles and surges) plus the
    warm-up days at the same base rate. Memory (see the module docstring): serially, the
    replication in flight plus the finished ones kept (1.08 GB estimated for one full-volume
    replication, 1.0 GB measured; 1.98 GB for two, 1.9 GB measured); with several workers each
    worker process holds one replication in flight and the parent keeps all of them.
    """
    offices, residents = city_size(scenario.city)
    counted = expected_cases(scenario, residents)
    per_day = residents * scenario.arrivals.per_10k_residents_per_year / 10_000 / 365
    warmup = per_day * float(day_multipliers(scenario)[: scenario.warmup_days].sum())
    cases = counted + warmup
    replications = scenario.replications
    parallel = max(1, min(workers or 1, replications))
    if parallel == 1:  # one process: the replication in flight, then the ones kept before it
        peak = (
            BASE_BYTES
            + ENGINE_BYTES_PER_CASE * cases
            + KEPT_BYTES_PER_CASE * counted * (replications - 1)
        )
    else:  # the parent keeps every replication; each worker runs one at a time
        peak = (
            (1 + parallel) * BASE_BYTES
            + parallel * ENGINE_BYTES_PER_CASE * cases
            + KEPT_BYTES_PER_CASE * counted * replications
        )
    return Estimate(offices, residents, cases, counted, replications, parallel, peak)


def check_limits(
    scenario: Scenario,
    max_cases: float | None = None,
    max_memory_gb: float | None = None,
    workers: int | None = 1,
) -> Estimate:
    """The estimate, or ``LimitError`` when it is above ``max_cases`` simulated cases per
    replication (default ``DEFAULT_MAX_CASES``) or ``max_memory_gb`` estimated peak
    (default ``DEFAULT_MAX_MEMORY_GB``). Pass ``math.inf`` to lift a limit."""
    max_cases = DEFAULT_MAX_CASES if max_cases is None else max_cases
    max_memory_gb = DEFAULT_MAX_MEMORY_GB if max_memory_gb is None else max_memory_gb
    found = estimate(scenario, workers)
    cases = found.cases_per_replication
    if not np.isfinite(cases) or cases > max_cases:
        need = _round_up(cases)
        raise LimitError(
            f"scenario {scenario.name!r} is too large to run: {found.describe()}; the limit is "
            f"{max_cases:,.0f} cases per replication. If you mean it, raise the limit with "
            f"--max-cases {need} (Python: run(..., max_cases={need}))",
            key="arrivals",
        )
    if found.peak_gb > max_memory_gb:
        need = math.ceil(found.peak_gb)
        raise LimitError(
            f"scenario {scenario.name!r} needs too much memory: {found.describe()}; the limit "
            f"is {max_memory_gb:g} GB. Use fewer replications or workers, or raise the limit "
            f"with --max-memory {need} (Python: run(..., max_memory_gb={need}))",
            key="replications",
        )
    return found


def _round_up(value: float) -> int:
    """A generous round figure at or above ``value`` (two significant digits)."""
    if not np.isfinite(value) or value > 1e18:
        return 10**18
    digits = max(0, len(str(int(value))) - 2)
    return int(math.ceil(value / 10**digits) * 10**digits)
