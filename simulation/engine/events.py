"""The event log: one row per step of every case, for process-mining tools (off by default).

With ``run(..., events=True)`` (``govsim run --events``) the engine appends each step to four
typed arrays (case, time, office, activity, plus the outcome of a closing) — 8 + 8 + 4 + 1 + 1
bytes a row, no Python object per event — and ``events_table`` turns them into
``events.parquet``: ``replication, case_id, time, office, level, activity, outcome`` (``time``
in days from ``start_date``, like every day column; ``outcome`` only on ``close`` rows). A case
id is the one in ``cases.parquet``; the log holds every case, counted or not (warm-up ones have
negative times), and first-contact settlements (``first_contact`` then ``close``).
"""

from __future__ import annotations

from array import array

import numpy as np
import pandas as pd

from ..contract import EVENT_ACTIVITIES, EVENT_COLUMNS, HOURS_PER_DAY, LEVELS, OUTCOMES

(
    ARRIVE, FIRST_CONTACT, QUEUE, START, FINISH, ESCALATE, SELF_ESCALATE, REFER, REOPEN, PETITION,
    CLOSE,
) = range(len(EVENT_ACTIVITIES))  # fmt: skip
NO_OUTCOME = -1
BYTES_PER_EVENT = 8 + 8 + 4 + 1 + 1


class EventLog:
    """The steps of one replication, appended in time order."""

    __slots__ = ("case", "time", "office", "activity", "outcome")

    def __init__(self) -> None:
        self.case = array("q")
        self.time = array("d")
        self.office = array("i")
        self.activity = array("b")
        self.outcome = array("b")

    def add(self, case: int, time: float, office: int, activity: int, outcome: int = -1) -> None:
        self.case.append(case)
        self.time.append(time)
        self.office.append(office)
        self.activity.append(activity)
        self.outcome.append(outcome)

    def __len__(self) -> int:
        return len(self.case)

    @property
    def nbytes(self) -> int:
        return len(self) * BYTES_PER_EVENT


def events_table(log: EventLog, replication: int, office_names: list[str],
                 office_levels: list[int], warmup_days: float) -> pd.DataFrame:  # fmt: skip
    """The log as the ``events.parquet`` table (categoricals for office, level and activity)."""
    n = len(log)
    office = np.frombuffer(log.office, dtype=np.int32).astype(np.int64)
    outcome = np.frombuffer(log.outcome, dtype=np.int8).astype(np.int64)
    levels = np.asarray(office_levels, dtype=np.int64)
    return pd.DataFrame(
        {
            "replication": np.full(n, replication, dtype=np.int64),
            "case_id": np.frombuffer(log.case, dtype=np.int64).copy(),
            "time": np.frombuffer(log.time, dtype=np.float64) / HOURS_PER_DAY - warmup_days,
            "office": pd.Categorical.from_codes(office, categories=office_names),
            "level": pd.Categorical.from_codes(levels[office], categories=list(LEVELS)),
            "activity": pd.Categorical.from_codes(
                np.frombuffer(log.activity, dtype=np.int8).astype(np.int64),
                categories=list(EVENT_ACTIVITIES),
            ),
            "outcome": pd.Categorical.from_codes(outcome, categories=list(OUTCOMES)),
        },
        columns=list(EVENT_COLUMNS),
    )
