"""Doors, trips, outcomes and closing levels of single hand-built cases (docs/model.md).

Each test follows one or two cases whose every draw is chosen: a resolution draw of 0.0
resolves at a level, 0.99 fails there; online, misroute and give-up draws of 0.99 never fire.
The stage is one county, town, village and grid, always open, no transfer delay, no intake,
no patience unless a test sets them (``builders.tiny``).
"""

from __future__ import annotations

import pytest
from builders import tiny
from conftest import FAIL, RESOLVE, Case, at, run_cases

ALL_FAIL = {lv: FAIL for lv in ("grid", "village", "town", "county", "city")}


def expect(row, *, outcome: str, level: str, doors: int, trips: int) -> None:
    got = (row["outcome"], row["closed_level"], row["doors"], row["trips"])
    assert got == (outcome, level, doors, trips)


# ---------------------------------------------------------------- entry


def test_grid_visit_resolved_at_grid_has_no_door_and_no_trip():
    run = run_cases(
        tiny(),
        Case(channel="grid_visit", severity="minor", resolve={"grid": RESOLVE}),
    )
    expect(run.row(), outcome="resolved", level="grid", doors=0, trips=0)
    assert run.row()["levels"] == 1


def test_walk_in_resolved_at_village_is_one_door_one_trip():
    run = run_cases(
        tiny(),
        Case(channel="walk_in", walk_in="village", severity="general", resolve={"village": 0}),
    )
    expect(run.row(), outcome="resolved", level="village", doors=1, trips=1)


def test_hotline_resolved_at_village_is_one_door_and_the_handling_trip():
    run = run_cases(
        tiny(arrivals={"dispatch_hours": 2.0}),
        Case(
            channel="hotline", severity="general", handling={"village": 3}, resolve={"village": 0}
        ),
    )
    row = run.row()
    expect(row, outcome="resolved", level="village", doors=1, trips=1)
    assert row["closed_day"] * 24 == pytest.approx(2.0 + 3.0)  # dispatch, then handling


def test_online_app_is_dispatched_like_the_hotline():
    run = run_cases(
        tiny(),
        Case(channel="online", severity="general", resolve={"village": 0}),
    )
    expect(run.row(), outcome="resolved", level="village", doors=1, trips=1)


def test_grid_visit_above_grid_triage_is_reported_up_without_a_door():
    run = run_cases(
        tiny(escalation={"transfer_hours": 5}),
        Case(channel="grid_visit", severity="major", handling=2, resolve={"county": 0}),
    )
    row = run.row()
    expect(row, outcome="resolved", level="county", doors=0, trips=1)
    assert row["levels"] == 1  # straight to the county: the grid never handled it
    assert row["closed_day"] * 24 == pytest.approx(5 + 2)


def test_walk_in_below_triage_is_referred_up_two_doors_two_trips():
    run = run_cases(
        tiny(),
        Case(channel="walk_in", walk_in="village", severity="major", resolve={"county": 0}),
    )
    row = run.row()
    expect(row, outcome="resolved", level="county", doors=2, trips=2)
    assert row["levels"] == 1  # the village counter refers at once: no handling there
    assert row["handling_hours"] == pytest.approx(1.0)


def test_walk_in_below_triage_to_a_level_without_attendance_adds_no_trip():
    run = run_cases(
        tiny(escalation={"attendance": {"county": False}}),
        Case(channel="walk_in", walk_in="village", severity="major", resolve={"county": 0}),
    )
    expect(run.row(), outcome="resolved", level="county", doors=2, trips=1)


# ---------------------------------------------------------------- system escalation, county


def test_system_escalation_into_one_stop_county_adds_a_trip_not_a_door():
    run = run_cases(
        tiny(),
        Case(
            channel="walk_in",
            walk_in="town",
            severity="general",
            handling={"town": 2, "county": 4},
            resolve={"town": FAIL, "county": RESOLVE},
        ),
    )
    row = run.row()
    expect(row, outcome="resolved", level="county", doors=1, trips=2)
    assert row["levels"] == 2
    assert row["handling_hours"] == pytest.approx(6.0)


