"""Executors on this machine: ``python -m benchmarks.executors [--replications 8] [--repeats 3]``.

Times ``simulation.run`` of the default scenario serially, on a 2-process pool and on a Dask
``LocalCluster`` with 2 single-threaded workers (the cluster started once, its start-up timed
separately), and prints wall times, parallel efficiency (serial / (2 × parallel)) and the load
average, because other work on the machine skews every number. Each timing is the best of
``--repeats``. The results of the three runs are checked to be identical.

A control measures what the machine can give at that moment: a pure-Python loop timed alone
and then in ``--workers`` processes at once. ``cores_available`` = workers × alone / together
(2.0 on an idle 2-core machine); the parallel runs can be no better than that.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor

import pandas as pd

import simulation
from simulation.experiments.executors import DaskExecutor, ProcessExecutor
from simulation.scenario.loader import packaged_default_path


def _spin(n: int = 10_000_000) -> float:
    start = time.perf_counter()
    x = 0
    for i in range(n):
        x += i * i
    return time.perf_counter() - start


def cores_available(workers: int) -> float:
    """How many cores ``workers`` CPU-bound processes get right now (control measurement)."""
    alone = _spin()
    with ProcessPoolExecutor(workers) as pool:
        together = max(pool.map(_spin, [10_000_000] * workers))
    return workers * alone / together


def _best(fn, repeats: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    scenario = simulation.load_scenario(packaged_default_path())
    n, w = args.replications, args.workers
    load = [os.getloadavg()[0]]
    cores = [cores_available(w)]

    serial, base = _best(lambda: simulation.run(scenario, n), args.repeats)
    with ProcessExecutor(w) as pool:
        procs, by_pool = _best(lambda: simulation.run(scenario, n, executor=pool), args.repeats)
    procs_cold, _ = _best(lambda: simulation.run(scenario, n, workers=w), 1)
    starts = []
    for i in range(args.repeats):
        start = time.perf_counter()
        cluster = DaskExecutor(w).start()
        starts.append(time.perf_counter() - start)
        if i < args.repeats - 1:
            cluster.close()
    with cluster:
        dask, by_dask = _best(lambda: simulation.run(scenario, n, executor=cluster), args.repeats)
    load.append(os.getloadavg()[0])
    cores.append(cores_available(w))
    for other in (by_pool, by_dask):
        pd.testing.assert_frame_equal(other.cases, base.cases)
        pd.testing.assert_frame_equal(other.kpis, base.kpis)
    report = {
        "replications": n,
        "workers": w,
        "cpus": os.cpu_count(),
        "serial_s": serial,
        "processes_s": procs,
        "processes_incl_pool_start_s": procs_cold,
        "dask_s": dask,
        "dask_localcluster_start_s": min(starts),
        "efficiency_processes": serial / (w * procs),
        "efficiency_dask": serial / (w * dask),
        "efficiency_dask_incl_start": serial / (w * (dask + min(starts))),
        "load_average_1min": [round(x, 2) for x in load],
        "cores_available_before_after": [round(x, 2) for x in cores],
    }
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in report.items()}))


if __name__ == "__main__":
    main()
