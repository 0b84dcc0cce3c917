"""Validation: the engine against answers known from queueing theory and from its own contract.

``govsim validate`` (and :func:`validate`) runs a suite of small scenarios whose results are
known in advance — Erlang C for single M/M/c offices, open Jackson networks on generated
five-level trees, Cobham's formula for non-preemptive priority by severity, Little's law inside
a run, arrival counts against the weekly/monthly profiles and surge volumes, throughput of an
overloaded office under a working calendar, and patience — and reports, per quantity, the
simulated mean over replications with its 95% interval, the theoretical value, the relative
error and whether the check passed.

A check passes when the theoretical value lies inside the *acceptance band*: the Student-t
interval over replications at ``BAND_CONFIDENCE`` (99.9%, wider than the reported 95% interval
so that a suite of ~140 quantities does not fail by chance), widened on both sides by a stated
bias tolerance ``max(floor, τ / T) × |theory|`` where τ is the slowest relaxation time of
the queues involved and T the counted horizon in hours (see ``METHOD`` and docs/validation.md).
"""

from __future__ import annotations

import datetime as dt
import math
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ..analysis.stats import mean_ci
from ..contract import LEVELS, SEVERITIES, WEEKDAYS
from ..engine.city import build_city
from ..experiments.runner import Results
from ..experiments.runner import run as run_scenario

__all__ = [
    "BAND_CONFIDENCE",
    "COLUMNS",
    "CHECKS",
    "Row",
    "ValidationReport",
    "compare",
    "erlang_c",
    "mmc_wait",
    "priority_waits",
    "relaxation_hours",
    "validate",
]

REPORT_CONFIDENCE = 0.95
BAND_CONFIDENCE = 0.999
DEFAULT_SEED = 1_000_003
HOURS_PER_DAY = 24.0
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


# ---------------------------------------------------------------- queueing theory


def erlang_c(c: int, a: float) -> float:
    """Probability of waiting in M/M/c with offered load ``a = λ/μ`` (< c): Erlang's C."""
    if not 0 <= a < c:
        raise ValueError(f"offered load {a} must be in [0, {c})")
    term, total = 1.0, 1.0  # a^k / k!, summed for k < c
    for k in range(1, c):
        term *= a / k
        total += term
    top = term * a / c * c / (c - a)  # a^c / c! · 1 / (1 − ρ)
    return top / (total + top)


def mmc_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue of M/M/c: C(c, a) / (cμ − λ)."""
    return erlang_c(c, lam / mu) / (c * mu - lam)


def relaxation_hours(lam: float, mu: float, c: int) -> float:
    """Relaxation time of an M/M/c queue, 1 / (cμ (1 − √ρ)²) (exact for c = 1)."""
    rho = lam / (c * mu)
    return 1.0 / (c * mu * (1.0 - math.sqrt(rho)) ** 2)


def priority_waits(lams: Sequence[float], mu: float, c: int) -> list[float]:
    """Mean waits by class (highest priority first) of a non-preemptive M/M/c priority queue
    with one service rate: Cobham, ``W_k = C(c, a)/(cμ) / ((1 − σ_{k−1})(1 − σ_k))``."""
    lam = sum(lams)
    w0 = erlang_c(c, lam / mu) / (c * mu)
    waits, sigma = [], 0.0
    for lam_k in lams:
        before = sigma
        sigma += lam_k / (c * mu)
        waits.append(w0 / ((1 - before) * (1 - sigma)))
    return waits


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


def _seed(seed: int, name: str) -> int:
    """A check's own seed: the suite seed mixed with the check's name (stable across runs)."""
    return (seed * 1_000_003 + zlib.crc32(name.encode())) % (2**32)


def _exponential(means: Sequence[float]) -> dict:
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
        "handling_hours": handling or _exponential([1.0] * 5),
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


def _per_10k(lam_per_hour: float, residents: float) -> float:
    """The base rate that gives ``lam_per_hour`` arrivals an hour to ``residents``."""
    return lam_per_hour * HOURS_PER_DAY * 365 * 10_000 / residents


def _warmup(tau_hours: float) -> int:
    return max(1, math.ceil(WARMUP_RELAXATIONS * tau_hours / HOURS_PER_DAY))


def _horizon(lam_total: float, tau_hours: float, relaxations: float, min_cases: float) -> int:
    """Counted days: at least ``relaxations`` relaxation times and ``min_cases`` cases."""
    hours = max(relaxations * tau_hours, min_cases / lam_total)
    return max(1, math.ceil(hours / HOURS_PER_DAY))


def _bias_tol(tau_hours: float, horizon_days: int, floor: float) -> float:
    """Relative bias allowance: edge effects of a finite window, τ/T, at least ``floor``."""
    return max(floor, tau_hours / (horizon_days * HOURS_PER_DAY))


# ---------------------------------------------------------------- suite machinery


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


def _per_rep(series: pd.Series, results: Results) -> np.ndarray:
    """Values by replication, in the run's replication order (missing → NaN)."""
    index = results.by_replication.index
    return series.reindex(index).to_numpy(dtype=float)


