"""Property-based fuzzing of scenario inputs: every bad input is one clear ``ScenarioError``.

Valid scenarios (the Jiaxing baseline and a tiny generated city) are mutated — values replaced by
wrong types, out-of-range or huge numbers, keys deleted or misspelt, whole sections dropped, the
YAML text broken — and loaded. Each mutant either loads or raises ``ScenarioError`` naming the key
path (or the file, line and column for broken YAML). Any other exception escaping
``load_scenario`` is a bug. Nothing here runs the simulation: loading only, so 1,000 examples
take seconds. A sample also goes through ``govsim check``: exit code 0 or 2, never a traceback.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from builders import generated
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation.cli import main
from simulation.errors import ScenarioError
from simulation.scenario.loader import load_scenario
from simulation.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[1]
JIAXING = ROOT / "scenarios" / "jiaxing.yaml"

FUZZ = settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
CLI_SAMPLE = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
    database=None,
)

SMALL = {
    "name": "small",
    "horizon_days": 30,
    "warmup_days": 5,
    "replications": 2,
    "city": generated(counties=2, villages=2, grids=2, population=5000),
    "arrivals": {
        "surges": [
            {
                "name": "s",
                "where": "county-2",
                "type": "dispute",
                "start_day": 3,
                "days": 2,
                "per_day": 1.5,
            }
        ]
    },
}

BASES: dict[str, dict] = {
    "jiaxing": load_scenario(JIAXING).to_dict(),
    "small": load_scenario(SMALL).to_dict(),
}
TEXTS = {
    "jiaxing": JIAXING.read_text(encoding="utf-8"),
    "small": yaml.safe_dump(SMALL, sort_keys=False) + "case_types:\n  dispute: {share: 1.0}\n",
}

# Keys the schema checks across sections: a mutation elsewhere may be reported here.
CROSS_CHECKS = (
    ("case_types",),
    ("arrivals", "channels"),
    ("arrivals", "walk_in_level"),
    ("arrivals", "weekly"),
    ("arrivals", "monthly"),
    ("arrivals", "surges"),
    ("offices", "overrides"),
    ("city", "counties"),
    ("city", "generate"),
    ("horizon_days",),
    ("warmup_days",),
    ("calendar", "hours"),
    ("calendar", "workdays"),
)

# ---------------------------------------------------------------- strategies

HUGE = st.sampled_from([10**12, -(10**12), 2**63, 10**30, -(10**30), 10**400, 1e308, -1e308])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    HUGE,
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["", "grid", "county", "08:30-12:00", "24:00-25:00", "2024-02-29", "mon"]),
    st.dates().map(str),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=8), inner, max_size=3),
    ),
    max_leaves=8,
)
UNKNOWN_KEYS = st.one_of(
    st.sampled_from(["stafff", "horizon", "share ", "grid_vist", "Extends", "x"]),
    st.text(min_size=1, max_size=10),
)


def _paths(node: Any, path: tuple = ()) -> list[tuple]:
    """Every key path in a resolved dict (lists indexed)."""
    out = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*path, i))
    return out


def _parent(root: dict, path: tuple) -> Any:
    node = root
    for key in path[:-1]:
        node = node[key]
    return node


@st.composite
def mutants(draw) -> tuple[dict, list[tuple]]:
    """A mutated copy of a base scenario and the key paths that were changed."""
    data = copy.deepcopy(BASES[draw(st.sampled_from(sorted(BASES)))])
    changed: list[tuple] = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent, key = _parent(data, path), path[-1]
        op = draw(st.sampled_from(["replace", "replace", "delete", "unknown", "scale", "section"]))
        if op == "replace":
            parent[key] = draw(VALUES)
        elif op == "delete":
            del parent[key]
        elif op == "unknown" and isinstance(parent, dict):
            new = draw(UNKNOWN_KEYS)
            parent[new] = draw(VALUES)
            path = (*path[:-1], new)
        elif op == "scale" and isinstance(parent[key], int | float):
            factor = draw(st.sampled_from([-1, 0, 1e6, 1e300, 10**20, 0.5]))
            try:
                parent[key] = parent[key] * factor
            except OverflowError:  # an int already scaled past any float
                parent[key] = math.inf
        elif op == "section":  # drop a whole top-level section
            path = path[:1]
            data.pop(path[0], None)
        changed.append(path)
    return data, changed


def _related(key: str, changed: list[tuple]) -> bool:
    """The error's key path is a changed path, its ancestor or descendant, or a cross-check.
    A changed list item stands for its whole list: deleting item 0 moves every later item down
    one place, so an error at ``hourly.1`` may be the item that was changed at ``hourly.2``."""
    for path in changed:
        if path and isinstance(path[-1], int):
            path = path[:-1]
        text = ".".join(str(p) for p in path)
        if key == text or key.startswith(text + ".") or text.startswith(key + "."):
            return True
    return any(key == ".".join(c) or key.startswith(".".join(c) + ".") for c in CROSS_CHECKS)


def _load_or_error(source: Any) -> Scenario | ScenarioError:
    try:
        return load_scenario(source)
    except ScenarioError as error:
        return error
    # any other exception fails the test with its traceback: a bug in the loader or schema


# ---------------------------------------------------------------- the properties


@FUZZ
@given(mutants())
def test_mutated_scenario_loads_or_names_the_key(mutant):
    data, changed = mutant
    outcome = _load_or_error(data)
    if isinstance(outcome, Scenario):
        return
    text = str(outcome)
    assert text.strip()
    assert "Traceback" not in text
    for problem in outcome.problems:
        assert problem.key, f"no key path in {problem.message()!r} for changes {changed}"
        assert problem.key in problem.message()
    assert any(_related(p.key, changed) for p in outcome.problems), (text, changed)


EDITS = st.sampled_from(
    [
        ":",
        "-",
        "[",
        "]",
        "{",
        "}",
        "\n",
        " ",
        "\t",
        "#",
        "&a",
        "*a",
        "!",
        "|",
        ">",
        "'",
        '"',
        "%",
        "@",
        "`",
        ",",
        "?",
        "\x00",
        "\ufeff",
        "é",
        "\\",
        "- ",
        ": ",
        "<<: *a",
        "!!binary",
        "!!set",
        "!!timestamp 2001-01-01",
        "2021-02-30",
        "1e999",
        "0x1F",
        ".inf",
        ".nan",
        "~",
        "1" * 5000,
        "[" * 200,
    ]
)


@st.composite
def broken_yaml(draw) -> str:
    text = TEXTS[draw(st.sampled_from(["jiaxing", "small", "small", "small"]))]
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        i = draw(st.integers(min_value=0, max_value=len(text)))
        op = draw(st.sampled_from(["insert", "delete", "duplicate"]))
        if op == "insert":
            text = text[:i] + draw(EDITS) + text[i:]
        elif op == "delete":
            text = text[:i] + text[i + draw(st.integers(min_value=1, max_value=40)) :]
        else:
            j = draw(st.integers(min_value=0, max_value=len(text)))
            text = text[:i] + text[j : j + draw(st.integers(1, 60))] + text[i:]
    return text


@settings(FUZZ, max_examples=500)  # parsing YAML text is slower than validating a dict
@given(broken_yaml())
def test_broken_yaml_loads_or_names_file_and_place(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("yaml") / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    outcome = _load_or_error(path)
    if isinstance(outcome, Scenario):
        return
    for problem in outcome.problems:
        assert problem.file == str(path), problem.message()
        assert problem.key or problem.line is not None, problem.message()
        if problem.expected.startswith("valid YAML"):  # a syntax error: file:line:column
            assert (problem.line, problem.column) != (None, None), problem.message()
            assert problem.where().startswith(f"{path}:{problem.line}:{problem.column}")


@CLI_SAMPLE
@given(mutant=mutants())
def test_govsim_check_turns_errors_into_exit_2(tmp_path_factory, capsys, mutant):
    data, _ = mutant
    path = tmp_path_factory.mktemp("cli") / "mutant.yaml"
    try:
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    except (yaml.YAMLError, ValueError):  # a value YAML cannot write: not an input to test
        return
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if code == 0:
        assert "valid" in out
    else:
        assert code == 2
        assert err.startswith("govsim: ")
        assert err.strip() != "govsim:"


# ---------------------------------------------------------------- hand-picked nasty inputs


NASTY = {
    "invalid date": ("name: x\nstart_date: 2021-02-30\n", "start_date"),
    "NUL character": ("name: x\x00\n", ""),
    "5000-digit integer": ("name: x\nseed: " + "1" * 5000 + "\n", "seed"),
    "deep nesting": ("name: x\ndescription: " + "[" * 3000 + "]" * 3000 + "\n", ""),
    "duplicate key": ("name: x\nseed: 1\nseed: 2\n", "seed"),
    "infinite rate": ("name: x\narrivals: {per_10k_residents_per_year: .inf}\n", "arrivals"),
    "infinite mean": (
        "name: x\ncase_types: {a: {share: 1, handling_hours: {grid: {dist: exponential, "
        "mean: .inf}}}}\n",
        "case_types.a.handling_hours.grid.mean",
    ),
    "horizon past year 9999": ("name: x\nhorizon_days: 100000000000\n", "horizon_days"),
    "warm-up before year 1": ("name: x\nwarmup_days: 100000000000000000000\n", "warmup_days"),
    "extends a non-YAML file": ("name: x\nextends: /etc/passwd\n", "extends"),
    "extends a device": ("name: x\nextends: /dev/zero\n", "extends"),
}


@pytest.mark.parametrize("name", sorted(NASTY))
def test_nasty_input_is_a_scenario_error(tmp_path, name):
    text, key = NASTY[name]
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    error = caught.value
    assert error.key.startswith(key)
    assert error.file == str(path)
    if not key:
        assert error.line is not None and error.column is not None


def test_alias_bomb_is_refused_quickly(tmp_path):
    lines = ["name: x", "a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    lines.append("description: *a9")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    description = next(p for p in caught.value.problems if p.key == "description")
    assert len(description.message()) < 300


def test_large_generated_city_is_checked_without_listing_it():
    data = copy.deepcopy(BASES["small"])
    data["city"]["generate"]["counties"] = 200_000  # 1.6 million offices: loads, never listed
    data["offices"]["overrides"] = {"county-199999/town-199999-1/village-199999-1-2": {"staff": 3}}
    scenario = load_scenario(data)
    assert scenario.city.generate.counties == 200_000
    data["arrivals"]["surges"][0]["where"] = "county-0"
    data["offices"]["overrides"] = {"county-7/town-7-2": {"staff": 3}}
    with pytest.raises(ScenarioError) as caught:
        load_scenario(data)
    assert caught.value.key == "arrivals.surges.0.where"
    assert "county-200000" in str(caught.value)
    data["arrivals"]["surges"] = []
    with pytest.raises(ScenarioError) as caught:
        load_scenario(data)
    assert caught.value.key == "offices.overrides.county-7/town-7-2"
    assert caught.value.hint == "office names look like 'county-1/town-1-1'"


def test_city_too_large_to_build_does_not_load():
    data = copy.deepcopy(BASES["small"])
    data["city"]["generate"]["counties"] = 10**30
    with pytest.raises(ScenarioError) as caught:
        load_scenario(data)
    assert caught.value.key == "city.generate"
    assert "at most 2,000,000 offices" in caught.value.expected


def test_nan_float_in_dict_source_is_named():
    data = copy.deepcopy(BASES["small"])
    data["escalation"]["transfer_hours"] = math.nan
    with pytest.raises(ScenarioError) as caught:
        load_scenario(data)
    assert caught.value.key == "escalation.transfer_hours"


@pytest.mark.parametrize(
    "override",
    [
        "start_date=2021-02-30",
        "seed=" + "1" * 5000,
        "description=" + "[" * 3000,
        "arrivals.per_10k_residents_per_year=.inf",
        "offices.town.staff=0",
    ],
)
def test_nasty_override_is_a_scenario_error(override):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(SMALL, [override])
    assert caught.value.from_set
    assert caught.value.key == override.split("=")[0]


@pytest.mark.parametrize(
    "tag",
    [
        '!!python/object/apply:os.system ["touch {marker}"]',
        '!!python/object/new:subprocess.Popen [["touch", "{marker}"]]',
        "!!python/name:os.system",
    ],
)
@pytest.mark.parametrize("where", ["file", "extended file", "--set"])
def test_python_tags_are_refused_and_run_nothing(tmp_path, tag, where):
    marker = tmp_path / "ran"
    value = tag.format(marker=marker)
    base = tmp_path / "base.yaml"
    child = tmp_path / "child.yaml"
    overrides = []
    if where == "file":
        child.write_text(f"name: {value}\n", encoding="utf-8")
    elif where == "extended file":
        base.write_text(f"description: {value}\n", encoding="utf-8")
        child.write_text("extends: base.yaml\nname: x\n", encoding="utf-8")
    else:
        child.write_text("name: x\n", encoding="utf-8")
        overrides = [f"description={value}"]
    with pytest.raises(ScenarioError) as caught:
        load_scenario(child, overrides)
    assert "!!python/" in str(caught.value)
    assert not marker.exists()
