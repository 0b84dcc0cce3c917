"""Concurrent ``govsim run``s on a 2-core machine (docs/reliability.md, section 3d).

Several runs at once, into different folders and into the same folder, must each finish (or,
for a folder another scenario's run took first, refuse with exit 2), and every folder must hold
exactly the bytes a serial run of its scenario writes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from procs import ROOT, Govsim, digests

BASE = {
    "name": "load",
    "seed": 9,
    "horizon_days": 40,
    "warmup_days": 3,
    "replications": 3,
    "arrivals": {"per_10k_residents_per_year": 3000},
    "city": {
        "generate": {
            "counties": 1,
            "towns_per_county": 2,
            "villages_per_town": 2,
            "grids_per_village": 2,
            "population": 20_000,
        }
    },
}
VARIANTS = {
    "a": {},
    "b": {"seed": 10},
    "c": {"offices": {"town": {"staff": 1}}},
    "d": {"name": "load-d", "horizon_days": 30},
}
"""Four different scenarios (``d`` under another name)."""


def _serial(scenario: Path, out: Path) -> dict[str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "simulation", "run", str(scenario), "-o", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return digests(out)


class _SerialDigests(dict):
    """Each variant's serial-run digests, computed the first time they are asked for."""

    def __init__(self, files: dict[str, Path], root: Path) -> None:
        super().__init__()
        self.files, self.root = files, root

    def __missing__(self, key: str) -> dict[str, str]:
        self[key] = _serial(self.files[key], self.root / "serial" / key)
        return self[key]


@pytest.fixture(scope="module")
def stage(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("load")
    files = {}
    for key, changes in VARIANTS.items():
        files[key] = root / f"{key}.yaml"
        files[key].write_text(yaml.safe_dump({**BASE, **changes}), encoding="utf-8")
    return {"root": root, "files": files, "reference": _SerialDigests(files, root)}


def _start_all(runs: list[tuple[str, Path, list[str]]], logs: Path) -> list[tuple[str, Govsim]]:
    """Start every run at once (``(variant, out, extra args)``), the first ones with 2 workers
    so there are more busy processes than cores."""
    started = []
    for i, (scenario, out, extra) in enumerate(runs):
        workers = ["--workers", "2"] if i < 2 else []
        args = ["run", str(scenario), "-o", str(out), *workers, *extra]
        started.append((scenario.stem, Govsim(args, logs).start()))
    return started


def _finish(started: list[tuple[str, Govsim]]) -> list[tuple[int, str]]:
    outcomes = []
    for _, run in started:
        try:
            code = run.wait(timeout=900)
        finally:
            run.cleanup()
        outcomes.append((code, run.stderr()))
    return outcomes


@pytest.mark.slow
def test_four_runs_into_four_folders_and_two_into_one_folder(stage, tmp_path, capsys):
    files, reference = stage["files"], stage["reference"]
    out = tmp_path / "results"
    runs = [(files[k], out / k, []) for k in VARIANTS]
    runs += [(files["a"], out / "shared", []), (files["a"], out / "shared", [])]
    started = _start_all(runs, tmp_path / "logs")
    outcomes = _finish(started)
    for (code, err), (scenario, _, _) in zip(outcomes, runs, strict=True):
        assert code == 0, f"{scenario.name}: exit {code}\n{err}"
        assert "Traceback" not in err
    for key in VARIANTS:
        assert digests(out / key) == reference[key], key
    assert digests(out / "shared") == reference["a"]  # the last writer's bytes, identical
    assert sorted(p.name for p in out.iterdir()) == sorted([*VARIANTS, "shared"])
    with capsys.disabled():
        print("\n6 concurrent runs (2 with 2 workers) on", _cores(), "cores: all byte-identical")


def test_two_runs_of_one_scenario_into_one_folder_both_finish(stage, tmp_path):
    shared = tmp_path / "results" / "shared"
    runs = [(stage["files"]["a"], shared, []), (stage["files"]["a"], shared, [])]
    for code, err in _finish(_start_all(runs, tmp_path / "logs")):
        assert code == 0 and "Traceback" not in err, err
    assert digests(shared) == stage["reference"]["a"]
    assert sorted(p.name for p in shared.parent.iterdir()) == ["shared"]


def test_two_scenarios_racing_for_one_folder_one_wins_one_refuses(stage, tmp_path):
    files, reference = stage["files"], stage["reference"]
    shared = tmp_path / "results" / "shared"
    runs = [(files["a"], shared, []), (files["c"], shared, [])]
    outcomes = _finish(_start_all(runs, tmp_path / "logs"))
    codes = sorted(code for code, _ in outcomes)
    assert codes == [0, 2], outcomes
    winner = "a" if outcomes[0][0] == 0 else "c"
    loser_err = outcomes[1][1] if winner == "a" else outcomes[0][1]
    assert "holds the results of scenario 'load'" in loser_err and "--force" in loser_err
    assert "Traceback" not in loser_err
    assert digests(shared) == reference[winner]
    assert sorted(p.name for p in shared.parent.iterdir()) == ["shared"]


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
