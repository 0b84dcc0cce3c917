"""The ``govsim`` command: run and check on the packaged scenario, and user errors as exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from simulation.cli import main

OUTPUTS = ("kpis.csv", "cases.parquet", "offices.csv", "daily.csv", "scenario.yaml")
SHORT = ["--replications", "1", "--set", "horizon_days=30", "--set", "warmup_days=0"]
GOVSIM = Path(sys.executable).with_name("govsim")


def assert_outputs(out: Path) -> None:
    for name in OUTPUTS:
        assert (out / name).is_file(), name
    kpis = pd.read_csv(out / "kpis.csv")
    assert list(kpis.columns) == [
        "kpi", "mean", "ci_low", "ci_high", "replications", "target", "meets"
    ]  # fmt: skip
    assert (kpis["replications"] <= 1).all()
    cases = pd.read_parquet(out / "cases.parquet")
    disputes = int((cases["kind"] == "dispute").sum())  # the `cases` KPI counts disputes only
    assert disputes == kpis.set_index("kpi").loc["cases", "mean"] > 0
    assert set(cases["kind"]) == {"consultation", "help", "complaint", "dispute"}
    assert cases["arrival_day"].between(0, 30, inclusive="left").all()
    daily = pd.read_csv(out / "daily.csv")
    assert len(daily) == 30 * 5
    assert "horizon_days: 30" in (out / "scenario.yaml").read_text(encoding="utf-8")


def assert_kpi_table(text: str) -> None:
    assert "jiaxing-baseline: 1 replications" in text
    for kpi in ("one_door_rate", "one_trip_rate", "grassroots_rate", "wait_hours_city"):
        assert kpi in text
    assert "✓" in text or "✗" in text
    assert "targets met:" in text


def test_run_prints_kpis_and_writes_the_five_outputs(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", *SHORT, "--out", str(out)]) == 0
    assert_kpi_table(capsys.readouterr().out)
    assert_outputs(out)


def test_run_reads_validates_and_sizes_the_scenario_once(tmp_path, capsys, monkeypatch):
    from simulation.experiments import runner
    from simulation.scenario import loader, messages

    calls = {"load_scenario": 0, "validate": 0, "check_limits": 0}

    def counted(module, name):
        real = getattr(module, name)

        def spy(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)

    for module, name in [
        (loader, "load_scenario"),
        (runner, "load_scenario"),
        (loader, "validate"),
        (messages, "validate"),  # Scenario.replace's
        (runner, "check_limits"),
    ]:
        counted(module, name)
    short = [*SHORT[2:], "--set", "replications=1"]
    assert main(["run", *short, "--out", str(tmp_path / "a")]) == 0
    assert calls == {"load_scenario": 1, "validate": 1, "check_limits": 1}
    assert main(["run", *SHORT, "--seed", "3", "--out", str(tmp_path / "b")]) == 0
    assert calls == {"load_scenario": 2, "validate": 3, "check_limits": 2}  # + one replace
    capsys.readouterr()


def test_run_as_a_separate_process(tmp_path):
    out = tmp_path / "out"
    command = [str(GOVSIM)] if GOVSIM.exists() else [sys.executable, "-m", "simulation"]
    done = subprocess.run(
        [*command, "run", *SHORT, "--out", str(out)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert done.returncode == 0, done.stderr
    assert_kpi_table(done.stdout)
    assert "Traceback" not in done.stderr
    assert_outputs(out)


def test_python_dash_m_simulation_check():
    done = subprocess.run(
        [sys.executable, "-m", "simulation", "check"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert done.returncode == 0, done.stderr
    assert "jiaxing-baseline" in done.stdout, (done.stdout, done.stderr)


def test_check_prints_offices_per_level(capsys):
    assert main(["check"]) == 0
    text = capsys.readouterr().out
    expected = {"city": "1", "county": "7", "town": "72", "village": "1,080", "grid": "6,480"}
    for level, offices in expected.items():
        rows = [ln.split() for ln in text.splitlines() if ln.split()[:1] == [level]]
        assert [offices, "offices"] in [row[1:3] for row in rows], level


# ---------------------------------------------------------------- user errors: exit 2


def fails_cleanly(argv: list[str], capsys) -> str:
    """Exit code 2, nothing on stdout, no traceback; returns stderr."""
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse errors
        code = stop.code
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert "Traceback" not in captured.err
    return captured.err


def test_unknown_set_key_names_the_key(capsys):
    err = fails_cleanly(["check", "--set", "offices.county.stafff=3"], capsys)
    assert "offices.county.stafff" in err
    assert "staff" in err


def test_bad_set_value_names_the_key(capsys, tmp_path):
    err = fails_cleanly(["run", "--set", "horizon_days=abc", "--out", str(tmp_path / "o")], capsys)
    assert "horizon_days" in err
    assert not (tmp_path / "o").exists()


def test_set_without_equals_sign_is_a_user_error(capsys):
    err = fails_cleanly(["check", "--set", "horizon_days"], capsys)
    assert "horizon_days" in err


def test_missing_scenario_file_names_the_path(capsys, tmp_path):
    missing = tmp_path / "nowhere" / "scenario.yaml"
    err = fails_cleanly(["run", str(missing), "--out", str(tmp_path / "o")], capsys)
    assert str(missing) in err or "scenario.yaml" in err


def test_directory_as_scenario_file_is_a_user_error(capsys, tmp_path):
    err = fails_cleanly(["check", str(tmp_path)], capsys)
    assert str(tmp_path) in err or tmp_path.name in err


def test_yaml_syntax_error_names_the_file_and_line(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nseed: [1, 2\nhorizon_days: 3\n", encoding="utf-8")
    err = fails_cleanly(["check", str(bad)], capsys)
    assert "bad.yaml" in err


def test_unknown_key_in_a_file_names_file_and_key(capsys, tmp_path):
    bad = tmp_path / "typo.yaml"
    bad.write_text("name: x\nhorizon_dayz: 3\n", encoding="utf-8")
    err = fails_cleanly(["check", str(bad)], capsys)
    assert "typo.yaml" in err and "horizon_dayz" in err


@pytest.mark.parametrize("argv", [["run", "--replications", "0"], ["run", "--workers", "0"]])
def test_non_positive_counts_are_usage_errors(argv, capsys):
    fails_cleanly(argv, capsys)


def test_unwritable_output_folder_is_a_user_error(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    err = fails_cleanly(["run", *SHORT, "--out", str(blocker / "out")], capsys)
    assert str(blocker) in err


def test_version_is_the_installed_package_metadata(capsys):
    from importlib.metadata import version

    import simulation

    assert simulation.__version__ == version("govsim")
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"govsim {version('govsim')}"
