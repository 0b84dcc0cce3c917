"""Differences that matter: the one rule ``compare``, the report and the terminal use.

A difference ``scenario − base`` *matters* when it is both

- **statistically clear**: its paired 95% interval excludes 0 (``significant``), and
- **practically large**: at least ``PRACTICAL_SHARE`` (half a percentage point) for a share
  (the registry's ``is_share``), or ``PRACTICAL_RELATIVE`` (5%) of the base's mean for any other
  KPI (a base of 0: any non-zero difference).

Float noise is rounded to 0 first: a difference, and its interval, whose size is below
``NOISE`` relative to the base's size (at least ``NOISE`` absolute) — e.g. a sum taken in
another order, ``+6.7e-17`` — becomes exactly 0 and is not significant.
"""

from __future__ import annotations

import math

import pandas as pd

from ..contract import is_share

PRACTICAL_SHARE = 0.005
"""A share must move by at least half a percentage point to matter."""
PRACTICAL_RELATIVE = 0.05
"""Any other KPI must move by at least 5% of the base's value to matter."""
NOISE = 1e-12
"""Relative size below which a difference is float noise (see the module docstring)."""

__all__ = [
    "NOISE",
    "PRACTICAL_RELATIVE",
    "PRACTICAL_SHARE",
    "is_noise",
    "mark_matters",
    "matters",
    "practically_large",
]


def is_noise(diff: float, low: float, high: float, base_mean: float) -> bool:
    """Whether a difference and its interval are float noise around 0."""
    scale = max(1.0, abs(base_mean)) if not math.isnan(base_mean) else 1.0
    sizes = [abs(v) for v in (diff, low, high) if not math.isnan(v)]
    return bool(sizes) and max(sizes) < NOISE * scale


def practically_large(kpi: str, diff: float, base_mean: float) -> bool:
    """Whether ``diff`` is at least the practical threshold of ``kpi``."""
    if pd.isna(diff):
        return False
    if is_share(kpi):
        return abs(diff) >= PRACTICAL_SHARE - 1e-15
    if pd.isna(base_mean) or base_mean == 0:
        return diff != 0
    return abs(diff) >= PRACTICAL_RELATIVE * abs(base_mean)


def matters(kpi: str, diff: float, significant: object, base_mean: float) -> bool:
    """Significant and practically large."""
    return bool(not pd.isna(significant) and significant) and practically_large(
        kpi, diff, base_mean
    )


def mark_matters(table: pd.DataFrame) -> pd.DataFrame:
    """A comparison table (``kpi, scenario, mean, diff, diff_ci_low, diff_ci_high,
    significant``; base rows first per KPI or anywhere, the base being the first scenario) with
    float noise rounded to 0 and a boolean ``matters`` column (False on the base's rows)."""
    table = table.copy()
    base_name = table["scenario"].iloc[0]
    base_mean = table["kpi"].map(table[table["scenario"] == base_name].set_index("kpi")["mean"])
    values = ["diff", "diff_ci_low", "diff_ci_high"]
    noise = [
        is_noise(float(d), float(lo), float(hi), float(b))
        for d, lo, hi, b in zip(
            table["diff"], table["diff_ci_low"], table["diff_ci_high"], base_mean, strict=True
        )
    ]
    noise = pd.Series(noise, index=table.index) & (table["scenario"] != base_name)
    table.loc[noise, values] = 0.0
    table.loc[noise, "significant"] = False
    table["matters"] = [
        scenario != base_name and matters(kpi, float(diff), sig, float(b))
        for kpi, scenario, diff, sig, b in zip(
            table["kpi"], table["scenario"], table["diff"], table["significant"], base_mean,
            strict=True,
        )
    ]  # fmt: skip
    return table
