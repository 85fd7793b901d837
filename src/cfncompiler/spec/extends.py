"""A spec may ``extends:`` another: maps merge key by key, anything else is replaced, ``null`` removes a key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from cfncompiler.errors import Problem, SpecError
from cfncompiler.spec.source import key_origins, read_yaml

# The rule id of a broken `extends` (see `cfncompiler rules`).
EXTENDS_RULE = "S005"


EXTENDS = "extends"


def read_document(path: Path, chain: tuple[Path, ...]) -> Any:
    """The spec file merged over the file it ``extends`` (recursively): maps merge key by key,
    anything else (scalars, lists) is replaced, and ``null`` removes a key. Every value keeps
    the file and position it was written at."""
    document = read_yaml(path)
    base_name = document.get(EXTENDS)
    if base_name is None:
        setattr(document, "_files", [path])  # noqa: B010 - a new attribute on a ruamel node
        return document
    if not isinstance(base_name, str):
        line, col = document.lc.value(EXTENDS)
        raise SpecError(
            [Problem(str(path), line + 1, col + 1, EXTENDS, "must be the path of another spec file", EXTENDS_RULE)]
        )
    base_path = path.parent / base_name
    if base_path.resolve() in {p.resolve() for p in (*chain, path)}:
        line, col = document.lc.value(EXTENDS)
        raise SpecError(
            [
                Problem(
                    str(path),
                    line + 1,
                    col + 1,
                    EXTENDS,
                    f"{base_name} extends this file again (a cycle)",
                    EXTENDS_RULE,
                )
            ]
        )
    base = read_document(base_path, (*chain, path))
    _merge(base, document)
    # The merged root now speaks for this file; keys it did not override still point into the base.
    origins = key_origins(base)
    for key in base:
        origins.setdefault(key, getattr(base, "_origin", ""))
    setattr(base, "_origin", getattr(document, "_origin", ""))  # noqa: B010 - a new attribute on a ruamel node
    setattr(base, "_files", [*getattr(base, "_files", []), path])  # noqa: B010 - every file of the chain
    return base


def _merge(base: CommentedMap, override: CommentedMap) -> None:
    origin = getattr(override, "_origin", "")
    for key, value in override.items():
        if value is None and key in base:
            del base[key]
            # Remember where the key was removed, so "required key is missing" can point there.
            line, col = override.lc.value(key)
            _removed(base)[key] = (origin, line, col)
        elif isinstance(value, CommentedMap) and isinstance(base.get(key), CommentedMap):
            # A YAML alias (`*langfuse-env`) may share this map with another key: merge into a copy.
            base[key] = _own_copy(base[key])
            _merge(base[key], value)
        else:
            base[key] = value
            base.lc.data[key] = override.lc.data[key]
            key_origins(base)[key] = origin


def _own_copy(node: CommentedMap) -> CommentedMap:
    copy = CommentedMap()
    for key, value in node.items():
        copy[key] = value
    copy.lc.line, copy.lc.col = node.lc.line, node.lc.col
    copy.lc.data = dict(node.lc.data)
    for attribute in ("_origin", "_key_origins", "_removed"):
        if hasattr(node, attribute):
            value = getattr(node, attribute)
            setattr(copy, attribute, dict(value) if isinstance(value, dict) else value)
    return copy


def _removed(node: CommentedMap) -> dict[Any, tuple[str, int, int]]:
    if not hasattr(node, "_removed"):
        setattr(node, "_removed", {})  # noqa: B010 - a new attribute on a ruamel node
    removed: dict[Any, tuple[str, int, int]] = getattr(node, "_removed")  # noqa: B009
    return removed
