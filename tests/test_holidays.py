"""Statutory holidays: dated closed days and make-up working days on top of the week."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from simulation.contract import WEEKDAYS
from simulation.engine.calendar import Calendar, HolidayCalendar, scenario_calendar
from simulation.errors import ScenarioError
from simulation.scenario.holidays import dated_days
from simulation.scenario.loader import load_scenario
from simulation.scenario.schema import CalendarSpec

DAY = 24.0
TOL = 1e-9
CN = CalendarSpec(holidays="cn")


def cn_scenario(**changes) -> dict:
    base = {
        "name": "holidays",
        "start_date": "2021-01-01",
        "warmup_days": 28,
        "horizon_days": 365,
        "calendar": {"holidays": "cn"},
    }
    return {**base, **changes}


def clock(first: dt.date, date: dt.date, hour: float) -> float:
    return (date - first).days * DAY + hour


def when(first: dt.date, t: float) -> dt.datetime:
    return dt.datetime.combine(first, dt.time()) + dt.timedelta(hours=t)


# ---------------------------------------------------------------- the example


@pytest.fixture(scope="module")
def jiaxing_2021():
    scenario = load_scenario(cn_scenario())
    first = scenario.start_date - dt.timedelta(days=scenario.warmup_days)
    return scenario_calendar(scenario), first


@pytest.mark.parametrize("day", range(11, 18))
def test_spring_festival_2021_is_closed(jiaxing_2021, day):
    cal, first = jiaxing_2021
    date = dt.date(2021, 2, day)
    assert not any(cal.is_open(clock(first, date, h)) for h in np.arange(0, 24, 0.25))


@pytest.mark.parametrize("date", [dt.date(2021, 2, 7), dt.date(2021, 2, 20)])
def test_make_up_weekend_days_are_working_days(jiaxing_2021, date):
    cal, first = jiaxing_2021
    assert date.weekday() >= 5
    assert cal.is_open(clock(first, date, 9.0))
    assert cal.open_hours_between(clock(first, date, 0), clock(first, date, 24)) == 7.0


def test_three_hours_started_2021_02_10_at_16_finish_2021_02_18(jiaxing_2021):
    cal, first = jiaxing_2021
    end = cal.add_working_hours(clock(first, dt.date(2021, 2, 10), 16.0), 3.0)
    assert when(first, end) == dt.datetime(2021, 2, 18, 10, 30)


def test_without_holidays_the_same_work_finishes_the_next_morning():
    scenario = load_scenario(cn_scenario(calendar={"holidays": "none"}))
    first = scenario.start_date - dt.timedelta(days=scenario.warmup_days)
    cal = scenario_calendar(scenario)
    assert type(cal) is Calendar  # the weekly fast path stays for scenarios without holidays
    end = cal.add_working_hours(clock(first, dt.date(2021, 2, 10), 16.0), 3.0)
    assert when(first, end) == dt.datetime(2021, 2, 11, 10, 30)


def test_always_open_ignores_holidays():
    scenario = load_scenario(cn_scenario(calendar={"holidays": "cn", "always_open": True}))
    cal = scenario_calendar(scenario)
    assert cal.always_open
    assert cal.add_working_hours(1000.0, 3.0) == 1003.0


def test_a_year_of_2021_has_the_statutory_number_of_working_days(jiaxing_2021):
    cal, first = jiaxing_2021
    hours = cal.open_hours_between(
        clock(first, dt.date(2021, 1, 1), 0), clock(first, dt.date(2022, 1, 1), 0)
    )
    assert hours == 7.0 * 250  # 2021: 261 weekdays - 18 holiday weekdays + 7 make-up days


# ---------------------------------------------------------------- errors


def test_an_unsupported_year_is_a_clear_scenario_error():
    with pytest.raises(ScenarioError) as info:
        load_scenario(cn_scenario(start_date="2026-06-01", horizon_days=400))
    error = info.value
    assert error.key == "horizon_days"  # the horizon runs into 2027
    assert "2004-2026" in error.expected and "holidays: cn" in error.expected
    assert "2027" in error.found


def test_a_start_date_outside_the_known_years_names_start_date():
    with pytest.raises(ScenarioError) as info:
        load_scenario(cn_scenario(start_date="1999-03-01"))
    assert info.value.key == "start_date"
    assert "1999" in info.value.found


def test_a_warm_up_reaching_before_the_known_years_names_warmup_days():
    with pytest.raises(ScenarioError) as info:
        load_scenario(cn_scenario(start_date="2004-01-10", warmup_days=28))
    assert info.value.key == "warmup_days"


def test_unknown_holiday_set_names_the_known_ones():
    with pytest.raises(ScenarioError) as info:
        load_scenario(cn_scenario(calendar={"holidays": "us"}))
    assert info.value.key == "calendar.holidays"
    assert "'cn'" in info.value.expected


def test_old_scenarios_keep_their_meaning():
    assert CalendarSpec().holidays == "none"


# ---------------------------------------------------------------- surges by date


def surge(**start) -> dict:
    return {"name": "s", "where": "county-1", "type": "dispute", "days": 3, "per_day": 2, **start}


def test_a_surge_may_start_on_a_date():
    by_date = load_scenario(cn_scenario(arrivals={"surges": [surge(start="2021-02-01")]}))
    assert by_date.arrivals.surges[0].first_day(by_date.start_date) == 31
    by_day = load_scenario(cn_scenario(arrivals={"surges": [surge(start_day=31)]}))
    assert by_day.arrivals.surges[0].first_day(by_day.start_date) == 31


def test_a_surge_date_before_start_date_is_refused():
    with pytest.raises(ScenarioError) as info:
        load_scenario(cn_scenario(arrivals={"surges": [surge(start="2020-12-01")]}))
    assert info.value.key == "arrivals.surges.0.start"


def test_a_surge_without_a_start_is_refused():
    with pytest.raises(ScenarioError) as info:
        load_scenario(cn_scenario(arrivals={"surges": [surge()]}))
    assert info.value.key == "arrivals.surges.0.start_day"


def test_a_surge_with_disagreeing_start_and_start_day_is_refused():
    with pytest.raises(ScenarioError) as info:
        load_scenario(cn_scenario(arrivals={"surges": [surge(start="2021-02-01", start_day=3)]}))
    assert "31" in info.value.expected


def test_a_resolved_scenario_with_a_dated_surge_loads_again():
    scenario = load_scenario(cn_scenario(arrivals={"surges": [surge(start="2021-02-01")]}))
    assert load_scenario(scenario.to_dict()) == scenario


# ---------------------------------------------------------------- properties against an oracle


@st.composite
def holiday_calendars(draw):
    """A random week (1-3 spans on a quarter-hour grid) over a random stretch of 2020-2025."""
    days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True))
    n = draw(st.integers(min_value=1, max_value=3))
    points = sorted(draw(st.lists(st.integers(0, 96), min_size=2 * n, max_size=2 * n)))
    spans = list(zip(points[::2], points[1::2], strict=True))
    assume(all(a < b for a, b in spans))

    def hhmm(q: int) -> str:
        return f"{q // 4:02d}:{q % 4 * 15:02d}"

    spec = draw(
        st.sampled_from(
            [CN, CalendarSpec(workdays=days, hours=[f"{hhmm(a)}-{hhmm(b)}" for a, b in spans])]
        )
    )
    first = dt.date(2020, 1, 1) + dt.timedelta(days=draw(st.integers(0, 5 * 365)))
    last = first + dt.timedelta(days=draw(st.integers(0, 200)))
    last = min(last, dt.date(2026, 12, 31))
    dated = dated_days("cn", first, last)
    return spec, first, dated, HolidayCalendar(spec, first, dated)


def works_on(spec: CalendarSpec, dated, date: dt.date) -> bool:
    weekly = WEEKDAYS[date.weekday()] in spec.workdays
    if not dated.first <= date <= dated.last:
        return weekly
    return date in dated.opened or (weekly and date not in dated.closed)


def inside_closed_period(spec, first, dated, x: float) -> bool:
    """Independent oracle: ``x`` is strictly inside a closed period (a closing instant is not)."""
    day = math.floor(x / DAY)
    for d in (day - 1, day, day + 1):
        if not works_on(spec, dated, first + dt.timedelta(days=d)):
            continue
        tod = x - d * DAY
        if any(a - TOL <= tod <= b + TOL for a, b in spec.spans):
            return False
    return True


times = st.floats(min_value=0.0, max_value=1.5 * 366 * DAY, allow_nan=False)
hours = st.floats(min_value=0.0, max_value=500.0, allow_nan=False)


@settings(max_examples=300)
@given(holiday_calendars(), times)
def test_is_open_agrees_with_the_oracle(calendar, t):
    spec, first, dated, cal = calendar
    day = math.floor(t / DAY)
    tod = t - day * DAY
    expected = works_on(spec, dated, first + dt.timedelta(days=day)) and any(
        a <= tod < b for a, b in spec.spans
    )
    assume(all(abs(tod - a) > 1e-6 and abs(tod - b) > 1e-6 for a, b in spec.spans))
    assert cal.is_open(t) == expected


@settings(max_examples=300)
@given(holiday_calendars(), times, hours)
def test_added_hours_add_working_time_and_never_end_when_closed(calendar, t, h):
    spec, first, dated, cal = calendar
    end = cal.add_working_hours(t, h)
    assert end >= t
    assert cal.working_time(end) == pytest.approx(cal.working_time(t) + h, abs=1e-6)
    if h > 0:
        assert not inside_closed_period(spec, first, dated, end)
        assert end >= cal.next_open(t)


@settings(max_examples=300)
@given(holiday_calendars(), st.floats(min_value=0.0, max_value=5e3, allow_nan=False))
def test_clock_time_inverts_working_time(calendar, w):
    spec, first, dated, cal = calendar
    t = cal.clock_time(w)
    assert cal.working_time(t) == pytest.approx(w, abs=1e-6)


@settings(max_examples=300)
@given(holiday_calendars(), times, times)
def test_working_time_is_monotone(calendar, t1, t2):
    *_, cal = calendar
    lo, hi = sorted((t1, t2))
    assert cal.working_time(lo) <= cal.working_time(hi) + TOL


@settings(max_examples=200)
@given(holiday_calendars(), st.lists(times, max_size=40))
def test_next_open_many_agrees_with_next_open(calendar, ts):
    spec, first, dated, cal = calendar
    many = cal.next_open_many(np.asarray(ts, dtype=float))
    singles = [cal.next_open(t) for t in ts]
    assert many.tolist() == pytest.approx(singles, abs=TOL)
    for t, nxt in zip(ts, singles, strict=True):
        assert nxt >= t and cal.is_open(nxt)
        assert cal.working_time(nxt) == pytest.approx(cal.working_time(t), abs=1e-6)


@settings(max_examples=100)
@given(holiday_calendars(), st.lists(st.tuples(times, hours), min_size=1, max_size=15))
def test_remembered_open_period_gives_the_same_answers(calendar, steps):
    spec, first, dated, used = calendar
    for t, h in steps:
        fresh = HolidayCalendar(spec, first, dated)
        assert used.is_open(t) == fresh.is_open(t)
        assert used.add_working_hours(t, h) == pytest.approx(fresh.add_working_hours(t, h))
