"""Loading scenarios: files, extends, overrides, and one clear error per bad input."""

from __future__ import annotations

import pickle
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from simulation.contract import KPI_NAMES
from simulation.errors import ScenarioError
from simulation.scenario.compose import merge
from simulation.scenario.loader import (
    dump_yaml,
    load_scenario,
    packaged_default_path,
    resolve_dict,
)
from simulation.scenario.schema import Scenario

MINIMAL = {"name": "t"}


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def error_of(source, overrides=None) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(source, overrides)
    return caught.value


def problem_at(error: ScenarioError, key: str) -> ScenarioError:
    for problem in error.problems:
        if problem.key == key:
            return problem
    raise AssertionError(f"no problem at {key!r} in:\n{error}")


# ---------------------------------------------------------------- bad inputs: one table


@dataclass(frozen=True)
class Bad:
    """A scenario that must not load, and the first problem it must report.

    ``files`` are written into a fresh folder (``x.yaml`` is loaded, with ``overrides``); text
    is dedented. ``line`` and ``file`` (a name in ``files``) are checked always, the other fields
    when given; ``message`` is the whole ``str(error)`` with ``{x}`` for the loaded file's path.
    """

    files: dict[str, str]
    key: str
    line: int | None
    expected: str | None = None
    found: str | None = None
    hint: str | None = None
    message: str | None = None
    file: str = "x.yaml"
    overrides: tuple[str, ...] = ()
    problems: int | None = None
    column: int | None = None


def one(text: str, key: str, line: int | None, **fields) -> Bad:
    return Bad({"x.yaml": text}, key, line, **fields)


COUNTIES = """
name: t
city:
  counties:
    - {name: Nanhu, population: 1000, towns: 12}
    - {name: St. Mary, population: 1000, towns: 2}
"""

