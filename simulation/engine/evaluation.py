"""The follow-up call (回访) after a closed case: the citizen's verdict, by a logistic model.

The log-odds of a dissatisfied verdict grow with every door and trip beyond the first, every day
beyond the time limit, and an outcome other than resolved (``scenario.evaluation``; defaults and
their reasons in docs/model.md). A case is dissatisfied when its own uniform draw
(``Cases.evaluation_u``, a stream of its own) falls below that chance, so two scenarios run with
the same seed ask the same citizens with the same temper (common random numbers).
"""

from __future__ import annotations

import math

import numpy as np

from ..scenario.evaluation import EvaluationSpec


def dissatisfaction_chance(
    spec: EvaluationSpec,
    doors: np.ndarray,
    trips: np.ndarray,
    days_late: np.ndarray,
    resolved: np.ndarray,
) -> np.ndarray:
    """The chance of a dissatisfied verdict for each closed case."""
    logit = (
        spec.intercept
        + spec.per_extra_door * np.maximum(np.asarray(doors, dtype=float) - 1.0, 0.0)
        + spec.per_extra_trip * np.maximum(np.asarray(trips, dtype=float) - 1.0, 0.0)
        + spec.per_day_late * np.maximum(np.asarray(days_late, dtype=float), 0.0)
        + spec.not_resolved * (~np.asarray(resolved, dtype=bool))
    )
    return 1.0 / (1.0 + np.exp(-logit))


def coefficients(spec: EvaluationSpec) -> tuple[float, float, float, float, float]:
    """The model's coefficients as plain floats (pydantic access is slow on the event path)."""
    return (
        spec.intercept,
        spec.per_extra_door,
        spec.per_extra_trip,
        spec.per_day_late,
        spec.not_resolved,
    )


def chance_of_one(
    coef: tuple[float, float, float, float, float],
    doors: int,
    trips: int,
    days_late: float,
    resolved: bool,
) -> float:
    """``dissatisfaction_chance`` of one case, from ``coefficients(spec)``."""
    intercept, door, trip, late, not_resolved = coef
    logit = (
        intercept
        + door * max(doors - 1.0, 0.0)
        + trip * max(trips - 1.0, 0.0)
        + late * max(days_late, 0.0)
        + (0.0 if resolved else not_resolved)
    )
    return 1.0 / (1.0 + math.exp(-logit))


def dissatisfied(
    spec: EvaluationSpec,
    u: np.ndarray,
    doors: np.ndarray,
    trips: np.ndarray,
    days_late: np.ndarray,
    resolved: np.ndarray,
) -> np.ndarray:
    """Whether each closed case's verdict is dissatisfied (its draw ``u`` below the chance)."""
    return np.asarray(u) < dissatisfaction_chance(spec, doors, trips, days_late, resolved)
