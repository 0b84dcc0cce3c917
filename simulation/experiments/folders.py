"""Output folders: which earlier results a run may replace, and default folders named after the
run's ``--set`` changes, so one scenario's results never silently overwrite another's.

*The same scenario* means the same ``name`` and the same fingerprint: a hash of the resolved
scenario (as written to ``scenario.yaml``) without ``name``, ``description``, ``seed`` and
``replications``. The seed and the number of replications say how a scenario was run, not what
it is, so rerunning with ``-r 50`` or ``--seed 2`` replaces a folder's results; a changed key
(a ``--set``, an edited file, another scenario with the same name) makes another scenario, whose
folder is replaced only with ``--force`` (``force=True``). A folder that is not empty and holds
no ``scenario.yaml`` is not govsim's and is never replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from ..errors import OutputError
from ..scenario.loader import dump_yaml
from ..scenario.schema import Scenario

__all__ = [
    "RUN_CONTROL_KEYS",
    "check_comparison_folder",
    "check_replaceable",
    "default_folder_name",
    "scenario_fingerprint",
]

RUN_CONTROL_KEYS: tuple[str, ...] = ("name", "description", "seed", "replications")
"""Keys left out of the fingerprint (the name is compared on its own)."""

MAX_NAME_BYTES = 120
"""Longest default folder name (file systems allow 255 bytes); longer ones are cut and end with
``~`` and a hash of the full name, so different changes never share a folder."""

FORCE_HINT = "use --force (force=True in Python) to replace them, or --out to write elsewhere"


# ---------------------------------------------------------------- what a folder holds


def _as_stored(scenario: Scenario | Mapping[str, Any]) -> dict[str, Any]:
    """The scenario as ``scenario.yaml`` holds it once read back (dates, numbers as YAML has
    them), so a folder's file and a new run compare like with like."""
    if isinstance(scenario, Scenario):
        return yaml.safe_load(dump_yaml(scenario)) or {}
    return dict(scenario)


def _model_part(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in RUN_CONTROL_KEYS}


