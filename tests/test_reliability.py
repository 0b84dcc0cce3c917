"""Reliability: size limits before a run, interrupted runs, failing workers, edge-case scenarios.

See docs/reliability.md for the guarantees these tests hold the code to.
"""

from __future__ import annotations

import functools
import math
import multiprocessing
import pickle
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from builders import one_grid
from procs import wait_until

import simulation
from simulation.cli import main
from simulation.errors import ReplicationError, ScenarioError
from simulation.scenario import limits
from simulation.scenario.demand import expected_cases
from simulation.scenario.limits import LimitError, check_limits, estimate
from simulation.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
JIAXING = ROOT / "scenarios" / "jiaxing-disputes.yaml"  # the 0.1 default: sizes below assume it
ALL_REQUESTS = ROOT / "scenarios" / "jiaxing-all-requests.yaml"


# ---------------------------------------------------------------- limits


def test_estimate_counts_warmup_and_counted_cases():
    scenario = load_scenario(JIAXING)
    found = estimate(scenario)
    counted = expected_cases(scenario, found.residents)
    assert found.counted_per_replication == pytest.approx(counted)
    share = scenario.warmup_days / (scenario.warmup_days + scenario.horizon_days)
    assert found.cases_per_replication == pytest.approx(counted / (1 - share), rel=0.1)
    assert 38_000 < counted < 39_000  # ~70 per 10,000 of 5.5 million residents


def test_full_volume_scenario_is_within_the_default_limits():
    scenario = load_scenario(ALL_REQUESTS)
    found = check_limits(scenario)
    assert 900_000 < found.cases_per_replication < 1_100_000
    # measured: ~1.0 GB for one replication, ~1.9 GB for two (see limits.py)
    one = estimate(load_scenario(ALL_REQUESTS, ["replications=1"]))
    assert 0.9 < one.peak_gb < 1.5


def test_run_refuses_above_max_cases_with_the_estimate_and_the_way_out():
    with pytest.raises(LimitError) as caught:
        simulation.run(JIAXING, max_cases=1000)
    text = str(caught.value)
    assert "41," in text and "cases per replication" in text
    assert "--max-cases 42000" in text and "max_cases=42000" in text
    assert isinstance(caught.value, ScenarioError)


def test_run_refuses_a_rate_far_above_the_default_limit():
    big = load_scenario(JIAXING, ["arrivals.per_10k_residents_per_year=20000"])
    with pytest.raises(LimitError, match="too large to run"):
        simulation.run(big, replications=1)
    found = check_limits(big, max_cases=math.inf, max_memory_gb=math.inf)
    assert found.cases_per_replication > limits.DEFAULT_MAX_CASES


def test_memory_limit_depends_on_replications_and_workers():
    scenario = load_scenario(ALL_REQUESTS, ["replications=20"])
    with pytest.raises(LimitError, match="--max-memory"):
        check_limits(scenario)
    assert estimate(scenario, workers=2).peak_bytes > estimate(scenario, workers=1).peak_bytes


def test_limit_error_pickles():
    error = LimitError("too big", key="arrivals")
    again = pickle.loads(pickle.dumps(error))
    assert isinstance(again, LimitError) and str(again) == "too big"