def _kpi(results: Results, name: str) -> np.ndarray:
    return results.by_replication[name].to_numpy(dtype=float)


# ---------------------------------------------------------------- Erlang C (M/M/c)

ERLANG_FULL = [(c, rho) for c in (1, 3, 10) for rho in (0.5, 0.7, 0.9)]
ERLANG_QUICK = [(1, 0.5), (3, 0.7), (10, 0.9)]


def _run_erlang(ctx: Context) -> list[Row]:
    rows = []
    mu = 1.0
    for c, rho in ERLANG_QUICK if ctx.quick else ERLANG_FULL:
        lam = rho * c * mu
        tau = relaxation_hours(lam, mu, c)
        horizon = _horizon(lam, tau, *((100, 15_000) if ctx.quick else (300, 30_000)))
        name = f"erlang_c/c={c},rho={rho}"
        sc = analytic_scenario(
            name,
            seed=_seed(ctx.seed, name),
            horizon_days=horizon,
            warmup_days=_warmup(tau),
            replications=10,
            staff=(c, 1, 1, 1, 1),
            per_10k=_per_10k(lam, 10_000),
        )
        res = ctx.run(sc)
        tol = _bias_tol(tau, horizon, 0.01)
        cases = res.cases
        waited = _per_rep((cases["wait_hours"] > 0).groupby(cases["replication"]).mean(), res)
        check = "erlang_c"
        label = f"M/M/{c} ρ={rho}"
        rows += [
            compare(check, f"{label}: mean wait (h)", _kpi(res, "wait_hours_grid"),
                    mmc_wait(lam, mu, c), 2 * tol),
            compare(check, f"{label}: P(wait > 0)", waited, erlang_c(c, lam / mu), tol),
            compare(check, f"{label}: utilisation", _kpi(res, "utilization_grid"), rho, tol),
        ]  # fmt: skip
    return rows


# ---------------------------------------------------------------- Jackson networks


@dataclass(frozen=True)
class Shape:
    name: str
    generate: tuple[int, int, int, int]  # counties, towns/county, villages/town, grids/village
    staff: tuple[int, int, int, int, int]
    rho: tuple[float, float, float, float, float]
    resolve: tuple[float, float, float, float, float]


JACKSON_SHAPES = [
    Shape("2x2x3x4", (2, 2, 3, 4), (1, 2, 3, 4, 6), (0.5, 0.6, 0.7, 0.7, 0.7),
          (0.5, 0.5, 0.5, 0.6, 0.8)),
    Shape("3x3x2x2", (3, 3, 2, 2), (2, 1, 2, 5, 3), (0.6, 0.5, 0.6, 0.6, 0.7),
          (0.7, 0.4, 0.6, 0.5, 0.9)),
    Shape("1x4x4x3", (1, 4, 4, 3), (1, 3, 1, 8, 2), (0.4, 0.7, 0.6, 0.75, 0.6),
          (0.3, 0.6, 0.7, 0.8, 0.5)),
]  # fmt: skip
GRID_RATE = 0.5
"""External arrivals an hour at each grid of a Jackson check."""


def jackson_theory(shape: Shape, scenario: dict) -> dict:
    """Per office (λ, μ, c) of the open Jackson network, from the city the engine builds."""
    from ..scenario.loader import load_scenario

    city = build_city(load_scenario(scenario))
    per_hour = scenario["arrivals"]["per_10k_residents_per_year"] / 10_000 / 365 / HOURS_PER_DAY
    lam = np.zeros(len(city.offices))
    lam[city.grids] = city.residents * per_hour
    for level in range(len(LEVELS) - 1):  # children before parents: flows go up level by level
        for office in city.offices:
            if office.level == level:
                lam[office.parent] += lam[office.index] * (1 - shape.resolve[level])
    means = [scenario["case_types"]["dispute"]["handling_hours"][lv]["mean"] for lv in LEVELS]
    return {"city": city, "lam": lam, "means": means}


