"""Read a spec file into a validated :class:`Spec`, or explain every problem with its position.

ruamel.yaml's round-trip loader keeps the line and column of every key and
value; pydantic reports each problem with a path. Joining the two gives
``spec/production.yaml:42:7: platform.services.coder.memory: message``.
"""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from cfncompiler.errors import Problem as Problem
from cfncompiler.errors import SpecError as SpecError
from cfncompiler.model import RuleViolations, Spec

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class LoadedSpec:
    """A valid spec with the parsed file behind it, so later checks can point at lines too."""

    spec: Spec
    path: Path
    document: Any

    def problem(self, loc: Loc, message: str) -> Problem:
        return _locate(self.document, loc, message, str(self.path))

    def directory_of(self, loc: Loc) -> Path:
        """The directory of the file that wrote the value at ``loc``: relative paths there start from it."""
        origin, _, _ = _position(self.document, loc)
        return Path(origin).parent if origin else self.path.parent

    def files(self) -> list[Path]:
        """The spec file and every file it extends, even one whose every value was overridden."""
        files: list[Path] = getattr(self.document, "_files", [self.path])
        return list(files)


def load_spec(path: Path) -> Spec:
    return load(path).spec


def load(path: Path) -> LoadedSpec:
    document = read_document(path, ())
    return LoadedSpec(validate(document, str(path)), path, document)


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
        raise SpecError([Problem(str(path), line + 1, col + 1, EXTENDS, "must be the path of another spec file")])
    base_path = path.parent / base_name
    if base_path.resolve() in {p.resolve() for p in (*chain, path)}:
        line, col = document.lc.value(EXTENDS)
        raise SpecError(
            [Problem(str(path), line + 1, col + 1, EXTENDS, f"{base_name} extends this file again (a cycle)")]
        )
    base = read_document(base_path, (*chain, path))
    _merge(base, document)
    # The merged root now speaks for this file; keys it did not override still point into the base.
    origins = _key_origins(base)
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
            _key_origins(base)[key] = origin


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


def read_yaml(path: Path) -> Any:
    """A spec file: YAML with positions (see ``parse_yaml``) that is a non-empty mapping of sections."""
    name = str(path)
    document = parse_yaml(path)
    if document is None:
        raise SpecError([Problem(name, 1, 1, "", "the spec is empty")])
    if not isinstance(document, CommentedMap):
        raise SpecError([Problem(name, 1, 1, "", "the spec must be a mapping of sections (project, network, ...)")])
    _mark_origin(document, name)
    return document