BAD = {
    # ------------------------------------------------ keys and values
    "unknown top-level key": one(
        "name: t\nhorizon_dayz: 30\n",
        "horizon_dayz",
        2,
        found="'horizon_dayz'",
        hint="did you mean 'horizon_days'?",
        message="{x}:2: horizon_dayz: expected a known key, found 'horizon_dayz'\n"
        "  did you mean 'horizon_days'?",
    ),
    "unknown nested key": one(
        "name: t\noffices:\n  county:\n    stafff: 3\n",
        "offices.county.stafff",
        4,
        hint="did you mean 'staff'?",
    ),
    "unknown key in a case type": one(
        """
        name: t
        case_types:
          family:
            share: 1.0
            severty: {minor: 1}
        """,
        "case_types.family.severty",
        5,
        hint="did you mean 'severity'?",
    ),
    "wrong type": one(
        "name: t\nhorizon_days: soon\n", "horizon_days", 2, expected="an integer", found="'soon'"
    ),
    "probability out of range": one(
        "name: t\nescalation:\n  give_up: 1.5\n",
        "escalation.give_up",
        3,
        expected="a number between 0 and 1",
        found="1.5",
    ),
    "case type shares not summing to one": one(
        """
        name: t
        case_types:
          family: {share: 0.5}
          labour: {share: 0.3}
        """,
        "case_types",
        2,
        expected="case_types shares summing to 1",
        found="a sum of 0.8",
    ),
    "channel shares not summing to one": one(
        "name: t\narrivals:\n  channels: {grid_visit: 0.5}\n",
        "arrivals.channels",
        3,
        found="a sum of 0.5",
    ),
    "zero staff": one(
        "name: t\noffices:\n  county: {staff: 0}\n",
        "offices.county.staff",
        3,
        message="{x}:3: offices.county.staff: expected an integer >= 1, found 0",
    ),
    "negative staff": one(
        "name: t\noffices:\n  town:\n    staff: -2\n", "offices.town.staff", 4, found="-2"
    ),
    "triangular low above high": one(
        """
        name: t
        case_types:
          dispute:
            share: 1
            handling_hours:
              city: {dist: triangular, low: 9, mode: 5, high: 4}
        """,
        "case_types.dispute.handling_hours.city",
        6,
        expected="low <= mode <= high and low < high",
        found="low=9.0, mode=5.0, high=4.0",
    ),
    "negative distribution mean": one(
        """
        name: t
        case_types:
          dispute:
            share: 1
            handling_hours:
              grid:
                dist: lognormal
                mean: -1
                sd: 1
        """,
        "case_types.dispute.handling_hours.grid.mean",
        8,
        expected="a number > 0",
    ),
    "unknown distribution name": one(
        """
        name: t
        case_types:
          dispute:
            share: 1
            handling_hours:
              town: {dist: lognorm, mean: 3, sd: 1}
        """,
        "case_types.dispute.handling_hours.town.dist",
        6,
        found="'lognorm'",
        hint="did you mean 'lognormal'?",
    ),
    "bad hours span": one(
        'name: t\ncalendar:\n  hours: ["08:30-12:00", "8-12"]\n',
        "calendar.hours.1",
        3,
        found="'8-12'",
    ),
    "unknown weekday": one(
        "name: t\ncalendar:\n  workdays:\n    - mon\n    - tues\n",
        "calendar.workdays.1",
        5,
        found="'tues'",
        hint="did you mean 'tue'?",
    ),
    "weekly of length six": one(
        "name: t\narrivals:\n  weekly: [1, 1, 1, 1, 1, 1]\n",
        "arrivals.weekly",
        3,
        expected="a list of 7 values",
        found="6 values: [1, 1, 1, 1, 1, 1]",
    ),
    "unknown channel": one(
        "name: t\narrivals:\n  channels: {hotlin: 1.0}\n",
        "arrivals.channels.hotlin",
        3,
        hint="did you mean 'hotline'?",
    ),
    "missing required key": one(
        "description: no name\n", "name", None, expected="a value", found="nothing"
    ),
    "missing share": one(
        "name: t\ncase_types:\n  family:\n    department: x\n",
        "case_types.family.share",
        3,
        found="nothing",
    ),
    "department of wrong type": one(
        "name: t\ncase_types:\n  d: {share: 1, department: 5}\n",
        "case_types.d.department",
        3,
        expected="a text string or a list",
        problems=1,
    ),
    "duplicate county names": one(
        """
        name: t
        city:
          counties:
            - {name: Nanhu, population: 1000, towns: 2}
            - {name: Nanhu, population: 1000, towns: 2}
        """,
        "city.counties",
        3,
        expected="unique county names",
        found="'Nanhu' more than once",
    ),
    "counties and generate both given": one(
        """
        name: t
        city:
          counties: [{name: Nanhu, population: 1000, towns: 2}]
          generate: {counties: 2}
        """,
        "city.generate",
        4,
        expected="either 'counties' or 'generate', not both",
    ),
    # ------------------------------------------------ targets (checked by the schema)
    "unknown target KPI": one(
        "name: t\ntargets:\n  one_dor_rate: 0.9\n",
        "targets.one_dor_rate",
        3,
        message="{x}:3: targets.one_dor_rate: expected a KPI name, found 'one_dor_rate'\n"
        "  did you mean 'one_door_rate'?",
    ),
    "unknown target KPI with a bad value too": one(
        "name: t\ntargets:\n  one_dor_rate: high\n",
        "targets.one_dor_rate",
        3,
        expected="a KPI name",
        problems=1,
    ),
    "target value not a number": one(
        "name: t\ntargets:\n  one_door_rate: high\n",
        "targets.one_door_rate",
        3,
        expected="a number",
        found="'high'",
        problems=1,
    ),
    "target value a quoted number": one(
        "name: t\ntargets:\n  one_door_rate: '0.9'\n",
        "targets.one_door_rate",
        3,
        message="{x}:3: targets.one_door_rate: expected a number, found '0.9'",
    ),
    "target value a boolean": one(
        "name: t\ntargets:\n  one_door_rate: true\n",
        "targets.one_door_rate",
        3,
        found="true",
    ),
    # ------------------------------------------------ surges
    "surge of unknown type": one(
        """
        name: t
        arrivals:
          surges:
            - {name: s, where: county-1, type: labour, start_day: 0, days: 1, per_day: 5}
        """,
        "arrivals.surges.0.type",
        4,
        expected="one of the case_types ['dispute']",
        found="'labour'",
    ),
    "surge in unknown county": one(
        """
        name: t
        arrivals:
          surges:
            - name: s
              where: Atlantis
              type: dispute
              start_day: 0
              days: 1
              per_day: 5
        """,
        "arrivals.surges.0.where",
        5,
        message="{x}:5: arrivals.surges.0.where: expected a county of the city "
        "['county-1', 'county-2'], found 'Atlantis'",
    ),
    # ------------------------------------------------ office overrides (checked by the schema)
    "override of an unknown county": one(
        COUNTIES + "offices:\n  overrides:\n    Nanhuu: {staff: 3}\n",
        "offices.overrides.Nanhuu",
        8,
        message="{x}:8: offices.overrides.Nanhuu: expected the name of an office (as printed "
        "in outputs) or of a county: Nanhu, St. Mary, found 'Nanhuu'\n  did you mean 'Nanhu'?",
    ),
    "override of an unknown town": one(
        COUNTIES + "offices:\n  overrides:\n    Nanhu/town-3: {staff: 3}\n",
        "offices.overrides.Nanhu/town-3",
        8,
        hint="did you mean 'Nanhu/town-03'?",
    ),
    "override of a town past the count": one(
        COUNTIES + "offices:\n  overrides:\n    Nanhu/town-13: {staff: 3}\n",
        "offices.overrides.Nanhu/town-13",
        8,
        found="'Nanhu/town-13'",
    ),
    "override of a name with a dot": one(
        COUNTIES + "offices:\n  overrides:\n    St. Mary/town-3: {staff: 3}\n",
        "offices.overrides.St. Mary/town-3",
        8,
        hint="did you mean 'St. Mary/town-2'?",
    ),
    "one_stop on a town": one(
        COUNTIES + "offices:\n  overrides:\n    Nanhu/town-01:\n      one_stop: false\n",
        "offices.overrides.Nanhu/town-01.one_stop",
        9,
        message="{x}:9: offices.overrides.Nanhu/town-01.one_stop: expected 'one_stop' only on "
        "a county office, found a town office",
    ),
    "generalist on a county": one(
        COUNTIES + "offices:\n  overrides:\n    St. Mary: {staff: 3, generalist: false}\n",
        "offices.overrides.St. Mary.generalist",
        8,
        expected="'generalist' only on a village office",
        found="a county office",
    ),
    "misroute on the city": one(
        COUNTIES + "offices:\n  overrides:\n    Jiaxing: {misroute: 0.5}\n",
        "offices.overrides.Jiaxing.misroute",
        8,
        found="a city office",
    ),
    "override of a generated grid out of range": one(
        "name: t\noffices:\n  overrides:\n    county-1/town-1-1/village-1-1-1/grid-1-1-1-6: {}\n",
        "offices.overrides.county-1/town-1-1/village-1-1-1/grid-1-1-1-6",
        4,
        hint="did you mean 'county-1/town-1-1/village-1-1-1/grid-1-1-1-5'?",
    ),
    # ------------------------------------------------ a city too large to build
    "city of too many offices": one(
        "name: t\ncity:\n  generate: {counties: 1000000000}\n",
        "city.generate",
        3,
        message="{x}:3: city.generate: expected a city of at most 2,000,000 offices, found "
        "76,000,000,001 offices\n  use fewer counties, towns, villages or grids",
    ),
    "city of too many residents": one(
        "name: t\ncity:\n  generate:\n    population: 20000000000\n",
        "city.generate.population",
        4,
        expected="a city of at most 10,000,000,000 residents",
        found="20,000,000,000 residents",
    ),
    "listed counties of too many residents": one(
        "name: t\ncity:\n  counties:\n    - {name: A, population: 20000000000, towns: 1}\n",
        "city.counties",
        3,
        found="20,000,000,000 residents",
    ),
    # ------------------------------------------------ YAML
    "syntax error": one(
        "name: t\noffices:\n  county: {staff: 3\n  town: 2\n",
        "",
        4,
        column=7,
        expected="valid YAML",
    ),
    "top-level list": one(
        "- name: t\n",
        "",
        1,
        expected="a mapping of keys at the top level",
        found="a list [{'name': 't'}]",
    ),
    "empty file": one("", "", None, found="an empty file"),
    "missing file": Bad({}, "", None, expected="an existing scenario file", found="no such file"),
    # ------------------------------------------------ extends
    "extends cycle": Bad(
        {"x.yaml": "name: a\nextends: b.yaml\n", "b.yaml": "extends: x.yaml\n"},
        "extends",
        1,
        file="b.yaml",
        found="{x} -> {b} -> {x}",
    ),
    "extends a missing file": one(
        "name: t\nextends: base.yaml\n",
        "extends",
        2,
        expected="an existing file",
        found="'base.yaml' (no file {base})",
    ),
    "extends a URL": one(
        "extends: https://example.org/base.yaml\nname: t\n",
        "extends",
        1,
        expected="a local file path (URLs are not allowed)",
    ),
    "extends deeper than ten": Bad(
        {
            "x.yaml": "extends: s1.yaml\n",
            **{f"s{i}.yaml": f"extends: s{i + 1}.yaml\n" for i in range(1, 12)},
            "s12.yaml": "name: deep\n",
        },
        "extends",
        1,
        file="s10.yaml",
        expected="at most 10 levels of extends",
    ),
    "error in an extended file": Bad(
        {
            "base.yaml": "name: base\noffices:\n  town: {staff: 0}\n",
            "x.yaml": "extends: base.yaml\nname: child\n",
        },
        "offices.town.staff",
        3,
        file="base.yaml",
    ),
    # ------------------------------------------------ overrides (--set)
    "override without an equals sign": one(
        "name: t\n",
        "",
        None,
        overrides=("offices.county.staff",),
        expected="an override like key.path=value",
        found="'offices.county.staff'",
    ),
    "overridden bad value": one(
        "name: t\noffices:\n  county: {staff: 3}\n",
        "offices.county.staff",
        None,
        overrides=("offices.county.staff=0",),
        message="offices.county.staff (from --set): expected an integer >= 1, found 0",
    ),
    "override into a scalar": one(
        "name: t\n", "seed", None, overrides=("seed=1", "seed.x=1"), found="1"
    ),
    "override with an unknown key": one(
        "name: t\n",
        "offices.county.staf",
        None,
        overrides=("offices.county.staf=4",),
        hint="did you mean 'staff'?",
    ),
    "override creating a mapping of the wrong type": one(
        "name: t\n", "seed", None, overrides=("seed.x=1",), found="{'x': 1}"
    ),
    "override naming an unknown office": one(
        "name: t\n",
        "offices.overrides.county-3",
        None,
        overrides=("offices.overrides.county-3.staff=4",),
        message="offices.overrides.county-3 (from --set): expected the name of an office (as "
        "printed in outputs) or of a county: county-1, county-2, found 'county-3'\n"
        "  did you mean 'county-2'?",
    ),
}


