"""cfncompiler drift: CloudFormation's drift detection per layer, one row per drifted property, exit 0/3/1.

Against the sandbox, drift is made as a person makes it, with a boto3 client behind
CloudFormation's back; the failures the sandbox cannot produce are scripted with the Stubber.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from cfncompiler.deploy.drift import (
    DRIFTED,
    IN_SYNC,
    NOT_DEPLOYED,
    DriftDetector,
    DriftRow,
    rows,
)
from cfncompiler.errors import EXIT_DRIFTED
from cfncompiler.layers import ORDER

from .conftest import Recorder, Workspace
from .stubs import ACCOUNT, REGION, STACK, STACK_ID, at, stack, workspace_project
from .test_cli import assert_one_paragraph, run, stub_connect

DETECTION_ID = "b78ac9b0-dec1-11e7-a451-503a3e7b7ccb"


def physical_id(ws: Workspace, layer: str, logical_id: str) -> str:
    detail = ws.aws.cloudformation.describe_stack_resource(
        StackName=ws.project.stack_name(layer), LogicalResourceId=logical_id
    )["StackResourceDetail"]
    found: str = detail["PhysicalResourceId"]
    return found


def shorten_flow_log_retention(ws: Workspace, days: int) -> None:
    """What someone in the console does: the template says 365 days, the log group now keeps `days`."""
    logs = boto3.client("logs", region_name=ws.project.region)
    logs.put_retention_policy(logGroupName=physical_id(ws, "network", "FlowLogGroup"), retentionInDays=days)


def layer_lines(stdout: str) -> dict[str, str]:
    """The heading line of each layer's report, by layer."""
    return {line.split(":")[0]: line for line in stdout.splitlines() if line.split(":")[0] in ORDER}


# --------------------------------------------------------------------------- against the sandbox


def test_a_freshly_deployed_layer_is_in_sync_and_the_others_not_deployed(workspace: Workspace) -> None:
    workspace.deploy("network")

    result = run(workspace, "drift")

    assert result.exit_code == 0, result.output
    lines = layer_lines(result.stdout)
    assert f"{workspace.project.stack_name('network')}: in sync" in lines["network"]
    assert all(NOT_DEPLOYED in lines[layer] for layer in ORDER if layer != "network")
    assert "Traceback" not in result.output and "error:" not in result.stderr


def test_a_retention_changed_by_hand_is_reported_with_expected_and_actual(workspace: Workspace) -> None:
    workspace.deploy("network")
    shorten_flow_log_retention(workspace, 7)

    result = run(workspace, "drift", "--layer", "network")

    assert result.exit_code == EXIT_DRIFTED, result.output
    assert "drifted" in layer_lines(result.stdout)["network"]
    [row] = [line.split() for line in result.stdout.splitlines() if line.startswith("FlowLogGroup")]
    assert row == ["FlowLogGroup", "AWS::Logs::LogGroup", "MODIFIED", "/RetentionInDays", "365", "7"]
    assert "\x1b[" not in result.stdout, "piped output is plain"
    assert "Drifted: network" in result.stderr and "change them back by hand" in result.stderr


def test_json_gives_each_layer_its_state_counts_and_drifted_properties(workspace: Workspace) -> None:
    workspace.deploy("network")
    shorten_flow_log_retention(workspace, 30)

    result = run(workspace, "drift", "--json", "--layer", "network", "--layer", "data")

    assert result.exit_code == EXIT_DRIFTED, result.output
    network, data = json.loads(result.stdout)["layers"]
    assert network["state"] == DRIFTED and network["stack"] == workspace.project.stack_name("network")
    assert network["checked"] >= 1 and network["checked"] + network["not_checked"] == len(
        workspace.project.target("network").document["Resources"]
    )
    assert network["drifts"] == [
        {
            "logical_id": "FlowLogGroup",
            "resource_type": "AWS::Logs::LogGroup",
            "physical_id": physical_id(workspace, "network", "FlowLogGroup"),
            "status": "MODIFIED",
            "property_path": "/RetentionInDays",
            "expected": "365",
            "actual": "30",
            "difference": "NOT_EQUAL",
        }
    ]
    assert data == {
        "layer": "data",
        "stack": workspace.project.stack_name("data"),
        "state": NOT_DEPLOYED,
        "note": "",
        "checked": 0,
        "not_checked": 0,
        "drifts": [],
    }


