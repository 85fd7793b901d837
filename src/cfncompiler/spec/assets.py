"""Checks on a service's asset files against the spec, before they are shipped.

The asset that matters today is LiteLLM's config.yaml: it must parse, its
model names must be unique, and every ``os.environ/NAME`` it reads must be
given to the task (as env or secret), or the proxy starts and fails its
first request instead of failing here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from cfncompiler.errors import Problem, SpecError
from cfncompiler.spec.model import Service
from cfncompiler.spec.source import parse_yaml

ENV_PREFIX = "os.environ/"
CONFIG_SUFFIXES = (".yaml", ".yml")


def check_asset_configs(directory: Path, service: Service, label: Path) -> list[Problem]:
    """Problems in the YAML files of ``directory``; ``label`` is how a file is named in messages."""
    problems: list[Problem] = []
    provided = set(service.env) | set(service.secrets)
    for path in sorted(p for p in directory.rglob("*") if p.suffix in CONFIG_SUFFIXES and p.is_file()):
        name = str(label / path.relative_to(directory))
        try:
            document = parse_yaml(path)
        except SpecError as exc:
            problems += [Problem(name, p.line, p.column, p.path, p.message) for p in exc.problems]
            continue
        for loc, line, col, variable in _environment_reads(document, ()):
            if variable not in provided:
                problems.append(
                    Problem(
                        name,
                        line,
                        col,
                        _dotted(loc),
                        f"reads {ENV_PREFIX}{variable}, which the task is not given "
                        "(add it to the service's env or secrets in the spec)",
                    )
                )
        problems += _duplicate_models(document, name)
    return problems


def _environment_reads(node: Any, loc: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], int, int, str]]:
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            if isinstance(value, str) and value.startswith(ENV_PREFIX):
                line, col = node.lc.value(key)
                yield (*loc, key), line + 1, col + 1, value[len(ENV_PREFIX) :]
            else:
                yield from _environment_reads(value, (*loc, key))
    elif isinstance(node, CommentedSeq):
        for index, value in enumerate(node):
            if isinstance(value, str) and value.startswith(ENV_PREFIX):
                line, col = node.lc.item(index)
                yield (*loc, index), line + 1, col + 1, value[len(ENV_PREFIX) :]
            else:
                yield from _environment_reads(value, (*loc, index))


def _duplicate_models(document: Any, name: str) -> list[Problem]:
    models = document.get("model_list") if isinstance(document, CommentedMap) else None
    if not isinstance(models, CommentedSeq):
        return []
    problems = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(models):
        if not isinstance(entry, CommentedMap) or "model_name" not in entry:
            line, col = models.lc.item(index)
            problems.append(Problem(name, line + 1, col + 1, f"model_list[{index}]", "a model needs a model_name"))
            continue
        model = str(entry["model_name"])
        if model in seen:
            line, col = entry.lc.value("model_name")
            problems.append(
                Problem(
                    name,
                    line + 1,
                    col + 1,
                    f"model_list[{index}].model_name",
                    f"model name '{model}' is already used by model_list[{seen[model]}]",
                )
            )
        seen.setdefault(model, index)
    return problems


def _dotted(loc: tuple[str | int, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(loc))