def _fill(text: str, folder: Path) -> str:
    """``text`` with ``{x}``, ``{b}`` and ``{base}`` replaced by the paths of those files."""
    for name in ("x", "b", "base"):
        text = text.replace(f"{{{name}}}", str(folder / f"{name}.yaml"))
    return text


@pytest.mark.parametrize("case", BAD.values(), ids=BAD.keys())
def test_bad_scenario_names_file_line_and_key(tmp_path, case):
    for name, text in case.files.items():
        write(tmp_path, name, text)
    error = error_of(tmp_path / "x.yaml", list(case.overrides))
    assert error.key == case.key, error
    assert error.line == case.line, error
    if case.overrides and case.line is None:
        assert error.from_set and error.file is None, error
    else:
        assert error.file == str(tmp_path / case.file), error
    for field in ("expected", "found", "hint"):
        want = getattr(case, field)
        if want is not None:
            assert getattr(error, field) == _fill(want, tmp_path), error
    if case.message is not None:
        assert str(error) == _fill(case.message, tmp_path)
    if case.column is not None:
        assert error.column == case.column, error
    if case.problems is not None:
        assert len(error.problems) == case.problems, error


def test_several_problems_are_all_reported(tmp_path):
    path = write(tmp_path, "x.yaml", "name: t\nseed: -1\nhorizon_days: 0\nbogus: 1\n")
    error = error_of(path)
    assert [p.key for p in error.problems] == ["seed", "horizon_days", "bogus"]
    assert [p.line for p in error.problems] == [2, 3, 4]
    assert len([line for line in str(error).splitlines() if not line.startswith("  ")]) == 3


