"""The office naming rule (scenario/names.py) agrees with the city the engine builds."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.contract import Level
from simulation.engine.city import build_city
from simulation.scenario import names
from simulation.scenario.loader import load_scenario, packaged_default_path
from simulation.scenario.schema import CitySpec, CountySpec, GenerateSpec, Scenario

LISTED = CitySpec(
    name="Harbour",
    villages_per_town=3,
    grids_per_village=2,
    counties=[
        CountySpec(name="Nanhu", population=12_000, towns=12, grids_per_village=11),
        CountySpec(name="St. Mary", population=500, towns=2, villages_per_town=1),
        CountySpec(name="Harbour", population=10, towns=1),  # a county named like the city
    ],
)
JIAXING = load_scenario(packaged_default_path()).city  # real towns (divisions: jiaxing)
CITIES = {
    "jiaxing": JIAXING,
    "generated default": CitySpec(),
    "generated, one county of one town": CitySpec(
        generate=GenerateSpec(counties=1, towns_per_county=1)
    ),
    "listed, padded to 2 digits": LISTED,
}


def built(city: CitySpec):
    return build_city(Scenario(name="t", city=city)).offices


@pytest.mark.parametrize("city", CITIES.values(), ids=CITIES.keys())
def test_names_levels_and_size_are_those_of_the_built_city(city):
    offices = built(city)
    assert list(names.office_names(city)) == [o.name for o in offices]
    by_name = {o.name: o for o in offices}  # a later office of the same name wins, as in overrides
    for name, office in by_name.items():
        assert names.office_level(city, name) == office.level, name
    residents = sum(o.residents for o in offices if o.level == Level.grid)
    assert names.city_size(city) == (len(offices), residents)


@pytest.mark.parametrize(
    "name",
    [
        "Nanhu/town-3",  # not padded
        "Nanhu/town-00",
        "Nanhu/town-13",  # past the count
        "Nanhu/town-01/village-4",
        "Nanhu/town-01/village-1/grid-12",
        "Nanhu/town-01/village-1/grid-01/x",  # below a grid
        "Nanhu/",
        "nanhu",
        "St. Mary/town-1/village-2",
        "Nanhu/town-1-1",  # the generated form in a listed city
        "town-01",
        "Nanhu/town-" + "1" * 5000,
    ],
)
def test_near_misses_are_not_office_names(name):
    assert names.office_level(LISTED, name) is None


@pytest.mark.parametrize(
    "name",
    [
        "county-01",
        "county-3",
        "county-0",
        "county-1/town-2-1",  # the numbers above must be the county's
        "county-1/town-1",
        "county-1/town-1-1/village-1-1-5",
        "county-1/town-1-1/village-1-1-1/grid-1-1-1-6",
        "county-1/town-1-1/village-1-2-1",
        "county-１",  # a full-width digit
    ],
)
def test_near_misses_are_not_generated_office_names(name):
    assert names.office_level(CitySpec(), name) is None


def test_a_huge_generated_city_is_parsed_not_listed():
    city = CitySpec.model_construct(generate=GenerateSpec(counties=10**30), name="Big")
    assert names.office_level(city, "county-1000000000000000000000000000000") == Level.county
    assert names.office_level(city, "county-1000000000000000000000000000001") is None
    assert names.office_level(city, f"county-{10**29}/town-{10**29}-3") == Level.town
    assert names.is_county(city, "county-77") and not names.is_county(city, "county-0")
    assert names.county_names(city)[-1] == "county-1000000000000000000000000000000"


shapes = st.tuples(*(st.integers(1, 3) for _ in range(4)))


@settings(max_examples=40, deadline=None)
@given(shape=shapes, listed=st.booleans(), towns=st.integers(1, 12))
def test_every_built_office_is_named_by_the_rule(shape, listed, towns):
    counties, per_county, villages, grids = shape
    if listed:
        city = CitySpec(
            villages_per_town=villages,
            grids_per_village=grids,
            counties=[
                CountySpec(name=f"C{i}", population=100 * i, towns=towns if i == 1 else per_county)
                for i in range(1, counties + 1)
            ],
        )
    else:
        generate = GenerateSpec(
            counties=counties,
            towns_per_county=per_county,
            villages_per_town=villages,
            grids_per_village=grids,
        )
        city = CitySpec(generate=generate)
    offices = built(city)
    assert list(names.office_names(city)) == [o.name for o in offices]
    assert all(names.office_level(city, o.name) == o.level for o in offices)
    assert names.city_size(city)[0] == len(offices)


@pytest.mark.parametrize(
    ("city", "name", "hint"),
    [
        (LISTED, "Nanhu/town-3/village-2", "did you mean 'Nanhu/town-03/village-2'?"),
        (LISTED, "Nanhuu", "did you mean 'Nanhu'?"),
        (LISTED, "St. Mary/town-3", "did you mean 'St. Mary/town-2'?"),
        (JIAXING, "Nanhu/jianshe/village-1", "did you mean 'Nanhu/Jianshe Street/village-01'?"),
        (JIAXING, "平胡", "did you mean 'Pinghu'?"),
        (CitySpec(), "county-1/town-1", "did you mean 'county-1/town-1-1'?"),
        (CitySpec(), "county-2/town-1-3", "did you mean 'county-2/town-2-3'?"),
        (CitySpec(), "Atlantis", None),
        (
            CitySpec(generate=GenerateSpec(counties=20_000)),  # 1.5 million offices
            "county-1/town-9-9",
            "office names look like 'county-1/town-1-1'",
        ),
    ],
)
def test_suggestion_for_an_unknown_office_name(city, name, hint):
    assert names.office_level(city, name) is None
    assert names.suggest_office(city, name) == hint


def test_a_chinese_override_of_a_county_the_scenario_overrides_in_english_is_one_override():
    base = load_scenario(packaged_default_path())
    assert base.offices.overrides["Haining"].staff != 3
    changed = load_scenario(packaged_default_path(), ["offices.overrides.海宁={staff: 3}"])
    assert changed.offices.overrides["Haining"].staff == 3
    assert "海宁" not in changed.offices.overrides