TWO_DEPARTMENTS = {"case_types": {"dispute": {"share": 1.0, "department": ["labour", "court"]}}}


def test_county_without_one_stop_makes_the_second_department_a_door_and_a_trip():
    scenario = tiny(
        offices={"county": {"staff": 1, "one_stop": False, "misroute": 0.3}}, **TWO_DEPARTMENTS
    )
    run = run_cases(
        scenario,
        Case(
            channel="walk_in",
            walk_in="town",
            severity="general",
            handling={"town": 2, "county": 4},
            resolve={"town": FAIL, "county": RESOLVE},
            misroute=0.0,  # misroute is for walk-ins at the county only: no effect here
        ),
    )
    row = run.row()
    expect(row, outcome="resolved", level="county", doors=2, trips=3)
    # the drawn county time is split over the departments, not repeated
    assert row["handling_hours"] == pytest.approx(2 + 4)
    assert row["closed_day"] * 24 == pytest.approx(2 + 2 + 2)


def test_one_stop_county_with_two_departments_is_one_pass():
    run = run_cases(
        tiny(**TWO_DEPARTMENTS),
        Case(
            channel="walk_in",
            walk_in="town",
            severity="general",
            resolve={"town": FAIL, "county": RESOLVE},
        ),
    )
    expect(run.row(), outcome="resolved", level="county", doors=1, trips=2)


@pytest.mark.parametrize(("misroute_u", "doors", "trips"), [(0.0, 2, 2), (0.5, 1, 1)])
def test_county_walk_in_misroute_without_one_stop(misroute_u, doors, trips):
    scenario = tiny(offices={"county": {"staff": 1, "one_stop": False, "misroute": 0.3}})
    run = run_cases(
        scenario,
        Case(
            channel="walk_in",
            walk_in="county",
            severity="major",
            resolve={"county": RESOLVE},
            misroute=misroute_u,
        ),
    )
    expect(run.row(), outcome="resolved", level="county", doors=doors, trips=trips)


def test_no_misroute_at_a_one_stop_county():
    run = run_cases(
        tiny(offices={"county": {"staff": 1, "one_stop": True, "misroute": 1.0}}),
        Case(walk_in="county", severity="major", resolve={"county": RESOLVE}, misroute=0.0),
    )
    expect(run.row(), outcome="resolved", level="county", doors=1, trips=1)


# ---------------------------------------------------------------- online mediation


@pytest.mark.parametrize(("online_u", "trips"), [(0.1, 0), (0.7, 1)])
def test_online_mediation_saves_the_trip(online_u, trips):
    run = run_cases(
        tiny(escalation={"online_mediation": 0.5}),
        Case(
            channel="hotline",
            severity="general",
            resolve={"village": RESOLVE},
            online={"village": online_u},
        ),
    )
    expect(run.row(), outcome="resolved", level="village", doors=1, trips=trips)


# ---------------------------------------------------------------- patience


def busy_then(case: Case, level: str = "village") -> tuple[Case, Case]:
    """A first case holding the only staff member of ``level`` for 1000 h, then ``case``."""
    blocker = Case(
        time=0.0,
        channel="walk_in",
        walk_in=level,
        severity="critical" if level == "city" else "general",
        handling={level: 1000.0},
        resolve={level: RESOLVE},
    )
    return blocker, case


def test_patience_running_out_self_escalates_one_level_up_with_door_and_trip():
    scenario = tiny(escalation={"patience_days": {"general": 0.1}})  # 2.4 h
    run = run_cases(
        scenario,
        *busy_then(
            Case(
                time=1.0,
                channel="walk_in",
                walk_in="village",
                severity="general",
                handling={"town": 2.0},
                resolve={"village": RESOLVE, "town": RESOLVE},
            )
        ),
    )
    row = run.row(1)
    expect(row, outcome="resolved", level="town", doors=2, trips=2)
    assert row["levels"] == 2  # queued at the village, handled at the town
    assert row["wait_hours"] == pytest.approx(2.4)
    assert row["handling_hours"] == pytest.approx(2.0)
    assert row["closed_day"] * 24 == pytest.approx(1.0 + 2.4 + 2.0)


