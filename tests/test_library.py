"""The scenario library: every file is valid, changes one thing, and moves KPIs the way it says."""

from __future__ import annotations

import pytest
import yaml

from simulation import load_scenario
from simulation.cli import main
from simulation.experiments.compare import compare
from simulation.outputs.library import (
    BEGIN,
    END,
    EXPECTED,
    LIBRARY,
    compare_library,
    expectation_marks,
    library_markdown,
    library_paths,
    replace_section,
    scenarios_dir,
)
from simulation.outputs.report import scenario_differences
from simulation.outputs.results_io import RunTables
from simulation.scenario.loader import packaged_default_path

SHORT = {"replications": 3, "horizon_days": 14, "warmup_days": 7}  # full load: keep it short


@pytest.mark.parametrize("path", library_paths(), ids=LIBRARY)
def test_library_scenario_passes_check(path):
    assert main(["check", str(path)]) == 0


@pytest.mark.parametrize("path", library_paths(), ids=LIBRARY)
def test_library_scenario_extends_the_baseline_and_states_question_and_direction(path):
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert raw["extends"] == "jiaxing.yaml"
    assert raw["name"] == path.stem
    assert "Question:" in raw["description"] and "Expected:" in raw["description"]
    assert path.stem in EXPECTED


def test_library_scenarios_change_only_their_policy_keys():
    base = from_results_like(packaged_default_path())
    for path in library_paths():
        other = from_results_like(path)
        keys = list(scenario_differences([base, other]).index)
        assert keys, path.stem
        top = {k.split(".")[0] for k in keys}
        assert len(top) == 1, (path.stem, keys)  # one part of the scenario: offices, arrivals …


def from_results_like(path):
    """A RunTables with only the resolved scenario (enough for scenario_differences)."""
    scenario = load_scenario(path).to_dict()
    return RunTables(scenario["name"], scenario, *([None] * 5))


@pytest.fixture(scope="module")
def library_table():
    """Every library scenario but the May factory closure against the baseline, CRN, short."""
    names = [n for n in LIBRARY if n != "factory-closure-surge"]
    return compare_library(**SHORT, names=names)


@pytest.mark.slow  # the library on the full-load default: about 90 s, in CI's slow stage
@pytest.mark.parametrize("name", [n for n in LIBRARY if n != "factory-closure-surge"])
def test_expected_direction_holds_on_a_short_crn_comparison(library_table, name):
    marks = expectation_marks(library_table, name)
    assert marks
    wrong = [(kpi, mark) for kpi, _, mark in marks if mark not in ("✓", "~")]
    assert not wrong, wrong


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "kpi"),
    [
        ("scattered-departments", "mean_doors"),
        ("scattered-departments", "one_door_rate"),
        ("no-information-sharing", "utilization_county"),
        ("online-mediation", "mean_trips"),
        ("hotline-integration", "mean_trips"),
        ("resources-sinking", "utilization_county"),
    ],
)
def test_clear_cut_effects_are_significant(library_table, name, kpi):
    marks = {k: m for k, _, m in expectation_marks(library_table, name)}
    assert marks[kpi] == "✓"


@pytest.mark.slow
def test_no_information_sharing_raises_handling_hours_per_case():
    overrides = ["horizon_days=30", "warmup_days=5"]
    base = load_scenario(packaged_default_path(), overrides)
    other = load_scenario(scenarios_dir() / "no-information-sharing.yaml", overrides)
    comparison = compare(base, other, replications=2)
    hours = {
        label: r.cases.groupby("replication")["handling_hours"].mean()
        for label, r in comparison.results.items()
    }
    diff = hours["no-information-sharing"] - hours["jiaxing-baseline"]
    assert (diff > 0).all()


@pytest.mark.slow
def test_factory_closure_adds_labour_cases_in_pinghu_during_the_surge():
    # the May surge moved to counted day 5 so that a short run holds it
    overrides = ["horizon_days=20", "warmup_days=3"]
    base = load_scenario(packaged_default_path(), overrides)
    surge = load_scenario(
        scenarios_dir() / "factory-closure-surge.yaml",
        [*overrides, "arrivals.surges.0.start_day=5"],
    )
    comparison = compare(base, surge, replications=2)
    counts = {}
    for label, r in comparison.results.items():
        c = r.cases
        window = c[(c["county"] == "Pinghu") & (c["type"] == "labour")]
        window = window[window["arrival_day"].between(5, 19)]
        counts[label] = len(window) / 2
    assert counts["factory-closure-surge"] - counts["jiaxing-baseline"] == pytest.approx(
        560, rel=0.15
    )


@pytest.mark.slow
def test_markdown_table_has_a_row_per_scenario_and_replaces_only_the_marked_section(
    library_table,
):
    markdown = library_markdown(library_table)
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + len(set(library_table["scenario"]))  # header + scenarios
    assert "3 replications of 14 days" in markdown
    text = f"# Title\n\nbefore\n\n{BEGIN}\nold table\n{END}\n\nafter\n"
    new = replace_section(text, markdown)
    assert "old table" not in new and markdown in new
    assert new.startswith("# Title\n\nbefore\n") and new.endswith("\nafter\n")
    assert replace_section(new, "x").count(BEGIN) == 1


def test_readme_has_the_generated_library_section():
    readme = (scenarios_dir() / "README.md").read_text(encoding="utf-8")
    assert BEGIN in readme and END in readme
    section = readme.split(BEGIN)[1].split(END)[0]
    for name in LIBRARY:
        assert f"| {name} |" in section