def test_a_layer_not_deployed_is_reported_as_such_and_nothing_is_asked_of_it(workspace: Workspace) -> None:
    result = run(workspace, "drift", "--layer", "platform")

    assert result.exit_code == 0, result.output
    assert f"platform: {workspace.project.stack_name('platform')}: {NOT_DEPLOYED}" in result.stdout
    assert "detecting drift" not in result.stderr


def test_terraform_bridge_parameters_changed_or_deleted_by_hand(workspace: Workspace) -> None:
    workspace.deploy("network", "data", "platform")
    prefix = f"/{workspace.project.name}"
    ssm = boto3.client("ssm", region_name=workspace.project.region)
    ssm.put_parameter(Name=f"{prefix}/cluster-arn", Value="arn:aws:ecs:hand-made", Type="String", Overwrite=True)
    ssm.delete_parameter(Name=f"{prefix}/workspace-task-role-arn")
    recorder = Recorder()

    [platform] = DriftDetector(workspace.aws.cloudformation, workspace.project, recorder, poll_seconds=0).detect(
        ["platform"]
    )

    assert platform.state == DRIFTED
    # The template's Value is !GetAtt Cluster.Arn: what ECS calls the cluster is what was expected.
    ecs = boto3.client("ecs", region_name=workspace.project.region)
    [cluster] = ecs.describe_clusters(clusters=[physical_id(workspace, "platform", "Cluster")])["clusters"]
    assert platform.rows == [
        DriftRow(
            "BridgeClusterArn",
            "AWS::SSM::Parameter",
            f"{prefix}/cluster-arn",
            "MODIFIED",
            "/Value",
            cluster["clusterArn"],
            "arn:aws:ecs:hand-made",
            "NOT_EQUAL",
        ),
        DriftRow(
            "BridgeWorkspaceTaskRoleArn",
            "AWS::SSM::Parameter",
            f"{prefix}/workspace-task-role-arn",
            "DELETED",
            None,
            None,
            None,
            None,
        ),
    ]
    assert recorder.notes == [("platform", f"detecting drift on {workspace.project.stack_name('platform')}")]
    assert recorder.waits == [("platform", "drift detection")]


def test_a_database_whose_backups_were_shortened_by_hand(workspace: Workspace) -> None:
    workspace.deploy("network", "data")
    rds = boto3.client("rds", region_name=workspace.project.region)
    database = physical_id(workspace, "data", "Database")
    rds.modify_db_instance(DBInstanceIdentifier=database, BackupRetentionPeriod=1, ApplyImmediately=True)

    result = run(workspace, "drift", "--layer", "network", "--layer", "data")

    assert result.exit_code == EXIT_DRIFTED, result.output
    lines = layer_lines(result.stdout)
    assert "in sync" in lines["network"] and "drifted" in lines["data"]
    [row] = [line.split() for line in result.stdout.splitlines() if line.startswith("Database ")]
    assert row == ["Database", "AWS::RDS::DBInstance", "MODIFIED", "/BackupRetentionPeriod", "30", "1"]
    assert "Drifted: data." in result.stderr


# --------------------------------------------------------------------------- what CloudFormation answers


def test_rows_are_one_per_property_and_one_per_deleted_resource() -> None:
    def drift(logical_id: str, status: str, *differences: dict[str, str]) -> dict[str, Any]:
        return {
            "LogicalResourceId": logical_id,
            "PhysicalResourceId": f"{logical_id.lower()}-1",
            "ResourceType": "AWS::ECS::Service",
            "StackResourceDriftStatus": status,
            "PropertyDifferences": list(differences),
        }

    tags = {"PropertyPath": "/Tags/1", "ActualValue": '{"Key":"owner","Value":"ops"}', "DifferenceType": "ADD"}
    count = {"PropertyPath": "/DesiredCount", "ExpectedValue": "2", "ActualValue": "5", "DifferenceType": "NOT_EQUAL"}
    found = rows(
        [
            drift("Web", "MODIFIED", tags, count),
            drift("Gone", "DELETED"),
            drift("Fine", "IN_SYNC"),
            drift("Odd", "NOT_CHECKED"),
        ]
    )
    assert found == [
        DriftRow("Gone", "AWS::ECS::Service", "gone-1", "DELETED", None, None, None, None),
        DriftRow("Web", "AWS::ECS::Service", "web-1", "MODIFIED", "/DesiredCount", "2", "5", "NOT_EQUAL"),
        DriftRow(
            "Web", "AWS::ECS::Service", "web-1", "MODIFIED", "/Tags/1", None, '{"Key":"owner","Value":"ops"}', "ADD"
        ),
    ]


