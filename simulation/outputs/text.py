"""The command line's text tables: a run's KPIs, a comparison and a sweep, aligned for a
terminal, in the chosen language (numbers formatted by ``formats.py``). The CLI prints these;
nothing here computes.

Numbers are shown as people read them: shares as percentages, times and counts in their unit,
which is named in a column of its own (``%``, ``hours``/``小时``, ``days``/``天``); the CSV
files keep plain numbers. The same helpers format the report and the workbook.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from ..analysis.differences import PRACTICAL_RELATIVE, PRACTICAL_SHARE
from ..contract import KPI_BY_NAME
from ..experiments.compare import Comparison
from ..experiments.sweep import Sweep, csv_cell
from ..formats import MISSING, in_unit, signed_in_unit, text_table
from ..i18n import DEFAULT_LANGUAGE, kpi_label, text, unit_label

__all__ = [
    "format_comparison",
    "format_difference",
    "format_interval",
    "format_kpis",
    "format_sweep",
    "format_value",
    "unit_label",
]

SWEEP_KPIS: tuple[str, ...] = (
    "resolved_rate",
    "grassroots_rate",
    "one_door_rate",
    "mean_days_to_close",
)
"""KPIs ``govsim sweep`` prints when no ``--kpi`` is given (``sweep.csv`` has all)."""


def kpi_unit(kpi: str) -> str:
    """The contract's unit of a KPI (``share``, ``hours``, ``days``, ``cases`` …; ``""`` if
    unknown)."""
    entry = KPI_BY_NAME.get(kpi)
    return entry.unit if entry else ""


def format_value(kpi: str, value: float) -> str:
    """A KPI's value in its unit: ``90.5%``, ``38,612``, ``3.14``."""
    return in_unit(value, kpi_unit(kpi))


def format_difference(kpi: str, value: float, lang: str = DEFAULT_LANGUAGE) -> str:
    """A signed difference: percentage points for shares (``+0.8 pp``), else in the unit."""
    return signed_in_unit(value, kpi_unit(kpi), text("unit.pp", lang))


def format_interval(kpi: str, low: float, high: float) -> str:
    """``[89.9%, 91.2%]``; empty when unknown (fewer than two replications)."""
    if pd.isna(low) or pd.isna(high):
        return ""
    return f"[{format_value(kpi, low)}, {format_value(kpi, high)}]"


def format_kpis(kpis: pd.DataFrame, lang: str = DEFAULT_LANGUAGE) -> str:
    """The KPI table as aligned text: each KPI with its unit, mean, 95% interval, target and
    ✓/✗. In Chinese each KPI is named in Chinese with its code beside it."""
    rows = [[text(f"table.{c}", lang) for c in ("kpi", "unit", "mean", "ci", "target")] + [""]]
    for r in kpis.itertuples(index=False):
        target = "" if math.isnan(r.target) else format_value(r.kpi, r.target)
        mark = "" if pd.isna(r.meets) else ("✓" if r.meets else "✗")
        rows.append(
            [
                kpi_label(r.kpi, lang),
                unit_label(r.kpi, lang),
                format_value(r.kpi, r.mean),
                format_interval(r.kpi, r.ci_low, r.ci_high),
                target,
                mark,
            ]
        )
    return text_table(rows, left=2, trailing=1)


def _verdict(kpis: pd.DataFrame, kpi: str) -> str:
    meets = kpis["meets"].get(kpi, pd.NA)
    return "" if pd.isna(meets) else (" ✓" if meets else " ✗")


def format_comparison(comparison: Comparison, lang: str = DEFAULT_LANGUAGE) -> str:
    """Side by side: the base's target, each KPI's mean per scenario with ✓/✗ against that
    target, and the paired difference from the base; ``*`` marks a difference that matters
    (significant and practically large: ``analysis.differences``)."""
    table = comparison.table
    labels = comparison.labels
    kpis = {label: comparison.results[label].kpis.set_index("kpi") for label in labels}
    rows = [[text("table.kpi", lang), text("table.unit", lang), text("table.target", lang),
             *labels]]  # fmt: skip
    for kpi, group in table.groupby("kpi", sort=False):
        by = group.set_index("scenario")
        name = str(kpi)
        target = kpis[labels[0]]["target"].get(name, math.nan)
        cells = [kpi_label(name, lang), unit_label(name, lang)]
        cells.append("" if pd.isna(target) else format_value(name, target))

        cells.append(
            format_value(name, by.loc[labels[0], "mean"]) + _verdict(kpis[labels[0]], name)
        )
        for label in labels[1:]:
            r = by.loc[label]
            mark = " *" if r["matters"] else "  "
            diff = format_difference(name, r["diff"], lang)
            mean = format_value(name, r["mean"]) + _verdict(kpis[label], name)
            cells.append(f"{mean} ({diff}){mark}")
        rows.append(cells)
    n = int(table.loc[table["scenario"] != labels[0], "matters"].sum())
    footnote = text(
        "compare.footnote", lang, base=labels[0], n=n,
        pp=f"{100 * PRACTICAL_SHARE:g}", rel=f"{PRACTICAL_RELATIVE:.0%}",
    )  # fmt: skip
    return text_table(rows, left=2) + "\n\n" + footnote


def format_sweep(
    result: Sweep, kpis: Sequence[str] | None = None, lang: str = DEFAULT_LANGUAGE
) -> str:
    """The sweep as aligned text: the varied keys and the mean of a few KPIs per point."""
    kpis = list(kpis or SWEEP_KPIS)
    header = [kpi_label(k, lang) + (f" ({unit_label(k, lang)})" if kpi_unit(k) else "")
              for k in kpis]  # fmt: skip
    rows = [[*result.keys, *header]]
    table = result.table
    for i, point in enumerate(result.points):
        cells = [str(csv_cell(point.values[k])) for k in result.keys]
        for kpi in kpis:
            column = f"{kpi}_mean"
            value = table[column].iloc[i] if column in table else math.nan
            cells.append(format_value(kpi, value) if not pd.isna(value) else MISSING)
        rows.append(cells)
    return text_table(rows, left=0)
