"""UpdateTerminationProtection exists and a protected stack cannot be deleted."""

from __future__ import annotations

from moto.cloudformation.models import CloudFormationBackend
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult


def termination_protection_is_a_real_switch() -> None:
    """Gap: moto has no UpdateTerminationProtection and DeleteStack ignores the flag.

    A stack created through a change set can only be protected afterwards, with
    UpdateTerminationProtection, which the deployer calls. AWS then refuses
    DeleteStack until protection is turned off; without that refusal here a
    destroy that forgot to turn it off would pass locally and fail on AWS.
    """

    def update_termination_protection(self: CloudFormationResponse) -> ActionResult:
        stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
        stack.enable_termination_protection = self._get_bool_param("EnableTerminationProtection")
        return ActionResult({"StackId": stack.stack_id})

    setattr(CloudFormationResponse, "update_termination_protection", update_termination_protection)  # noqa: B010

    original = CloudFormationBackend.delete_stack

    def delete_stack(self: CloudFormationBackend, name_or_stack_id: str) -> None:
        protected = [
            s
            for s in self.stacks.values()
            if name_or_stack_id in (s.name, s.stack_id) and s.enable_termination_protection
        ]
        if protected:
            from moto.cloudformation.exceptions import ValidationError

            raise ValidationError(
                name_or_stack_id,
                message=f"Stack [{protected[0].name}] cannot be deleted while TerminationProtection is enabled",
            )
        original(self, name_or_stack_id)

    setattr(CloudFormationBackend, "delete_stack", delete_stack)  # noqa: B010
