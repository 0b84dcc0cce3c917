"""The command line's text tables: a run's KPIs, a comparison and a sweep, aligned for a
terminal (numbers formatted by ``formats.py``). The CLI prints these; nothing here computes."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from ..experiments.compare import Comparison
from ..experiments.sweep import Sweep, csv_cell
from ..formats import number, signed, text_table

__all__ = ["format_comparison", "format_kpis", "format_sweep"]

SWEEP_KPIS: tuple[str, ...] = (
    "resolved_rate",
    "grassroots_rate",
    "one_door_rate",
    "mean_days_to_close",
)
"""KPIs ``govsim sweep`` prints when no ``--kpi`` is given (``sweep.csv`` has all)."""


def format_kpis(kpis: pd.DataFrame) -> str:
    """The KPI table as aligned text: mean, 95% interval, target and ✓/✗."""
    rows = [("KPI", "mean", "95% CI", "target", "")]
    for r in kpis.itertuples(index=False):
        ci = "" if math.isnan(r.ci_low) else f"[{number(r.ci_low)}, {number(r.ci_high)}]"
        target = "" if math.isnan(r.target) else number(r.target)
        mark = "" if pd.isna(r.meets) else ("✓" if r.meets else "✗")
        rows.append((r.kpi, number(r.mean), ci, target, mark))
    return text_table(rows, left=1, trailing=1)


def format_comparison(comparison: Comparison) -> str:
    """Side by side: each KPI's mean per scenario, with the paired difference from the base;
    ``*`` marks a difference whose 95% interval excludes 0."""
    table = comparison.table
    labels = comparison.labels
    rows = [["KPI", labels[0], *labels[1:]]]
    for kpi, group in table.groupby("kpi", sort=False):
        by = group.set_index("scenario")
        cells = [str(kpi), number(by.loc[labels[0], "mean"])]
        for label in labels[1:]:
            r = by.loc[label]
            mark = " *" if r["significant"] else "  "
            cells.append(f"{number(r['mean'])} ({signed(r['diff'])}){mark}")
        rows.append(cells)
    n_sig = int(table.loc[table["scenario"] != labels[0], "significant"].sum())
    return (
        text_table(rows, left=1)
        + f"\n\n(difference from {labels[0]} in brackets, paired by replication; "
        f"* = 95% interval excludes 0: {n_sig} significant)"
    )


def format_sweep(result: Sweep, kpis: Sequence[str] | None = None) -> str:
    """The sweep as aligned text: the varied keys and the mean of a few KPIs per point."""
    kpis = list(kpis or SWEEP_KPIS)
    rows = [[*result.keys, *kpis]]
    table = result.table
    for i, point in enumerate(result.points):
        cells = [str(csv_cell(point.values[k])) for k in result.keys]
        for kpi in kpis:
            column = f"{kpi}_mean"
            cells.append(number(table[column].iloc[i] if column in table else math.nan))
        rows.append(cells)
    return text_table(rows, left=0)
