"""The IMPORT change set's template: the matched resources only, kept on delete, nothing else changed."""

from __future__ import annotations

from typing import Any

from cfncompiler.adopt.match import Candidate, Match, Matching
from cfncompiler.adopt.plan import import_template, not_importable

TEMPLATE: dict[str, Any] = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Description": "data",
    "Parameters": {"DataSubnetIds": {"Type": "List<AWS::EC2::Subnet::Id>"}},
    "Resources": {
        "Key": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": True}},
        "Logs": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "logs"}},
        "Bucket": {
            "Type": "AWS::S3::Bucket",
            "DependsOn": ["Key", "Logs"],
            "Properties": {
                "BucketName": "data",
                "LoggingConfiguration": {"DestinationBucketName": {"Ref": "Logs"}},
                "BucketEncryption": {"KMSMasterKeyID": {"Fn::GetAtt": ["Key", "Arn"]}},
            },
            "DeletionPolicy": "Snapshot",
        },
        "Subnets": {"Type": "AWS::RDS::DBSubnetGroup", "Properties": {"SubnetIds": {"Ref": "DataSubnetIds"}}},
    },
    "Outputs": {"BucketName": {"Value": {"Ref": "Bucket"}}},
}


def test_a_new_stack_gets_only_the_adopted_resources_retained_and_no_outputs() -> None:
    body, deferred = import_template(TEMPLATE, ["Bucket", "Key", "Subnets"], None)
    assert set(body["Resources"]) == {"Bucket", "Key", "Subnets"}
    assert "Outputs" not in body
    assert body["Parameters"] == TEMPLATE["Parameters"]
    for resource in body["Resources"].values():
        assert resource["DeletionPolicy"] == "Retain" and resource["UpdateReplacePolicy"] == "Retain"
    bucket = body["Resources"]["Bucket"]
    # Logs is not adopted: the property that names it waits for the converge deploy.
    assert "LoggingConfiguration" not in bucket["Properties"]
    assert bucket["Properties"]["BucketEncryption"] == {"KMSMasterKeyID": {"Fn::GetAtt": ["Key", "Arn"]}}
    assert bucket["DependsOn"] == ["Key"]
    assert deferred == [("Bucket", "LoggingConfiguration")]
    assert TEMPLATE["Resources"]["Bucket"]["DeletionPolicy"] == "Snapshot"  # the compiled template is untouched


def test_an_existing_stack_keeps_its_resources_as_they_are_and_gains_the_adopted_ones() -> None:
    existing = {
        "Parameters": TEMPLATE["Parameters"],
        "Resources": {"Logs": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "logs"}}},
        "Outputs": {"LogsName": {"Value": {"Ref": "Logs"}}},
    }
    body, deferred = import_template(TEMPLATE, ["Bucket"], existing)
    assert body["Resources"]["Logs"] == existing["Resources"]["Logs"]
    assert body["Outputs"] == existing["Outputs"]
    assert body["Resources"]["Bucket"]["Properties"]["LoggingConfiguration"] == {
        "DestinationBucketName": {"Ref": "Logs"}
    }
    assert deferred == [("Bucket", "BucketEncryption")]


def test_a_match_cloudformation_cannot_import_is_taken_out_for_the_deploy() -> None:
    topic = Match("AlarmTopic", "AWS::SNS::Topic", Candidate("aws_sns_topic.alarms", "AWS::SNS::Topic", {}), "name")
    policy = Match(
        "AlarmTopicPolicy",
        "AWS::SNS::TopicPolicy",
        Candidate("aws_sns_topic_policy.alarms", "AWS::SNS::TopicPolicy", {}),
        "identity: Topics",
    )
    matching = Matching(matches=[topic, policy])

    # The topic policy's registry schema has no read handler: CloudFormation cannot import it.
    assert not_importable(matching) == [policy]
    assert matching.matches == [topic]
