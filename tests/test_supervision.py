"""Town supervision (督办): a case still below the town after a share of its time limit is
flagged, served first, and may be pulled up to the town."""

from __future__ import annotations

import pytest
from builders import small, tiny
from conftest import Case, run_cases

import simulation

# The village (one staff) is busy from 0 h to 20 h with a first case; a minor case (limit 1 day)
# arrives at 1 h and a general one (limit 30 days, served first by severity) at 2 h.
BUSY_VILLAGE = (
    Case(time=0.0, severity="general", handling={"village": 20.0}),
    Case(time=1.0, severity="minor", walk_in="village", handling=1.0),
    Case(time=2.0, severity="general", handling=1.0),
)


def stage(**supervision) -> dict:
    triage = {"minor": "village", "general": "village"}
    return tiny(supervision=supervision, triage=triage, horizon_days=5)


def order_served(run) -> list[int]:
    table = run.cases.sort_values("case_id")
    return table.sort_values("closed_day")["case_id"].tolist()


@pytest.mark.parametrize(
    ("share", "minor_first"),
    [
        (18.9 / 24, True),  # flagged at 1 + 18.9 = 19.9 h: before the village frees at 20 h
        (19.1 / 24, False),  # flagged at 20.1 h: the general case has started already
    ],
)
def test_priority_rises_exactly_when_the_share_of_the_limit_passes(share, minor_first):
    run = run_cases(stage(enabled=True, share_of_limit=share, pull_up=0.0), *BUSY_VILLAGE)
    minor = run.cases.set_index("case_id").loc[1]
    assert minor["supervised"]  # still waiting when flagged either way
    assert order_served(run)[1:] == ([1, 2] if minor_first else [2, 1])


def test_a_case_closed_before_the_share_passes_is_not_flagged():
    # minor served 21-22 h; flagged only at 1 + 0.99 * 24 = 24.76 h: closed by then
    run = run_cases(stage(enabled=True, share_of_limit=0.99, pull_up=1.0), *BUSY_VILLAGE)
    assert not run.cases["supervised"].any()
    assert order_served(run)[1:] == [2, 1]


def test_off_switch_and_the_town_pulls_up():
    off = run_cases(stage(enabled=False, share_of_limit=0.5), *BUSY_VILLAGE)
    assert order_served(off)[1:] == [2, 1] and not off.cases["supervised"].any()
    pulled = run_cases(stage(enabled=True, share_of_limit=0.5, pull_up=1.0), *BUSY_VILLAGE)
    minor = pulled.cases.set_index("case_id").loc[1]
    assert minor["supervised"] and minor["closed_level"] == "town"
    assert minor["closed_day"] * 24 == pytest.approx(1 + 12 + 1)  # no transfer time, 1 h work
    assert minor["doors"] == 1  # the file moves: no door


def test_supervised_rate_and_grassroots_speed_on_a_small_city():
    base = small(replications=2, offices={"village": {"staff": 1}, "grid": {"staff": 1}})
    on = dict(base, supervision={"enabled": True})
    plain, supervised = simulation.run(base), simulation.run(on)
    assert plain.kpi("supervised_rate") == 0
    rate = supervised.kpi("supervised_rate")
    assert 0 < rate < 0.5
    flagged = supervised.cases.groupby("replication")["supervised"].mean().mean()
    assert rate == pytest.approx(flagged)
    assert supervised.cases["case_id"].tolist() == plain.cases["case_id"].tolist()
