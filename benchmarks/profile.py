"""Profile one replication: ``python -m benchmarks.profile [jiaxing|all-requests|FILE]``.

Runs ``run_replication`` under cProfile (and under pyinstrument when it is installed) and writes
to ``benchmarks/profiles/``: ``NAME.txt`` (the wall time without a profiler, own time grouped by
where it is spent, and the top functions by own and by cumulative time), ``NAME.prof`` (pstats,
for snakeviz or ``python -m pstats``) and ``NAME-pyinstrument.txt`` (a sampled call tree, which
does not inflate small functions the way cProfile does).
"""

from __future__ import annotations

import argparse
import cProfile
import linecache
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "profiles"
NAMED = {"all-requests": ROOT / "scenarios" / "jiaxing-all-requests.yaml"}

# Where own time goes: the first matching rule names the group of a profiled function.
GROUPS = [
    ("SimPy event loop (simpy/*: step, schedule, Timeout, Process)", ("/simpy/",)),
    ("event scheduling in model.py (_after, _Call, _fire)", ("model.py:_after", "model.py:_fire", "model.py:_Call.")),  # noqa: E501
    ("working calendar (simulation/calendar.py)", ("simulation/calendar.py",)),
    ("daily sampler (Model._sample, _sample_daily)", ("_sample",)),
    ("case callbacks (simulation/model.py)", ("simulation/model.py",)),
    ("arrivals and fates (simulation/arrivals.py, distributions.py)", ("arrivals.py", "distributions.py")),  # noqa: E501
    ("tables (simulation/record.py) and pandas", ("record.py", "/pandas/")),
    ("city tree (simulation/city.py) and networkx", ("city.py", "/networkx/")),
    ("heapq (office queues)", ("_heapq.", "heapq.")),
    ("numpy functions (not scalar indexing, which is inline)", ("/numpy/", "numpy.")),
]  # fmt: skip


def scenario_path(name: str) -> Path:
    if name == "jiaxing":
        from simulation.loader import packaged_default_path

        return packaged_default_path()
    return NAMED.get(name, Path(name))


def qualname(file: str, line: int, func: str) -> str:
    """``Class.func`` for a method (the nearest ``class`` line above its ``def``)."""
    if not file.endswith(".py") or not func.isidentifier():
        return func
    for number in range(line, 0, -1):
        text = linecache.getline(file, number)
        if text.startswith("class "):
            return text[6:].split("(")[0].split(":")[0].strip() + "." + func
        if text.startswith(("def ", "async def ")) and number != line:
            return func
    return func


def group_of(key: tuple[str, int, str]) -> str:
    file, line, func = key
    where = f"{file}:{qualname(file, line, func)}"
    for label, patterns in GROUPS:
        if any(p in where for p in patterns):
            return label
    if file == "~":
        return f"builtins ({func})" if func.startswith("<built-in method builtins.") else "other C"
    return "other Python"


def grouped(stats: pstats.Stats) -> list[tuple[str, float]]:
    totals: dict[str, float] = {}
    for key, (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        label = group_of(key)
        if label.startswith("builtins ("):
            label = "other builtins (isinstance, len, getattr, …)"
        totals[label] = totals.get(label, 0.0) + own
    return sorted(totals.items(), key=lambda kv: -kv[1])


def phases(stats: pstats.Stats) -> list[tuple[str, float]]:
    """Cumulative time of the main phases of a replication."""
    wanted = {
        ("experiment.py", "run_replication"): "run_replication (all)",
        ("city.py", "build_city"): "build_city",
        ("arrivals.py", "draw_cases"): "draw_cases (arrivals and fates)",
        ("model.py", "run"): "Model.run (includes draw_cases)",
        ("model.py", "_sample"): "Model._sample (daily sampler)",
        ("record.py", "case_table"): "case_table",
        ("record.py", "office_table"): "office_table",
        ("record.py", "daily_table"): "daily_table",
        ("core.py", "step"): "simpy Environment.step",
    }
    found = []
    for (file, _, func), (_, _, _, cum, _) in stats.stats.items():  # type: ignore[attr-defined]
        for (suffix, name), label in wanted.items():
            if file.endswith(suffix) and func == name:
                found.append((label, cum))
    order = list(wanted.values())
    return sorted(found, key=lambda kv: order.index(kv[0]))


def top(stats: pstats.Stats, index: int, n: int) -> list[str]:
    """The ``n`` functions with the most own (index 2) or cumulative (3) time, qualified."""
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][index])[:n]  # type: ignore[attr-defined]
    out = [f"{'calls':>10} {'own s':>8} {'cum s':>8} {'own µs/call':>11}  function"]
    for (file, line, func), (_, calls, own, cum, _) in rows:
        where = f"{Path(file).name}:{line}" if file != "~" else "~"
        name = qualname(file, line, func)
        out.append(f"{calls:>10,} {own:8.3f} {cum:8.3f} {own / calls * 1e6:11.2f}  {where} {name}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    parser.add_argument(
        "scenario", nargs="?", default="jiaxing", help="jiaxing, all-requests, FILE"
    )
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--name", help="output name (default: the scenario's)")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--out", default=str(OUT), help="output folder")
    parser.add_argument("--no-pyinstrument", action="store_true")
    args = parser.parse_args(argv)

    from simulation.experiment import run_replication
    from simulation.loader import load_scenario

    scenario = load_scenario(scenario_path(args.scenario), ["replications=1", *args.overrides])
    name = args.name or scenario.name
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    start = time.perf_counter()
    tables = run_replication(scenario, 0)
    plain = time.perf_counter() - start
    counted = len(tables[0])
    del tables

    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.runcall(run_replication, scenario, 0)
    profiled = time.perf_counter() - start
    profiler.dump_stats(out / f"{name}.prof")
    stats = pstats.Stats(profiler)
    total_own = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]

    lines = [
        f"scenario {name}: one replication, {counted:,} counted cases",
        f"wall time without profiler: {plain:.2f} s; under cProfile: {profiled:.2f} s "
        f"(cProfile adds a fixed cost per Python call, so small functions look heavier)",
        "",
        "phases (cumulative s under cProfile):",
        *(f"  {label:<40} {cum:8.2f}" for label, cum in phases(stats)),
        "",
        "own time by group (s, share of all own time under cProfile):",
        *(f"  {label:<64} {own:8.2f}  {own / total_own:6.1%}" for label, own in grouped(stats)),
    ]
    for index, title in ((2, "own"), (3, "cumulative")):
        lines += ["", f"top {args.top} by {title} time:", *top(stats, index, args.top)]
    report = "\n".join(lines) + "\n"
    (out / f"{name}.txt").write_text(report, encoding="utf-8")
    print(report)

    if not args.no_pyinstrument:
        try:
            from pyinstrument import Profiler
        except ImportError:
            print("pyinstrument is not installed: skipped", file=sys.stderr)
            return 0
        sampler = Profiler(interval=0.001)
        sampler.start()
        run_replication(scenario, 0)
        sampler.stop()
        tree = sampler.output_text(unicode=True, color=False, show_all=False)
        (out / f"{name}-pyinstrument.txt").write_text(tree, encoding="utf-8")
        print(f"wrote {out / (name + '-pyinstrument.txt')}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
