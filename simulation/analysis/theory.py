"""Queueing theory the checks (and the tests and benchmarks) compare the engine with.

Erlang's C and the mean wait of M/M/c, the relaxation time that sizes warm-ups and horizons,
Cobham's waits for non-preemptive priority classes, and the traffic equations of an open Jackson
network on a tree. Pure functions of numbers: no scenario, no engine.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["erlang_c", "jackson_rates", "mmc_wait", "priority_waits", "relaxation_hours"]


def erlang_c(c: int, a: float) -> float:
    """Probability of waiting in M/M/c with offered load ``a = λ/μ`` (< c): Erlang's C."""
    if not 0 <= a < c:
        raise ValueError(f"offered load {a} must be in [0, {c})")
    term, total = 1.0, 1.0  # a^k / k!, summed for k < c
    for k in range(1, c):
        term *= a / k
        total += term
    top = term * a / c * c / (c - a)  # a^c / c! · 1 / (1 − ρ)
    return top / (total + top)


def mmc_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue of M/M/c: C(c, a) / (cμ − λ)."""
    return erlang_c(c, lam / mu) / (c * mu - lam)


def relaxation_hours(lam: float, mu: float, c: int) -> float:
    """Relaxation time of an M/M/c queue, 1 / (cμ (1 − √ρ)²) (exact for c = 1)."""
    rho = lam / (c * mu)
    return 1.0 / (c * mu * (1.0 - math.sqrt(rho)) ** 2)


def priority_waits(lams: Sequence[float], mu: float, c: int) -> list[float]:
    """Mean waits by class (highest priority first) of a non-preemptive M/M/c priority queue
    with one service rate: Cobham, ``W_k = C(c, a)/(cμ) / ((1 − σ_{k−1})(1 − σ_k))``."""
    lam = sum(lams)
    w0 = erlang_c(c, lam / mu) / (c * mu)
    waits, sigma = [], 0.0
    for lam_k in lams:
        before = sigma
        sigma += lam_k / (c * mu)
        waits.append(w0 / ((1 - before) * (1 - sigma)))
    return waits


def jackson_rates(
    parent: Sequence[int],
    level: Sequence[int],
    external: Sequence[float],
    leave: Sequence[float],
) -> np.ndarray:
    """Total arrival rate at every office of an open Jackson network on a tree.

    Office ``o`` receives ``external[o]`` from outside plus, from each child, the child's rate
    times ``1 − leave[level of child]`` (the share that is not resolved there and moves up to
    ``parent[o]``; -1 marks the root). Levels count up from 0 at the leaves.
    """
    lam = np.asarray(external, dtype=float).copy()
    order = sorted(range(len(parent)), key=lambda o: level[o])  # children before parents
    for office in order:
        if parent[office] >= 0:
            lam[parent[office]] += lam[office] * (1 - leave[level[office]])
    return lam