def parse_yaml(path: Path) -> Any:
    """Parse any YAML file keeping positions; unreadable files, duplicate keys and syntax errors
    become a :class:`SpecError` with the file's name and the position."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError([Problem(name, 1, 1, "", "file not found")]) from None
    except IsADirectoryError:
        raise SpecError([Problem(name, 1, 1, "", "is a directory, not a spec file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError([Problem(name, 1, 1, "", f"cannot be read: {exc}")]) from None
    try:
        document = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise SpecError([Problem(name, line, col, "", f"YAML error: {_first_line(reason)}")]) from None
    except YAMLError as exc:
        raise SpecError([Problem(name, 1, 1, "", f"YAML error: {_first_line(str(exc))}")]) from None
    return document


def _mark_origin(node: Any, file: str) -> None:
    """Remember which file each mapping and list came from (specs can extend other specs)."""
    if isinstance(node, (CommentedMap, CommentedSeq)):
        setattr(node, "_origin", file)  # noqa: B010 - a new attribute on a ruamel node
        for child in node.values() if isinstance(node, CommentedMap) else node:
            _mark_origin(child, file)


def _key_origins(node: CommentedMap) -> dict[Any, str]:
    if not hasattr(node, "_key_origins"):
        setattr(node, "_key_origins", {})  # noqa: B010 - a new attribute on a ruamel node
    origins: dict[Any, str] = getattr(node, "_key_origins")  # noqa: B009
    return origins


def validate(document: Any, file: str) -> Spec:
    try:
        return Spec.model_validate(document)
    except ValidationError as exc:
        problems = _problems(exc, document, file)
    # Cross-field rules run only on a section whose fields are all valid, so a quoted number
    # would hide a subnet outside the VPC until the next run. A second, lax pass (where "9090"
    # reads as 9090) lets those rules run too; only its rule findings are added.
    try:
        Spec.model_validate(document, strict=False)
    except ValidationError as lax:
        problems += _problems(lax, document, file, rules_only=True)
    raise SpecError(sorted(set(problems), key=lambda p: (p.file, p.line, p.column, p.message)))


def _problems(exc: ValidationError, document: Any, file: str, *, rules_only: bool = False) -> list[Problem]:
    found: list[Problem] = []
    for error in exc.errors():
        cause = (error.get("ctx") or {}).get("error")
        base = _yaml_loc(document, error["loc"])
        if isinstance(cause, RuleViolations):
            for rel, message in cause.violations:
                found.append(_locate(document, base + tuple(rel), message, file))
        elif rules_only:
            continue
        else:
            at_key = error["type"] == "extra_forbidden" or KEY_SEGMENT in error["loc"]
            found.append(_locate(document, base, _message(error, base), file, at_key=at_key))
    unique = sorted(set(found), key=lambda p: (p.line, p.column, p.message))
    return unique


# pydantic's loc segment for an error in a mapping's key rather than its value.
KEY_SEGMENT = "[key]"


def _yaml_loc(document: Any, loc: Loc) -> Loc:
    """Drop the segments pydantic adds for unions and validators ('rules', 'function-after[...]')."""
    kept: list[str | int] = []
    node = document
    for part in loc:
        found, child = _child(node, part)
        if found:
            node = child
        elif isinstance(node, (CommentedMap, CommentedSeq)) and part == loc[-1] and part != KEY_SEGMENT:
            node = None  # a missing key: keep it so the message can name it
        else:
            continue
        kept.append(part)
    return tuple(kept)


def _child(node: Any, part: str | int) -> tuple[bool, Any]:
    if isinstance(node, CommentedMap) and part in node:
        return True, node[part]
    if isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
        return True, node[part]
    return False, None


def _locate(document: Any, loc: Loc, message: str, file: str, *, at_key: bool = False) -> Problem:
    """``file`` names the spec the caller loaded; a value from a file it extends names that file."""
    origin, line, col = _position(document, loc, at_key=at_key)
    from_base = origin is not None and origin != getattr(document, "_origin", None)
    return Problem(origin if from_base and origin else file, line, col, _dotted(loc), message)


def _position(document: Any, loc: Loc, *, at_key: bool = False) -> tuple[str | None, int, int]:
    """File, 1-based line and column of the deepest node on ``loc`` that exists in the file.

    A scalar is pointed at by its value (where the wrong thing is written), a
    mapping or list by its key, and an unknown key (``at_key``) by the key itself.
    """
    node = document
    origin: str | None = getattr(document, "_origin", None)
    line, col = 0, 0
    for depth, part in enumerate(loc):
        if isinstance(node, CommentedMap) and part in node:
            value = node[part]
            last = depth == len(loc) - 1
            nested = isinstance(value, (CommentedMap, CommentedSeq))
            line, col = node.lc.key(part) if nested or (at_key and last) else node.lc.value(part)
            origin = getattr(node, "_key_origins", {}).get(part, getattr(node, "_origin", origin))
            node = value
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line, col = node.lc.item(part)
            origin = getattr(node, "_origin", origin)
            node = node[part]
        else:
            removed = getattr(node, "_removed", {}).get(part) if isinstance(node, CommentedMap) else None
            if removed is not None:
                origin, line, col = removed
            elif depth == 0 and isinstance(node, (CommentedMap, CommentedSeq)):
                line, col = node.lc.line, node.lc.col
            break
    return origin, line + 1, col + 1


def _dotted(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _message(error: Any, loc: Loc) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        suggestion = (
            f"; did you mean '{hint[0]}'?" if hint else (f" (allowed: {', '.join(allowed)})" if allowed else "")
        )
        return f"unknown key '{loc[-1]}'{suggestion}"
    if kind == "value_error":
        return str(error["ctx"]["error"])  # our own validator's sentence, as written
    message = str(error["msg"])
    if kind in {"string_pattern_mismatch"}:
        return f"{error['input']!r} is not a valid value here (expected {error['ctx']['pattern']})"
    if "input" in error and not isinstance(error["input"], (dict, list)):
        return f"{message} (got {error['input']!r})"
    return message


def _allowed_keys(loc: Loc) -> list[str]:
    """Field names of the model found at ``loc``, aliases as written in YAML."""
    model: Any = Spec
    for part in loc:
        model = _step(model, part)
        if model is None:
            return []
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [f.alias or n for n, f in model.model_fields.items()]
    return []


def _step(annotation: Any, part: str | int) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        # A union (egress: 'all' | [rules]): the member that has this part is the one in the file.
        return next((s for s in (_step(_unwrap(a), part) for a in typing.get_args(annotation)) if s), None)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = next(
            (f for n, f in annotation.model_fields.items() if (f.alias or n) == part),
            None,
        )
        return _unwrap(field.annotation) if field else None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is dict:
        return _unwrap(args[1])
    if origin is list:
        return _unwrap(args[0])
    return None


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional so the walk reaches the model inside."""
    while True:
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is typing.Annotated:
            annotation = args[0]
        elif origin in (typing.Union, types.UnionType):
            models = [a for a in args if a is not type(None)]
            annotation = models[0] if len(models) == 1 else annotation
            if len(models) != 1:
                return annotation
        else:
            return annotation


def _first_line(text: str) -> str:
    return " ".join(text.split())
