"""Confidence intervals over replications: the one Student-t interval every module uses."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from scipy import stats


def t_quantile(confidence: float, dof: int | np.ndarray) -> float | np.ndarray:
    """The two-sided Student-t quantile for ``confidence`` with ``dof`` degrees of freedom."""
    return stats.t.ppf(0.5 + confidence / 2, dof)


def mean_ci(values: Iterable[float], confidence: float = 0.95) -> tuple[float, float, float, int]:
    """Mean and two-sided Student-t confidence interval: ``(mean, low, high, n)``.

    NaN values are dropped first; ``n`` counts the values used. ``n == 0`` gives all NaN;
    ``n == 1`` gives the value with a NaN interval (no variance estimate); values all equal give
    the interval ``[mean, mean]`` exactly (no rounding in the mean). Otherwise
    ``mean ± t(1 - (1 - confidence)/2, n - 1) · s/√n`` with ``s`` the sample standard deviation.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    arr = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    arr = arr[~np.isnan(arr)]
    n = int(arr.size)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    if n == 1:
        return float(arr[0]), math.nan, math.nan, 1
    if np.all(arr == arr[0]):
        value = float(arr[0])
        return value, value, value, n
    mean = float(arr.mean())
    half = float(t_quantile(confidence, n - 1) * arr.std(ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half, n


def half_width(values: Iterable[float], confidence: float = 0.95) -> tuple[float, float]:
    """``(mean, half-width)`` of :func:`mean_ci` (NaN half-width below two values)."""
    mean, low, high, _ = mean_ci(values, confidence)
    return mean, (high - low) / 2
