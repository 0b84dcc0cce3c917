"""Reading scenarios: ``load_scenario`` from a YAML file, a dict or a ``Scenario``.

The steps live beside it: ``source.py`` reads YAML safely with the line of every key,
``compose.py`` merges ``extends`` and applies ``--set`` overrides, and ``messages.py`` validates
once against the schema and words every problem as one ``ScenarioError`` naming the dotted key
(``offices.county.staff``), the file and line that wrote it (or ``(from --set)``), what was
expected and what was found.
"""

from __future__ import annotations

import copy
import importlib.resources
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from ..errors import ScenarioError
from .compose import MAX_EXTENDS_DEPTH, apply_overrides, load_file, resolve_extends
from .messages import Origins, validate
from .schema import Scenario

__all__ = [
    "MAX_EXTENDS_DEPTH",
    "ScenarioError",
    "dump_yaml",
    "load_scenario",
    "packaged_default_path",
    "resolve_dict",
]


def load_scenario(
    source: str | os.PathLike | Mapping | Scenario,
    overrides: Sequence[str] | Mapping[str, Any] | None = None,
) -> Scenario:
    """A validated scenario from a YAML file path, a dict or a ``Scenario``.

    ``extends`` is resolved (files relative to the extending file; for a dict, to the current
    directory) and deep-merged, then ``overrides`` are applied: ``"key.path=value"`` strings
    (the CLI's ``--set``; the value is read as YAML) or a mapping of dotted key paths to values.
    Raises ``ScenarioError`` describing every problem found.
    """
    if isinstance(source, Scenario):
        if not overrides:
            return source
        data: dict = source.to_dict()
        origins: Origins = {}
        main_file = None
    elif isinstance(source, Mapping):
        data = copy.deepcopy(dict(source))
        origins = {}
        main_file = None
        data, origins = resolve_extends(data, origins, Path.cwd(), None, [])
    elif isinstance(source, str | os.PathLike):
        main_file = os.fspath(source)
        data, origins = load_file(Path(main_file), main_file, [])
    else:
        raise TypeError(f"cannot load a scenario from {type(source).__name__}")
    if overrides:
        apply_overrides(data, origins, overrides)
    return validate(data, origins, main_file)


def resolve_dict(scenario: Scenario) -> dict:
    """The fully resolved scenario as plain data (all defaults filled in, no ``extends``)."""
    return scenario.to_dict()


def dump_yaml(scenario: Scenario) -> str:
    """The fully resolved scenario as readable YAML (saved with a run's outputs)."""
    return yaml.dump(
        resolve_dict(scenario),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


def packaged_default_path() -> Path:
    """The default scenario shipped with the package (``simulation/scenarios/jiaxing.yaml``)."""
    return Path(str(importlib.resources.files("simulation") / "scenarios" / "jiaxing.yaml"))


def default_scenario(
    overrides: Sequence[str] | Mapping[str, Any] | None = None,
) -> Scenario:
    """The packaged default (Jiaxing) scenario, with ``overrides`` as for :func:`load_scenario`."""
    return load_scenario(packaged_default_path(), overrides)


class _Dumper(yaml.SafeDumper):
    """Block style, but short lists of plain values on one line; no anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = all(isinstance(x, int | float | bool | str) for x in data) and len(data) <= 20
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)
