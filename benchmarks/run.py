"""govsim benchmarks in one command: ``python -m benchmarks.run [--quick] [--out FILE]``.

a. cases/s on an always-open exponential five-level tree (a Jackson network) for govsim, Ciw and
   a hand-written heapq event loop, with their mean waits checked against each other and Erlang C;
b. seconds and peak RSS of one replication-year of the default Jiaxing scenario and of the
   full-volume ``scenarios/jiaxing-all-requests.yaml`` (each in a fresh process);
c. cost against volume (x1, x4, x16 of a base rate) and against idle offices (10x the grids);
d. parallel efficiency of replications on 2 worker processes.

Every timing is the median of ``--repeats`` runs. Results go to a Markdown file with the machine,
the command line and the date (``benchmarks/results.md`` by default).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import tree as jt

ROOT = Path(__file__).resolve().parent.parent
ALL_REQUESTS = ROOT / "scenarios" / "jiaxing-all-requests.yaml"
TIME_V = shutil.which("time", path="/usr/bin:/bin") if sys.platform.startswith("linux") else None
AGREE = 0.10  # town-level mean waits must agree within this relative difference

# Sizes: full (the reported numbers) and quick (the smoke test: seconds in all).
FULL = {
    "tree": jt.TreeSpec(warmup_days=10, horizon_days=365),
    "year": [],  # the scenarios as they are
    "all_requests": [],
    "volume_base": 17.5,  # per 10k residents a year: x4 is the default Jiaxing rate (70)
    "volume_set": [],
    "idle_grids": (6, 60),
    "parallel_set": [],
    "parallel_reps": 4,
}
QUICK = {
    "tree": jt.TreeSpec(warmup_days=1, horizon_days=3),
    "year": ["horizon_days=7", "warmup_days=1"],
    "all_requests": ["horizon_days=1", "warmup_days=0"],
    "volume_base": 17.5,
    "volume_set": ["horizon_days=7", "warmup_days=1"],
    "idle_grids": (1, 10),
    "parallel_set": ["horizon_days=2", "warmup_days=0"],
    "parallel_reps": 2,
}
SECTIONS = ("machine", "tree", "year", "volume", "idle", "parallel")


# ---------------------------------------------------------------- helpers


CLOCK = "cpu"  # which seconds the tables report: "cpu" (process time) or "wall"


@dataclass
class Timing:
    """Repeated measurements of one case: seconds, plus whatever else each run reported.

    ``seconds`` are CPU seconds of the measuring process by default (``--clock cpu``): on a
    machine shared with other work they move far less than wall seconds; ``wall`` keeps the
    wall-clock seconds alongside.
    """

    seconds: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    runs: list[dict] = field(default_factory=list)

    def add(self, wall: float, cpu: float, run: dict) -> None:
        self.seconds.append(cpu if CLOCK == "cpu" else wall)
        self.wall.append(wall)
        self.runs.append(run)

    @property
    def median_wall(self) -> float:
        return statistics.median(self.wall)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def spread(self, digits: int = 2, values: list[float] | None = None) -> str:
        values = self.seconds if values is None else values
        if len(values) < 2:
            return "1 run"
        return f"{min(values):.{digits}f}–{max(values):.{digits}f}"

    def cell(self, digits: int = 2) -> str:
        """The median with its range, and the median wall time when the clock is CPU."""
        text = f"{self.median:.{digits}f} ({self.spread(digits)})"
        return text + (f"; wall {self.median_wall:.{digits}f}" if CLOCK == "cpu" else "")

    def wall_cell(self) -> str:
        return f"{self.median_wall:.2f} ({self.spread(2, self.wall)})"

    def first(self, key: str):
        return self.runs[0][key]

    def median_of(self, key: str) -> float:
        return statistics.median(r[key] for r in self.runs)


class Clocks:
    """Wall and CPU time since creation."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def stop(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


IN_PROCESS = False  # quick mode: sections c and d measure in this process (no RSS per case)


