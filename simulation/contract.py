"""The contract: the names users and outside checks rely on, defined once.

Levels, severities, channels, outcomes and request kinds; the columns of every output table; and
the KPI registry, which says for each KPI its unit, which direction is better, whether it is a
share, which request kinds it covers and its labels in English and Chinese. Every other module
reads these; none defines them again (``docs/scenario-format.md`` and ``docs/kpis.md`` are the
prose of the same contract).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Literal


class Level(IntEnum):
    """Bottom-up: a level's value is its height in the tree (grid 0 … city 4)."""

    grid = 0
    village = 1
    town = 2
    county = 3
    city = 4


class Severity(IntEnum):
    """Ascending urgency: a higher value is served first (non-preemptive priority)."""

    minor = 0
    general = 1
    major = 2
    critical = 3


class Channel(IntEnum):
    """How a request reaches the system (its entry point)."""

    grid_visit = 0
    hotline = 1
    online = 2
    walk_in = 3


class Kind(IntEnum):
    """What the citizen asks for (咨询, 求助, 投诉/举报, 矛盾纠纷)."""

    consultation = 0
    help = 1
    complaint = 2
    dispute = 3


class Outcome(IntEnum):
    """How a counted case ended (``open``: still open at the horizon's end)."""

    resolved = 0
    litigation = 1
    escalated_out = 2
    abandoned = 3
    open = 4


def _names(enum: type[IntEnum]) -> tuple[str, ...]:
    return tuple(member.name for member in enum)


LEVELS: tuple[str, ...] = _names(Level)
SEVERITIES: tuple[str, ...] = _names(Severity)
CHANNELS: tuple[str, ...] = _names(Channel)
OUTCOMES: tuple[str, ...] = _names(Outcome)
KINDS: tuple[str, ...] = _names(Kind)
HOTLINE_LEVEL = "hotline"
"""The ``level`` of the 12345 centre's rows in ``offices.csv`` (outside the five-level tree)."""
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

HOURS_PER_DAY = 24.0
GRASSROOTS_LEVELS: tuple[str, ...] = ("grid", "village", "town")
VILLAGE_LEVELS: tuple[str, ...] = ("grid", "village")

# ---------------------------------------------------------------- output tables

CASE_COLUMNS: tuple[str, ...] = (
    "replication",
    "case_id",
    "type",
    "kind",
    "severity",
    "channel",
    "county",
    "town",
    "town_code",
    "village",
    "grid",
    "arrival_day",
    "closed_day",
    "outcome",
    "closed_level",
    "levels",
    "doors",
    "trips",
    "wait_hours",
    "handling_hours",
    "on_time",
    "satisfied",
    "reopens",
    "supervised",
)
OFFICE_COLUMNS: tuple[str, ...] = (
    "replication",
    "office",
    "office_code",
    "level",
    "county",
    "staff",
    "arrivals",
    "handled",
    "resolved",
    "utilization",
    "mean_wait_hours",
    "max_queue",
    "utilization_paid",
    "entries",
    "mean_hours_in_system",
    "cost_per_staff_year",
)
FRONT_DOOR_COLUMNS: tuple[str, ...] = (
    "replication",
    "county",
    "kind",
    "channel",
    "requests",
    "first_contact",
    "abandoned",
    "answered_in_target",
    "wait_seconds",
)
EVENT_COLUMNS: tuple[str, ...] = (
    "replication",
    "case_id",
    "time",
    "office",
    "level",
    "activity",
    "outcome",
)
"""``events.parquet`` (``run --events``): one row per step of a case; ``outcome`` on closings."""
EVENT_ACTIVITIES: tuple[str, ...] = (
    "arrive",
    "first_contact",
    "queue",
    "start",
    "finish",
    "escalate",
    "self_escalate",
    "refer",
    "reopen",
    "petition",
    "close",
)
"""The steps of the event log, in code order (``petition`` is reserved: petitions are not
modelled yet)."""
CODE_COLUMNS: frozenset[str] = frozenset({"town_code", "office_code"})
"""Division codes beside the names: no KPI reads them, so tables made by hand may omit them."""
DAILY_COLUMNS: tuple[str, ...] = (
    "replication",
    "day",
    "level",
    "open_cases",
    "backlog",
    "queue",
    "busy_staff",
)
SUMMARY_COLUMNS: tuple[str, ...] = (
    "kpi",
    "mean",
    "ci_low",
    "ci_high",
    "replications",
    "target",
    "meets",
)

