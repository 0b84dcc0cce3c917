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
        from simulation.scenario.loader import packaged_default_path

        return packaged_default_path()
    return NAMED.get(name, Path(name))


QUALNAMES: dict[tuple[str, int, str], str] = {}
"""(file, first line, name) -> ``Class.method``, from the profiled code objects."""


def remember_qualnames(profiler: cProfile.Profile) -> None:
    for entry in profiler.getstats():
        code = entry.code
        if not isinstance(code, str):
            key = (code.co_filename, code.co_firstlineno, code.co_name)
            QUALNAMES[key] = getattr(code, "co_qualname", code.co_name)


def qualname(file: str, line: int, func: str) -> str:
    """``Class.func`` for a method, as the profiled code object names it."""
    return QUALNAMES.get((file, line, func), func)


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


MICRO = [
    # (label, setup, statement): costs per operation of the engine's building blocks
    ("numpy int8 element store  a[i] = 3", "import numpy as np; a = np.zeros(1000, np.int8)",
     "a[5] = 3"),
    ("numpy float element store a[i] = 1.5", "import numpy as np; a = np.zeros(1000)",
     "a[5] = 1.5"),
    ("numpy bool element read   if a[i]", "import numpy as np; a = np.zeros(1000, bool)",
     "if a[5]: pass"),
    ("list element store        l[i] = 3", "l = [0] * 1000", "l[5] = 3"),
    ("list element read         if l[i]", "l = [False] * 1000", "if l[5]: pass"),
    ("array('d') element read   x = a[i]", "from array import array; a = array('d', [0.0] * 1000)",
     "x = a[5]"),
    ("SimPy event: schedule + step (1 callback)",
     "import simpy; from simpy.events import Event\n"
     "env = simpy.Environment()\n"
     "class E(Event):\n"
     "    _ok = True; _value = None\n"
     "    def __init__(self, env):\n"
     "        self.env = env; self.callbacks = [f]; env.schedule(self, 1, 1.0)\n"
     "def f(e): pass",
     "E(env); env.step()"),
    ("heapq push + pop of (t, seq, fn, args)",
     "import heapq; h = []; push, pop = heapq.heappush, heapq.heappop\ndef f(): pass",
     "push(h, (1.0, 1, f, ())); t, _, fn, a = pop(h); fn(*a)"),
    ("Calendar.add_working_hours (office hours)",
     "from simulation.calendar import Calendar\n"
     "from simulation.loader import load_scenario, packaged_default_path\n"
     "c = Calendar(load_scenario(packaged_default_path()).calendar, 0)",
     "c.add_working_hours(100.3, 1.7)"),
]  # fmt: skip


def micro() -> list[str]:
    import timeit

    lines = ["building blocks (CPU ns per operation, best of 5):"]
    for label, setup, statement in MICRO:
        timer = timeit.Timer(statement, setup, timer=time.process_time)
        number, _ = timer.autorange()
        best = min(timer.repeat(5, number)) / number
        lines.append(f"  {label:<46} {best * 1e9:8.0f}")
    return lines


def commit() -> str:
    import subprocess

    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "simulation"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "commit unknown"
    return f"commit {head}" + (" (simulation/ modified)" if dirty else "")


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

    from simulation.experiments.runner import run_replication
    from simulation.scenario.loader import load_scenario

    scenario = load_scenario(scenario_path(args.scenario), ["replications=1", *args.overrides])
    name = args.name or scenario.name
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    start, cpu = time.perf_counter(), time.process_time()
    tables = run_replication(scenario, 0)
    plain, plain_cpu = time.perf_counter() - start, time.process_time() - cpu
    counted = len(tables[0])
    del tables

    # cProfile keeps its default wall-clock timer: a CPU-time timer is a system call per event
    # here and would bias the profile towards small, often-called functions. On a loaded machine
    # time spent descheduled lands on whichever function was running: shares stay fair on
    # average, absolute seconds do not (the CPU seconds of the plain run above are the truth).
    profiler = cProfile.Profile()
    start, cpu = time.perf_counter(), time.process_time()
    profiler.runcall(run_replication, scenario, 0)
    profiled, profiled_cpu = time.perf_counter() - start, time.process_time() - cpu
    profiler.dump_stats(out / f"{name}.prof")
    remember_qualnames(profiler)
    stats = pstats.Stats(profiler)
    total_own = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]

    lines = [
        f"scenario {name}: one replication, {counted:,} counted cases; govsim {commit()}",
        f"without a profiler: {plain_cpu:.2f} CPU s ({plain:.2f} wall s); under cProfile: "
        f"{profiled_cpu:.2f} CPU s ({profiled:.2f} wall s). cProfile adds a fixed cost per "
        "Python call, so small functions look heavier; its times below are wall seconds.",
        "",
        "phases (cumulative s under cProfile):",
        *(f"  {label:<40} {cum:8.2f}" for label, cum in phases(stats)),
        "",
        "own time by group (s, share of all own time under cProfile):",
        *(f"  {label:<64} {own:8.2f}  {own / total_own:6.1%}" for label, own in grouped(stats)),
    ]
    lines += ["", *micro()]
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