def jackson_scenario(shape: Shape, seed: int, quick: bool) -> tuple[dict, float, int]:
    """The shape's scenario (handling means set so that each level runs at its ρ), its slowest
    relaxation time and its horizon."""
    counties, towns, villages, grids = shape.generate
    n_grids = counties * towns * villages * grids
    # arrival rate per office at each level (all offices of a level are alike)
    rates, per_office, children = [], GRID_RATE, 1
    for level in range(len(LEVELS)):
        rates.append(per_office)
        if level + 1 < len(LEVELS):
            children = shape.generate[::-1][level]  # grids a village, villages a town ...
            per_office = per_office * (1 - shape.resolve[level]) * children
    means = [r * c / lam for r, c, lam in zip(shape.rho, shape.staff, rates, strict=True)]
    tau = max(
        relaxation_hours(lam, 1 / m, c) for lam, m, c in zip(rates, means, shape.staff, strict=True)
    )
    horizon = _horizon(GRID_RATE * n_grids, tau, *((50, 20_000) if quick else (100, 50_000)))
    name = f"jackson/{shape.name}" + ("-quick" if quick else "")
    sc = analytic_scenario(
        name,
        seed=_seed(seed, name),
        horizon_days=horizon,
        warmup_days=_warmup(tau),
        replications=10,
        generate=shape.generate,
        population=1000 * n_grids,
        staff=shape.staff,
        handling=_exponential(means),
        resolve=shape.resolve,
        per_10k=_per_10k(GRID_RATE, 1000),
    )
    return sc, tau, horizon


def _run_jackson(ctx: Context) -> list[Row]:
    rows = []
    for shape in JACKSON_SHAPES[:1] if ctx.quick else JACKSON_SHAPES:
        sc, tau, horizon = jackson_scenario(shape, ctx.seed, ctx.quick)
        res = ctx.run(sc)
        theory = jackson_theory(shape, sc)
        city, lam, means = theory["city"], theory["lam"], theory["means"]
        tol = _bias_tol(tau, horizon, 0.01)
        check = f"jackson/{shape.name}"
        reach = 1.0
        for level, lv in enumerate(LEVELS):
            offices = [o for o in city.offices if o.level == level]
            lam_l = np.array([lam[o.index] for o in offices])
            staff = np.array([o.staff for o in offices], dtype=float)
            mu = 1 / means[level]
            waits = np.array([mmc_wait(x, mu, int(c)) for x, c in zip(lam_l, staff, strict=True)])
            util = float((lam_l / mu).sum() / staff.sum())
            rows += [
                compare(check, f"{lv}: arrivals/day", _kpi(res, f"arrivals_{lv}"),
                        lam_l.sum() * HOURS_PER_DAY, tol),
                compare(check, f"{lv}: utilisation", _kpi(res, f"utilization_{lv}"), util, tol),
                compare(check, f"{lv}: mean wait (h)", _kpi(res, f"wait_hours_{lv}"),
                        float((lam_l * waits).sum() / lam_l.sum()), 2 * tol),
                compare(check, f"resolved_at_{lv}", _kpi(res, f"resolved_at_{lv}"),
                        reach * shape.resolve[level], tol),
            ]  # fmt: skip
            reach *= 1 - shape.resolve[level]
        rows.append(compare(check, "litigation_rate", _kpi(res, "litigation_rate"), reach, tol))
    return rows


# ---------------------------------------------------------------- Little's law


def _run_little(ctx: Context) -> list[Row]:
    """Time-average number waiting at each level (end-of-day queue samples, always open) against
    λ̂·Ŵ of the same replication (queue entries a day / 24 × mean wait per handling started)."""
    rows = []
    for shape in JACKSON_SHAPES[:1] if ctx.quick else JACKSON_SHAPES[:2]:
        sc, tau, horizon = jackson_scenario(shape, ctx.seed, ctx.quick)
        res = ctx.run(sc)
        daily = res.daily[(res.daily["day"] >= 0) & (res.daily["day"] < horizon)]
        queue = daily.groupby(["replication", "level"])["queue"].mean()
        tol = _bias_tol(tau, horizon, 0.02)
        for lv in LEVELS:
            sampled = _per_rep(queue.xs(lv, level="level"), res)
            little = _kpi(res, f"arrivals_{lv}") / HOURS_PER_DAY * _kpi(res, f"wait_hours_{lv}")
            rows.append(
                compare(f"little/{shape.name}", f"{lv}: mean number waiting", sampled, 0.0,
                        tol, baseline=little)
            )  # fmt: skip
    return rows


