"""One stack at a time: watch an operation, wait one out, delete, continue a rollback, explain a failure.

Everything here acts on a stack that exists; what a layer should contain is
the deployer's business.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cfncompiler.deploy import guard, stacks
from cfncompiler.deploy.advice import NAME_TAKEN_ADVICE, names_taken
from cfncompiler.deploy.events import Event, EventFeed, root_cause, waiter_for, watch
from cfncompiler.deploy.report import Reporter
from cfncompiler.deploy.stacks import Deployed
from cfncompiler.errors import Refused, StackFailed, StoppedWatching

OnPoll = Callable[[list[Event]], None]

# What to do about a stack that cannot be deployed over as it stands.
RECOVERY = {
    "ROLLBACK_COMPLETE": (
        "its creation failed and was rolled back, so it holds no resources and can only be deleted. "
        "Fix the cause, then run the deploy again with --replace-failed to delete and recreate it."
    ),
    "ROLLBACK_FAILED": (
        "its creation failed and so did the rollback. Delete it in the CloudFormation console "
        "(retaining the resources it names) and deploy again."
    ),
    "UPDATE_ROLLBACK_FAILED": (
        "an update failed and so did the rollback; CloudFormation will not update it until the rollback "
        "finishes. Fix what blocked it (the events say which resource), then run the deploy again with "
        "--continue-rollback."
    ),
    "UPDATE_ROLLBACK_COMPLETE": (
        "the last update failed and was rolled back; the previous version is running. Fix the cause and deploy again."
    ),
    "DELETE_FAILED": "a delete failed. Look at its events, fix the cause and destroy it again.",
}


def failure(stack_name: str, status: str, history: list[Event]) -> StackFailed:
    """The final status, the first failed event as the root cause, and what to do next."""
    cause = root_cause(history)
    text = f"{stack_name} failed and is now {status}."
    if cause is not None:
        text += f" Root cause: {cause.logical_id} ({cause.resource_type}) {cause.status}: {cause.reason}"
    advice = RECOVERY.get(status)
    if advice:
        text += f" The stack is {status}: {advice}"
    if cause is not None and names_taken(cause.reason):
        text += f" {NAME_TAKEN_ADVICE}"
    return StackFailed(text)


class StackOperations:
    def __init__(self, cloudformation: Any, reporter: Reporter, poll_seconds: float) -> None:
        self.cf = cloudformation
        self.reporter = reporter
        self.poll_seconds = poll_seconds

    def watch(
        self, layer: str, stack_id: str, waiter: str, feed: EventFeed, doing: str, on_poll: OnPoll | None = None
    ) -> bool:
        """Wait with ``waiter``, streaming events; Ctrl-C stops this process watching, not CloudFormation."""
        try:
            with self.reporter.waiting(layer, doing):
                return watch(
                    self.cf,
                    stack_id,
                    waiter,
                    feed,
                    lambda event: self.reporter.event(layer, event),
                    poll_seconds=self.poll_seconds,
                    on_poll=on_poll,
                )
        except KeyboardInterrupt:
            name = stack_id.split("/")[1] if stack_id.startswith("arn:") else stack_id
            raise StoppedWatching(
                f"Stopped watching {name}. CloudFormation carries on with the {doing} without this process; "
                f"follow it with `cfncompiler status`, or `aws cloudformation describe-stack-events "
                f"--stack-name {name}`, or in the CloudFormation console."
            ) from None

    def run(
        self,
        layer: str,
        stack_id: str,
        waiter: str,
        doing: str,
        start: Callable[[], object],
        on_poll: OnPoll | None = None,
    ) -> tuple[bool, list[Event]]:
        """Start an operation with ``start()`` and watch it: did it end as hoped, and the events it made."""
        feed = EventFeed(self.cf, stack_id)
        start()
        ok = self.watch(layer, stack_id, waiter, feed, doing, on_poll)
        return ok, feed.history

    def wait_out(self, layer: str, current: Deployed) -> Deployed | None:
        """Wait for the operation ``current`` is running to end; return the stack as it is then."""
        self.reporter.note(layer, f"{current.name} is {current.status}; waiting for it to finish")
        self.run(layer, current.stack_id, waiter_for(current.status), "operation", lambda: None)
        return stacks.describe(self.cf, current.stack_id)

    def delete(self, layer: str, current: Deployed) -> None:
        if current.termination_protection:
            guard.protect(self.cf, current.stack_id, enabled=False)
        ok, history = self.run(
            layer,
            current.stack_id,
            "stack_delete_complete",
            "delete",
            lambda: self.cf.delete_stack(StackName=current.stack_id),
        )
        if not ok:
            after = stacks.describe(self.cf, current.stack_id)
            raise failure(current.name, after.status if after else "DELETE_COMPLETE", history)

    def continue_rollback(self, layer: str, current: Deployed) -> Deployed:
        self.reporter.note(layer, f"{current.name} is UPDATE_ROLLBACK_FAILED; continuing the rollback")
        ok, history = self.run(
            layer,
            current.stack_id,
            "stack_rollback_complete",
            "rollback",
            lambda: self.cf.continue_update_rollback(StackName=current.stack_id),
        )
        after = stacks.describe(self.cf, current.stack_id)
        if not ok or after is None or after.status != "UPDATE_ROLLBACK_COMPLETE":
            raise failure(current.name, after.status if after else "DELETE_COMPLETE", history)
        return after

    def settle(
        self, layer: str, current: Deployed | None, *, replace_failed: bool, continue_rollback: bool
    ) -> Deployed | None:
        """Bring ``current`` to a state a change set can be made on (None: to be created), or explain why not."""
        if current is None:
            return None
        if current.status == stacks.REVIEW:
            # An empty shell left by a CREATE change set that never ran: clear it and create afresh.
            self.delete(layer, current)
            return None
        if current.in_progress:
            after = self.wait_out(layer, current)
            return self.settle(layer, after, replace_failed=replace_failed, continue_rollback=continue_rollback)
        if current.status == "ROLLBACK_COMPLETE" and replace_failed:
            self.reporter.note(layer, f"{current.name} is ROLLBACK_COMPLETE; deleting it to create it again")
            self.delete(layer, current)
            return None
        if current.status == "UPDATE_ROLLBACK_FAILED" and continue_rollback:
            return self.continue_rollback(layer, current)
        if current.healthy:
            return current
        raise Refused(
            f"{current.name} is {current.status}: {RECOVERY.get(current.status, 'it cannot be deployed over.')}"
        )
