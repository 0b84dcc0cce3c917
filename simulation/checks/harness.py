"""What every check family shares: the compared row and its acceptance band, small scenarios
with known answers, and one run per scenario for the whole suite.

A check passes when the theoretical value lies inside the *acceptance band*: the Student-t
interval over replications at ``BAND_CONFIDENCE`` (99.9%, wider than the reported 95% interval
so that a suite of ~140 quantities does not fail by chance), widened on both sides by a stated
bias tolerance ``max(floor, τ / T) × |theory|`` where τ is the slowest relaxation time of
the queues involved and T the counted horizon in hours (see ``markdown.METHOD``).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..analysis.stats import mean_ci
from ..contract import HOURS_PER_DAY, LEVELS, SEVERITIES
from ..experiments.runner import Results
from ..experiments.runner import run as run_scenario

REPORT_CONFIDENCE = 0.95
BAND_CONFIDENCE = 0.999
WARMUP_RELAXATIONS = 20
"""Warm-up lasts at least this many relaxation times of the slowest queue."""

COLUMNS: tuple[str, ...] = (
    "check",
    "metric",
    "simulated",
    "ci_low",
    "ci_high",
    "theory",
    "rel_error",
    "passed",
    "band_low",
    "band_high",
    "replications",
)
"""Columns of ``validation.csv``: the first eight are the documented ones, then the band."""


# ---------------------------------------------------------------- comparison


@dataclass(frozen=True)
class Row:
    """One compared quantity."""

    check: str
    metric: str
    simulated: float
    ci_low: float
    ci_high: float
    theory: float
    rel_error: float
    passed: bool
    band_low: float
    band_high: float
    replications: int


def _interval(values: np.ndarray, confidence: float) -> tuple[float, float, float]:
    """Mean and Student-t interval; a single value is its own interval."""
    mean, low, high, n = mean_ci(values, confidence)
    return (mean, mean, mean) if n == 1 else (mean, low, high)


def compare(
    check: str,
    metric: str,
    values: Iterable[float],
    theory: float,
    rel_tol: float,
    abs_tol: float = 0.0,
    baseline: Iterable[float] | None = None,
) -> Row:
    """Compare per-replication ``values`` with ``theory``.

    The reported interval is the 95% Student-t interval over replications; the check passes when
    ``theory`` lies in the ``BAND_CONFIDENCE`` interval widened by ``rel_tol·|theory| + abs_tol``.
    With ``baseline`` (one value per replication, e.g. λ̂·Ŵ of the same replication) the
    comparison is paired: ``theory`` is the baseline's mean and both intervals are those of the
    per-replication difference ``values − baseline``, shifted by ``theory``.
    """
    x = np.asarray(list(values), dtype=float)
    if baseline is not None:
        y = np.asarray(list(baseline), dtype=float)
        theory = float(np.nanmean(y))
        x, shift = x - y, theory
    else:
        shift = 0.0
    mean, lo, hi = _interval(x, REPORT_CONFIDENCE)
    _, band_lo, band_hi = _interval(x, BAND_CONFIDENCE)
    mean, lo, hi, band_lo, band_hi = (v + shift for v in (mean, lo, hi, band_lo, band_hi))
    tol = rel_tol * abs(theory) + abs_tol
    band_lo, band_hi = band_lo - tol, band_hi + tol
    passed = bool(band_lo <= theory <= band_hi) if not math.isnan(mean) else False
    rel_error = (mean - theory) / abs(theory) if theory != 0 else mean - theory
    n = int(np.sum(~np.isnan(x)))
    return Row(check, metric, mean, lo, hi, theory, rel_error, passed, band_lo, band_hi, n)


# ---------------------------------------------------------------- scenarios with known answers

NEVER = dict.fromkeys(SEVERITIES)
FLAT_WEEK = [1.0] * 7
FLAT_YEAR = [1.0] * 12


def check_seed(seed: int, name: str) -> int:
    """A check's own seed: the suite seed mixed with the check's name (stable across runs)."""
    return (seed * 1_000_003 + zlib.crc32(name.encode())) % (2**32)


def exponential(means: Sequence[float]) -> dict:
    return {lv: {"dist": "exponential", "mean": m} for lv, m in zip(LEVELS, means, strict=True)}


def analytic_scenario(
    name: str,
    *,
    seed: int,
    horizon_days: int,
    warmup_days: int,
    replications: int,
    generate: Sequence[int] = (1, 1, 1, 1),
    population: int = 10_000,
    staff: Sequence[int] = (1, 1, 1, 1, 1),
    handling: dict | None = None,
    resolve: Sequence[float] = (1.0, 1.0, 1.0, 1.0, 1.0),
    per_10k: float = 100.0,
    severity: dict | None = None,
    triage: dict | None = None,
    calendar: dict | None = None,
    drain: bool = True,
    patience: dict | None = None,
    give_up: float = 0.0,
    weekly: Sequence[float] = FLAT_WEEK,
    monthly: Sequence[float] = FLAT_YEAR,
    case_types: dict | None = None,
    surges: Sequence[dict] = (),
) -> dict:
    """A scenario inside the contract's analytic regime unless told otherwise: always open,
    ``grid_visit`` only, no transfer or intake time, no patience, flat profiles, one case type
    (exponential handling of mean 1 h at every level unless ``handling`` is given)."""
    counties, towns, villages, grids = generate
    case_type = {
        "share": 1.0,
        "severity": severity or {"minor": 1.0},
        "handling_hours": handling or exponential([1.0] * 5),
        "resolve": dict(zip(LEVELS, resolve, strict=True)),
    }
    return {
        "name": name,
        "seed": seed,
        "horizon_days": horizon_days,
        "warmup_days": warmup_days,
        "replications": replications,
        "drain": drain,
        "calendar": calendar or {"always_open": True},
        "city": {
            "name": "check",
            "generate": {
                "counties": counties,
                "towns_per_county": towns,
                "villages_per_town": villages,
                "grids_per_village": grids,
                "population": population,
            },
        },
        "offices": {lv: {"staff": s} for lv, s in zip(LEVELS, staff, strict=True)},
        "case_types": case_types or {"dispute": case_type},
        "arrivals": {
            "per_10k_residents_per_year": per_10k,
            "channels": {"grid_visit": 1.0},
            "weekly": list(weekly),
            "monthly": list(monthly),
            "surges": list(surges),
        },
        "triage": triage or dict.fromkeys(SEVERITIES, "grid"),
        "escalation": {
            "transfer_hours": 0,
            "intake_hours": 0,
            "patience_days": patience or NEVER,
            "give_up": give_up,
        },
        "targets": {},
    }


def per_10k(lam_per_hour: float, residents: float) -> float:
    """The base rate that gives ``lam_per_hour`` arrivals an hour to ``residents``."""
    return lam_per_hour * HOURS_PER_DAY * 365 * 10_000 / residents


def warmup_for(tau_hours: float) -> int:
    return max(1, math.ceil(WARMUP_RELAXATIONS * tau_hours / HOURS_PER_DAY))


def horizon_for(lam_total: float, tau_hours: float, relaxations: float, min_cases: float) -> int:
    """Counted days: at least ``relaxations`` relaxation times and ``min_cases`` cases."""
    hours = max(relaxations * tau_hours, min_cases / lam_total)
    return max(1, math.ceil(hours / HOURS_PER_DAY))


def bias_tol(tau_hours: float, horizon_days: int, floor: float) -> float:
    """Relative bias allowance: edge effects of a finite window, τ/T, at least ``floor``."""
    return max(floor, tau_hours / (horizon_days * HOURS_PER_DAY))


# ---------------------------------------------------------------- one run per scenario


@dataclass
class Context:
    seed: int
    quick: bool
    workers: int
    runs: dict[str, Results] = field(default_factory=dict)

    def run(self, scenario: dict) -> Results:
        """Run a scenario once per suite (checks may share a run, e.g. Little on Jackson)."""
        key = scenario["name"]
        if key not in self.runs:
            self.runs[key] = run_scenario(scenario, workers=self.workers)
        return self.runs[key]


@dataclass(frozen=True)
class Check:
    """A family of compared quantities with a known answer."""

    name: str
    title: str
    description: str
    in_quick: bool
    run: Callable[[Context], list[Row]]


def per_rep(series: pd.Series, results: Results) -> np.ndarray:
    """Values by replication, in the run's replication order (missing → NaN)."""
    index = results.by_replication.index
    return series.reindex(index).to_numpy(dtype=float)


def kpi_values(results: Results, name: str) -> np.ndarray:
    return results.by_replication[name].to_numpy(dtype=float)
