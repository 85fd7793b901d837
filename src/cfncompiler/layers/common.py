"""What every layer builder shares: the template under construction and its contract."""

from __future__ import annotations

from typing import TypeVar

from troposphere import AWSObject, Output, Parameter, Ref, Tags, Template

from cfncompiler.layers.contract import Value
from cfncompiler.model import Spec

R = TypeVar("R", bound=AWSObject)


class Layer:
    """A template being built for one layer of one spec.

    ``upstream`` declares a Parameter the first time a builder needs a value from
    a layer above (cfn-lint rejects unused Parameters, so none is declared in
    advance); ``publish`` makes a value available to the layers below.
    """

    def __init__(self, spec: Spec, name: str, description: str) -> None:
        self.spec = spec
        self.name = name
        self.template = Template(Description=f"{spec.project} {name} layer: {description} (compiled by cfncompiler)")
        self._parameters: dict[str, Parameter] = {}

    def add(self, resource: R) -> R:
        return self.template.add_resource(resource)

    def upstream(self, value: Value) -> Ref:
        parameter = self._parameters.get(value.name)
        if parameter is None:
            parameter = Parameter(value.name, Type=value.type, Description=value.description)
            self.template.add_parameter(parameter)
            self._parameters[value.name] = parameter
        return Ref(parameter)

    def publish(self, value: Value, expression: object) -> None:
        self.template.add_output(Output(value.name, Description=value.description, Value=expression))

    def name_tags(self, name: str) -> Tags:
        return Tags(Name=f"{self.spec.project}-{name}")


def optional(**properties: object) -> dict[str, object]:
    """Properties whose value is None are left out: troposphere rejects None."""
    return {name: value for name, value in properties.items() if value is not None}
