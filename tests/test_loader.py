"""Loading scenarios: files, extends, overrides, and one clear error per bad input."""

from __future__ import annotations

import pickle
import textwrap
from pathlib import Path

import pytest
import yaml

from simulation.contract import KPI_NAMES
from simulation.errors import ScenarioError
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


# ---------------------------------------------------------------- bad inputs, from files


def test_unknown_top_level_key_names_line_and_suggests(tmp_path):
    path = write(tmp_path, "x.yaml", "name: t\nhorizon_dayz: 30\n")
    error = error_of(path)
    assert (error.key, error.line, error.found) == ("horizon_dayz", 2, "'horizon_dayz'")
    assert error.hint == "did you mean 'horizon_days'?"
    assert str(error) == (
        f"{path}:2: horizon_dayz: expected a known key, found 'horizon_dayz'\n"
        "  did you mean 'horizon_days'?"
    )


def test_unknown_nested_key_suggests_field_of_that_section(tmp_path):
    path = write(tmp_path, "x.yaml", "name: t\noffices:\n  county:\n    stafff: 3\n")
    error = error_of(path)
    assert (error.key, error.line) == ("offices.county.stafff", 4)
    assert "did you mean 'staff'?" in str(error)


def test_unknown_key_in_a_case_type_uses_case_type_fields(tmp_path):
    path = write(
        tmp_path,
        "x.yaml",
        """
        name: t
        case_types:
          family:
            share: 1.0
            severty: {minor: 1}
        """,
    )
    error = error_of(path)
    assert (error.key, error.line) == ("case_types.family.severty", 5)
    assert error.hint == "did you mean 'severity'?"


def test_wrong_type_names_key_and_value(tmp_path):
    path = write(tmp_path, "x.yaml", "name: t\nhorizon_days: soon\n")
    error = error_of(path)
    assert (error.key, error.line) == ("horizon_days", 2)
    assert error.expected == "an integer"
    assert error.found == "'soon'"


def test_probability_out_of_range_shows_bounds(tmp_path):
    path = write(tmp_path, "x.yaml", "name: t\nescalation:\n  give_up: 1.5\n")
    error = error_of(path)
    assert (error.key, error.line) == ("escalation.give_up", 3)
    assert error.expected == "a number between 0 and 1"
    assert error.found == "1.5"


def test_case_type_shares_not_summing_to_one_show_the_sum(tmp_path):
    path = write(
        tmp_path,
        "x.yaml",
        """
        name: t
        case_types:
          family: {share: 0.5}
          labour: {share: 0.3}
        """,
    )
    error = error_of(path)
    assert (error.key, error.line) == ("case_types", 2)
    assert "0.8" in error.found


def test_channel_shares_not_summing_to_one_name_channels(tmp_path):
    path = write(tmp_path, "x.yaml", "name: t\narrivals:\n  channels: {grid_visit: 0.5}\n")
    error = error_of(path)
    assert (error.key, error.line) == ("arrivals.channels", 3)
    assert error.found == "a sum of 0.5"


def test_zero_staff_reads_as_integer_at_least_one(tmp_path):
    path = write(tmp_path, "x.yaml", "name: t\noffices:\n  county: {staff: 0}\n")
    error = error_of(path)
    assert str(error) == f"{path}:3: offices.county.staff: expected an integer >= 1, found 0"


def test_negative_staff_is_rejected(tmp_path):
    path = write(tmp_path, "x.yaml", "name: t\noffices:\n  town:\n    staff: -2\n")
    error = error_of(path)
    assert (error.key, error.line, error.found) == ("offices.town.staff", 4, "-2")


def test_triangular_low_above_high_drops_pydantic_tag(tmp_path):
    path = write(
        tmp_path,
        "x.yaml",
        """
        name: t
        case_types:
          dispute:
            share: 1
            handling_hours:
              city: {dist: triangular, low: 9, mode: 5, high: 4}
        """,
    )
    error = error_of(path)
    assert (error.key, error.line) == ("case_types.dispute.handling_hours.city", 6)
    assert "low <= mode <= high" in error.expected
    assert "low=9" in error.found


def test_negative_distribution_mean_names_the_parameter(tmp_path):
    path = write(
        tmp_path,
        "x.yaml",
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
    )
    error = error_of(path)
    assert (error.key, error.line) == ("case_types.dispute.handling_hours.grid.mean", 8)
    assert error.expected == "a number > 0"


def test_unknown_distribution_name_suggests_known_one(tmp_path):
    path = write(
        tmp_path,
        "x.yaml",
        """
        name: t
        case_types:
          dispute:
            share: 1
            handling_hours:
              town: {dist: lognorm, mean: 3, sd: 1}
        """,
    )
    error = error_of(path)
    assert error.key == "case_types.dispute.handling_hours.town.dist"
    assert error.line == 6
    assert error.found == "'lognorm'"
    assert error.hint == "did you mean 'lognormal'?"


