"""Erlang-A: the M/M/n+M queue (Poisson calls, exponential talk and patience, n operators).

The number of calls in the system is a birth-death chain (birth λ; death min(k, n)·μ +
max(k − n, 0)·θ), truncated where its stationary probabilities vanish. By PASTA a call sees that
distribution on arrival; one that finds every operator busy waits at queue position j, advancing
at rate n·μ + (i − 1)·θ from position i while its own patience runs out at rate θ
(Garnett, Mandelbaum and Reiman 2002; Mandelbaum and Zeltyn 2007). That gives the answered and
abandoned shares, the mean wait of answered calls, and the share answered within a target — the
figures the 12345 centre reports — with no approximation beyond the truncation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.linalg import expm

TAIL = 1e-14
"""Stationary probabilities below this (relative to the largest) are dropped."""


@dataclass(frozen=True)
class ErlangA:
    """Steady-state figures of one M/M/n+M queue (rates per hour, times in hours)."""

    answered: float
    """Share of calls answered (1 − abandoned)."""
    abandoned: float
    answered_within: float
    """Share of all calls answered within the target wait."""
    mean_wait_answered: float
    """Mean wait of answered calls."""
    mean_wait_all: float
    """Mean time in queue of every call, abandoned ones included (E[Lq]/λ)."""
    utilization: float
    """Busy operators over operators."""


def stationary(lam: float, mu: float, theta: float, n: int) -> np.ndarray:
    """P(k calls in the system), k = 0, 1, … until the tail is negligible."""
    if theta <= 0 and lam >= n * mu:
        raise ValueError("without abandonment the queue needs λ < n·μ to be stable")
    logs = [0.0]
    k = 0
    while True:
        k += 1
        death = min(k, n) * mu + max(k - n, 0) * theta
        logs.append(logs[-1] + math.log(lam / death))
        if k > n + 10 and logs[-1] - max(logs) < math.log(TAIL):
            break
        if k > n + 1_000_000:  # pragma: no cover - only near-critical, patience-free queues
            raise ValueError("the queue is too close to instability to truncate")
    values = np.exp(np.asarray(logs) - max(logs))
    return values / values.sum()


def erlang_a(lam: float, mu: float, theta: float, n: int, target: float = 0.0) -> ErlangA:
    """Erlang-A figures for arrival rate ``lam``, talk rate ``mu``, patience rate ``theta`` and
    ``n`` operators; ``target`` is the answer-time target (hours)."""
    pi = stationary(lam, mu, theta, n)
    k = np.arange(len(pi))
    queue = np.maximum(k - n, 0)
    mean_queue = float((queue * pi).sum())
    abandoned = theta * mean_queue / lam
    busy = float((np.minimum(k, n) * pi).sum())
    # A call that finds k >= n waits at position j = k - n + 1.
    positions = len(pi) - n
    i = np.arange(1, positions + 1)
    total = n * mu + i * theta  # leaving position i: an advance, or its own patience
    advance = n * mu + (i - 1) * theta
    served = np.cumprod(advance / total)  # P(served | starts at position j)
    wait_if_served = np.cumsum(1.0 / total)  # E[wait | served, position j]
    seen = pi[n:]
    p_served_wait = float((seen * served * wait_if_served).sum())
    answered = 1.0 - abandoned
    within = float(pi[:n].sum()) + _served_within(total, advance, seen, target)
    return ErlangA(
        answered=answered,
        abandoned=abandoned,
        answered_within=within,
        mean_wait_answered=p_served_wait / answered if answered > 0 else math.nan,
        mean_wait_all=mean_queue / lam,
        utilization=busy / n,
    )


def _served_within(total: np.ndarray, advance: np.ndarray, seen: np.ndarray, t: float) -> float:
    """P(served within ``t``) summed over the starting positions, weighted by ``seen``.

    A pure-death chain on positions (absorbing at 0: served), leaking at the caller's own
    abandonment rate; ``expm`` of its generator gives every starting position at once.
    """
    if t <= 0 or not len(seen):
        return 0.0
    size = len(seen) + 1
    generator = np.zeros((size, size))
    idx = np.arange(1, size)
    generator[idx, idx] = -total
    generator[idx, idx - 1] = advance
    reached = expm(generator * t)[1:, 0]
    return float((seen * reached).sum())
