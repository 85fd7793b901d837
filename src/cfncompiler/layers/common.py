"""What every layer builder shares: the template under construction and its contract."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from troposphere import AWSHelperFn, AWSObject, Join, Output, Parameter, Ref, Sub, Tags, Template, logs

from cfncompiler import contract
from cfncompiler.contract import Value
from cfncompiler.errors import NameClash
from cfncompiler.spec.model import Spec
from cfncompiler.spec.references import CrossLayer, Known, meaning, references

R = TypeVar("R", bound=AWSObject)


class _Template(Template):  # type: ignore[misc]
    """troposphere's Template without its own caps on resources, parameters and outputs.

    troposphere raises a bare ValueError at the 501st resource; limits.py
    enforces the same limits after the build, with the layer, the figure,
    the limit and how to split, as the one place limits are checked.
    """

    def add_resource(self, resource: Any) -> Any:
        return self._update(self.resources, resource)

    def add_parameter(self, parameter: Any) -> Any:
        return self._update(self.parameters, parameter)

    def add_output(self, output: Any) -> Any:
        return self._update(self.outputs, output)


class Layer:
    """A template being built for one layer of one spec.

    ``publish`` makes a value available to the layers below (an Output) and to
    this layer; ``resolve`` finds a value wherever it comes from: this layer if
    it produced it, else a Parameter filled from a layer above, declared the
    first time it is needed (cfn-lint rejects unused Parameters).
    """

    def __init__(self, spec: Spec, name: str, description: str) -> None:
        self.spec = spec
        self.name = name
        self.template = _Template(Description=f"{spec.project} {name} layer: {description} (compiled by cfncompiler)")
        self._parameters: dict[str, Parameter] = {}
        self._local: dict[str, object] = {}
        self._focus: tuple[str | int, ...] | None = None
        self._owners: dict[str, tuple[str | int, ...] | None] = {}

    @contextmanager
    def at(self, *path: str | int) -> Iterator[None]:
        """Resources added inside come from this spec path (so a name clash can point at it)."""
        outer, self._focus = self._focus, tuple(path)
        try:
            yield
        finally:
            self._focus = outer

    def add(self, resource: R) -> R:
        if resource.title in self._owners:
            raise NameClash(resource.title, self._owners[resource.title], self._focus)
        self._owners[resource.title] = self._focus
        self.template.add_resource(resource)
        return resource

    def resolve(self, value: Value) -> object:
        if value.name in self._local:
            return self._local[value.name]
        return self.upstream(value)

    def upstream(self, value: Value) -> Ref:
        parameter = self._parameters.get(value.name)
        if parameter is None:
            parameter = Parameter(value.name, Type=value.type, Description=value.description)
            self.template.add_parameter(parameter)
            self._parameters[value.name] = parameter
        return Ref(parameter)

    def publish(self, value: Value, expression: object) -> None:
        self._local[value.name] = expression
        self.template.add_output(Output(value.name, Description=value.description, Value=expression))

    def name_tags(self, name: str) -> Tags:
        return Tags(Name=f"{self.spec.project}-{name}")

    def interpolate(self, text: str) -> str | AWSHelperFn:
        """A spec string with ``${...}`` references as template text: plain when all are known now, else Fn::Sub."""
        found = references(text)
        if not found:
            return text
        if text == f"${{{found[0]}}}":
            target = meaning(self.spec, found[0])
            if isinstance(target, CrossLayer):
                # A whole-value reference is the value itself, not a one-variable Fn::Sub.
                resolved = self.resolve(target.value)
                return Join(",", resolved) if target.value.type.startswith("List<") else resolved
        variables: dict[str, object] = {}
        needs_sub = False
        for reference in found:
            target = meaning(self.spec, reference)
            if isinstance(target, Known):
                replacement = target.text
            elif isinstance(target, CrossLayer):
                value = target.value
                resolved = self.resolve(value)
                variables[value.name] = Join(",", resolved) if value.type.startswith("List<") else resolved
                replacement, needs_sub = f"${{{value.name}}}", True
            else:
                replacement, needs_sub = f"${{{target.name}}}", True
            text = text.replace(f"${{{reference}}}", replacement)
        if not needs_sub:
            return text
        return Sub(text, **variables) if variables else Sub(text)


# Log groups keep their history when the stack deletes or replaces them: logs are evidence.
KEEP_LOGS = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}


def log_group(title: str, spec: Spec, key_arn: object) -> logs.LogGroup:
    """A log group encrypted with the layer's key, kept for the spec's retention, retained on delete."""
    return logs.LogGroup(title, RetentionInDays=spec.logs.retention_days, KmsKeyId=key_arn, **KEEP_LOGS)


def suppress(resource: AWSObject, check: str, reason: str) -> None:
    """Tell checkov that ``check`` does not fit this resource, and why (the README lists every one)."""
    metadata = resource.resource.get("Metadata", {})
    metadata.setdefault("checkov", {}).setdefault("skip", []).append({"id": check, "comment": reason})
    resource.Metadata = metadata


def optional(**properties: object) -> dict[str, object]:
    """Properties whose value is None are left out: troposphere rejects None."""
    return {name: value for name, value in properties.items() if value is not None}


def file_system_arn(layer: Layer) -> Sub:
    return Sub(
        "arn:${AWS::Partition}:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:file-system/${FileSystemId}",
        FileSystemId=layer.resolve(contract.file_system_id()),
    )
