"""The event log (``run --events``): off by default, and it tells each case's story exactly as
``cases.parquet`` does (doors, reopens, closed day, outcome)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from builders import TWO_GRIDS, scenario

import simulation
from simulation.cli import main
from simulation.contract import EVENT_ACTIVITIES, EVENT_COLUMNS

BUSY = scenario(
    TWO_GRIDS,
    replications=2,
    warmup_days=3,
    offices={"county": {"one_stop": False, "staff": 1}, "town": {"staff": 1}},
    case_types={"dispute": {"share": 1.0, "department": ["police", "people_mediation"]}},
    arrivals={"per_10k_residents_per_year": 4000},
    escalation={"patience_days": {"minor": 1, "general": 2, "major": 2, "critical": 2}},
    evaluation={"enabled": True, "intercept": -1.0, "reopen": 1.0, "reopen_days": 1},
)
"""Busy enough for every kind of step: referrals between departments, patience running out,
reopened cases."""


def test_the_log_reproduces_every_case():
    result = simulation.run(BUSY, events=True)
    events, cases = result.events, result.cases
    assert list(events.columns) == list(EVENT_COLUMNS)
    assert set(events["activity"].cat.categories) == set(EVENT_ACTIVITIES)
    seen = set(events["activity"].astype(str))
    assert {"arrive", "queue", "start", "finish", "escalate", "refer", "close"} <= seen
    assert {"self_escalate", "reopen"} <= seen  # the scenario exercises them
    key = ["replication", "case_id"]
    steps = events.groupby(key + ["activity"], observed=True).size().unstack(fill_value=0)
    steps = steps.reindex(columns=list(EVENT_ACTIVITIES), fill_value=0)
    table = cases.set_index(key)
    mine = steps.reindex(table.index, fill_value=0)
    assert (mine["arrive"] == 1).all()
    first_door = (table["channel"].astype(str) != "grid_visit").astype(int)
    doors = first_door + mine["refer"] + mine["self_escalate"]
    assert (doors == table["doors"]).all()
    assert (mine["reopen"] == table["reopens"]).all()
    assert (mine["close"] - mine["reopen"]).isin([0, 1]).all()
    closes = events[events["activity"] == "close"].groupby(key).last()
    closed = table[table["outcome"] != "open"]
    last = closes.reindex(closed.index)
    assert np.allclose(last["time"], closed["closed_day"])
    assert (last["outcome"].astype(str) == closed["outcome"].astype(str)).all()
    still_open = table[table["outcome"] == "open"].index
    assert (mine.loc[still_open, "close"] == mine.loc[still_open, "reopen"]).all()
    assert result.kpi("reopen_rate") > 0


def test_off_by_default_and_written_by_the_cli(tmp_path):
    assert simulation.run(TWO_GRIDS).events is None
    path = tmp_path / "scenario.yaml"
    path.write_text(simulation.scenario.loader.dump_yaml(simulation.load_scenario(TWO_GRIDS)))
    assert main(["run", str(path), "--out", str(tmp_path / "plain")]) == 0
    assert not (tmp_path / "plain" / "events.parquet").exists()
    assert main(["run", str(path), "--events", "--out", str(tmp_path / "logged")]) == 0
    events = pd.read_parquet(tmp_path / "logged" / "events.parquet")
    cases = pd.read_parquet(tmp_path / "logged" / "cases.parquet")
    assert set(cases["case_id"]) <= set(events["case_id"])
    assert events.groupby("replication")["time"].apply(lambda t: t.is_monotonic_increasing).all()


def test_events_need_a_fixed_number_of_replications():
    with pytest.raises(ValueError, match="events"):
        simulation.run(TWO_GRIDS, events=True, precision=0.1)
