"""Pairing template resources with Terraform's: by identity, by the only one of a type, by pin; never a guess."""

from __future__ import annotations

from typing import Any

from cfncompiler.adopt.match import Candidate, match
from cfncompiler.adopt.resolve import Context, resolve

CONTEXT = Context("123456789012", "us-west-2", {"AppSubnetIds": "subnet-a,subnet-b"})


def resolved(value: Any) -> Any:
    return resolve(value, CONTEXT)


def bucket(name: str) -> dict[str, Any]:
    return {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::Sub": f"{name}-${{AWS::AccountId}}"}}}


def live_bucket(address: str, name: str) -> Candidate:
    return Candidate(address, "AWS::S3::Bucket", {"BucketName": name}, {"BucketName": name})


def mount_target(index: int) -> dict[str, Any]:
    subnet = {"Fn::Select": [index, {"Ref": "AppSubnetIds"}]}
    return {"Type": "AWS::EFS::MountTarget", "Properties": {"FileSystemId": {"Ref": "FileSystem"}, "SubnetId": subnet}}


def test_a_named_resource_matches_the_one_with_its_name_whatever_the_order() -> None:
    resources = {"BucketA": bucket("acme-a"), "BucketB": bucket("acme-b")}
    candidates = [
        live_bucket('aws_s3_bucket.this["b"]', "acme-b-123456789012"),
        live_bucket('aws_s3_bucket.this["a"]', "acme-a-123456789012"),
    ]
    found = match(resources, candidates, {}, resolved)
    assert {m.logical_id: m.candidate.address for m in found.matches} == {
        "BucketA": 'aws_s3_bucket.this["a"]',
        "BucketB": 'aws_s3_bucket.this["b"]',
    }
    assert found.problems == [] and found.template_only == [] and found.terraform_only == []


def test_a_name_nobody_has_is_created_by_the_deploy_and_the_other_stays_in_terraform() -> None:
    found = match({"BucketA": bucket("acme-a")}, [live_bucket("aws_s3_bucket.old", "legacy-name")], {}, resolved)
    assert found.matches == []
    assert found.template_only == [("BucketA", "AWS::S3::Bucket")]
    assert [c.address for c in found.terraform_only] == ["aws_s3_bucket.old"]


def test_a_pin_settles_what_names_cannot() -> None:
    found = match(
        {"BucketA": bucket("acme-a")},
        [live_bucket("aws_s3_bucket.old", "legacy-name")],
        {"BucketA": "aws_s3_bucket.old"},
        resolved,
    )
    assert [(m.logical_id, m.candidate.address, m.how) for m in found.matches] == [
        ("BucketA", "aws_s3_bucket.old", "--map")
    ]


def test_a_pin_to_a_missing_address_or_another_type_is_a_problem() -> None:
    found = match(
        {"BucketA": bucket("acme-a"), "BucketB": bucket("acme-b")},
        [Candidate("aws_dynamodb_table.locks", "AWS::DynamoDB::Table", {}, {})],
        {"BucketA": "aws_s3_bucket.nope", "BucketB": "aws_dynamodb_table.locks"},
        resolved,
    )
    assert any("has no resource aws_s3_bucket.nope" in p for p in found.problems)
    assert any("is a AWS::DynamoDB::Table, but BucketB is a AWS::S3::Bucket" in p for p in found.problems)


def test_an_unnamed_resource_matches_the_only_one_of_its_type() -> None:
    found = match(
        {"Database": {"Type": "AWS::RDS::DBInstance", "Properties": {"Engine": "postgres"}}},
        [Candidate("module.db.aws_db_instance.main", "AWS::RDS::DBInstance", {}, {})],
        {},
        resolved,
    )
    assert [(m.logical_id, m.how) for m in found.matches] == [("Database", "only one of its type")]


def test_mount_targets_match_by_subnet_once_the_parameters_are_known() -> None:
    candidates = [
        Candidate(f"aws_efs_mount_target.app[{i}]", "AWS::EFS::MountTarget", {}, {"SubnetId": s})
        for i, s in ((1, "subnet-b"), (0, "subnet-a"))
    ]
    found = match({"MountA": mount_target(0), "MountB": mount_target(1)}, candidates, {}, resolved)
    assert {m.logical_id: m.candidate.address for m in found.matches} == {
        "MountA": "aws_efs_mount_target.app[0]",
        "MountB": "aws_efs_mount_target.app[1]",
    }


def test_two_of_a_kind_with_nothing_to_tell_them_apart_is_an_error_naming_both_and_the_pin() -> None:
    resources = {
        "RoleA": {"Type": "AWS::IAM::Role", "Properties": {}},
        "RoleB": {"Type": "AWS::IAM::Role", "Properties": {}},
    }
    candidates = [Candidate(f"aws_iam_role.r{i}", "AWS::IAM::Role", {}, {}) for i in (1, 2)]
    found = match(resources, candidates, {}, resolved)
    assert found.matches == []
    assert found.problems and "aws_iam_role.r1, aws_iam_role.r2" in found.problems[0]
    assert "--map RoleA=aws_iam_role.r1" in found.problems[0]