def test_cli_run_refuses_big_scenario_with_exit_2(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(
        ["run", str(JIAXING), "--set", "arrivals.per_10k_residents_per_year=20000", "-o", str(out)]
    )
    _, err = capsys.readouterr()
    assert code == 2
    assert "too large to run" in err and "--max-cases" in err
    assert "Traceback" not in err
    assert "%|" not in err  # refused before the progress bar appears
    assert not out.exists()


def test_cli_run_refuses_by_memory_with_exit_2(tmp_path, capsys):
    code = main(["run", str(JIAXING), "--max-memory", "0.1", "-o", str(tmp_path / "o")])
    _, err = capsys.readouterr()
    assert code == 2 and "--max-memory 1" in err


def test_check_refuses_a_city_too_large_to_build(capsys):
    code = main(
        ["check", "--set", "city.counties=null", "--set", "city.generate.counties=1000000000"]
    )
    _, err = capsys.readouterr()
    assert code == 2 and "Traceback" not in err
    assert (
        "city.generate (from --set): expected a city of at most 2,000,000 offices, "
        "found 76,000,000,001 offices" in err
    )


def test_check_refuses_more_residents_than_earth(capsys):
    code = main(["check", "--set", "city.counties=null", "--set", "city.generate.population=1e20"])
    _, err = capsys.readouterr()
    assert code == 2, err


# ---------------------------------------------------------------- interrupted runs


def _start_run(out: Path, *extra: str) -> tuple[subprocess.Popen, list[bytes]]:
    """``govsim run`` of the baseline (50 replications: minutes) in a child process; its stderr
    is collected by a thread into the returned list."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulation",
            "run",
            str(JIAXING),
            "-r",
            "50",
            "--out",
            str(out),
            *extra,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    chunks: list[bytes] = []

    def collect() -> None:
        while chunk := process.stderr.read1(4096):
            chunks.append(chunk)

    threading.Thread(target=collect, daemon=True).start()
    return process, chunks


def _wait_for(chunks: list[bytes], text: bytes, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while text not in b"".join(chunks):
        assert process.poll() is None, b"".join(chunks).decode(errors="replace")
        assert time.monotonic() < deadline, f"no {text!r} on stderr after {timeout} s"
        time.sleep(0.05)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigterm_stops_a_run_with_exit_130_and_no_outputs(tmp_path, workers):
    out = tmp_path / "results" / "baseline"
    process, chunks = _start_run(out, "--workers", workers)
    try:
        _wait_for(chunks, b"jiaxing-disputes:", process, timeout=60)  # the progress bar: running
        time.sleep(0.5)  # well inside the first replication
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)  # a deadline, not a measurement
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    err = b"".join(chunks).decode(errors="replace")
    assert code == 130, err
    assert "govsim: interrupted; no outputs were written" in err
    assert "Traceback" not in err
    assert not out.exists()
    parent = out.parent
    assert not parent.exists() or list(parent.iterdir()) == []  # no staging folder left
    # no pool worker outlives the run (forked workers share its command line)
    wait_until(lambda: not _processes_mentioning(str(out)), 30, "every worker gone")


def _processes_mentioning(text: str) -> list[int]:
    """Live processes whose command line contains ``text`` (forked pool workers inherit it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            state = (entry / "stat").read_text().split(") ")[-1][:1]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def test_interrupt_while_saving_leaves_no_partial_folder(tmp_path, monkeypatch):
    results = simulation.run(one_grid(arrivals={"per_10k_residents_per_year": 500}))
    target = tmp_path / "out"
    real = type(results).write_into

    def write_then_interrupt(self, folder):
        real(self, folder)
        assert (folder / "kpis.csv").exists()
        raise KeyboardInterrupt

    monkeypatch.setattr(type(results), "write_into", write_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        results.save(target)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_interrupt_while_replacing_keeps_the_old_results(tmp_path, monkeypatch):
    results = simulation.run(one_grid(arrivals={"per_10k_residents_per_year": 500}))
    target = tmp_path / "out"
    results.save(target)
    before = (target / "kpis.csv").read_bytes()
    real = type(results).write_into

    def half_then_interrupt(self, folder):
        self.kpis.to_csv(folder / "kpis.csv", index=False)
        raise KeyboardInterrupt

    monkeypatch.setattr(type(results), "write_into", half_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        results.save(target)
    assert (target / "kpis.csv").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    monkeypatch.setattr(type(results), "write_into", real)


# ---------------------------------------------------------------- edge cases


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"arrivals": {"per_10k_residents_per_year": 0}}, "arrivals.per_10k_residents_per_year"),
        ({"city": {"generate": {"counties": 1, "population": 0}}}, "city.generate.population"),
        (
            {"arrivals": {"per_10k_residents_per_year": 500, "monthly": [0, 0, 0] + [1] * 9}},
            "arrivals",
        ),
    ],
    ids=["zero-rate", "no-residents", "zero-profile"],
)
def test_a_scenario_with_no_possible_case_is_refused(tmp_path, changes, key):
    with pytest.raises(ScenarioError) as caught:
        simulation.run(one_grid(**changes))
    assert caught.value.key == key
    assert "can produce no case" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("level", ["grid", "village", "town", "county", "city"])
def test_zero_staff_is_a_clear_error(level):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(one_grid(offices={level: {"staff": 0}}))
    assert caught.value.key == f"offices.{level}.staff"
    assert "an integer >= 1" in str(caught.value)


def test_zero_staff_in_an_override_is_a_clear_error():
    with pytest.raises(ScenarioError) as caught:
        load_scenario(one_grid(offices={"overrides": {"county-1": {"staff": 0}}}))
    assert caught.value.key == "offices.overrides.county-1.staff"


@pytest.mark.parametrize("probability", [0.0, 1.0])
def test_resolution_probability_zero_or_one_everywhere(probability):
    everywhere = {level: probability for level in ("grid", "village", "town", "county", "city")}
    scenario = one_grid(
        arrivals={"per_10k_residents_per_year": 2000},
        case_types={"dispute": {"share": 1.0, "resolve": everywhere}},
        escalation={"patience_days": {s: None for s in ("minor", "general", "major", "critical")}},
        drain=True,
    )
    results = simulation.run(scenario)
    cases = results.cases
    assert len(cases) > 0
    closed = cases[cases["outcome"] != "open"]
    if probability == 1.0:
        assert (closed["outcome"] == "resolved").all()
        assert (closed["levels"] == 1).all()
    else:
        assert not (closed["outcome"] == "resolved").any()
        assert (closed["outcome"] == "litigation").all()
    assert results.kpi("resolved_rate") == pytest.approx(probability)