# ---------------------------------------------------------------- priority (Cobham)

PRIORITY_QUICK = [(1, {"major": 0.2, "minor": 0.6})]
PRIORITY_FULL = PRIORITY_QUICK + [(3, {"critical": 0.3, "major": 0.75, "minor": 1.5})]


def _run_priority(ctx: Context) -> list[Row]:
    rows = []
    mu = 1.0
    for c, lams in PRIORITY_QUICK if ctx.quick else PRIORITY_FULL:
        order = [s for s in reversed(SEVERITIES) if s in lams]  # highest severity first
        lam = sum(lams.values())
        waits = priority_waits([lams[s] for s in order], mu, c)
        # the lowest class relaxes most slowly: its queue sees only the capacity left to it
        tau = relaxation_hours(lam, mu, c) / (1 - sum(lams[s] for s in order[:-1]) / (c * mu))
        horizon = _horizon(lam, tau, *((100, 30_000) if ctx.quick else (300, 100_000)))
        name = f"priority/M/M/{c}"
        sc = analytic_scenario(
            name,
            seed=_seed(ctx.seed, name),
            horizon_days=horizon,
            warmup_days=_warmup(tau),
            replications=10,
            staff=(c, 1, 1, 1, 1),
            per_10k=_per_10k(lam, 10_000),
            severity={s: v / lam for s, v in lams.items()},
        )
        res = ctx.run(sc)
        cases = res.cases
        tol = _bias_tol(tau, horizon, 0.02)
        sojourn = cases["wait_hours"] + cases["handling_hours"]
        label = f"M/M/{c} " + " + ".join(f"λ_{s}={lams[s]}" for s in order)
        for s, w in zip(order, waits, strict=True):
            mine = cases["severity"] == s
            by_rep = sojourn[mine].groupby(cases["replication"][mine]).mean()
            rows.append(
                compare("priority", f"{label}: mean sojourn, {s} (h)", _per_rep(by_rep, res),
                        w + 1 / mu, tol)
            )  # fmt: skip
    return rows


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


def _run_arrivals(ctx: Context) -> list[Row]:
    base_per_day = 120.0 if ctx.quick else 300.0
    horizon = 365
    handling = _exponential([0.01] * 5)
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
        seed=_seed(ctx.seed, name),
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
                    _per_rep(reps.value_counts(), res), surge["per_day"] * surge["days"], 0.01),
            compare("arrivals", f"surge {surge['name']}: share in its county and days",
                    _per_rep(inside.groupby(reps).mean(), res), 1.0, 0.0, 1e-12),
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


def _run_calendar(ctx: Context) -> list[Row]:
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
            seed=_seed(ctx.seed, name),
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
        handled = _per_rep(grid["handled"], res) / n_workdays
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
            compare(check, f"{label}: utilisation", _kpi(res, "utilization_grid"), 1.0, 0.01),
            compare(check, f"{label}: share of completions while closed",
                    _per_rep(outside, res), 0.0, 0.0, 1e-12),
        ]  # fmt: skip
    return rows


# ---------------------------------------------------------------- patience

PATIENCE_FULL = [0.0, 0.3]
PATIENCE_QUICK = [0.0]
PATIENCE_DAYS = 0.25


def _run_patience(ctx: Context) -> list[Row]:
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
        handling = _exponential([village_mean] * 5)
        handling["grid"] = {"dist": "fixed", "value": 1e6}  # longer than any run
        sc = analytic_scenario(
            name,
            seed=_seed(ctx.seed, name),
            horizon_days=horizon,
            warmup_days=2,
            replications=10,
            staff=(1, village_staff, 1, 1, 1),
            handling=handling,
            per_10k=_per_10k(lam, 10_000),
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
                    _per_rep(escalated.groupby(reps).mean(), res), 1 - give_up, 0.0, 1e-12),
            compare(check, f"{label}: abandoned at the grid",
                    _per_rep(abandoned.groupby(reps).mean(), res), give_up, 0.0, 1e-12),
            compare(check, f"{label}: mean wait (h)",
                    _per_rep(cases["wait_hours"].groupby(reps).mean(), res), wait, 0.001),
        ]  # fmt: skip
    return rows


