"""Realistic CloudFormation responses for botocore's Stubber: the failures the local endpoint cannot produce.

Shapes and wording follow what CloudFormation returns (checked against the
service model by the Stubber itself, and against AWS's documented messages).
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
from botocore.stub import ANY, Stubber

from cfncompiler.deploy.deployer import Deployer
from cfncompiler.deploy.project import Project, open_project
from cfncompiler.deploy.session import Aws

from .conftest import PRODUCTION_SPEC, Recorder

REGION = "us-west-2"
ACCOUNT = "123456789012"
PROJECT = "coder-production"
STACK = f"{PROJECT}-network"
STACK_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{STACK}/6f1c0e60-8a4d-11ef-9d3e-0a1b2c3d4e5f"
CHANGE_SET_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:changeSet/cfncompiler-0123456789abcdef/4d1e2f30-8a4d"

# A small template standing in for the network layer: these tests are about CloudFormation's answers.
TEMPLATE = """\
Description: stub network layer
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
      EnableDnsSupport: true
Outputs:
  VpcId:
    Value: !Ref Vpc
"""

_clock = itertools.count()
T0 = datetime(2025, 3, 4, 10, 0, 0, tzinfo=UTC)


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def stack(status: str, *, reason: str | None = None, protected: bool = False, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "StackId": STACK_ID,
        "StackName": STACK,
        "CreationTime": at(0),
        "StackStatus": status,
        "EnableTerminationProtection": protected,
        "Tags": [],
        **extra,
    }
    if reason:
        body["StackStatusReason"] = reason
    return {"Stacks": [body]}


def event(logical_id: str, resource_type: str, status: str, reason: str = "", *, second: int) -> dict[str, Any]:
    body = {
        "StackId": STACK_ID,
        "EventId": f"{logical_id}-{status}-{next(_clock)}",
        "StackName": STACK,
        "LogicalResourceId": logical_id,
        "PhysicalResourceId": STACK_ID if resource_type == "AWS::CloudFormation::Stack" else "",
        "ResourceType": resource_type,
        "Timestamp": at(second),
        "ResourceStatus": status,
    }
    if reason:
        body["ResourceStatusReason"] = reason
    return body


def stack_event(status: str, reason: str = "", *, second: int) -> dict[str, Any]:
    return event(STACK, "AWS::CloudFormation::Stack", status, reason, second=second)


def events(*newest_first: dict[str, Any]) -> dict[str, Any]:
    return {"StackEvents": list(newest_first)}


def change_set(
    status: str = "CREATE_COMPLETE", reason: str | None = None, changes: list[Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "ChangeSetName": "cfncompiler-0123456789abcdef",
        "ChangeSetId": CHANGE_SET_ID,
        "StackId": STACK_ID,
        "StackName": STACK,
        "Status": status,
        "ExecutionStatus": "AVAILABLE" if status == "CREATE_COMPLETE" else "UNAVAILABLE",
        "Changes": changes if changes is not None else [add("Vpc", "AWS::EC2::VPC")],
    }
    if reason:
        body["StatusReason"] = reason
    return body


def add(logical_id: str, resource_type: str) -> dict[str, Any]:
    return {
        "Type": "Resource",
        "ResourceChange": {"Action": "Add", "LogicalResourceId": logical_id, "ResourceType": resource_type},
    }


def missing_stack() -> dict[str, Any]:
    return {
        "service_error_code": "ValidationError",
        "service_message": f"Stack with id {STACK} does not exist",
        "http_status_code": 400,
    }


@dataclass
class Stubbed:
    """A deployer whose CloudFormation client answers from a script; S3 and STS must not be called at all."""

    deployer: Deployer
    cf: Stubber
    recorder: Recorder
    aws: Aws

    def expect(self, operation: str, response: dict[str, Any] | None = None, params: Any = None) -> None:
        self.cf.add_response(operation, response or {}, params)

    def fail(self, operation: str, error: dict[str, Any]) -> None:
        self.cf.add_client_error(operation, **error)

    # The opening moves of a deploy of a layer with nothing above it, as CloudFormation answers them.
    def expect_create_change_set(self, changes: list[Any] | None = None) -> None:
        self.expect("create_change_set", {"Id": CHANGE_SET_ID, "StackId": STACK_ID})
        self.expect("describe_change_set", change_set(changes=changes))  # the waiter
        self.expect("describe_change_set", change_set(changes=changes))  # reading every page


def workspace_project(root: Path) -> Project:
    """The production spec (for its project name and region) with :data:`TEMPLATE` as the network layer."""
    spec_dir, out_dir = root / "spec", root / "templates_out"
    spec_dir.mkdir(parents=True)
    out_dir.mkdir()
    shutil.copy(PRODUCTION_SPEC, spec_dir / "production.yaml")
    (out_dir / "network.yaml").write_text(TEMPLATE, encoding="utf-8")
    return open_project(spec_dir / "production.yaml", out_dir)


def stubbed_aws() -> tuple[Aws, Stubber, list[Stubber]]:
    clients = {name: boto3.client(name, region_name=REGION) for name in ("cloudformation", "s3", "sts")}
    stubbers = {name: Stubber(client) for name, client in clients.items()}
    for stubber in stubbers.values():
        stubber.activate()
    aws = Aws(REGION, clients["cloudformation"], clients["s3"], clients["sts"])
    return aws, stubbers["cloudformation"], [stubbers["s3"], stubbers["sts"]]


@contextmanager
def stubbed_deployer(root: Path, *, answer: bool = True) -> Iterator[Stubbed]:
    """A deployer over a scripted CloudFormation; on exit, every scripted response must have been used."""
    aws, cf, others = stubbed_aws()
    recorder = Recorder(answer=answer)
    project = workspace_project(root)
    yield Stubbed(Deployer(aws, project, recorder, poll_seconds=0), cf, recorder, aws)
    cf.assert_no_pending_responses()
    for stubber in others:
        stubber.assert_no_pending_responses()


__all__ = ["ANY", "Stubbed", "stubbed_deployer"]