def test_patience_at_a_non_one_stop_county_can_misroute_the_self_escalation():
    scenario = tiny(
        escalation={"patience_days": {"general": 0.1}},
        offices={"county": {"staff": 1, "one_stop": False, "misroute": 0.3}},
    )
    run = run_cases(
        scenario,
        *busy_then(
            Case(
                time=1.0,
                walk_in="town",
                severity="general",
                resolve={"county": RESOLVE},
                misroute=0.0,
            ),
            level="town",
        ),
    )
    # walk-in at the town (1, 1), self-escalation to the county (2, 2), wrong department (3, 3)
    expect(run.row(1), outcome="resolved", level="county", doors=3, trips=3)


def test_give_up_when_patience_runs_out_abandons():
    scenario = tiny(escalation={"patience_days": {"general": 0.1}, "give_up": 0.5})
    run = run_cases(
        scenario,
        *busy_then(Case(time=1.0, walk_in="village", severity="general", give_up=0.2)),
    )
    row = run.row(1)
    expect(row, outcome="abandoned", level="village", doors=1, trips=1)
    assert row["closed_day"] * 24 == pytest.approx(1.0 + 2.4)
    assert row["handling_hours"] == 0.0


def test_patience_running_out_at_the_city_is_escalated_out():
    scenario = tiny(escalation={"patience_days": {"critical": 0.1}})
    run = run_cases(
        scenario,
        *busy_then(Case(time=1.0, walk_in="city", severity="critical"), level="city"),
    )
    row = run.row(1)
    expect(row, outcome="escalated_out", level="city", doors=1, trips=1)
    assert row["closed_day"] * 24 == pytest.approx(1.0 + 2.4)


def test_patience_running_out_at_the_city_is_escalated_out_even_for_those_who_give_up():
    """The contract: at the city, running out of patience is a petition beyond it."""
    scenario = tiny(escalation={"patience_days": {"critical": 0.1}, "give_up": 1.0})
    run = run_cases(
        scenario,
        *busy_then(Case(time=1.0, walk_in="city", severity="critical", give_up=0.0), level="city"),
    )
    expect(run.row(1), outcome="escalated_out", level="city", doors=1, trips=1)


def test_give_up_is_drawn_at_every_renege():
    """A citizen who went up once may give up the second time: one draw per level."""
    scenario = tiny(escalation={"patience_days": {"general": 0.1}, "give_up": 0.5})
    blocker_town = Case(
        time=0.0, walk_in="town", severity="general", handling={"town": 1000.0}, resolve=RESOLVE
    )
    run = run_cases(
        scenario,
        *busy_then(
            Case(
                time=1.0,
                walk_in="village",
                severity="general",
                give_up={"village": 0.9, "town": 0.1},
            )
        ),
        blocker_town,
    )
    # the walk-in goes up from the village (0.9 >= 0.5), then gives up at the town (0.1 < 0.5)
    row = run.cases.sort_values("arrival_day").iloc[-1]
    expect(row, outcome="abandoned", level="town", doors=2, trips=2)


def test_a_self_escalation_waits_for_the_parent_office_to_open():
    """Patience that runs out on Saturday morning: the citizen walks into the town on Monday."""
    scenario = tiny(
        calendar={"always_open": False},
        escalation={"patience_days": {"general": 0.75}},  # 18 h
    )
    friday_16 = at("fri", 16.0)
    run = run_cases(
        scenario,
        *busy_then(
            Case(time=friday_16, walk_in="village", severity="general", resolve={"town": RESOLVE})
        ),
    )
    row = run.row(1)
    expect(row, outcome="resolved", level="town", doors=2, trips=2)
    # patience ran out on Saturday 10:00; the town opened Monday 08:30 and took 1 h
    assert row["closed_day"] * 24 == pytest.approx(at("mon", 9.5, week=1))


