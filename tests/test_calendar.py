"""Working calendars by arithmetic: opening hours, spill-over, inverse maps."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from simulation.contract import WEEKDAYS
from simulation.engine.calendar import HOURS_PER_WEEK, Calendar
from simulation.scenario.schema import CalendarSpec, parse_hours

DAY = 24.0
WEEK = HOURS_PER_WEEK
TOL = 1e-9
DEFAULT = CalendarSpec()


def at(weekday: str, hour: float, first_weekday: int = 0, week: int = 0) -> float:
    """Simulation time of ``hour`` o'clock on ``weekday`` of the ``week``-th Monday-to-Sunday
    week that starts on or after day 0 (so ``at("fri", ...) < at("sat", ...)`` always)."""
    first_monday = -first_weekday % 7
    return (first_monday + WEEKDAYS.index(weekday) + 7 * week) * DAY + hour


def ends_inside_closed_period(spec: CalendarSpec, first_weekday: int, x: float) -> bool:
    """Independent oracle: ``x`` lies strictly inside a closed period (a closing instant,
    the end of an open span, does not count)."""
    if spec.always_open:
        return False
    spans = spec.spans
    day = math.floor(x / DAY)
    for d in (day - 1, day, day + 1):  # a span ending at 24:00 closes at the next day's 0
        if WEEKDAYS[(first_weekday + d) % 7] not in spec.workdays:
            continue
        tod = x - d * DAY
        if any(start - TOL <= tod <= end + TOL for start, end in spans):
            return False
    return True


ALL_WEEKDAYS = pytest.mark.parametrize("first_weekday", range(7))


# ---------------------------------------------------------------- default calendar


def test_default_calendar_is_open_35_hours_a_week():
    assert Calendar(DEFAULT).open_hours_per_week == 35.0


@ALL_WEEKDAYS
@pytest.mark.parametrize("weekday", ["mon", "tue", "wed", "thu"])
def test_three_hour_mediation_started_at_16_ends_10_30_next_workday(first_weekday, weekday):
    cal = Calendar(DEFAULT, first_weekday)
    start = at(weekday, 16.0, first_weekday)
    assert cal.add_working_hours(start, 3.0) == start + DAY - 16.0 + 10.5


@ALL_WEEKDAYS
@pytest.mark.parametrize("hour", [12.0, 12.5, 13.0, 13.49])
def test_work_started_in_lunch_break_waits_for_13_30(first_weekday, hour):
    cal = Calendar(DEFAULT, first_weekday)
    assert cal.add_working_hours(at("wed", hour, first_weekday), 1.0) == at(
        "wed", 14.5, first_weekday
    )


@ALL_WEEKDAYS
def test_friday_16_plus_3h_ends_monday_10_30(first_weekday):
    cal = Calendar(DEFAULT, first_weekday)
    friday = at("fri", 16.0, first_weekday)
    monday = friday - 16.0 + 3 * DAY + 10.5
    assert cal.add_working_hours(friday, 3.0) == monday


@ALL_WEEKDAYS
@pytest.mark.parametrize(
    ("weekday", "hour"), [("fri", 17.0), ("fri", 23.0), ("sat", 0.0), ("sat", 10.0), ("sun", 23.99)]
)
def test_work_started_on_weekend_begins_monday_08_30(first_weekday, weekday, hour):
    cal = Calendar(DEFAULT, first_weekday)
    start = at(weekday, hour, first_weekday)
    monday = start - hour + {"fri": 3, "sat": 2, "sun": 1}[weekday] * DAY
    assert cal.next_open(start) == monday + 8.5
    assert cal.add_working_hours(start, 1.0) == monday + 9.5


@ALL_WEEKDAYS
def test_twenty_hours_spill_over_two_days_and_six_hours(first_weekday):
    cal = Calendar(DEFAULT, first_weekday)
    # Mon 08:30 + 20 h = two full days (14 h) + 6 h: Wed 08:30-12:00 and 13:30-16:00.
    start = at("mon", 8.5, first_weekday)
    assert cal.add_working_hours(start, 20.0) == at("wed", 16.0, first_weekday)


@ALL_WEEKDAYS
def test_forty_hours_spill_over_the_weekend(first_weekday):
    cal = Calendar(DEFAULT, first_weekday)
    # Wed 08:30 + 40 h = Wed..Fri (21 h) + Mon, Tue (14 h) + 5 h: Wed next week 15:00.
    start = at("wed", 8.5, first_weekday)
    assert cal.add_working_hours(start, 40.0) == start + 7 * DAY - 8.5 + 15.0


@ALL_WEEKDAYS
def test_work_ending_exactly_at_17_ends_at_17_not_next_morning(first_weekday):
    cal = Calendar(DEFAULT, first_weekday)
    assert cal.add_working_hours(at("tue", 14.0, first_weekday), 3.0) == at(
        "tue", 17.0, first_weekday
    )


@ALL_WEEKDAYS
def test_work_ending_exactly_at_noon_ends_at_noon_not_13_30(first_weekday):
    cal = Calendar(DEFAULT, first_weekday)
    assert cal.add_working_hours(at("tue", 9.0, first_weekday), 3.0) == at(
        "tue", 12.0, first_weekday
    )


@ALL_WEEKDAYS
def test_work_ending_exactly_at_friday_17_ends_friday_not_monday(first_weekday):
    cal = Calendar(DEFAULT, first_weekday)
    assert cal.add_working_hours(at("fri", 14.0, first_weekday), 3.0) == at(
        "fri", 17.0, first_weekday
    )
    assert cal.add_working_hours(at("mon", 8.5, first_weekday), 35.0) == at(
        "fri", 17.0, first_weekday
    )


@ALL_WEEKDAYS
def test_zero_hours_of_work_ends_where_it_starts_even_when_closed(first_weekday):
    cal = Calendar(DEFAULT, first_weekday)
    for t in (at("sat", 10.0, first_weekday), at("wed", 12.5, first_weekday), 3.0):
        assert cal.add_working_hours(t, 0.0) == t


@ALL_WEEKDAYS
@pytest.mark.parametrize("t", [0.0, 12.5, 60.0, 1e5 + 0.5])
def test_hours_lost_to_rounding_never_end_before_the_start(first_weekday, t):
    # 1e-300 vanishes in W(t) + h; clock_time then gives the previous closing, before t.
    cal = Calendar(DEFAULT, first_weekday)
    assert cal.add_working_hours(t, 1e-300) == cal.next_open(t)


@ALL_WEEKDAYS
@pytest.mark.parametrize("hour", [8.5, 10.0, 11.99, 13.5, 16.99])
def test_next_open_at_an_open_instant_returns_it(first_weekday, hour):
    cal = Calendar(DEFAULT, first_weekday)
    t = at("thu", hour, first_weekday)
    assert cal.is_open(t)
    assert cal.next_open(t) == t


@ALL_WEEKDAYS
def test_next_open_at_noon_returns_13_30(first_weekday):
    cal = Calendar(DEFAULT, first_weekday)
    assert not cal.is_open(at("tue", 12.0, first_weekday))
    assert cal.next_open(at("tue", 12.0, first_weekday)) == at("tue", 13.5, first_weekday)


@ALL_WEEKDAYS
@pytest.mark.parametrize("weekday", ["mon", "tue", "wed", "thu"])
def test_next_open_at_17_returns_next_day_08_30(first_weekday, weekday):
    cal = Calendar(DEFAULT, first_weekday)
    t = at(weekday, 17.0, first_weekday)
    assert not cal.is_open(t)
    assert cal.next_open(t) == t - 17.0 + DAY + 8.5


@ALL_WEEKDAYS
def test_next_open_on_friday_evening_returns_monday(first_weekday):
    cal = Calendar(DEFAULT, first_weekday)
    friday = at("fri", 19.0, first_weekday)
    assert cal.next_open(friday) == friday - 19.0 + 3 * DAY + 8.5


@ALL_WEEKDAYS
@pytest.mark.parametrize("start", [0.0, 8.5, 12.25, 50.0, 113.0, 140.0, 1234.5])
def test_open_hours_between_over_one_week_is_35(first_weekday, start):
    cal = Calendar(DEFAULT, first_weekday)
    assert cal.open_hours_between(start, start + WEEK) == pytest.approx(35.0, abs=TOL)


@ALL_WEEKDAYS
def test_open_hours_between_counts_only_open_hours(first_weekday):
    cal = Calendar(DEFAULT, first_weekday)
    # Mon 10:00 to Tue 14:00: 2 + 3.5 (Mon) + 3.5 + 0.5 (Tue).
    assert (
        cal.open_hours_between(at("mon", 10.0, first_weekday), at("tue", 14.0, first_weekday))
        == 9.5
    )


# ---------------------------------------------------------------- other calendars


def test_always_open_adds_plain_hours():
    cal = Calendar(CalendarSpec(always_open=True), first_weekday=3)
    assert cal.open_hours_per_week == WEEK
    for t in (0.0, 12.5, 130.0, 1e5 + 0.25):
        assert cal.is_open(t)
        assert cal.next_open(t) == t
        assert cal.add_working_hours(t, 3.0) == t + 3.0
        assert cal.working_time(t) == t
        assert cal.clock_time(t) == t
    assert cal.open_hours_between(10.0, 50.0) == 40.0


ROUND_THE_CLOCK = [
    CalendarSpec(workdays=list(WEEKDAYS), hours=["00:00-24:00"]),
    CalendarSpec(workdays=list(reversed(WEEKDAYS)), hours=["00:00-12:00", "12:00-24:00"]),
]


@pytest.mark.parametrize("spec", ROUND_THE_CLOCK)
@ALL_WEEKDAYS
def test_round_the_clock_workweek_behaves_as_always_open(spec, first_weekday):
    cal = Calendar(spec, first_weekday)
    assert cal.always_open
    assert cal.open_hours_per_week == WEEK
    for t in (0.0, 23.99, 24.0, 130.0, 167.5, 168.0, 1e5 + 0.25):
        assert cal.is_open(t)
        assert cal.next_open(t) == t
        assert cal.add_working_hours(t, 50.0) == t + 50.0
        assert cal.working_time(t) == t


WEEKEND = CalendarSpec(workdays=["sat", "sun"], hours=["10:00-16:00"])


@ALL_WEEKDAYS
def test_weekend_single_span_calendar_is_open_12_hours_a_week(first_weekday):
    cal = Calendar(WEEKEND, first_weekday)
    assert cal.open_hours_per_week == 12.0
    assert cal.open_hours_between(5.0, 5.0 + WEEK) == pytest.approx(12.0, abs=TOL)


@ALL_WEEKDAYS
def test_weekend_single_span_calendar_is_closed_on_weekdays(first_weekday):
    cal = Calendar(WEEKEND, first_weekday)
    assert not cal.is_open(at("wed", 12.0, first_weekday))
    assert cal.is_open(at("sat", 12.0, first_weekday))
    assert cal.is_open(at("sun", 10.0, first_weekday))
    assert not cal.is_open(at("sun", 16.0, first_weekday))
    assert cal.next_open(at("wed", 12.0, first_weekday)) == at("sat", 10.0, first_weekday)
    assert cal.next_open(at("sat", 16.0, first_weekday)) == at("sun", 10.0, first_weekday)


@ALL_WEEKDAYS
def test_weekend_single_span_calendar_spills_over_to_next_weekend(first_weekday):
    cal = Calendar(WEEKEND, first_weekday)
    # Sat 14:00 + 10 h: Sat 2 h, Sun 6 h, next Sat 2 h → next Sat 12:00.
    start = at("sat", 14.0, first_weekday)
    assert cal.add_working_hours(start, 10.0) == start + WEEK - 2.0


@ALL_WEEKDAYS
def test_calendar_open_across_the_week_boundary(first_weekday):
    spec = CalendarSpec(workdays=["sun", "mon"], hours=["00:00-24:00"])
    cal = Calendar(spec, first_weekday)
    assert cal.open_hours_per_week == 48.0
    start = at("sun", 20.0, first_weekday)
    assert cal.add_working_hours(start, 10.0) == start + 10.0
    tuesday = at("tue", 0.0, first_weekday)
    assert not cal.is_open(tuesday)
    assert cal.next_open(tuesday) == tuesday + 5 * DAY


# ---------------------------------------------------------------- first weekday


def test_day_zero_a_friday_next_open_at_0_is_08_30():
    assert Calendar(DEFAULT, first_weekday=4).next_open(0.0) == 8.5


def test_day_zero_a_friday_two_hours_at_friday_16_land_monday_09_30():
    cal = Calendar(DEFAULT, first_weekday=4)
    assert cal.add_working_hours(16.0, 2.0) == 3 * DAY + 9.5


def test_day_zero_a_saturday_starts_with_no_work_until_monday():
    cal = Calendar(DEFAULT, first_weekday=5)
    assert cal.working_time(47.0) == 0.0
    assert cal.next_open(0.0) == 2 * DAY + 8.5
    assert cal.add_working_hours(0.0, 1.0) == 2 * DAY + 9.5


@ALL_WEEKDAYS
def test_working_time_is_zero_at_time_zero(first_weekday):
    assert Calendar(DEFAULT, first_weekday).working_time(0.0) == 0.0


# ---------------------------------------------------------------- far future


@ALL_WEEKDAYS
def test_many_weeks_ahead_is_still_exact(first_weekday):
    cal = Calendar(DEFAULT, first_weekday)
    weeks = 595  # ~1e5 h
    start = at("thu", 16.0, first_weekday, week=weeks)
    assert start > 1e5
    assert cal.add_working_hours(start, 3.0) == at("fri", 10.5, first_weekday, week=weeks)
    friday = at("fri", 16.0, first_weekday, week=weeks)
    assert cal.add_working_hours(friday, 3.0) == friday - 16.0 + 3 * DAY + 10.5
    assert cal.next_open(at("sat", 3.0, first_weekday, week=weeks)) == at(
        "mon", 8.5, first_weekday, week=weeks + 1
    )
    assert cal.working_time(start + WEEK) - cal.working_time(start) == 35.0


# ---------------------------------------------------------------- properties

_QUARTERS = st.integers(min_value=0, max_value=96)


@st.composite
def calendar_specs(draw) -> CalendarSpec:
    """Any valid calendar: some workdays, 1-3 ordered spans on a quarter-hour grid (touching
    spans allowed), sometimes the default or round-the-clock."""
    kind = draw(st.sampled_from(["default", "random", "random", "random", "24/7"]))
    if kind == "default":
        return DEFAULT
    if kind == "24/7":
        return ROUND_THE_CLOCK[0]
    days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True))
    n = draw(st.integers(min_value=1, max_value=3))
    points = sorted(draw(st.lists(_QUARTERS, min_size=2 * n, max_size=2 * n)))
    spans = list(zip(points[::2], points[1::2], strict=True))
    assume(all(a < b for a, b in spans))

    def hhmm(q: int) -> str:
        return f"{q // 4:02d}:{q % 4 * 15:02d}"

    return CalendarSpec(workdays=days, hours=[f"{hhmm(a)}-{hhmm(b)}" for a, b in spans])


calendars = st.tuples(calendar_specs(), st.integers(min_value=0, max_value=6))
times = st.floats(min_value=0.0, max_value=1e5, allow_nan=False, allow_infinity=False)
hours = st.floats(min_value=0.0, max_value=500.0, allow_nan=False, allow_infinity=False)


@settings(max_examples=400)
@given(calendars, times, hours)
def test_working_time_of_added_hours_grows_by_those_hours(calendar, t, h):
    spec, first_weekday = calendar
    cal = Calendar(spec, first_weekday)
    end = cal.add_working_hours(t, h)
    assert cal.working_time(end) == pytest.approx(cal.working_time(t) + h, abs=TOL)


@settings(max_examples=400)
@given(calendars, times, hours)
def test_added_hours_never_end_inside_a_closed_period(calendar, t, h):
    assume(h > 0)
    spec, first_weekday = calendar
    end = Calendar(spec, first_weekday).add_working_hours(t, h)
    assert not ends_inside_closed_period(spec, first_weekday, end)


@settings(max_examples=400)
@given(calendars, times, hours)
def test_added_hours_never_end_before_the_start_or_the_next_opening(calendar, t, h):
    spec, first_weekday = calendar
    cal = Calendar(spec, first_weekday)
    end = cal.add_working_hours(t, h)
    assert end >= t
    if h > 0:
        assert end >= cal.next_open(t)


@settings(max_examples=400)
@given(calendars, times, hours, hours)
def test_add_working_hours_is_monotone_in_hours(calendar, t, h1, h2):
    spec, first_weekday = calendar
    cal = Calendar(spec, first_weekday)
    lo, hi = sorted((h1, h2))
    assert cal.add_working_hours(t, lo) <= cal.add_working_hours(t, hi)


@settings(max_examples=400)
@given(calendars, times, times, hours)
def test_add_working_hours_is_monotone_in_start(calendar, t1, t2, h):
    spec, first_weekday = calendar
    cal = Calendar(spec, first_weekday)
    lo, hi = sorted((t1, t2))
    assert cal.working_time(lo) <= cal.working_time(hi)
    assert cal.add_working_hours(lo, h) <= cal.add_working_hours(hi, h) + TOL


@settings(max_examples=400)
@given(calendars, st.floats(min_value=0.0, max_value=2e4, allow_nan=False))
def test_clock_time_inverts_working_time(calendar, w):
    spec, first_weekday = calendar
    cal = Calendar(spec, first_weekday)
    t = cal.clock_time(w)
    assert cal.working_time(t) == pytest.approx(w, abs=TOL)
    assert not ends_inside_closed_period(spec, first_weekday, t) or w == 0


@settings(max_examples=400)
@given(calendars, times)
def test_next_open_is_open_and_keeps_working_time(calendar, t):
    spec, first_weekday = calendar
    cal = Calendar(spec, first_weekday)
    nxt = cal.next_open(t)
    assert nxt >= t
    assert cal.is_open(nxt)
    assert cal.working_time(nxt) == pytest.approx(cal.working_time(t), abs=TOL)
    if cal.is_open(t):
        assert nxt == t
        assert not ends_inside_closed_period(spec, first_weekday, t)


@settings(max_examples=200)
@given(calendars, times)
def test_open_hours_between_over_any_week_is_the_weekly_total(calendar, t):
    spec, first_weekday = calendar
    cal = Calendar(spec, first_weekday)
    expected = (
        WEEK
        if spec.always_open
        else len(spec.workdays) * sum(b - a for a, b in (parse_hours(h) for h in spec.hours))
    )
    assert cal.open_hours_between(t, t + WEEK) == pytest.approx(expected, abs=TOL)


@given(calendars, st.lists(st.tuples(times, hours), min_size=1, max_size=20))
def test_remembered_open_period_gives_the_same_answers(calendar, steps):
    """``is_open`` remembers the last open period to answer later calls by two comparisons;
    a calendar that has answered other questions first must agree with a fresh one."""
    spec, first_weekday = calendar
    used = Calendar(spec, first_weekday)
    for t, h in steps:
        fresh = Calendar(spec, first_weekday)
        assert used.is_open(t) == fresh.is_open(t)
        assert used.add_working_hours(t, h) == pytest.approx(fresh.add_working_hours(t, h), abs=TOL)


@given(calendars, st.lists(times, max_size=50))
def test_next_open_many_agrees_with_next_open(calendar, ts):
    spec, first_weekday = calendar
    cal = Calendar(spec, first_weekday)
    many = cal.next_open_many(np.asarray(ts, dtype=float))
    assert many.tolist() == pytest.approx([cal.next_open(t) for t in ts], abs=TOL)