# ---------------------------------------------------------------- KPIs

Better = Literal["higher", "lower", "neither"]


@dataclass(frozen=True)
class KPI:
    """One KPI of ``kpis.csv``: what it measures and how to read it."""

    name: str
    unit: str
    """``share`` (0–1), ``cases``, ``requests``, ``cases/day``, ``doors``, ``trips``, ``days``,
    ``hours`` or ``seconds``."""
    better: Better
    """Which direction is better; a target is an upper bound when ``lower``, else a lower one."""
    is_share: bool
    covers: str
    """What it counts: ``dispute cases`` (counted cases of kind dispute), ``all requests`` (every
    counted request, settled at first contact or not), ``calls`` (counted 12345 calls), or
    ``office handlings`` (every handling at an office: cases of every kind and first-contact
    settlements)."""
    label_en: str
    label_zh: str


_CASES = "dispute cases"
_OFFICES = "office handlings"
_REQUESTS = "all requests"
_CALLS = "calls"
_STAFF = "office staff"
_LEVEL_ZH = {
    "grid": "网格", "village": "村社区", "town": "镇街道", "county": "县级", "city": "市级"
}  # fmt: skip


def _share(name: str, better: Better, en: str, zh: str) -> KPI:
    return KPI(name, "share", better, True, _CASES, en, zh)


def _level_kpis(level: str) -> tuple[KPI, ...]:
    zh = _LEVEL_ZH[level]
    return (
        KPI(f"wait_hours_{level}", "hours", "lower", False, _OFFICES,
            f"mean wait in queue at {level} level", f"{zh}平均排队时长"),
        KPI(f"utilization_{level}", "share", "neither", True, _OFFICES,
            f"utilisation of {level} staff", f"{zh}人员利用率"),
        KPI(f"arrivals_{level}", "cases/day", "neither", False, _OFFICES,
            f"cases entering {level} queues per day", f"{zh}日均受理量"),
        KPI(f"hours_in_system_{level}", "hours", "lower", False, "cases of every kind",
            f"hours a case spends at {level} level", f"{zh}平均停留时长"),
        KPI(f"utilization_paid_{level}", "share", "neither", True, _OFFICES,
            f"casework over all paid hours of {level} staff", f"{zh}人员总工时利用率"),
        KPI(f"staff_cost_{level}", "yuan/year", "lower", False, _STAFF,
            f"staff cost per year at {level} level", f"{zh}年人员成本"),
    )  # fmt: skip


_EVALUATED = "evaluated cases"
"""Closed counted cases of every kind asked at follow-up (NaN when ``evaluation`` is off)."""
_CHANNEL_ZH = {"grid_visit": "网格上报", "hotline": "热线", "online": "网上", "walk_in": "来访"}
_KIND_ZH = {"consultation": "咨询", "help": "求助", "complaint": "投诉", "dispute": "纠纷"}


