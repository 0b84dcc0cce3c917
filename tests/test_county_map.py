"""The county map: per-county KPIs from the cases, a choropleth of real boundaries with ✓/✗
against the target, and a schematic tile map for a generated city."""

from __future__ import annotations

import io
import warnings

import pandas as pd
import pytest
from matplotlib.patches import Polygon

from simulation import load_scenario, run
from simulation.analysis.counties import county_kpis
from simulation.contract import COUNTY_KPIS, COUNTY_STAFF_KPIS
from simulation.outputs.county_map import boundaries, county_map, default_map_kpi
from simulation.scenario.divisions import load_divisions
from simulation.scenario.loader import packaged_default_path

SHORT = ["horizon_days=10", "warmup_days=2", "replications=2"]


@pytest.fixture(scope="module")
def results():
    return run(load_scenario(packaged_default_path(), SHORT))


@pytest.fixture(scope="module")
def table(results):
    s = results.scenario
    return county_kpis(results.cases, results.offices, results.daily, s.horizon_days, s.targets)


def test_the_shipped_boundaries_cover_the_seven_counties():
    shapes = boundaries("jiaxing")
    assert set(shapes) == set(load_divisions("jiaxing").county_names())
    for rings in shapes.values():
        lon, lat = rings[0][:, 0], rings[0][:, 1]
        assert 120.2 < lon.min() and lon.max() < 121.4 and 30.2 < lat.min() and lat.max() < 31.1


def test_per_county_kpis_split_the_citys_cases(results, table):
    cases = table[table["kpi"] == "cases"].set_index("county")["mean"]
    assert len(cases) == 7
    assert cases.sum() == pytest.approx(results.kpi("cases"))
    door = table[table["kpi"] == "one_door_rate"]
    assert door["mean"].between(0, 1).all()
    assert (door["target"] == 0.95).all()
    assert list(door["meets"]) == [m >= 0.95 for m in door["mean"]]
    assert set(table["kpi"]) == set(COUNTY_KPIS) | set(COUNTY_STAFF_KPIS)
    # staff by county: the counties' own offices add up to the city's, less the city office
    staff = table[table["kpi"] == "staff"]["mean"].sum()
    city_office = results.offices[results.offices["level"] == "city"]["staff"].iloc[0]
    assert staff == results.kpi("staff") - city_office
    cost = table[table["kpi"] == "staff_cost"]["mean"].sum()
    assert cost == pytest.approx(results.kpi("staff_cost") - results.kpi("staff_cost_city"))
    assert table.loc[table["kpi"] == "cases", "meets"].isna().all()  # no target, no mark


def test_per_county_rates_agree_with_the_cases(results, table):
    cases = results.cases
    disputes = cases[cases["kind"] == "dispute"]  # the per-county KPIs count disputes
    closed = disputes[disputes["outcome"].astype(str) != "open"]
    pinghu = closed[closed["county"] == "Pinghu"]
    by_rep = (pinghu["doors"] <= 1).groupby(pinghu["replication"]).mean()
    got = table.set_index(["county", "kpi"]).loc[("Pinghu", "one_door_rate"), "mean"]
    assert got == pytest.approx(by_rep.mean())


def _labels(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_map_draws_every_county_with_its_value_and_mark(table, lang):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = county_map(
            table, "one_door_rate", "jiaxing", lang, load_divisions("jiaxing").zh_names()
        )
        fig.savefig(io.BytesIO(), format="png", dpi=50)
    ax = fig.axes[0]
    assert sum(isinstance(p, Polygon) for p in ax.patches) >= 7
    labels = _labels(fig)
    assert len(labels) == 7 and all(("✓" in t) or ("✗" in t) for t in labels)
    assert all("%" in t for t in labels)
    assert any(("平湖市" if lang == "zh" else "Pinghu") in t for t in labels)


def test_the_map_reads_a_hand_made_per_county_table():
    table = pd.DataFrame(
        {
            "county": ["Nanhu", "Pinghu"],
            "kpi": ["grassroots_rate"] * 2,
            "mean": [0.93, 0.85],
            "target": [0.9, 0.9],
            "meets": [True, False],
        }
    )
    fig = county_map(table, "grassroots_rate", "jiaxing")
    labels = _labels(fig)
    assert "Nanhu\n93.0% ✓" in labels and "Pinghu\n85.0% ✗" in labels


def test_a_generated_city_gets_a_schematic_tile_map():
    city = {"generate": {"counties": 5, "population": 50_000}}
    scenario = load_scenario(
        {"name": "g", "horizon_days": 5, "warmup_days": 1, "replications": 2, "city": city}
    )
    r = run(scenario)
    table = county_kpis(r.cases, r.offices, r.daily, 5, scenario.targets)
    fig = county_map(table, default_map_kpi(scenario.targets), None)
    assert "schematic" in fig.get_suptitle()
    assert len([p for p in fig.axes[0].patches if isinstance(p, Polygon)]) == 5


def test_the_default_map_kpi_is_the_first_targeted_one_a_county_determines():
    assert default_map_kpi({"utilization_town": 0.5, "one_trip_rate": 0.9}) == "one_trip_rate"
    assert default_map_kpi({}) == "grassroots_rate"
