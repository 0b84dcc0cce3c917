"""Grid accountability (网格责任倒查): per grid, the cases that began there and ended badly.

``grids.csv`` (written by every run) has one row per grid that had counted cases, with its
village, town and county: ``cases`` (counted cases of every kind, summed over replications),
and how many of them were ``escalated_beyond_town`` (closed at the county or city, or out of
the city), ``reopened`` (a dissatisfied verdict brought them back), ``late`` (``on_time`` false)
and ``ended_badly`` (any of the three, counted once), with ``bad_rate`` = ended_badly / cases.
Petitions are not modelled yet, so no case is counted as petitioned.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

GRID_COLUMNS: tuple[str, ...] = (
    "county", "town", "village", "grid", "cases", "escalated_beyond_town", "reopened", "late",
    "ended_badly", "bad_rate",
)  # fmt: skip
PLACE = ["county", "town", "village", "grid"]


def grid_table(cases: pd.DataFrame) -> pd.DataFrame:
    """Per grid (worst first: most cases ended badly, then highest share, then name)."""
    level = cases["closed_level"].astype(str).to_numpy()
    outcome = cases["outcome"].astype(str).to_numpy()
    beyond = np.isin(level, ["county", "city"]) | (outcome == "escalated_out")
    reopened = pd.to_numeric(cases.get("reopens", 0)).fillna(0).to_numpy() > 0
    if np.ndim(reopened) == 0:
        reopened = np.zeros(len(cases), dtype=bool)
    late = (cases["on_time"].astype("boolean") == False).fillna(False).to_numpy(bool)  # noqa: E712
    flags = pd.DataFrame(
        {
            **{p: cases[p].astype(str).to_numpy() for p in PLACE},
            "cases": 1,
            "escalated_beyond_town": beyond.astype(np.int64),
            "reopened": reopened.astype(np.int64),
            "late": late.astype(np.int64),
            "ended_badly": (beyond | reopened | late).astype(np.int64),
        }
    )
    table = flags.groupby(PLACE, sort=True).sum().reset_index()
    table["bad_rate"] = table["ended_badly"] / table["cases"]
    table = table.sort_values(
        ["ended_badly", "bad_rate", "grid"], ascending=[False, False, True], kind="stable"
    )
    return table.reset_index(drop=True)[list(GRID_COLUMNS)]
