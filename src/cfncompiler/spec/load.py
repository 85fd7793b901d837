"""Read a spec file into a validated :class:`Spec`, or explain every problem with its position.

Three steps: the YAML with positions (``source``), merged over what it ``extends``
(``extends``), checked against the schema (``model``, errors explained by
``validation``) and then against the rules (``rules``). Every problem is located:
``spec/production.yaml:42:7: platform.services.coder.memory: message [S301]``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml.comments import CommentedMap

from cfncompiler.errors import Problem, SpecError
from cfncompiler.spec.extends import read_document
from cfncompiler.spec.model import Spec
from cfncompiler.spec.rules import RULES
from cfncompiler.spec.rules.base import ERROR, WARNING, Loc, Rule
from cfncompiler.spec.source import locate, position
from cfncompiler.spec.validation import model_at, schema_problems


@dataclass(frozen=True)
class LoadedSpec:
    """A valid spec with the parsed file behind it, so later checks can point at lines too."""

    spec: Spec
    path: Path
    document: Any

    def problem(self, loc: Loc, message: str, rule: str = "") -> Problem:
        return locate(self.document, loc, message, str(self.path), rule=rule)

    def directory_of(self, loc: Loc) -> Path:
        """The directory of the file that wrote the value at ``loc``: relative paths there start from it."""
        origin, _, _ = position(self.document, loc)
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


def validate(document: Any, file: str) -> Spec:
    """The spec, if it matches the schema and breaks no rule; else SpecError with every problem found."""
    spec: Spec | None
    try:
        spec = Spec.model_validate(document)
        problems: list[Problem] = []
    except ValidationError as exc:
        spec, problems = None, schema_problems(exc, document, file)
    problems += rule_problems(document, file, spec)
    if not problems:
        assert spec is not None  # no schema problem means the strict validation gave a spec
        return spec
    raise SpecError(sorted(set(problems), key=lambda p: (p.file, p.line, p.column, p.message)))


def rule_problems(document: Any, file: str, spec: Spec | None) -> list[Problem]:
    """Every rule, on every part of the spec it reads that is valid on its own.

    A spec with a schema problem is still read part by part (leniently, so "9090" reads
    as 9090): a quoted number in one service must not hide a subnet outside the VPC
    until the next run. A part whose inner parts break a rule is not checked as a whole
    (a section with a broken service would only repeat that problem in other words).
    """
    found: list[tuple[Loc, Problem]] = []
    errors = [rule for rule in RULES if rule.severity == ERROR]
    for depth in sorted({_depth(rule) for rule in errors}, reverse=True):
        deeper = [at for at, _ in found]
        for rule in (r for r in errors if _depth(r) == depth):
            for scope in rule.scopes:
                for where, value in _parts(scope, document, spec):
                    if any(at[: len(where)] == where for at in deeper):
                        continue
                    for rel, message in rule.check(value):
                        at = (*where, *rel)
                        found.append((at, locate(document, at, message, file, rule=rule.id)))
    return [problem for _, problem in found]


def rule_warnings(loaded: LoadedSpec) -> list[Problem]:
    """What the warning rules find in a valid spec, located like problems; none of it stops synth."""
    found: list[Problem] = []
    for rule in (r for r in RULES if r.severity == WARNING):
        for scope in rule.scopes:
            for where, value in _parts(scope, loaded.document, loaded.spec):
                found += [loaded.problem((*where, *rel), message, rule.id) for rel, message in rule.check(value)]
    return sorted(found, key=lambda p: (p.file, p.line, p.column, p.message))


def _depth(rule: Rule) -> int:
    return max(len(scope.split(".")) if scope else 0 for scope in rule.scopes)


def _parts(scope: str, document: Any, spec: Spec | None) -> Iterator[tuple[Loc, Any]]:
    """(path, value) of every part of the spec a scope names, valid on its own."""
    for where, node in _nodes(tuple(scope.split(".")) if scope else (), (), document):
        if spec is not None:
            yield where, _attribute(spec, where)
            continue
        model = model_at(where)
        if model is None:
            continue
        try:
            yield where, model.model_validate(node, strict=False)
        except ValidationError:
            continue


def _nodes(pattern: tuple[str, ...], where: Loc, node: Any) -> Iterator[tuple[Loc, Any]]:
    if not pattern:
        yield where, node
        return
    if not isinstance(node, CommentedMap):
        return
    head, rest = pattern[0], pattern[1:]
    keys = list(node) if head == "*" else [head] if head in node else []
    for key in keys:
        yield from _nodes(rest, (*where, key), node[key])


def _attribute(model: BaseModel, where: Loc) -> Any:
    value: Any = model
    for part in where:
        value = value[part] if isinstance(value, dict) else getattr(value, str(part))
    return value
