"""Least-cost staffing that meets every target with confidence (``govsim optimise``).

Decision variables are staff counts with bounds (``offices.town.staff=2..10``: every town office
without its own override; ``offices.overrides.<office>.staff=…``: one named office or county
office). The objective is the least ``staff_cost`` (or ``staff``), which is linear in the
variables: each variable's unit cost is the ``cost_per_staff_year`` summed over the offices it
sets (1 per office for ``staff``), read from a pilot run. A point is **feasible** when every
target — the city's ``targets`` and every county target (``county_targets``) — is met with a
one-sided confidence ``c`` (default 0.95): ``mean − t(c, n−1)·s/√n ≥ target`` where higher is
better, ``mean + t(c, n−1)·s/√n ≤ target`` where lower is better, over ``n`` replications.

The search (documented in docs/experiments.md):

1. **Lower bound by queueing**: a pilot run with every variable at its upper bound gives each
   office's offered load ``a`` (utilisation × staff) and arrival rate; a variable's lower bound
   is the least staff ``c > a`` at each office it sets (a stable queue), and, on an always-open
   calendar with a ``wait_hours_<level>`` target, the least ``c`` whose Erlang C (M/M/c) waits,
   averaged over the level's offices weighted by arrivals, meet that target.
2. **Greedy marginal allocation**: from the lower bound, while the point is infeasible, add one
   staff member to the variable that most reduces the total shortfall per yuan.
3. **Local search**: try one fewer staff member on each variable (most expensive first), and one
   fewer on one with one more on another when cheaper; accept any feasible cheaper point;
   repeat until none is.

Every point runs with the same seed and replication indices (common random numbers), so two
points differ by their staffing, not their luck. The answer is then **verified on fresh seeds**
(``seed + VERIFY_SEED_OFFSET``) with more replications; it is reported only if it passes there
too. Every evaluated point is stored under ``points/`` (atomically, keyed by its scenario) and
listed in ``search.csv``, so an interrupted search rerun reuses what it finished.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .. import store
from ..analysis.counties import county_replications
from ..analysis.theory import mmc_wait
from ..contract import LEVELS, LOWER_IS_BETTER, is_share
from ..i18n import DEFAULT_LANGUAGE, text
from ..scenario.loader import dump_yaml, load_scenario
from ..scenario.schema import Scenario
from ..scenario.targets import county_target
from .runner import Progress, Results, progress_scope, run, with_run_control
from .sweep import fingerprint

__all__ = ["Optimum", "Variable", "optimise", "parse_variable"]

VERIFY_SEED_OFFSET = 1_000_003
CITY = "city"


@dataclass(frozen=True)
class Variable:
    """A staff count to choose: ``key`` (dotted scenario path) within ``[low, high]``."""

    key: str
    low: int
    high: int

    @property
    def level(self) -> str | None:
        parts = self.key.split(".")
        return parts[1] if len(parts) == 3 and parts[1] in LEVELS else None

    @property
    def office(self) -> str | None:
        parts = self.key.split(".")
        if len(parts) >= 4 and parts[1] == "overrides" and parts[-1] == "staff":
            return ".".join(parts[2:-1])
        return None


def parse_variable(text: str) -> Variable:
    """``offices.town.staff=2..10`` → a ``Variable`` (a clear ``ValueError`` otherwise)."""
    key, sep, spec = text.partition("=")
    low, dots, high = spec.partition("..")
    try:
        lo, hi = int(low), int(high)
    except ValueError:
        lo = hi = 0
        dots = ""
    var = Variable(key.strip(), lo, hi)
    if not sep or not dots or not 1 <= lo <= hi or (var.level is None and var.office is None):
        raise ValueError(
            f"--vary expects offices.<level>.staff=LOW..HIGH or "
            f"offices.overrides.<office>.staff=LOW..HIGH with 1 <= LOW <= HIGH, got {text!r}"
        )
    return var


# ---------------------------------------------------------------- judging a point


def _targets(scenario: Scenario, counties: Sequence[str]) -> list[tuple[str, str, float]]:
    """``(where, kpi, target)``: the city's targets, then each county's."""
    out = [(CITY, k, float(v)) for k, v in scenario.targets.items()]
    for kpi in scenario.county_targets:
        for county in counties:
            t = county_target(scenario.county_targets, kpi, county)
            if t is not None:
                out.append((county, kpi, t))
    return out


def _per_rep(results: Results, wanted: Sequence[tuple[str, str, float]]) -> pd.DataFrame:
    """Long table ``where, kpi, replication, value`` of the targeted KPIs."""
    rows = []
    s = results.scenario
    for where in dict.fromkeys(w for w, _, _ in wanted):
        if where == CITY:
            table = results.by_replication
        else:
            table = county_replications(
                results.cases, results.offices, results.daily, s.horizon_days, where
            )
        for kpi in dict.fromkeys(k for w, k, _ in wanted if w == where):
            for r, v in table[kpi].items():
                rows.append((where, kpi, int(r), float(v)))
    return pd.DataFrame(rows, columns=["where", "kpi", "replication", "value"])


def judge(values: pd.DataFrame, targets, confidence: float) -> pd.DataFrame:
    """Per target: ``where, kpi, target, mean, bound, gap, met`` (``gap`` ≥ 0 when met; in
    the KPI's units for a share, relative to the target otherwise)."""
    rows = []
    for where, kpi, target in targets:
        v = values[(values["where"] == where) & (values["kpi"] == kpi)]["value"].to_numpy()
        v = v[~np.isnan(v)]
        n = v.size
        mean = float(v.mean()) if n else math.nan
        half = 0.0
        if n >= 2 and not np.all(v == v[0]):
            half = float(stats.t.ppf(confidence, n - 1) * v.std(ddof=1) / math.sqrt(n))
        lower = kpi in LOWER_IS_BETTER
        bound = mean + half if lower else mean - half
        gap = (target - bound) if lower else (bound - target)
        if not is_share(kpi):
            gap = gap / max(abs(target), 1e-9)
        met = n >= 2 and not math.isnan(gap) and gap >= 0
        rows.append((where, kpi, target, mean, bound, gap if not math.isnan(gap) else -1.0, met))
    return pd.DataFrame(rows, columns=["where", "kpi", "target", "mean", "bound", "gap", "met"])


# ---------------------------------------------------------------- the search


@dataclass
class Point:
    staffing: tuple[int, ...]
    cost: float
    verdict: pd.DataFrame

    @property
    def feasible(self) -> bool:
        return bool(self.verdict["met"].all())

    @property
    def shortfall(self) -> float:
        return float((-self.verdict["gap"].clip(upper=0)).sum())

    def misses(self) -> str:
        bad = self.verdict[~self.verdict["met"]]
        return "; ".join(
            f"{w} {k} {m:.4g} (bound {b:.4g} vs target {t:g})"
            for w, k, m, b, t in zip(
                bad["where"], bad["kpi"], bad["mean"], bad["bound"], bad["target"], strict=True
            )
        )


@dataclass
class Optimum:
    """How a search ended: the verified answer (or ``None``) and everything evaluated."""

    variables: list[Variable]
    objective: str
    best: Point | None
    verified: Point | None
    """The answer judged on fresh seeds with more replications."""
    search: pd.DataFrame
    """``search.csv``: every evaluated point, its cost, verdict and targeted KPI means."""
    cheaper_failed: list[Point] = field(default_factory=list)
    baseline: dict[str, int] = field(default_factory=dict)
    closest: Point | None = None
    scenario: Scenario | None = None
    """The scenario searched (``optimum.yaml`` is written from it when no file is given)."""
    """Without an answer: the evaluated point with the least shortfall (what it still misses)."""

    @property
    def passed(self) -> bool:
        return self.best is not None and self.verified is not None and self.verified.feasible

    def staffing(self) -> dict[str, int]:
        assert self.best is not None
        return dict(zip((v.key for v in self.variables), self.best.staffing, strict=True))

    def summary(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """What the search found, in ``lang`` (messages ``optimise.*`` of ``i18n.py``)."""
        keys = [v.key for v in self.variables]

        def at(point: Point) -> str:
            return ", ".join(f"{k}={c}" for k, c in zip(keys, point.staffing, strict=True))

        lines = []
        if self.best is None:
            lines.append(text("optimise.none", lang))
            if self.closest is not None:
                lines.append(text("optimise.closest", lang, at=at(self.closest),
                                  misses=self.closest.misses()))  # fmt: skip
        else:
            verdict = text("optimise.passed" if self.passed else "optimise.failed", lang)
            lines.append(text("optimise.answer", lang, objective=self.objective,
                              cost=f"{self.best.cost:,.0f}", verdict=verdict))  # fmt: skip
            for key, value in self.staffing().items():
                was = self.baseline.get(key)
                lines.append(f"  {key} = {value}" + (
                    text("optimise.was", lang, was=was) if was is not None else ""))  # fmt: skip
            if self.verified is not None:
                tight = self.verified.verdict.sort_values("gap", kind="stable").head(3)
                for _, t in tight.iterrows():
                    lines.append(text(
                        "optimise.tightest", lang, where=t["where"], kpi=t["kpi"],
                        mean=f"{t['mean']:.4g}", bound=f"{t['bound']:.4g}",
                        target=f"{t['target']:g}", gap=f"{t['gap']:.3g}",
                    ))  # fmt: skip
                binding = self.binding()
                if binding is not None:
                    lines.append(text("optimise.binding", lang, where=binding["where"],
                                      kpi=binding["kpi"]))  # fmt: skip
                if not self.passed:
                    lines.append(text("optimise.fresh_fails", lang, misses=self.verified.misses()))
        for p in self.cheaper_failed:
            lines.append(text("optimise.cheaper", lang, at=at(p), objective=self.objective,
                              cost=f"{p.cost:,.0f}", misses=p.misses()))  # fmt: skip
        return "\n".join(lines)

    def save(self, out: str | os.PathLike, source: str | os.PathLike | None) -> Path:
        """Write ``search.csv`` and, when verified, ``optimum.yaml``: ``extends: source`` with
        the staff counts found, or without a source file the whole resolved scenario. The
        frontier figure is an output's job: ``simulation.outputs.frontier.save_frontier``."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        store.write_text(out / "search.csv", self.search.to_csv(index=False))
        if self.passed and source is None and self.scenario is not None:
            store.write_text(
                out / "optimum.yaml", dump_yaml(self.scenario.replace(**self.staffing()))
            )
        elif self.passed and source is not None:
            changes: dict[str, Any] = {}
            for key, value in self.staffing().items():
                node = changes
                *path, last = key.split(".")
                for part in path:
                    node = node.setdefault(part, {})
                node[last] = value
            parent = os.path.relpath(Path(source).resolve(), out.resolve())
            text = f"extends: {json.dumps(Path(parent).as_posix())}\n" + dump_yaml_plain(changes)
            store.write_text(out / "optimum.yaml", text)
        return out

    def binding(self) -> pd.Series | None:
        """The target that stops further savings: among the targets the cheaper failed
        candidates missed, the answer's tightest; without those, its tightest target among those
        that vary between the evaluated points (one met exactly by every point, such as a rate
        of 0, binds nothing)."""
        if self.verified is None or self.search.empty:
            return None
        verdict = self.verified.verdict.sort_values("gap", kind="stable")
        missed = {
            (w, k)
            for p in self.cheaper_failed
            for w, k, met in zip(p.verdict["where"], p.verdict["kpi"], p.verdict["met"],
                                 strict=True)
            if not met
        }  # fmt: skip
        stops = verdict[[(w, k) in missed for w, k in zip(verdict["where"], verdict["kpi"],
                                                          strict=True)]]  # fmt: skip
        for _, t in (stops if len(stops) else verdict).iterrows():
            column = f"{t['where']}:{t['kpi']}"
            if column in self.search and self.search[column].nunique(dropna=True) > 1:
                return t
        return None


def dump_yaml_plain(data: Mapping) -> str:
    import yaml

    return yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True)


class _Search:
    def __init__(self, scenario, variables, objective, confidence, points_dir, run_kwargs, step):
        self.scenario, self.variables = scenario, variables
        self.objective, self.confidence = objective, confidence
        self.points_dir, self.run_kwargs, self.step = points_dir, run_kwargs, step
        self.seen: dict[tuple[int, ...], Point] = {}
        self.rows: list[dict[str, Any]] = []
        self.counties: list[str] = []
        self.unit: list[float] = []
        self.fixed = 0.0

    def scenario_at(self, x: Sequence[int], seed: int | None = None, reps: int | None = None):
        changes = {v.key: int(c) for v, c in zip(self.variables, x, strict=True)}
        s = self.scenario.replace(**changes)
        return with_run_control(s, reps, seed)

    def pilot(self) -> tuple[int, ...]:
        """Run at the upper bounds; unit costs and the queueing lower bound."""
        high = tuple(v.high for v in self.variables)
        results = run(self.scenario_at(high), **self.run_kwargs)
        off = results.offices[results.offices["level"].isin(LEVELS)]
        first = off[off["replication"] == off["replication"].min()]
        self.counties = sorted(str(c) for c in first["county"].unique() if str(c))
        lows = []
        for v in self.variables:
            mine = self._offices(first, v)
            each = mine["cost_per_staff_year"] if self.objective == "staff_cost" else 1.0
            self.unit.append(float(np.sum(np.ones(len(mine)) * each)))
            lows.append(self._lower_bound(off, v, results.scenario))
        total = results.kpi(self.objective)
        self.fixed = total - sum(u * v.high for u, v in zip(self.unit, self.variables, strict=True))
        return tuple(max(v.low, min(v.high, b)) for v, b in zip(self.variables, lows, strict=True))

    def _offices(self, offices: pd.DataFrame, v: Variable) -> pd.DataFrame:
        if v.office is not None:
            return offices[offices["office"] == v.office]
        overridden = {
            n for n, o in self.scenario.offices.overrides.items() if o.staff is not None
        } | {x.office for x in self.variables if x.office is not None}
        return offices[(offices["level"] == v.level) & ~offices["office"].isin(overridden)]

    def _lower_bound(self, offices: pd.DataFrame, v: Variable, s: Scenario) -> int:
        mine = self._offices(offices, v)
        if mine.empty:
            return v.low
        load = (mine["utilization"] * mine["staff"]).groupby(mine["office"]).mean().fillna(0.0)
        bound = int(math.floor(load.max())) + 1  # a stable queue at every office it sets
        target = s.targets.get(f"wait_hours_{v.level}") if v.level else None
        if target is None or not s.calendar.always_open:
            return bound
        hours = s.horizon_days * 24.0
        lam = (mine.groupby("office")["arrivals"].mean() / hours).reindex(load.index)
        mu = lam / load.where(load > 0)
        for c in range(bound, v.high + 1):
            waits = [mmc_wait(a, m, c) for a, m in zip(lam, mu, strict=True) if m > 0]
            weights = [a for a, m in zip(lam, mu, strict=True) if m > 0]
            if not waits or np.average(waits, weights=weights) <= target:
                return c
        return v.high

    def cost(self, x: Sequence[int]) -> float:
        return self.fixed + sum(u * c for u, c in zip(self.unit, x, strict=True))

    def evaluate(self, x: Sequence[int]) -> Point:
        x = tuple(int(c) for c in x)
        if x in self.seen:
            return self.seen[x]
        s = self.scenario_at(x)
        targets = _targets(s, self.counties)
        key = fingerprint(s)
        folder = self.points_dir / key
        if (folder / "values.parquet").exists():
            values = pd.read_parquet(folder / "values.parquet")
            reused = True
        else:
            values = _per_rep(run(s, **self.run_kwargs), targets)
            with store.staged_folder(folder, replace=False) as staging:
                values.to_parquet(staging / "values.parquet", index=False)
            reused = False
        point = Point(x, self.cost(x), judge(values, targets, self.confidence))
        self.seen[x] = point
        row: dict[str, Any] = {v.key: c for v, c in zip(self.variables, x, strict=True)}
        row[self.objective] = point.cost
        row["feasible"] = point.feasible
        row["misses"] = point.misses()
        row["reused"] = reused
        for r in point.verdict.itertuples():
            row[f"{r.where}:{r.kpi}"] = r.mean
        self.rows.append(row)
        if self.step is not None:
            self.step(1)
        return point

    def greedy(self, x: tuple[int, ...]) -> Point | None:
        point = self.evaluate(x)
        while not point.feasible:
            moves = []
            for i, v in enumerate(self.variables):
                if point.staffing[i] < v.high:
                    y = list(point.staffing)
                    y[i] += 1
                    p = self.evaluate(y)
                    gain = point.shortfall - p.shortfall
                    moves.append((p.feasible, gain / max(self.unit[i], 1e-9), -p.cost, p))
            if not moves:
                return None
            point = max(moves, key=lambda m: m[:3])[3]
        return point

    def local(self, best: Point) -> Point:
        improved = True
        order = sorted(range(len(self.variables)), key=lambda i: -self.unit[i])
        while improved:
            improved = False
            candidates = []
            for i in order:
                if best.staffing[i] > self.variables[i].low:
                    y = list(best.staffing)
                    y[i] -= 1
                    candidates.append(tuple(y))
                    for j in order:
                        if j != i and best.staffing[j] < self.variables[j].high:
                            z = list(y)
                            z[j] += 1
                            if self.cost(z) < best.cost:
                                candidates.append(tuple(z))
            for y in sorted(candidates, key=self.cost):
                p = self.evaluate(y)
                if p.feasible and p.cost < best.cost:
                    best, improved = p, True
                    break
        return best


def optimise(
    scenario: Scenario | str | os.PathLike | dict,
    vary: Sequence[Variable | str],
    *,
    out: str | os.PathLike,
    objective: str = "staff_cost",
    confidence: float = 0.95,
    replications: int | None = None,
    verify_replications: int | None = None,
    seed: int | None = None,
    workers: int | None = 1,
    executor: str | None = None,
    scheduler: str | None = None,
    progress: Progress = None,
) -> Optimum:
    """Least ``objective`` (``staff_cost`` or ``staff``) over the staff counts ``vary`` such
    that every target (city and county) is met with one-sided ``confidence``; the method is in
    the module docstring. Evaluated points are stored under ``out/points`` (a rerun reuses
    them); ``search.csv`` and, when verification passes, ``optimum.yaml`` are written to ``out``.
    """
    if objective not in ("staff_cost", "staff"):
        raise ValueError(f"objective must be staff_cost or staff, got {objective!r}")
    if not 0.5 <= confidence < 1:
        raise ValueError(f"confidence must be in [0.5, 1), got {confidence!r}")
    variables = [parse_variable(v) if isinstance(v, str) else v for v in vary]
    if not variables:
        raise ValueError("optimise needs at least one --vary offices.<level>.staff=LOW..HIGH")
    source = None if isinstance(scenario, Scenario | dict) else scenario
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    base = with_run_control(base, replications, seed)
    if not base.targets and not base.county_targets:
        raise ValueError("the scenario has no targets: nothing to meet")
    baseline: dict[str, int] = {}
    for v in variables:
        node: Any = base.to_dict()
        for part in v.key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            node = base.offices.model_dump()[v.level]["staff"] if v.level else None
        if node is not None:
            baseline[v.key] = int(node)
    base.replace(**{v.key: v.low for v in variables})  # a bad key or office fails here (exit 2)
    out = Path(out)
    points_dir = out / "points"
    points_dir.mkdir(parents=True, exist_ok=True)
    run_kwargs = {"workers": workers, "executor": executor, "scheduler": scheduler}
    with progress_scope(progress, None, "optimise", unit="point") as (step, _):
        search = _Search(base, variables, objective, confidence, points_dir, run_kwargs, step)
        start = search.pilot()
        best = search.greedy(start)
        verified = None
        cheaper: list[Point] = []
        if best is not None:
            best = search.local(best)
            reps = verify_replications or 2 * base.replications
            fresh = search.scenario_at(best.staffing, base.seed + VERIFY_SEED_OFFSET, reps)
            targets = _targets(fresh, search.counties)
            values = _per_rep(run(fresh, **run_kwargs), targets)
            verified = Point(best.staffing, best.cost, judge(values, targets, confidence))
            failed = [p for p in search.seen.values() if not p.feasible and p.cost < best.cost]
            cheaper = sorted(failed, key=lambda p: -p.cost)[:3]
    table = pd.DataFrame(search.rows)
    result = Optimum(variables, objective, best, verified, table, cheaper, baseline, scenario=base)
    if best is None and search.seen:
        result.closest = min(search.seen.values(), key=lambda p: (p.shortfall, p.cost))
    result.save(out, source)
    return result
