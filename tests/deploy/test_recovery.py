"""Failure and recovery paths the local endpoint cannot produce, on CloudFormation's own answers (Stubber)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cfncompiler.deploy.deployer import Options
from cfncompiler.deploy.diff import UP_TO_DATE
from cfncompiler.deploy.guard import stack_policy
from cfncompiler.errors import Refused, StackFailed, StoppedWatching

from .stubs import (
    CHANGE_SET_ID,
    STACK,
    STACK_ID,
    TEMPLATE,
    at,
    change_set,
    event,
    events,
    missing_stack,
    stack,
    stack_event,
    stubbed_deployer,
)

NO_CHANGES_REASON = (
    "The submitted information didn't contain changes. Submit different information to create a change set."
)
VPC_LIMIT = (
    "The maximum number of VPCs has been reached. (Service: Ec2, Status Code: 400, "
    "Request ID: 5b0c8e52-7f34-4a8b-9a3e-2c1d7e1f0a11)"
)


def test_a_failed_create_reports_the_first_failure_as_root_cause(tmp_path: Path) -> None:
    review = stack_event("REVIEW_IN_PROGRESS", "User Initiated", second=1)
    started = stack_event("CREATE_IN_PROGRESS", "User Initiated", second=2)
    vpc_started = event("Vpc", "AWS::EC2::VPC", "CREATE_IN_PROGRESS", second=3)
    vpc_failed = event("Vpc", "AWS::EC2::VPC", "CREATE_FAILED", VPC_LIMIT, second=4)
    rolling_back = stack_event(
        "ROLLBACK_IN_PROGRESS",
        "The following resource(s) failed to create: [Vpc]. Rollback requested by user.",
        second=5,
    )
    vpc_deleted = event("Vpc", "AWS::EC2::VPC", "DELETE_COMPLETE", second=6)
    rolled_back = stack_event("ROLLBACK_COMPLETE", second=7)
    with stubbed_deployer(tmp_path) as s:
        s.fail("describe_stacks", missing_stack())
        s.expect_create_change_set()
        s.expect("describe_stack_events", events(review))
        s.expect("execute_change_set", {}, {"ChangeSetName": CHANGE_SET_ID})
        s.expect("describe_stacks", stack("CREATE_IN_PROGRESS"))
        s.expect("describe_stack_events", events(vpc_failed, vpc_started, started, review))
        s.expect("describe_stacks", stack("ROLLBACK_COMPLETE"))
        s.expect(
            "describe_stack_events",
            events(rolled_back, vpc_deleted, rolling_back, vpc_failed, vpc_started, started, review),
        )
        s.expect("describe_stacks", stack("ROLLBACK_COMPLETE"))

        with pytest.raises(StackFailed) as failed:
            s.deployer.deploy(["network"])

    message = str(failed.value)
    assert f"{STACK} failed and is now ROLLBACK_COMPLETE" in message
    assert f"Root cause: Vpc (AWS::EC2::VPC) CREATE_FAILED: {VPC_LIMIT}" in message
    assert "--replace-failed" in message
    streamed = [(e.logical_id, e.status) for _, e in s.recorder.events]
    assert streamed == [
        (STACK, "CREATE_IN_PROGRESS"),
        ("Vpc", "CREATE_IN_PROGRESS"),
        ("Vpc", "CREATE_FAILED"),
        (STACK, "ROLLBACK_IN_PROGRESS"),
        ("Vpc", "DELETE_COMPLETE"),
        (STACK, "ROLLBACK_COMPLETE"),
    ]


def test_a_change_set_that_fails_is_deleted_and_its_reason_reported(tmp_path: Path) -> None:
    reason = "Template format error: Unresolved resource dependencies [Subnet] in the Resources block of the template"
    with stubbed_deployer(tmp_path) as s:
        s.fail("describe_stacks", missing_stack())
        s.expect("create_change_set", {"Id": CHANGE_SET_ID, "StackId": STACK_ID})
        s.expect("describe_change_set", change_set("FAILED", reason, changes=[]))
        s.expect("delete_change_set", {}, {"ChangeSetName": CHANGE_SET_ID})
        s.expect("delete_stack", {}, {"StackName": STACK_ID})

        with pytest.raises(StackFailed, match="could not create a change set") as failed:
            s.deployer.deploy(["network"])

    assert reason in str(failed.value)
    assert s.recorder.questions == []


def test_an_empty_change_set_is_success_and_is_deleted(tmp_path: Path) -> None:
    with stubbed_deployer(tmp_path) as s:
        s.expect("describe_stacks", stack("UPDATE_COMPLETE", LastUpdatedTime=at(9)))
        # The same value written as a string: different text to the fast path, no change to CloudFormation.
        s.expect(
            "get_template", {"TemplateBody": TEMPLATE.replace("EnableDnsSupport: true", "EnableDnsSupport: 'true'")}
        )
        s.expect("create_change_set", {"Id": CHANGE_SET_ID, "StackId": STACK_ID})
        s.expect(
            "describe_change_set",
            change_set(
                "FAILED",
                NO_CHANGES_REASON,
                changes=[],
            ),
        )
        s.expect("delete_change_set", {}, {"ChangeSetName": CHANGE_SET_ID})

        outcome = s.deployer.deploy(["network"])

    assert outcome == {"network": "no changes"}


def test_rollback_complete_is_explained_and_left_alone_without_replace_failed(tmp_path: Path) -> None:
    with stubbed_deployer(tmp_path) as s:
        s.expect(
            "describe_stacks", stack("ROLLBACK_COMPLETE", reason="The following resource(s) failed to create: [Vpc].")
        )
        with pytest.raises(Refused, match="--replace-failed") as refused:
            s.deployer.deploy(["network"])
    assert "ROLLBACK_COMPLETE" in str(refused.value)


def test_replace_failed_deletes_the_failed_stack_and_creates_it_again(tmp_path: Path) -> None:
    with stubbed_deployer(tmp_path) as s:
        s.expect("describe_stacks", stack("ROLLBACK_COMPLETE"))
        s.expect("describe_stack_events", events(stack_event("ROLLBACK_COMPLETE", second=7)))
        s.expect("delete_stack", {}, {"StackName": STACK_ID})
        s.expect("describe_stacks", stack("DELETE_COMPLETE"))
        s.expect("describe_stack_events", events(stack_event("DELETE_COMPLETE", second=20)))
        s.expect_create_change_set()
        s.expect("describe_stack_events", events(stack_event("REVIEW_IN_PROGRESS", "User Initiated", second=30)))
        s.expect("execute_change_set", {}, {"ChangeSetName": CHANGE_SET_ID})
        s.expect("describe_stacks", stack("CREATE_COMPLETE"))
        s.expect("describe_stack_events", events(stack_event("CREATE_COMPLETE", second=40)))
        s.expect("describe_stacks", stack("CREATE_COMPLETE"))
        s.expect("set_stack_policy", {})
        s.expect(
            "update_termination_protection",
            {"StackId": STACK_ID},
            {"StackName": STACK, "EnableTerminationProtection": True},
        )

        outcome = s.deployer.deploy(["network"], Options(replace_failed=True))

    assert outcome == {"network": "CREATE_COMPLETE"}


def test_update_rollback_failed_is_explained_and_left_alone_without_continue_rollback(tmp_path: Path) -> None:
    with stubbed_deployer(tmp_path) as s:
        s.expect("describe_stacks", stack("UPDATE_ROLLBACK_FAILED"))
        with pytest.raises(Refused, match="--continue-rollback"):
            s.deployer.deploy(["network"])


def test_continue_rollback_resumes_the_rollback_then_deploys(tmp_path: Path) -> None:
    with stubbed_deployer(tmp_path) as s:
        s.expect("describe_stacks", stack("UPDATE_ROLLBACK_FAILED", protected=True))
        s.expect("describe_stack_events", events(stack_event("UPDATE_ROLLBACK_FAILED", second=5)))
        s.expect("continue_update_rollback", {}, {"StackName": STACK_ID})
        s.expect("describe_stacks", stack("UPDATE_ROLLBACK_COMPLETE", protected=True))
        s.expect("describe_stack_events", events(stack_event("UPDATE_ROLLBACK_COMPLETE", second=9)))
        s.expect("describe_stacks", stack("UPDATE_ROLLBACK_COMPLETE", protected=True))
        s.expect("get_template", {"TemplateBody": TEMPLATE})
        s.expect("get_stack_policy", {"StackPolicyBody": stack_policy([])}, {"StackName": STACK})

        outcome = s.deployer.deploy(["network"], Options(continue_rollback=True))

    assert outcome == {"network": UP_TO_DATE}
    assert any("continuing the rollback" in message for _, message in s.recorder.notes)


def test_a_stack_already_in_progress_is_waited_for(tmp_path: Path) -> None:
    started = stack_event("UPDATE_IN_PROGRESS", "User Initiated", second=1)
    with stubbed_deployer(tmp_path) as s:
        s.expect("describe_stacks", stack("UPDATE_IN_PROGRESS", protected=True))
        s.expect("describe_stack_events", events(started))
        s.expect("describe_stacks", stack("UPDATE_IN_PROGRESS", protected=True))
        s.expect("describe_stack_events", events(started))
        s.expect("describe_stacks", stack("UPDATE_COMPLETE", protected=True))
        s.expect("describe_stack_events", events(stack_event("UPDATE_COMPLETE", second=8), started))
        s.expect("describe_stacks", stack("UPDATE_COMPLETE", protected=True))
        s.expect("get_template", {"TemplateBody": TEMPLATE})
        s.expect("get_stack_policy", {"StackPolicyBody": stack_policy([])}, {"StackName": STACK})

        assert s.deployer.deploy(["network"]) == {"network": UP_TO_DATE}

    assert [e.status for _, e in s.recorder.events] == ["UPDATE_COMPLETE"]


def test_an_update_that_rolls_back_names_the_root_cause_and_restores_the_policy(tmp_path: Path) -> None:
    reason = 'Resource handler returned message: "Invalid CIDR block" (HandlerErrorCode: InvalidRequest)'
    template_v1 = TEMPLATE.replace("10.0.0.0/16", "10.1.0.0/16")
    with stubbed_deployer(tmp_path) as s:
        s.expect("describe_stacks", stack("UPDATE_COMPLETE", protected=True))
        s.expect("get_template", {"TemplateBody": template_v1})
        s.expect_create_change_set(
            changes=[
                {
                    "Type": "Resource",
                    "ResourceChange": {
                        "Action": "Modify",
                        "LogicalResourceId": "Vpc",
                        "ResourceType": "AWS::EC2::VPC",
                        "Replacement": "True",
                        "Scope": ["Properties"],
                        "Details": [
                            {
                                "Target": {
                                    "Attribute": "Properties",
                                    "Name": "CidrBlock",
                                    "RequiresRecreation": "Always",
                                },
                                "Evaluation": "Static",
                                "ChangeSource": "DirectModification",
                            }
                        ],
                    },
                }
            ]
        )
        previous = stack_event("UPDATE_COMPLETE", second=1)
        s.expect("set_stack_policy", {})
        s.expect("describe_stack_events", events(previous))
        s.expect("execute_change_set", {}, {"ChangeSetName": CHANGE_SET_ID})
        s.expect("describe_stacks", stack("UPDATE_ROLLBACK_COMPLETE", protected=True))
        s.expect(
            "describe_stack_events",
            events(
                stack_event("UPDATE_ROLLBACK_COMPLETE", second=9),
                event("Vpc", "AWS::EC2::VPC", "UPDATE_COMPLETE", second=8),
                event("Vpc", "AWS::EC2::VPC", "UPDATE_IN_PROGRESS", "Resource update cancelled", second=7),
                stack_event(
                    "UPDATE_ROLLBACK_IN_PROGRESS", "The following resource(s) failed to update: [Vpc].", second=6
                ),
                event("Vpc", "AWS::EC2::VPC", "UPDATE_FAILED", reason, second=5),
                event("Vpc", "AWS::EC2::VPC", "UPDATE_IN_PROGRESS", second=3),
                stack_event("UPDATE_IN_PROGRESS", "User Initiated", second=2),
                previous,
            ),
        )
        s.expect("describe_stacks", stack("UPDATE_ROLLBACK_COMPLETE", protected=True))
        s.expect("set_stack_policy", {})

        with pytest.raises(StackFailed) as failed:
            s.deployer.deploy(["network"])

    message = str(failed.value)
    assert f"Root cause: Vpc (AWS::EC2::VPC) UPDATE_FAILED: {reason}" in message
    assert "is now UPDATE_ROLLBACK_COMPLETE" in message
    [layer_diff] = s.recorder.diffs
    assert [(r.logical_id, r.replacement, r.properties) for r in layer_diff.rows] == [("Vpc", "True", ("CidrBlock",))]


def test_ctrl_c_while_waiting_stops_watching_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(_: float) -> None:
        raise KeyboardInterrupt

    with stubbed_deployer(tmp_path) as s:
        s.fail("describe_stacks", missing_stack())
        s.expect_create_change_set()
        s.expect("describe_stack_events", events(stack_event("REVIEW_IN_PROGRESS", second=1)))
        s.expect("execute_change_set", {}, {"ChangeSetName": CHANGE_SET_ID})
        s.expect("describe_stacks", stack("CREATE_IN_PROGRESS"))
        s.expect("describe_stack_events", events(stack_event("CREATE_IN_PROGRESS", second=2)))
        monkeypatch.setattr("botocore.waiter.time.sleep", interrupted)

        with pytest.raises(StoppedWatching) as stopped:
            s.deployer.deploy(["network"])

    assert stopped.value.exit_code == 130
    assert "CloudFormation carries on" in str(stopped.value)
    assert f"--stack-name {STACK}" in str(stopped.value)
