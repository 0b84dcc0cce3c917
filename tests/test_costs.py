"""Staff and staff costs: cost_per_staff_year per level and per office, KPIs by level/county."""

from __future__ import annotations

import pytest
from builders import SMALL, loaded

from simulation.experiments.runner import run
from simulation.scenario.offices import DEFAULT_COST_PER_STAFF_YEAR

SHORT = {"horizon_days": 5, "warmup_days": 1, "replications": 2}


def test_staff_cost_is_staff_times_the_cost_of_each_office():
    s = loaded(
        SMALL, **SHORT,
        offices={"town": {"cost_per_staff_year": 100_000},
                 "overrides": {"county-2": {"cost_per_staff_year": 300_000}}},
    )  # fmt: skip
    r = run(s)
    one = r.offices[(r.offices["replication"] == 0) & (r.offices["level"] != "hotline")]
    expected = {
        "grid": DEFAULT_COST_PER_STAFF_YEAR, "village": DEFAULT_COST_PER_STAFF_YEAR,
        "town": 100_000, "city": DEFAULT_COST_PER_STAFF_YEAR,
    }  # fmt: skip
    for level, cost in expected.items():
        staff = one.loc[one["level"] == level, "staff"].sum()
        assert r.kpi(f"staff_cost_{level}") == pytest.approx(staff * cost)
    county = one[one["level"] == "county"].set_index("county")["staff"]
    assert r.kpi("staff_cost_county") == pytest.approx(
        county["county-1"] * DEFAULT_COST_PER_STAFF_YEAR + county["county-2"] * 300_000
    )
    assert r.kpi("staff") == one["staff"].sum()
    assert r.kpi("staff_cost") == pytest.approx(sum(r.kpi(f"staff_cost_{lv}") for lv in expected)
                                                + r.kpi("staff_cost_county"))  # fmt: skip
    by_county = r.kpis_by_county.set_index(["county", "kpi"])["mean"]
    assert by_county["county-2", "staff_cost_county"] == pytest.approx(county["county-2"] * 3e5)
    assert ("county-2", "staff_cost_city") not in by_county.index


def test_a_negative_cost_is_refused_with_its_key():
    from simulation.errors import ScenarioError

    with pytest.raises(ScenarioError, match="offices.town.cost_per_staff_year"):
        loaded(SMALL, offices={"town": {"cost_per_staff_year": -1}})
