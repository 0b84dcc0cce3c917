"""Real names and codes: Jiaxing's 72 towns and streets, Chinese or English county names."""

from __future__ import annotations

import pandas as pd
import pytest

from simulation.cli import main
from simulation.contract import Level
from simulation.engine.city import build_city
from simulation.errors import ScenarioError
from simulation.scenario.divisions import canonical_office, load_divisions
from simulation.scenario.loader import load_scenario, packaged_default_path

SHORT = ["horizon_days=10", "warmup_days=2", "replications=1"]


@pytest.fixture(scope="module")
def jiaxing():
    return load_divisions("jiaxing")


@pytest.fixture(scope="module")
def city():
    return build_city(load_scenario(packaged_default_path()))


def test_the_table_has_jiaxings_seven_counties_and_72_towns(jiaxing):
    counts = {c.name_en: len(c.towns) for c in jiaxing.counties}
    assert counts == {
        "Nanhu": 13, "Xiuzhou": 9, "Jiashan": 9, "Haiyan": 9,
        "Haining": 12, "Pinghu": 9, "Tongxiang": 11,
    }  # fmt: skip
    codes = [t.code for c in jiaxing.counties for t in c.towns]
    assert len(set(codes)) == 72
    assert all(len(code) == 12 and code.isdigit() and code.startswith("3304") for code in codes)


def test_the_default_city_has_real_town_names_and_codes(city):
    towns = [o for o in city.offices if o.level == Level.town]
    assert len(towns) == 72
    by_name = {o.name: o for o in towns}
    assert by_name["Nanhu/Jianshe Street"].code == "330402007000"
    assert by_name["Tongxiang/Wuzhen Town"].code.startswith("330483")
    # 新城街道 and 新塍镇 both romanise to Xincheng: the kind tells them apart
    assert {"Xiuzhou/Xincheng Street", "Xiuzhou/Xincheng Town"} <= set(by_name)
    assert city.offices[0].code == "330400000000"
    pinghu = next(o for o in city.offices if o.name == "Pinghu")
    assert pinghu.code == "330482000000"


def test_villages_and_grids_stay_synthetic_under_real_towns(city):
    village = next(o for o in city.offices if o.level == Level.village)
    grid = next(o for o in city.offices if o.level == Level.grid)
    assert village.name == "Nanhu/Jianshe Street/village-01"
    assert grid.name == "Nanhu/Jianshe Street/village-01/grid-1"
    assert village.code == grid.code == ""


@pytest.mark.parametrize("name", ["平湖", "平湖市", "pinghu", "PINGHU"])
def test_a_county_named_in_chinese_or_english_is_the_same_scenario(name):
    ours = load_scenario(packaged_default_path(), [f"offices.overrides.{name}={{staff: 3}}"])
    english = load_scenario(packaged_default_path(), ["offices.overrides.Pinghu={staff: 3}"])
    assert ours == english


def test_a_surge_where_may_be_chinese():
    surge = "{name: s, where: 平湖, type: labour, start_day: 1, days: 2, per_day: 1}"
    english = "{name: s, where: Pinghu, type: labour, start_day: 1, days: 2, per_day: 1}"
    ours = load_scenario(packaged_default_path(), [f"arrivals.surges=[{surge}]"])
    assert ours == load_scenario(packaged_default_path(), [f"arrivals.surges=[{english}]"])


def test_a_town_may_be_named_in_chinese_in_an_override(jiaxing):
    assert canonical_office("平湖/当湖街道", jiaxing) == "Pinghu/Danghu Street"
    assert canonical_office("海宁/许村", jiaxing) == "Haining/Xucun Town"
    assert canonical_office("秀洲/新城", jiaxing) == "Xiuzhou/Xincheng Street"
    assert canonical_office("秀洲/Xincheng", jiaxing) == "Xiuzhou/Xincheng"  # two towns: unknown
    scenario = load_scenario(packaged_default_path(), ["offices.overrides.海宁/许村镇={staff: 9}"])
    town = next(o for o in build_city(scenario).offices if o.name == "Haining/Xucun Town")
    assert town.staff == 9


def test_an_unknown_county_in_an_override_lists_the_valid_ones_with_a_suggestion():
    with pytest.raises(ScenarioError) as info:  # at load: the city is never built
        load_scenario(packaged_default_path(), ["offices.overrides.Pinhu={staff: 3}"])
    error = info.value
    assert (error.key, error.from_set) == ("offices.overrides.Pinhu", True)
    assert "Nanhu, Xiuzhou" in error.expected and "Haiyan" in error.expected
    assert error.hint == "did you mean 'Pinghu'?"


def test_a_misspelt_chinese_county_gets_a_suggestion():
    surge = "{name: s, where: 平胡, type: labour, start_day: 1, days: 2, per_day: 1}"
    with pytest.raises(ScenarioError) as info:
        load_scenario(packaged_default_path(), [f"arrivals.surges=[{surge}]"])
    assert info.value.key == "arrivals.surges.0.where"
    assert "Pinghu" in info.value.found and "Nanhu" in info.value.expected


def test_a_county_outside_the_divisions_is_refused_with_the_list():
    with pytest.raises(ScenarioError) as info:
        load_scenario(packaged_default_path(), ["city.counties.0.name=Hangzhou"])
    assert info.value.key == "city.counties.0.name"
    assert "Tongxiang" in info.value.expected


def test_a_town_count_that_disagrees_with_the_divisions_is_refused():
    with pytest.raises(ScenarioError) as info:
        load_scenario(packaged_default_path(), ["city.counties.0.towns=3"])
    assert info.value.key == "city.counties.0.towns"
    assert "13 towns" in info.value.expected


def test_a_made_up_city_keeps_synthetic_names_and_empty_codes():
    scenario = load_scenario({"name": "t", "city": {"generate": {"counties": 1}}})
    offices = build_city(scenario).offices
    assert offices[2].name == "county-1/town-1-1"
    assert {o.code for o in offices} == {""}


def test_outputs_carry_office_and_town_codes(tmp_path):
    out = tmp_path / "run"
    assert main(["run", *sum((["--set", s] for s in SHORT), []), "--out", str(out)]) == 0
    offices = pd.read_csv(out / "offices.csv", dtype={"office_code": str}, keep_default_na=False)
    town = offices[offices["office"] == "Nanhu/Jianshe Street"].iloc[0]
    assert town["office_code"] == "330402007000"
    assert offices.loc[offices["level"] == "grid", "office_code"].eq("").all()
    cases = pd.read_parquet(out / "cases.parquet")
    pairs = cases[["town", "town_code"]].astype(str).drop_duplicates()
    codes = dict(zip(offices["office"], offices["office_code"], strict=False))
    assert all(codes[t] == c for t, c in pairs.itertuples(index=False))
