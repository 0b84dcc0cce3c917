"""Paired comparisons with common random numbers (CRN).

Every scenario runs with the same root seed and the same replication indices, so replication
``r`` of each scenario meets the same citizens with the same needs (arrival times, case types,
handling-time quantiles, resolution and patience draws all come from streams keyed by
``(seed, r, purpose)``, not by the order of events). The difference ``scenario − base`` is then
taken replication by replication and its Student-t interval computed from those paired
differences: noise common to both runs cancels, and the interval is much narrower than one from
independent runs. ``docs/experiments.md`` says when the streams stay in step and when they drift.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import store
from ..analysis import kpis as kpi_functions
from ..analysis.differences import mark_matters
from ..scenario.schema import Scenario
from . import folders
from .executors import Executor
from .runner import (
    Progress,
    Results,
    check_runnable,
    combine,
    executor_scope,
    progress_scope,
    run_replication,
    with_run_control,
)

__all__ = ["COMPARISON_COLUMNS", "Comparison", "compare", "paired_differences"]

COMPARISON_COLUMNS: tuple[str, ...] = (
    "kpi",
    "scenario",
    "mean",
    "ci_low",
    "ci_high",
    "diff",
    "diff_ci_low",
    "diff_ci_high",
    "significant",
    "matters",
)


def paired_differences(
    base: pd.DataFrame,
    other: pd.DataFrame,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """``kpi, diff, diff_ci_low, diff_ci_high, pairs, significant`` for ``other − base``.

    Both tables have one row per replication (index ``replication``) and one column per KPI;
    rows are paired by replication. A pair where either value is NaN is left out. The interval
    is the Student-t interval of the paired differences (``kpis.mean_ci``); ``significant`` is
    true when it excludes 0 (all differences equal and non-zero also count).
    """
    common = base.index.intersection(other.index)
    rows = []
    for kpi in base.columns:
        if kpi not in other.columns:
            continue
        d = other.loc[common, kpi].to_numpy(dtype=float) - base.loc[common, kpi].to_numpy(
            dtype=float
        )
        mean, low, high, n = kpi_functions.mean_ci(d, confidence)
        significant = bool(n >= 2 and not math.isnan(low) and (low > 0 or high < 0))
        rows.append((kpi, mean, low, high, n, significant))
    return pd.DataFrame(
        rows, columns=["kpi", "diff", "diff_ci_low", "diff_ci_high", "pairs", "significant"]
    )


def unique_labels(names: Sequence[str]) -> list[str]:
    """Scenario names made unique (``name``, ``name-2``, …) and safe as folder names."""
    labels: list[str] = []
    seen: set[str] = set()
    for name in names:
        base = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip(".") or "x"
        label, k = base, 2
        while label in seen:
            label, k = f"{base}-{k}", k + 1
        seen.add(label)
        labels.append(label)
    return labels


@dataclass
class Comparison:
    """The runs of a comparison and their paired differences against the base."""

    labels: list[str]
    """Scenario labels, base first (names made unique)."""
    results: dict[str, Results]
    table: pd.DataFrame
    """``comparison.csv``: one row per (KPI, scenario), KPIs in contract order, base first."""

    @property
    def base(self) -> str:
        return self.labels[0]

    def significant(self) -> pd.DataFrame:
        """The rows whose difference from the base is significant."""
        return self.table[self.table["significant"]]

    def matters(self) -> pd.DataFrame:
        """The rows whose difference matters: significant and practically large
        (``analysis.differences``)."""
        return self.table[self.table["matters"]]

    def save(self, directory: str | os.PathLike, *, force: bool = False) -> Path:
        """Write ``comparison.csv`` and each scenario's outputs under ``<directory>/<label>/``,
        all or nothing (staged beside the target, then moved into place). A folder holding
        another comparison is replaced only with ``force`` (``folders.check_comparison_folder``).
        """
        scenarios = {label: self.results[label].scenario for label in self.labels}

        def replaceable(target: Path) -> None:
            folders.check_comparison_folder(target, scenarios, force=force)

        replaceable(Path(directory))
        with store.staged_folder(directory, check=replaceable) as staging:
            self.table.to_csv(staging / "comparison.csv", index=False)
            for label in self.labels:
                folder = staging / label
                folder.mkdir()
                self.results[label].write_into(folder)
        return Path(directory)


def _table(labels: list[str], results: dict[str, Results], confidence: float) -> pd.DataFrame:
    base = results[labels[0]]
    frames = []
    for order, label in enumerate(labels):
        summary = results[label].kpis[["kpi", "mean", "ci_low", "ci_high"]].copy()
        if order == 0:
            diffs = pd.DataFrame(
                {
                    "kpi": summary["kpi"],
                    "diff": 0.0,
                    "diff_ci_low": 0.0,
                    "diff_ci_high": 0.0,
                    "significant": False,
                }
            )
        else:
            diffs = paired_differences(
                base.by_replication, results[label].by_replication, confidence
            ).drop(columns="pairs")
        part = summary.merge(diffs, on="kpi", how="left", validate="one_to_one")
        part.insert(1, "scenario", label)
        part["_kpi"] = np.arange(len(part))
        part["_scenario"] = order
        frames.append(part)
    table = pd.concat(frames, ignore_index=True).sort_values(["_kpi", "_scenario"], kind="stable")
    table = table.drop(columns=["_kpi", "_scenario"]).reset_index(drop=True)
    table["significant"] = table["significant"].fillna(False).astype(bool)
    table = mark_matters(table)  # float noise to 0; significant and practically large
    return table[list(COMPARISON_COLUMNS)]


def compare(
    base: Scenario | str | os.PathLike | Mapping,
    *others: Scenario | str | os.PathLike | Mapping,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = 1,
    executor: str | Executor | None = None,
    scheduler: str | None = None,
    progress: Progress = None,
    confidence: float = 0.95,
) -> Comparison:
    """Run ``base`` and each of ``others`` with common random numbers and compare them.

    Every scenario gets the same root seed (``seed``, else the base's) and the same number of
    replications (``replications``, else the base's), so replication ``r`` of each sees the
    same citizens. ``comparison.csv``'s ``diff`` is ``scenario − base`` paired by replication.
    Replications of all scenarios go to one executor together (see ``run`` for the options).
    """
    if not others:
        raise ValueError("compare needs a base scenario and at least one other")
    first = with_run_control(base, replications, seed)
    scenarios = [first] + [with_run_control(o, first.replications, first.seed) for o in others]
    for scenario in scenarios:
        check_runnable(scenario)
    labels = unique_labels([s.name for s in scenarios])
    indices = list(range(first.replications))
    tasks = [
        ((label, r), run_replication, scenario, r)
        for r in indices
        for label, scenario in zip(labels, scenarios, strict=True)
    ]
    done: dict[tuple[str, int], tuple] = {}
    with executor_scope(executor, workers, scheduler) as ex:
        with progress_scope(progress, len(tasks), "compare") as (step, _):
            with contextlib.closing(ex.map_unordered(tasks)) as finished:
                for key, tables in finished:
                    done[key] = tables
                    step(1)
    results = {
        label: combine(scenario, [done[label, r] for r in indices], indices)
        for label, scenario in zip(labels, scenarios, strict=True)
    }
    return Comparison(labels, results, _table(labels, results, confidence))
