"""Differences that matter: the one rule of analysis/differences.py."""

from __future__ import annotations

import pandas as pd

from simulation.analysis.differences import mark_matters, matters
from simulation.experiments.compare import paired_differences


def _table(kpi: str, base: float, diff: float, low: float, high: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kpi": [kpi, kpi],
            "scenario": ["base", "other"],
            "mean": [base, base + diff],
            "diff": [0.0, diff],
            "diff_ci_low": [0.0, low],
            "diff_ci_high": [0.0, high],
            "significant": [False, low > 0 or high < 0],
        }
    )


def test_the_threshold_hides_a_tiny_significant_difference_and_shows_a_two_point_one():
    # both significant (intervals exclude 0); only the 2-point one is practically large
    tiny = mark_matters(_table("one_trip_rate", 0.9, 1e-5, 0.5e-5, 1.5e-5))
    large = mark_matters(_table("one_trip_rate", 0.9, 0.02, 0.015, 0.025))
    assert bool(tiny["significant"].iloc[1]) and not tiny["matters"].iloc[1]
    assert large["matters"].tolist() == [False, True]
    # not a share: 5% of the base
    assert not matters("mean_days_to_close", 0.04, True, 1.0)
    assert matters("mean_days_to_close", -0.06, True, 1.0)
    # practically large but not significant does not matter
    assert not matters("one_trip_rate", 0.02, False, 0.9)


def test_float_noise_is_rounded_to_zero_and_never_significant():
    table = mark_matters(_table("cases", 1000.0, 6.7e-17, 6.7e-17, 6.7e-17))
    row = table.iloc[1]
    assert (row["diff"], row["diff_ci_low"], row["diff_ci_high"]) == (0.0, 0.0, 0.0)
    assert not row["significant"] and not row["matters"]


def test_paired_differences_then_the_rule():
    base = pd.DataFrame({"one_trip_rate": [0.90, 0.91, 0.89, 0.90]}, index=[0, 1, 2, 3])
    other = base.copy()
    other["one_trip_rate"] += [0.02, 0.021, 0.019, 0.02]
    diffs = paired_differences(base, other)
    assert bool(diffs["significant"].iloc[0])
    table = pd.concat(
        [
            pd.DataFrame({"kpi": ["one_trip_rate"], "scenario": ["b"], "mean": [0.9],
                          "diff": [0.0], "diff_ci_low": [0.0], "diff_ci_high": [0.0],
                          "significant": [False]}),
            diffs.drop(columns="pairs").assign(scenario="o", mean=0.92),
        ],
        ignore_index=True,
    )  # fmt: skip
    assert mark_matters(table)["matters"].tolist() == [False, True]
