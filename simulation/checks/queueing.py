"""Check families against queueing theory: Erlang C for single M/M/c offices, open Jackson
networks on generated five-level trees, Little's law inside a run and Cobham's formula for
non-preemptive priority by severity."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..analysis.theory import erlang_c, jackson_rates, mmc_wait, priority_waits, relaxation_hours
from ..contract import HOURS_PER_DAY, LEVELS, SEVERITIES
from ..engine.city import build_city
from .harness import (
    Context,
    Row,
    analytic_scenario,
    bias_tol,
    check_seed,
    compare,
    exponential,
    horizon_for,
    kpi_values,
    per_10k,
    per_rep,
    warmup_for,
)

# ---------------------------------------------------------------- Erlang C (M/M/c)

ERLANG_FULL = [(c, rho) for c in (1, 3, 10) for rho in (0.5, 0.7, 0.9)]
ERLANG_QUICK = [(1, 0.5), (3, 0.7), (10, 0.9)]


def run_erlang(ctx: Context) -> list[Row]:
    rows = []
    mu = 1.0
    for c, rho in ERLANG_QUICK if ctx.quick else ERLANG_FULL:
        lam = rho * c * mu
        tau = relaxation_hours(lam, mu, c)
        horizon = horizon_for(lam, tau, *((100, 15_000) if ctx.quick else (300, 30_000)))
        name = f"erlang_c/c={c},rho={rho}"
        sc = analytic_scenario(
            name,
            seed=check_seed(ctx.seed, name),
            horizon_days=horizon,
            warmup_days=warmup_for(tau),
            replications=10,
            staff=(c, 1, 1, 1, 1),
            per_10k=per_10k(lam, 10_000),
        )
        res = ctx.run(sc)
        tol = bias_tol(tau, horizon, 0.01)
        cases = res.cases
        waited = per_rep((cases["wait_hours"] > 0).groupby(cases["replication"]).mean(), res)
        check = "erlang_c"
        label = f"M/M/{c} ρ={rho}"
        rows += [
            compare(check, f"{label}: mean wait (h)", kpi_values(res, "wait_hours_grid"),
                    mmc_wait(lam, mu, c), 2 * tol),
            compare(check, f"{label}: P(wait > 0)", waited, erlang_c(c, lam / mu), tol),
            compare(check, f"{label}: utilisation", kpi_values(res, "utilization_grid"), rho, tol),
        ]  # fmt: skip
    return rows


# ---------------------------------------------------------------- Jackson networks


@dataclass(frozen=True)
class Shape:
    name: str
    generate: tuple[int, int, int, int]  # counties, towns/county, villages/town, grids/village
    staff: tuple[int, int, int, int, int]
    rho: tuple[float, float, float, float, float]
    resolve: tuple[float, float, float, float, float]


JACKSON_SHAPES = [
    Shape("2x2x3x4", (2, 2, 3, 4), (1, 2, 3, 4, 6), (0.5, 0.6, 0.7, 0.7, 0.7),
          (0.5, 0.5, 0.5, 0.6, 0.8)),
    Shape("3x3x2x2", (3, 3, 2, 2), (2, 1, 2, 5, 3), (0.6, 0.5, 0.6, 0.6, 0.7),
          (0.7, 0.4, 0.6, 0.5, 0.9)),
    Shape("1x4x4x3", (1, 4, 4, 3), (1, 3, 1, 8, 2), (0.4, 0.7, 0.6, 0.75, 0.6),
          (0.3, 0.6, 0.7, 0.8, 0.5)),
]  # fmt: skip
GRID_RATE = 0.5
"""External arrivals an hour at each grid of a Jackson check."""


def jackson_theory(shape: Shape, scenario: dict) -> dict:
    """Per office (λ, μ, c) of the open Jackson network, from the city the engine builds."""
    from ..scenario.loader import load_scenario

    city = build_city(load_scenario(scenario))
    per_hour = scenario["arrivals"]["per_10k_residents_per_year"] / 10_000 / 365 / HOURS_PER_DAY
    external = np.zeros(len(city.offices))
    external[city.grids] = city.residents * per_hour
    parent = [o.parent for o in city.offices]
    level = [o.level for o in city.offices]
    lam = jackson_rates(parent, level, external, shape.resolve)
    means = [scenario["case_types"]["dispute"]["handling_hours"][lv]["mean"] for lv in LEVELS]
    return {"city": city, "lam": lam, "means": means}


def jackson_scenario(shape: Shape, seed: int, quick: bool) -> tuple[dict, float, int]:
    """The shape's scenario (handling means set so that each level runs at its ρ), its slowest
    relaxation time and its horizon."""
    counties, towns, villages, grids = shape.generate
    n_grids = counties * towns * villages * grids
    # arrival rate per office at each level (all offices of a level are alike)
    rates, per_office, children = [], GRID_RATE, 1
    for level in range(len(LEVELS)):
        rates.append(per_office)
        if level + 1 < len(LEVELS):
            children = shape.generate[::-1][level]  # grids a village, villages a town ...
            per_office = per_office * (1 - shape.resolve[level]) * children
    means = [r * c / lam for r, c, lam in zip(shape.rho, shape.staff, rates, strict=True)]
    tau = max(
        relaxation_hours(lam, 1 / m, c) for lam, m, c in zip(rates, means, shape.staff, strict=True)
    )
    horizon = horizon_for(GRID_RATE * n_grids, tau, *((50, 20_000) if quick else (100, 50_000)))
    name = f"jackson/{shape.name}" + ("-quick" if quick else "")
    sc = analytic_scenario(
        name,
        seed=check_seed(seed, name),
        horizon_days=horizon,
        warmup_days=warmup_for(tau),
        replications=10,
        generate=shape.generate,
        population=1000 * n_grids,
        staff=shape.staff,
        handling=exponential(means),
        resolve=shape.resolve,
        per_10k=per_10k(GRID_RATE, 1000),
    )
    return sc, tau, horizon


def run_jackson(ctx: Context) -> list[Row]:
    rows = []
    for shape in JACKSON_SHAPES[:1] if ctx.quick else JACKSON_SHAPES:
        sc, tau, horizon = jackson_scenario(shape, ctx.seed, ctx.quick)
        res = ctx.run(sc)
        theory = jackson_theory(shape, sc)
        city, lam, means = theory["city"], theory["lam"], theory["means"]
        tol = bias_tol(tau, horizon, 0.01)
        check = f"jackson/{shape.name}"
        reach = 1.0
        for level, lv in enumerate(LEVELS):
            offices = [o for o in city.offices if o.level == level]
            lam_l = np.array([lam[o.index] for o in offices])
            staff = np.array([o.staff for o in offices], dtype=float)
            mu = 1 / means[level]
            waits = np.array([mmc_wait(x, mu, int(c)) for x, c in zip(lam_l, staff, strict=True)])
            util = float((lam_l / mu).sum() / staff.sum())
            rows += [
                compare(check, f"{lv}: arrivals/day", kpi_values(res, f"arrivals_{lv}"),
                        lam_l.sum() * HOURS_PER_DAY, tol),
                compare(check, f"{lv}: utilisation", kpi_values(res, f"utilization_{lv}"),
                        util, tol),
                compare(check, f"{lv}: mean wait (h)", kpi_values(res, f"wait_hours_{lv}"),
                        float((lam_l * waits).sum() / lam_l.sum()), 2 * tol),
                compare(check, f"resolved_at_{lv}", kpi_values(res, f"resolved_at_{lv}"),
                        reach * shape.resolve[level], tol),
            ]  # fmt: skip
            reach *= 1 - shape.resolve[level]
        rows.append(
            compare(check, "litigation_rate", kpi_values(res, "litigation_rate"), reach, tol)
        )
    return rows


# ---------------------------------------------------------------- Little's law


def run_little(ctx: Context) -> list[Row]:
    """Time-average number waiting at each level (end-of-day queue samples, always open) against
    λ̂·Ŵ of the same replication (queue entries a day / 24 × mean wait per handling started)."""
    rows = []
    for shape in JACKSON_SHAPES[:1] if ctx.quick else JACKSON_SHAPES[:2]:
        sc, tau, horizon = jackson_scenario(shape, ctx.seed, ctx.quick)
        res = ctx.run(sc)
        daily = res.daily[(res.daily["day"] >= 0) & (res.daily["day"] < horizon)]
        queue = daily.groupby(["replication", "level"])["queue"].mean()
        tol = bias_tol(tau, horizon, 0.02)
        for lv in LEVELS:
            sampled = per_rep(queue.xs(lv, level="level"), res)
            little = (
                kpi_values(res, f"arrivals_{lv}")
                / HOURS_PER_DAY
                * kpi_values(res, f"wait_hours_{lv}")
            )
            rows.append(
                compare(f"little/{shape.name}", f"{lv}: mean number waiting", sampled, 0.0,
                        tol, baseline=little)
            )  # fmt: skip
    return rows


# ---------------------------------------------------------------- priority (Cobham)

PRIORITY_QUICK = [(1, {"major": 0.2, "minor": 0.6})]
PRIORITY_FULL = PRIORITY_QUICK + [(3, {"critical": 0.3, "major": 0.75, "minor": 1.5})]


def run_priority(ctx: Context) -> list[Row]:
    rows = []
    mu = 1.0
    for c, lams in PRIORITY_QUICK if ctx.quick else PRIORITY_FULL:
        order = [s for s in reversed(SEVERITIES) if s in lams]  # highest severity first
        lam = sum(lams.values())
        waits = priority_waits([lams[s] for s in order], mu, c)
        # the lowest class relaxes most slowly: its queue sees only the capacity left to it
        tau = relaxation_hours(lam, mu, c) / (1 - sum(lams[s] for s in order[:-1]) / (c * mu))
        horizon = horizon_for(lam, tau, *((100, 30_000) if ctx.quick else (300, 100_000)))
        name = f"priority/M/M/{c}"
        sc = analytic_scenario(
            name,
            seed=check_seed(ctx.seed, name),
            horizon_days=horizon,
            warmup_days=warmup_for(tau),
            replications=10,
            staff=(c, 1, 1, 1, 1),
            per_10k=per_10k(lam, 10_000),
            severity={s: v / lam for s, v in lams.items()},
        )
        res = ctx.run(sc)
        cases = res.cases
        tol = bias_tol(tau, horizon, 0.02)
        sojourn = cases["wait_hours"] + cases["handling_hours"]
        label = f"M/M/{c} " + " + ".join(f"λ_{s}={lams[s]}" for s in order)
        for s, w in zip(order, waits, strict=True):
            mine = cases["severity"] == s
            by_rep = sojourn[mine].groupby(cases["replication"][mine]).mean()
            rows.append(
                compare("priority", f"{label}: mean sojourn, {s} (h)", per_rep(by_rep, res),
                        w + 1 / mu, tol)
            )  # fmt: skip
    return rows
