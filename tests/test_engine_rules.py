"""Engine rules of docs/model.md: conservation, determinism, the working calendar, specialist
villages, surges, arrival profiles, drain, warm-up and the daily series."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from builders import FLAT, MONDAY, generated, scenario, tiny
from conftest import FAIL, RESOLVE, Case, at, hours_of_day, run_cases

import simulation
from simulation.analysis.theory import mmc_wait
from simulation.contract import LEVELS, OUTCOMES
from simulation.engine.calendar import Calendar
from simulation.scenario.demand import first_weekday
from simulation.scenario.loader import load_scenario

OUTPUTS = ("kpis.csv", "cases.parquet", "offices.csv", "daily.csv", "scenario.yaml")

# A small city where everything happens: queues, patience, give-up, online mediation, a county
# without one-stop, several types and departments, a surge, litigation and (by patience at the
# city) escalation out.
BUSY = {
    "name": "busy",
    "seed": 99,
    "start_date": MONDAY.isoformat(),
    "horizon_days": 40,
    "warmup_days": 7,
    "replications": 2,
    "city": generated(counties=2, towns=2, villages=2, grids=3, population=120_000),
    "offices": {
        "village": {"staff": 1, "generalist": False},
        "town": {"staff": 1},
        "county": {"staff": 2, "one_stop": False, "misroute": 0.4},
        "city": {"staff": 1},
    },
    "case_types": {
        "family": {"share": 0.5, "severity": {"minor": 0.5, "general": 0.4, "major": 0.1}},
        "labour": {
            "share": 0.3,
            "department": ["labour", "people_mediation"],
            "severity": {"general": 0.7, "major": 0.2, "critical": 0.1},
        },
        "debts": {"share": 0.2, "resolve": {"grid": 0.2, "village": 0.3, "city": 0.4}},
    },
    "arrivals": {
        "per_10k_residents_per_year": 2500,
        "surges": [
            {
                "name": "closure",
                "where": "county-2",
                "type": "labour",
                "start_day": 5,
                "days": 5,
                "per_day": 15,
            },
        ],
    },  # fmt: skip
    "escalation": {
        "online_mediation": 0.3,
        "patience_days": {"minor": 0.5, "general": 2, "major": 3, "critical": 1},
        "give_up": 0.3,
        "shared_information": False,
    },
}


@pytest.fixture(scope="module")
def busy():
    return simulation.run(BUSY)


@pytest.fixture(scope="module")
def busy_drained():
    return simulation.run(scenario(BUSY, drain=True, replications=1))


# ---------------------------------------------------------------- conservation


def test_busy_scenario_produces_every_outcome(busy):
    """The conservation checks below mean something only if every path is taken."""
    assert set(busy.cases["outcome"].astype(str)) == set(OUTCOMES)


def test_every_counted_case_has_exactly_one_consistent_outcome(busy):
    cases = busy.cases
    assert cases["outcome"].notna().all()
    assert not cases.duplicated(["replication", "case_id"]).any()
    is_open = cases["outcome"] == "open"
    assert cases.loc[is_open, "closed_day"].isna().all()
    assert cases.loc[is_open, "closed_level"].isna().all()
    done = cases[~is_open]
    assert done["closed_day"].notna().all()
    assert done["closed_level"].notna().all()
    assert (done["closed_day"] >= done["arrival_day"]).all()
    assert (done["closed_day"] <= BUSY["horizon_days"]).all()
    resolved = cases[cases["outcome"] == "resolved"]
    assert (resolved["levels"] >= 1).all() and (resolved["handling_hours"] > 0).all()
    beyond = cases[cases["outcome"].isin(["litigation", "escalated_out"])]
    assert (beyond["closed_level"] == "city").all()
    assert (cases["doors"] >= 0).all() and (cases["trips"] >= 0).all()
    assert (cases["wait_hours"] >= 0).all()


def test_outcome_rates_sum_to_one_and_levels_sum_to_resolved(busy):
    per_rep = busy.by_replication
    outcome_rates = [f"{o}_rate" for o in OUTCOMES]
    outcome_rates[0] = "resolved_rate"
    assert np.allclose(per_rep[outcome_rates].sum(axis=1), 1.0)
    at_levels = per_rep[[f"resolved_at_{lv}" for lv in LEVELS]].sum(axis=1)
    assert np.allclose(at_levels, per_rep["resolved_rate"])
    grassroots = per_rep[[f"resolved_at_{lv}" for lv in ("grid", "village", "town")]].sum(axis=1)
    assert np.allclose(grassroots, per_rep["grassroots_rate"])


def test_cases_kpi_counts_the_rows_of_each_replication(busy):
    rows = busy.cases.groupby("replication").size()
    assert list(busy.by_replication.index) == [0, 1]
    assert (busy.by_replication["cases"] == rows.reindex([0, 1])).all()
    assert busy.kpi("cases") == pytest.approx(rows.mean())


# ---------------------------------------------------------------- determinism


def _bytes(directory) -> dict[str, bytes]:
    return {name: (directory / name).read_bytes() for name in OUTPUTS}


def test_same_seed_gives_identical_bytes_serially_and_on_two_workers(busy, tmp_path):
    first = _bytes(busy.save(tmp_path / "a"))
    again = _bytes(simulation.run(BUSY).save(tmp_path / "b"))
    pooled = _bytes(simulation.run(BUSY, workers=2).save(tmp_path / "c"))
    for name in OUTPUTS:
        assert again[name] == first[name], name
        assert pooled[name] == first[name], name


def test_different_seeds_differ(busy):
    other = simulation.run(BUSY, seed=BUSY["seed"] + 1)
    assert not other.cases.equals(busy.cases)
    assert other.kpi("cases") != busy.kpi("cases")


def test_replications_are_different_streams(busy):
    by_rep = busy.by_replication
    assert by_rep.loc[0, "cases"] != by_rep.loc[1, "cases"]


# ---------------------------------------------------------------- the working calendar

OFFICE_HOURS = tiny(calendar={"always_open": False})  # Mon-Fri 08:30-12:00, 13:30-17:00


def test_saturday_night_walk_in_is_first_handled_monday_0830():
    """Drawn walk-ins already arrive at the next opening (docs/model.md); a hand-built one at
    night shows the engine's own guarantee: no handling starts while the office is closed."""
    run = run_cases(
        OFFICE_HOURS,
        Case(time=at("sat", 22), walk_in="village", handling={"village": 1.0}, resolve=RESOLVE),
    )
    row = run.row()
    assert row["closed_day"] == pytest.approx(7 + 9.5 / 24)
    assert row["wait_hours"] == pytest.approx(at("mon", 8.5, week=1) - at("sat", 22))