def test_bad_hours_span_names_the_list_item(tmp_path):
    path = write(tmp_path, "x.yaml", 'name: t\ncalendar:\n  hours: ["08:30-12:00", "8-12"]\n')
    error = error_of(path)
    assert (error.key, error.line) == ("calendar.hours.1", 3)
    assert error.found == "'8-12'"


def test_unknown_weekday_suggests_the_right_one(tmp_path):
    path = write(tmp_path, "x.yaml", "name: t\ncalendar:\n  workdays:\n    - mon\n    - tues\n")
    error = error_of(path)
    assert (error.key, error.line) == ("calendar.workdays.1", 5)
    assert error.found == "'tues'"
    assert error.hint == "did you mean 'tue'?"


def test_weekly_of_length_six_shows_count(tmp_path):
    path = write(tmp_path, "x.yaml", "name: t\narrivals:\n  weekly: [1, 1, 1, 1, 1, 1]\n")
    error = error_of(path)
    assert (error.key, error.line) == ("arrivals.weekly", 3)
    assert error.expected == "a list of 7 values"
    assert error.found.startswith("6 values")


def test_unknown_channel_key_suggests_channel(tmp_path):
    path = write(tmp_path, "x.yaml", "name: t\narrivals:\n  channels: {hotlin: 1.0}\n")
    error = error_of(path)
    assert (error.key, error.line) == ("arrivals.channels.hotlin", 3)
    assert error.hint == "did you mean 'hotline'?"


def test_missing_required_key_reads_found_nothing(tmp_path):
    path = write(tmp_path, "x.yaml", "description: no name\n")
    error = error_of(path)
    assert (error.key, error.expected, error.found) == ("name", "a value", "nothing")
    assert error.file == str(path)


def test_missing_share_points_at_its_case_type(tmp_path):
    path = write(tmp_path, "x.yaml", "name: t\ncase_types:\n  family:\n    department: x\n")
    error = error_of(path)
    assert (error.key, error.line, error.found) == ("case_types.family.share", 3, "nothing")


def test_unknown_target_kpi_suggests_kpi(tmp_path):
    path = write(tmp_path, "x.yaml", "name: t\ntargets:\n  one_dor_rate: 0.9\n")
    error = error_of(path)
    assert (error.key, error.line, error.found) == ("targets.one_dor_rate", 3, "'one_dor_rate'")
    assert error.hint == "did you mean 'one_door_rate'?"


def test_target_value_must_be_a_number(tmp_path):
    path = write(tmp_path, "x.yaml", "name: t\ntargets:\n  one_door_rate: high\n")
    error = error_of(path)
    assert (error.key, error.expected, error.found) == (
        "targets.one_door_rate",
        "a number",
        "'high'",
    )
    assert len(error.problems) == 1


def test_surge_of_unknown_type_names_the_surge_item(tmp_path):
    path = write(
        tmp_path,
        "x.yaml",
        """
        name: t
        arrivals:
          surges:
            - {name: s, where: county-1, type: labour, start_day: 0, days: 1, per_day: 5}
        """,
    )
    error = error_of(path)
    assert (error.key, error.line, error.found) == ("arrivals.surges.0.type", 4, "'labour'")


def test_surge_in_unknown_county_names_where(tmp_path):
    path = write(
        tmp_path,
        "x.yaml",
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
    )
    error = error_of(path)
    assert (error.key, error.line, error.found) == ("arrivals.surges.0.where", 5, "'Atlantis'")


def test_duplicate_county_names_are_named(tmp_path):
    path = write(
        tmp_path,
        "x.yaml",
        """
        name: t
        city:
          counties:
            - {name: Nanhu, population: 1000, towns: 2}
            - {name: Nanhu, population: 1000, towns: 2}
        """,
    )
    error = error_of(path)
    assert (error.key, error.line) == ("city.counties", 3)
    assert "'Nanhu'" in error.found


def test_counties_and_generate_both_given_is_an_error(tmp_path):
    path = write(
        tmp_path,
        "x.yaml",
        """
        name: t
        city:
          counties: [{name: Nanhu, population: 1000, towns: 2}]
          generate: {counties: 2}
        """,
    )
    error = error_of(path)
    assert (error.key, error.line) == ("city.generate", 4)
    assert "not both" in error.expected


def test_department_of_wrong_type_joins_union_members(tmp_path):
    path = write(tmp_path, "x.yaml", "name: t\ncase_types:\n  d: {share: 1, department: 5}\n")
    error = error_of(path)
    assert error.key == "case_types.d.department"
    assert error.expected == "a text string or a list"
    assert len(error.problems) == 1


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


