"""Intervals that respect the quantity: a share's interval never leaves [0, 1].

Every KPI interval of ``kpis.csv``, ``kpis_by_county.csv`` and ``comparison.csv`` comes from
:func:`kpi_interval`:

- a KPI that is not a share, or a share whose Student-t interval (``stats.mean_ci``) lies
  inside [0, 1], keeps that Student-t interval over replications;
- a share whose Student-t interval would leave [0, 1] (a rare event: a rate near 0 or near 1,
  where the replication means are skewed) gets a **percentile bootstrap over replications**
  instead: ``BOOTSTRAP_RESAMPLES`` resamples of the replication values with replacement, drawn
  with a fixed seed (same data → same interval), the interval being the ``(1 − c)/2`` and
  ``(1 + c)/2`` quantiles of the resampled means. It lies inside the range of the replication
  values, hence inside [0, 1]. All replications equal give ``[value, value]`` — for a rate of 0
  in every replication that says "no event seen in these runs", not "the rate is 0".

``meets_with`` states the ✓/✗ rule: a target is met when the mean meets it; with ``strict`` the
whole interval must (the interval's worse end meets it).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ..contract import LOWER_IS_BETTER, is_share
from .stats import mean_ci

BOOTSTRAP_RESAMPLES = 4000
BOOTSTRAP_SEED = 20191230

__all__ = ["BOOTSTRAP_RESAMPLES", "bootstrap_ci", "kpi_interval", "meets_with"]


def bootstrap_ci(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean over ``values`` (NaN-free, at least two)."""
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    n = values.size
    picks = rng.integers(0, n, size=(BOOTSTRAP_RESAMPLES, n))
    means = values[picks].mean(axis=1)
    low, high = np.quantile(means, [(1 - confidence) / 2, (1 + confidence) / 2])
    return float(low), float(high)


def kpi_interval(
    kpi: str, values: Iterable[float], confidence: float = 0.95
) -> tuple[float, float, float, int]:
    """``(mean, low, high, n)`` of one KPI over replications (see the module docstring)."""
    arr = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    mean, low, high, n = mean_ci(arr, confidence)
    if not is_share(kpi) or n < 2 or math.isnan(low) or (low >= 0 and high <= 1):
        return mean, low, high, n
    low, high = bootstrap_ci(arr[~np.isnan(arr)], confidence)
    return mean, min(max(low, 0.0), mean), max(min(high, 1.0), mean), n


def meets_with(
    kpi: str, mean: float, low: float, high: float, target: float, strict: bool = False
) -> bool:
    """Whether a KPI meets ``target``: its mean does (``strict``: its interval's worse end
    does — the upper end for a KPI where lower is better, else the lower end). NaN never meets."""
    lower_better = kpi in LOWER_IS_BETTER
    value = (high if lower_better else low) if strict else mean
    value, target = float(value), float(target)
    if math.isnan(value) or math.isnan(target):
        return False
    return value <= target if lower_better else value >= target
