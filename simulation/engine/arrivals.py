"""Arrivals and case fates, drawn in numpy blocks before the clock starts.

Every case's random fate (type, severity, channel, handling time and resolution at every level …)
is drawn when the case is created, from streams kept apart by purpose. Two scenarios run with
the same seed therefore meet the same citizens with the same needs (common random numbers),
whatever staffing does to the order of events.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..contract import CHANNELS, HOURS_PER_DAY, LEVELS, SEVERITIES
from ..scenario.demand import day_multipliers
from ..scenario.schema import Scenario
from .calendar import scenario_calendar
from .city import City

# Columns of the uniform fate matrix: one fixed slot per purpose keeps the streams in step.
U_TYPE, U_SEVERITY, U_CHANNEL, U_WALK_IN = 0, 1, 2, 3
U_HANDLING = 4  # + level
U_RESOLVE = 4 + len(LEVELS)  # + level
U_ONLINE = 4 + 2 * len(LEVELS)  # + level
U_MISROUTE = 4 + 3 * len(LEVELS)
U_GIVE_UP = U_MISROUTE + 1
N_UNIFORMS = U_GIVE_UP + 1

# Columns of the front-door block, drawn after the fate matrix from the same stream (so scenarios
# written before it existed keep their draws): first contact, the caller's and dispatcher's times,
# and one give-up draw per level (a citizen may run out of patience more than once).
X_FIRST_CONTACT, X_FIRST_CONTACT_HOURS, X_TALK, X_PATIENCE, X_DISPATCH = range(5)
X_GIVE_UP = 5  # + level
N_EXTRA = X_GIVE_UP + len(LEVELS)
SECONDS_PER_HOUR = 3600.0

STREAM_ARRIVALS, STREAM_FATES, STREAM_SURGES = 0, 1, 2
# Purposes added later get streams of their own, so the draws above never move (CRN).
STREAM_EVALUATION = 3  # + part (0: baseline, 1 + k: surge k): the follow-up verdict
STREAM_REWORK = 4  # + case + round: the reopen draw and the verdicts after a reopen
STREAM_SUPERVISION = 5  # + case: the town's pull-up draw
IN_PERSON = (CHANNELS.index("grid_visit"), CHANNELS.index("walk_in"))


@dataclass
class Cases:
    """Every case of one replication, sorted by arrival time (plain columns)."""

    time: np.ndarray  # arrival, hours since the first simulated day
    grid: np.ndarray  # position into City.grids
    type: np.ndarray
    severity: np.ndarray
    channel: np.ndarray
    walk_in_level: np.ndarray
    handling: np.ndarray  # (n, levels) handling hours at each level
    resolve_u: np.ndarray  # (n, levels) resolution draws
    online_u: np.ndarray  # (n, levels) online-mediation draws
    misroute_u: np.ndarray
    give_up_u: np.ndarray  # (n, levels) give-up draws (a 1-D column is used at every level)
    first_contact_u: np.ndarray | None = None  # settled at first contact when below its chance
    first_contact_hours: np.ndarray | None = None  # working hours of a first-contact settlement
    talk: np.ndarray | None = None  # a seat's hours per call
    call_patience: np.ndarray | None = None  # hours a caller waits for an operator
    dispatch: np.ndarray | None = None  # a dispatcher's hours per work order
    evaluation_u: np.ndarray | None = None  # dissatisfied at follow-up when below its chance

    def __post_init__(self) -> None:
        n = len(self.time)
        if self.give_up_u.ndim == 1:
            self.give_up_u = np.repeat(self.give_up_u[:, None], len(LEVELS), axis=1)
        if self.first_contact_u is None:
            self.first_contact_u = np.ones(n)  # never below a chance: nothing settles at once
        for name, fill in (
            ("first_contact_hours", 0.0),
            ("talk", 0.0),
            ("call_patience", np.inf),
            ("dispatch", 0.0),
            ("evaluation_u", 1.0),  # never below a chance: always satisfied
        ):
            if getattr(self, name) is None:
                setattr(self, name, np.full(n, fill))

    def __len__(self) -> int:
        return len(self.time)


def replication_seed(seed: int, replication: int, *purpose: int) -> np.random.SeedSequence:
    """Stream ``replication`` of the root seed, split further by purpose."""
    return np.random.SeedSequence(seed, spawn_key=(replication, *purpose))


def rework_draws(seed: int, replication: int, case: int, round_: int) -> tuple[float, float]:
    """A case's (reopen, verdict) uniforms of follow-up round ``round_`` (0: the first close).
    Drawn only when needed (a dissatisfied verdict is rare), from a stream of the case's own,
    so they never move another draw and stay with the citizen across scenarios."""
    u = np.random.default_rng(replication_seed(seed, replication, STREAM_REWORK, case, round_))
    reopen, verdict = u.random(2).tolist()
    return reopen, verdict


def supervision_draw(seed: int, replication: int, case: int) -> float:
    """A supervised case's pull-up uniform (drawn only when a waiting case is flagged)."""
    rng = np.random.default_rng(replication_seed(seed, replication, STREAM_SUPERVISION, case))
    return float(rng.random())


