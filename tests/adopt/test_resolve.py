"""Template values as they will be on the account; what cannot be known stays unknown."""

from __future__ import annotations

from typing import Any

import pytest

from cfncompiler.adopt.resolve import UNKNOWN, Context, references, resolve

CONTEXT = Context("123456789012", "us-west-2", {"DataSubnetIds": "subnet-a,subnet-b", "VpcId": "vpc-1"})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"Fn::Sub": "coder-production-backups-${AWS::AccountId}"}, "coder-production-backups-123456789012"),
        ({"Ref": "VpcId"}, "vpc-1"),
        ({"Ref": "DataSubnetIds"}, ["subnet-a", "subnet-b"]),
        ({"Fn::Select": [1, {"Ref": "DataSubnetIds"}]}, "subnet-b"),
        ({"Fn::Join": ["/", ["a", {"Ref": "AWS::Region"}]]}, "a/us-west-2"),
        ({"Fn::Sub": ["${Name}-x", {"Name": {"Ref": "VpcId"}}]}, "vpc-1-x"),
        ([{"Key": "Name", "Value": {"Fn::Sub": "${AWS::Region}-vpc"}}], [{"Key": "Name", "Value": "us-west-2-vpc"}]),
        ("plain", "plain"),
    ],
)
def test_resolves_what_the_account_and_parameters_decide(value: Any, expected: Any) -> None:
    assert resolve(value, CONTEXT) == expected


@pytest.mark.parametrize(
    "value",
    [
        {"Fn::GetAtt": ["EncryptionKey", "Arn"]},
        {"Ref": "FileSystem"},
        {"Fn::Sub": "arn:${AWS::Partition}:x:::${Bucket.Arn}"},
        [{"Ref": "Missing"}, "a"],
    ],
)
def test_what_only_exists_after_deploy_stays_unknown(value: Any) -> None:
    assert resolve(value, CONTEXT) is UNKNOWN


def test_references_name_resources_and_parameters_but_not_pseudo_parameters() -> None:
    value = {
        "A": {"Ref": "Bucket"},
        "B": {"Fn::GetAtt": ["Key", "Arn"]},
        "C": {"Fn::Sub": "${AWS::AccountId}-${Table}-${Local}", "ignored": 1},
        "D": {"Fn::Sub": ["${Local}", {"Local": {"Ref": "VpcId"}}]},
    }
    assert references(value) == {"Bucket", "Key", "Table", "Local", "VpcId"}