def child(scenario: str | Path, overrides: list[str], *extra: str, fresh: bool = False) -> dict:
    """One measurement in a fresh interpreter (under ``/usr/bin/time -v`` when available)."""
    if IN_PROCESS and not fresh:
        from .child import measure

        options = dict(item.lstrip("-").split("=") for item in extra)
        return measure(
            scenario,
            overrides,
            int(options.get("replications", 0)),
            int(options.get("workers", 1)),
        )
    cmd = [sys.executable, "-m", "benchmarks.child", str(scenario), *extra]
    for item in overrides:
        cmd += ["--set", item]
    if TIME_V:
        cmd = [TIME_V, "-v", *cmd]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", proc.stderr)
    if rss:
        result["time_v_maxrss_kb"] = int(rss.group(1))
    if wall:
        seconds = 0.0
        for part in wall.group(1).split(":"):
            seconds = seconds * 60 + float(part)
        result["process_seconds"] = seconds
    return result


def repeat_child(
    n: int, scenario: str | Path, overrides: list[str], *extra: str, fresh: bool = False
) -> Timing:
    timing = Timing()
    for _ in range(n):
        result = child(scenario, overrides, *extra, fresh=fresh)
        timing.add(result["seconds"], result["cpu_seconds"], result)
    return timing


def peak_mb(timing: Timing) -> float | str:
    if IN_PROCESS and "process_seconds" not in timing.runs[0]:
        return "–"
    key = "time_v_maxrss_kb" if "time_v_maxrss_kb" in timing.runs[0] else "maxrss_kb"
    return timing.median_of(key) / 1024


def seconds_header() -> str:
    if CLOCK == "cpu":
        return "CPU s (median, range); wall s"
    return "wall s (median, range)"


def _where() -> str:
    if IN_PROCESS:
        return "measured in this process (quick mode: no peak RSS per case)"
    return "each run in a fresh process"


def _mb(value: float | str) -> str:
    return value if isinstance(value, str) else f"{value:,.0f}"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def default_scenario() -> Path:
    from simulation.scenario.loader import packaged_default_path

    return packaged_default_path()


# ---------------------------------------------------------------- machine


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    versions = {"python": platform.python_version()}
    for name in ("numpy", "simpy", "pandas", "ciw"):
        try:
            versions[name] = __import__(name).__version__
        except ImportError:
            versions[name] = "not installed"
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = _git("status", "--porcelain", "--", "simulation")
    rows = [
        ["CPU", f"{cpu} ({os.cpu_count()} logical CPUs, {usable} usable)"],
        ["memory", memory or "unknown"],
        ["OS", f"{platform.system()} {platform.release()}"],
        ["Python", f"{versions['python']} ({platform.python_implementation()})"],
        ["numpy / simpy / pandas / ciw", " / ".join(versions[k] for k in list(versions)[1:])],
        ["govsim commit", f"{commit}{' (simulation/ modified)' if dirty else ''}"],
        ["load average at start (1, 5, 15 min)", load()],
        ["peak RSS from", "/usr/bin/time -v" if TIME_V else "getrusage(RUSAGE_SELF) in the child"],
    ]
    return table(["", ""], rows)


def _git(*args: str) -> str:
    try:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# ---------------------------------------------------------------- a. Jackson tree


