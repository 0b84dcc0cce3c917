"""The benchmark command's quick mode runs end to end, so the benchmarks never rot.

No timing is asserted: the machine is shared. The Ciw comparison is skipped by the command
itself when Ciw is not installed (it is a benchmark-only dependency: ``.[bench]``).
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `benchmarks` is a folder of the repository, not installed
    sys.path.insert(0, str(ROOT))

from benchmarks import tree as jt  # noqa: E402
from benchmarks.run import main  # noqa: E402


def test_quick_mode_writes_every_section(tmp_path):
    out = tmp_path / "results.md"
    assert main(["--quick", "--repeats", "1", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    for title in (
        "## Machine",
        "## a. Jackson tree",
        "## b. One replication-year",
        "## c. Cost against volume",
        "## c. Cost against idle offices",
        "## d. Parallel replications",
    ):
        assert title in text
    assert "| govsim |" in text and "| heapq loop |" in text
    assert "jiaxing-all-requests (full volume)" in text
    if importlib.util.find_spec("ciw") is not None:
        assert "| Ciw |" in text


def test_analytic_waits_are_erlang_c():
    # One M/M/1 grid at rho 0.5: Wq = rho / (mu - lambda) = 1 h.
    spec = jt.TreeSpec(grid_rate=0.5, staff=(1, 1, 2, 2, 2), mean_hours=(1, 1, 2, 3, 5))
    waits = jt.analytic_waits(spec)
    assert math.isclose(waits["grid"], 1.0)
    # Village: 3 grids x 0.5 x 0.4 = 0.6/h on one server of mean 1 h: Wq = 0.6 / 0.4 = 1.5 h.
    assert math.isclose(waits["village"], 1.5)


def test_heapq_loop_and_govsim_build_the_same_tree():
    from simulation.engine.city import build_city
    from simulation.scenario.loader import load_scenario

    spec = jt.TreeSpec(horizon_days=1, warmup_days=0)
    scenario = load_scenario(jt.govsim_scenario(spec))
    city = build_city(scenario)
    tree = jt.build_tree(spec)
    assert len(city.offices) == len(tree)
    assert sorted(o.level for o in city.offices) == sorted(tree.level)
    result = jt.run_heapq(spec)
    assert result.cases > 0


@pytest.mark.skipif(importlib.util.find_spec("ciw") is None, reason="ciw not installed")
def test_ciw_network_runs():
    spec = jt.TreeSpec(horizon_days=1, warmup_days=0)
    result = jt.run_ciw(spec)
    assert result.cases > 0
