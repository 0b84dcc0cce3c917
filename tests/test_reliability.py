"""Reliability: size limits before a run, interrupted runs, failing workers, edge-case scenarios.

See docs/reliability.md for the guarantees these tests hold the code to.
"""

from __future__ import annotations

import math
import pickle
from pathlib import Path

import pytest

import simulation
from simulation import limits
from simulation.cli import main
from simulation.errors import ScenarioError
from simulation.limits import LimitError, check_limits, estimate
from simulation.loader import load_scenario
from simulation.summary import expected_cases

ROOT = Path(__file__).resolve().parents[1]
JIAXING = ROOT / "scenarios" / "jiaxing.yaml"
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
    assert code == 2 and "offices" in err and "Traceback" not in err


def test_check_refuses_more_residents_than_earth(capsys):
    code = main(["check", "--set", "city.counties=null", "--set", "city.generate.population=1e20"])
    _, err = capsys.readouterr()
    assert code == 2, err
