"""The validation suite: its theory, its pass/fail rule, and proof that its checks can fail.

The quick suite runs here; the full suite is marked slow. Each "broken engine" test breaks one
rule of the engine on purpose (monkeypatching the model in this process; the suite runs its
replications serially) and asserts that the checks that depend on that rule fail.
"""

from __future__ import annotations

import heapq
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from simulation import cli
from simulation.analysis.theory import erlang_c, jackson_rates, mmc_wait, priority_waits
from simulation.checks import hotline, markdown, queueing
from simulation.checks import suite as validation
from simulation.checks.calibration import PUBLISHED, calibrate, calibration_metrics
from simulation.checks.harness import BAND_CONFIDENCE, COLUMNS, compare
from simulation.checks.suite import validate
from simulation.engine import front_door, model
from simulation.engine.calendar import Calendar
from simulation.scenario.demand import first_weekday

# ---------------------------------------------------------------- theory


def test_erlang_c_known_values():
    assert erlang_c(1, 0.7) == pytest.approx(0.7)  # M/M/1: P(wait) = ρ
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert mmc_wait(0.9, 1.0, 1) == pytest.approx(9.0)  # ρ/(μ − λ)
    # Erlang B recursion, the textbook route to C
    a, c, b = 7.5, 10, 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    assert erlang_c(c, a) == pytest.approx(b / (1 - a / c * (1 - b)))
    with pytest.raises(ValueError):
        erlang_c(3, 3.0)


def test_cobham_example_from_the_issue():
    high, low = priority_waits([0.2, 0.6], mu=1.0, c=1)
    assert high + 1 == pytest.approx(2.0)
    assert low + 1 == pytest.approx(6.0)
    # one class is plain M/M/c
    assert priority_waits([2.4], 1.0, 3)[0] == pytest.approx(mmc_wait(2.4, 1.0, 3))


def test_jackson_rates_add_the_unresolved_outflow_of_the_children():
    # a root (level 2) over two offices (level 1), one of them over two leaves (level 0)
    parent, level = [-1, 0, 0, 1, 1], [2, 1, 1, 0, 0]
    lam = jackson_rates(parent, level, [0.0, 0.0, 1.0, 2.0, 3.0], leave=[0.5, 0.25, 1.0])
    assert list(lam[3:]) == [2.0, 3.0]
    assert lam[1] == pytest.approx(0.5 * 5.0)
    assert lam[2] == pytest.approx(1.0)
    assert lam[0] == pytest.approx(0.75 * (2.5 + 1.0))


# ---------------------------------------------------------------- pass/fail rule


def test_compare_band_is_the_wide_interval_plus_tolerance():
    values = np.array([1.0, 1.1, 0.9, 1.05, 0.95])
    row = compare("c", "m", values, 1.0, rel_tol=0.01)
    assert row.passed and row.simulated == pytest.approx(1.0)
    assert row.ci_low < row.simulated < row.ci_high
    # the band is wider than the 95% interval by the t ratio, plus 1% of theory
    assert row.band_low < row.ci_low and row.band_high > row.ci_high
    from scipy import stats

    half95 = row.ci_high - row.simulated
    ratio = stats.t.ppf(0.5 + BAND_CONFIDENCE / 2, 4) / stats.t.ppf(0.975, 4)
    assert row.band_high - row.simulated == pytest.approx(half95 * ratio + 0.01)
    far = compare("c", "m", values + 1.0, 1.0, rel_tol=0.01)
    assert not far.passed and far.rel_error == pytest.approx(1.0)


def test_compare_degenerate_and_paired():
    exact = compare("c", "m", [1.0, 1.0, 1.0], 1.0, 0.0, 1e-12)
    assert exact.passed and exact.ci_low == exact.ci_high == 1.0
    off = compare("c", "m", [1.0, 1.0, 1.0], 0.999, 0.0, 1e-12)
    assert not off.passed
    # paired: theory is the baseline's mean, the interval that of the differences
    x = np.array([10.0, 12.0, 11.0, 9.0])
    paired = compare("c", "m", x + 0.01, 0.0, 0.0, baseline=x)
    assert paired.theory == pytest.approx(10.5)
    assert paired.simulated == pytest.approx(10.51)
    assert not paired.passed  # the difference is exactly 0.01 in every replication
    noisy = compare("c", "m", x + np.array([0.1, -0.1, 0.05, -0.05]), 0.0, 0.0, baseline=x)
    assert noisy.passed


# ---------------------------------------------------------------- the quick suite