def test_yaml_syntax_error_gives_line_and_column(tmp_path):
    path = write(tmp_path, "x.yaml", "name: t\noffices:\n  county: {staff: 3\n  town: 2\n")
    error = error_of(path)
    assert (error.file, error.line, error.column) == (str(path), 4, 7)
    assert error.expected == "valid YAML"
    assert str(error).startswith(f"{path}:4:7: expected valid YAML, found a syntax error")


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


def test_top_level_list_is_an_error(tmp_path):
    path = write(tmp_path, "x.yaml", "- name: t\n")
    error = error_of(path)
    assert error.expected == "a mapping of keys at the top level"
    assert error.found.startswith("a list")


def test_empty_file_is_an_error(tmp_path):
    error = error_of(write(tmp_path, "x.yaml", ""))
    assert error.found == "an empty file"


def test_missing_scenario_file_is_an_error(tmp_path):
    error = error_of(tmp_path / "nope.yaml")
    assert error.found == "no such file"


# ---------------------------------------------------------------- extends: bad


def test_extends_cycle_names_the_chain(tmp_path):
    a = write(tmp_path, "a.yaml", "name: a\nextends: b.yaml\n")
    b = write(tmp_path, "b.yaml", "extends: a.yaml\n")
    error = error_of(a)
    assert (error.key, error.file, error.line) == ("extends", str(b), 1)
    assert error.found == f"{a} -> {b} -> {a}"


def test_extends_missing_file_names_line_and_path(tmp_path):
    path = write(tmp_path, "x.yaml", "name: t\nextends: base.yaml\n")
    error = error_of(path)
    assert (error.key, error.line) == ("extends", 2)
    assert "'base.yaml'" in error.found


def test_extends_url_is_refused(tmp_path):
    path = write(tmp_path, "x.yaml", "extends: https://example.org/base.yaml\nname: t\n")
    error = error_of(path)
    assert error.key == "extends"
    assert "URLs" in error.expected


def test_extends_deeper_than_ten_is_refused(tmp_path):
    for i in range(12):
        write(tmp_path, f"s{i}.yaml", f"extends: s{i + 1}.yaml\n")
    write(tmp_path, "s12.yaml", "name: deep\n")
    error = error_of(tmp_path / "s0.yaml")
    assert error.key == "extends"
    assert "at most 10" in error.expected


def test_error_in_extended_file_names_that_file_and_line(tmp_path):
    base = write(tmp_path, "base.yaml", "name: base\noffices:\n  town: {staff: 0}\n")
    child = write(tmp_path, "child.yaml", "extends: base.yaml\nname: child\n")
    error = error_of(child)
    assert (error.key, error.file, error.line) == ("offices.town.staff", str(base), 3)


# ---------------------------------------------------------------- overrides: bad


def test_override_without_equals_names_the_override():
    error = error_of(MINIMAL, ["offices.county.staff"])
    assert error.from_set
    assert error.found == "'offices.county.staff'"
    assert "key.path=value" in error.expected


def test_overridden_bad_value_says_from_set(tmp_path):
    path = write(tmp_path, "x.yaml", "name: t\noffices:\n  county: {staff: 3}\n")
    error = error_of(path, ["offices.county.staff=0"])
    assert error.from_set and error.line is None
    assert str(error) == "offices.county.staff (from --set): expected an integer >= 1, found 0"


def test_override_into_a_scalar_is_an_error():
    error = error_of(MINIMAL, ["seed=1", "seed.x=1"])
    assert (error.key, error.from_set, error.found) == ("seed", True, "1")


def test_override_with_unknown_key_suggests():
    error = error_of(MINIMAL, ["offices.county.staf=4"])
    assert (error.key, error.from_set) == ("offices.county.staf", True)
    assert error.hint == "did you mean 'staff'?"


def test_override_creating_a_mapping_with_bad_type_says_from_set():
    error = error_of(MINIMAL, ["seed.x=1"])
    assert (error.key, error.from_set, error.found) == ("seed", True, "{'x': 1}")


def test_naming_one_office_key_keeps_default_staff():
    scenario = load_scenario(MINIMAL, ["offices.county.one_stop=false"])
    assert scenario.offices.county.staff == 14
    assert scenario.offices.county.one_stop is False


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
    assert len(KPI_NAMES) == len(set(KPI_NAMES)) == 31 + 5 * 5


def test_error_survives_pickling(tmp_path):
    error = error_of(write(tmp_path, "x.yaml", "name: t\nseed: -1\nbogus: 1\n"))
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


def test_packaged_default_loads():
    path = packaged_default_path()
    if not path.exists():
        pytest.skip("scenarios/jiaxing.yaml not written yet")
    assert load_scenario(path).name
