"""Watching a stack work: its events as they happen, and the root cause when it fails.

botocore's waiters do the waiting. The events are fetched from a hook on the
waiter's own DescribeStacks calls, so they arrive at the waiter's pace, in
one thread, and in the same order every time (which the Stubber tests rely on).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import WaiterError

# Long enough for the slowest resource here (an RDS instance or Redis group, ~30 min) several times over.
MAX_WAIT_SECONDS = 3 * 3600
# Seconds between polls; CloudFormation's own console refreshes about this often.
DEFAULT_POLL_SECONDS = 5.0

_HOOK = "after-call.cloudformation.DescribeStacks"


@dataclass(frozen=True)
class Event:
    event_id: str
    timestamp: datetime
    logical_id: str
    resource_type: str
    status: str
    reason: str
    # The resource's id once it has one (a certificate's ARN from its first CREATE_IN_PROGRESS on).
    physical_id: str = ""

    @property
    def failed(self) -> bool:
        return self.status.endswith("_FAILED")


def from_response(event: Mapping[str, Any]) -> Event:
    return Event(
        event_id=event["EventId"],
        timestamp=event["Timestamp"],
        logical_id=event.get("LogicalResourceId", ""),
        resource_type=event.get("ResourceType", ""),
        status=event.get("ResourceStatus", ""),
        reason=event.get("ResourceStatusReason") or "",
        physical_id=event.get("PhysicalResourceId") or "",
    )


class EventFeed:
    """The events of one stack newer than those it had when the feed started, oldest first."""

    def __init__(self, cloudformation: Any, stack_id: str) -> None:
        self._cf = cloudformation
        self._stack_id = stack_id
        self._seen: set[str] = {e.event_id for e in self._newest_first()}
        self.history: list[Event] = []

    def _newest_first(self) -> Iterator[Event]:
        pages = self._cf.get_paginator("describe_stack_events").paginate(StackName=self._stack_id)
        for page in pages:
            for event in page.get("StackEvents", []):
                yield from_response(event)

    def poll(self) -> list[Event]:
        fresh: list[Event] = []
        for event in self._newest_first():
            if event.event_id in self._seen:
                break
            fresh.append(event)
        fresh.reverse()
        self._seen.update(e.event_id for e in fresh)
        self.history += fresh
        return fresh


def root_cause(events: list[Event]) -> Event | None:
    """The first failure: later ones are mostly its consequences (cancelled, rolled back)."""
    return next((e for e in events if e.failed and e.reason), None)


def waiter_for(status: str) -> str:
    """The botocore waiter that waits out an operation a stack in ``status`` is running."""
    if status.startswith("DELETE"):
        return "stack_delete_complete"
    if status.startswith(("CREATE", "ROLLBACK")):
        return "stack_create_complete"
    if status.startswith("UPDATE_ROLLBACK"):
        return "stack_rollback_complete"
    if status.startswith("IMPORT"):
        return "stack_import_complete"
    return "stack_update_complete"


def watch(
    cloudformation: Any,
    stack_id: str,
    waiter: str,
    feed: EventFeed,
    on_event: Callable[[Event], None],
    *,
    poll_seconds: float,
    on_poll: Callable[[list[Event]], None] | None = None,
) -> bool:
    """Wait with ``waiter``, passing each new event to ``on_event``; True if it ended as the waiter hoped.

    ``on_poll`` is called after every poll with its new events (often none), for what must be asked
    again while the stack waits, such as a certificate's validation records.
    """

    def show_events(**_: Any) -> None:
        fresh = feed.poll()
        for event in fresh:
            on_event(event)
        if on_poll is not None:
            on_poll(fresh)

    cloudformation.meta.events.register(_HOOK, show_events, unique_id="cfncompiler-events")
    attempts = max(1, int(MAX_WAIT_SECONDS / max(poll_seconds, 1)))
    try:
        cloudformation.get_waiter(waiter).wait(
            StackName=stack_id, WaiterConfig={"Delay": poll_seconds, "MaxAttempts": attempts}
        )
    except WaiterError:
        return False
    finally:
        cloudformation.meta.events.unregister(_HOOK, unique_id="cfncompiler-events")
    return True
