"""Policies that move on the full-load default: short CRN comparisons, direction only, each with
the paired 95% interval excluding zero (issue 11)."""

from __future__ import annotations

import pytest

from simulation import load_scenario
from simulation.analysis.stats import mean_ci
from simulation.experiments.compare import compare
from simulation.outputs.library import scenarios_dir
from simulation.scenario.loader import packaged_default_path

# about 90 s on 2 cores: run in CI's slow stage (`pytest -m slow`), not in the default suite
pytestmark = pytest.mark.slow

SHORT = ["horizon_days=14", "warmup_days=7", "replications=3"]


def _diff(comparison, label: str, kpi: str) -> tuple[float, float, float]:
    t = comparison.table
    row = t[(t["scenario"] == label) & (t["kpi"] == kpi)].iloc[0]
    return row["diff"], row["diff_ci_low"], row["diff_ci_high"]


def _raises(comparison, label: str, kpi: str) -> None:
    diff, low, high = _diff(comparison, label, kpi)
    assert low > 0, (label, kpi, diff, low, high)


def test_one_stop_off_raises_days_to_close_trips_and_hours_at_the_county():
    base = load_scenario(packaged_default_path(), SHORT)
    scattered = load_scenario(scenarios_dir() / "scattered-departments.yaml", SHORT)
    comparison = compare(base, scattered)
    for kpi in ("mean_days_to_close", "mean_trips", "hours_in_system_county"):
        _raises(comparison, "scattered-departments", kpi)


def test_a_quarter_fewer_county_staff_raises_hours_in_system_at_the_county():
    base = load_scenario(packaged_default_path(), SHORT)
    cut = load_scenario(scenarios_dir() / "county-staff-cut.yaml", SHORT)
    comparison = compare(base, cut)
    _raises(comparison, "county-staff-cut", "hours_in_system_county")
    _raises(comparison, "county-staff-cut", "utilization_county")


def test_town_staff_sweep_is_monotone():
    runs = [
        load_scenario(packaged_default_path(), [*SHORT, f"offices.town.staff={n}", f"name=t{n}"])
        for n in (3, 5, 8)
    ]
    comparison = compare(*runs)
    # fewer town staff: longer at the town; each step's paired difference excludes zero
    for label in ("t5", "t8"):
        diff, _, high = _diff(comparison, label, "hours_in_system_town")
        assert high < 0, (label, diff, high)
    t = comparison.table.set_index(["scenario", "kpi"])["mean"]
    values = [t[(f"t{n}", "hours_in_system_town")] for n in (3, 5, 8)]
    assert values == sorted(values, reverse=True)
    utilisation = [t[(f"t{n}", "utilization_town")] for n in (3, 5, 8)]
    assert utilisation == sorted(utilisation, reverse=True)


def _pinghu_disputes(results) -> tuple:
    """Per replication: Pinghu's disputes still open at the end and their mean days to close."""
    c = results.cases
    c = c[(c["county"] == "Pinghu") & (c["kind"] == "dispute")]
    opened = (c["outcome"].astype(str) == "open").groupby(c["replication"]).sum()
    closed = c[c["outcome"].astype(str) != "open"]
    days = (closed["closed_day"] - closed["arrival_day"]).groupby(closed["replication"]).mean()
    return opened.to_numpy(dtype=float), days.to_numpy(dtype=float)


def test_a_surge_raises_that_countys_open_cases_and_time_to_close():
    """The backlog of the issue (open longer than backlog_days = 90) needs a longer run than a
    test affords; what is still open at the end is its short-run measure."""
    base = load_scenario(packaged_default_path(), SHORT)
    surge = load_scenario(
        scenarios_dir() / "factory-closure-surge.yaml", [*SHORT, "arrivals.surges.0.start_day=0"]
    )
    comparison = compare(base, surge)
    open_base, days_base = _pinghu_disputes(comparison.results["jiaxing-baseline"])
    open_surge, days_surge = _pinghu_disputes(comparison.results["factory-closure-surge"])
    for name, diff in (("open", open_surge - open_base), ("days", days_surge - days_base)):
        low = mean_ci(diff)[1]
        assert low > 0, (name, diff)
    # city-wide, Pinghu's centre is one of seven: utilization_county moves, not significantly
