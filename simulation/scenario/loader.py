"""Reading scenarios: YAML files, ``extends``, ``--set`` overrides and clear error messages.

``load_scenario`` turns a file, a dict or a ``Scenario`` into a validated ``Scenario``. Every
problem becomes one ``ScenarioError`` naming the dotted key (``offices.county.staff``), the file
and line that wrote it (or ``(from --set)``), what was expected and what was found.
"""

from __future__ import annotations

import copy
import difflib
import importlib.resources
import os
import re
import reprlib
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from ..analysis.kpis import KPI_NAMES
from ..errors import ScenarioError
from .distributions import Distribution
from .schema import Scenario

__all__ = [
    "KPI_NAMES",
    "MAX_EXTENDS_DEPTH",
    "ScenarioError",
    "dump_yaml",
    "load_scenario",
    "packaged_default_path",
    "resolve_dict",
]


DISTRIBUTION_NAMES: tuple[str, ...] = tuple(
    get_args(member.model_fields["dist"].annotation)[0]
    for member in get_args(get_args(Distribution)[0])
)
"""The values of a distribution's ``dist`` key."""

MAX_EXTENDS_DEPTH = 10
"""At most this many ``extends`` hops from the file loaded."""

MAX_NESTING = 32
"""At most this many levels of nested mappings and lists in a scenario file (the format needs 6)."""

_YAML_SUFFIXES = (".yaml", ".yml")

_FOUND_WIDTH = 80
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_FROM_SET = ("--set", None)
"""The origin of a value given by an override."""

KeyPath = tuple[str, ...]
Origin = tuple[str | None, int | None]
Origins = dict[KeyPath, Origin]


# ---------------------------------------------------------------- public API


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
        data, origins = _resolve_extends(data, origins, Path.cwd(), None, [])
    elif isinstance(source, str | os.PathLike):
        main_file = os.fspath(source)
        data, origins = _load_file(Path(main_file), main_file, [])
    else:
        raise TypeError(f"cannot load a scenario from {type(source).__name__}")
    if overrides:
        _apply_overrides(data, origins, overrides)
    return _validate(data, origins, main_file)


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