def test_quick_suite_passes_and_writes_its_outputs(tmp_path):
    report = validate(quick=True, out=tmp_path)
    table = report.table
    failures = report.failures[["check", "metric", "simulated", "theory", "band_low", "band_high"]]
    assert report.passed, f"validation failures:\n{failures.to_string()}"
    assert set(table["check"].str.split("/").str[0]) == {c.name for c in validation.CHECKS}
    assert len(table) >= 60
    saved = pd.read_csv(tmp_path / "validation.csv")
    assert list(saved.columns) == list(COLUMNS)
    assert list(saved.columns[:8]) == [
        "check", "metric", "simulated", "ci_low", "ci_high", "theory", "rel_error", "passed",
    ]  # fmt: skip
    text = (tmp_path / "validation.md").read_text(encoding="utf-8")
    assert "govsim validate --out docs" in text and "## Method" in text
    assert "Erlang C" in text and "Cobham" in text and "Erlang-A" in text


@pytest.mark.slow
def test_full_suite_passes():
    report = validate(quick=False)
    failures = report.failures[["check", "metric", "simulated", "theory", "band_low", "band_high"]]
    assert report.passed, f"validation failures:\n{failures.to_string()}"
    assert len(report.table) == markdown.FULL_SUITE_SIZE


# ---------------------------------------------------------------- broken engines must fail


def _failed(report, words: str) -> pd.DataFrame:
    t = report.table
    return t[t["metric"].str.contains(words, regex=False) & ~t["passed"]]


def test_ignoring_severity_priority_fails_cobham(monkeypatch):
    """Serve waiting cases first come, first served whatever their severity."""

    def fifo_push(heap, item):
        if isinstance(item[0], int):  # an office queue entry (−severity, seq, …), not a deadline
            item = (0, *item[1:])
        heapq.heappush(heap, item)

    monkeypatch.setattr(model, "heapq", SimpleNamespace(heappush=fifo_push, heappop=heapq.heappop))
    report = validate(quick=True, checks=["priority"])
    assert not report.passed
    assert len(_failed(report, "sojourn, major")) == 1
    assert len(_failed(report, "sojourn, minor")) == 1
    major = report.table[report.table["metric"].str.contains("sojourn, major")].iloc[0]
    assert major.simulated > 4.0  # FCFS M/M/1 at ρ = 0.8: sojourn 5 h for everyone


def test_doubled_handling_times_fail_throughput_and_erlang(monkeypatch):
    original = model.draw_cases

    def doubled(*args, **kwargs):
        cases = original(*args, **kwargs)
        cases.handling = cases.handling * 2
        return cases

    monkeypatch.setattr(model, "draw_cases", doubled)
    monkeypatch.setattr(queueing, "ERLANG_QUICK", [(3, 0.4)])
    report = validate(quick=True, checks=["erlang_c", "calendar"])
    assert len(_failed(report, "handlings a workday")) == 1
    assert len(_failed(report, "M/M/3 ρ=0.4: utilisation")) == 1
    assert len(_failed(report, "M/M/3 ρ=0.4: mean wait")) == 1
    assert len(_failed(report, "M/M/3 ρ=0.4: P(wait > 0)")) == 1


def test_calendar_without_lunch_break_fails(monkeypatch):
    def no_lunch(scenario):
        spec = scenario.calendar
        if not spec.always_open:
            first, last = spec.hours[0].split("-")[0], spec.hours[-1].split("-")[1]
            spec = spec.model_copy(update={"hours": [f"{first}-{last}"]})
        return Calendar(spec, first_weekday(scenario))

    monkeypatch.setattr(model, "scenario_calendar", no_lunch)
    report = validate(quick=True, checks=["calendar"])
    assert len(_failed(report, "handlings a workday")) == 1
    assert len(_failed(report, "completions while closed")) == 1
    handled = report.table[report.table["metric"].str.contains("handlings a workday")].iloc[0]
    assert handled.simulated == pytest.approx(3 * 8.5 / 0.5, rel=0.05)


def test_ignored_patience_fails_the_patience_check(monkeypatch):
    monkeypatch.setattr(model.Model, "_watch_patience", lambda self, deadline, case: None)
    report = validate(quick=True, checks=["patience"])
    assert len(_failed(report, "self-escalated")) == 1


