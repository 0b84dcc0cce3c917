"""One measured replication in a fresh process: ``python -m benchmarks.child SCENARIO [--set K=V]``.

Prints one JSON line: the wall and CPU seconds spent in ``run_replication`` (import and
scenario loading excluded), the cases it processed and the process's own peak RSS.
``benchmarks.run`` starts one of these per measurement (under ``/usr/bin/time -v`` when
present) so that every case starts with a clean heap.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time


def total_cases(scenario, counted: int) -> int:
    """Cases the replication drew, warm-up included (falls back to the counted ones)."""
    try:
        from simulation.engine.arrivals import draw_cases
        from simulation.engine.city import build_city

        return len(draw_cases(scenario, build_city(scenario), 0))
    except Exception:  # the engine's internals may change; the count is only a label
        return counted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.child")
    parser.add_argument("scenario")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument(
        "--replications",
        type=int,
        default=0,
        help="time simulation.run(..., replications=N, workers=W) instead of one replication",
    )
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)

    print(json.dumps(measure(args.scenario, args.overrides, args.replications, args.workers)))
    return 0


def measure(scenario_file, overrides: list[str], replications: int = 0, workers: int = 1) -> dict:
    """Time one replication (or ``simulation.run`` of ``replications``) of a scenario file."""
    from simulation.experiments.runner import run, run_replication
    from simulation.scenario.loader import load_scenario

    scenario = load_scenario(scenario_file, overrides)
    workers_cpu = 0.0
    if replications:
        before = _children_cpu()
        start, cpu = time.perf_counter(), time.process_time()
        results = run(scenario, replications=replications, workers=workers)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        workers_cpu = _children_cpu() - before  # worker processes, reaped by the pool
        counted = cases = len(results.cases)
        del results
    else:
        start, cpu = time.perf_counter(), time.process_time()
        tables = run_replication(scenario, 0)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        counted = len(tables[0])
        del tables
    # Peak RSS so far, taken before the bookkeeping below allocates anything (only meaningful
    # in a fresh process).
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    if not replications:
        cases = total_cases(scenario, counted)
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,  # this process only
        "workers_cpu_seconds": workers_cpu,  # its worker processes (replications with workers)
        "cases": cases,
        "counted": counted,
        "offices": _offices(scenario),
        "maxrss_kb": maxrss_kb,
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _offices(scenario) -> int:
    from simulation.engine.city import build_city

    return len(build_city(scenario).offices)


if __name__ == "__main__":
    sys.exit(main())
