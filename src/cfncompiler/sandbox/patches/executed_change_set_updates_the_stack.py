"""Stacks executed from change sets get the Outputs, Description, Parameters and Tags AWS gives them."""

from __future__ import annotations

from typing import Any

from moto.cloudformation.models import CloudFormationBackend
from moto.core.utils import utcnow


def refresh_stack_record(stack: Any, change_set: Any, *, updated: bool) -> None:
    """Description, Parameters, Outputs, Tags (and LastUpdatedTime for an update) from the executed change set."""
    stack._parse_template()
    stack.description = stack.template_dict.get("Description")
    stack.parameters = change_set.parameters
    stack.output_map = stack._create_output_map()
    if change_set.tags:
        stack.tags = change_set.tags
    if updated:
        stack.last_updated_time = utcnow()


def executed_change_set_updates_the_stack() -> None:
    """Gap: ExecuteChangeSet creates or updates the resources but not the stack record around them.

    moto builds a change-set stack from an empty template and never re-reads it,
    so the stack has no Outputs or Description (the next layer's Parameters
    are filled from those Outputs), keeps the Parameters and Tags it had before
    an update, and never gets a LastUpdatedTime (which ``status`` shows and the
    tests use to prove an untouched stack was not updated). AWS sets all four
    from the executed change set.
    """
    original = CloudFormationBackend.execute_change_set

    def execute_change_set(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None) -> None:
        change_set: Any = self.describe_change_set(change_set_name)
        original(self, change_set_name, stack_name)
        refresh_stack_record(
            self.stacks[change_set.stack_id], change_set, updated=change_set.change_set_type == "UPDATE"
        )

    setattr(CloudFormationBackend, "execute_change_set", execute_change_set)  # noqa: B010
