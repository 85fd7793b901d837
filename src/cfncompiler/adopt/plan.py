"""What adopting one layer means, worked out before anything on the account is touched.

The plan pairs the compiled template's resources with Terraform's (``match``), lists what the
next deploy would change on them (``compare``) and builds the template of the IMPORT change
set: the matched resources only, each kept on delete, with any property that names a resource
the import does not bring left for the converge deploy to set (an import may create, change or
delete nothing else).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cfncompiler.adopt.compare import Difference
from cfncompiler.adopt.match import Match, Matching
from cfncompiler.adopt.resolve import references
from cfncompiler.templates.registry import importable

RETAIN = "Retain"


@dataclass
class LayerPlan:
    layer: str
    stack_name: str
    matching: Matching
    differences: list[Difference]
    # (address, why) of matched Terraform instances that must not be adopted (tainted, deposed)
    blocked: list[tuple[str, str]] = field(default_factory=list)
    import_template: dict[str, Any] = field(default_factory=dict)
    # (logical id, property) left out of the import and set by the converge deploy
    deferred: list[tuple[str, str]] = field(default_factory=list)
    # the layer's Parameters, filled from the Outputs above it when the plan was made
    parameters: dict[str, str] = field(default_factory=dict)
    # matched resources of a type CloudFormation cannot import: the converge deploy creates them
    # in place of Terraform's, which Terraform lets go of with the rest
    taken_over: list[Match] = field(default_factory=list)

    @property
    def refusals(self) -> list[Difference]:
        return [d for d in self.differences if d.loses_data]

    @property
    def to_import(self) -> list[str]:
        return [m.logical_id for m in self.matching.matches]


def not_importable(matching: Matching) -> list[Match]:
    """Take the matches CloudFormation cannot import out of ``matching`` and return them.

    A type whose registry schema has no read handler (an SNS topic policy) cannot be imported; as
    for any resource the estate lacks, the converge deploy creates it. For such a type creating is
    setting (a topic policy is an attribute of its topic), so Terraform's copy is simply released.
    """
    kept = [m for m in matching.matches if importable(m.resource_type)]
    taken = [m for m in matching.matches if not importable(m.resource_type)]
    matching.matches = kept
    return taken


def import_template(
    template: Mapping[str, Any], adopted: Sequence[str], existing: Mapping[str, Any] | None
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The template of the IMPORT change set, and the properties deferred to the converge deploy.

    ``existing`` is the stack's template when the stack already exists (its resources stay as
    they are); a new stack starts from the compiled template's Parameters alone.
    """
    if existing is not None:
        body = copy.deepcopy(dict(existing))
    else:
        body = {
            key: copy.deepcopy(template[key]) for key in ("AWSTemplateFormatVersion", "Description") if key in template
        }
        body["Parameters"] = copy.deepcopy(dict(template.get("Parameters", {})))
    resources: dict[str, Any] = body.setdefault("Resources", {})
    known = set(resources) | set(adopted) | set(body.get("Parameters", {}))
    deferred: list[tuple[str, str]] = []
    for logical_id in adopted:
        if logical_id in resources:
            continue
        resource = copy.deepcopy(dict(template["Resources"][logical_id]))
        properties = resource.get("Properties") or {}
        for name in list(properties):
            if not references(properties[name]) <= known:
                del properties[name]
                deferred.append((logical_id, name))
        depends = resource.get("DependsOn")
        if depends is not None:
            kept = [d for d in ([depends] if isinstance(depends, str) else depends) if d in known]
            if kept:
                resource["DependsOn"] = kept
            else:
                del resource["DependsOn"]
        resource["DeletionPolicy"] = RETAIN
        resource["UpdateReplacePolicy"] = RETAIN
        resources[logical_id] = resource
    return body, deferred
