"""A real Dask cluster started from the command line: ``dask scheduler`` and two ``dask worker``
processes on this machine, as docs/scaling.md tells a planner to start them on several machines.

``govsim run --scheduler ADDRESS`` must write the same bytes as a serial run. The test waits
for states (the scheduler file written, two workers registered), never for a fixed time, and
ends every process it started whatever happens.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from builders import generated, one_grid
from procs import digests, wait_until

from simulation.cli import main

DASK = Path(sys.executable).with_name("dask")
pytestmark = pytest.mark.skipif(not DASK.exists(), reason="the dask command is not installed")


def _start(args: list[str], log: Path) -> subprocess.Popen:
    """One cluster process in its own session (so the whole group can be ended)."""
    return subprocess.Popen(
        [str(DASK), *args],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"},
    )


@pytest.fixture
def cluster(tmp_path):
    """The scheduler's address, once two single-threaded workers have registered with it."""
    scheduler_file = tmp_path / "scheduler.json"
    started = [
        _start(
            [
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--dashboard-address",
                ":0",
                "--scheduler-file",
                str(scheduler_file),
                "--no-show",
            ],
            tmp_path / "scheduler.log",
        )
    ]
    try:
        wait_until(scheduler_file.exists, 120, "the scheduler file written")
        address = wait_until(
            lambda: json.loads(scheduler_file.read_text() or "{}").get("address"),
            60,
            "the scheduler address in its file",
        )
        for n in range(2):
            started.append(
                _start(
                    [
                        "worker",
                        address,
                        "--nthreads",
                        "1",
                        "--nworkers",
                        "1",
                        "--memory-limit",
                        "2GiB",
                        "--no-dashboard",
                        "--name",
                        f"w{n}",
                    ],
                    tmp_path / f"worker{n}.log",
                )
            )
        from distributed import Client

        with Client(address, timeout=120) as client:
            client.wait_for_workers(2, timeout=180)
        yield address
    finally:
        for process in started:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in started:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def test_a_command_line_cluster_writes_the_same_bytes_as_a_serial_run(cluster, tmp_path):
    scenario = tmp_path / "small.yaml"
    scenario.write_text(
        yaml.safe_dump(
            one_grid(
                name="cluster-check",
                seed=5,
                horizon_days=40,
                replications=4,
                arrivals={"per_10k_residents_per_year": 3000},
                city=generated(grids=3, population=6000),
            )
        ),
        encoding="utf-8",
    )
    assert main(["run", str(scenario), "--out", str(tmp_path / "serial")]) == 0
    dask_run = ["run", str(scenario), "--scheduler", cluster, "--out", str(tmp_path / "dask")]
    assert main(dask_run) == 0
    assert digests(tmp_path / "dask") == digests(tmp_path / "serial")
    from distributed import Client

    with Client(cluster, timeout=120) as client:
        # Tasks each worker ran (a lambda is sent by value; a function of this test module
        # could not be imported by the workers).
        executed = client.run(lambda dask_worker: dask_worker.state.executed_count)
    assert sum(executed.values()) >= 4, executed  # the cluster ran the 4 replications