def test_more_than_ten_problems_are_counted_not_listed(tmp_path):
    source = {"name": "t", **{f"bogus{i}": i for i in range(13)}}
    error = error_of(source)
    assert len(error.problems) == 13
    assert str(error).splitlines()[-1] == "... and 3 more problems"


def test_python_tag_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "ran"
    path = write(
        tmp_path,
        "x.yaml",
        f'name: !!python/object/apply:os.system ["touch {marker}"]\n',
    )
    error = error_of(path)
    assert (error.line, error.column) == (1, 7)
    assert "!!python/object/apply:os.system" in error.found
    assert not marker.exists()


# ---------------------------------------------------------------- good inputs


def test_defaults_fill_in_everything_unnamed(tmp_path):
    scenario = load_scenario(write(tmp_path, "x.yaml", "name: t\n"))
    assert scenario == Scenario(name="t")
    assert scenario.offices.county.staff == 14
    assert scenario.arrivals.channels["hotline"] == 0.3


def test_dict_source_gives_the_same_scenario_as_a_file(tmp_path):
    text = "name: t\nseed: 7\noffices:\n  town: {staff: 9}\n"
    assert load_scenario(write(tmp_path, "x.yaml", text)) == load_scenario(yaml.safe_load(text))


def test_scenario_source_is_returned_unchanged():
    scenario = Scenario(name="t")
    assert load_scenario(scenario) is scenario


