"""What is deployed: one stack's status, outputs, parameters, tags and template, read from CloudFormation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

# Stable states a stack can be deployed over, and that downstream layers may read Outputs from.
HEALTHY = frozenset(
    {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE", "IMPORT_ROLLBACK_COMPLETE"}
)
# A stack made by a CREATE change set that was never executed: an empty shell.
REVIEW = "REVIEW_IN_PROGRESS"


@dataclass(frozen=True)
class Deployed:
    name: str
    stack_id: str
    status: str
    reason: str | None
    created: datetime
    updated: datetime | None
    outputs: Mapping[str, str] = field(default_factory=dict)
    parameters: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    termination_protection: bool = False

    @property
    def last_change(self) -> datetime:
        return self.updated or self.created

    @property
    def healthy(self) -> bool:
        return self.status in HEALTHY

    @property
    def in_progress(self) -> bool:
        return self.status.endswith("_IN_PROGRESS") and self.status != REVIEW


def from_response(stack: Mapping[str, Any]) -> Deployed:
    return Deployed(
        name=stack["StackName"],
        stack_id=stack["StackId"],
        status=stack["StackStatus"],
        reason=stack.get("StackStatusReason"),
        created=stack["CreationTime"],
        updated=stack.get("LastUpdatedTime"),
        outputs={o["OutputKey"]: o.get("OutputValue", "") for o in stack.get("Outputs") or []},
        parameters={p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters") or []},
        tags={t["Key"]: t["Value"] for t in stack.get("Tags") or []},
        termination_protection=bool(stack.get("EnableTerminationProtection")),
    )


def is_missing(exc: ClientError) -> bool:
    """CloudFormation's way of saying a stack does not exist: a ValidationError, not a 404."""
    error = exc.response.get("Error", {})
    return error.get("Code") == "ValidationError" and "does not exist" in error.get("Message", "")


def describe(cloudformation: Any, name: str) -> Deployed | None:
    """The stack called ``name``, or None when there is none (a deleted stack counts as none)."""
    try:
        found = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except ClientError as exc:
        if is_missing(exc):
            return None
        raise
    if not found or found[0]["StackStatus"] == "DELETE_COMPLETE":
        return None
    return from_response(found[0])


def deployed_template(cloudformation: Any, name: str) -> str | Mapping[str, Any]:
    """The template as it was submitted (YAML text, or a decoded mapping for JSON)."""
    body: str | Mapping[str, Any] = cloudformation.get_template(StackName=name, TemplateStage="Original")[
        "TemplateBody"
    ]
    return body
