"""Grid accountability (网格责任倒查): grids.csv counts, per grid, the cases that began there and
ended badly, and the report lists the worst 20."""

from __future__ import annotations

import pandas as pd
from builders import TWO_GRIDS

import simulation
from simulation.analysis.grids import GRID_COLUMNS, grid_table
from simulation.outputs.report import write_report


def test_grid_table_by_hand():
    cases = pd.DataFrame(
        {
            "county": ["A"] * 4,
            "town": ["A/t"] * 4,
            "village": ["A/t/v"] * 4,
            "grid": ["A/t/v/g1", "A/t/v/g1", "A/t/v/g2", "A/t/v/g2"],
            "closed_level": ["county", "village", "village", "grid"],
            "outcome": ["resolved", "resolved", "resolved", "open"],
            "reopens": [0, 1, 0, 0],
            "on_time": pd.array([True, False, True, pd.NA], dtype="boolean"),
        }
    )
    table = grid_table(cases)
    assert list(table.columns) == list(GRID_COLUMNS)
    first, second = table.to_dict("records")
    assert first["grid"] == "A/t/v/g1" and first["cases"] == 2
    assert (first["escalated_beyond_town"], first["reopened"], first["late"]) == (1, 1, 1)
    assert first["ended_badly"] == 2 and first["bad_rate"] == 1.0
    assert second["grid"] == "A/t/v/g2" and second["ended_badly"] == 0


def test_every_run_writes_grids_csv_and_the_report_shows_the_worst(tmp_path):
    results = simulation.run(TWO_GRIDS)
    results.save(tmp_path / "run")
    grids = pd.read_csv(tmp_path / "run" / "grids.csv")
    assert grids["cases"].sum() == len(results.cases)
    assert grids["ended_badly"].is_monotonic_decreasing
    report = write_report([tmp_path / "run"], tmp_path / "report")
    html = report.read_text(encoding="utf-8")
    assert "Worst 20 grids" in html and grids["grid"][0] in html