def test_extends_deep_merges_with_child_winning(tmp_path):
    write(
        tmp_path,
        "base.yaml",
        """
        name: base
        seed: 1
        offices:
          county: {staff: 10, one_stop: false}
          town: {staff: 3}
        """,
    )
    child = write(
        tmp_path, "child.yaml", "extends: base.yaml\nname: child\noffices:\n  county: {staff: 20}\n"
    )
    scenario = load_scenario(child)
    assert scenario.name == "child" and scenario.seed == 1
    assert scenario.offices.county.staff == 20
    assert scenario.offices.county.one_stop is False
    assert scenario.offices.town.staff == 3


def test_extends_replaces_share_maps_whole(tmp_path):
    write(
        tmp_path,
        "base.yaml",
        """
        name: base
        arrivals:
          channels: {grid_visit: 0.5, hotline: 0.5}
          walk_in_level: {village: 0.5, town: 0.5}
        case_types:
          d:
            share: 1
            severity: {minor: 0.5, general: 0.5}
        """,
    )
    child = write(
        tmp_path,
        "child.yaml",
        """
        extends: base.yaml
        arrivals:
          channels: {walk_in: 1.0}
          walk_in_level: {county: 1.0}
        case_types:
          d:
            severity: {major: 1.0}
        """,
    )
    scenario = load_scenario(child)
    assert scenario.arrivals.channels == {"walk_in": 1.0}
    assert scenario.arrivals.walk_in_level == {"county": 1.0}
    assert scenario.case_types["d"].severity.major == 1.0
    assert scenario.case_types["d"].severity.minor == 0.0
    assert scenario.case_types["d"].share == 1


def test_extends_replaces_lists(tmp_path):
    write(tmp_path, "base.yaml", "name: b\ncalendar:\n  workdays: [mon, tue, wed]\n")
    child = write(tmp_path, "child.yaml", "extends: base.yaml\ncalendar:\n  workdays: [sat]\n")
    assert load_scenario(child).calendar.workdays == ["sat"]


def test_extends_is_relative_to_the_extending_file(tmp_path, monkeypatch):
    write(tmp_path, "base.yaml", "name: base\nseed: 5\n")
    write(tmp_path, "variants/mid.yaml", "extends: ../base.yaml\nhorizon_days: 30\n")
    write(tmp_path, "variants/deep/leaf.yaml", "extends: ../mid.yaml\nname: leaf\n")
    monkeypatch.chdir(tmp_path / "variants" / "deep")
    scenario = load_scenario("leaf.yaml")
    assert (scenario.name, scenario.seed, scenario.horizon_days) == ("leaf", 5, 30)


def test_extends_in_dict_source_is_relative_to_current_dir(tmp_path, monkeypatch):
    write(tmp_path, "base.yaml", "name: base\nseed: 5\n")
    monkeypatch.chdir(tmp_path)
    scenario = load_scenario({"extends": "base.yaml", "horizon_days": 30})
    assert (scenario.name, scenario.seed, scenario.horizon_days) == ("base", 5, 30)
    assert "extends" not in resolve_dict(scenario)


def test_overrides_parse_yaml_values_and_apply_after_extends(tmp_path):
    write(tmp_path, "base.yaml", "name: base\noffices:\n  county: {staff: 3}\n")
    child = write(tmp_path, "child.yaml", "extends: base.yaml\n")
    scenario = load_scenario(
        child,
        [
            "offices.county.staff=18",
            "calendar.always_open=true",
            "arrivals.weekly=[1,1,1,1,1,1,1]",
            "city.generate.counties=3",
        ],
    )
    assert scenario.offices.county.staff == 18
    assert scenario.calendar.always_open is True
    assert scenario.arrivals.weekly == [1] * 7
    assert scenario.city.generate.counties == 3


def test_overrides_as_a_mapping():
    scenario = load_scenario(MINIMAL, {"offices.town.staff": 7, "description": "x=y"})
    assert scenario.offices.town.staff == 7
    assert scenario.description == "x=y"


def test_override_value_keeps_text_after_first_equals():
    assert load_scenario(MINIMAL, ["description=a=b"]).description == "a=b"


