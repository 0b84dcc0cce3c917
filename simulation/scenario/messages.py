"""Pydantic's validation errors in the user's words: key path, file and line, expected, found.

``validate`` runs the schema once over composed data and turns every error into a
``ScenarioError`` located with the line origins (``source.py``): pydantic's union tags are
dropped from key paths, bounds are read from the schema and close names are suggested.
"""

from __future__ import annotations

import datetime as dt
import re
import reprlib
import types
import typing
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from ..errors import ScenarioError, did_you_mean
from .distributions import Distribution
from .schema import Scenario

__all__ = ["KeyPath", "Origin", "Origins", "located", "show", "validate"]

KeyPath = tuple[str, ...]
Origin = tuple[str | None, int | None]
"""``(file, line)`` that wrote a key: ``("--set", None)`` for an override."""
Origins = dict[KeyPath, Origin]

DISTRIBUTION_NAMES: tuple[str, ...] = tuple(
    get_args(member.model_fields["dist"].annotation)[0]
    for member in get_args(get_args(Distribution)[0])
)
"""The values of a distribution's ``dist`` key."""

_FOUND_WIDTH = 80


def validate(data: dict, origins: Origins, main_file: str | None) -> Scenario:
    """The scenario, or one ``ScenarioError`` listing every problem (first ones first).

    This is the one gate: every check of a scenario is in the schema (``schema.py``), so a
    problem anywhere is named with its key and, when a file wrote it, the file and line.
    """
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        first, *others = _convert(error, origins, main_file)
    first.others = others
    first.args = (first.message(),)
    raise first


def located(
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
    problems: list[tuple[KeyPath, bool, ScenarioError]] = []
    union_keys: dict[str, ScenarioError] = {}
    bad_keys: list[KeyPath] = []  # a wrong mapping key: its value's problems are not repeated
    for err in error.errors():
        ctx = err.get("ctx") or {}
        loc = list(err["loc"])
        at = ctx.get("at")
        if isinstance(at, str):
            loc += [int(p) if p.isdigit() else p for p in at.split(".")]
        elif isinstance(at, tuple):
            loc += list(at)
        walk = _walk(loc)
        path = list(walk.path)
        expected, found, hint = _describe(err, walk)
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            path.append(str(ctx.get("discriminator", "dist")).strip("'\""))
        problem = located(tuple(path), expected, found, hint, origins, main_file)
        if "[key]" in loc:
            bad_keys.append(tuple(path))
        if walk.union_member:  # one error per member of a plain union: join them
            same = union_keys.get(problem.key)
            if same is not None:
                if expected not in same.expected:
                    same.expected += f" or {expected}"
                continue
            union_keys[problem.key] = problem
        problems.append((tuple(path), "[key]" in loc, problem))
    kept = [
        problem
        for path, is_key, problem in problems
        if is_key or not any(path[: len(bad)] == bad for bad in bad_keys)
    ]
    for problem in kept:
        problem.args = (problem.message(),)
    return kept


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
            raw = [a for a in get_args(ann) if a is not type(None)]
            members = [_unwrap(a)[0] for a in raw]
            member = _tagged_member(members, elem)
            if member is not None:  # a discriminated union's tag: not the user's key
                ann = member
                i += 1
                continue
            named = {_type_tag(m): m for m in members}
            named.update({_pydantic_tag(r): r for r in raw})  # e.g. list[constrained-int]
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


def _pydantic_tag(ann: Any) -> str:
    """The tag pydantic gives a plain union's member in an error's ``loc``: a constrained
    ``int`` is ``constrained-int``, a list of them ``list[constrained-int]``."""
    base, metadata = _unwrap(ann)
    origin = get_origin(base)
    if origin in (list, dict):
        inner = ",".join(_pydantic_tag(a) for a in get_args(base))
        return f"{origin.__name__}[{inner}]"
    if metadata and isinstance(base, type):
        return f"constrained-{base.__name__}"
    return _type_tag(base)


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
    found = show(value)
    hint = None
    noun = "an integer" if walk.leaf is int else "a number"
    if kind == "missing":
        return "a value", "nothing", None
    if kind == "extra_forbidden":
        key = walk.path[-1] if walk.path else "?"
        names = list(walk.owner.model_fields) if walk.owner else []
        hint = did_you_mean(key, names) or (f"known keys: {', '.join(names)}" if names else None)
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
        return f"one of {ctx.get('expected')}", found, did_you_mean(value, options)
    if kind == "union_tag_invalid":
        tag = ctx.get("tag")
        options = re.findall(r"'([^']*)'", str(ctx.get("expected_tags", "")))
        return f"one of {ctx.get('expected_tags')}", show(tag), did_you_mean(tag, options)
    if kind == "union_tag_not_found":
        names = ", ".join(DISTRIBUTION_NAMES)
        return f"a distribution name, one of {names}", "nothing", None
    if kind == "value_error":
        if "expected" in ctx and "found" in ctx:
            return str(ctx["expected"]), str(ctx["found"]), ctx.get("hint")
        message = re.sub(r"^Value error, ", "", err["msg"])
        if ", found " in message:
            expected, _, found = message.partition(", found ")
            return re.sub(r"^(needs|must be|must) ", "", expected), found, None
        return message, found, None
    message = re.sub(r"^Input should be ", "", err["msg"])
    return message, found, None


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict = 3, 8, 8
_SHORT.maxstring = _SHORT.maxother = _SHORT.maxlong = _FOUND_WIDTH


def show(value: Any) -> str:
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
    elif isinstance(value, dt.date | dt.time):  # YAML reads 2021-03-01 as a date
        text = f"the {'date' if isinstance(value, dt.date) else 'time'} {value.isoformat()}"
    else:
        text = repr(value)
    if len(text) > _FOUND_WIDTH:
        text = text[: _FOUND_WIDTH - 3] + "..."
    return text