def scenario_fingerprint(scenario: Scenario | Mapping[str, Any]) -> str:
    """12 hex digits of SHA-256 over the resolved scenario without its run-control keys."""
    text = json.dumps(_model_part(_as_stored(scenario)), sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _leaves(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, Mapping) and data:
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(_leaves(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: data}


def _differences(old: Mapping[str, Any], new: Mapping[str, Any], shown: int = 3) -> str:
    a, b = _leaves(_model_part(old)), _leaves(_model_part(new))
    keys = sorted(k for k in a.keys() | b.keys() if a.get(k, ...) != b.get(k, ...))
    text = ", ".join(keys[:shown])
    return text + (f" and {len(keys) - shown} more" if len(keys) > shown else "")


def _stored_scenario(path: Path) -> dict[str, Any] | None:
    """A folder's ``scenario.yaml`` as data, or None when it cannot be read as a mapping."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


def _same(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> bool:
    return (
        old is not None
        and str(old.get("name")) == str(new.get("name"))
        and scenario_fingerprint(old) == scenario_fingerprint(new)
    )


def _describe(folder: Path, old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> str:
    if old is None:
        return (
            f"{folder}/ holds results whose scenario.yaml cannot be read, not those of "
            f"scenario {new.get('name')!r} (fingerprint {scenario_fingerprint(new)}). "
            f"Not replaced: {FORCE_HINT}"
        )
    return (
        f"{folder}/ holds the results of scenario {old.get('name')!r} (fingerprint "
        f"{scenario_fingerprint(old)}), not of this run's scenario {new.get('name')!r} "
        f"(fingerprint {scenario_fingerprint(new)}); they differ in "
        f"{_differences(old, new) or 'name'}. Not replaced: {FORCE_HINT}"
    )


def _existing_folder(folder: Path) -> list[Path] | None:
    """The entries of ``folder``, or None when there is no folder there yet."""
    if not folder.exists():
        return None
    if not folder.is_dir():
        raise OutputError(f"cannot write outputs to {folder}: it is a file, not a folder")
    return list(folder.iterdir())


def _not_govsim(folder: Path, what: str) -> OutputError:
    return OutputError(
        f"{folder}/ is not empty and is not a govsim {what} folder (no scenario.yaml): not "
        "replacing it; choose a new or empty folder with --out"
    )


def check_replaceable(
    folder: str | os.PathLike,
    scenario: Scenario | Mapping[str, Any],
    *,
    force: bool = False,
    resumable: Sequence[str] = (),
    what: str = "result",
) -> None:
    """Raise ``OutputError`` unless ``scenario``'s outputs may replace what ``folder`` holds:
    nothing, an empty folder, or the results of the same scenario (see the module docstring);
    another scenario's results only with ``force``. ``resumable`` names entries a folder may
    hold before its ``scenario.yaml`` is written (a sweep's ``points``)."""
    folder = Path(folder)
    entries = _existing_folder(folder)
    if not entries:
        return
    stored = folder / "scenario.yaml"
    if not stored.exists():
        if all(entry.name in resumable for entry in entries):
            return
        raise _not_govsim(folder, what)
    old, new = _stored_scenario(stored), _as_stored(scenario)
    if force or _same(old, new):
        return
    raise OutputError(_describe(folder, old, new))


def check_comparison_folder(
    folder: str | os.PathLike,
    scenarios: Mapping[str, Scenario | Mapping[str, Any]],
    *,
    force: bool = False,
) -> None:
    """Like ``check_replaceable`` for a comparison: ``comparison.csv`` and one result folder
    per label. The same comparison has the same labels, each holding the same scenario."""
    folder = Path(folder)
    entries = _existing_folder(folder)
    if not entries:
        return
    if not (folder / "comparison.csv").exists():
        raise OutputError(
            f"{folder}/ is not empty and is not a govsim comparison folder (no "
            "comparison.csv): not replacing it; choose a new or empty folder with --out"
        )
    if force:
        return
    held = sorted(p.name for p in entries if p.is_dir() and (p / "scenario.yaml").exists())
    if held != sorted(scenarios):
        raise OutputError(
            f"{folder}/ holds a comparison of {', '.join(held) or 'nothing'}, not of "
            f"{', '.join(sorted(scenarios))}. Not replaced: {FORCE_HINT}"
        )
    for label, scenario in scenarios.items():
        old, new = _stored_scenario(folder / label / "scenario.yaml"), _as_stored(scenario)
        if not _same(old, new):
            raise OutputError(_describe(folder / label, old, new))


# ---------------------------------------------------------------- default folder names

_UNSAFE = re.compile(r"[^\w.,=+-]+")


def _safe(text: str) -> str:
    """Letters, digits and ``_ . , = + -`` only (``/``, spaces, quotes, brackets become ``_``)."""
    return _UNSAFE.sub("_", text)


def _flow(value: Any) -> str:
    """A value as one line of YAML (``false``, ``12``, ``[mon, tue]``)."""
    text = yaml.safe_dump(value, default_flow_style=True).strip()
    return text.removesuffix("...").strip()


def _override_parts(overrides: Sequence[str] | Mapping[str, Any]) -> list[tuple[str, str]]:
    if isinstance(overrides, Mapping):
        return [(str(k), _flow(v)) for k, v in overrides.items()]
    parts = []
    for text in overrides:
        key, _, value = str(text).partition("=")
        parts.append((key.strip(), value.strip()))
    return parts


def _short_key(key: str, keys: Sequence[str]) -> str:
    """The shortest dotted suffix of ``key`` that no other key of the scenario ends with
    (``offices.county.one_stop`` → ``one_stop``; ``offices.town.staff`` → ``town.staff``)."""
    parts = key.split(".")
    for n in range(1, len(parts) + 1):
        suffix = ".".join(parts[-n:])
        clashes = [k for k in keys if k != key and (k == suffix or k.endswith("." + suffix))]
        if not clashes:
            return suffix
    return key


def default_folder_name(
    scenario: Scenario,
    overrides: Sequence[str] | Mapping[str, Any] = (),
    prefix: str = "",
) -> str:
    """``<prefix><name>+<key>=<value>+...``: the scenario's name and its ``--set`` changes
    (each key shortened to what tells it apart), filesystem-safe and at most
    ``MAX_NAME_BYTES`` long. Without overrides it is ``<prefix><name>``."""
    keys = list(_leaves(_as_stored(scenario)))
    labels = [f"{_short_key(k, keys)}={v}" for k, v in _override_parts(overrides) if k]
    name = _safe("+".join([prefix + scenario.name, *labels]))
    if name.startswith("."):
        name = "_" + name[1:]
    if len(name.encode("utf-8")) <= MAX_NAME_BYTES:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]
    cut = name.encode("utf-8")[: MAX_NAME_BYTES - 11].decode("utf-8", errors="ignore")
    return f"{cut}~{digest}"
