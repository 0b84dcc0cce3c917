"""Replications: run a scenario several times, serially or on a process pool, into Results.

A worker receives only (scenario, replication index) and returns that replication's tables, so
the tables — and the bytes written from them — are the same whatever runs the replications.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import kpis as kpi_functions
from .city import build_city
from .loader import dump_yaml, load_scenario
from .model import Model
from .record import case_table, daily_table, office_table
from .scenario import Scenario

Tables = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]


def run_replication(scenario: Scenario, replication: int) -> Tables:
    """One replication's (cases, offices, daily) tables."""
    city = build_city(scenario)
    raw = Model(scenario, city, replication).run()
    return case_table(raw, scenario, city), office_table(raw, city), daily_table(raw)


def _replications(scenario: Scenario, indices: list[int], workers: int) -> Iterator[Tables]:
    """Tables of each replication in index order, computed serially or by ``workers`` processes."""
    if workers <= 1 or len(indices) <= 1:
        for r in indices:
            yield run_replication(scenario, r)
        return
    with ProcessPoolExecutor(max_workers=min(workers, len(indices))) as pool:
        yield from pool.map(run_replication, [scenario] * len(indices), indices)


@dataclass
class Results:
    """Everything one run of a scenario produced, as DataFrames."""

    scenario: Scenario
    cases: pd.DataFrame
    offices: pd.DataFrame
    daily: pd.DataFrame
    by_replication: pd.DataFrame
    """One row per replication, one column per KPI."""
    kpis: pd.DataFrame = field(init=False)
    """``kpi, mean, ci_low, ci_high, replications, target, meets``."""

    def __post_init__(self) -> None:
        self.kpis = kpi_functions.summarize(self.by_replication, self.scenario.targets)

    def kpi(self, name: str) -> float:
        """The mean over replications of one KPI."""
        return float(self.kpis.set_index("kpi").loc[name, "mean"])

    def save(self, directory: str | os.PathLike) -> Path:
        """Write the five outputs into ``directory``, all or nothing.

        Files are written into a temporary folder beside the target and moved into place only
        when complete, so a reader never sees a half-written result.
        """
        target = Path(directory)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            self.kpis.to_csv(staging / "kpis.csv", index=False)
            self.cases.to_parquet(staging / "cases.parquet", index=False)
            self.offices.to_csv(staging / "offices.csv", index=False)
            self.daily.to_csv(staging / "daily.csv", index=False)
            (staging / "scenario.yaml").write_text(dump_yaml(self.scenario), encoding="utf-8")
            if target.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
                target.rename(old / target.name)
                staging.rename(target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return target


def run(
    scenario: Scenario | str | os.PathLike | dict,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Results:
    """Run ``replications`` of a scenario (defaults from the scenario) and compute its KPIs.

    ``progress``, when given, is called with 1 after each finished replication.
    """
    scenario = load_scenario(scenario)
    update = {}
    if replications is not None:
        update["replications"] = replications
    if seed is not None:
        update["seed"] = seed
    if update:
        scenario = load_scenario({**scenario.to_dict(), **update})
    indices = list(range(scenario.replications))
    parts: list[Tables] = []
    for tables in _replications(scenario, indices, workers):
        parts.append(tables)
        if progress is not None:
            progress(1)
    cases, offices, daily = (
        pd.concat(frames, ignore_index=True) for frames in zip(*parts, strict=True)
    )
    by_replication = kpi_functions.replication_kpis(
        cases, offices, daily, scenario.horizon_days, replications=indices
    )
    return Results(scenario, cases, offices, daily, by_replication)
