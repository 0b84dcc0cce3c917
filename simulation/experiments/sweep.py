"""Parameter sweeps: the full grid of scenario variants, each replicated, resumable.

Every point of the grid is the base scenario with some keys replaced (the same dotted keys as
``--set``), run with the base's seed and replication indices, so all points share common random
numbers and their differences are not swamped by sampling noise.

With an output folder a sweep is resumable: each finished point is written atomically to
``points/<fingerprint>/`` (a staging folder renamed into place), where the fingerprint hashes the
point's fully resolved scenario (seed and replications included). Running the same sweep again
reuses every stored point and runs only the rest; a sweep killed half-way loses only the points
that were in flight. ``sweep.csv`` is always assembled from the stored points, so a resumed
sweep writes the same bytes as an uninterrupted one.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .. import store
from ..analysis import kpis as kpi_functions
from ..errors import ScenarioError
from ..scenario.loader import dump_yaml, load_scenario
from ..scenario.schema import Scenario
from . import folders
from .executors import Executor
from .runner import (
    Progress,
    check_runnable,
    executor_scope,
    progress_scope,
    replication_kpi_row,
    with_run_control,
)

__all__ = ["Sweep", "SweepPoint", "parse_vary", "point_grid", "sweep"]

POINTS_DIR = "points"
PER_REP_FILE = "replications.parquet"
POINT_FILE = "point.json"


# ---------------------------------------------------------------- the grid


def _split_top(text: str) -> list[str]:
    """Split on commas outside brackets (so ``[mon,tue],[sat]`` is two values)."""
    parts, depth, current = [], 0, []
    for char in text:
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _range(start: Decimal, stop: Decimal, step: Decimal) -> list[int | float]:
    if step == 0 or (stop - start) * step < 0:
        raise ValueError(f"empty range {start}:{stop}:{step}")
    count = int((stop - start) / step) + 1  # STOP included when the grid lands on it
    values = [start + i * step for i in range(count)]
    integral = all(v == v.to_integral_value() for v in (start, step))
    return [int(v) if integral else float(v) for v in values]


def parse_vary(text: str) -> tuple[str, list[Any]]:
    """``KEY=V1,V2,...`` or ``KEY=START:STOP:STEP`` → ``(key, values)``.

    Values are read as YAML (``12``, ``0.5``, ``true``, ``[mon, tue]``). A range includes STOP
    when it falls on the grid (``10:20:5`` → 10, 15, 20) and is computed in decimal, so
    ``0.1:0.3:0.1`` gives 0.1, 0.2, 0.3 exactly as written.
    """
    key, sep, spec = text.partition("=")
    key = key.strip()
    if not sep or not key or not spec.strip():
        raise ValueError(f"--vary expects KEY=V1,V2,... or KEY=START:STOP:STEP, got {text!r}")
    parts = spec.split(":")
    if len(parts) == 3 and "," not in spec:
        numbers = [_number(p) for p in parts]
        if all(n is not None for n in numbers):
            return key, _range(*numbers)
    values = [yaml.safe_load(v) for v in _split_top(spec) if v.strip()]
    if not values:
        raise ValueError(f"--vary {key}: no values in {spec!r}")
    return key, values


def point_grid(axes: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the axes' values, the first key varying slowest."""
    keys = list(axes)
    for key in keys:
        if len(axes[key]) == 0:
            raise ValueError(f"sweep axis {key!r} has no values")
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*axes.values())]


