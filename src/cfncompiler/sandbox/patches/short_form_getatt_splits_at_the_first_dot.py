"""!GetAtt A.B.C means attribute B.C of A, as CloudFormation reads it."""

from __future__ import annotations

from importlib import import_module
from typing import Any


def short_form_getatt_splits_at_the_first_dot() -> None:
    """Gap: moto reads ``!GetAtt Database.Endpoint.Address`` as attribute ``Endpoint`` of ``Database``.

    CloudFormation splits the short form at the first dot only (resource
    ``Database``, attribute ``Endpoint.Address``); moto splits at every dot and
    rejects the template, so the data layer's Outputs cannot be resolved.
    """
    from moto.cloudformation import models, responses, utils

    yaml: Any = import_module("yaml")  # moto's own dependency; its stubs are not installed

    def yaml_tag_constructor(loader: Any, tag: str, node: Any) -> Any:
        key = "Ref" if tag == "!Ref" else f"Fn::{tag[1:]}"
        if isinstance(node, yaml.SequenceNode):
            return {key: loader.construct_sequence(node, deep=True)}
        if isinstance(node, yaml.MappingNode):
            return {key: loader.construct_mapping(node, deep=True)}
        value = loader.construct_scalar(node)
        return {key: value.split(".", 1) if tag == "!GetAtt" else value}

    for module in (utils, models, responses):
        setattr(module, "yaml_tag_constructor", yaml_tag_constructor)  # noqa: B010