def test_saturday_night_call_is_dispatched_and_handled_monday_0830():
    run = run_cases(
        scenario(OFFICE_HOURS, arrivals={"dispatch_hours": 2.0}),
        Case(time=at("sat", 22), channel="hotline", handling={"village": 1.0}, resolve=RESOLVE),
    )
    row = run.row()
    assert row["closed_day"] == pytest.approx(7 + 9.5 / 24)
    assert row["wait_hours"] == pytest.approx(at("mon", 8.5, week=1) - at("sun", 0))
    assert (row["doors"], row["trips"]) == (1, 1)


def test_drawn_walk_ins_and_grid_visits_arrive_in_open_hours_calls_at_any_time(busy):
    """docs/model.md: walk-ins and grid visits drawn in closed hours happen at the opening."""
    cases = busy.cases
    in_person = cases["channel"].isin(["walk_in", "grid_visit"])
    sc = load_scenario(BUSY)
    calendar = Calendar(sc.calendar, first_weekday(sc))
    t0 = BUSY["warmup_days"] * 24
    times = cases["arrival_day"] * 24 + t0
    assert all(calendar.is_open(t) for t in times[in_person])
    assert not all(calendar.is_open(t) for t in times[~in_person])


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (at("tue", 16), at("wed", 10.5)),  # 1 h today, 2 h from 08:30 tomorrow
        (at("fri", 16), at("mon", 10.5, week=1)),  # over the weekend
        (at("mon", 11), at("mon", 15.5)),  # over the lunch break
        (at("wed", 12.5), at("wed", 16.5)),  # arrives at lunch: starts at 13:30
    ],
)
def test_three_working_hours_spill_over_closed_time(start, end):
    run = run_cases(
        OFFICE_HOURS,
        Case(time=start, walk_in="village", handling={"village": 3.0}, resolve=RESOLVE),
    )
    assert run.row()["closed_day"] * 24 == pytest.approx(end)


