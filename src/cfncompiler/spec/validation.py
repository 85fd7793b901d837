"""pydantic's validation errors as located problems a person can act on ("did you mean ...")."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from cfncompiler.errors import Problem
from cfncompiler.spec.model import Spec
from cfncompiler.spec.source import Loc, locate


def schema_problems(exc: ValidationError, document: Any, file: str) -> list[Problem]:
    """Each of pydantic's errors as a located problem with the schema rule it breaks."""
    found: list[Problem] = []
    for error in exc.errors():
        base = _yaml_loc(document, error["loc"])
        at_key = error["type"] == "extra_forbidden" or KEY_SEGMENT in error["loc"]
        found.append(locate(document, base, _message(error, base), file, at_key=at_key, rule=_schema_rule(error)))
    return found


def _schema_rule(error: Any) -> str:
    kind = error["type"]
    return {"extra_forbidden": "S002", "missing": "S003"}.get(kind, "S004")


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
        return f"unknown key {str(loc[-1])!r}{suggestion}"
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
    model = model_at(loc)
    return [f.alias or n for n, f in model.model_fields.items()] if model else []


def model_at(loc: Loc) -> type[BaseModel] | None:
    """The schema model of the value at ``loc`` in a spec, if that value is a model."""
    model: Any = Spec
    for part in loc:
        model = _step(model, part)
        if model is None:
            return None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


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