# ---------------------------------------------------------------- the suite

CHECKS: tuple[Check, ...] = (
    Check(
        "erlang_c",
        "Erlang C: single M/M/c offices",
        "A city of one grid where only the grid handles (resolve at grid = 1), c staff, "
        "exponential handling of mean 1 h, Poisson arrivals at rate ρc an hour. Mean wait per "
        "handling started (`wait_hours_grid`) against C(c, a)/(cμ − λ); probability of waiting "
        "= share of cases with `wait_hours` > 0 against Erlang's C(c, a); utilisation against ρ.",
        True,
        _run_erlang,
    ),
    Check(
        "jackson",
        "Jackson networks on generated five-level trees",
        "Generated trees (counties × towns × villages × grids), `grid_visit` only, exponential "
        "handling whose mean at each level is set so that the level runs at a chosen ρ, "
        "resolution probabilities per level. Each office is an M/M/c queue fed by its grid "
        "arrivals plus the unresolved outflow of its children; per level the arrivals a day, "
        "the staff-weighted utilisation and the handling-weighted mean wait are compared with "
        "the office-by-office theory, and the `resolved_at_*` shares with the product of the "
        "failure probabilities below times the level's resolution probability.",
        True,
        _run_jackson,
    ),
    Check(
        "little",
        "Little's law inside a run",
        "On the Jackson runs: the time-average number waiting at each level, estimated by the "
        "mean of the end-of-day `queue` samples of `daily` over the counted days (an always-open "
        "calendar makes midnight an arbitrary instant, and queues relax within hours, so the "
        "samples are nearly independent), against λ̂·Ŵ of the same replication (queue entries a "
        "day ÷ 24 × mean wait per handling started). The comparison is paired by replication: "
        "the interval is that of the per-replication difference.",
        True,
        _run_little,
    ),
    Check(
        "priority",
        "Non-preemptive priority by severity (Cobham)",
        "A single office serving severities in priority order without pre-emption: M/M/1 with "
        "λ = 0.2 (major) + 0.6 (minor), μ = 1, whose mean sojourns are 2.0 h and 6.0 h, and "
        "M/M/3 with three classes (full suite), against Cobham's formula "
        "W_k = C(c,a)/(cμ) / ((1 − σ_{k−1})(1 − σ_k)) plus the mean handling.",
        True,
        _run_priority,
    ),
    Check(
        "arrivals",
        "Arrivals: weekly and monthly profiles, surges",
        "Two counties with the Jiaxing weekly and monthly profiles and two surges of their own "
        "case types. Baseline cases a day by weekday and by month against the base rate × "
        "weekly[w]/mean(weekly) × monthly[m]/mean(monthly), computed here from the calendar "
        "dates of 2021; surge volumes against per_day × days, and the share of surge cases that "
        "arrive in the surge's county and days.",
        True,
        _run_arrivals,
    ),
    Check(
        "calendar",
        "Working calendars: an overloaded office",
        "A single grid office receiving twice its capacity: it must complete staff × open hours "
        "a day ÷ mean handling per workday, be busy all its open hours, and finish handlings "
        "only while open (a handling interrupted by a closing resumes at the next opening).",
        True,
        _run_calendar,
    ),
    Check(
        "patience",
        "Patience: self-escalation",
        "The grid's only worker holds a warm-up case for the whole run, so every counted case "
        "waits longer than its 6 h patience: each must leave after exactly 6 h and walk in at "
        "the village (one door, one trip) and be resolved there, or give up with probability "
        "`give_up`. The run does not drain; cases of the last counted day are left out.",
        True,
        _run_patience,
    ),
)


