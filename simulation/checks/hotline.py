"""Check family against Erlang-A: the 12345 centre as an M/M/n+M queue.

A city whose only requests are 12345 calls, each settled by the operator who answers it, with
exponential talk and patience times and a fixed number of seats round the clock, is exactly the
M/M/n+M queue of Garnett, Mandelbaum and Reiman (2002). Its answered-within-target share
(``hotline_answer_rate``), abandonment share (``hotline_abandon_rate``), mean wait of answered
calls (``wait_seconds_hotline``) and the seats' utilisation (the ``hotline`` row of
``offices.csv``) are compared with :func:`~simulation.checks.erlang_a.erlang_a` at offered loads
below, at and above the seats' capacity (abandonment keeps an overloaded centre stable).
"""

from __future__ import annotations

import math

from ..contract import HOURS_PER_DAY
from .erlang_a import erlang_a
from .harness import Context, Row, check_seed, compare, kpi_values, per_10k

TALK_SECONDS = 240.0
"""Mean talk time: μ = 15 calls an hour per seat."""
PATIENCE_SECONDS = 300.0
"""Mean patience: θ = 12 an hour."""
TARGET_SECONDS = 20.0
RESIDENTS = 10_000

# (seats, offered load λ/(nμ))
ERLANG_A_FULL = [(5, 0.8), (5, 1.0), (5, 1.2), (20, 0.9), (20, 1.1)]
ERLANG_A_QUICK = [(5, 0.8), (5, 1.0), (5, 1.2)]


def hotline_scenario(name: str, seed: int, seats: int, calls_per_hour: float, days: int) -> dict:
    """Only 12345 calls, each settled by its operator: M/M/n+M with n = ``seats``."""
    return {
        "name": name,
        "seed": seed,
        "horizon_days": days,
        "warmup_days": 1,  # relaxation is a matter of minutes: one day is thousands of τ
        "replications": 10,
        "drain": True,
        "calendar": {"always_open": True},
        "city": {
            "name": "check",
            "generate": {
                "counties": 1,
                "towns_per_county": 1,
                "villages_per_town": 1,
                "grids_per_village": 1,
                "population": RESIDENTS,
            },
        },
        "case_types": {
            "enquiry": {"share": 1.0, "kind": "consultation", "first_contact": {"hotline": 1.0}}
        },
        "arrivals": {
            "per_10k_residents_per_year": per_10k(calls_per_hour, RESIDENTS),
            "channels": {"hotline": 1.0},
            "weekly": [1.0] * 7,
            "monthly": [1.0] * 12,
        },
        "hotline": {
            "seats": seats,
            "talk_seconds": {"dist": "exponential", "mean": TALK_SECONDS},
            "patience_seconds": {"dist": "exponential", "mean": PATIENCE_SECONDS},
            "answer_target_seconds": TARGET_SECONDS,
        },
        "escalation": {"patience_days": dict.fromkeys(("minor", "general", "major", "critical"))},
        "targets": {},
    }


def run_erlang_a(ctx: Context) -> list[Row]:
    rows: list[Row] = []
    mu = 3600.0 / TALK_SECONDS
    theta = 3600.0 / PATIENCE_SECONDS
    min_calls = 30_000 if ctx.quick else 60_000
    for seats, load in ERLANG_A_QUICK if ctx.quick else ERLANG_A_FULL:
        lam = load * seats * mu
        days = max(1, math.ceil(min_calls / (lam * HOURS_PER_DAY)))
        name = f"erlang_a/n={seats},load={load}"
        res = ctx.run(hotline_scenario(name, check_seed(ctx.seed, name), seats, lam, days))
        theory = erlang_a(lam, mu, theta, seats, target=TARGET_SECONDS / 3600.0)
        offices = res.offices[res.offices["level"] == "hotline"]
        busy = offices.set_index("replication")["utilization"].reindex(res.by_replication.index)
        label = f"M/M/{seats}+M load {load}"
        check = "erlang_a"
        # Shares and utilisation: the 1% floor of the other checks; the mean wait of answered
        # calls is a ratio estimator (2%). At these horizons (≥ 30,000 calls a replication and
        # a relaxation time of minutes) the end effects are far below both.
        rows += [
            compare(check, f"{label}: answered within {TARGET_SECONDS:.0f} s",
                    kpi_values(res, "hotline_answer_rate"), theory.answered_within, 0.01),
            compare(check, f"{label}: abandoned share", kpi_values(res, "hotline_abandon_rate"),
                    theory.abandoned, 0.01),
            compare(check, f"{label}: mean wait of answered calls (s)",
                    kpi_values(res, "wait_seconds_hotline"), theory.mean_wait_answered * 3600,
                    0.02),
            compare(check, f"{label}: utilisation", busy.to_numpy(dtype=float),
                    theory.utilization, 0.01),
        ]  # fmt: skip
    return rows
