"""Safe YAML reading: a scenario file's plain data and, for every key path, the line that wrote it.

Only plain data is read (no language tags); a key written twice, absurd nesting or a character
YAML does not allow is a ``ScenarioError`` naming the file, line and column. The line origins let
every later error (``extends``, ``--set``, validation) say where a key was written.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import ScenarioError
from .messages import KeyPath, Origins, show

__all__ = ["MAX_NESTING", "parse_yaml", "read_yaml_file"]

MAX_NESTING = 32
"""At most this many levels of nested mappings and lists in a scenario file (the format needs 6)."""


def read_yaml_file(path: Path, display: str) -> tuple[dict, Origins]:
    """The top-level mapping of the file at ``path`` (named ``display`` in errors) and its
    line origins; ``extends`` is left in the data for ``compose.py``."""
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
    return parse_yaml(text, display)


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
            raise _BadValue(node, f"{show(node.value)} ({reason})") from None


class _BadValue(yaml.constructor.ConstructorError):
    def __init__(self, node: yaml.Node, found: str) -> None:
        super().__init__(None, None, found, node.start_mark)
        self.node = node


def parse_yaml(text: str, display: str) -> tuple[dict, Origins]:
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
        found = "an empty file" if data is None else f"{_kind(data)} {show(data)}"
        line = node.start_mark.line + 1 if node is not None else None
        raise ScenarioError(
            "", "a mapping of keys at the top level", found, file=display, line=line
        )
    origins: Origins = {(): (display, None)}
    _walk_nodes(node, (), display, origins, set())
    return data, origins


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a text"
    return "a value"


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