def detection_status(status: str, reason: str | None = None, drifted: int = 0) -> dict[str, Any]:
    body: dict[str, Any] = {
        "StackId": STACK_ID,
        "StackDriftDetectionId": DETECTION_ID,
        "DetectionStatus": status,
        "DriftedStackResourceCount": drifted,
        "Timestamp": at(30),
    }
    if status != "DETECTION_IN_PROGRESS":
        body["StackDriftStatus"] = "DRIFTED" if drifted else "IN_SYNC"
    if reason:
        body["DetectionStatusReason"] = reason
    return body


def resource_drift(logical_id: str, resource_type: str, status: str, **extra: Any) -> dict[str, Any]:
    return {
        "StackId": STACK_ID,
        "LogicalResourceId": logical_id,
        "PhysicalResourceId": f"{STACK}-{logical_id}-1A2B3C4D",
        "ResourceType": resource_type,
        "StackResourceDriftStatus": status,
        "Timestamp": at(30),
        **extra,
    }


def expect_detection(cf: Stubber, *statuses: dict[str, Any]) -> None:
    """The opening moves: the stack is read, detection starts on it, then its status is polled once per entry."""
    cf.add_response("describe_stacks", stack("UPDATE_COMPLETE"), {"StackName": STACK})
    cf.add_response("detect_stack_drift", {"StackDriftDetectionId": DETECTION_ID}, {"StackName": STACK_ID})
    for status in statuses:
        cf.add_response("describe_stack_drift_detection_status", status, {"StackDriftDetectionId": DETECTION_ID})