def fingerprint(scenario: Scenario) -> str:
    """A short hash of a fully resolved scenario (what decides a point's results)."""
    text = json.dumps(scenario.to_dict(), sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# ---------------------------------------------------------------- storage


@dataclass
class SweepPoint:
    """One point of the grid and its replications' KPIs."""

    index: int
    values: dict[str, Any]
    scenario: Scenario
    key: str
    by_replication: pd.DataFrame | None = None
    reused: bool = False


def _store(points_dir: Path, point: SweepPoint) -> None:
    """Write a finished point atomically; one stored meanwhile by another run of the same
    sweep is kept (the same scenario gives the same values)."""
    with store.staged_folder(points_dir / point.key, replace=False) as staging:
        point.by_replication.to_parquet(staging / PER_REP_FILE)
        meta = {"key": point.key, "values": point.values, "index": point.index}
        (staging / POINT_FILE).write_text(json.dumps(meta, default=str), encoding="utf-8")
        (staging / "scenario.yaml").write_text(dump_yaml(point.scenario), encoding="utf-8")


def _load(points_dir: Path, key: str) -> pd.DataFrame | None:
    folder = points_dir / key
    if not (folder / POINT_FILE).exists():
        return None
    return pd.read_parquet(folder / PER_REP_FILE)


# ---------------------------------------------------------------- the sweep


@dataclass
class Sweep:
    """A finished sweep."""

    keys: list[str]
    points: list[SweepPoint]
    table: pd.DataFrame
    """``sweep.csv``: the varied keys, ``replications``, then ``<kpi>_mean``, ``<kpi>_ci_low``,
    ``<kpi>_ci_high`` for every KPI."""
    reused: int
    """Points read back from the output folder instead of run."""
    out: Path | None = None

    @property
    def computed(self) -> int:
        return len(self.points) - self.reused


def _from_vary(error: ScenarioError, values: Mapping[str, Any]) -> ScenarioError:
    """A point's problem labelled with ``--vary`` (its values are applied like ``--set``); a
    problem found past loading (a point with no possible case) names the point's values."""
    for problem in error.problems:
        if not problem.from_set and problem.file is None:
            problem.from_set = any(
                problem.key == k or problem.key.startswith(f"{k}.") or k.startswith(problem.key)
                for k in values
            )
            point = ", ".join(f"{k}={v}" for k, v in values.items())
            problem.hint = "; ".join(filter(None, [problem.hint, f"at the point {point}"]))
    return error.relabel("--vary")


def sweep_table(
    keys: Sequence[str], points: Sequence[SweepPoint], targets: Mapping[str, float]
) -> pd.DataFrame:
    """One row per point: the varied values, ``replications``, mean and CI of every KPI."""
    rows = []
    for point in points:
        summary = kpi_functions.summarize(point.by_replication, targets).set_index("kpi")
        row: dict[str, Any] = {key: point.values[key] for key in keys}
        row["replications"] = len(point.by_replication)
        for kpi in summary.index:
            for stat in ("mean", "ci_low", "ci_high"):
                row[f"{kpi}_{stat}"] = summary.loc[kpi, stat]
        rows.append(row)
    return pd.DataFrame(rows)


def csv_cell(value: Any) -> Any:
    """Lists and mappings as one CSV cell (compact JSON); scalars unchanged."""
    if isinstance(value, list | dict):
        return json.dumps(value, default=str)
    return value


def sweep(
    scenario: Scenario | str | os.PathLike | Mapping,
    axes: Mapping[str, Sequence[Any]],
    replications: int | None = None,
    seed: int | None = None,
    out: str | os.PathLike | None = None,
    workers: int | None = 1,
    executor: str | Executor | None = None,
    scheduler: str | None = None,
    progress: Progress = None,
    on_point: Callable[[SweepPoint], None] | None = None,
    force: bool = False,
) -> Sweep:
    """Run the full grid of ``axes`` (``{dotted key: values}``) over ``scenario``.

    Every point uses the same seed and replication indices (common random numbers). With
    ``out``, the base ``scenario.yaml`` is written first, finished points are stored under
    ``out/points/`` and reused by a later call, and ``out/sweep.csv`` is written at the end; a
    folder holding another base scenario's sweep is used only with ``force``
    (``folders.check_replaceable``). ``on_point`` is called with each point as soon as it is
    stored (or reused). Replications of all pending points go to the executor together;
    workers return one row of KPIs per replication. A bad key or value in ``axes`` is a
    ``ScenarioError`` labelled ``(from --vary)``.
    """
    base = with_run_control(scenario, replications, seed)
    keys = list(axes)
    grid = point_grid(axes)
    points = []
    for i, values in enumerate(grid):
        try:
            variant = load_scenario(base, dict(values))
            check_runnable(variant)
        except ScenarioError as error:
            raise _from_vary(error, values) from None
        points.append(SweepPoint(i, dict(values), variant, fingerprint(variant)))

    target = Path(out) if out is not None else None
    points_dir = target / POINTS_DIR if target is not None else None
    if target is not None:
        folders.check_replaceable(target, base, force=force, resumable=(POINTS_DIR,), what="sweep")
        target.mkdir(parents=True, exist_ok=True)
        store.write_text(target / "scenario.yaml", dump_yaml(base))  # whose sweep this is
    reused = 0
    pending: list[SweepPoint] = []
    for point in points:
        stored = _load(points_dir, point.key) if points_dir is not None else None
        if stored is None:
            pending.append(point)
        else:
            point.by_replication, point.reused = stored, True
            reused += 1

    with progress_scope(progress, len(points), "sweep", unit="point") as (step, bar):
        for point in points:
            if point.reused:
                step(1)
                if on_point is not None:
                    on_point(point)
        if pending:
            _run_pending(pending, points_dir, executor, workers, scheduler, step, on_point, bar)

    # always from the stored values, so a resumed sweep writes what a fresh one writes
    if points_dir is not None:
        for point in points:
            point.by_replication = _load(points_dir, point.key)
    table = sweep_table(keys, points, base.targets)
    if target is not None:
        store.write_text(target / "scenario.yaml", dump_yaml(base))
        csv = table.copy()
        for key in keys:
            csv[key] = csv[key].map(csv_cell)
        store.write_text(target / "sweep.csv", csv.to_csv(index=False))
    return Sweep(keys, points, table, reused, target)


def _run_pending(
    pending: list[SweepPoint],
    points_dir: Path | None,
    executor: str | Executor | None,
    workers: int | None,
    scheduler: str | None,
    step: Callable[[int], None],
    on_point: Callable[[SweepPoint], None] | None,
    bar: Any = None,
) -> None:
    tasks = [
        ((p.index, r), replication_kpi_row, p.scenario, r)
        for p in pending
        for r in range(p.scenario.replications)
    ]
    by_index = {p.index: p for p in pending}
    rows: dict[int, dict[int, pd.DataFrame]] = {p.index: {} for p in pending}
    with executor_scope(executor, workers, scheduler) as ex:
        with contextlib.closing(ex.map_unordered(tasks)) as finished:
            for done, ((index, r), row) in enumerate(finished, start=1):
                rows[index][r] = row
                if bar is not None:
                    bar.set_postfix_str(f"{done}/{len(tasks)} replications", refresh=False)
                point = by_index[index]
                if len(rows[index]) < point.scenario.replications:
                    continue
                point.by_replication = pd.concat(
                    [rows[index][k] for k in range(point.scenario.replications)]
                )
                del rows[index]
                if points_dir is not None:
                    _store(points_dir, point)
                step(1)
                if on_point is not None:
                    on_point(point)
