"""Calibration of volumes: requests per office, the request mix and the 12345 centre's service.

Beside each published figure (county centres' visits and accepted disputes a day, grid reports
per grid a year, 12345 calls per resident a year and seats per 100,000 residents, the 12345 mix
by kind and the share it settles itself) the model's value from a run, and whether the agreement
holds by construction (the scenario's rates were set from that figure) or is an outcome of the
model. Used by :mod:`simulation.checks.calibration`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..analysis.stats import mean_ci
from ..contract import LEVELS
from ..experiments.runner import Results
from ..formats import percent

COUNTY = LEVELS.index("county")
LEVEL_INDEX = {lv: i for i, lv in enumerate(LEVELS)}
DAYS_Q1_Q3_2020 = 274
"""Calendar days of 1 Jan – 30 Sep 2020 (a leap year)."""
OPERATOR_WEEK_HOURS = 40.0
"""An operator's paid hours a week: seat-hours are turned into headcount with it."""


@dataclass(frozen=True)
class Volume:
    key: str
    label: str
    published: float
    unit: str
    source: str
    construction: str
    """Whether the model's agreement holds by construction, and why."""


VOLUMES: tuple[Volume, ...] = (
    Volume("county_visits", "County centre visits per centre per day", 1_011_000 / 90 / 274,
           "visits/day",
           "Zhejiang county mediation centres, Q1–Q3 2020: 1.011 million visits, ~90 centres "
           "(China News Service, 23 Nov 2020); per calendar day",
           "partly: the county's walk-in share (`walk_in_level.county`) was set from it; "
           "referrals and escalations add the rest"),
    Volume("county_disputes", "Disputes accepted per county centre per day", 275_000 / 90 / 274,
           "disputes/day",
           "Zhejiang county mediation centres, Q1–Q3 2020: 275,000 disputes accepted; per "
           "calendar day",
           "no: the dispute volume and walk-in share were chosen near it, but how many disputes "
           "reach the county follows from triage, resolution below and patience"),
    Volume("grid_reports", "Grid reports per grid per year", 12_100_000 / 85_000, "reports",
           "Zhejiang grids, 2022: 12.1 million reports over ~85,000 grids",
           "yes: the grid-visit channel volume was set to 142 a grid a year"),
    Volume("calls_per_resident", "12345 calls per resident per year", float("nan"), "calls",
           "no Zhejiang figure found; Beijing 12345, 2023: 21.43 million requests for ~21.9 "
           "million residents (~1.0, calls and online together); Changde 12345, Jan 2021: "
           "19,197 calls for ~5.3 million residents (~0.04 a year)",
           "yes: assumed 0.22 (between the two; limited by the engine's cost, see README)"),
    Volume("seats_per_100k", "12345 operators per 100,000 residents", 3.5, "seats",
           "Jiangsu 12345, 2020: 3.5 seats per 100,000 residents",
           "no: the model's seats are on duty by hour; shown as headcount = seat-hours a "
           "week ÷ 40 h"),
    Volume("hotline_consultation", "12345 calls that are consultations", 0.637, "share",
           "Tangshan 12345, Nov 2024", "yes: the types' channel mixes were set from it"),
    Volume("hotline_help", "12345 calls that ask for help", 0.290, "share",
           "Tangshan 12345, Nov 2024", "yes (as above)"),
    Volume("hotline_complaint", "12345 calls that are complaints", 0.010, "share",
           "Tangshan 12345, Nov 2024", "yes (as above)"),
    Volume("hotline_settled", "Answered 12345 calls settled by the hotline itself", 0.527,
           "share", "a Zhejiang city's 12345, 2024: 52.7% settled directly, 47.3% passed on",
           "yes: first-contact probabilities per kind were set to give it"),
    Volume("hotline_answer_rate", "12345 calls answered within 15 s", float("nan"), "share",
           "GB/T 33358-2016 sets the 15 s answer target; no published Jiaxing service level",
           "no: an outcome of the seats, talk times and patience (Erlang-A)"),
)  # fmt: skip


