"""The ``evaluation:`` section: the follow-up call (回访) after every closed case.

The citizen's verdict is a logistic model: the log-odds of being dissatisfied are

    intercept + per_extra_door * (doors - 1)+ + per_extra_trip * (trips - 1)+
              + per_day_late * days beyond the time limit + not_resolved * [outcome != resolved]

Off by default (``enabled: false``), so scenarios written before it run as they did. The
defaults and their reasons are in docs/model.md ("Follow-up evaluation").
"""

from __future__ import annotations

from .spec import NonNegative, Spec


class EvaluationSpec(Spec):
    enabled: bool = False
    intercept: float = -4.0
    per_extra_door: NonNegative = 0.4
    per_extra_trip: NonNegative = 0.4
    per_day_late: NonNegative = 0.05
    not_resolved: NonNegative = 2.5