class _Dumper(yaml.SafeDumper):
    """Block style, but short lists of plain values on one line; no anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = all(isinstance(x, int | float | bool | str) for x in data) and len(data) <= 20
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


# ---------------------------------------------------------------- reading YAML


def _load_file(path: Path, display: str, chain: list[tuple[Path, str]]) -> tuple[dict, Origins]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError("", "an existing scenario file", "no such file", file=display) from None
    except IsADirectoryError:
        raise ScenarioError("", "a scenario file", "a directory", file=display) from None
    except UnicodeDecodeError as error:
        raise ScenarioError("", "a UTF-8 text file", str(error), file=display) from None
    except OSError as error:
        raise ScenarioError("", "a readable file", str(error), file=display) from None
    data, origins = _parse_yaml(text, display)
    return _resolve_extends(data, origins, path.parent, display, [*chain, (path, display)])


class _SafeLoader(yaml.SafeLoader):
    """The safe loader (plain data, no language tags) whose value errors carry a position.

    PyYAML's own constructors raise plain ``ValueError`` (``2021-02-30``, an integer of 5,000
    digits) or ``AttributeError``; they become a ``_BadValue`` naming the node.
    """

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, OverflowError, AttributeError, TypeError) as error:
            reason = str(error).split(";")[0]
            raise _BadValue(node, f"{_show(node.value)} ({reason})") from None


class _BadValue(yaml.constructor.ConstructorError):
    def __init__(self, node: yaml.Node, found: str) -> None:
        super().__init__(None, None, found, node.start_mark)
        self.node = node


def _parse_yaml(text: str, display: str) -> tuple[dict, Origins]:
    """Safe YAML (no language tags) and, for every key path, the line that wrote it."""
    loader = None
    node = None
    try:
        loader = _SafeLoader(text)
        node = loader.get_single_node()
        if node is not None:
            _check_nodes(node, (), display, 0, set())
        data = loader.construct_document(node) if node is not None else None
    except _BadValue as error:
        key = _path_to(node, error.node) if node is not None else None
        mark = error.problem_mark
        raise ScenarioError(
            ".".join(key or ()),
            "a valid value",
            error.problem,
            file=display,
            line=mark.line + 1,
            column=mark.column + 1,
        ) from None
    except yaml.MarkedYAMLError as error:
        raise _yaml_error(error, display) from None
    except yaml.reader.ReaderError as error:  # a character YAML does not allow (NUL, ...)
        line = text.count("\n", 0, error.position) + 1
        column = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
        found = f"the character #x{error.character:04x} ({error.reason})"
        raise ScenarioError(
            "", "valid YAML text", found, file=display, line=line, column=column
        ) from None
    except yaml.YAMLError as error:
        raise ScenarioError("", "valid YAML", str(error), file=display) from None
    except RecursionError:
        mark = loader.get_mark() if loader is not None else None
        raise ScenarioError(
            "",
            f"at most {MAX_NESTING} levels of nested mappings and lists",
            "data nested too deeply to read",
            file=display,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(data, dict):
        found = "an empty file" if data is None else f"{_kind(data)} {_show(data)}"
        line = node.start_mark.line + 1 if node is not None else None
        raise ScenarioError(
            "", "a mapping of keys at the top level", found, file=display, line=line
        )
    origins: Origins = {(): (display, None)}
    _walk_nodes(node, (), display, origins, set())
    return data, origins


def _check_nodes(node: yaml.Node, path: KeyPath, display: str, depth: int, seen: set[int]) -> None:
    """Before building any value: no key written twice in one mapping, no absurd nesting.

    Each node is visited once, so aliases of aliases (a "billion laughs") cost nothing.
    """
    if id(node) in seen:
        return
    seen.add(id(node))
    mark = node.start_mark
    if depth > MAX_NESTING:
        raise ScenarioError(
            ".".join(path),
            f"at most {MAX_NESTING} levels of nested mappings and lists",
            "deeper nesting",
            file=display,
            line=mark.line + 1,
            column=mark.column + 1,
        )
    if isinstance(node, yaml.MappingNode):
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and key_node.tag != "tag:yaml.org,2002:merge":
                line = key_node.start_mark.line + 1
                if key in lines:
                    raise ScenarioError(
                        ".".join((*path, key)),
                        "each key once in a mapping",
                        f"{key!r} again (first on line {lines[key]})",
                        file=display,
                        line=line,
                        column=key_node.start_mark.column + 1,
                    )
                lines[key] = line
            _check_nodes(value_node, (*path, key or "?"), display, depth + 1, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _check_nodes(item, (*path, str(i)), display, depth + 1, seen)


def _path_to(root: yaml.Node, target: yaml.Node) -> KeyPath | None:
    """The key path of ``target`` inside the document ``root`` (None if not found)."""
    stack: list[tuple[yaml.Node, KeyPath]] = [(root, ())]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
                if key_node is target:
                    return path
                stack.append((value_node, (*path, key)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*path, str(i))) for i, item in enumerate(node.value))
    return None


def _yaml_error(error: yaml.MarkedYAMLError, display: str) -> ScenarioError:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    problem = error.problem or "invalid YAML"
    tag = re.search(r"constructor for the tag '([^']*)'", problem)
    if isinstance(error, yaml.constructor.ConstructorError) and tag:
        name = tag.group(1).replace("tag:yaml.org,2002:", "!!")
        return ScenarioError(
            "",
            "plain YAML data (language-specific tags are not allowed)",
            f"the tag {name}",
            file=display,
            line=line,
            column=column,
        )
    found = f"a syntax error: {problem}"
    if error.context:
        found += f" ({error.context})"
    return ScenarioError("", "valid YAML", found, file=display, line=line, column=column)


def _walk_nodes(
    node: yaml.Node, path: KeyPath, display: str, origins: Origins, seen: set[int]
) -> None:
    if id(node) in seen:  # an alias: its keys were written where the anchor is
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = path + (str(key_node.value),)
            origins[key] = (display, key_node.start_mark.line + 1)
            _walk_nodes(value_node, key, display, origins, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            key = path + (str(i),)
            origins[key] = (display, item.start_mark.line + 1)
            _walk_nodes(item, key, display, origins, seen)


# ---------------------------------------------------------------- extends


def _resolve_extends(
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
        raise fail("the path of a local YAML file", _show(target))
    if _URL.match(target):
        raise fail("a local file path (URLs are not allowed)", _show(target))
    if not target.lower().endswith(_YAML_SUFFIXES):
        raise fail("the path of a local YAML file (.yaml or .yml)", _show(target))
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
    parent, parent_origins = _load_file(path, parent_display, chain)
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


def _apply_overrides(
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
                    "", "an override like key.path=value", _show(text), from_set=True
                )
            key, _, raw = text.partition("=")
            try:
                value = yaml.load(raw, Loader=yaml.SafeLoader)
            except yaml.YAMLError as error:
                problem = getattr(error, "problem", None) or str(error)
                raise ScenarioError(
                    key.strip(), "a YAML value", f"{_show(raw)} ({problem})", from_set=True
                ) from None
            except (ValueError, OverflowError, AttributeError, TypeError, RecursionError) as error:
                problem = str(error).split(";")[0] or "too deeply nested"
                raise ScenarioError(
                    key.strip(), "a YAML value", f"{_show(raw)} ({problem})", from_set=True
                ) from None
            items.append((key.strip(), value, text))
    for key, value, text in items:
        _set_path(data, origins, key, value, text)


def _set_path(data: dict, origins: Origins, key: str, value: Any, text: str) -> None:
    parts = key.split(".")
    if not key or any(not p.strip() for p in parts):
        raise ScenarioError(
            key, "a dotted key path like offices.county.staff", repr(text), from_set=True
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
                    origins[tuple(parts[: i + 1])] = _FROM_SET
                node = node[part]
        elif isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ScenarioError(
                    here,
                    f"an index of the list {'.'.join(parts[:i])} (0 to {len(node) - 1})",
                    repr(part),
                    from_set=True,
                )
            if last:
                node[int(part)] = value
            else:
                node = node[int(part)]
        else:
            raise ScenarioError(
                ".".join(parts[:i]),
                f"a mapping to set {key!r} in",
                _show(node),
                from_set=True,
            )
    path = tuple(parts)
    for k in [k for k in origins if k[: len(path)] == path]:
        del origins[k]
    origins[path] = _FROM_SET


# ---------------------------------------------------------------- validation


def _validate(data: dict, origins: Origins, main_file: str | None) -> Scenario:
    target_problems: list[ScenarioError] = []
    bad_targets: set[str] = set()
    targets = data.get("targets")
    if isinstance(targets, dict):
        for name, value in targets.items():
            path = ("targets", str(name))
            if name not in KPI_NAMES:
                bad_targets.add(str(name))
                target_problems.append(
                    _located(
                        path,
                        "a KPI name",
                        _show(name),
                        _did_you_mean(name, KPI_NAMES),
                        origins,
                        main_file,
                    )
                )
            elif isinstance(value, bool) or not isinstance(value, int | float):
                bad_targets.add(str(name))
                target_problems.append(
                    _located(path, "a number", _show(value), None, origins, main_file)
                )
    scenario = None
    problems: list[ScenarioError] = []
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        for problem in _convert(error, origins, main_file):
            parts = problem.key.split(".")
            if parts[0] == "targets" and len(parts) > 1 and parts[1] in bad_targets:
                continue
            problems.append(problem)
    problems += target_problems
    if problems:
        first, *others = problems
        first.others = others
        first.args = (first.message(),)
        raise first
    assert scenario is not None
    return scenario


def _located(
    path: KeyPath,
    expected: str,
    found: str,
    hint: str | None,
    origins: Origins,
    main_file: str | None,
) -> ScenarioError:
    file, line = main_file, None
    for n in range(len(path), -1, -1):
        if path[:n] in origins:
            file, line = origins[path[:n]]
            break
    return ScenarioError(
        ".".join(path),
        expected,
        found,
        file=None if file == "--set" else file,
        line=line,
        hint=hint,
        from_set=file == "--set",
    )


def _convert(error: ValidationError, origins: Origins, main_file: str | None) -> list:
    problems: list[ScenarioError] = []
    union_keys: dict[str, ScenarioError] = {}
    for err in error.errors():
        ctx = err.get("ctx") or {}
        loc = list(err["loc"])
        if isinstance(ctx.get("at"), str):
            loc += [int(p) if p.isdigit() else p for p in ctx["at"].split(".")]
        walk = _walk(loc)
        path = list(walk.path)
        expected, found, hint = _describe(err, walk)
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            path.append(str(ctx.get("discriminator", "dist")).strip("'\""))
        problem = _located(tuple(path), expected, found, hint, origins, main_file)
        if walk.union_member:  # one error per member of a plain union: join them
            same = union_keys.get(problem.key)
            if same is not None:
                if expected not in same.expected:
                    same.expected += f" or {expected}"
                continue
            union_keys[problem.key] = problem
        problems.append(problem)
    for problem in problems:
        problem.args = (problem.message(),)
    return problems


class _Walk(typing.NamedTuple):
    path: tuple[str, ...]
    owner: type[BaseModel] | None
    """The model whose field the last key is (None when it is a mapping key or list index)."""
    leaf: Any
    """The base type expected at the last key (int, float, ... or None when unknown)."""
    constraints: dict[str, Any]
    union_member: bool


def _walk(loc: list) -> _Walk:
    """Follow pydantic's ``loc`` through the Scenario model: the user's key path, without
    pydantic's union tags, and the model and type at its end."""
    ann: Any = Scenario
    path: list[str] = []
    owner: type[BaseModel] | None = None
    union_member = False
    i = 0
    while i < len(loc):
        elem = loc[i]
        ann, _ = _unwrap(ann)
        origin = get_origin(ann)
        if origin in (Union, types.UnionType):
            members = [_unwrap(a)[0] for a in get_args(ann) if a is not type(None)]
            member = _tagged_member(members, elem)
            if member is not None:  # a discriminated union's tag: not the user's key
                ann = member
                i += 1
                continue
            named = {_type_tag(m): m for m in members}
            if isinstance(elem, str) and elem in named:  # a plain union's member tag
                ann = named[elem]
                union_member = True
                i += 1
                continue
            ann = None
            continue
        path.append(str(elem))
        owner = None
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            owner = ann
            field = ann.model_fields.get(elem) if isinstance(elem, str) else None
            ann = _field_type(field) if field is not None else None
        elif origin is dict:
            if i + 1 < len(loc) and loc[i + 1] == "[key]":
                ann = get_args(ann)[0]
                i += 1
            else:
                ann = get_args(ann)[1]
        elif origin is list:
            ann = get_args(ann)[0]
        else:
            ann = None
        i += 1
    leaf, constraints = _leaf(ann)
    return _Walk(tuple(path), owner, leaf, constraints, union_member)