def test_a_queued_case_starts_when_the_staff_member_frees_up_next_morning():
    run = run_cases(
        OFFICE_HOURS,
        Case(time=at("mon", 15), walk_in="village", handling={"village": 3.0}, resolve=RESOLVE),
        Case(time=at("mon", 16), walk_in="village", handling={"village": 1.0}, resolve=RESOLVE),
    )
    assert run.row(0)["closed_day"] * 24 == pytest.approx(at("tue", 9.5))
    assert run.row(1)["closed_day"] * 24 == pytest.approx(at("tue", 10.5))
    assert run.row(1)["wait_hours"] == pytest.approx(at("tue", 9.5) - at("mon", 16))


def test_dispatch_and_transfer_landing_at_night_wait_for_the_opening():
    stage = scenario(OFFICE_HOURS, escalation={"transfer_hours": 24})
    run = run_cases(
        stage,
        Case(
            time=at("thu", 15),
            walk_in="village",
            handling={"village": 2.0, "town": 1.0},
            resolve={"village": FAIL, "town": RESOLVE},
        ),
    )
    # village done Thu 17:00, at the town Fri 17:00 (closing), handled Mon 08:30-09:30
    assert run.row()["closed_day"] * 24 == pytest.approx(at("mon", 9.5, week=1))


OVERLOADED = tiny(
    calendar={"always_open": False},
    horizon_days=28,  # four weeks from a Monday: 20 workdays of 7 open hours
    offices={"grid": {"staff": 2}},
    case_types={
        "dispute": {
            "share": 1.0,
            "severity": {"minor": 1.0},
            "handling_hours": {"grid": {"dist": "fixed", "value": 2.0}},
            "resolve": {"grid": 1.0},
        }
    },
    arrivals={"per_10k_residents_per_year": 365_000, "channels": {"grid_visit": 1.0}, **FLAT},
)  # 100 cases a day at one grid office whose capacity is 2 × 7 / 2 = 7 a workday


@pytest.fixture(scope="module")
def overloaded():
    return simulation.run(OVERLOADED)


def test_overloaded_office_completes_staff_times_open_hours_over_handling(overloaded):
    closed = overloaded.cases["outcome"] == "resolved"
    assert closed.sum() == 2 * 20 * 7 / 2  # 140: both staff busy every open hour, none more
    office = overloaded.offices[overloaded.offices["level"] == "grid"].iloc[0]
    assert office["handled"] == 140
    assert office["utilization"] == pytest.approx(1.0)
    assert overloaded.kpi("utilization_grid") == pytest.approx(1.0)


def test_overloaded_office_closes_cases_only_during_open_hours(overloaded):
    cases = overloaded.cases[overloaded.cases["outcome"] == "resolved"]
    weekday = np.floor(cases["closed_day"]).astype(int) % 7  # day 0 is a Monday
    assert (weekday < 5).all()
    hour = hours_of_day(cases["closed_day"])
    in_morning = (hour > 8.5) & (hour <= 12.0 + 1e-9)
    in_afternoon = (hour > 13.5) & (hour <= 17.0 + 1e-9)
    assert (in_morning | in_afternoon).all()
    # fixed 2 h handlings back to back from Monday 08:30: every closing is an even number of
    # working hours after the first opening, i.e. no handling started while closed
    sc = load_scenario(OVERLOADED)
    calendar = Calendar(sc.calendar, first_weekday(sc))
    worked = np.array([calendar.working_time(d * 24) for d in cases["closed_day"]])
    assert np.allclose(worked / 2, np.round(worked / 2), atol=1e-6)
    assert sorted(np.round(worked).astype(int)) == sorted(list(range(2, 141, 2)) * 2)


# ---------------------------------------------------------------- specialist villages


def _village_only(generalist: bool) -> dict:
    """Walk-ins at one village of 3 staff, two types (0.6 / 0.4), exponential 2 h, ρ = 0.6."""
    handling = {"village": {"dist": "exponential", "mean": 2.0}}
    one_type = {"severity": {"general": 1.0}, "handling_hours": handling, "resolve": {"village": 1}}
    return tiny(
        seed=5,
        horizon_days=1500,
        warmup_days=10,
        replications=3,
        offices={"village": {"staff": 3, "generalist": generalist}},
        case_types={"a": {"share": 0.6, **one_type}, "b": {"share": 0.4, **one_type}},
        arrivals={
            "per_10k_residents_per_year": 0.9 * 24 * 365 * 10,  # 1000 residents: 0.9 an hour
            "channels": {"walk_in": 1.0},
            "walk_in_level": {"village": 1.0},
            **FLAT,
        },
    )


