"""The ``evaluation:`` section: the follow-up call (回访) after every closed case.

The citizen's verdict is a logistic model: the log-odds of being dissatisfied are

    intercept + per_extra_door * (doors - 1)+ + per_extra_trip * (trips - 1)+
              + per_day_late * days beyond the time limit + not_resolved * [outcome != resolved]

Rework (返工): with chance ``reopen`` a dissatisfied verdict reopens the case, after
``reopen_days``, at the office that closed it, at most ``max_reopens`` times.

Off by default (``enabled: false``), so scenarios written before it run as they did. The
defaults and their reasons are in docs/model.md ("Follow-up evaluation").
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .spec import NonNegative, Probability, Spec


class EvaluationSpec(Spec):
    enabled: bool = False
    intercept: float = -4.0
    per_extra_door: NonNegative = 0.4
    per_extra_trip: NonNegative = 0.4
    per_day_late: NonNegative = 0.05
    not_resolved: NonNegative = 2.5
    # rework (返工): a dissatisfied verdict reopens the case at the office that closed it
    reopen: Probability = 0.0
    reopen_days: NonNegative = 7.0
    max_reopens: Annotated[int, Field(ge=0)] = 2
