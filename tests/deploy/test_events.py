"""Stack events: new ones only, oldest first; the root cause is the first failure."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber

from cfncompiler.deploy.events import Event, EventFeed, root_cause, waiter_for

from .stubs import STACK_ID, event, events, stack_event


def ev(status: str, reason: str = "", logical_id: str = "Vpc") -> Event:
    return Event(
        f"{logical_id}-{status}", datetime(2025, 1, 1, tzinfo=UTC), logical_id, "AWS::EC2::VPC", status, reason
    )


def test_the_root_cause_is_the_first_failure_not_its_consequences() -> None:
    history = [
        ev("UPDATE_IN_PROGRESS"),
        ev("UPDATE_FAILED", "Invalid CIDR block", "Vpc"),
        ev("UPDATE_FAILED", "Resource update cancelled", "Subnet"),
        ev("UPDATE_ROLLBACK_IN_PROGRESS", "The following resource(s) failed to update: [Vpc, Subnet].", "stack"),
    ]
    cause = root_cause(history)
    assert cause is not None and (cause.logical_id, cause.reason) == ("Vpc", "Invalid CIDR block")


def test_no_failure_no_root_cause() -> None:
    assert root_cause([ev("CREATE_COMPLETE")]) is None


@pytest.mark.parametrize(
    ("status", "waiter"),
    [
        ("CREATE_IN_PROGRESS", "stack_create_complete"),
        ("ROLLBACK_IN_PROGRESS", "stack_create_complete"),
        ("UPDATE_IN_PROGRESS", "stack_update_complete"),
        ("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "stack_update_complete"),
        ("UPDATE_ROLLBACK_IN_PROGRESS", "stack_rollback_complete"),
        ("DELETE_IN_PROGRESS", "stack_delete_complete"),
        ("IMPORT_IN_PROGRESS", "stack_import_complete"),
    ],
)
def test_an_operation_in_progress_is_waited_out_with_botocores_waiter_for_it(status: str, waiter: str) -> None:
    assert waiter_for(status) == waiter
    assert waiter in boto3.client("cloudformation", region_name="us-west-2").waiter_names


def test_the_feed_yields_only_events_newer_than_its_start_oldest_first() -> None:
    cf = boto3.client("cloudformation", region_name="us-west-2")
    old = stack_event("UPDATE_COMPLETE", second=1)
    first = stack_event("UPDATE_IN_PROGRESS", "User Initiated", second=2)
    second = event("Vpc", "AWS::EC2::VPC", "UPDATE_IN_PROGRESS", second=3)
    third = event("Vpc", "AWS::EC2::VPC", "UPDATE_COMPLETE", second=4)
    with Stubber(cf) as stub:
        stub.add_response("describe_stack_events", events(old), {"StackName": STACK_ID})
        stub.add_response("describe_stack_events", events(second, first, old), {"StackName": STACK_ID})
        stub.add_response("describe_stack_events", events(third, second, first, old), {"StackName": STACK_ID})
        feed = EventFeed(cf, STACK_ID)
        assert [e.event_id for e in feed.poll()] == [first["EventId"], second["EventId"]]
        assert [e.event_id for e in feed.poll()] == [third["EventId"]]
    assert [e.status for e in feed.history] == ["UPDATE_IN_PROGRESS", "UPDATE_IN_PROGRESS", "UPDATE_COMPLETE"]