def bench_tree(size: dict, repeats: int) -> str:
    spec: jt.TreeSpec = size["tree"]
    from simulation.experiments.runner import run_replication
    from simulation.scenario.loader import load_scenario

    try:
        import ciw  # noqa: F401

        have_ciw = True
    except ImportError:
        have_ciw = False

    tree = jt.build_tree(spec)
    results: dict[str, tuple[Timing, list[jt.TreeRun]]] = {}

    def measure(
        name: str, once: Callable[[jt.TreeSpec], tuple[tuple[float, float], jt.TreeRun]]
    ) -> None:
        timing, runs = Timing(), []
        for k in range(repeats):  # a different seed each time: the waits are averaged
            (wall, cpu), result = once(replace(spec, seed=spec.seed + k))
            timing.add(wall, cpu, {"cases": result.cases})
            runs.append(result)
        results[name] = (timing, runs)
        log(f"  {name}: {timing.median:.2f} s, {runs[0].cases} cases")

    def govsim_once(s: jt.TreeSpec) -> tuple[tuple[float, float], jt.TreeRun]:
        scenario = load_scenario(jt.govsim_scenario(s))
        clocks = Clocks()
        tables = run_replication(scenario, 0)
        seconds = clocks.stop()
        result = jt.govsim_result(tables)
        from .child import total_cases

        result.cases = total_cases(scenario, len(tables[0]))
        return seconds, result

    def heapq_once(s: jt.TreeSpec) -> tuple[tuple[float, float], jt.TreeRun]:
        clocks = Clocks()
        result = jt.run_heapq(s)
        return clocks.stop(), result

    def ciw_once(s: jt.TreeSpec) -> tuple[tuple[float, float], jt.TreeRun]:
        network = jt.ciw_network(s)  # building the network is setup, like loading a scenario
        clocks = Clocks()
        result = jt.run_ciw(s, network)
        return clocks.stop(), result

    log(f"a. Jackson tree ({len(tree)} offices, {spec.expected_cases():,.0f} cases a run)")
    measure("govsim", govsim_once)
    if have_ciw:
        measure("Ciw", ciw_once)
    measure("heapq loop", heapq_once)

    analytic = jt.analytic_waits(spec)
    rho = jt.utilisations(spec)
    gov_rate = _rate(results["govsim"][0])
    rows = []
    for name, (timing, runs) in results.items():
        waits = _mean_waits(runs)
        rate = _rate(timing)
        ratio = "1" if name == "govsim" else f"{gov_rate / rate:.3g}"
        rows.append(
            [
                name,
                f"{statistics.median(r['cases'] for r in timing.runs):,.0f}",
                timing.cell(3),
                f"{rate:,.0f}",
                ratio,
                *(f"{waits[lv]:.3f}" for lv in jt.LEVELS),
            ]
        )
    rows.append(["Erlang C (exact)", "", "", "", "", *(f"{analytic[lv]:.3f}" for lv in jt.LEVELS)])
    rows.append(["utilisation ρ", "", "", "", "", *(f"{rho[lv]:.2f}" for lv in jt.LEVELS)])

    town = {name: _mean_waits(runs)["town"] for name, (_, runs) in results.items()}
    checks = []
    for name, value in town.items():
        error = abs(value / analytic["town"] - 1)
        checks.append(f"{name} {error:.1%} from Erlang C")
    names = list(town)
    worst = max((abs(town[a] / town[b] - 1) for a in names for b in names if a != b), default=0.0)
    agree = worst <= AGREE and all(abs(v / analytic["town"] - 1) <= AGREE for v in town.values())
    ratios = [_compare(gov_rate / _rate(results[n][0]), n) for n in names[1:]]
    text = [
        f"Tree: 1 city, {spec.counties} counties × {spec.towns} towns × {spec.villages} villages "
        f"× {spec.grids} grids = {len(tree)} offices; {spec.grid_rate} arrivals/h per grid; "
        f"staff {spec.staff}, mean handling {spec.mean_hours} h, leave after a handling with "
        f"{spec.resolve} (grid → city); {spec.warmup_days} warm-up + {spec.horizon_days} counted "
        f"days (same for all three). Timed: govsim `run_replication` on a loaded scenario (draws, "
        f"engine and tables); Ciw `Simulation` + `simulate_until_max_time` + reading the "
        f"records; the heapq loop as a whole. cases = arrivals over the whole run (warm-up "
        f"included). Mean waits in queue (hours) of handlings started in the counted days, "
        f"averaged over the {repeats} runs (seed + run index).",
        "",
        table(
            [
                "implementation",
                "cases",
                seconds_header(),
                "cases/s",
                "govsim/this (cases/s)",
                *jt.LEVELS,
            ],
            rows,
        ),
        "",
        ("; ".join(ratios) + ".") if ratios else "",
        "",
        f"Check (town-level mean wait within {AGREE:.0%} of each other and of Erlang C): "
        f"{'**agree**' if agree else '**DISAGREE** (small runs are noisy; see the full run)'} — "
        + "; ".join(checks)
        + f"; largest pairwise difference {worst:.1%}.",
    ]
    if not have_ciw:
        text.append("\nCiw is not installed (`pip install -e '.[bench]'`): its row is missing.")
    return "\n".join(text)