def time_of_day(u: np.ndarray, hourly: list[float]) -> np.ndarray:
    """Fractions of a day (0–1) from uniforms, following the hour-of-day profile (inverse CDF of
    a density constant within each hour; a flat profile returns ``u`` itself)."""
    weights = np.asarray(hourly, dtype=float)
    if np.all(weights == weights[0]):
        return u
    cumulative = np.concatenate([[0.0], np.cumsum(weights) / weights.sum()])
    return np.interp(u, cumulative, np.linspace(0.0, 1.0, 25))


def _poisson_times(
    rng: np.random.Generator, daily_rate: np.ndarray, first_day: int, hourly: list[float]
) -> np.ndarray:
    counts = rng.poisson(daily_rate)
    days = np.repeat(np.arange(first_day, first_day + len(daily_rate)), counts)
    return np.sort((days + time_of_day(rng.random(len(days)), hourly)) * HOURS_PER_DAY)


def _pick(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    cumulative = np.cumsum(weights, dtype=float)
    u = rng.random(n) * cumulative[-1]
    return np.minimum(np.searchsorted(cumulative, u, side="right"), len(weights) - 1)


def _fates(
    scenario: Scenario, rng: np.random.Generator, n: int, forced_type: int | None = None
) -> dict[str, np.ndarray]:
    u = rng.random((n, N_UNIFORMS))
    types = list(scenario.case_types.values())
    if forced_type is None:
        shares = np.cumsum([t.share for t in types])
        type_ = np.minimum(
            np.searchsorted(shares / shares[-1], u[:, U_TYPE], side="right"), len(types) - 1
        )
    else:
        type_ = np.full(n, forced_type, dtype=np.int64)
    severity = np.empty(n, dtype=np.int64)
    handling = np.empty((n, len(LEVELS)))
    for k, case_type in enumerate(types):
        mask = type_ == k
        mix = np.cumsum([getattr(case_type.severity, s) for s in SEVERITIES])
        severity[mask] = np.minimum(
            np.searchsorted(mix / mix[-1], u[mask, U_SEVERITY], side="right"), len(SEVERITIES) - 1
        )
        for level, name in enumerate(LEVELS):
            dist = getattr(case_type.handling_hours, name)
            handling[mask, level] = dist.ppf(u[mask, U_HANDLING + level])
    channel = _pick_channel(scenario.arrivals.channels, u[:, U_CHANNEL])
    for k, case_type in enumerate(types):
        if case_type.channels is not None:
            mask = type_ == k
            channel[mask] = _pick_channel(case_type.channels, u[mask, U_CHANNEL])
    walk_in = scenario.arrivals.walk_in_level
    walk_cum = np.cumsum([walk_in.get(lv, 0.0) for lv in LEVELS])
    walk_cum = walk_cum / walk_cum[-1] if walk_cum[-1] > 0 else np.ones(len(LEVELS))
    return {
        "type": type_,
        "severity": severity,
        "channel": channel,
        "walk_in_level": np.minimum(
            np.searchsorted(walk_cum, u[:, U_WALK_IN], side="right"), len(LEVELS) - 1
        ),
        "handling": handling,
        "resolve_u": u[:, U_RESOLVE : U_RESOLVE + len(LEVELS)],
        "online_u": u[:, U_ONLINE : U_ONLINE + len(LEVELS)],
        "misroute_u": u[:, U_MISROUTE],
        **_front_door(scenario, rng.random((n, N_EXTRA)), type_),
    }


def _pick_channel(shares: dict[str, float], u: np.ndarray) -> np.ndarray:
    cumulative = np.cumsum([shares.get(c, 0.0) for c in CHANNELS])
    return np.minimum(
        np.searchsorted(cumulative / cumulative[-1], u, side="right"), len(CHANNELS) - 1
    )


def _front_door(scenario: Scenario, x: np.ndarray, type_: np.ndarray) -> dict[str, np.ndarray]:
    """First contact, call, dispatch and give-up draws (the fixed block ``X_*``)."""
    hours = np.zeros(len(x))
    for k, case_type in enumerate(scenario.case_types.values()):
        mask = type_ == k
        if mask.any() and any(case_type.first_contact.values()):
            hours[mask] = case_type.first_contact_hours.ppf(x[mask, X_FIRST_CONTACT_HOURS])
    hotline = scenario.hotline
    seated = hotline.seats is not None
    return {
        "give_up_u": x[:, X_GIVE_UP : X_GIVE_UP + len(LEVELS)],
        "first_contact_u": x[:, X_FIRST_CONTACT],
        "first_contact_hours": hours,
        "talk": hotline.talk_seconds.ppf(x[:, X_TALK]) / SECONDS_PER_HOUR if seated else None,
        "call_patience": (
            hotline.patience_seconds.ppf(x[:, X_PATIENCE]) / SECONDS_PER_HOUR if seated else None
        ),
        "dispatch": (
            hotline.dispatch_minutes.ppf(x[:, X_DISPATCH]) / 60.0
            if hotline.dispatchers is not None
            else None
        ),
    }


def draw_cases(scenario: Scenario, city: City, replication: int) -> Cases:
    """All arrivals of one replication (baseline and surges) with their fates."""
    seed = scenario.seed
    residents = city.residents.astype(float)
    per_day = residents.sum() * scenario.arrivals.per_10k_residents_per_year / 10_000 / 365
    rates = per_day * day_multipliers(scenario)

    arrival_rng = np.random.default_rng(replication_seed(seed, replication, STREAM_ARRIVALS))
    hourly = scenario.arrivals.hourly
    times = _poisson_times(arrival_rng, rates, 0, hourly)
    grid = _pick(arrival_rng, residents, len(times)) if len(times) else np.zeros(0, np.int64)
    fate_rng = np.random.default_rng(replication_seed(seed, replication, STREAM_FATES))
    parts = [(times, grid, _fates(scenario, fate_rng, len(times)))]
    part_keys = [0]  # baseline 0, surge k 1 + k: the key of each part's follow-up stream

    type_names = list(scenario.case_types)
    for k, surge in enumerate(scenario.arrivals.surges):
        rng = np.random.default_rng(replication_seed(seed, replication, STREAM_SURGES, k))
        first = scenario.warmup_days + surge.first_day(scenario.start_date)
        last = min(first + surge.days, scenario.warmup_days + scenario.horizon_days)
        if last <= first:
            continue
        s_times = _poisson_times(rng, np.full(last - first, surge.per_day), first, hourly)
        where = city.grids_of_county(surge.where)
        s_grid = where[_pick(rng, residents[where], len(s_times))] if len(s_times) else where[:0]
        forced = type_names.index(surge.type)
        parts.append((s_times, s_grid, _fates(scenario, rng, len(s_times), forced)))
        part_keys.append(1 + k)

    time = np.concatenate([p[0] for p in parts])
    evaluation_u = np.concatenate(
        [
            np.random.default_rng(
                replication_seed(seed, replication, STREAM_EVALUATION, key)
            ).random(len(p[0]))
            for key, p in zip(part_keys, parts, strict=True)
        ]
    )
    channel = np.concatenate([p[2]["channel"] for p in parts])
    # A citizen walks in, and a grid worker visits, only while offices work: those arrivals
    # drawn in closed hours happen at the next opening. Calls and the app run round the clock.
    in_person = np.isin(channel, IN_PERSON)
    calendar = scenario_calendar(scenario)
    time[in_person] = calendar.next_open_many(time[in_person])
    order = np.argsort(time, kind="stable")

    def column(key: str) -> np.ndarray | None:
        blocks = [p[2][key] for p in parts]
        return None if blocks[0] is None else np.concatenate(blocks)[order]

    return Cases(
        time=time[order],
        grid=np.concatenate([p[1] for p in parts]).astype(np.int64)[order],
        type=column("type"),
        severity=column("severity"),
        channel=column("channel"),
        walk_in_level=column("walk_in_level"),
        handling=column("handling"),
        resolve_u=column("resolve_u"),
        online_u=column("online_u"),
        misroute_u=column("misroute_u"),
        give_up_u=column("give_up_u"),
        first_contact_u=column("first_contact_u"),
        first_contact_hours=column("first_contact_hours"),
        talk=column("talk"),
        call_patience=column("call_patience"),
        dispatch=column("dispatch"),
        evaluation_u=evaluation_u[order],
    )
