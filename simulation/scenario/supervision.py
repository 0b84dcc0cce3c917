"""The ``supervision:`` section: town supervision (督办) of cases that linger below the town.

A case still open at a grid or village office when ``share_of_limit`` of its time limit has
passed since it arrived is flagged as supervised: from then on it is served before every
unsupervised case in any queue, and, if it is waiting in a queue at that moment, the town pulls
it up to its own office with chance ``pull_up`` (the file moves, no door). Off by default.
"""

from __future__ import annotations

from pydantic import Field

from .spec import Probability, Spec


class SupervisionSpec(Spec):
    enabled: bool = False
    share_of_limit: float = Field(default=0.5, gt=0, le=1)
    pull_up: Probability = 0.5
