"""Read a run's output folder back into tables: the one place plots and reports touch files.

A result folder is what ``Results.save`` (``govsim run --out``) writes: ``kpis.csv``,
``cases.parquet``, ``offices.csv``, ``daily.csv`` and the resolved ``scenario.yaml``. Plots and
the report work on :class:`RunTables` only, so they never parse files and can be fed an
in-memory run (:func:`from_results`) or hand-made tables in tests.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..analysis import kpis as kpi_functions
from ..errors import OutputError

__all__ = ["RESULT_FILES", "RunTables", "flatten", "from_results", "load_results"]

RESULT_FILES: tuple[str, ...] = (
    "kpis.csv",
    "cases.parquet",
    "offices.csv",
    "daily.csv",
    "scenario.yaml",
)


@dataclass
class RunTables:
    """One run's tables, its resolved scenario as plain data, and where it came from."""

    name: str
    scenario: dict[str, Any]
    kpis: pd.DataFrame
    cases: pd.DataFrame
    offices: pd.DataFrame
    daily: pd.DataFrame
    by_replication: pd.DataFrame
    """One row per replication (index ``replication``), recomputed with ``replication_kpis``."""
    path: Path | None = None
    run_date: dt.datetime | None = None
    """When the outputs were written (the folder's ``kpis.csv`` time), if known."""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def targets(self) -> dict[str, float]:
        return {k: float(v) for k, v in (self.scenario.get("targets") or {}).items()}

    @property
    def time_limits_days(self) -> dict[str, float]:
        return {k: float(v) for k, v in (self.scenario.get("time_limits_days") or {}).items()}

    @property
    def replications(self) -> list[int]:
        return [int(r) for r in self.by_replication.index]

    @property
    def seed(self) -> int | None:
        seed = self.scenario.get("seed")
        return None if seed is None else int(seed)


def _by_replication(
    scenario: Mapping[str, Any],
    cases: pd.DataFrame,
    offices: pd.DataFrame,
    daily: pd.DataFrame,
    front_door: pd.DataFrame | None = None,
) -> pd.DataFrame:
    horizon = float(scenario.get("horizon_days") or 0)
    if horizon <= 0:
        days = pd.concat([cases["arrival_day"], daily["day"].astype(float)])
        horizon = max(1.0, float(days.max()) if len(days) else 1.0)
    return kpi_functions.replication_kpis(cases, offices, daily, horizon, front_door=front_door)


def load_results(directory: str | os.PathLike) -> RunTables:
    """The tables of one result folder; per-replication KPIs are recomputed from them.

    Raises ``OutputError`` (a user error: ``govsim`` exits with code 2) for a missing folder,
    a folder that is not a run's (naming every missing file) and a file that cannot be read.
    """
    root = Path(directory)
    if not root.is_dir():
        what = "a file, not a result folder" if root.exists() else "no such result folder"
        raise OutputError(f"{root}: {what} (the output folder of `govsim run`)")
    missing = [name for name in RESULT_FILES if not (root / name).exists()]
    if missing:
        raise OutputError(
            f"{root}: missing {', '.join(missing)} (is it a govsim run's output folder?)"
        )
    with _reading(root / "scenario.yaml"):
        scenario = yaml.safe_load((root / "scenario.yaml").read_text(encoding="utf-8")) or {}
        if not isinstance(scenario, dict):
            raise ValueError("not a mapping")
    with _reading(root / "kpis.csv"):
        kpis = pd.read_csv(root / "kpis.csv")
        kpis["meets"] = kpis["meets"].astype("boolean")
    with _reading(root / "cases.parquet"):
        cases = pd.read_parquet(root / "cases.parquet")
    with _reading(root / "offices.csv"):
        offices = pd.read_csv(
            root / "offices.csv",
            keep_default_na=False,
            na_values=[""],
            dtype={"office_code": str},
        )
        offices["county"] = offices["county"].fillna("")
        if "office_code" in offices:  # codes are text: 330402007000, empty for synthetic offices
            offices["office_code"] = offices["office_code"].fillna("")
    with _reading(root / "daily.csv"):
        daily = pd.read_csv(root / "daily.csv")
    front_path = root / "front_door.csv"
    with _reading(front_path):
        front_door = pd.read_csv(front_path) if front_path.exists() else None
    with _reading(root):
        by_replication = _by_replication(scenario, cases, offices, daily, front_door)
    mtime = (root / "kpis.csv").stat().st_mtime
    return RunTables(
        name=str(scenario.get("name") or root.name),
        scenario=scenario,
        kpis=kpis,
        cases=cases,
        offices=offices,
        daily=daily,
        by_replication=by_replication,
        path=root,
        run_date=dt.datetime.fromtimestamp(mtime, tz=dt.UTC),
    )


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Any failure to read or make sense of ``path`` as an ``OutputError`` naming it."""
    try:
        yield
    except OutputError:
        raise
    except Exception as error:  # pyarrow, pandas, yaml, Unicode and OS errors alike
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise OutputError(
            f"{path}: cannot be read as govsim output ({type(error).__name__}"
            + (f": {reason[:200]}" if reason else "")
            + "); run `govsim run` again to rewrite it"
        ) from error


def from_results(results: Any, name: str | None = None) -> RunTables:
    """A :class:`RunTables` view of an in-memory ``simulation.Results`` (no files)."""
    scenario = results.scenario.to_dict()
    return RunTables(
        name=name or str(scenario["name"]),
        scenario=scenario,
        kpis=results.kpis,
        cases=results.cases,
        offices=results.offices,
        daily=results.daily,
        by_replication=results.by_replication,
    )


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings as ``{"a.b.c": value}``; lists stay whole values (compared as a unit)."""
    if isinstance(data, Mapping):
        flat: dict[str, Any] = {}
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, Mapping) and value:
                flat.update(flatten(value, path))
            else:
                flat[path] = value
        return flat
    return {prefix: data}
