"""Experiments: CRN comparisons, executors, resumable sweeps, precision-driven replications."""

from __future__ import annotations

import hashlib
import importlib
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from builders import SMALL, generated, small, tiny

import simulation
from simulation import cli
from simulation.contract import LEVELS
from simulation.experiments.compare import COMPARISON_COLUMNS, compare, paired_differences
from simulation.experiments.runner import precision_table, replication_kpi_row, run
from simulation.experiments.sweep import parse_vary, point_grid, sweep
from simulation.experiments.warmup import mser, suggest_warmup


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def write_yaml(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


# ---------------------------------------------------------------- compare (CRN)


def test_identical_copy_differs_by_exactly_zero():
    comparison = compare(SMALL, dict(SMALL))
    table = comparison.table
    assert list(table.columns) == list(COMPARISON_COLUMNS)
    assert comparison.labels == ["small", "small-2"]
    copy = table[table["scenario"] == "small-2"]
    assert len(copy) == len(simulation.analysis.kpis.KPI_NAMES)
    for column in ("diff", "diff_ci_low", "diff_ci_high"):
        assert (copy[column].dropna() == 0.0).all(), column
    assert not table["significant"].any()
    base = table[table["scenario"] == "small"]
    assert (base[["diff", "diff_ci_low", "diff_ci_high"]] == 0.0).all().all()


def test_crn_narrows_the_paired_interval_of_a_staffing_change():
    other = simulation.load_scenario(small(replications=10), {"offices.town.staff": 1})
    paired = compare(small(replications=10), other)
    crn = paired.table[paired.table["scenario"] == paired.labels[1]].set_index("kpi")
    independent = run(other, seed=SMALL.get("seed", 20191230) + 7919)
    indep = paired_differences(
        paired.results["small"].by_replication, independent.by_replication
    ).set_index("kpi")
    for kpi in ("mean_days_to_close", "wait_hours_town"):
        width_crn = crn.loc[kpi, "diff_ci_high"] - crn.loc[kpi, "diff_ci_low"]
        width_indep = indep.loc[kpi, "diff_ci_high"] - indep.loc[kpi, "diff_ci_low"]
        assert width_crn <= 0.7 * width_indep, (kpi, width_crn, width_indep)
    # fewer town staff: longer town waits, detected as significant
    assert crn.loc["wait_hours_town", "diff"] > 0
    assert bool(crn.loc["wait_hours_town", "significant"])
    # CRN: the same citizens arrive, so counts are identical
    assert crn.loc["cases", "diff"] == 0.0


def test_paired_differences_by_hand():
    base = pd.DataFrame({"k": [1.0, 2.0, 3.0]}, index=pd.Index([0, 1, 2], name="replication"))
    other = pd.DataFrame({"k": [2.0, 3.0, 4.0]}, index=base.index)
    row = paired_differences(base, other).iloc[0]
    assert (row["diff"], row["diff_ci_low"], row["diff_ci_high"]) == (1.0, 1.0, 1.0)
    assert row["significant"]
    noisy = pd.DataFrame({"k": [2.0, 2.0, 3.5]}, index=base.index)
    row = paired_differences(base, noisy).iloc[0]
    d = [1.0, 0.0, 0.5]
    mean, low, high, _ = simulation.analysis.kpis.mean_ci(d)
    assert row["diff"] == pytest.approx(mean) and row["diff_ci_low"] == pytest.approx(low)
    assert not row["significant"]


def test_compare_command_writes_table_and_each_run(tmp_path, capsys):
    base = write_yaml(tmp_path / "base.yaml", small(replications=3))
    lean = write_yaml(tmp_path / "lean.yaml", small(name="lean", replications=3))
    data = yaml.safe_load(lean.read_text())
    data["offices"] = {"town": {"staff": 1}}
    write_yaml(lean, data)
    out = tmp_path / "cmp"
    assert cli.main(["compare", str(base), str(lean), "--out", str(out), "--seed", "5"]) == 0
    printed = capsys.readouterr().out
    assert "lean" in printed and "matters" in printed
    assert "✓" in printed or "✗" in printed  # targets judged in the terminal too
    table = pd.read_csv(out / "comparison.csv")
    assert list(table.columns) == list(COMPARISON_COLUMNS)
    # the one rule: a difference matters only when it is significant
    assert not (table["matters"] & ~table["significant"]).any()
    assert set(table["scenario"]) == {"small", "lean"}
    for label in ("small", "lean"):
        names = {p.name for p in (out / label).iterdir()}
        assert {"kpis.csv", "cases.parquet", "offices.csv", "daily.csv"} <= names
        saved = yaml.safe_load((out / label / "scenario.yaml").read_text())
        assert saved["seed"] == 5 and saved["replications"] == 3
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# ---------------------------------------------------------------- executors


def test_serial_processes_and_dask_write_the_same_bytes(tmp_path):
    scenario = small(replications=4)
    run(scenario).save(tmp_path / "serial")
    run(scenario, workers=2).save(tmp_path / "processes")
    run(scenario, executor="dask", workers=2).save(tmp_path / "dask")
    serial = digests(tmp_path / "serial")
    assert len(serial) == 8  # seven tables (grids.csv, kpis_by_county.csv) and scenario.yaml
    assert digests(tmp_path / "processes") == serial
    assert digests(tmp_path / "dask") == serial


def test_worker_kpi_rows_match_the_full_computation():
    scenario = simulation.load_scenario(small(replications=3))
    rows = pd.concat([replication_kpi_row(scenario, r) for r in range(3)])
    pd.testing.assert_frame_equal(rows, run(scenario).by_replication, check_exact=True)


def test_unknown_executor_is_refused():
    with pytest.raises(ValueError, match="unknown executor"):
        run(SMALL, executor="threads")


# ---------------------------------------------------------------- sweep


def test_parse_vary():
    assert parse_vary("offices.town.staff=3,5,8") == ("offices.town.staff", [3, 5, 8])
    assert parse_vary("offices.county.staff=10:20:5") == ("offices.county.staff", [10, 15, 20])
    assert parse_vary("x=0.1:0.3:0.1") == ("x", [0.1, 0.2, 0.3])
    assert parse_vary("x=1:6:2") == ("x", [1, 3, 5])
    assert parse_vary("calendar.workdays=[mon,tue],[sat]")[1] == [["mon", "tue"], ["sat"]]
    assert parse_vary("drain=true,false")[1] == [True, False]
    for bad in ("novalue", "x=", "x=5:1:1", "x=1:5:0"):
        with pytest.raises(ValueError):
            parse_vary(bad)
    assert point_grid({"a": [1, 2], "b": ["x", "y"]}) == [
        {"a": 1, "b": "x"},
        {"a": 1, "b": "y"},
        {"a": 2, "b": "x"},
        {"a": 2, "b": "y"},
    ]


AXES = {"offices.town.staff": [1, 3], "offices.county.staff": [4, 8]}


class Stop(Exception):
    pass


def test_sweep_resumes_after_an_interruption(tmp_path):
    scenario = small(replications=3)
    fresh = sweep(scenario, AXES, out=tmp_path / "fresh")
    assert fresh.reused == 0 and len(fresh.points) == 4

    def stop_after_first(point):
        raise Stop(point.index)

    with pytest.raises(Stop):
        sweep(scenario, AXES, out=tmp_path / "resumed", on_point=stop_after_first)
    stored = [p for p in (tmp_path / "resumed" / "points").iterdir()]
    assert len(stored) == 1 and not stored[0].name.startswith(".")
    assert not (tmp_path / "resumed" / "sweep.csv").exists()

    resumed = sweep(scenario, AXES, out=tmp_path / "resumed")
    assert resumed.reused == 1 and resumed.computed == 3
    assert (tmp_path / "resumed" / "sweep.csv").read_bytes() == (
        tmp_path / "fresh" / "sweep.csv"
    ).read_bytes()
    again = sweep(scenario, AXES, out=tmp_path / "resumed", workers=2)
    assert again.reused == 4 and again.computed == 0


def test_sweep_table_and_common_random_numbers(tmp_path):
    result = sweep(small(replications=3), {"offices.town.staff": [1, 5]})
    table = result.table
    assert list(table.columns[:2]) == ["offices.town.staff", "replications"]
    assert {"cases_mean", "cases_ci_low", "cases_ci_high"} <= set(table.columns)
    # staffing changes who waits, not who arrives
    assert table["cases_mean"].nunique() == 1
    assert table["utilization_town_mean"].iloc[0] > table["utilization_town_mean"].iloc[1]


def test_sweep_command_and_interrupt(tmp_path, capsys, monkeypatch):
    path = write_yaml(tmp_path / "s.yaml", small(replications=2))
    out = tmp_path / "sw"
    args = ["sweep", str(path), "--vary", "offices.town.staff=1:5:4", "-o", str(out)]

    sweep_module = importlib.import_module(
        "simulation.experiments.sweep"
    )  # the attribute is the function
    real = sweep_module.replication_kpi_row
    calls = []

    def interrupted(scenario, replication):
        calls.append(replication)
        if len(calls) > 2:  # the first point (2 replications) finishes, then Ctrl-C
            raise KeyboardInterrupt
        return real(scenario, replication)

    monkeypatch.setattr(sweep_module, "replication_kpi_row", interrupted)
    assert cli.main(args) == cli.EXIT_INTERRUPTED
    assert "1 finished point" in capsys.readouterr().err
    assert not (out / "sweep.csv").exists()
    assert len([p for p in (out / "points").iterdir() if not p.name.startswith(".")]) == 1
    assert not [p for p in (out / "points").iterdir() if p.name.startswith(".")]

    monkeypatch.setattr(sweep_module, "replication_kpi_row", real)
    assert cli.main(args) == 0
    assert "reused 1 stored point" in capsys.readouterr().out
    assert len(pd.read_csv(out / "sweep.csv")) == 2


def test_sweep_rejects_a_bad_key():
    with pytest.raises(simulation.ScenarioError):
        sweep(SMALL, {"offices.town.staf": [1, 2]})


# ---------------------------------------------------------------- precision


def test_precision_stops_as_soon_as_the_criterion_is_met():
    # Only `cases` has a target: a Poisson count with mean λ ≈ 350 and variance λ, so the
    # 95% half-width 2.0·√(λ/n) is within 3% of λ after about (2.0/0.03)²/λ ≈ 13 replications.
    scenario = small(replications=3, targets={"cases": 1.0})
    results = run(scenario, precision=0.03, batch=2, max_replications=60)
    report = results.precision
    n = results.scenario.replications
    assert report.met and report.replications == n == len(results.by_replication)
    assert 6 <= n <= 40
    assert list(report.table["kpi"]) == ["cases"]
    row = report.table.iloc[0]
    assert row["half_width"] <= 0.03 * row["mean"]
    # one batch fewer was not enough
    before = precision_table(results.by_replication.iloc[: n - 2], ["cases"], 0.03)
    assert not before["met"].all()
    # the replications are the first n of a fixed run: same seeds
    fixed = run(scenario, replications=n)
    pd.testing.assert_frame_equal(fixed.by_replication, results.by_replication)


def test_precision_checks_every_kpi_it_names_and_says_which_converged_last():
    # `cases` (a Poisson count, ~13 replications for 3%) and `resolved_rate` (a share: its
    # 0.005 floor is met almost at once) named; `cases` must be the last to converge
    scenario = small(replications=3, targets={})
    results = run(
        scenario, precision=0.03, batch=2, max_replications=60,
        precision_kpis=["resolved_rate", "cases"],
    )  # fmt: skip
    report = results.precision
    assert report.met and list(report.table["kpi"]) == ["resolved_rate", "cases"]
    assert report.table["met"].all() and report.last == "cases"
    assert "last to converge: cases" in report.summary()
    with pytest.raises(ValueError, match="no_such_kpi"):
        run(scenario, precision=0.03, precision_kpis=["no_such_kpi"])


def test_precision_gives_up_at_the_maximum():
    results = run(small(replications=2, targets={"cases": 1.0}), precision=1e-4, max_replications=4)
    assert not results.precision.met and results.scenario.replications == 4
    assert "NOT reached" in results.precision.summary()


def test_precision_floor_for_rates_near_zero():
    per_rep = pd.DataFrame({"escalated_out_rate": [0.0, 0.001, 0.0, 0.002]})
    table = precision_table(per_rep, ["escalated_out_rate"], 0.05)
    assert bool(table["met"].iloc[0]) and table["limit"].iloc[0] == 0.005
    nan_only = precision_table(pd.DataFrame({"open_rate": [math.nan] * 3}), ["open_rate"], 0.05)
    assert bool(nan_only["met"].iloc[0])


def test_run_command_with_precision(tmp_path, capsys):
    path = write_yaml(tmp_path / "s.yaml", small(replications=2, targets={"cases": 1.0}))
    out = tmp_path / "o"
    args = ["run", str(path), "--precision", "0.2", "--max-replications", "8", "-o", str(out)]
    assert cli.main(args) == 0
    assert "precision 20% reached after" in capsys.readouterr().out
    assert (out / "kpis.csv").exists()


# ---------------------------------------------------------------- warm-up


def test_mser_finds_the_end_of_a_ramp():
    rng = np.random.default_rng(1)
    series = np.concatenate([np.linspace(0, 10, 50), 10 + rng.normal(0, 0.5, 250)])
    cut, statistic = mser(series)
    assert 40 <= cut <= 60
    assert len(statistic) == 300 // 5 // 2 + 1
    flat = 10 + rng.normal(0, 0.5, 300)
    assert mser(flat)[0] <= 20
    with pytest.raises(ValueError):
        mser(np.ones(9))


def one_queue(rho: float, days: int = 300) -> dict:
    """One always-open grid worker, exponential 24 h handlings, load ``rho``: an M/M/1 queue
    whose relaxation from empty takes days to weeks when ``rho`` is high."""
    return tiny(
        name=f"queue-{rho}",
        seed=3,
        horizon_days=days - 10,
        warmup_days=10,
        replications=8,
        city=generated(population=10_000),
        case_types={
            "dispute": {
                "share": 1.0,
                "severity": {"minor": 1.0},
                "handling_hours": {lv: {"dist": "exponential", "mean": 24.0} for lv in LEVELS},
                "resolve": {lv: 1.0 for lv in LEVELS},
            }
        },
        triage={"minor": "grid"},
        arrivals={
            "per_10k_residents_per_year": rho * 365,
            "channels": {"grid_visit": 1.0},
            "weekly": [1.0] * 7,
        },
    )


def test_warmup_suggestion_grows_with_load(tmp_path):
    light = suggest_warmup(one_queue(0.5))
    heavy = suggest_warmup(one_queue(0.9))
    assert light.days <= 10 < heavy.days
    assert list(heavy.series.columns) == list(range(8)) and len(heavy.series) == 300
    assert "suggested warm-up" in heavy.summary()


def test_warmup_command_saves_plot_and_series(tmp_path, capsys):
    path = write_yaml(tmp_path / "q.yaml", one_queue(0.9, days=60))
    out = tmp_path / "wu"
    assert cli.main(["warmup", str(path), "-r", "3", "-o", str(out)]) == 0
    assert "suggested warm-up" in capsys.readouterr().out
    assert (out / "warmup.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    series = pd.read_csv(out / "warmup.csv")
    assert list(series.columns) == ["day", *(f"replication_{r}" for r in range(3)), "mean"]
    assert len(series) == 60
