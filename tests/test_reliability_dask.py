"""Reliability on Dask: a worker lost mid-task is rescheduled and the run's result is unchanged.

See docs/reliability.md (section 4) for the guarantee this test holds the code to.
"""

from __future__ import annotations

import functools
import hashlib
import os
import time
from pathlib import Path

import pandas as pd
from builders import generated, one_grid

import simulation
from simulation.experiments.executors import make_executor
from simulation.experiments.runner import run_replication


def die_on_first_attempt(marker: str, scenario, replication: int):
    """``run_replication``, but the first attempt of replication 1 kills its worker process.

    Module level (picklable by reference); ``marker`` is created atomically with ``O_EXCL`` so
    exactly one attempt, on whichever worker, wins the race and dies without cleaning up.
    """
    if replication == 1:
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            pass  # a later attempt: the kill already happened
        else:
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            os._exit(1)  # a hard crash: no exception, no reply to the scheduler
    return run_replication(scenario, replication)


def _tiny() -> dict:
    """A generated 1x1x1x2 city, 30 days, 4 replications."""
    return one_grid(
        name="tiny-dask",
        seed=11,
        horizon_days=30,
        replications=4,
        arrivals={"per_10k_residents_per_year": 2000},
        city=generated(grids=2, population=4000),
    )


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def test_lost_dask_worker_task_is_rescheduled_and_the_result_is_unchanged(tmp_path):
    serial = simulation.run(_tiny())
    serial.save(tmp_path / "serial")
    assert len(serial.cases) > 0

    marker = tmp_path / "replication-1-killed"
    killing = functools.partial(die_on_first_attempt, str(marker))  # every task runs it
    started = time.monotonic()
    with make_executor("dask", workers=2) as ex:
        ex.start()
        workers_before = set(ex._client.scheduler_info()["workers"])
        assert len(workers_before) == 2
        dask = simulation.run(_tiny(), executor=ex, replicate=killing)
        workers_after = set(ex._client.scheduler_info()["workers"])
    elapsed = time.monotonic() - started

    # the kill really happened, in a worker process (not here), and that worker was replaced
    assert marker.exists()
    assert int(marker.read_text()) != os.getpid()
    assert workers_before - workers_after, "no worker was lost"

    # ... and the rescheduled replication gives the same tables and the same bytes
    for name in ("kpis", "by_replication", "cases", "offices", "daily"):
        pd.testing.assert_frame_equal(
            getattr(dask, name), getattr(serial, name), check_exact=True, obj=name
        )
    dask.save(tmp_path / "dask")
    serial_files = _digests(tmp_path / "serial")
    assert len(serial_files) == 8  # grids.csv and kpis_by_county.csv included
    assert _digests(tmp_path / "dask") == serial_files
    assert elapsed < 30
