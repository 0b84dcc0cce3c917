"""Composing a scenario's data: ``extends`` (files merged, the child winning) and overrides.

Both work on plain data and its line origins (``source.py``), before validation, so an error
in a parent file names that file and a bad override says ``(from --set)``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from ..errors import ScenarioError
from .messages import KeyPath, Origin, Origins, show
from .source import read_yaml_file

__all__ = [
    "FROM_SET",
    "MAX_EXTENDS_DEPTH",
    "apply_changes",
    "apply_overrides",
    "load_file",
    "merge",
    "resolve_extends",
]

MAX_EXTENDS_DEPTH = 10
"""At most this many ``extends`` hops from the file loaded."""

_YAML_SUFFIXES = (".yaml", ".yml")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
FROM_SET: Origin = ("--set", None)
"""The origin of a value given by an override."""
FROM_REPLACE: Origin = (None, None)
"""The origin of a value given to ``Scenario.replace``: no file, no line, not ``--set``."""


def load_file(path: Path, display: str, chain: list[tuple[Path, str]]) -> tuple[dict, Origins]:
    """A scenario file's data with its ``extends`` chain merged in, and the line origins."""
    data, origins = read_yaml_file(path, display)
    return resolve_extends(data, origins, path.parent, display, [*chain, (path, display)])


# ---------------------------------------------------------------- extends


def resolve_extends(
    data: dict,
    origins: Origins,
    base_dir: Path,
    display: str | None,
    chain: list[tuple[Path, str]],
) -> tuple[dict, Origins]:
    if "extends" not in data:
        return data, origins
    target = data.pop("extends")
    file, line = origins.pop(("extends",), (display, None))
    if target is None:
        return data, origins

    def fail(expected: str, found: str) -> ScenarioError:
        return ScenarioError("extends", expected, found, file=file, line=line)

    if not isinstance(target, str) or not target.strip():
        raise fail("the path of a local YAML file", show(target))
    if _URL.match(target):
        raise fail("a local file path (URLs are not allowed)", show(target))
    if not target.lower().endswith(_YAML_SUFFIXES):
        raise fail("the path of a local YAML file (.yaml or .yml)", show(target))
    path = base_dir / target
    parent_display = os.path.normpath(
        os.path.join(os.path.dirname(display), target) if display else target
    )
    if not path.is_file():
        raise fail("an existing file", f"{target!r} (no file {parent_display})")
    resolved = path.resolve()
    names = [name for _, name in chain]
    if any(p.resolve() == resolved for p, _ in chain):
        raise fail("extends without a cycle", " -> ".join([*names, parent_display]))
    if len(chain) > MAX_EXTENDS_DEPTH:
        raise fail(
            f"at most {MAX_EXTENDS_DEPTH} levels of extends", " -> ".join([*names, parent_display])
        )
    parent, parent_origins = load_file(path, parent_display, chain)
    return _merge(parent, parent_origins, data, origins)


def _replaced_whole(path: KeyPath) -> bool:
    """Mappings whose values sum to 1: a child's mapping replaces the parent's, not merged."""
    return path in (("arrivals", "channels"), ("arrivals", "walk_in_level")) or (
        len(path) == 3 and path[0] == "case_types" and path[2] == "severity"
    )


def _merge(
    parent: dict, parent_origins: Origins, child: dict, child_origins: Origins
) -> tuple[dict, Origins]:
    """Deep merge, the child winning; lists and share mappings are replaced whole."""
    replaced: list[KeyPath] = []

    def merge(base: dict, top: dict, path: KeyPath) -> dict:
        result = dict(base)
        for key, value in top.items():
            here = path + (str(key),)
            old = result.get(key)
            if isinstance(old, dict) and isinstance(value, dict) and not _replaced_whole(here):
                result[key] = merge(old, value, here)
            else:
                if key in result:
                    replaced.append(here)
                result[key] = value
        return result

    merged = merge(parent, child, ())
    origins = {k: v for k, v in parent_origins.items() if not _under_any(k, replaced)}
    origins.update({k: v for k, v in child_origins.items() if k != ()})
    return merged, origins


def _under_any(path: KeyPath, prefixes: list[KeyPath]) -> bool:
    return any(path[: len(p)] == p for p in prefixes)


# ---------------------------------------------------------------- overrides


def apply_overrides(
    data: dict, origins: Origins, overrides: Sequence[str] | Mapping[str, Any]
) -> None:
    if isinstance(overrides, str):
        overrides = [overrides]
    if isinstance(overrides, Mapping):
        items = [(str(k), v, f"{k}={v!r}") for k, v in overrides.items()]
    else:
        items = []
        for text in overrides:
            if not isinstance(text, str) or "=" not in text:
                raise ScenarioError(
                    "", "an override like key.path=value", show(text), from_set=True
                )
            key, _, raw = text.partition("=")
            try:
                value = yaml.load(raw, Loader=yaml.SafeLoader)
            except yaml.YAMLError as error:
                problem = getattr(error, "problem", None) or str(error)
                raise ScenarioError(
                    key.strip(), "a YAML value", f"{show(raw)} ({problem})", from_set=True
                ) from None
            except (ValueError, OverflowError, AttributeError, TypeError, RecursionError) as error:
                problem = str(error).split(";")[0] or "too deeply nested"
                raise ScenarioError(
                    key.strip(), "a YAML value", f"{show(raw)} ({problem})", from_set=True
                ) from None
            items.append((key.strip(), value, text))
    for key, value, text in items:
        _set_path(data, origins, key, value, text)


def apply_changes(data: dict, changes: Mapping[str, Any]) -> dict:
    """``Scenario.replace``'s changes, in order, on a scenario's plain data.

    A dotted key path (``offices.county.staff``) sets one value; a mapping given for a key is
    merged into it as ``extends`` merges a child file (lists and share mappings replaced whole);
    anything else replaces the key's value.
    """
    for key, value in changes.items():
        if "." in key:
            _set_path(data, {}, key, value, f"{key}={value!r}", FROM_REPLACE)
        else:
            data = merge(data, {key: dict(value) if isinstance(value, Mapping) else value})
    return data


def merge(parent: dict, child: Mapping[str, Any]) -> dict:
    """``child``'s data over ``parent``'s, as a file over the file it ``extends``: mappings
    merged key by key, the child winning; lists and share mappings replaced whole."""
    return _merge(parent, {}, dict(child), {})[0]


def _set_path(
    data: dict, origins: Origins, key: str, value: Any, text: str, origin: Origin = FROM_SET
) -> None:
    from_set = origin == FROM_SET
    parts = key.split(".")
    if not key or any(not p.strip() for p in parts):
        raise ScenarioError(
            key, "a dotted key path like offices.county.staff", repr(text), from_set=from_set
        )
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        here = ".".join(parts[: i + 1])
        if isinstance(node, dict):
            if last:
                node[part] = value
            else:
                if node.get(part) is None:
                    node[part] = {}
                    origins[tuple(parts[: i + 1])] = origin
                node = node[part]
        elif isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ScenarioError(
                    here,
                    f"an index of the list {'.'.join(parts[:i])} (0 to {len(node) - 1})",
                    repr(part),
                    from_set=from_set,
                )
            if last:
                node[int(part)] = value
            else:
                node = node[int(part)]
        else:
            raise ScenarioError(
                ".".join(parts[:i]),
                f"a mapping to set {key!r} in",
                show(node),
                from_set=from_set,
            )
    path = tuple(parts)
    for k in [k for k in origins if k[: len(path)] == path]:
        del origins[k]
    origins[path] = origin