def volume_metrics(results: Results) -> pd.DataFrame:
    """Per replication: the model's counterpart of each volume figure, plus utilisation."""
    sc = results.scenario
    index = results.by_replication.index
    days = float(sc.horizon_days)
    offices = results.offices
    level = offices["level"].astype(str)
    rep = offices["replication"]

    def by_rep(values: pd.Series, mask: pd.Series, how: str = "sum") -> np.ndarray:
        grouped = values[mask].groupby(rep[mask])
        out = grouped.sum() if how == "sum" else grouped.count()
        return out.reindex(index).to_numpy(dtype=float)

    centres = by_rep(offices["staff"], level == "county", "count")
    grids = by_rep(offices["staff"], level == "grid", "count")
    residents = float(sum(c.population for c in sc.city.counties)) if sc.city.counties else 0.0
    if not residents and sc.city.generate is not None:
        residents = float(sc.city.generate.population)
    out = pd.DataFrame(index=index)
    out["county_visits"] = by_rep(offices["arrivals"], level == "county") / centres / days

    cases = results.cases
    if "kind" in cases.columns:
        cases = cases[cases["kind"].astype(str) == "dispute"]
    closed_level = cases["closed_level"].astype(object).map(LEVEL_INDEX)
    closed = cases["outcome"].astype(str) != "open"
    reached = closed & (closed_level >= COUNTY) & (closed_level - cases["levels"] + 1 <= COUNTY)
    disputes = reached.groupby(cases["replication"]).sum().reindex(index).to_numpy(dtype=float)
    out["county_disputes"] = disputes / centres / days

    fd = results.front_door
    if fd is None or fd.empty:
        for key in ("grid_reports", "calls_per_resident", "hotline_consultation",
                    "hotline_help", "hotline_complaint", "hotline_settled"):  # fmt: skip
            out[key] = np.nan
    else:
        channel = fd["channel"].astype(str)
        kind = fd["kind"].astype(str)

        def total(mask: pd.Series, column: str = "requests") -> np.ndarray:
            return fd[column][mask].groupby(fd["replication"][mask]).sum().reindex(index)

        calls = total(channel == "hotline").to_numpy(dtype=float)
        out["grid_reports"] = total(channel == "grid_visit").to_numpy(float) / grids / days * 365
        out["calls_per_resident"] = calls / residents / days * 365 if residents else np.nan
        for k in ("consultation", "help", "complaint"):
            of_kind = total((channel == "hotline") & (kind == k)).to_numpy(dtype=float)
            out[f"hotline_{k}"] = of_kind / calls
        answered = calls - total(channel == "hotline", "abandoned").to_numpy(dtype=float)
        settled = total(channel == "hotline", "first_contact").to_numpy(dtype=float)
        out["hotline_settled"] = settled / answered
    seats = sc.hotline.seats_by_hour
    week_hours = sum(seats) * 7 if seats else 0
    out["seats_per_100k"] = (
        week_hours / OPERATOR_WEEK_HOURS / residents * 1e5 if seats and residents else np.nan
    )
    dates = pd.date_range(sc.start_date, periods=sc.horizon_days, freq="D")
    monthly = np.asarray(sc.arrivals.monthly, dtype=float)
    out["season"] = float(np.mean(monthly[dates.month - 1]) / monthly.mean())
    kpi = results.by_replication
    out["hotline_answer_rate"] = kpi["hotline_answer_rate"].to_numpy(dtype=float)
    for lv in LEVELS:
        out[f"utilization_{lv}"] = kpi[f"utilization_{lv}"].to_numpy(dtype=float)
        out[f"utilization_paid_{lv}"] = kpi[f"utilization_paid_{lv}"].to_numpy(dtype=float)
    return out


def _value(v: Volume, x: float) -> str:
    if np.isnan(x):
        return "–"
    return percent(x, 1) if v.unit == "share" else f"{x:,.2f}" if x < 10 else f"{x:,.0f}"


def volumes_markdown(per_rep: pd.DataFrame) -> list[str]:
    """The volumes section of the calibration report."""
    lines = [
        "## Volumes, request mix and the 12345 centre",
        "",
        "Per office and per kind, the model's value (mean over replications, 95% CI) beside the "
        "published figure, and whether the agreement holds **by construction** (the scenario's "
        "rates were set from that very figure, so agreement confirms only the arithmetic) or is "
        "an outcome of the model. County figures are per calendar day (Q1–Q3 2020 has "
        f"{DAYS_Q1_Q3_2020} days); the model's disputes accepted by a county centre are the "
        "closed dispute cases that queued at a county office, so open ones are left out. "
        "Yearly rates set by construction are met over a year; over the run's counted days "
        "the monthly profile scales every volume by "
        f"{per_rep['season'].iloc[0]:.2f} (the mean of `arrivals.monthly` over those days "
        "over its yearly mean).",
        "",
        "| figure | published | source | model (95% CI) | by construction? |",
        "|---|---:|---|---|---|",
    ]
    for v in VOLUMES:
        if v.key not in per_rep:
            continue
        mean, lo, hi, _ = mean_ci(per_rep[v.key])
        model = f"{_value(v, mean)} [{_value(v, lo)}, {_value(v, hi)}]"
        lines.append(
            f"| {v.label} | {_value(v, v.published)} | {v.source} | {model} | {v.construction} |"
        )
    lines += ["", "Utilisation per level (casework over hours available for casework; over all "
              "paid hours):", "", "| level | utilization_L | utilization_paid_L |",
              "|---|---|---|"]  # fmt: skip
    for lv in LEVELS:
        cells = []
        for key in (f"utilization_{lv}", f"utilization_paid_{lv}"):
            mean, lo, hi, _ = mean_ci(per_rep[key])
            cells.append(f"{percent(mean)} [{percent(lo)}, {percent(hi)}]")
        lines.append(f"| {lv} | {cells[0]} | {cells[1]} |")
    lines.append("")
    return lines


__all__ = ["VOLUMES", "volume_metrics", "volumes_markdown"]
