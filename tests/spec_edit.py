"""The production spec, compiled once per session, and small located edits of its text.

Bad cases are one or two text edits of ``spec/production.yaml`` written under
``tmp_path`` next to a copy of ``litellm/`` (the spec names it as ``../litellm``),
so every problem can be asserted at the line and column it has in the edited text.
Everything returned by :func:`production` is shared by the whole session: read only.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from cfncompiler.errors import Problem, SpecError
from cfncompiler.layers import Inputs, build_all
from cfncompiler.spec.load import LoadedSpec, load
from cfncompiler.spec.model import Spec
from cfncompiler.synth import gather_inputs
from tests.conftest import Edit, edit
from tests.conftest import position as position

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION_SPEC = ROOT / "spec" / "production.yaml"
LITELLM_DIR = ROOT / "litellm"

TemplateDict = dict[str, Any]


@dataclass(frozen=True)
class Compiled:
    loaded: LoadedSpec
    inputs: Inputs
    templates: dict[str, TemplateDict]

    @property
    def spec(self) -> Spec:
        return self.loaded.spec


@cache
def production() -> Compiled:
    """The production spec, its gathered inputs and its four templates as dicts: built once."""
    loaded = load(PRODUCTION_SPEC)
    inputs = gather_inputs(loaded)
    templates = {layer: template.to_dict() for layer, template in build_all(loaded.spec, inputs).items()}
    return Compiled(loaded, inputs, templates)


def compile_templates(spec_path: Path) -> dict[str, TemplateDict]:
    """Load, gather and build a spec file the way synth does, without lint or writing."""
    loaded = load(spec_path)
    return {layer: t.to_dict() for layer, t in build_all(loaded.spec, gather_inputs(loaded)).items()}


# --------------------------------------------------------------------------- spec text


def production_text() -> str:
    return PRODUCTION_SPEC.read_text(encoding="utf-8")


def write_project(root: Path, spec_text: str | None = None, *, litellm: bool = True) -> Path:
    """A project tree under ``root``: spec/production.yaml (edited or not) and a copy of litellm/."""
    spec_path = root / "spec" / "production.yaml"
    spec_path.parent.mkdir(parents=True, exist_ok=True)
    spec_path.write_text(production_text() if spec_text is None else spec_text, encoding="utf-8")
    if litellm and not (root / "litellm").exists():
        shutil.copytree(LITELLM_DIR, root / "litellm", ignore=shutil.ignore_patterns("__pycache__"))
    return spec_path


def edited_spec(tmp_path: Path, *edits: Edit) -> Path:
    return write_project(tmp_path, edit(production_text(), *edits))


def problems_of(spec_path: Path) -> list[Problem]:
    """The located problems ``load`` reports; fails the test if the spec loads."""
    with pytest.raises(SpecError) as caught:
        load(spec_path)
    assert caught.value.problems, "a SpecError must carry at least one problem"
    return caught.value.problems


def only_problem(path: Path) -> Problem:
    problems = problems_of(path)
    assert len(problems) == 1, "expected exactly one problem, got:\n" + "\n".join(map(str, problems))
    return problems[0]


def problem_at(problems: list[Problem], path: str) -> Problem:
    """The one problem reported at the dotted ``path``."""
    found = [p for p in problems if p.path == path]
    assert len(found) == 1, f"expected one problem at {path}, got:\n" + "\n".join(map(str, problems))
    return found[0]


# --------------------------------------------------------------------------- template queries


def resources_of_type(template: TemplateDict, resource_type: str) -> dict[str, TemplateDict]:
    return {name: body for name, body in template["Resources"].items() if body["Type"] == resource_type}


def props(template: TemplateDict, logical_id: str) -> TemplateDict:
    assert logical_id in template["Resources"], f"no resource {logical_id}; have {sorted(template['Resources'])}"
    found: TemplateDict = template["Resources"][logical_id].get("Properties", {})
    return found


def walk(node: Any) -> Iterator[Any]:
    """``node`` and every value nested inside it."""
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def get_att(name: str, attribute: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [name, attribute]}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def policy_statements(template: TemplateDict) -> Iterator[tuple[str, TemplateDict]]:
    """(role logical id, statement) for every statement of every inline IAM policy in ``template``."""
    for name, body in resources_of_type(template, "AWS::IAM::Role").items():
        for policy in body["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                yield name, statement
    for name, body in resources_of_type(template, "AWS::IAM::Policy").items():
        for statement in body["Properties"]["PolicyDocument"]["Statement"]:
            yield name, statement
    for name, body in resources_of_type(template, "AWS::IAM::ManagedPolicy").items():
        for statement in body["Properties"]["PolicyDocument"]["Statement"]:
            yield name, statement


def role_statements(template: TemplateDict, role: str) -> list[TemplateDict]:
    return [statement for name, statement in policy_statements(template) if name == role]


def actions_of(statement: TemplateDict) -> list[str]:
    return as_list(statement["Action"])


def container(template: TemplateDict, task: str, name: str) -> TemplateDict:
    found = [c for c in props(template, task)["ContainerDefinitions"] if c["Name"] == name]
    assert len(found) == 1, f"{task} has {len(found)} containers named {name}"
    return found[0]