def test_specialist_villages_wait_as_separate_queues_and_longer_than_generalists():
    """Generalists: one M/M/3. Specialists (rule of docs/model.md): type a (share 0.6) gets 2
    staff, type b 1: an M/M/2 with λ 0.54 and an M/M/1 with λ 0.36 (ρ 0.72)."""
    lam, mu = 0.9, 0.5
    general = simulation.run(_village_only(True)).kpi("wait_hours_village")
    special = simulation.run(_village_only(False)).kpi("wait_hours_village")
    expected_general = mmc_wait(lam, mu, 3)  # ≈ 0.53 h
    expected_special = 0.6 * mmc_wait(0.6 * lam, mu, 2) + 0.4 * mmc_wait(0.4 * lam, mu, 1)
    # 3 × 1500 days: across seeds both means stay within ±6% of theory; 15% is robust, and
    # specialists counted as one M/M/3 (or as three M/M/1 by share) would miss by far more
    assert general == pytest.approx(expected_general, rel=0.15)
    assert special == pytest.approx(expected_special, rel=0.15)  # ≈ 2.6 h
    assert special > 3 * general


# ---------------------------------------------------------------- arrivals: surges, profiles


def _surge_scenario(with_surge: bool) -> dict:
    stage = tiny(
        horizon_days=40,
        replications=3,
        city=generated(counties=2, towns=2, villages=2, grids=2, population=80_000),
        offices={lv: {"staff": 5} for lv in LEVELS},
        case_types={
            "plain": {"share": 1.0},
            "labour": {"share": 0.0},
        },
        arrivals={"per_10k_residents_per_year": 500},
    )
    if with_surge:
        stage["arrivals"]["surges"] = [
            {"name": "closure", "where": "county-2", "type": "labour", "start_day": 10,
             "days": 14, "per_day": 40},
        ]  # fmt: skip
    return stage


def test_surge_adds_per_day_times_days_cases_of_its_type_in_its_county():
    base = simulation.run(_surge_scenario(False)).cases
    surged = simulation.run(_surge_scenario(True)).cases
    labour = surged[surged["type"] == "labour"]
    assert (base["type"] == "labour").sum() == 0
    assert (labour["county"] == "county-2").all()
    assert labour["arrival_day"].between(10, 24, inclusive="left").all()
    expected = 3 * 40 * 14  # 1680 over three replications, Poisson: sd 41
    assert abs(len(labour) - expected) < 4 * math.sqrt(expected)
    # the surge comes from its own stream: the baseline citizens are the same ones
    keep = ["replication", "arrival_day", "grid", "severity", "channel"]
    plain = surged[surged["type"] == "plain"][keep].reset_index(drop=True)
    pd.testing.assert_frame_equal(plain, base[keep].reset_index(drop=True))


def _profile_counts(weekly: list[float], monthly: list[float]) -> pd.DataFrame:
    stage = tiny(
        horizon_days=364,
        start_date="2021-01-04",
        offices={"grid": {"staff": 20}},
        case_types={
            "dispute": {
                "share": 1.0,
                "severity": {"minor": 1.0},
                "handling_hours": {"grid": {"dist": "fixed", "value": 0.01}},
                "resolve": {"grid": 1.0},
            }
        },
        arrivals={
            "per_10k_residents_per_year": 365_000,  # 100 a day on average at 1000 residents
            "channels": {"grid_visit": 1.0},
            "weekly": weekly,
            "monthly": monthly,
        },
    )
    cases = simulation.run(stage).cases
    day = np.floor(cases["arrival_day"]).astype(int)
    dates = pd.Timestamp(MONDAY) + pd.to_timedelta(day, unit="D")
    return pd.DataFrame({"weekday": day % 7, "month": dates.dt.month})


def test_weekly_profile_scales_weekday_counts_and_keeps_the_annual_rate():
    counts = _profile_counts([2, 1, 1, 1, 1, 1, 1], [1] * 12)
    per_weekday = counts["weekday"].value_counts().sort_index()
    assert len(counts) == pytest.approx(100 * 364, rel=0.02)  # profiles are relative
    others = per_weekday.drop(0).mean()
    assert per_weekday[0] / others == pytest.approx(2.0, rel=0.06)  # sd of the ratio ≈ 1.3%
    assert (per_weekday.drop(0) / others).between(0.94, 1.06).all()


