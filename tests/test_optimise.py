"""govsim optimise: on always-open exponential networks Erlang C gives the least staff meeting
a wait target at each office; the optimiser must return exactly that, and resume."""

from __future__ import annotations

import math

import pytest
from builders import exponential_tree

from simulation.analysis.theory import mmc_wait
from simulation.experiments.optimise import optimise, parse_variable


def least_servers(lam: float, mean_hours: float, target: float) -> int:
    c = math.floor(lam * mean_hours) + 1
    while mmc_wait(lam, 1 / mean_hours, c) > target:
        c += 1
    return c


def network(shape, rate, targets, seed=3):
    data = exponential_tree(
        shape=shape, staff=[8, 8, 8, 8, 8], mean_hours=[1.0, 1.0, 2.0, 1.0, 1.0],
        resolve=[0.5, 0.5, 0.5, 0.5, 1.0], grid_rate_per_hour=rate, days=20,
        replications=4, seed=seed, warmup_days=3,
    )  # fmt: skip
    data["targets"] = targets
    return data


@pytest.mark.parametrize(
    ("shape", "rate", "targets", "vary", "expected"),
    [
        # one grid, 2 cases/h of 1 h: c=3 waits 0.44 h, c=4 0.087 h -> 4 for 0.2 h
        ((1, 1, 1, 1), 2.0, {"wait_hours_grid": 0.2}, ["offices.grid.staff=1..8"],
         {"offices.grid.staff": least_servers(2.0, 1.0, 0.2)}),
        # two grids of 1.5/h: c=2 waits 1.29 h, c=3 0.16 h -> 3 for 0.5 h
        ((1, 1, 1, 2), 1.5, {"wait_hours_grid": 0.5}, ["offices.grid.staff=1..8"],
         {"offices.grid.staff": least_servers(1.5, 1.0, 0.5)}),
        # grid and town together: the town sees 2 x 0.5 x 0.5 = 0.5/h of 2 h -> 3 for 0.3 h
        ((1, 1, 1, 1), 2.0, {"wait_hours_grid": 0.2, "wait_hours_town": 0.3},
         ["offices.grid.staff=1..8", "offices.town.staff=1..8"],
         {"offices.grid.staff": least_servers(2.0, 1.0, 0.2),
          "offices.town.staff": least_servers(0.5, 2.0, 0.3)}),
    ],
)  # fmt: skip
def test_the_optimiser_returns_the_erlang_c_answer(tmp_path, shape, rate, targets, vary, expected):
    result = optimise(network(shape, rate, targets), vary, out=tmp_path, objective="staff")
    assert result.passed, result.summary()
    assert result.binding()["kpi"] in targets
    assert result.staffing() == expected
    assert (tmp_path / "search.csv").exists()
    # one fewer on any variable was tried and failed
    for key, value in expected.items():
        rows = result.search[result.search[key] == value - 1]
        assert len(rows) and not rows["feasible"].any()


def test_interrupted_and_rerun_reuses_points_and_gives_the_same_answer(tmp_path):
    data = network((1, 1, 1, 1), 2.0, {"wait_hours_grid": 0.2})
    vary = ["offices.grid.staff=1..8"]
    calls = []

    def interrupt(n=1):
        calls.append(n)
        if len(calls) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        optimise(data, vary, out=tmp_path, objective="staff", progress=interrupt)
    stored = list((tmp_path / "points").iterdir())
    assert len(stored) >= 2
    again = optimise(data, vary, out=tmp_path, objective="staff")
    assert again.search["reused"].sum() >= 2
    fresh = optimise(data, vary, out=tmp_path / "fresh", objective="staff")
    assert again.staffing() == fresh.staffing() == {"offices.grid.staff": 4}
    assert again.search.drop(columns="reused").equals(fresh.search.drop(columns="reused"))


def test_bad_variables_are_named():
    for bad in ["offices.grid.staff=3", "offices.grid.staff=5..2", "offices.nowhere=1..2"]:
        with pytest.raises(ValueError, match="--vary"):
            parse_variable(bad)


def test_the_command_writes_a_runnable_optimum_extending_its_input(tmp_path, capsys):
    import yaml

    from simulation.cli import main
    from simulation.scenario.loader import load_scenario

    source = tmp_path / "net.yaml"
    source.write_text(yaml.safe_dump(network((1, 1, 1, 1), 2.0, {"wait_hours_grid": 0.2})))
    out = tmp_path / "opt"
    argv = ["optimise", str(source), "--vary", "offices.grid.staff=1..8", "--objective", "staff"]
    assert main([*argv, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "offices.grid.staff = 4 (was 8)" in printed and "passed" in printed
    text = (out / "optimum.yaml").read_text()
    assert text.startswith('extends: "../net.yaml"')
    assert load_scenario(out / "optimum.yaml").offices.grid.staff == 4
    # the frontier: cost against the binding KPI, the grid wait here
    assert (out / "frontier.png").stat().st_size > 0