@dataclass
class ValidationReport:
    """The compared quantities of one suite run."""

    table: pd.DataFrame
    quick: bool
    seed: int
    seconds: dict[str, float]

    @property
    def passed(self) -> bool:
        return bool(self.table["passed"].all())

    @property
    def failures(self) -> pd.DataFrame:
        return self.table[~self.table["passed"]]

    def to_text(self) -> str:
        return format_table(self.table)

    def markdown(self) -> str:
        return render_markdown(self)

    def save(self, directory: str | Path) -> Path:
        """Write ``validation.csv`` and ``validation.md`` into ``directory``."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        self.table.to_csv(out / "validation.csv", index=False, float_format="%.6g")
        (out / "validation.md").write_text(self.markdown(), encoding="utf-8")
        return out


def validate(
    quick: bool = False,
    seed: int = DEFAULT_SEED,
    workers: int = 1,
    checks: Sequence[str] | None = None,
    out: str | Path | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> ValidationReport:
    """Run the validation suite (the quick subset with ``quick``) and return its report.

    ``checks`` restricts the suite to the named checks; ``out`` writes ``validation.csv`` and
    ``validation.md`` there; ``progress`` is called with each check's name and seconds.
    """
    selected = [c for c in CHECKS if (checks is None or c.name in checks)]
    if checks is not None:
        unknown = set(checks) - {c.name for c in CHECKS}
        if unknown:
            raise ValueError(
                f"unknown check(s) {sorted(unknown)}; known: {[c.name for c in CHECKS]}"
            )
    if quick:
        selected = [c for c in selected if c.in_quick]
    ctx = Context(seed=seed, quick=quick, workers=workers)
    rows: list[Row] = []
    seconds: dict[str, float] = {}
    for check in selected:
        start = time.perf_counter()
        rows += check.run(ctx)
        seconds[check.name] = time.perf_counter() - start
        if progress is not None:
            progress(check.name, seconds[check.name])
    table = pd.DataFrame([r.__dict__ for r in rows], columns=list(COLUMNS))
    report = ValidationReport(table, quick, seed, seconds)
    if out is not None:
        report.save(out)
    return report


# ---------------------------------------------------------------- output


def _num(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.1f}"
    return f"{value:.4g}"


def format_table(table: pd.DataFrame) -> str:
    """Aligned text: check, metric, simulated [95% CI], theory, relative error, ✓/✗."""
    rows = [("check", "metric", "simulated", "95% CI", "theory", "rel.err", "")]
    for r in table.itertuples(index=False):
        rows.append(
            (
                r.check,
                r.metric,
                _num(r.simulated),
                f"[{_num(r.ci_low)}, {_num(r.ci_high)}]",
                _num(r.theory),
                f"{r.rel_error:+.2%}" if r.theory != 0 else f"{r.rel_error:+.2g}",
                "✓" if r.passed else "✗ FAIL",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [row[i].rjust(widths[i]) for i in range(2, 6)]
        lines.append("  ".join(cells) + "  " + row[6])
    return "\n".join(lines)


FULL_SUITE_SIZE = 141
"""Quantities compared by the full suite (a slow test keeps this in step)."""

METHOD = """\
## Method

Each check runs a small scenario whose answer is known, for 10 replications, and compares one
number per replication with the theory.

- **Reported interval** (`ci_low`, `ci_high`): the two-sided 95% Student-t interval of the mean
  over replications (as in `kpis.csv`).
- **Pass/fail**: the theory must lie inside the *acceptance band* (`band_low`, `band_high`):
  the {band:.1%} Student-t interval over the same replications, widened on each side by a bias
  tolerance `tol × |theory|` (plus 1e-12 for quantities that are exactly 0 or 1 in every
  replication). No check is loosened by hand: every tolerance follows one of the rules below.
- **Why {band:.1%} and not 95%** (replications): the full suite compares {n_full} quantities.
  At 95% a correct engine would fail about {expected95:.0f} of them by chance; at {band:.1%}
  the expected number of chance failures over the whole suite is {expected999:.2f} (Bonferroni).
  With 10 replications (9 degrees of freedom) the band is {widen:.2f}× the 95% half-width.
- **Bias tolerance** (horizon): a replication starts empty, and the counted window cuts off
  what is in progress at both ends. Every queueing check warms up for at least {warm}
  relaxation times τ = 1/(cμ(1 − √ρ)²) of its slowest queue (the start bias decays like
  e^(−t/τ) and is negligible after that), and the end effects are of order τ/T for a counted
  horizon of T hours. So `tol = max(floor, τ/T)`, doubled for mean waits (a ratio estimator
  over the handlings *started* in the window); `floor` is 1% for rates, shares, utilisations
  and counts, and 2% for priority sojourns and Little's law (two-stage estimators).
  Horizons: Erlang C at least 300 τ and 30,000 cases a replication (quick: 100 τ, 15,000),
  Jackson trees at least 100 τ and 50,000 cases (quick: 50 τ, 20,000), priority queues at
  least 300 τ and 100,000 cases (quick: 100 τ, 30,000). At these horizons τ/T ≤ 2%, and for
  most checks the floor applies.