def test_horizon_shorter_than_warmup():
    results = simulation.run(
        one_grid(horizon_days=3, warmup_days=30, arrivals={"per_10k_residents_per_year": 5000})
    )
    assert results.cases["arrival_day"].between(0, 3).all()
    assert results.kpi("cases") > 0


def test_ten_year_horizon_on_a_tiny_city():
    started = time.monotonic()
    results = simulation.run(one_grid(horizon_days=3650, replications=1))
    assert time.monotonic() - started < 30
    assert results.cases["arrival_day"].max() < 3650
    assert results.kpi("cases") == pytest.approx(2000 * 65 / 10_000 * 10, rel=0.5)


def test_leap_year_counts_by_month():
    scenario = one_grid(
        start_date="2024-01-01",
        horizon_days=366,
        warmup_days=0,
        replications=1,
        arrivals={"per_10k_residents_per_year": 20_000, "weekly": [1] * 7, "monthly": [1] * 12},
    )
    results = simulation.run(scenario)
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(results.cases["arrival_day"], unit="D")
    by_month = dates.dt.month.value_counts().sort_index()
    assert list(by_month.index) == list(range(1, 13))
    assert by_month.sum() == len(results.cases)
    feb29 = (dates.dt.month == 2) & (dates.dt.day == 29)
    assert feb29.sum() > 0  # ~11 cases a day: the leap day has its arrivals
    assert (dates.dt.year == 2024).all()
    # February (29 days) gets its share of a flat profile: 29/366 of the cases
    assert by_month[2] / len(dates) == pytest.approx(29 / 366, rel=0.15)


def test_single_grid_city_runs_and_saves(tmp_path):
    results = simulation.run(one_grid(arrivals={"per_10k_residents_per_year": 1000}))
    assert set(results.offices["level"]) == {"grid", "village", "town", "county", "city"}
    assert len(results.offices) == 5 * 2  # one office per level, two replications
    assert results.kpi("cases") > 0
    results.save(tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "cases.parquet",
        "daily.csv",
        "front_door.csv",
        "grids.csv",
        "kpis.csv",
        "kpis_by_county.csv",
        "offices.csv",
        "scenario.yaml",
    ]


# ---------------------------------------------------------------- failing workers


def failing_replication(scenario, replication):
    """``run_replication``, but replication 1 raises (module level: picklable for a pool)."""
    from simulation.experiments.runner import run_replication

    if replication == 1:
        raise ValueError("boom in the engine")
    return run_replication(scenario, replication)


@pytest.mark.parametrize("workers", [1, 2])
def test_failing_replication_names_scenario_replication_and_seed(workers):
    with pytest.raises(ReplicationError) as caught:
        simulation.run(one_grid(replications=3), workers=workers, replicate=failing_replication)
    error = caught.value
    assert (error.scenario, error.replication, error.seed) == ("tiny", 1, 7)
    assert "replication 1" in str(error) and "seed 7" in str(error) and "'tiny'" in str(error)
    assert isinstance(error.__cause__, ValueError)
    assert str(error.__cause__) == "boom in the engine"
    assert multiprocessing.active_children() == []  # the pool's workers are gone


def test_replication_error_pickles_even_with_an_unpicklable_cause():
    from simulation.experiments.executors import run_task

    class Local(Exception):  # a local class cannot be pickled
        pass

    def fail(scenario, replication):
        raise Local("bad")

    with pytest.raises(ReplicationError) as caught:
        run_task(fail, load_scenario(one_grid()), 4)
    again = pickle.loads(pickle.dumps(caught.value))
    assert (again.scenario, again.replication, again.seed) == ("tiny", 4, 7)
    assert "Local: bad" in str(again) and "Local: bad" in str(again.original)


def test_cli_prints_a_failing_replication_without_traceback(monkeypatch, tmp_path, capsys):
    from simulation.experiments import runner

    # the command has no hook for a replication function: its run() gets one (the public API)
    monkeypatch.setattr(runner, "run", functools.partial(runner.run, replicate=failing_replication))
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(one_grid(replications=3)), encoding="utf-8")
    out = tmp_path / "out"
    code = main(["run", str(path), "-o", str(out)])
    _, err = capsys.readouterr()
    assert code == 1
    assert "scenario 'tiny', replication 1 (seed 7) failed: ValueError: boom" in err
    assert "Traceback" not in err and "--debug" in err
    assert not out.exists() and list(tmp_path.iterdir()) == [path]
    code = main(["--debug", "run", str(path), "-o", str(out)])
    _, err = capsys.readouterr()
    assert code == 1 and "Traceback" in err and "boom in the engine" in err