def test_overrides_on_a_scenario_source():
    scenario = load_scenario(Scenario(name="t"), ["seed=3"])
    assert scenario.seed == 3 and scenario.name == "t"


def test_dump_yaml_round_trips():
    scenario = load_scenario(
        {
            "name": "周边 round-trip",
            "city": {"counties": [{"name": "南湖", "population": 1000, "towns": 2}]},
            "case_types": {
                "a": {"share": 0.5, "department": ["x", "y"]},
                "b": {
                    "share": 0.5,
                    "handling_hours": {"grid": {"dist": "empirical", "values": [1, 2]}},
                },
            },
        }
    )
    text = dump_yaml(scenario)
    assert "南湖" in text
    assert load_scenario(yaml.safe_load(text)) == scenario


def test_resolve_dict_is_plain_data():
    data = resolve_dict(Scenario(name="t"))
    assert data["start_date"] == "2021-01-01"
    assert data == Scenario(name="t").to_dict()


def test_kpi_names_include_per_level_kpis():
    assert {"wait_hours_grid", "utilization_city", "arrivals_town", "one_door_rate"} <= set(
        KPI_NAMES
    )
    # + satisfaction_rate* (9), reopen_rate, supervised_rate
    assert len(KPI_NAMES) == len(set(KPI_NAMES)) == 33 + 6 * 5 + 11


def test_error_survives_pickling(tmp_path):
    error = error_of(write(tmp_path, "x.yaml", "name: t\nseed: -1\nbogus: 1\n"))
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


def test_packaged_default_loads():
    path = packaged_default_path()
    if not path.exists():
        pytest.skip("scenarios/jiaxing.yaml not written yet")
    assert load_scenario(path).name


# ---------------------------------------------------------------- Scenario.replace


def test_replace_sets_values_dotted_keys_and_merges_mappings():
    base = load_scenario(packaged_default_path())
    changed = base.replace(
        replications=3,
        **{"offices.county.staff": 18},
        offices={"town": {"staff": 9}},
        arrivals={"channels": {"walk_in": 1.0}},
    )
    assert (changed.replications, changed.offices.county.staff) == (3, 18)
    assert changed.offices.town.staff == 9
    assert changed.offices.overrides == base.offices.overrides  # merged, not replaced
    assert changed.arrivals.channels == {"walk_in": 1.0}  # share mappings replaced whole
    assert changed.arrivals.weekly == base.arrivals.weekly
    assert base.replications == 2 and base.offices.county.staff != 18  # base unchanged
    assert changed == load_scenario(
        packaged_default_path(),
        {
            "replications": 3,
            "offices.county.staff": 18,
            "offices.town.staff": 9,
            "arrivals.channels": {"walk_in": 1.0},
        },
    )


def test_replace_without_changes_is_the_same_scenario():
    scenario = Scenario(name="t")
    assert scenario.replace() is scenario


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"replications": 0}, "replications: expected an integer >= 1, found 0"),
        (
            {"offices.county.staf": 3},
            "offices.county.staf: expected a known key, found 'staf'\n  did you mean 'staff'?",
        ),
        ({"seed.x": 1}, "seed: expected a mapping to set 'seed.x' in, found 20191230"),
        (
            {"offices": {"overrides": {"county-9": {"staff": 2}}}},
            "offices.overrides.county-9: expected the name of an office (as printed in "
            "outputs) or of a county: county-1, county-2, found 'county-9'\n"
            "  did you mean 'county-2'?",
        ),
    ],
)
def test_replace_checks_like_load_and_names_the_key(changes, message):
    with pytest.raises(ScenarioError) as caught:
        Scenario(name="t").replace(**changes)
    assert str(caught.value) == message
    assert not caught.value.from_set and caught.value.file is None


def test_merge_is_the_extends_rule_on_plain_data():
    parent = {
        "name": "p",
        "offices": {"county": {"staff": 3, "one_stop": False}},
        "arrivals": {"channels": {"hotline": 0.5, "online": 0.5}, "weekly": [1] * 7},
    }
    child = {"offices": {"county": {"staff": 9}}, "arrivals": {"channels": {"walk_in": 1.0}}}
    merged = merge(parent, child)
    assert merged["offices"]["county"] == {"staff": 9, "one_stop": False}
    assert merged["arrivals"] == {"channels": {"walk_in": 1.0}, "weekly": [1] * 7}
    assert parent["offices"]["county"]["staff"] == 3  # the parent is not changed