def test_callers_who_never_hang_up_fail_erlang_a(monkeypatch):
    """The 12345 centre ignores the callers' patience: nobody abandons, waits grow."""
    original = front_door.fcfs

    def no_patience(arrivals, service, patience, duty):
        return original(arrivals, service, None, duty)

    monkeypatch.setattr(front_door, "fcfs", no_patience)
    monkeypatch.setattr(hotline, "ERLANG_A_QUICK", [(5, 0.8)])
    report = validate(quick=True, checks=["erlang_a"])
    assert len(_failed(report, "abandoned share")) == 1
    assert len(_failed(report, "answered within")) == 1
    assert len(_failed(report, "mean wait of answered")) == 1


def test_cli_validate_exit_codes(tmp_path, monkeypatch, capsys):
    out = tmp_path / "ok"
    assert cli.main(["validate", "--quick", "--check", "patience", "--out", str(out)]) == 0
    assert (out / "validation.csv").exists() and (out / "validation.md").exists()
    assert "quantities pass" in capsys.readouterr().out
    monkeypatch.setattr(model.Model, "_watch_patience", lambda self, deadline, case: None)
    bad = tmp_path / "bad"
    assert cli.main(["validate", "--quick", "--check", "patience", "--out", str(bad)]) == 1
    assert "FAIL" in capsys.readouterr().out


# ---------------------------------------------------------------- calibration


def _fake_results(rows: list[dict]) -> SimpleNamespace:
    cases = pd.DataFrame(rows)
    cases["outcome"] = pd.Categorical(cases["outcome"])
    cases["closed_level"] = pd.Categorical(cases["closed_level"])
    kpis = {"grassroots_rate": 0.5, "one_trip_rate": 0.9, "open_rate": 0.1, "resolved_rate": 0.5}
    by_rep = pd.DataFrame(
        {k: [v] for k, v in kpis.items()}, index=pd.Index([0], name="replication")
    )
    return SimpleNamespace(cases=cases, by_replication=by_rep)


def test_reached_county_is_derived_from_levels_and_closed_level():
    rows = [
        # resolved at the county after entering at the town: reached, resolved
        {"outcome": "resolved", "closed_level": "county", "levels": 2},
        # resolved by the city after the county failed: reached, resolved
        {"outcome": "resolved", "closed_level": "city", "levels": 3},
        # critical case dispatched straight to the city: never at a county
        {"outcome": "resolved", "closed_level": "city", "levels": 1},
        # the city failed after the county: reached, litigation
        {"outcome": "litigation", "closed_level": "city", "levels": 2},
        # gave up waiting at the county: reached, not resolved
        {"outcome": "abandoned", "closed_level": "county", "levels": 1},
        # resolved at the town: not reached
        {"outcome": "resolved", "closed_level": "town", "levels": 3},
        # open: left out
        {"outcome": "open", "closed_level": None, "levels": 4},
    ]
    for r in rows:
        r["replication"] = 0
    m = calibration_metrics(_fake_results(rows)).iloc[0]
    assert m["county_resolved"] == pytest.approx(2 / 4)
    assert m["county_settled_there"] == pytest.approx(1 / 4)
    assert m["county_reached"] == pytest.approx(4 / 6)
    assert m["grassroots_of_resolved"] == pytest.approx(1 / 4)


def test_calibration_report_on_a_short_run(tmp_path):
    from simulation.scenario.loader import load_scenario, packaged_default_path

    short = load_scenario(
        packaged_default_path(), ["horizon_days=30", "warmup_days=7", "replications=2"]
    )
    report = calibrate(short, sensitivity=False)
    summary = report.summary()
    assert list(summary["published"]) == [f.value for f in PUBLISHED]
    assert summary["model"].between(0.5, 1.0).all()
    text = report.save(tmp_path / "calibration.md").read_text(encoding="utf-8")
    assert "govsim calibrate --out docs/calibration.md" in text
    for fig in PUBLISHED:
        assert fig.label in text and fig.year in text
    assert summary["gap_pp"].notna().all()
    # volumes: those set by construction agree (the window's season included), the rest shown
    volumes = report.volumes.mean()
    season = volumes["season"]
    assert volumes["grid_reports"] == pytest.approx(142 * season, rel=0.05)
    assert volumes["hotline_settled"] == pytest.approx(0.527, abs=0.02)
    assert volumes["hotline_consultation"] == pytest.approx(0.67, abs=0.02)
    assert 0.3 < volumes["utilization_county"] < 1.0 and 0.3 < volumes["utilization_town"] < 1.0
    for label in ("County centre visits per centre per day", "12345 operators per 100,000"):
        assert label in text
    assert "by construction" in text