KPIS: tuple[KPI, ...] = (
    KPI("cases", "cases", "neither", False, _CASES, "counted dispute cases", "纠纷案件数"),
    KPI("requests", "requests", "neither", False, _REQUESTS, "counted requests", "诉求总量"),
    _share("resolved_rate", "higher", "resolved", "化解率"),
    *(
        _share(f"resolved_at_{lv}", "neither", f"resolved at {lv} level", f"{_LEVEL_ZH[lv]}化解率")
        for lv in LEVELS
    ),
    _share("grassroots_rate", "higher", "resolved at town or below", "基层化解率"),
    _share("village_rate", "higher", "resolved at village or below", "村级化解率"),
    _share("litigation_rate", "lower", "went to litigation", "诉讼率"),
    _share("escalated_out_rate", "lower", "escalated out of the city", "出市率"),
    _share("abandoned_rate", "lower", "abandoned by the citizen", "放弃率"),
    _share("open_rate", "lower", "still open at the horizon", "未结率"),
    _share("one_door_rate", "higher", "one door", "只进一扇门率"),
    _share("one_trip_rate", "higher", "one trip", "最多跑一地率"),
    KPI("mean_doors", "doors", "lower", False, _CASES, "mean doors", "平均进门次数"),
    KPI("mean_trips", "trips", "lower", False, _CASES, "mean trips", "平均跑腿次数"),
    KPI("mean_days_to_close", "days", "lower", False, _CASES, "mean days to close", "平均办结天数"),
    KPI(
        "p90_days_to_close",
        "days",
        "lower",
        False,
        _CASES,
        "90th percentile of days to close",
        "办结天数90分位",
    ),  # fmt: skip
    _share("on_time_rate", "higher", "closed on time", "按时办结率"),
    KPI(
        "backlog_max",
        "cases",
        "lower",
        False,
        "cases of every kind",
        "largest backlog",
        "最大积案数",
    ),
    KPI(
        "backlog_end",
        "cases",
        "lower",
        False,
        "cases of every kind",
        "backlog at the end",
        "期末积案数",
    ),
    KPI(
        "first_contact_rate",
        "share",
        "higher",
        True,
        _REQUESTS,
        "settled at first contact",
        "一次办结率",
    ),  # fmt: skip
    *(
        KPI(
            f"first_contact_rate_{kind}",
            "share",
            "higher",
            True,
            f"{kind} requests",
            f"{kind} requests settled at first contact",
            f"{_KIND_ZH[kind]}类一次办结率",
        )
        for kind in KINDS
    ),
    KPI(
        "hotline_answer_rate",
        "share",
        "higher",
        True,
        _CALLS,
        "calls answered within the target",
        "热线及时接通率",
    ),
    KPI(
        "hotline_abandon_rate",
        "share",
        "lower",
        True,
        _CALLS,
        "calls hung up before an answer",
        "热线呼损率",
    ),
    KPI(
        "wait_seconds_hotline",
        "seconds",
        "lower",
        False,
        _CALLS,
        "mean wait of answered calls",
        "热线平均等待秒数",
    ),
    KPI("staff", "staff", "lower", False, _STAFF, "staff of the five levels", "五级工作人员数"),
    KPI("staff_cost", "yuan/year", "lower", False, _STAFF, "staff cost per year", "年人员成本"),
    *(kpi for level in LEVELS for kpi in _level_kpis(level)),
    KPI("satisfaction_rate", "share", "higher", True, _EVALUATED,
        "satisfied at follow-up", "回访满意率"),
    *(
        KPI(f"satisfaction_rate_{channel}", "share", "higher", True, f"evaluated {channel} cases",
            f"satisfied at follow-up, {channel} cases", f"{_CHANNEL_ZH[channel]}回访满意率")
        for channel in CHANNELS
    ),
    *(
        KPI(f"satisfaction_rate_{kind}", "share", "higher", True, f"evaluated {kind} cases",
            f"satisfied at follow-up, {kind} cases", f"{_KIND_ZH[kind]}类回访满意率")
        for kind in KINDS
    ),
    KPI("reopen_rate", "share", "lower", True, "cases of every kind",
        "reopened after a dissatisfied verdict", "返工率"),
    KPI("supervised_rate", "share", "lower", True, "cases of every kind",
        "flagged by town supervision", "督办率"),
)  # fmt: skip
"""Every KPI, in the contract's order (also the row order of ``kpis.csv``)."""

KPI_BY_NAME: dict[str, KPI] = {kpi.name: kpi for kpi in KPIS}
KPI_NAMES: tuple[str, ...] = tuple(KPI_BY_NAME)
COUNTY_KPIS: tuple[str, ...] = (
    *(k.name for k in KPIS if k.covers == _CASES and not k.name.startswith("backlog")),
    "satisfaction_rate",
)
"""KPIs a county's own cases decide (rates, doors, trips, days): those computed by county."""
COUNTY_STAFF_KPIS: tuple[str, ...] = tuple(
    k.name for k in KPIS if k.covers == _STAFF and k.name != "staff_cost_city"
)
"""Staff and staff costs computed by county from the county's own offices, grid to county
(the city office is nobody's county)."""
LOWER_IS_BETTER: frozenset[str] = frozenset(k.name for k in KPIS if k.better == "lower")
"""KPIs whose target is an upper bound (met when value <= target); all others: value >= target."""


def is_share(name: str) -> bool:
    """Whether a KPI is a share in [0, 1] (unknown names are not)."""
    kpi = KPI_BY_NAME.get(name)
    return kpi is not None and kpi.is_share