- **Power**: the resulting 95% half-widths (table) are under 1% of the value for half the
  quantities and under 3% for three quarters, so an engine error of a few per cent in a rate,
  a utilisation, a count or a low-level wait fails. The weakest are the mean waits at the
  county and city offices of the Jackson trees (a few offices fed by thin flows) and of
  lightly loaded many-server queues: ±8–14%, so there only errors of ~20% or more are caught.
  `tests/test_validation.py` proves that checks fail by breaking the engine on purpose
  (severity priority ignored, handling times doubled, the lunch break dropped from the
  calendar, patience ignored) and watching the relevant checks fail.
- **Estimators**: mean wait = `wait_hours_L` (mean queue wait per handling started at that
  level in the counted window, from `offices.csv`); probability of waiting = share of counted
  cases with `wait_hours` > 0 (exactly 0 when served on arrival; in a city of one grid where
  only the grid handles, each case is one handling); utilisation = busy staff-hours over
  available staff-hours; arrivals = queue entries a day; `resolved_at_L` over all counted
  cases; sojourn = `wait_hours` + `handling_hours`. Queueing checks use `drain: true`, so every
  counted case closes and no share is censored; the calendar check (overloaded, it never
  drains) uses `drain: false`. Little's law: the time-average number waiting is estimated by
  the mean of the end-of-day `queue` samples in `daily.csv` over the counted days (always-open
  calendar, so midnight is an arbitrary instant; queues relax within hours, so the daily samples
  are nearly independent), paired by replication with λ̂·Ŵ (queue entries a day ÷ 24 ×
  `wait_hours_L`); its interval is that of the per-replication difference.
- **Seeds**: every check derives its own seed from the suite seed and its name, so a check's
  numbers do not depend on which other checks run; `--seed` reruns the suite on other streams.
"""


def render_markdown(report: ValidationReport) -> str:
    n_full = FULL_SUITE_SIZE
    t95 = stats.t.ppf(0.975, 9)
    t_band = stats.t.ppf(0.5 + BAND_CONFIDENCE / 2, 9)
    table = report.table
    lines = [
        "# Validation",
        "",
        "<!-- generated: do not edit by hand -->",
        "Generated by `govsim validate --out docs`"
        + (" --quick" if report.quick else "")
        + f" (seed {report.seed}); regenerate with that command. The quick subset "
        "(`govsim validate --quick`) runs in under a minute; `simulation.validate()` is the "
        "same in Python.",
        "",
        f"**Result: {int(table['passed'].sum())} of {len(table)} quantities pass"
        + (".**" if report.passed else f"; {int((~table['passed']).sum())} FAIL.**"),
        "",
        METHOD.format(
            band=BAND_CONFIDENCE,
            n_full=n_full,
            expected95=0.05 * n_full,
            expected999=(1 - BAND_CONFIDENCE) * n_full,
            widen=t_band / t95,
            warm=WARMUP_RELAXATIONS,
        ),
    ]
    by_family: dict[str, list] = {}
    for r in table.itertuples(index=False):
        by_family.setdefault(r.check.split("/")[0], []).append(r)
    for check in CHECKS:
        rows = by_family.get(check.name)
        if not rows:
            continue
        lines += [f"## {check.title}", "", check.description, ""]
        lines.append(
            "| check | quantity | simulated | 95% CI | theory | rel. error | band | pass |"
        )
        lines.append("|---|---|---:|---|---:|---:|---|:---:|")
        for r in rows:
            rel = f"{r.rel_error:+.2%}" if r.theory != 0 else f"{r.rel_error:+.2g}"
            lines.append(
                f"| {r.check} | {r.metric} | {_num(r.simulated)} | "
                f"[{_num(r.ci_low)}, {_num(r.ci_high)}] | {_num(r.theory)} | {rel} | "
                f"[{_num(r.band_low)}, {_num(r.band_high)}] | {'✓' if r.passed else '✗'} |"
            )
        lines.append("")
    return "\n".join(lines)
