"""Targets that respect the quantity: share intervals inside [0, 1], bounds, county targets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from builders import SMALL, loaded

from simulation.analysis.counties import county_kpis
from simulation.analysis.intervals import kpi_interval, meets_with
from simulation.analysis.kpis import summarize
from simulation.errors import ScenarioError
from simulation.experiments.runner import run
from simulation.outputs.targets_text import misses, target_counts, targets_met_text

SHORT = {"horizon_days": 10, "warmup_days": 2, "replications": 3}


@pytest.mark.parametrize("value", [0.0, 1.0])
def test_no_share_interval_leaves_the_unit_interval(value):
    per_rep = pd.DataFrame(
        {
            "one_trip_rate": [value] * 5,
            "escalated_out_rate": [value] * 4 + [abs(value - 1e-4)],
            "resolved_rate": [value, value, value, abs(value - 0.02), value],
        }
    )
    table = summarize(per_rep)
    assert (table["ci_low"] >= 0).all() and (table["ci_high"] <= 1).all()
    assert (table["ci_low"] <= table["mean"]).all() and (table["mean"] <= table["ci_high"]).all()
    # a rare event: the Student-t interval would go below 0, the bootstrap does not
    mean, low, high, n = kpi_interval("escalated_out_rate", [0, 0, 0, 0, 0, 0, 0, 0, 0, 1e-5])
    assert (mean, low, n) == (pytest.approx(1e-6), 0.0, 10) and 0 < high <= 1e-5
    # a quantity that is not a share keeps its Student-t interval
    assert kpi_interval("days_to_close", [1.0, 2.0, 3.0])[1] == pytest.approx(2 - 2.4842, 1e-3)


def test_met_by_the_mean_strict_by_the_whole_interval():
    assert meets_with("one_trip_rate", 0.91, 0.88, 0.94, 0.90)
    assert not meets_with("one_trip_rate", 0.91, 0.88, 0.94, 0.90, strict=True)
    assert meets_with("escalated_out_rate", 5e-5, 0.0, 2e-4, 1e-4)
    assert not meets_with("escalated_out_rate", 5e-5, 0.0, 2e-4, 1e-4, strict=True)
    assert not meets_with("one_trip_rate", np.nan, np.nan, np.nan, 0.9)


def test_target_forms_are_read_and_bad_ones_named():
    s = loaded(
        SMALL,
        targets={
            "escalated_out_rate": {"max": 0.0001},
            "one_trip_rate": {"min": 0.9, "by": "county", "counties": {"county-2": 0.8}},
        },
    )
    assert s.targets["escalated_out_rate"] == 0.0001 and s.targets["one_trip_rate"] == 0.9
    assert s.county_targets == {"one_trip_rate": {"*": 0.9, "county-2": 0.8}}
    again = loaded(s.to_dict())
    assert again.county_targets == s.county_targets
    for bad, key in [
        ({"escalated_out_rate": {"min": 0.1}}, "escalated_out_rate"),
        ({"one_trip_rate": {"min": 0.9, "by": "town"}}, "by"),
        ({"one_trip_rate": {"min": 0.9, "counties": {"Nowhere": 0.8}}}, "Nowhere"),
        ({"one_trip_rate": {"min": 0.9, "max": 1}}, "one_trip_rate"),
    ]:
        with pytest.raises(ScenarioError, match=key):
            loaded(SMALL, targets=bad)


def test_a_target_missed_by_one_county_only_is_reported_as_missed_by_that_county():
    s = loaded(SMALL, **SHORT)
    results = run(s)
    plain = county_kpis(results.cases, results.offices, results.daily, s.horizon_days)
    rates = plain[plain["kpi"] == "one_trip_rate"].set_index("county")["mean"].sort_values()
    assert len(rates) >= 2 and rates.iloc[0] < rates.iloc[1]
    worst, target = rates.index[0], (rates.iloc[0] + rates.iloc[1]) / 2
    s = loaded(SMALL, **SHORT, targets={"one_trip_rate": {"min": float(target), "by": "county"}})
    results = run(s)
    missed = misses(results.kpis, results.kpis_by_county)
    county_rows = missed[missed["where"] != "city"]
    assert list(county_rows["where"]) == [worst]
    assert list(county_rows["kpi"]) == ["one_trip_rate"]
    _, _, cmet, ctotal = target_counts(results.kpis, results.kpis_by_county)
    assert (cmet, ctotal) == (len(rates) - 1, len(rates))
    line = targets_met_text(results, "en", "out/")
    assert f"counties {len(rates) - 1} of {len(rates)}" in line
    assert f"missed: {worst} one_trip_rate" in line