@pytest.fixture
def stubbed(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[Stubber, tuple[Any, Any]]:
    """A scripted CloudFormation behind the command line, and the waiter's sleeps skipped."""
    project = workspace_project(tmp_path)
    monkeypatch.setattr("botocore.waiter.time.sleep", lambda _: None)
    return stub_connect(monkeypatch), (project.spec_path, project.out_dir)


def test_a_failed_detection_relays_cloudformations_reason_and_what_it_did_check(
    stubbed: tuple[Stubber, tuple[Any, Any]],
) -> None:
    cf, paths = stubbed
    reason = (
        "Failed to detect drift on resource [FlowLogGroup]: User: arn:aws:sts::123456789012:assumed-role/Drift/ci "
        "is not authorized to perform: logs:DescribeLogGroups"
    )
    expect_detection(
        cf, detection_status("DETECTION_IN_PROGRESS"), detection_status("DETECTION_FAILED", reason, drifted=1)
    )
    differences = [
        {
            "PropertyPath": "/CidrBlock",
            "ExpectedValue": "10.0.0.0/16",
            "ActualValue": "10.9.0.0/16",
            "DifferenceType": "NOT_EQUAL",
        }
    ]
    cf.add_response(
        "describe_stack_resource_drifts",
        {
            "StackResourceDrifts": [
                resource_drift("Vpc", "AWS::EC2::VPC", "MODIFIED", PropertyDifferences=differences),
                resource_drift("FlowLogGroup", "AWS::Logs::LogGroup", "UNKNOWN"),
            ]
        },
        {"StackName": STACK},
    )

    result = run(paths, "drift", "--layer", "network")

    assert_one_paragraph(result, 1, "drift could not be checked", reason)
    assert "detection failed" in layer_lines(result.stdout)["network"]
    assert "1 resource(s) checked, 1 not checked" in result.stdout
    assert ["Vpc", "AWS::EC2::VPC", "MODIFIED", "/CidrBlock", "10.0.0.0/16", "10.9.0.0/16"] in [
        line.split() for line in result.stdout.splitlines()
    ]
    cf.assert_no_pending_responses()


def test_results_are_read_across_pages(stubbed: tuple[Stubber, tuple[Any, Any]]) -> None:
    cf, paths = stubbed
    expect_detection(cf, detection_status("DETECTION_COMPLETE"))
    cf.add_response(
        "describe_stack_resource_drifts",
        {"StackResourceDrifts": [resource_drift("Vpc", "AWS::EC2::VPC", "IN_SYNC")], "NextToken": "page-2"},
    )
    cf.add_response(
        "describe_stack_resource_drifts",
        {"StackResourceDrifts": [resource_drift("Gateway", "AWS::EC2::InternetGateway", "DELETED")]},
        {"StackName": STACK, "NextToken": "page-2"},
    )

    result = run(paths, "drift", "--layer", "network")

    assert result.exit_code == EXIT_DRIFTED, result.output
    assert "2 resource(s) checked, 0 not checked" in result.stdout
    assert any(
        line.split()[:3] == ["Gateway", "AWS::EC2::InternetGateway", "DELETED"] for line in result.stdout.splitlines()
    )
    cf.assert_no_pending_responses()


def denied(operation: str) -> dict[str, Any]:
    return {
        "service_error_code": "AccessDenied",
        "service_message": (
            f"User: arn:aws:sts::{ACCOUNT}:assumed-role/ReadOnly/dev is not authorized to perform: "
            f"cloudformation:{operation} on resource: arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{STACK}/* "
            f"because no identity-based policy allows the cloudformation:{operation} action"
        ),
        "http_status_code": 403,
    }


def test_access_denied_to_drift_detection_is_one_paragraph_naming_the_permissions(
    stubbed: tuple[Stubber, tuple[Any, Any]],
) -> None:
    cf, paths = stubbed
    cf.add_response("describe_stacks", stack("UPDATE_COMPLETE"))
    cf.add_client_error("detect_stack_drift", **denied("DetectStackDrift"))

    result = run(paths, "drift", "--layer", "network")

    assert_one_paragraph(
        result, 1, "AWS denied DetectStackDrift", "assumed-role/ReadOnly/dev", "read access to each resource type"
    )
    cf.assert_no_pending_responses()


def test_access_denied_while_waiting_is_explained_too_not_a_waiter_error(
    stubbed: tuple[Stubber, tuple[Any, Any]],
) -> None:
    cf, paths = stubbed
    expect_detection(cf)
    cf.add_client_error("describe_stack_drift_detection_status", **denied("DescribeStackDriftDetectionStatus"))

    result = run(paths, "drift", "--layer", "network")

    assert_one_paragraph(result, 1, "AWS denied DescribeStackDriftDetectionStatus", "cloudformation:DetectStackDrift")
    assert "Waiter" not in result.stderr
    cf.assert_no_pending_responses()


def test_a_stack_being_updated_is_not_checked_and_that_is_a_failure(stubbed: tuple[Stubber, tuple[Any, Any]]) -> None:
    cf, paths = stubbed
    cf.add_response("describe_stacks", stack("UPDATE_IN_PROGRESS"))

    result = run(paths, "drift", "--layer", "network", "--json")

    assert_one_paragraph(result, 1, f"{STACK} is UPDATE_IN_PROGRESS", "only on a stack at rest")
    [network] = json.loads(result.stdout)["layers"]
    assert network["state"] == "not checked"
    cf.assert_no_pending_responses()


def test_in_sync_is_exit_0_with_nothing_on_stderr_but_progress(stubbed: tuple[Stubber, tuple[Any, Any]]) -> None:
    cf, paths = stubbed
    expect_detection(cf, detection_status("DETECTION_COMPLETE"))
    cf.add_response(
        "describe_stack_resource_drifts", {"StackResourceDrifts": [resource_drift("Vpc", "AWS::EC2::VPC", "IN_SYNC")]}
    )

    result = run(paths, "drift", "--layer", "network")

    assert result.exit_code == 0, result.output
    assert f"network: {STACK}: {IN_SYNC} (1 resource(s) checked, 0 not checked)" in result.stdout
    assert result.stderr.strip() == f"network        detecting drift on {STACK}"