def _field_type(field: FieldInfo) -> Any:
    if field.metadata:
        return typing.Annotated[(field.annotation, *field.metadata)]
    return field.annotation


def _unwrap(ann: Any) -> tuple[Any, list]:
    metadata: list = []
    while get_origin(ann) is typing.Annotated:
        args = get_args(ann)
        ann, metadata = args[0], [*metadata, *args[1:]]
    return ann, metadata


def _leaf(ann: Any) -> tuple[Any, dict[str, Any]]:
    constraints: dict[str, Any] = {}
    for _ in range(10):
        ann, metadata = _unwrap(ann)
        for item in metadata:
            for sub in item.metadata if isinstance(item, FieldInfo) else [item]:
                for attr in ("ge", "gt", "le", "lt", "min_length", "max_length"):
                    if getattr(sub, attr, None) is not None:
                        constraints[attr] = getattr(sub, attr)
        if get_origin(ann) in (Union, types.UnionType):
            members = [a for a in get_args(ann) if a is not type(None)]
            if len(members) == 1:
                ann = members[0]
                continue
        break
    return ann, constraints


def _tagged_member(members: list, tag: Any) -> Any:
    if not isinstance(tag, str):
        return None
    for member in members:
        if isinstance(member, type) and issubclass(member, BaseModel):
            for field in member.model_fields.values():
                if get_origin(field.annotation) is Literal and tag in get_args(field.annotation):
                    return member
    return None


