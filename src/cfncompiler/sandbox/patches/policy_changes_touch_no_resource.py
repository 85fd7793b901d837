"""A change of DeletionPolicy or UpdateReplacePolicy alone does not update the resource."""

from __future__ import annotations

from typing import Any

# Resource attributes that tell CloudFormation what to do with a resource, not how it is configured.
POLICY_ATTRIBUTES = frozenset({"DeletionPolicy", "UpdateReplacePolicy"})


def _configuration(resource: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in resource.items() if key not in POLICY_ATTRIBUTES}


def policy_changes_touch_no_resource() -> None:
    """Gap: moto calls a resource's update handler when only its DeletionPolicy or UpdateReplacePolicy
    changed, and many handlers are not implemented (an EFS mount target raises NotImplementedError, HTTP 500).

    On AWS a policy-only change is recorded on the stack and the resource is left alone. It is what
    the deploy after ``adopt`` does to every imported resource: the import keeps them all with
    Retain, and the compiled template gives the layer's own policies back.
    """
    from moto.cloudformation.parsing import ResourceMap, get_references_from_template

    original = ResourceMap.build_resource_diff

    def build_resource_diff(self: Any, other_template: dict[str, Any], parameters: Any = None) -> dict[str, Any]:
        actions: dict[str, Any] = original(self, other_template, parameters)
        old, new = self._resource_json_map, other_template["Resources"]
        changed = {p for p in (parameters or {}) if self.input_parameters.get(p) != parameters[p]}
        actions["Modify"] = [
            name
            for name in actions["Modify"]
            if _configuration(old[name]) != _configuration(new[name])
            or changed & set(get_references_from_template(new[name]))
        ]
        return actions

    setattr(ResourceMap, "build_resource_diff", build_resource_diff)  # noqa: B010