def test_monthly_profile_scales_month_counts():
    counts = _profile_counts([1] * 7, [3] + [1] * 11)
    dates = pd.date_range(MONDAY, periods=364, freq="D")  # 2021-01-04 .. 2022-01-02
    days_in_month = pd.Series(dates.month).value_counts()
    per_day = counts.groupby("month").size() / days_in_month
    assert per_day[1] / per_day.drop(1).mean() == pytest.approx(3.0, rel=0.06)
    assert per_day[1] == pytest.approx(100 * 3 / (14 / 12), rel=0.06)  # relative to the mean


# ---------------------------------------------------------------- drain and warm-up


def test_drain_closes_every_counted_case(busy, busy_drained):
    cases = busy_drained.cases
    assert (busy.cases["outcome"] == "open").any()  # without drain some stay open
    assert not (cases["outcome"] == "open").any()
    assert busy_drained.kpi("open_rate") == 0
    assert cases["closed_day"].notna().all()
    assert (cases["closed_day"] > BUSY["horizon_days"]).any()  # it ran past the horizon
    assert (cases["arrival_day"] < BUSY["horizon_days"]).all()  # but arrivals stopped there
    # the same citizens as without drain (same seed, replication 0)
    first = busy.cases[busy.cases["replication"] == 0]
    assert list(cases["case_id"]) == list(first["case_id"])


def test_warmup_cases_are_simulated_but_not_counted(busy):
    days = busy.cases["arrival_day"]
    assert (days >= 0).all() and (days < BUSY["horizon_days"]).all()


def test_a_warmup_case_holds_staff_but_is_not_reported():
    stage = tiny(warmup_days=1, horizon_days=3)
    run = run_cases(
        stage,
        Case(time=1.0, walk_in="village", handling={"village": 30.0}, resolve=RESOLVE),
        Case(time=25.0, walk_in="village", handling={"village": 2.0}, resolve=RESOLVE),
    )
    assert list(run.cases["case_id"]) == [1]
    row = run.row(1)
    assert row["arrival_day"] == pytest.approx(1 / 24)
    assert row["wait_hours"] == pytest.approx(31.0 - 25.0)  # behind the warm-up case
    village = run.offices[run.offices["level"] == "village"].iloc[0]
    assert village["arrivals"] == 1 and village["handled"] == 1


# ---------------------------------------------------------------- daily series


def test_daily_has_a_row_per_day_and_level_for_warmup_and_horizon(busy):
    daily = busy.daily
    days = BUSY["warmup_days"] + BUSY["horizon_days"]
    assert (daily.groupby("replication").size() == days * len(LEVELS)).all()
    first = daily[daily["replication"] == 0]
    assert first["day"].min() == -BUSY["warmup_days"]
    assert first["day"].max() == BUSY["horizon_days"] - 1
    assert set(first.groupby("day")["level"].apply(frozenset)) == {frozenset(LEVELS)}


def test_daily_counts_open_cases_backlog_queue_and_busy_staff():
    """A blocker holds the village's one staff member for 1000 h; a second case queues behind
    it; a third is in a 100 h transfer to the village. Backlog after 2 days."""
    stage = tiny(
        horizon_days=6, backlog_days=2, escalation={"transfer_hours": 100.0}
    )  # fmt: skip
    run = run_cases(
        stage,
        Case(time=0.0, walk_in="village", handling={"village": 1000.0}, resolve=RESOLVE),
        Case(time=1.0, walk_in="village", resolve=RESOLVE),
        Case(time=2.0, channel="grid_visit", severity="general", resolve=RESOLVE),
    )
    daily = run.daily[run.daily["level"] == "village"].set_index("day")
    assert list(daily.index) == list(range(6))
    assert (daily["open_cases"] == 3).all()
    assert (daily["busy_staff"] == 1).all()
    # the grid visit joins the village queue at hour 102, during day 4
    assert list(daily["queue"]) == [1, 1, 1, 1, 2, 2]
    # open longer than 2 days at a day's end (24 (d + 1) h): arrivals at 0, 1, 2 h from day 2
    assert list(daily["backlog"]) == [0, 0, 3, 3, 3, 3]
    others = run.daily[run.daily["level"] != "village"]
    assert (others[["open_cases", "backlog", "queue", "busy_staff"]] == 0).all().all()
    assert (run.cases["outcome"] == "open").all()
    assert run.cases["on_time"].isna().all()  # open, still within the 30-day limit