def _type_tag(ann: Any) -> str:
    if isinstance(ann, type) and get_origin(ann) is None:
        return ann.__name__
    return str(ann).replace("typing.", "")


# ---------------------------------------------------------------- messages

_PLAIN = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "a text string",
    "string_too_short": "a non-empty text",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "date_type": "a date like 2021-01-01",
    "date_parsing": "a date like 2021-01-01",
    "date_from_datetime_parsing": "a date like 2021-01-01",
    "date_from_datetime_inexact": "a date like 2021-01-01",
    "missing": "a value",
    "extra_forbidden": "a known key",
}


def _describe(err: dict, walk: _Walk) -> tuple[str, str, str | None]:
    """``(expected, found, hint)`` in plain words for one pydantic error."""
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    found = _show(value)
    hint = None
    noun = "an integer" if walk.leaf is int else "a number"
    if kind == "missing":
        return "a value", "nothing", None
    if kind == "extra_forbidden":
        key = walk.path[-1] if walk.path else "?"
        names = list(walk.owner.model_fields) if walk.owner else []
        hint = _did_you_mean(key, names) or (f"known keys: {', '.join(names)}" if names else None)
        return "a known key", repr(key), hint
    if kind in _PLAIN:
        return _PLAIN[kind], found, None
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        c = walk.constraints
        low = ("ge", c["ge"]) if "ge" in c else ("gt", c["gt"]) if "gt" in c else None
        high = ("le", c["le"]) if "le" in c else ("lt", c["lt"]) if "lt" in c else None
        if low is None and high is None:
            low = next(((k, ctx[k]) for k in ("ge", "gt") if k in ctx), None)
            high = next(((k, ctx[k]) for k in ("le", "lt") if k in ctx), None)
        if low and high and low[0] == "ge" and high[0] == "le":
            return f"{noun} between {_num(low[1])} and {_num(high[1])}", found, None
        signs = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}
        bounds = [f"{signs[b[0]]} {_num(b[1])}" for b in (low, high) if b]
        return f"{noun} {' and '.join(bounds)}", found, None
    if kind in ("too_short", "too_long"):
        c = walk.constraints
        low, high = c.get("min_length", ctx.get("min_length")), c.get("max_length")
        high = high if high is not None else ctx.get("max_length")
        if low is not None and low == high:
            expected = f"a list of {low} values"
        elif kind == "too_short":
            expected = f"a list of at least {low} values"
        else:
            expected = f"a list of at most {high} values"
        count = ctx.get("actual_length")
        if count is None and isinstance(value, list | str | dict):
            count = len(value)
        return expected, f"{count} values: {found}" if count is not None else found, None
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return f"one of {ctx.get('expected')}", found, _did_you_mean(value, options)
    if kind == "union_tag_invalid":
        tag = ctx.get("tag")
        options = re.findall(r"'([^']*)'", str(ctx.get("expected_tags", "")))
        return f"one of {ctx.get('expected_tags')}", _show(tag), _did_you_mean(tag, options)
    if kind == "union_tag_not_found":
        names = ", ".join(DISTRIBUTION_NAMES)
        return f"a distribution name, one of {names}", "nothing", None
    if kind == "value_error":
        if "expected" in ctx and "found" in ctx:
            return str(ctx["expected"]), str(ctx["found"]), None
        message = re.sub(r"^Value error, ", "", err["msg"])
        if ", found " in message:
            expected, _, found = message.partition(", found ")
            return re.sub(r"^(needs|must be|must) ", "", expected), found, None
        return message, found, None
    message = re.sub(r"^Input should be ", "", err["msg"])
    return message, found, None


def _did_you_mean(word: Any, options: Sequence[str]) -> str | None:
    if not isinstance(word, str):
        return None
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a text"
    return "a value"


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict = 3, 8, 8
_SHORT.maxstring = _SHORT.maxother = _SHORT.maxlong = _FOUND_WIDTH


def _show(value: Any) -> str:
    """A value as the user would recognise it, shortened (never expanded in full: a YAML
    alias bomb or a 5,000-digit number is shown by its first characters)."""
    if value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = repr(value) if value.bit_length() < 200 else f"a {value.bit_length()}-bit integer"
    elif isinstance(value, list | tuple | dict | set | frozenset):
        text = _SHORT.repr(value)
    else:
        text = repr(value)
    if len(text) > _FOUND_WIDTH:
        text = text[: _FOUND_WIDTH - 3] + "..."
    return text