def _compare(ratio: float, name: str) -> str:
    if ratio >= 1:
        return f"govsim/{name} = {ratio:.3g}: govsim is **{ratio:.3g}× faster** than {name}"
    return f"govsim/{name} = {ratio:.3g}: govsim is **{1 / ratio:.3g}× slower** than {name}"


def _rate(timing: Timing) -> float:
    return statistics.median(
        r["cases"] / s for r, s in zip(timing.runs, timing.seconds, strict=True)
    )


def _mean_waits(runs: list[jt.TreeRun]) -> dict[str, float]:
    return {lv: statistics.fmean(r.waits[lv] for r in runs) for lv in jt.LEVELS}


# ---------------------------------------------------------------- b. one replication-year


def bench_year(size: dict, repeats: int) -> str:
    cases = [
        ("Jiaxing default (packaged)", default_scenario(), size["year"]),
        ("jiaxing-all-requests (full volume)", ALL_REQUESTS, size["all_requests"]),
    ]
    rows = []
    for label, path, overrides in cases:
        log(f"b. {label}")
        timing = repeat_child(repeats, path, ["replications=1", *overrides], fresh=True)
        cases_n = timing.first("cases")
        rows.append(
            [
                label,
                f"{timing.first('offices'):,}",
                f"{cases_n:,}",
                timing.cell(),
                f"{timing.median / cases_n * 1000:.3f}",
                f"{cases_n / timing.median:,.0f}",
                _mb(peak_mb(timing)),
                f"{timing.median_of('process_seconds'):.2f}" if TIME_V else "–",
            ]
        )
        log(f"  {timing.median:.2f} s, {_mb(peak_mb(timing))} MB")
    sets = " ".join(f"`--set {s}`" for s in ["replications=1"])
    return "\n".join(
        [
            f"One replication ({sets}) in a fresh process per run; timed: `run_replication` "
            "(arrivals, engine, tables; no KPIs, no files). cases = all cases drawn, warm-up "
            "included. Peak RSS of the whole process (imports included). Process s = wall time "
            "of the whole child process (interpreter start, imports, scenario loading, run).",
            "",
            table(
                [
                    "scenario",
                    "offices",
                    "cases",
                    seconds_header(),
                    "s per 1k cases",
                    "cases/s",
                    "peak RSS MB",
                    "process s",
                ],
                rows,
            ),
        ]
    )


# ---------------------------------------------------------------- c. volume and idle offices


def bench_volume(size: dict, repeats: int) -> str:
    base = size["volume_base"]
    rows = []
    points = []
    log("c. volume")
    for factor in (1, 4, 16):
        # The city hub (8 staff, ~46% busy at the default rate) would be overloaded beyond x4;
        # its staff grow with the volume so that every level keeps a stable queue.
        city_staff = max(8, math.ceil(8 * factor / 4))
        overrides = [
            "replications=1",
            f"arrivals.per_10k_residents_per_year={base * factor}",
            f"offices.city.staff={city_staff}",
            *size["volume_set"],
        ]
        timing = repeat_child(repeats, default_scenario(), overrides)
        n = timing.first("cases")
        points.append((n, timing.median))
        rows.append(
            [
                f"×{factor} ({base * factor:g} per 10k/yr, city staff {city_staff})",
                f"{n:,}",
                timing.cell(),
                f"{timing.median / n * 1000:.3f}",
                _mb(peak_mb(timing)),
            ]
        )
        log(f"  x{factor}: {n} cases, {timing.median:.2f} s")
    slope, intercept = _fit(points)
    marginal = [
        (points[k + 1][1] - points[k][1]) / (points[k + 1][0] - points[k][0]) * 1000
        for k in range(len(points) - 1)
    ]
    return "\n".join(
        [
            "Default Jiaxing scenario, one replication, arrival rate ×1, ×4, ×16 of "
            f"{base:g} per 10k residents a year (×4 is the default's 70), {_where()}.",
            "",
            table(["volume", "cases", seconds_header(), "s per 1k cases", "peak RSS MB"], rows),
            "",
            f"Least-squares line: **{slope * 1000:.3f} s per 1k cases** + {intercept:.2f} s fixed; "
            "marginal cost ×1→×4: "
            + ", ×4→×16: ".join(f"{m:.3f}" for m in marginal)
            + " s per 1k cases (linear when these agree).",
        ]
    )


