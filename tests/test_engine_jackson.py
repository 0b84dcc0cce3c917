"""The engine against queueing theory (the contract's "Semantics that checks rely on").

Under the contract's analytic conditions (always open, exponential handling, no transfer delay,
no intake, no patience, one case type, flat profiles, grid visits only) the city tree is an open
Jackson network: every office is an M/M/c queue fed by its own grid visits plus the unresolved
outflow of its children. Utilisation, mean wait (Erlang C), arrivals per day and where cases are
resolved must agree with the closed forms computed here.

Tolerances. Utilisation and arrivals are averages over ~10^5 cases: 3% is several standard
errors. Resolution shares have standard errors below 0.002: 0.01 absolute. Mean waits of loaded
queues are strongly autocorrelated, and an office high in the tree sees few cases (the city of
the "wide" tree 0.24 an hour): over 8 replications × 350 days its mean wait varies by about
±12% from seed to seed, which is what queueing theory predicts, not a bug. Each level's wait
is therefore checked against Erlang C within max(8%, 4 standard errors across replications),
and never more than 30%. Low levels (10^4-10^5 handlings) get the 8%; the "escalating" tree
sends a third of its cases to the city so that every level gets a tight check. A real bug
(one server lost, service restarting, FIFO across levels) moves waits by a third or more.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from builders import exponential_tree

import simulation
from simulation.analysis.theory import mmc_wait
from simulation.contract import LEVELS


@dataclass(frozen=True)
class Shape:
    id: str
    shape: tuple[int, int, int, int]  # counties, towns/county, villages/town, grids/village
    staff: tuple[int, ...]
    mean_hours: tuple[float, ...]
    resolve: tuple[float, ...]
    grid_rate_per_hour: float


SHAPES = [
    # the brief's tree: ρ = 0.40, 0.50, 0.70, 0.72, 0.72 from grid to city
    Shape("wide", (2, 2, 3, 4), (1, 2, 3, 4, 5), (4, 5, 7, 12, 15), (0.5, 0.5, 0.6, 0.5, 0.5), 0.1),
    # most cases climb: the city sees 0.8 an hour; single-server villages;
    # ρ = 0.30, 0.36, 0.46, 0.58, 0.60
    Shape("escalating", (2, 2, 2, 3), (1, 1, 2, 3, 4), (3, 1.5, 2.4, 3, 3),
          (0.2, 0.2, 0.25, 0.3, 0.5), 0.1),
]  # fmt: skip
DAYS, REPLICATIONS = 350, 8
WAIT_FLOOR, WAIT_SE, WAIT_CAP = 0.08, 4.0, 0.30


@dataclass(frozen=True)
class Level:
    offices: int
    lam: float  # arrivals an hour at one office of this level
    servers: int
    mu: float
    resolved_share: float  # share of all cases resolved at this level


def theory(s: Shape) -> list[Level]:
    """Traffic equations of the tree: a level's rate is its children's unresolved outflow."""
    counties, towns, villages, grids = s.shape
    offices = [counties * towns * villages * grids, counties * towns * villages, counties * towns]
    offices += [counties, 1]
    fan_in = [None, grids, villages, towns, counties]
    levels = []
    lam, reaching = s.grid_rate_per_hour, 1.0
    for k in range(len(LEVELS)):
        if k:
            lam *= fan_in[k] * (1 - s.resolve[k - 1])
            reaching *= 1 - s.resolve[k - 1]
        levels.append(
            Level(offices[k], lam, s.staff[k], 1 / s.mean_hours[k], reaching * s.resolve[k])
        )
    return levels


@pytest.fixture(scope="module", params=SHAPES, ids=lambda s: s.id)
def jackson(request):
    s: Shape = request.param
    scenario = exponential_tree(
        shape=s.shape,
        staff=s.staff,
        mean_hours=s.mean_hours,
        resolve=s.resolve,
        grid_rate_per_hour=s.grid_rate_per_hour,
        days=DAYS,
        replications=REPLICATIONS,
        seed=2024,
    )
    results = simulation.run(scenario)
    return s, theory(s), results


@pytest.mark.parametrize("level", LEVELS)
def test_utilization_matches_offered_load(jackson, level):
    _, levels, results = jackson
    lv = levels[LEVELS.index(level)]
    rho = lv.lam / (lv.servers * lv.mu)
    assert results.kpi(f"utilization_{level}") == pytest.approx(rho, rel=0.03)


@pytest.mark.parametrize("level", LEVELS)
def test_mean_wait_matches_erlang_c(jackson, level):
    _, levels, results = jackson
    lv = levels[LEVELS.index(level)]
    expected = mmc_wait(lv.lam, lv.mu, lv.servers)
    per_rep = results.by_replication[f"wait_hours_{level}"]
    se = per_rep.std(ddof=1) / len(per_rep) ** 0.5 / expected
    tolerance = min(max(WAIT_FLOOR, WAIT_SE * se), WAIT_CAP)
    assert per_rep.mean() == pytest.approx(expected, rel=tolerance)


@pytest.mark.parametrize("level", LEVELS)
def test_arrivals_per_day_match_traffic_equations(jackson, level):
    _, levels, results = jackson
    lv = levels[LEVELS.index(level)]
    assert results.kpi(f"arrivals_{level}") == pytest.approx(lv.offices * lv.lam * 24, rel=0.03)


def test_resolution_shares_are_products_of_probabilities(jackson):
    s, levels, results = jackson
    for k, level in enumerate(LEVELS):
        assert results.kpi(f"resolved_at_{level}") == pytest.approx(
            levels[k].resolved_share, abs=0.01
        ), level
    unresolved_at_city = levels[-1].resolved_share / s.resolve[-1] * (1 - s.resolve[-1])
    assert results.kpi("litigation_rate") == pytest.approx(unresolved_at_city, abs=0.01)


def test_office_tables_agree_with_theory_office_by_office(jackson):
    """Every office (not only the level means) sees its own traffic-equation rate."""
    _, levels, results = jackson
    offices = results.offices
    for k, level in enumerate(LEVELS):
        at = offices[offices["level"] == level]
        per_office = at.groupby("office")["arrivals"].sum() / (REPLICATIONS * DAYS)
        assert len(per_office) == levels[k].offices
        expected = levels[k].lam * 24
        # Poisson counts over 8 × 350 days: each office within 6 standard errors
        sd = (expected / (REPLICATIONS * DAYS)) ** 0.5
        assert per_office.between(expected - 6 * sd, expected + 6 * sd).all(), level


# ---------------------------------------------------------------- priority (Cobham)


def test_non_preemptive_priority_mm1_matches_cobham():
    """One grid, ρ = 0.8: λ = 0.2 critical + 0.6 minor an hour, μ = 1.

    Non-preemptive priority (Cobham): W0 = Σλ E[S²]/2 = 0.8, Wq_k = W0 / ((1-σ_{k-1})(1-σ_k)):
    critical 0.8/(1·0.8) = 1.0, minor 0.8/(0.8·0.2) = 5.0; sojourn 2.0 and 6.0. FIFO would give
    5.0 for both, pre-emptive priority 1.25 for critical cases.
    """
    scenario = exponential_tree(
        shape=(1, 1, 1, 1),
        staff=(1, 1, 1, 1, 1),
        mean_hours=(1, 1, 1, 1, 1),
        resolve=(1.0, 0.5, 0.5, 0.5, 0.5),
        grid_rate_per_hour=0.8,
        days=3000,
        replications=3,
        seed=11,
        warmup_days=10,
    )
    scenario["case_types"]["dispute"]["severity"] = {"minor": 0.75, "critical": 0.25}
    scenario["triage"] = {"minor": "grid", "critical": "grid"}
    scenario["drain"] = True  # every counted case closes: no bias against long sojourns
    results = simulation.run(scenario)
    cases = results.cases
    assert (cases["outcome"] == "resolved").all()
    assert (cases["closed_level"] == "grid").all()
    sojourn = (cases["wait_hours"] + cases["handling_hours"]).groupby(cases["severity"].astype(str))
    mean = sojourn.mean()
    assert mean["critical"] == pytest.approx(2.0, rel=0.05)
    assert mean["minor"] == pytest.approx(6.0, rel=0.08)
    # the same sojourns measured by the clock
    clock = ((cases["closed_day"] - cases["arrival_day"]) * 24).groupby(
        cases["severity"].astype(str)
    )
    assert clock.mean()["critical"] == pytest.approx(mean["critical"], rel=1e-9)
    assert clock.mean()["minor"] == pytest.approx(mean["minor"], rel=1e-9)
