"""KPIs against values computed by hand from small tables (see comments for the arithmetic)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from simulation.analysis.kpis import meets_target, replication_kpis, summarize
from simulation.analysis.stats import mean_ci
from simulation.contract import (
    CASE_COLUMNS,
    CHANNELS,
    DAILY_COLUMNS,
    KINDS,
    KPI_NAMES,
    LEVELS,
    LOWER_IS_BETTER,
    OFFICE_COLUMNS,
    SUMMARY_COLUMNS,
)

NA = pd.NA
HORIZON = 10.0

# (replication, outcome, closed_level, arrival_day, closed_day, doors, trips, on_time)
CASE_ROWS = [
    # replication 0: five cases, one still open
    (0, "resolved", "grid", 0.0, 1.0, 0, 0, True),  # 1 day
    (0, "resolved", "village", 1.0, 4.0, 1, 1, True),  # 3 days
    (0, "resolved", "county", 2.0, 12.0, 2, 2, False),  # 10 days
    (0, "litigation", "city", 3.0, 23.0, 1, 3, False),  # 20 days
    (0, "open", None, 5.0, math.nan, 1, 1, NA),
    # replication 1: three closed cases
    (1, "resolved", "town", 0.5, 2.5, 1, 1, True),  # 2 days
    (1, "abandoned", "village", 1.0, 8.0, 2, 2, False),  # 7 days
    (1, "escalated_out", "city", 2.0, 32.0, 3, 3, False),  # 30 days
    # replication 2: no counted case at all
]


def make_cases(rows=CASE_ROWS) -> pd.DataFrame:
    records = []
    for i, (rep, outcome, level, arrival, closed, doors, trips, on_time) in enumerate(rows):
        records.append(
            {
                "replication": rep,
                "case_id": i,
                "type": "neighbour",
                "severity": "general",
                "channel": "walk_in",
                "county": "c",
                "town": "t",
                "village": "v",
                "grid": "g",
                "arrival_day": arrival,
                "closed_day": closed,
                "outcome": outcome,
                "closed_level": level,
                "levels": 1,
                "doors": doors,
                "trips": trips,
                "wait_hours": 1.0,
                "handling_hours": 2.0,
                "on_time": on_time,
            }
        )
    frame = pd.DataFrame(records, columns=list(CASE_COLUMNS))
    frame["on_time"] = pd.array(list(frame["on_time"]), dtype="boolean")
    return frame


# (office, level, staff, arrivals, handled, utilization, mean_wait_hours)
OFFICE_ROWS = [
    ("g1", "grid", 1, 10, 8, 0.5, 2.0),
    ("g2", "grid", 3, 20, 2, 0.1, 7.0),
    ("v1", "village", 2, 5, 0, 0.0, math.nan),
    ("t1", "town", 4, 4, 4, 0.25, 1.5),
    ("c1", "county", 10, 2, 2, 0.05, 0.5),
    ("x1", "city", 5, 1, 1, 0.01, 10.0),
]


def make_offices(replications=(0, 1, 2)) -> pd.DataFrame:
    records = []
    for rep in replications:
        for office, level, staff, arrivals, handled, util, wait in OFFICE_ROWS:
            if rep == 2:  # an idle replication
                arrivals, handled, util, wait = 0, 0, 0.0, math.nan
            records.append(
                {
                    "replication": rep,
                    "office": office,
                    "level": level,
                    "county": "c",
                    "staff": staff,
                    "arrivals": arrivals,
                    "handled": handled,
                    "resolved": handled,
                    "utilization": util,
                    "mean_wait_hours": wait,
                    "max_queue": 1,
                }
            )
    return pd.DataFrame(records, columns=list(OFFICE_COLUMNS))


# (replication, day, level, backlog); rows deliberately not in day order
DAILY_ROWS = [
    (0, 2, "grid", 0),
    (0, 2, "town", 2),
    (0, -1, "grid", 100),  # warm-up: ignored
    (0, 0, "grid", 1),
    (0, 0, "town", 2),
    (0, 1, "grid", 4),
    (0, 1, "town", 1),
    (1, 1, "grid", 1),
    (1, 0, "grid", 0),
    (2, 0, "grid", 0),
]


def make_daily(rows=DAILY_ROWS) -> pd.DataFrame:
    records = [
        {
            "replication": rep,
            "day": day,
            "level": level,
            "open_cases": backlog + 1,
            "backlog": backlog,
            "queue": 0,
            "busy_staff": 0,
        }
        for rep, day, level, backlog in rows
    ]
    return pd.DataFrame(records, columns=list(DAILY_COLUMNS))


@pytest.fixture(scope="module")
def per_rep() -> pd.DataFrame:
    return replication_kpis(make_cases(), make_offices(), make_daily(), HORIZON)


# ---------------------------------------------------------------- names


def test_kpi_names_in_contract_order():
    head = KPI_NAMES[:23]
    assert head[:2] == ("cases", "requests") and head[-2:] == ("backlog_max", "backlog_end")
    front = KPI_NAMES[23:31]
    assert front[0] == "first_contact_rate" and front[-1] == "wait_seconds_hotline"
    assert KPI_NAMES[31:33] == ("staff", "staff_cost")
    per_level = (
        "wait_hours", "utilization", "arrivals", "hours_in_system", "utilization_paid", "staff_cost"
    )  # fmt: skip
    assert KPI_NAMES[33:39] == tuple(f"{k}_grid" for k in per_level)
    assert KPI_NAMES[57:63] == tuple(f"{k}_city" for k in per_level)
    follow_up = ("satisfaction_rate", *(f"satisfaction_rate_{x}" for x in (*CHANNELS, *KINDS)))
    assert KPI_NAMES[63:] == (*follow_up, "reopen_rate", "supervised_rate")
    assert len(KPI_NAMES) == 33 + 6 * len(LEVELS) + len(follow_up) + 2 == len(set(KPI_NAMES))
    assert LOWER_IS_BETTER <= set(KPI_NAMES)
    assert "escalated_out_rate" in LOWER_IS_BETTER and "one_door_rate" not in LOWER_IS_BETTER


def test_shape_and_index(per_rep):
    assert list(per_rep.columns) == list(KPI_NAMES)
    assert per_rep.index.name == "replication"
    assert list(per_rep.index) == [0, 1, 2]


# ---------------------------------------------------------------- outcome rates


def test_outcome_rates_by_hand(per_rep):
    r0, r1 = per_rep.loc[0], per_rep.loc[1]
    assert r0["cases"] == 5 and r1["cases"] == 3
    # replication 0: 3 resolved (grid, village, county), 1 litigation, 1 open, of 5
    assert r0["resolved_rate"] == pytest.approx(0.6)
    assert r0["resolved_at_grid"] == pytest.approx(0.2)
    assert r0["resolved_at_village"] == pytest.approx(0.2)
    assert r0["resolved_at_town"] == 0.0
    assert r0["resolved_at_county"] == pytest.approx(0.2)
    assert r0["resolved_at_city"] == 0.0
    assert r0["grassroots_rate"] == pytest.approx(0.4)
    assert r0["village_rate"] == pytest.approx(0.4)
    assert r0["litigation_rate"] == pytest.approx(0.2)
    assert r0["escalated_out_rate"] == 0.0
    assert r0["abandoned_rate"] == 0.0
    assert r0["open_rate"] == pytest.approx(0.2)
    # replication 1: resolved at town, abandoned (at village: not a resolution), escalated out
    assert r1["resolved_rate"] == pytest.approx(1 / 3)
    assert r1["resolved_at_town"] == pytest.approx(1 / 3)
    assert r1["resolved_at_village"] == 0.0
    assert r1["grassroots_rate"] == pytest.approx(1 / 3)
    assert r1["village_rate"] == 0.0
    assert r1["abandoned_rate"] == pytest.approx(1 / 3)
    assert r1["escalated_out_rate"] == pytest.approx(1 / 3)
    assert r1["open_rate"] == 0.0


def test_rates_sum_to_one_and_resolved_splits(per_rep):
    for rep in (0, 1):
        row = per_rep.loc[rep]
        outcomes = ["resolved_rate", "litigation_rate", "escalated_out_rate"]
        outcomes += ["abandoned_rate", "open_rate"]
        assert row[outcomes].sum() == pytest.approx(1.0)
        at = row[[f"resolved_at_{lv}" for lv in LEVELS]].sum()
        assert at == pytest.approx(row["resolved_rate"])


# ---------------------------------------------------------------- doors, trips, times


def test_door_trip_time_kpis_by_hand(per_rep):
    r0, r1 = per_rep.loc[0], per_rep.loc[1]
    # replication 0, closed cases only: doors 0,1,2,1; trips 0,1,2,3; days 1,3,10,20
    assert r0["one_door_rate"] == pytest.approx(0.75)
    assert r0["one_trip_rate"] == pytest.approx(0.5)
    assert r0["mean_doors"] == pytest.approx(1.0)
    assert r0["mean_trips"] == pytest.approx(1.5)
    assert r0["mean_days_to_close"] == pytest.approx(8.5)
    # linear interpolation: position 0.9 * 3 = 2.7 -> 10 + 0.7 * (20 - 10)
    assert r0["p90_days_to_close"] == pytest.approx(17.0)
    # replication 1: doors 1,2,3; trips 1,2,3; days 2,7,30
    assert r1["one_door_rate"] == pytest.approx(1 / 3)
    assert r1["one_trip_rate"] == pytest.approx(1 / 3)
    assert r1["mean_doors"] == pytest.approx(2.0)
    assert r1["mean_trips"] == pytest.approx(2.0)
    assert r1["mean_days_to_close"] == pytest.approx(13.0)
    # position 0.9 * 2 = 1.8 -> 7 + 0.8 * (30 - 7)
    assert r1["p90_days_to_close"] == pytest.approx(25.4)


def test_on_time_ignores_unknown(per_rep):
    # replication 0: True, True, False, False, NA -> 2 / 4
    assert per_rep.loc[0, "on_time_rate"] == pytest.approx(0.5)
    assert per_rep.loc[1, "on_time_rate"] == pytest.approx(1 / 3)


def test_on_time_open_past_limit_counts_as_late():
    rows = [
        (0, "resolved", "grid", 0.0, 1.0, 0, 0, True),
        (0, "open", None, 0.0, math.nan, 1, 1, False),
    ]
    row = replication_kpis(make_cases(rows), make_offices((0,)), make_daily(), HORIZON).loc[0]
    assert row["on_time_rate"] == pytest.approx(0.5)
    assert row["mean_doors"] == 0.0  # the open case is not in door KPIs


# ---------------------------------------------------------------- backlog and offices


def test_backlog_over_counted_days(per_rep):
    # replication 0 summed over levels: day 0 -> 3, day 1 -> 5, day 2 -> 2 (warm-up day ignored)
    assert per_rep.loc[0, "backlog_max"] == 5.0
    assert per_rep.loc[0, "backlog_end"] == 2.0
    assert per_rep.loc[1, "backlog_max"] == 1.0
    assert per_rep.loc[1, "backlog_end"] == 1.0
    assert per_rep.loc[2, "backlog_max"] == 0.0


def test_office_kpis_by_hand(per_rep):
    r0 = per_rep.loc[0]
    # grid: wait (2*8 + 7*2) / 10 = 3; utilisation (0.5*1 + 0.1*3) / 4 = 0.2; (10+20)/10 a day
    assert r0["wait_hours_grid"] == pytest.approx(3.0)
    assert r0["utilization_grid"] == pytest.approx(0.2)
    assert r0["arrivals_grid"] == pytest.approx(3.0)
    # village handled nothing: wait undefined, utilisation 0
    assert math.isnan(r0["wait_hours_village"])
    assert r0["utilization_village"] == 0.0
    assert r0["arrivals_village"] == pytest.approx(0.5)
    assert r0["wait_hours_city"] == pytest.approx(10.0)
    assert r0["utilization_county"] == pytest.approx(0.05)
    assert r0["arrivals_city"] == pytest.approx(0.1)


# ---------------------------------------------------------------- NaN safety


def test_replication_without_cases(per_rep):
    r2 = per_rep.loc[2]
    assert r2["cases"] == 0
    for kpi in ("resolved_rate", "open_rate", "one_door_rate", "p90_days_to_close", "on_time_rate"):
        assert math.isnan(r2[kpi])
    assert r2["arrivals_grid"] == 0.0 and r2["utilization_grid"] == 0.0
    assert math.isnan(r2["wait_hours_grid"])


def test_no_closed_cases_gives_nan_not_error():
    rows = [(0, "open", None, 1.0, math.nan, 1, 1, NA), (0, "open", None, 2.0, math.nan, 0, 0, NA)]
    row = replication_kpis(make_cases(rows), make_offices((0,)), make_daily(), HORIZON).loc[0]
    assert row["open_rate"] == 1.0 and row["resolved_rate"] == 0.0
    for kpi in ("one_door_rate", "one_trip_rate", "mean_doors", "mean_trips"):
        assert math.isnan(row[kpi])
    for kpi in ("mean_days_to_close", "p90_days_to_close", "on_time_rate"):
        assert math.isnan(row[kpi])


def test_explicit_replications_and_empty_tables():
    cases = make_cases([])
    offices = make_offices(())
    daily = make_daily([])
    table = replication_kpis(cases, offices, daily, HORIZON, replications=[3, 4])
    assert list(table.index) == [3, 4]
    assert (table["cases"] == 0).all()
    assert table.drop(columns="cases").isna().all().all()
    assert replication_kpis(cases, offices, daily, HORIZON).empty


def test_bad_inputs():
    with pytest.raises(ValueError, match="horizon_days"):
        replication_kpis(make_cases(), make_offices(), make_daily(), 0)
    with pytest.raises(ValueError, match="on_time"):
        replication_kpis(make_cases().drop(columns="on_time"), make_offices(), make_daily(), 1)


# ---------------------------------------------------------------- confidence intervals


def test_mean_ci_against_hand_t_interval():
    # values 1..4: mean 2.5, s^2 = 5/3, t(0.975, 3) = 3.182446305 (tables)
    mean, low, high, n = mean_ci([1.0, 2.0, 3.0, 4.0], 0.95)
    half = 3.182446305284263 * math.sqrt(5 / 3) / math.sqrt(4)
    assert (mean, n) == (2.5, 4)
    assert low == pytest.approx(2.5 - half) and high == pytest.approx(2.5 + half)
    # 90 %: t(0.95, 3) = 2.353363435
    _, low90, _, _ = mean_ci([1.0, 2.0, 3.0, 4.0], 0.90)
    assert low90 == pytest.approx(2.5 - 2.353363434801 * math.sqrt(5 / 3) / 2)


def test_mean_ci_degenerate_cases():
    assert mean_ci([0.1, 0.1, 0.1]) == (0.1, 0.1, 0.1, 3)
    mean, low, high, n = mean_ci([7.0])
    assert (mean, n) == (7.0, 1) and math.isnan(low) and math.isnan(high)
    mean, low, high, n = mean_ci([math.nan, 2.0, 4.0])
    assert (mean, n) == (3.0, 2)
    assert all(math.isnan(v) for v in mean_ci([math.nan])[:3]) and mean_ci([])[3] == 0


# ---------------------------------------------------------------- targets


def test_meets_target_both_directions():
    assert meets_target("one_door_rate", 0.95, 0.95)
    assert not meets_target("one_door_rate", 0.9499, 0.95)
    assert meets_target("mean_trips", 1.0, 1.2)
    assert not meets_target("mean_trips", 1.3, 1.2)
    assert meets_target("escalated_out_rate", 0.0, 0.0)
    assert not meets_target("escalated_out_rate", 1e-12, 0.0)
    assert not meets_target("one_door_rate", math.nan, 0.5)
    with pytest.raises(ValueError):
        meets_target("no_such_kpi", 1.0, 1.0)


def test_summarize(per_rep):
    targets = {"one_door_rate": 0.5, "mean_days_to_close": 10.0, "escalated_out_rate": 0.0}
    table = summarize(per_rep, targets)
    assert list(table.columns) == list(SUMMARY_COLUMNS)
    assert list(table["kpi"]) == list(KPI_NAMES)
    rows = table.set_index("kpi")
    # one_door_rate: replications 0.75 and 1/3 (replication 2 is NaN, so n = 2)
    door = rows.loc["one_door_rate"]
    values = np.array([0.75, 1 / 3])
    half = 12.706204736174707 * values.std(ddof=1) / math.sqrt(2)  # t(0.975, 1)
    assert values.mean() - half < 0 and values.mean() + half > 1  # the t interval leaves [0, 1]
    assert door["replications"] == 2
    assert door["mean"] == pytest.approx(values.mean())
    # so a share gets the bootstrap over replications: within the values seen
    assert (door["ci_low"], door["ci_high"]) == pytest.approx((1 / 3, 0.75))
    days = rows.loc["mean_days_to_close"]  # not a share: Student-t as before
    t_half = 12.706204736174707 * np.std([8.5, 13.0], ddof=1) / math.sqrt(2)
    assert days["ci_high"] - days["mean"] == pytest.approx(t_half)
    assert door["target"] == 0.5 and bool(door["meets"]) is True  # 0.5417 >= 0.5
    # mean days (8.5 + 13) / 2 = 10.75 > 10: not met (lower is better)
    assert bool(rows.loc["mean_days_to_close", "meets"]) is False
    # escalated out: 0 and 1/3 -> mean 1/6 > 0: not met
    assert bool(rows.loc["escalated_out_rate", "meets"]) is False
    # no target: NaN target and NA meets
    assert math.isnan(rows.loc["cases", "target"]) and pd.isna(rows.loc["cases", "meets"])
    assert rows.loc["cases", "replications"] == 3
    assert table["meets"].dtype == "boolean"


def test_summarize_nan_kpi_has_na_meets():
    per = pd.DataFrame(
        {"one_trip_rate": [math.nan, math.nan], "cases": [0.0, 0.0]},
        index=pd.Index([0, 1], name="replication"),
    )
    table = summarize(per, {"one_trip_rate": 0.9, "cases": 0.0}).set_index("kpi")
    assert math.isnan(table.loc["one_trip_rate", "mean"])
    assert table.loc["one_trip_rate", "replications"] == 0
    assert pd.isna(table.loc["one_trip_rate", "meets"])
    assert bool(table.loc["cases", "meets"]) is True
    assert table.loc["cases", "ci_low"] == table.loc["cases", "ci_high"] == 0.0
    with pytest.raises(ValueError, match="unknown KPI"):
        summarize(per, {"one_tirp_rate": 0.9})
