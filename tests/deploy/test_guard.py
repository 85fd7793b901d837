"""The data-loss guard: which changes it refuses, what it says, and the stack policy it leaves behind."""

from __future__ import annotations

import json

import pytest

from cfncompiler.deploy.diff import Row
from cfncompiler.deploy.guard import at_risk, check, stack_policy, stateful_ids
from cfncompiler.errors import GuardRefused


def row(action: str, logical_id: str, resource_type: str, replacement: str = "") -> Row:
    return Row(action, logical_id, resource_type, replacement, ())


@pytest.mark.parametrize(
    ("change", "refused"),
    [
        (row("Remove", "BucketBackups", "AWS::S3::Bucket"), True),
        (row("Modify", "Database", "AWS::RDS::DBInstance", "True"), True),
        (row("Modify", "Cache", "AWS::ElastiCache::ReplicationGroup", "Conditional"), True),
        (row("Modify", "Database", "AWS::RDS::DBInstance", "False"), False),
        (row("Add", "TableLocks", "AWS::DynamoDB::Table"), False),
        (row("Remove", "SecurityGroupRds", "AWS::EC2::SecurityGroup"), False),
        (row("Modify", "Service", "AWS::ECS::Service", "True"), False),
        (row("Remove", "Logs", "AWS::Logs::LogGroup"), True),
        (row("Modify", "Key", "AWS::KMS::Key", "True"), True),
    ],
)
def test_the_guard_refuses_removing_or_replacing_stateful_resources_only(change: Row, refused: bool) -> None:
    assert (at_risk([change], ()) == [change]) is refused


def test_naming_a_resource_with_allow_replace_lets_only_that_one_through() -> None:
    rows = [
        row("Remove", "BucketBackups", "AWS::S3::Bucket"),
        row("Modify", "Database", "AWS::RDS::DBInstance", "True"),
    ]
    assert at_risk(rows, {"BucketBackups"}) == [rows[1]]


def test_the_refusal_names_each_resource_and_the_flag_to_pass() -> None:
    rows = [
        row("Remove", "BucketBackups", "AWS::S3::Bucket"),
        row("Modify", "Database", "AWS::RDS::DBInstance", "True"),
    ]
    with pytest.raises(GuardRefused) as refused:
        check("coder-production-data", rows, ())
    message = str(refused.value)
    assert "BucketBackups (AWS::S3::Bucket): removed" in message
    assert "Database (AWS::RDS::DBInstance): replaced (Replacement: True)" in message
    assert "--allow-replace BucketBackups --allow-replace Database" in message
    assert "left as it was" in message


def test_the_stack_policy_allows_updates_but_not_replacing_or_deleting_stateful_resources() -> None:
    policy = json.loads(stack_policy(["Database", "BucketBackups"]))
    allow, deny = policy["Statement"]
    assert (allow["Effect"], allow["Action"], allow["Resource"]) == ("Allow", ["Update:*"], ["*"])
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*"
    assert deny["Action"] == ["Update:Replace", "Update:Delete"]
    assert deny["Resource"] == ["LogicalResourceId/BucketBackups", "LogicalResourceId/Database"]


def test_a_stack_with_nothing_stateful_gets_an_allow_only_policy() -> None:
    assert [s["Effect"] for s in json.loads(stack_policy([]))["Statement"]] == ["Allow"]


def test_stateful_ids_come_from_the_one_list_of_stateful_types() -> None:
    document = {"Resources": {"Db": {"Type": "AWS::RDS::DBInstance"}, "Sg": {"Type": "AWS::EC2::SecurityGroup"}}}
    assert stateful_ids(document) == ["Db"]
