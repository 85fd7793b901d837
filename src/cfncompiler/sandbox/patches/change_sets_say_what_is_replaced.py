"""Change sets report Replacement and the changed properties, from the resource schemas."""

from __future__ import annotations

from typing import Any

from moto.cloudformation.models import ChangeSet

from cfncompiler.templates.registry import create_only as create_only_properties


def _modified_details(resource_type: str, old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    old_props, new_props = old.get("Properties") or {}, new.get("Properties") or {}
    create_only = create_only_properties(resource_type)
    changed = sorted(k for k in old_props.keys() | new_props.keys() if old_props.get(k) != new_props.get(k))
    return [
        {
            "Target": {
                "Attribute": "Properties",
                "Name": name,
                "RequiresRecreation": "Always" if name in create_only else "Never",
            },
            "Evaluation": "Static",
            "ChangeSource": "DirectModification",
        }
        for name in changed
    ]


def change_sets_say_what_is_replaced() -> None:
    """Gap: moto's ResourceChange has only Action, LogicalResourceId and ResourceType.

    AWS adds Replacement (True/False/Conditional), Scope and Details naming
    each changed property, which the diff prints and the data-loss guard reads.
    This computes them statically, as AWS does for literal changes: a property
    that is create-only in the resource's schema means replacement. (AWS's
    dynamic cases, a new value that only exists after another resource is
    replaced, are not modelled.)
    """
    original = ChangeSet.diff

    def diff(self: ChangeSet) -> list[Any]:
        changes: list[Any] = original(self)
        old_resources = self.stack.resource_map._resource_json_map
        new_resources = self.template_dict.get("Resources", {})
        for change in changes:
            change.replacement = None
            change.scope = []
            change.details = []
            if change.action == "Modify":
                details = _modified_details(
                    change.resource_type,
                    old_resources[change.logical_resource_id],
                    new_resources[change.logical_resource_id],
                )
                always = any(d["Target"]["RequiresRecreation"] == "Always" for d in details)
                change.replacement = "True" if always else "False"
                change.scope = ["Properties"] if details else []
                change.details = details
            if change.action == "Remove":
                policy = old_resources[change.logical_resource_id].get("DeletionPolicy", "Delete")
                change.policy_action = policy
        return changes

    setattr(ChangeSet, "diff", diff)  # noqa: B010