def test_a_counter_referral_into_a_county_without_one_stop_can_be_misrouted():
    scenario = tiny(
        offices={"county": {"staff": 1, "one_stop": False, "misroute": 0.3}},
        triage={"major": "county"},
    )
    run = run_cases(
        scenario,
        Case(walk_in="village", severity="major", resolve={"county": RESOLVE}, misroute=0.0),
    )
    # walk-in at the village (1, 1), referred up to the county (2), wrong department (3, 2),
    # then the right department in person (3, 3)
    expect(run.row(0), outcome="resolved", level="county", doors=3, trips=3)


def test_a_case_being_handled_does_not_renege():
    scenario = tiny(escalation={"patience_days": {"general": 0.1}})
    run = run_cases(
        scenario,
        Case(walk_in="village", severity="general", handling={"village": 100.0}, resolve=RESOLVE),
    )
    row = run.row()
    expect(row, outcome="resolved", level="village", doors=1, trips=1)
    assert row["closed_day"] * 24 == pytest.approx(100.0)


# ---------------------------------------------------------------- the end of the line


def test_failure_at_every_level_ends_in_litigation_after_five_handlings():
    run = run_cases(
        tiny(),
        Case(channel="grid_visit", severity="minor", handling=2.0, resolve=ALL_FAIL),
    )
    row = run.row()
    # grid at home: no trip; village, town, county, city each a new place
    expect(row, outcome="litigation", level="city", doors=0, trips=4)
    assert row["levels"] == 5
    assert row["handling_hours"] == pytest.approx(10.0)


def test_city_failure_is_escalated_out_when_beyond_city_says_so():
    run = run_cases(
        tiny(escalation={"beyond_city": "escalated_out"}),
        Case(channel="grid_visit", severity="minor", resolve=ALL_FAIL),
    )
    expect(run.row(), outcome="escalated_out", level="city", doors=0, trips=4)


def test_transfer_hours_delay_every_system_escalation():
    run = run_cases(
        tiny(escalation={"transfer_hours": 24}),
        Case(channel="grid_visit", severity="minor", handling=1.0, resolve={"town": RESOLVE}),
    )
    row = run.row()
    expect(row, outcome="resolved", level="town", doors=0, trips=2)
    assert row["closed_day"] * 24 == pytest.approx(3 * 1.0 + 2 * 24)


# ---------------------------------------------------------------- shared information


@pytest.mark.parametrize(("shared", "intakes"), [(True, 1), (False, 3)])
def test_intake_is_repeated_at_each_new_office_without_shared_information(shared, intakes):
    scenario = tiny(
        escalation={"intake_hours": 0.5, "shared_information": shared},
    )
    run = run_cases(
        scenario,
        Case(
            channel="grid_visit",
            severity="minor",
            handling={"grid": 1.0, "village": 2.0, "town": 3.0},
            resolve={"town": RESOLVE},
        ),
    )
    row = run.row()
    assert row["handling_hours"] == pytest.approx(6.0 + 0.5 * intakes)
    assert row["closed_day"] * 24 == pytest.approx(6.0 + 0.5 * intakes)


@pytest.mark.parametrize(("shared", "intakes"), [(True, 1), (False, 2)])
def test_intake_is_repeated_at_each_county_department_without_shared_information(shared, intakes):
    scenario = tiny(
        escalation={"intake_hours": 0.5, "shared_information": shared},
        offices={"county": {"staff": 1, "one_stop": False}},
        **TWO_DEPARTMENTS,
    )
    run = run_cases(
        scenario,
        Case(walk_in="county", severity="major", handling={"county": 4.0}, resolve=RESOLVE),
    )
    row = run.row()
    expect(row, outcome="resolved", level="county", doors=2, trips=2)
    assert row["handling_hours"] == pytest.approx(4.0 + 0.5 * intakes)
