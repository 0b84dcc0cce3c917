"""The report's tables: the KPI comparison with paired differences from the base, the
scenario settings that differ, the runs' metadata and which differences are practically large."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
import yaml

from ..analysis import kpis as kpi_functions
from ..analysis.differences import mark_matters
from ..experiments.compare import COMPARISON_COLUMNS, paired_differences
from ..i18n import DEFAULT_LANGUAGE, text
from .results_io import RunTables, flatten

IGNORED_KEYS: frozenset[str] = frozenset({"name", "description", "language"})
"""Scenario keys that always differ and say nothing about the model."""


# ---------------------------------------------------------------- tables


def kpi_comparison(runs: Sequence[RunTables], confidence: float = 0.95) -> pd.DataFrame:
    """Every KPI of every run with its CI, and for runs after the first the paired difference
    from the first (other − base) over the replication indices both have
    (``compare.paired_differences``), its CI, and whether the CI excludes 0. Columns
    ``COMPARISON_COLUMNS`` plus ``target``, ``meets`` (against the base's targets), ``pairs``.
    Differences below float noise (``differences.NOISE``) count as 0; ``matters`` is the one
    rule of ``analysis.differences``.
    """
    if not runs:
        raise ValueError("no runs to compare")
    base = runs[0]
    frames = []
    for run in runs:
        summary = kpi_functions.summarize(run.by_replication, base.targets, confidence)
        if run is base:
            summary["diff"] = summary["diff_ci_low"] = summary["diff_ci_high"] = math.nan
            summary["significant"] = pd.NA
            summary["pairs"] = 0
        else:
            diffs = paired_differences(base.by_replication, run.by_replication, confidence)
            summary = summary.merge(diffs, on="kpi", how="left")
        summary.insert(1, "scenario", run.name)
        frames.append(summary)
    table = mark_matters(pd.concat(frames, ignore_index=True))  # noise to 0, the one rule
    columns = [*COMPARISON_COLUMNS, "target", "meets", "pairs"]
    return table[columns].astype({"significant": "boolean", "meets": "boolean"})


def _short(value: Any) -> str:
    if isinstance(value, dict | list):
        return yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return "–" if value is None else str(value)


def scenario_differences(runs: Sequence[RunTables]) -> pd.DataFrame:
    """Resolved scenario keys (flattened, ``a.b.c``) whose value differs from the base in any
    run: one row per key, one column per run (``–`` where a run lacks the key)."""
    flat = [flatten(run.scenario) for run in runs]
    keys: dict[str, None] = {}
    for f in flat:
        keys.update(dict.fromkeys(f))
    missing = object()
    differing = [
        k
        for k in keys
        if k not in IGNORED_KEYS
        and any(f.get(k, missing) != flat[0].get(k, missing) for f in flat[1:])
    ]
    shown = {
        run.name: [_short(f.get(k)) if k in f else "–" for k in differing]
        for run, f in zip(runs, flat, strict=True)
    }
    # a key missing in one run and empty in another ({} or [] or null) shows no difference
    keep = [
        i
        for i in range(len(differing))
        if len({_blank(column[i]) for column in shown.values()}) > 1
    ]
    data = {name: [column[i] for i in keep] for name, column in shown.items()}
    return pd.DataFrame(data, index=pd.Index([differing[i] for i in keep], name="key"))


def _blank(text: str) -> str:
    return "–" if text in ("", "–", "{}", "[]", "null", "None") else text


def run_metadata(runs: Sequence[RunTables], lang: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
    """One row per run: where it came from, seed, replications, horizon, run date."""
    rows = []
    for run in runs:
        s = run.scenario
        when = run.run_date.strftime("%Y-%m-%d %H:%M UTC") if run.run_date else ""
        values = {
            "table.scenario": run.name,
            "report.meta.folder": str(run.path) if run.path else text("report.in_memory", lang),
            "report.meta.seed": run.seed,
            "report.meta.replications": len(run.replications),
            "report.meta.start": s.get("start_date", ""),
            "report.meta.horizon": s.get("horizon_days", ""),
            "report.meta.warmup": s.get("warmup_days", ""),
            "report.meta.cases": f"{len(run.cases):,}",
            "report.meta.date": when,
        }
        rows.append({text(key, lang): value for key, value in values.items()})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- what is practically large


def practical_differences(comparison: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`kpi_comparison` whose difference from the base matters (the one rule
    of ``analysis.differences``: significant and practically large), with the base's
    ``base_mean`` and ``base_meets`` beside them; scenarios in order, KPIs in contract order."""
    base_name = comparison["scenario"].iloc[0]
    base = comparison[comparison["scenario"] == base_name].set_index("kpi")
    others = comparison[comparison["scenario"] != base_name].copy()
    others["base_mean"] = others["kpi"].map(base["mean"])
    others["base_meets"] = others["kpi"].map(base["meets"])
    return others[others["matters"].astype(bool)].reset_index(drop=True)


def zero_kpis(comparison: pd.DataFrame) -> list[str]:
    """KPIs that are exactly 0 (interval included) in every scenario: folded in the report."""
    zero = comparison.groupby("kpi", sort=False)[["mean", "ci_low", "ci_high"]].agg(
        lambda v: bool(((v.fillna(0)) == 0).all())
    )
    return [str(k) for k, row in zero.iterrows() if row.all()]
