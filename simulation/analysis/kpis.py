"""KPIs: pure functions from the engine's result tables to per-replication KPIs and a summary.

Nothing here simulates or touches files. The engine hands over three DataFrames covering all
replications (``cases``, ``offices``, ``daily``; columns below and in the scenario contract);
:func:`replication_kpis` turns them into one row per replication and :func:`summarize` into the
``kpis.csv`` table (mean, Student-t confidence interval, target, whether it is met).
Formulas, denominators and units are documented in ``docs/kpis.md``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..contract import (
    CASE_COLUMNS,
    CHANNELS,
    CODE_COLUMNS,
    DAILY_COLUMNS,
    FRONT_DOOR_COLUMNS,
    GRASSROOTS_LEVELS,
    KINDS,
    KPI_NAMES,
    LEVELS,
    LOWER_IS_BETTER,
    OFFICE_COLUMNS,
    OUTCOMES,
    SUMMARY_COLUMNS,
    VILLAGE_LEVELS,
)
from .intervals import kpi_interval, meets_with
from .stats import mean_ci

__all__ = [
    "CASE_COLUMNS",
    "DAILY_COLUMNS",
    "KPI_NAMES",
    "LOWER_IS_BETTER",
    "OFFICE_COLUMNS",
    "OUTCOMES",
    "SUMMARY_COLUMNS",
    "mean_ci",
    "meets_target",
    "replication_kpis",
    "staff_kpis",
    "summarize",
]

P90 = 0.9
OPTIONAL_CASE_COLUMNS: tuple[str, ...] = ("kind", "satisfied", "reopens", "supervised")
"""Columns added after format v1's first release: tables without them still compute."""
OPTIONAL_OFFICE_COLUMNS: tuple[str, ...] = (
    "utilization_paid", "entries", "mean_hours_in_system", "cost_per_staff_year"
)  # fmt: skip


# ---------------------------------------------------------------- helpers


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns and c not in CODE_COLUMNS]
    if missing:
        raise ValueError(f"{what} table lacks column(s) {', '.join(missing)}")


def _replications(replications: Sequence[int] | None, *frames: pd.DataFrame) -> pd.Index:
    if replications is None:
        seen: set[int] = set()
        for frame in frames:
            seen.update(int(r) for r in pd.unique(frame["replication"]))
        reps = sorted(seen)
    else:
        reps = [int(r) for r in replications]
        if len(set(reps)) != len(reps):
            raise ValueError(f"replications must be distinct, got {reps}")
    return pd.Index(reps, dtype="int64", name="replication")


def _as_text(series: pd.Series) -> np.ndarray:
    """Values as Python objects, missing values as None (robust to str/object/category)."""
    values = series.astype(object).to_numpy(copy=True)
    values[pd.isna(values)] = None
    return values


def _by_rep(values: pd.DataFrame | pd.Series, reps: pd.Series, index: pd.Index, how: str):
    grouped = values.groupby(reps.to_numpy())
    result = grouped.mean() if how == "mean" else grouped.quantile(P90)
    return result.reindex(index)


# ---------------------------------------------------------------- per replication


