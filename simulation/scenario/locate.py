"""Where a key of a loaded scenario was written, for problems found after loading.

Loading names the file and line of every problem it finds, but a few problems are found later,
by code that sees only the validated ``Scenario`` (``runner.check_runnable``: a scenario in which
no case can arrive). ``locate`` reads the scenario's sources again to fill in the file and line,
or ``(from --set)``, of such a problem.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import ScenarioError
from .compose import apply_overrides, load_file
from .messages import Origins, located

__all__ = ["locate"]


def locate(
    error: ScenarioError,
    source: str | os.PathLike | None,
    overrides: Sequence[str] | Mapping[str, Any] | None = None,
) -> ScenarioError:
    """``error`` with every problem that names no place given the place its key (or the
    nearest enclosing key) was written: the file and line of ``source`` or an ``extends``d
    file, or ``(from --set)`` for one of ``overrides``. Unchanged when the sources cannot be
    read again."""
    if all(p.file is not None or p.from_set for p in error.problems):
        return error
    data: dict = {}
    origins: Origins = {}
    try:
        if source is not None:
            data, origins = load_file(Path(source), os.fspath(source), [])
        if overrides:
            apply_overrides(data, origins, overrides)
    except (ScenarioError, OSError):
        return error
    problems = [
        p
        if p.file is not None or p.from_set or not p.key
        else located(tuple(p.key.split(".")), p.expected, p.found, p.hint, origins, None)
        for p in error.problems
    ]
    first, *others = problems
    first.others = others
    return first
