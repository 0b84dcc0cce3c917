"""Kill -9 at any moment loses only the work in flight (docs/reliability.md, section 3c).

``govsim run`` is killed at random moments while it computes and while it writes its outputs,
over an output folder holding an earlier run of the same scenario: afterwards the folder is the
earlier run or the new one, byte for byte, never a mix and never missing, and the next run
cleans up what the killed one left. ``govsim sweep`` is killed again and again until it is done:
finished points are kept, and the sweep that finally completes writes the bytes an uninterrupted
one writes.
"""

from __future__ import annotations

import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from procs import ROOT, Govsim, digests, wait_until

SCENARIO = {
    "name": "kill",
    "seed": 5,
    "horizon_days": 60,
    "warmup_days": 0,
    "replications": 2,
    "calendar": {"always_open": True},
    "city": {
        "generate": {
            "counties": 1,
            "towns_per_county": 1,
            "villages_per_town": 2,
            "grids_per_village": 2,
            "population": 20_000,
        }
    },
    "offices": {level: {"staff": 50} for level in ("grid", "village", "town", "county", "city")},
    "arrivals": {"per_10k_residents_per_year": 25_000},
}
"""~10,000 cases a replication: a cases.parquet of several hundred KB to write."""

SWEEP = ["--vary", "offices.town.staff=1:8:1", "-r", "2"]


def _govsim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simulation", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def stage(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("kill")
    scenario = root / "kill.yaml"
    scenario.write_text(yaml.safe_dump(SCENARIO), encoding="utf-8")
    old, new = root / "old", root / "new"
    assert _govsim("run", str(scenario), "-r", "1", "-o", str(old)).returncode == 0
    assert _govsim("run", str(scenario), "-o", str(new)).returncode == 0
    return {
        "root": root,
        "scenario": scenario,
        "old": old,
        "old_digests": digests(old),
        "new_digests": digests(new),
    }


def _staging_of(out: Path) -> list[Path]:
    return [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]


def _visible(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if not p.name.startswith(".")]


def kill_run_once(stage: dict, folder: Path, moment: str, rng: random.Random) -> tuple[str, int]:
    """Start ``govsim run`` over a copy of the earlier run, SIGKILL it at ``moment``
    (``computing``: a random time after the progress bar; ``writing``: as soon as its staging
    folder appears, plus a random delay of up to 1 s, which spans writing the files, moving the
    folder into place, removing the old one and exiting); return which outputs the folder holds."""
    out = folder / "results" / "kill"
    out.parent.mkdir(parents=True)
    shutil.copytree(stage["old"], out)
    run = Govsim(["run", str(stage["scenario"]), "-o", str(out)], folder / "logs").start()
    try:
        if moment == "computing":
            wait_until(lambda: "kill:" in run.stderr(), 120, "the progress bar")
            time.sleep(rng.uniform(0.0, 1.0))
        else:
            wait_until(
                lambda: _staging_of(out) or run.process.poll() is not None,
                300,
                "the outputs being written",
                every=0.002,
            )
            time.sleep(rng.uniform(0.0, 1.0))  # writing, moving into place, exiting: ~0.9 s
        run.signal(signal.SIGKILL)
        code = run.wait(timeout=60)  # -9, or 0 when it had finished just before
    finally:
        run.cleanup()
    held = digests(out)
    assert held in (stage["old_digests"], stage["new_digests"]), f"{moment}: a mix of outputs"
    return ("old" if held == stage["old_digests"] else "new"), code


def _assert_next_run_cleans_up(stage: dict, folder: Path) -> None:
    out = folder / "results" / "kill"
    done = _govsim("run", str(stage["scenario"]), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert digests(out) == stage["new_digests"]
    assert _staging_of(out) == []


def test_kill_while_writing_leaves_the_old_or_the_new_folder(stage, tmp_path):
    held, _ = kill_run_once(stage, tmp_path, "writing", random.Random(3))
    assert held in ("old", "new")
    _assert_next_run_cleans_up(stage, tmp_path)


@pytest.mark.slow
def test_kill_at_random_moments_never_mixes_outputs(stage, tmp_path, capsys):
    rng = random.Random(4)
    held = []
    for i in range(10):
        moment = "writing" if i % 2 else "computing"
        held.append((moment, *kill_run_once(stage, tmp_path / f"round-{i}", moment, rng)))
        _assert_next_run_cleans_up(stage, tmp_path / f"round-{i}")
    with capsys.disabled():
        killed = sum(code == -signal.SIGKILL for _, _, code in held)
        print(f"\nkill -9 during a run: {len(held)} rounds ({killed} killed before exit): {held}")


@pytest.mark.slow
def test_a_sweep_killed_again_and_again_resumes_to_the_same_bytes(stage, tmp_path, capsys):
    reference = tmp_path / "reference"
    done = _govsim("sweep", str(stage["scenario"]), *SWEEP, "-o", str(reference))
    assert done.returncode == 0, done.stderr
    out = tmp_path / "killed"
    rng = random.Random(5)
    kills, stored = 0, []
    for _ in range(8):  # bounded: each round keeps at least the points finished before it
        run = Govsim(["sweep", str(stage["scenario"]), *SWEEP, "-o", str(out)], tmp_path / "logs")
        run.start()
        try:
            wait_until(lambda r=run: "sweep" in r.stderr() or r.process.poll(), 120, "a start")
            time.sleep(rng.uniform(0.5, 3.0))
            finished = run.process.poll() is not None
            run.signal(signal.SIGKILL)
            code = run.wait(timeout=60)
        finally:
            run.cleanup()
        points = out / "points"
        stored.append(len(_visible(points)) if points.exists() else 0)
        if finished and code == 0:
            break
        kills += 1
    final = _govsim("sweep", str(stage["scenario"]), *SWEEP, "-o", str(out))
    assert final.returncode == 0, final.stderr
    reused = int(re.search(r"reused (\d+) stored point", final.stdout).group(1))
    assert reused == stored[-1]
    assert stored == sorted(stored)  # a kill never lost a stored point
    assert (out / "sweep.csv").read_bytes() == (reference / "sweep.csv").read_bytes()
    assert [p.name for p in (out / "points").iterdir() if p.name.startswith(".")] == []
    with capsys.disabled():
        print(f"\nsweep: {kills} kills, stored points after each: {stored}, then reused {reused}")