def replication_kpis(
    cases: pd.DataFrame,
    offices: pd.DataFrame,
    daily: pd.DataFrame,
    horizon_days: float,
    replications: Sequence[int] | None = None,
    front_door: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per replication (index ``replication``), one float column per KPI (``KPI_NAMES``).

    ``replications`` lists the replications to report, in order; rows of other replications are
    ignored. By default it is every replication seen in ``offices``, ``cases`` or ``daily``
    (sorted), so a replication with no counted case still gets a row (``cases`` 0, rates NaN).
    An empty denominator gives NaN, never an error. The case KPIs count cases of kind
    ``dispute`` (a table without a ``kind`` column is all disputes); the front-door KPIs
    (``requests``, ``first_contact_rate*``, ``hotline_*``) come from ``front_door`` and are NaN
    without it. Which KPI covers what: ``contract.KPIS`` and docs/kpis.md.
    """
    _require(cases, [c for c in CASE_COLUMNS if c not in OPTIONAL_CASE_COLUMNS], "cases")
    _require(offices, [c for c in OFFICE_COLUMNS if c not in OPTIONAL_OFFICE_COLUMNS], "offices")
    _require(daily, DAILY_COLUMNS, "daily")
    if not (horizon_days > 0 and math.isfinite(horizon_days)):
        raise ValueError(f"horizon_days must be a positive number, got {horizon_days!r}")
    index = _replications(replications, offices, cases, daily)
    out = pd.DataFrame(np.nan, index=index, columns=list(KPI_NAMES), dtype="float64")
    if "satisfied" in cases.columns:  # every kind is asked at follow-up
        _satisfaction_kpis(cases, index, out)
    if "reopens" in cases.columns:  # every kind may be reopened
        reopened = (pd.to_numeric(cases["reopens"]).fillna(0) > 0).astype("float64")
        out["reopen_rate"] = _by_rep(reopened, cases["replication"].astype("int64"), index, "mean")
    if "supervised" in cases.columns:  # every kind may be supervised
        flagged = cases["supervised"].astype("boolean").fillna(False).astype("float64")
        rep = cases["replication"].astype("int64")
        out["supervised_rate"] = _by_rep(flagged, rep, index, "mean")
    if "kind" in cases.columns:  # disputes only (a missing kind is an old table: a dispute)
        kind = _as_text(cases["kind"])
        cases = cases[(kind == "dispute") | pd.isna(kind)]
    if front_door is not None:
        _front_door_kpis(front_door, index, out)

    # ---- cases: outcome rates over all counted cases
    rep = cases["replication"].astype("int64")
    outcome = _as_text(cases["outcome"])
    unknown = set(outcome) - set(OUTCOMES)
    if unknown:
        raise ValueError(f"unknown outcome(s) in cases: {sorted(map(str, unknown))}")
    level = _as_text(cases["closed_level"])
    resolved = outcome == "resolved"
    flags = {
        "resolved_rate": resolved,
        **{f"resolved_at_{lv}": resolved & (level == lv) for lv in LEVELS},
        "grassroots_rate": resolved & np.isin(level, GRASSROOTS_LEVELS),
        "village_rate": resolved & np.isin(level, VILLAGE_LEVELS),
        "litigation_rate": outcome == "litigation",
        "escalated_out_rate": outcome == "escalated_out",
        "abandoned_rate": outcome == "abandoned",
        "open_rate": outcome == "open",
    }
    rates = pd.DataFrame({k: v.astype("float64") for k, v in flags.items()}, index=cases.index)
    out.loc[:, list(flags)] = _by_rep(rates, rep, index, "mean")[list(flags)]
    out["cases"] = rep.value_counts().reindex(index, fill_value=0).astype("float64")

    # ---- cases: door, trip and time KPIs over closed cases
    closed = outcome != "open"
    days = (cases["closed_day"].astype("float64") - cases["arrival_day"].astype("float64"))[closed]
    per_closed = pd.DataFrame(
        {
            "one_door_rate": (cases["doors"][closed] <= 1).astype("float64"),
            "one_trip_rate": (cases["trips"][closed] <= 1).astype("float64"),
            "mean_doors": cases["doors"][closed].astype("float64"),
            "mean_trips": cases["trips"][closed].astype("float64"),
            "mean_days_to_close": days,
        }
    )
    out.loc[:, list(per_closed)] = _by_rep(per_closed, rep[closed], index, "mean")[list(per_closed)]
    out["p90_days_to_close"] = _by_rep(days.dropna(), rep[closed][days.notna()], index, "p90")

    # ---- cases: on time, over cases whose on_time is known
    on_time = cases["on_time"].astype("boolean")
    known = on_time.notna().to_numpy()
    out["on_time_rate"] = _by_rep(on_time[known].astype("float64"), rep[known], index, "mean")

    # ---- daily: backlog summed over levels, counted days only
    counted = daily[daily["day"] >= 0]
    backlog = (
        counted.groupby([counted["replication"].astype("int64"), counted["day"]])["backlog"]
        .sum()
        .astype("float64")
    )
    if len(backlog):
        out["backlog_max"] = backlog.groupby(level=0).max().reindex(index)
        out["backlog_end"] = backlog.groupby(level=0).last().reindex(index)

    # ---- offices: per level
    off = pd.DataFrame(
        {
            "replication": offices["replication"].astype("int64"),
            "level": _as_text(offices["level"]),
            "handled": offices["handled"].astype("float64"),
            "staff": offices["staff"].astype("float64"),
            "arrivals": offices["arrivals"].astype("float64"),
            "utilization": offices["utilization"].astype("float64"),
            "mean_wait_hours": offices["mean_wait_hours"].astype("float64"),
        }
    )
    # offices that started no handling contribute nothing to the wait (their mean is NaN)
    waited = off["handled"].where(off["handled"] > 0, 0.0)
    off["wait_num"] = (off["mean_wait_hours"] * waited).where(waited > 0, 0.0)
    off["wait_den"] = waited.where(off["wait_num"].notna(), 0.0)
    has_util = off["utilization"].notna()
    off["util_num"] = (off["utilization"] * off["staff"]).where(has_util, 0.0)
    off["util_den"] = off["staff"].where(has_util, 0.0)
    sums = off.groupby(["replication", "level"])[
        ["wait_num", "wait_den", "util_num", "util_den", "arrivals"]
    ].sum()
    for lv in LEVELS:
        if lv not in sums.index.get_level_values("level"):
            continue
        at = sums.xs(lv, level="level").reindex(index)
        out[f"wait_hours_{lv}"] = at["wait_num"] / at["wait_den"].where(at["wait_den"] > 0)
        out[f"utilization_{lv}"] = at["util_num"] / at["util_den"].where(at["util_den"] > 0)
        out[f"arrivals_{lv}"] = at["arrivals"] / float(horizon_days)
    if set(OPTIONAL_OFFICE_COLUMNS[:3]) <= set(offices.columns):
        _system_kpis(offices, off, index, out)
    staff_kpis(offices, index, out)
    return out


def _satisfaction_kpis(cases: pd.DataFrame, index: pd.Index, out: pd.DataFrame) -> None:
    """Share of evaluated cases (every kind) whose follow-up verdict is satisfied: overall, by
    channel and by kind (NaN where none was evaluated, e.g. with ``evaluation`` off)."""
    verdict = cases["satisfied"].astype("boolean")
    asked = verdict.notna().to_numpy()
    if not asked.any():
        return
    rep = cases["replication"].astype("int64")[asked]
    value = verdict[asked].astype("float64")
    out["satisfaction_rate"] = _by_rep(value, rep, index, "mean")
    for column, names in (("channel", CHANNELS), ("kind", KINDS)):
        if column not in cases.columns:
            continue
        group = _as_text(cases[column])[asked]
        for name in names:
            mine = group == name
            out[f"satisfaction_rate_{name}"] = _by_rep(value[mine], rep[mine], index, "mean")


def staff_kpis(offices: pd.DataFrame, index: pd.Index, out: pd.DataFrame) -> None:
    """``staff`` (staff of the five levels' offices; the 12345 centre is not counted),
    ``staff_cost`` and ``staff_cost_<level>`` (yuan per year: staff × the office's
    ``cost_per_staff_year``; NaN for a table written before that column existed)."""
    levels = _as_text(offices["level"])
    mine = pd.Series(levels).isin(LEVELS).to_numpy()
    staff = offices["staff"].astype("float64").to_numpy()
    if "cost_per_staff_year" in offices.columns:
        cost = staff * offices["cost_per_staff_year"].astype("float64").to_numpy()
    else:
        cost = np.full(len(staff), np.nan)
    part = pd.DataFrame(
        {
            "replication": offices["replication"].astype("int64").to_numpy()[mine],
            "level": levels[mine],
            "staff": staff[mine],
            "cost": cost[mine],
        }
    )
    totals = part.groupby("replication")[["staff", "cost"]].sum(min_count=1).reindex(index)
    out["staff"] = totals["staff"]
    out["staff_cost"] = totals["cost"]
    by_level = part.groupby(["replication", "level"])["cost"].sum(min_count=1)
    for lv in LEVELS:
        if lv in by_level.index.get_level_values("level"):
            out[f"staff_cost_{lv}"] = by_level.xs(lv, level="level").reindex(index)


def _system_kpis(
    offices: pd.DataFrame, off: pd.DataFrame, index: pd.Index, out: pd.DataFrame
) -> None:
    """Per level: hours a case spends there (entry-weighted) and casework over paid hours."""
    entries = offices["entries"].astype("float64")
    system = offices["mean_hours_in_system"].astype("float64")
    paid = offices["utilization_paid"].astype("float64")
    part = pd.DataFrame(
        {
            "replication": off["replication"],
            "level": off["level"],
            "sys_num": (system * entries).where(system.notna(), 0.0),
            "sys_den": entries.where(system.notna(), 0.0),
            "paid_num": (paid * off["staff"]).where(paid.notna(), 0.0),
            "paid_den": off["staff"].where(paid.notna(), 0.0),
        }
    )
    sums = part.groupby(["replication", "level"])[["sys_num", "sys_den", "paid_num", "paid_den"]]
    sums = sums.sum()
    for lv in LEVELS:
        if lv not in sums.index.get_level_values("level"):
            continue
        at = sums.xs(lv, level="level").reindex(index)
        out[f"hours_in_system_{lv}"] = at["sys_num"] / at["sys_den"].where(at["sys_den"] > 0)
        out[f"utilization_paid_{lv}"] = at["paid_num"] / at["paid_den"].where(at["paid_den"] > 0)


def _front_door_kpis(front_door: pd.DataFrame, index: pd.Index, out: pd.DataFrame) -> None:
    """Requests, first-contact rates (all and by kind) and the 12345 centre's service level."""
    _require(front_door, FRONT_DOOR_COLUMNS, "front_door")
    table = pd.DataFrame(
        {
            "replication": front_door["replication"].astype("int64"),
            "kind": _as_text(front_door["kind"]),
            "channel": _as_text(front_door["channel"]),
            **{
                c: front_door[c].astype("float64")
                for c in ("requests", "first_contact", "abandoned", "answered_in_target")
            },
            "wait_seconds": front_door["wait_seconds"].astype("float64"),
        }
    )
    table["answered"] = table["requests"] - table["abandoned"]
    columns = ["requests", "first_contact", "abandoned", "answered_in_target", "answered"]

    def totals(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.groupby("replication")[[*columns, "wait_seconds"]].sum().reindex(index)

    def rate(num: pd.Series, den: pd.Series) -> pd.Series:
        return num / den.where(den > 0)

    every = totals(table)
    out["requests"] = every["requests"].fillna(0.0)
    out["first_contact_rate"] = rate(every["first_contact"], every["requests"])
    for kind in KINDS:
        of_kind = totals(table[table["kind"] == kind])
        out[f"first_contact_rate_{kind}"] = rate(of_kind["first_contact"], of_kind["requests"])
    calls = totals(table[table["channel"] == "hotline"])
    out["hotline_answer_rate"] = rate(calls["answered_in_target"], calls["requests"])
    out["hotline_abandon_rate"] = rate(calls["abandoned"], calls["requests"])
    out["wait_seconds_hotline"] = rate(calls["wait_seconds"], calls["answered"])


# ---------------------------------------------------------------- summary


def meets_target(kpi: str, value: float, target: float) -> bool:
    """Whether ``value`` meets ``target``: ``value <= target`` for KPIs in ``LOWER_IS_BETTER``,
    ``value >= target`` for the others. Exact comparison (no tolerance), so a target of 0 for
    ``escalated_out_rate`` is met only by exactly 0. A NaN value or target never meets.
    """
    if kpi not in KPI_NAMES:
        raise ValueError(f"unknown KPI {kpi!r}")
    value, target = float(value), float(target)
    if math.isnan(value) or math.isnan(target):
        return False
    return value <= target if kpi in LOWER_IS_BETTER else value >= target


def summarize(
    per_rep: pd.DataFrame,
    targets: Mapping[str, float] | None = None,
    confidence: float = 0.95,
    strict: bool = False,
) -> pd.DataFrame:
    """The ``kpis.csv`` table: one row per KPI column of ``per_rep`` (in its column order) with
    columns ``kpi, mean, ci_low, ci_high, replications, target, meets``.

    ``mean``/``ci_*``/``replications`` come from ``intervals.kpi_interval`` over the
    replications where the KPI is defined (not NaN): Student-t, or a bootstrap for a share whose
    t interval would leave [0, 1]. ``target`` is NaN when ``targets`` names none; ``meets`` is a
    nullable boolean: NA without a target or when the mean is NaN, else ``intervals.meets_with``
    (the mean meets the target; with ``strict`` the whole interval must).
    """
    targets = dict(targets or {})
    if "replication" in per_rep.columns:
        per_rep = per_rep.set_index("replication")
    stray = [k for k in targets if k not in per_rep.columns and k not in KPI_NAMES]
    if stray:
        raise ValueError(f"target(s) for unknown KPI(s): {', '.join(stray)}")
    rows = []
    for kpi in per_rep.columns:
        mean, low, high, n = kpi_interval(str(kpi), per_rep[kpi].to_numpy(dtype=float), confidence)
        target = float(targets[kpi]) if kpi in targets else math.nan
        if math.isnan(target) or math.isnan(mean):
            meets = pd.NA
        else:
            meets = meets_with(str(kpi), mean, low, high, target, strict)
        rows.append((str(kpi), mean, low, high, n, target, meets))
    table = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    return table.astype(
        {
            "kpi": "str",
            "mean": "float64",
            "ci_low": "float64",
            "ci_high": "float64",
            "replications": "int64",
            "target": "float64",
            "meets": "boolean",
        }
    )