def _fit(points: list[tuple[float, float]]) -> tuple[float, float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    return slope, my - slope * mx


def bench_idle(size: dict, repeats: int) -> str:
    few, many = size["idle_grids"]
    rows = []
    log("c. idle offices")
    marginal = []
    for grids in (few, many):
        city = [f"city.grids_per_village={grids}", *size["volume_set"]]
        timing = repeat_child(repeats, default_scenario(), ["replications=1", *city])
        # The same city with (almost) no cases: the fixed cost of its offices.
        empty = repeat_child(
            repeats,
            default_scenario(),
            ["replications=1", "arrivals.per_10k_residents_per_year=0.001", *city],
        )
        n = timing.first("cases")
        per_case = (timing.median - empty.median) / max(n - empty.first("cases"), 1) * 1000
        marginal.append(per_case)
        rows.append(
            [
                f"{grids} grids per village",
                f"{timing.first('offices'):,}",
                f"{n:,}",
                timing.cell(),
                empty.cell(),
                f"{per_case:.3f}",
                f"{timing.median / n * 1000:.3f}",
                _mb(peak_mb(timing)),
            ]
        )
        log(f"  {grids} grids/village: {timing.median:.2f} s, empty city {empty.median:.2f} s")
    change = marginal[1] / marginal[0] - 1 if marginal[0] > 0 else math.nan
    return "\n".join(
        [
            "Default Jiaxing scenario, one replication: the same residents and volume spread over "
            f"{many // few}× more grids (mostly idle offices). The same city is also run with "
            "(almost) no cases (`per_10k_residents_per_year=0.001`): its time is the fixed cost "
            "of the offices (city tree, pools, office table), and (s − empty s) / cases is the "
            "marginal cost per case, which must not grow with idle offices; "
            f"{_where()}.",
            "",
            table(
                [
                    "grids",
                    "offices",
                    "cases",
                    seconds_header(),
                    "empty city s",
                    "marginal s per 1k cases",
                    "total s per 1k cases",
                    "peak RSS MB",
                ],
                rows,
            ),
            "",
            f"Marginal cost per case with {many // few}× the grids: {change:+.0%}.",
        ]
    )


# ---------------------------------------------------------------- d. parallel replications


def bench_parallel(size: dict, repeats: int) -> str:
    reps = size["parallel_reps"]
    overrides = size["parallel_set"]
    log("d. parallel replications")
    serial = repeat_child(repeats, default_scenario(), overrides, f"--replications={reps}")
    pooled = repeat_child(
        repeats, default_scenario(), overrides, f"--replications={reps}", "--workers=2"
    )
    speedup = serial.median_wall / pooled.median_wall  # CPU time of the parent says nothing here
    log(f"  serial {serial.median_wall:.2f} s, 2 workers {pooled.median_wall:.2f} s")
    serial_cpu = serial.median_of("cpu_seconds") + serial.median_of("workers_cpu_seconds")
    pooled_cpu = pooled.median_of("cpu_seconds") + pooled.median_of("workers_cpu_seconds")
    cpu_efficiency = serial_cpu / pooled_cpu if pooled_cpu else math.nan
    return "\n".join(
        [
            f"`simulation.run(default Jiaxing, replications={reps}, workers=W)` (replications, "
            f"KPIs; no files) {_where()}. Wall efficiency = serial s / (2 × pooled s): it needs "
            "two idle cores, so it is only meaningful when the load average is below ~1. CPU "
            "efficiency = serial CPU s / pooled CPU s (parent + workers) does not depend on the "
            "load: it is the share of the pooled run's work that is replications rather than "
            "pool overhead (worker start-up and imports, pickling tables back).",
            "",
            table(
                [
                    "workers",
                    "wall s (median, range)",
                    "speed-up",
                    "wall efficiency",
                    "CPU s (parent + workers)",
                    "CPU efficiency",
                ],
                [
                    ["1", serial.wall_cell(), "1", "100%", f"{serial_cpu:.2f}", "100%"],
                    [
                        "2",
                        pooled.wall_cell(),
                        f"{speedup:.2f}×",
                        f"{speedup / 2:.0%}",
                        f"{pooled_cpu:.2f}",
                        f"{cpu_efficiency:.0%}",
                    ],
                ],
            ),
        ]
    )


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: seconds in all")
    parser.add_argument(
        "--repeats", type=int, help="runs per measurement (default 3, quick 1); medians reported"
    )
    parser.add_argument(
        "--clock",
        choices=("cpu", "wall"),
        default="cpu",
        help="seconds to report: CPU time of the measuring process (default: robust to a shared "
        "machine's load) or wall time; section d always uses wall time",
    )
    parser.add_argument(
        "--out", help="Markdown results file (default benchmarks/results.md; quick: stdout only)"
    )
    parser.add_argument(
        "--only",
        help=f"comma-separated sections to run, of {','.join(SECTIONS)} (default all)",
    )
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    global IN_PROCESS, CLOCK
    IN_PROCESS = args.quick
    CLOCK = args.clock
    repeats = args.repeats or (1 if args.quick else 3)
    if repeats < 1:
        parser.error("--repeats must be at least 1")
    only = set(args.only.split(",")) if args.only else set(SECTIONS)
    unknown = only - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {','.join(SECTIONS)}")

    started = dt.datetime.now().astimezone()
    clock = "CPU time (`time.process_time`; wall time beside it)" if CLOCK == "cpu" else "wall time"
    command = "python -m benchmarks.run" + (" " + " ".join(argv) if argv else "")
    if argv is None:
        command = "python -m benchmarks.run " + " ".join(sys.argv[1:])
    parts = [
        "# govsim benchmarks"
        + (" (quick mode: tiny sizes, not for quoting)" if args.quick else ""),
        "",
        f"Generated by `{command.strip()}` on {started:%Y-%m-%d %H:%M %Z}; "
        f"timings are medians of {repeats} run(s) of the measuring process's {clock}. The CPU "
        "is shared with other work: see the load averages below.",
    ]
    sections = [
        ("machine", "Machine", machine),
        ("tree", "a. Jackson tree: govsim vs Ciw vs a heapq loop", bench_tree),
        ("year", "b. One replication-year: time and peak memory", bench_year),
        ("volume", "c. Cost against volume", bench_volume),
        ("idle", "c. Cost against idle offices", bench_idle),
        ("parallel", "d. Parallel replications on 2 workers", bench_parallel),
    ]
    for key, title, body in sections:
        if key not in only:
            continue
        before = load()
        section_start = time.perf_counter()
        text = body() if key == "machine" else body(size, repeats)
        parts += ["", f"## {title}", "", text]
        if key != "machine":
            parts += [
                "",
                f"_{time.perf_counter() - section_start:.0f} s; load average before: {before}, "
                f"after: {load()}_",
            ]
    parts += ["", f"Total: {(dt.datetime.now().astimezone() - started).total_seconds():.0f} s."]
    report = "\n".join(parts) + "\n"
    out = args.out or (None if args.quick else str(ROOT / "benchmarks" / "results.md"))
    if out:
        Path(out).write_text(report, encoding="utf-8")
        log(f"wrote {out}")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
