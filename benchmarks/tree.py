"""One open Jackson network on a five-level tree, built three ways: govsim, Ciw, a heapq loop.

The network is the one ``SCENARIO_FORMAT.md`` ("Semantics that checks rely on") promises is a
Jackson network: every office open round the clock, exponential handling, no transfer or intake
time, no patience, one case type, only the ``grid_visit`` channel. Cases arrive at the grids
(Poisson), each office is an M/M/c queue, and after a handling a case leaves (resolved, or to
litigation at the city) with probability ``p`` of its level or moves to its parent office.

All three implementations simulate the same offices, rates, warm-up and horizon, and report the
same statistic: the mean wait in queue of the handlings that *started* in the counted period,
per level. :func:`analytic_waits` gives the exact steady-state values (Erlang C) to check them.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections import deque
from dataclasses import dataclass, field

from simulation.analysis.theory import mmc_wait

LEVELS = ("grid", "village", "town", "county", "city")
GRID, VILLAGE, TOWN, COUNTY, CITY = range(5)
RESIDENTS_PER_GRID = 10_000


@dataclass(frozen=True)
class TreeSpec:
    """A generated tree: ``counties`` x ``towns`` x ``villages`` x ``grids`` below one city."""

    counties: int = 2
    towns: int = 2  # per county
    villages: int = 2  # per town
    grids: int = 3  # per village
    grid_rate: float = 0.5  # arrivals per hour at each grid
    staff: tuple[int, ...] = (1, 1, 2, 2, 2)  # servers per office, grid .. city
    mean_hours: tuple[float, ...] = (1.0, 1.0, 2.0, 3.0, 5.0)  # exponential handling means
    resolve: tuple[float, ...] = (0.6, 0.6, 0.6, 0.7, 0.8)  # leave after a handling, by level
    warmup_days: int = 10
    horizon_days: int = 200
    seed: int = 20240601

    @property
    def n_grids(self) -> int:
        return self.counties * self.towns * self.villages * self.grids

    @property
    def until(self) -> float:
        """End of the run, hours."""
        return 24.0 * (self.warmup_days + self.horizon_days)

    @property
    def t0(self) -> float:
        return 24.0 * self.warmup_days

    def expected_cases(self) -> float:
        return self.grid_rate * self.n_grids * self.until


@dataclass
class Tree:
    """Offices as flat lists: ``parent[o]`` (-1 for the city) and ``level[o]``."""

    parent: list[int] = field(default_factory=list)
    level: list[int] = field(default_factory=list)

    def add(self, parent: int, level: int) -> int:
        self.parent.append(parent)
        self.level.append(level)
        return len(self.parent) - 1

    def __len__(self) -> int:
        return len(self.parent)


def build_tree(spec: TreeSpec) -> Tree:
    tree = Tree()
    city = tree.add(-1, CITY)
    for _ in range(spec.counties):
        county = tree.add(city, COUNTY)
        for _ in range(spec.towns):
            town = tree.add(county, TOWN)
            for _ in range(spec.villages):
                village = tree.add(town, VILLAGE)
                for _ in range(spec.grids):
                    tree.add(village, GRID)
    return tree


def analytic_waits(spec: TreeSpec) -> dict[str, float]:
    """Steady-state mean wait in queue per level (M/M/c, the validation suite's Erlang C) of
    the Jackson network."""
    rate = spec.grid_rate
    fan_in = (1, spec.grids, spec.villages, spec.towns, spec.counties)
    waits: dict[str, float] = {}
    for level in range(len(LEVELS)):
        if level:
            rate = rate * fan_in[level] * (1 - spec.resolve[level - 1])
        c, mu = spec.staff[level], 1.0 / spec.mean_hours[level]
        stable = rate < c * mu
        waits[LEVELS[level]] = mmc_wait(rate, mu, c) if stable else math.inf
    return waits


def utilisations(spec: TreeSpec) -> dict[str, float]:
    rate = spec.grid_rate
    fan_in = (1, spec.grids, spec.villages, spec.towns, spec.counties)
    result = {}
    for level in range(len(LEVELS)):
        if level:
            rate = rate * fan_in[level] * (1 - spec.resolve[level - 1])
        result[LEVELS[level]] = rate * spec.mean_hours[level] / spec.staff[level]
    return result


@dataclass
class TreeRun:
    """What one implementation reports: cases created and mean wait per level."""

    cases: int
    waits: dict[str, float]


# ---------------------------------------------------------------- govsim


def govsim_scenario(spec: TreeSpec) -> dict:
    """The govsim scenario (format v1) of the Jackson tree."""
    levels = dict(zip(LEVELS, range(5), strict=True))
    return {
        "name": "bench-jackson-tree",
        "description": "Always-open exponential grid_visit-only tree (a Jackson network).",
        "seed": spec.seed,
        "horizon_days": spec.horizon_days,
        "warmup_days": spec.warmup_days,
        "replications": 1,
        "drain": False,
        "calendar": {"always_open": True},
        "city": {
            "name": "bench",
            "generate": {
                "counties": spec.counties,
                "towns_per_county": spec.towns,
                "villages_per_town": spec.villages,
                "grids_per_village": spec.grids,
                "population": RESIDENTS_PER_GRID * spec.n_grids,
            },
        },
        "offices": {
            "grid": {"staff": spec.staff[GRID]},
            "village": {"staff": spec.staff[VILLAGE], "generalist": True},
            "town": {"staff": spec.staff[TOWN]},
            "county": {"staff": spec.staff[COUNTY], "one_stop": True},
            "city": {"staff": spec.staff[CITY]},
        },
        "case_types": {
            "any": {
                "share": 1.0,
                "department": "people_mediation",
                "severity": {"minor": 1.0},
                "handling_hours": {
                    lv: {"dist": "exponential", "mean": spec.mean_hours[k]}
                    for lv, k in levels.items()
                },
                "resolve": {lv: spec.resolve[k] for lv, k in levels.items()},
            }
        },
        "arrivals": {
            # grid_rate per hour at a grid of RESIDENTS_PER_GRID residents
            "per_10k_residents_per_year": spec.grid_rate * 24 * 365 * 10_000 / RESIDENTS_PER_GRID,
            "channels": {"grid_visit": 1.0},
            "weekly": [1.0] * 7,
            "monthly": [1.0] * 12,
            "surges": [],
        },
        "triage": {"minor": "grid", "general": "grid", "major": "grid", "critical": "grid"},
        "escalation": {
            "transfer_hours": 0,
            "intake_hours": 0,
            "patience_days": {"minor": None, "general": None, "major": None, "critical": None},
            "give_up": 0.0,
            "online_mediation": 0.0,
            "beyond_city": "litigation",
        },
    }


def govsim_result(tables) -> TreeRun:
    """Cases and mean wait per level from ``run_replication``'s (cases, offices, daily)."""
    cases, offices = tables[:2]
    waits = {}
    for level in LEVELS:
        rows = offices[offices["level"] == level]
        handled = rows["handled"].to_numpy()
        total = (rows["mean_wait_hours"].fillna(0.0).to_numpy() * handled).sum()
        waits[level] = float(total / handled.sum()) if handled.sum() else math.nan
    return TreeRun(cases=-1, waits=waits)  # caller fills in all cases (warm-up included)


# ---------------------------------------------------------------- Ciw


def ciw_network(spec: TreeSpec):
    """The same network in Ciw: one node per office, routing to the parent with 1 - p."""
    import ciw

    tree = build_tree(spec)
    n = len(tree)
    routing = [[0.0] * n for _ in range(n)]
    for office, parent in enumerate(tree.parent):
        if parent >= 0:
            routing[office][parent] = 1.0 - spec.resolve[tree.level[office]]
    return tree, ciw.create_network(
        arrival_distributions=[
            ciw.dists.Exponential(rate=spec.grid_rate) if lv == GRID else None for lv in tree.level
        ],
        service_distributions=[
            ciw.dists.Exponential(rate=1.0 / spec.mean_hours[lv]) for lv in tree.level
        ],
        number_of_servers=[spec.staff[lv] for lv in tree.level],
        routing=routing,
    )


def run_ciw(spec: TreeSpec, tree_network=None) -> TreeRun:
    import ciw

    tree, network = tree_network or ciw_network(spec)
    ciw.seed(spec.seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(spec.until)
    sums = [0.0] * 5
    counts = [0] * 5
    for record in sim.get_all_records():
        if record.record_type != "service" or not (spec.t0 <= record.service_start_date):
            continue
        level = tree.level[record.node - 1]
        sums[level] += record.waiting_time
        counts[level] += 1
    cases = sim.nodes[0].number_of_individuals
    return TreeRun(cases=cases, waits=_means(sums, counts))


def _means(sums: list[float], counts: list[int]) -> dict[str, float]:
    return {lv: (s / c if c else math.nan) for lv, s, c in zip(LEVELS, sums, counts, strict=True)}


# ---------------------------------------------------------------- hand-written heapq loop


def run_heapq(spec: TreeSpec) -> TreeRun:
    """The floor for pure Python: one heap of (time, seq, kind, office), FCFS deques."""
    tree = build_tree(spec)
    parent, level = tree.parent, tree.level
    rng = random.Random(spec.seed)
    expo, uniform = rng.expovariate, rng.random
    mu = [1.0 / spec.mean_hours[lv] for lv in level]
    leave = [spec.resolve[lv] for lv in level]
    free = [spec.staff[lv] for lv in level]
    queue = [deque() for _ in level]  # join times of waiting cases (FCFS)
    sums, counts = [0.0] * 5, [0] * 5
    t0, until, lam = spec.t0, spec.until, spec.grid_rate
    heap: list[tuple[float, int, int, int]] = []
    push, pop, seq = heapq.heappush, heapq.heappop, itertools.count()
    ARRIVE, FINISH = 0, 1
    for office, lv in enumerate(level):
        if lv == GRID:
            push(heap, (expo(lam), next(seq), ARRIVE, office))
    cases = 0

    def join(office: int, now: float) -> None:
        if free[office]:
            free[office] -= 1
            if now >= t0:
                counts[level[office]] += 1
            push(heap, (now + expo(mu[office]), next(seq), FINISH, office))
        else:
            queue[office].append(now)

    while heap:
        now, _, kind, office = pop(heap)
        if now >= until:
            break
        if kind == ARRIVE:
            cases += 1
            push(heap, (now + expo(lam), next(seq), ARRIVE, office))
            join(office, now)
            continue
        waiting = queue[office]
        if waiting:  # the freed server takes the next case at once
            joined = waiting.popleft()
            if now >= t0:
                lv = level[office]
                sums[lv] += now - joined
                counts[lv] += 1
            push(heap, (now + expo(mu[office]), next(seq), FINISH, office))
        else:
            free[office] += 1
        if uniform() >= leave[office] and parent[office] >= 0:
            join(parent[office], now)
    return TreeRun(cases=cases, waits=_means(sums, counts))
