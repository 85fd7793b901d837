"""Read YAML keeping the file, line and column of every value, and find them again by path.

ruamel.yaml's round-trip loader keeps the position of every key and value; a spec
path such as ``("platform", "services", "coder", "memory")`` leads back to it, so
every problem can say ``spec/production.yaml:42:7``. Values merged in from a file
the spec ``extends`` remember that file.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, ReusedAnchorWarning, YAMLError
from ruamel.yaml.scanner import Scanner

from cfncompiler.errors import Problem, SpecError

Loc = tuple[str | int, ...]

# The rule id of a file that cannot be read as YAML at all (see `cfncompiler rules`).
UNREADABLE = "S001"


def read_yaml(path: Path) -> Any:
    """A spec file: YAML with positions (see ``parse_yaml``) that is a non-empty mapping of sections."""
    name = str(path)
    document = parse_yaml(path)
    if document is None:
        raise SpecError([Problem(name, 1, 1, "", "the spec is empty", UNREADABLE)])
    if not isinstance(document, CommentedMap):
        raise SpecError(
            [Problem(name, 1, 1, "", "the spec must be a mapping of sections (project, network, ...)", UNREADABLE)]
        )
    _mark_origin(document, name)
    return document


def parse_yaml(path: Path) -> Any:
    """Parse any YAML file keeping positions; unreadable files, duplicate keys and syntax errors
    become a :class:`SpecError` with the file's name and the position."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError([Problem(name, 1, 1, "", "file not found", UNREADABLE)]) from None
    except IsADirectoryError:
        raise SpecError([Problem(name, 1, 1, "", "is a directory, not a spec file", UNREADABLE)]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError([Problem(name, 1, 1, "", f"cannot be read: {exc}", UNREADABLE)]) from None
    try:
        with warnings.catch_warnings():
            # YAML lets an anchor be defined again (an alias takes the latest); ruamel's warning about it
            # would reach the user as a dozen unlocated lines about valid input.
            warnings.simplefilter("ignore", ReusedAnchorWarning)
            document = _loader().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise SpecError([Problem(name, line, col, "", f"YAML error: {_first_line(reason)}", UNREADABLE)]) from None
    except YAMLError as exc:
        raise SpecError([Problem(name, 1, 1, "", f"YAML error: {_first_line(str(exc))}", UNREADABLE)]) from None
    return document


def _loader() -> YAML:
    """The round-trip loader (positions on every key, value and item) with the plain scanner: the
    spec's comments are for people, and not gathering them takes a quarter off every parse."""
    loader = YAML(typ="rt")
    loader.Scanner = Scanner
    return loader


def _mark_origin(node: Any, file: str) -> None:
    """Remember which file each mapping and list came from (specs can extend other specs)."""
    if isinstance(node, (CommentedMap, CommentedSeq)):
        setattr(node, "_origin", file)  # noqa: B010 - a new attribute on a ruamel node
        for child in node.values() if isinstance(node, CommentedMap) else node:
            _mark_origin(child, file)


def key_origins(node: CommentedMap) -> dict[Any, str]:
    if not hasattr(node, "_key_origins"):
        setattr(node, "_key_origins", {})  # noqa: B010 - a new attribute on a ruamel node
    origins: dict[Any, str] = getattr(node, "_key_origins")  # noqa: B009
    return origins


def locate(document: Any, loc: Loc, message: str, file: str, *, at_key: bool = False, rule: str = "") -> Problem:
    """``file`` names the spec the caller loaded; a value from a file it extends names that file."""
    origin, line, col = position(document, loc, at_key=at_key)
    from_base = origin is not None and origin != getattr(document, "_origin", None)
    return Problem(origin if from_base and origin else file, line, col, dotted(loc), message, rule)


def position(document: Any, loc: Loc, *, at_key: bool = False) -> tuple[str | None, int, int]:
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


def dotted(loc: Loc) -> str:
    """``platform.services.coder.ports[0]``; a key that is blank or holds spaces is quoted (``[' ']``),
    so the path is always one visible word after the location."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not part.strip() or part != "".join(part.split()):
            text += f"[{part!r}]"
        else:
            text += f".{part}" if text else part
    return text


def _first_line(text: str) -> str:
    return " ".join(text.split())
