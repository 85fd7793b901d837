"""Change sets: create one and wait for it, read its changes, execute or delete it.

An empty change set is how CloudFormation says "no changes": it is success,
and the change set is deleted so none is left lying around.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import WaiterError

from cfncompiler.deploy.advice import NAME_TAKEN_ADVICE, names_taken
from cfncompiler.deploy.parameters import as_request
from cfncompiler.errors import StackFailed

# The two ways CloudFormation words "nothing to do".
_NO_CHANGES = ("didn't contain changes", "No updates are to be performed")


@dataclass(frozen=True)
class Request:
    """Everything a change set is made from."""

    stack_name: str
    create: bool
    parameters: Mapping[str, str]
    capabilities: Sequence[str]
    tags: Mapping[str, str]
    body: str | None = None
    url: str | None = None
    # ResourcesToImport entries: an IMPORT change set brings existing resources in, creating nothing.
    imports: Sequence[Mapping[str, Any]] = ()

    @property
    def kind(self) -> str:
        return "IMPORT" if self.imports else "CREATE" if self.create else "UPDATE"

    def template(self) -> dict[str, str]:
        return {"TemplateURL": self.url} if self.url else {"TemplateBody": self.body or ""}


@dataclass(frozen=True)
class ChangeSet:
    arn: str
    stack_id: str
    changes: list[Mapping[str, Any]] = field(default_factory=list)
    empty: bool = False


def is_empty_reason(reason: str) -> bool:
    return any(phrase in reason for phrase in _NO_CHANGES)


def new_name() -> str:
    # Must start with a letter; unique, so two runs never collide on one stack.
    return f"cfncompiler-{uuid.uuid4().hex[:16]}"


def create(cloudformation: Any, request: Request, *, poll_seconds: float) -> ChangeSet:
    """Create the change set and wait until CloudFormation has computed it.

    Returns an ``empty`` change set (already deleted) when there is nothing to
    do; raises :class:`StackFailed` with CloudFormation's reason when it fails.
    """
    response = cloudformation.create_change_set(
        StackName=request.stack_name,
        ChangeSetName=new_name(),
        ChangeSetType=request.kind,
        Parameters=as_request(request.parameters),
        Capabilities=list(request.capabilities),
        Tags=[{"Key": k, "Value": v} for k, v in request.tags.items()],
        Description="created by cfncompiler",
        **request.template(),
        **({"ResourcesToImport": list(request.imports)} if request.imports else {}),
    )
    arn, stack_id = response["Id"], response["StackId"]
    try:
        cloudformation.get_waiter("change_set_create_complete").wait(
            ChangeSetName=arn, WaiterConfig={"Delay": poll_seconds, "MaxAttempts": 360}
        )
    except WaiterError as exc:
        reason = _failure_reason(exc)
        delete(cloudformation, arn)
        if is_empty_reason(reason):
            return ChangeSet(arn, stack_id, empty=True)
        if request.create:
            # The empty REVIEW_IN_PROGRESS stack a CREATE change set makes would otherwise stay behind.
            cloudformation.delete_stack(StackName=stack_id)
        advice = f" {NAME_TAKEN_ADVICE}" if names_taken(reason) else ""
        raise StackFailed(
            f"CloudFormation could not create a change set for {request.stack_name}: {reason}{advice}"
        ) from None
    return ChangeSet(arn, stack_id, changes=read_changes(cloudformation, arn))


def _failure_reason(exc: WaiterError) -> str:
    last = exc.last_response or {}
    if "Error" in last:
        return str(last["Error"].get("Message", exc))
    return str(last.get("StatusReason") or exc)


def read_changes(cloudformation: Any, arn: str) -> list[Mapping[str, Any]]:
    pages = cloudformation.get_paginator("describe_change_set").paginate(ChangeSetName=arn)
    return [change for page in pages for change in page.get("Changes", [])]


def execute(cloudformation: Any, change_set: ChangeSet) -> None:
    cloudformation.execute_change_set(ChangeSetName=change_set.arn)


def delete(cloudformation: Any, arn: str) -> None:
    cloudformation.delete_change_set(ChangeSetName=arn)
