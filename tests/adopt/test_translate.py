"""Terraform AWS provider v5 resources as CloudFormation resources: types, identifiers, names,
matching attributes and live properties.

The table is checked against CloudFormation's own registry schemas (the copies cfn-lint ships):
identifier keys are each type's ``primaryIdentifier``, and every translated value validates
against the type's property schema, names, shapes and types alike. The fixture estate is built to
the design, so its translated values equal the literal values of the compiled templates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from cfncompiler.adopt.terraform import Instance, read_state
from cfncompiler.adopt.translate import (
    NAME_TAG,
    PARTS,
    TRANSLATIONS,
    belongs_to,
    cloudformation_type,
    expand,
    identifier_value,
    live_properties,
    match_attributes,
    not_adopted_reason,
    physical_name,
    resource_identifier,
)
from cfncompiler.errors import BadInput
from cfncompiler.templates.parse import parse_template

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEMPLATES = Path(__file__).resolve().parents[2] / "templates_out"
# The estate of the design as Terraform built it, and monitoring an estate may already have
# (alarms, their topic, subscriptions, a rule with two targets, DNS records): adopt must translate both.
MONITORING = read_state(FIXTURES / "monitoring.tfstate")
ESTATE = [*read_state(FIXTURES / "estate.tfstate"), *MONITORING]
REGION = "us-west-2"
KEY_ARN = "arn:aws:kms:us-west-2:123456789012:key/1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d"
STATE_BUCKET = 'aws_s3_bucket.this["terraform-state"]'
BACKUP_BUCKET = 'aws_s3_bucket.this["backups"]'
IGW = "module.network.module.vpc.aws_internet_gateway.this[0]"


def instance(address: str) -> Instance:
    """The current (not deposed) object at ``address`` in the fixture estate."""
    return next(i for i in ESTATE if i.address == address and i.deposed is None)


def made(terraform_type: str, **attributes: Any) -> Instance:
    return Instance(f"{terraform_type}.test", terraform_type, attributes, False, None)


def adoptable() -> list[Instance]:
    """Every instance of the estate that becomes a CloudFormation resource, attachments included."""
    return [piece for i in ESTATE for piece in expand(i) if cloudformation_type(piece.type)]


@cache
def schema(cloudformation: str) -> Mapping[str, Any]:
    found: Mapping[str, Any] = PROVIDER_SCHEMA_MANAGER.get_resource_schema(REGION, cloudformation).schema
    return found


# --------------------------------------------------------------------------- the table against AWS's schemas


@pytest.mark.parametrize("terraform_type", sorted(TRANSLATIONS))
def test_identifier_keys_are_the_types_primary_identifier(terraform_type: str) -> None:
    translation = TRANSLATIONS[terraform_type]
    primary = schema(translation.cloudformation_type)["primaryIdentifier"]
    assert sorted(translation.identifier) == sorted(p.removeprefix("/properties/") for p in primary)


@pytest.mark.parametrize("terraform_type", sorted(TRANSLATIONS))
def test_name_and_match_paths_are_properties_of_the_type(terraform_type: str) -> None:
    translation = TRANSLATIONS[terraform_type]
    properties = schema(translation.cloudformation_type)["properties"]
    paths = [translation.name] if translation.name else []
    paths += [p for p in translation.match]
    assert paths or terraform_type in {"aws_kms_key", "aws_efs_file_system"}, "matched by a name, a path, or an alias"
    for path in paths:
        assert path.split(".")[0] in properties, path


def test_every_resource_type_the_templates_produce_has_a_translation() -> None:
    produced = {
        resource["Type"]
        for path in sorted(TEMPLATES.glob("*.yaml"))
        for resource in parse_template(path.read_text(encoding="utf-8"))["Resources"].values()
    }
    assert produced - {t.cloudformation_type for t in TRANSLATIONS.values()} == set()


@pytest.mark.parametrize("piece", adoptable(), ids=lambda i: f"{i.address}:{i.type}:{i.deposed or ''}")
def test_live_properties_fit_the_cloudformation_schema(piece: Instance) -> None:
    cloudformation = schema(str(cloudformation_type(piece.type)))
    validator = jsonschema.Draft7Validator(
        {
            "type": "object",
            "properties": cloudformation["properties"],
            "definitions": cloudformation.get("definitions", {}),
            "additionalProperties": False,
        }
    )
    properties = live_properties(piece, ESTATE)
    assert properties or piece.type == "aws_internet_gateway"
    errors = [f"{'.'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(properties)]
    assert errors == []


# --------------------------------------------------------------------------- identifiers


@pytest.mark.parametrize(
    ("address", "key", "expected"),
    [
        # Since provider v5 the id is the DbiResourceId: importing by it would name no instance.
        ("module.db.aws_db_instance.main", "DBInstanceIdentifier", "coder-production"),
        (
            "aws_secretsmanager_secret.coder_oidc",
            "Id",
            "arn:aws:secretsmanager:us-west-2:123456789012:secret:prod/coder/oidc-AbCdEf",
        ),
        ("aws_ecs_cluster.main", "ClusterName", "coder-production"),
        ("aws_kms_key.data", "KeyId", "1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d"),
        ("aws_kms_alias.data", "AliasName", "alias/coder-production/data"),
        (STATE_BUCKET, "BucketName", "coder-production-terraform-state-123456789012"),
        ('aws_s3_bucket_policy.this["terraform-state"]', "Bucket", "coder-production-terraform-state-123456789012"),
        ("aws_dynamodb_table.terraform_locks", "TableName", "terraform-locks"),
        ("aws_iam_role.flow_logs", "RoleName", "coder-production-flow-logs"),
        ("aws_cloudwatch_log_group.flow_logs", "LogGroupName", "/aws/vpc/coder-production-flow-logs"),
        ("aws_elasticache_replication_group.redis", "ReplicationGroupId", "coder-production-redis"),
        ("aws_elasticache_subnet_group.redis", "CacheSubnetGroupName", "coder-production-redis"),
        ("module.db.aws_db_subnet_group.this", "DBSubnetGroupName", "coder-production-data"),
        ("module.db.aws_db_parameter_group.this", "DBParameterGroupName", "coder-production-postgres16"),
        ("aws_efs_file_system.coder", "FileSystemId", "fs-0a1b2c3d4e5f67890"),
        ('aws_efs_mount_target.coder["us-west-2b"]', "Id", "fsmt-0a1b2c3d4e5f60002"),
        ("aws_efs_access_point.coder", "AccessPointId", "fsap-0a1b2c3d4e5f6a7b8"),
        (
            "aws_lb.internal",
            "LoadBalancerArn",
            "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/coder-production-alb/50dc6c495c0c9188",
        ),
        ("module.network.module.vpc.aws_vpc.this[0]", "VpcId", "vpc-0a1b2c3d4e5f60718"),
        ("module.network.module.vpc.aws_subnet.private[1]", "SubnetId", "subnet-0b2c3d4e5f6a7b812"),
        ('module.network.aws_security_group.this["rds"]', "Id", "sg-0123456789abcdef0"),
        ("module.network.aws_vpc_security_group_ingress_rule.rds_from_services", "Id", "sgr-0aa11bb22cc33dd44"),
        ("module.network.aws_vpc_endpoint.s3", "Id", "vpce-0b1c2d3e4f5a6b7c8"),
        ("module.network.aws_flow_log.vpc", "Id", "fl-0c2d4e6f8a0b2c4d6"),
        ("module.network.module.vpc.aws_nat_gateway.this[0]", "NatGatewayId", "nat-0e5f6a7b8c9d0e1f2"),
        ("module.network.module.vpc.aws_route_table.private[0]", "RouteTableId", "rtb-0a9b8c7d6e5f4a3b2"),
        ("module.network.module.vpc.aws_route_table_association.private[0]", "Id", "rtbassoc-0f9e8d7c6b5a49382"),
        (IGW, "InternetGatewayId", "igw-0c1d2e3f4a5b6c7d8"),
    ],
)
def test_identifier_value(address: str, key: str, expected: str) -> None:
    assert identifier_value(instance(address), key) == expected


@pytest.mark.parametrize(
    ("piece", "expected"),
    [
        (
            instance("module.network.module.vpc.aws_route.private_nat_gateway[0]"),
            {"RouteTableId": "rtb-0a9b8c7d6e5f4a3b2", "CidrBlock": "0.0.0.0/0"},
        ),
        (
            instance("module.network.module.vpc.aws_eip.nat[0]"),
            {"PublicIp": "44.230.17.92", "AllocationId": "eipalloc-0d4c3b2a1f0e9d8c7"},
        ),
        (expand(instance(IGW))[1], {"AttachmentType": "IGW", "VpcId": "vpc-0a1b2c3d4e5f60718"}),
        (instance("module.db.aws_db_instance.main"), {"DBInstanceIdentifier": "coder-production"}),
    ],
    ids=["route", "eip", "gateway-attachment", "rds"],
)
def test_resource_identifier_holds_every_key(piece: Instance, expected: dict[str, str]) -> None:
    assert resource_identifier(piece) == expected


def test_an_identifier_key_the_type_does_not_have_is_a_caller_error() -> None:
    with pytest.raises(ValueError, match="AWS::RDS::DBInstance has no identifier key 'DbiResourceId'"):
        identifier_value(instance("module.db.aws_db_instance.main"), "DbiResourceId")


def test_an_identifier_the_state_leaves_empty_is_bad_input_naming_the_address() -> None:
    with pytest.raises(BadInput) as caught:
        identifier_value(made("aws_db_instance", id="db-ABC", identifier=""), "DBInstanceIdentifier")
    assert str(caught.value).startswith("aws_db_instance.test has no identifier in the Terraform state")
    assert "\n" not in str(caught.value)


# --------------------------------------------------------------------------- names and matching


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        (STATE_BUCKET, "coder-production-terraform-state-123456789012"),
        ("aws_dynamodb_table.terraform_locks", "terraform-locks"),
        ("aws_secretsmanager_secret.coder_oidc", "prod/coder/oidc"),
        ("module.db.aws_db_instance.main", "coder-production"),
        ("aws_elasticache_replication_group.redis", "coder-production-redis"),
        ("aws_cloudwatch_log_group.flow_logs", "/aws/vpc/coder-production-flow-logs"),
        ("aws_ecs_cluster.main", "coder-production"),
        ("aws_iam_role.flow_logs", "coder-production-flow-logs"),
        ("aws_kms_alias.data", "alias/coder-production/data"),
        ("module.db.aws_db_subnet_group.this", "coder-production-data"),
        ("module.db.aws_db_parameter_group.this", "coder-production-postgres16"),
        ("aws_elasticache_subnet_group.redis", "coder-production-redis"),
        ('module.network.aws_security_group.this["alb"]', "coder-production-alb"),
        ("aws_lb.internal", "coder-production-alb"),
        ("aws_lb_target_group.coder", "coder-20241104150312"),
        # Nameless types: matched by match_attributes(), or (a key) through its alias.
        ("module.network.module.vpc.aws_vpc.this[0]", None),
        ("aws_efs_file_system.coder", None),
        ("aws_kms_key.data", None),
        ('aws_efs_mount_target.coder["us-west-2a"]', None),
    ],
)
def test_physical_name(address: str, expected: str | None) -> None:
    assert physical_name(instance(address)) == expected


@pytest.mark.parametrize(
    ("piece", "expected"),
    [
        (instance("module.network.module.vpc.aws_vpc.this[0]"), {"CidrBlock": "10.0.0.0/16"}),
        (instance("module.network.module.vpc.aws_subnet.public[0]"), {"CidrBlock": "10.0.0.0/24"}),
        (
            instance('module.network.aws_security_group.this["rds"]'),
            {"GroupName": "coder-production-rds", NAME_TAG: "coder-production-rds"},
        ),
        (
            instance('aws_efs_mount_target.coder["us-west-2b"]'),
            {"FileSystemId": "fs-0a1b2c3d4e5f67890", "SubnetId": "subnet-0b2c3d4e5f6a7b812"},
        ),
        (instance("module.network.module.vpc.aws_route_table.private[0]"), {NAME_TAG: "coder-production-private"}),
        (
            instance("aws_efs_access_point.coder"),
            {"FileSystemId": "fs-0a1b2c3d4e5f67890", "RootDirectory.Path": "/coder"},
        ),
        (
            instance("module.network.aws_flow_log.vpc"),
            {"ResourceId": "vpc-0a1b2c3d4e5f60718", "TrafficType": "ALL"},
        ),
        (
            instance("module.network.aws_vpc_security_group_ingress_rule.rds_from_services"),
            {
                "GroupId": "sg-0123456789abcdef0",
                "IpProtocol": "tcp",
                "FromPort": 5432,
                "ToPort": 5432,
                "SourceSecurityGroupId": "sg-0a1a2b2b3c3c4d4d5",
            },
        ),
        (instance("module.network.aws_vpc_endpoint.s3"), {"ServiceName": "com.amazonaws.us-west-2.s3"}),
        (instance("module.network.module.vpc.aws_nat_gateway.this[0]"), {"SubnetId": "subnet-0f1e2d3c4b5a69780"}),
        (expand(instance(IGW))[1], {"VpcId": "vpc-0a1b2c3d4e5f60718"}),
        (instance("aws_dynamodb_table.terraform_locks"), {"TableName": "terraform-locks"}),
        (instance("aws_kms_key.data"), {}),
    ],
    ids=lambda p: p.address if isinstance(p, Instance) else None,
)
def test_match_attributes(piece: Instance, expected: dict[str, Any]) -> None:
    assert match_attributes(piece) == expected


# --------------------------------------------------------------------------- live properties


def test_rds_properties() -> None:
    assert live_properties(instance("module.db.aws_db_instance.main")) == {
        "DBInstanceIdentifier": "coder-production",
        "Engine": "postgres",
        # engine_version_actual: the configuration asked for "16".
        "EngineVersion": "16.9",
        "DBInstanceClass": "db.r6g.large",
        "DBName": "coder",
        "MasterUsername": "coder_admin",
        # Strings, as CloudFormation's schema types them.
        "AllocatedStorage": "100",
        "MaxAllocatedStorage": 500,
        "StorageType": "gp3",
        "StorageEncrypted": True,
        "KmsKeyId": KEY_ARN,
        "MultiAZ": False,
        "Port": "5432",
        "BackupRetentionPeriod": 30,
        "PubliclyAccessible": False,
        "DeletionProtection": True,
        "CopyTagsToSnapshot": True,
        "AutoMinorVersionUpgrade": True,
        "EnableIAMDatabaseAuthentication": True,
        "EnableCloudwatchLogsExports": ["postgresql", "upgrade"],
        "MonitoringInterval": 60,
        "MonitoringRoleArn": "arn:aws:iam::123456789012:role/coder-production-rds-monitoring",
        "DBSubnetGroupName": "coder-production-data",
        "DBParameterGroupName": "coder-production-postgres16",
        "VPCSecurityGroups": ["sg-0123456789abcdef0"],
        "ManageMasterUserPassword": True,
        "MasterUserSecret": {"KmsKeyId": KEY_ARN},
    }


def test_dynamodb_properties() -> None:
    assert live_properties(instance("aws_dynamodb_table.terraform_locks")) == {
        "TableName": "terraform-locks",
        "BillingMode": "PAY_PER_REQUEST",
        "TableClass": "STANDARD",
        "DeletionProtectionEnabled": True,
        "KeySchema": [{"AttributeName": "LockID", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "LockID", "AttributeType": "S"}],
        "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": KEY_ARN},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
    }


def test_elasticache_properties() -> None:
    assert live_properties(instance("aws_elasticache_replication_group.redis")) == {
        "ReplicationGroupId": "coder-production-redis",
        "ReplicationGroupDescription": "coder-production Redis",
        "Engine": "redis",
        "EngineVersion": "7.1.0",
        "CacheNodeType": "cache.r6g.large",
        "NumCacheClusters": 2,
        "AutomaticFailoverEnabled": True,
        "MultiAZEnabled": True,
        "Port": 6379,
        "CacheSubnetGroupName": "coder-production-redis",
        "CacheParameterGroupName": "default.redis7",
        "SecurityGroupIds": ["sg-0d9c8b7a6f5e4d3c2"],
        "AtRestEncryptionEnabled": True,
        "TransitEncryptionEnabled": True,
        "KmsKeyId": KEY_ARN,
        "SnapshotRetentionLimit": 7,
        # The provider keeps it as the string "true".
        "AutoMinorVersionUpgrade": True,
    }


def test_efs_properties_take_the_backup_policy_from_its_own_resource() -> None:
    assert live_properties(instance("aws_efs_file_system.coder"), ESTATE) == {
        "Encrypted": True,
        "KmsKeyId": KEY_ARN,
        "PerformanceMode": "generalPurpose",
        "ThroughputMode": "bursting",
        "LifecyclePolicies": [{"TransitionToIA": "AFTER_30_DAYS"}],
        "BackupPolicy": {"Status": "ENABLED"},
    }


def test_s3_properties_come_from_the_buckets_parts_when_the_bucket_itself_has_none() -> None:
    bucket = instance(STATE_BUCKET)
    assert bucket.attributes["server_side_encryption_configuration"] == []
    assert live_properties(bucket) == {
        "BucketName": "coder-production-terraform-state-123456789012",
        "VersioningConfiguration": {"Status": "Enabled"},
    }
    assert live_properties(bucket, ESTATE) == {
        "BucketName": "coder-production-terraform-state-123456789012",
        "VersioningConfiguration": {"Status": "Enabled"},
        "PublicAccessBlockConfiguration": {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        },
        "BucketEncryption": {
            "ServerSideEncryptionConfiguration": [
                {
                    "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY_ARN},
                    "BucketKeyEnabled": True,
                }
            ]
        },
    }


def test_s3_properties_read_the_buckets_own_encryption_and_no_other_buckets_parts() -> None:
    assert live_properties(instance(BACKUP_BUCKET), ESTATE) == {
        "BucketName": "coder-production-backups-123456789012",
        "BucketEncryption": {
            "ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}
            ]
        },
    }


def test_a_bucket_without_any_encryption_in_the_state_states_none() -> None:
    bucket = made("aws_s3_bucket", bucket="legacy", server_side_encryption_configuration=[], versioning=[])
    assert live_properties(bucket) == {"BucketName": "legacy"}


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        (
            "aws_secretsmanager_secret.coder_oidc",
            {
                "Name": "prod/coder/oidc",
                "Description": "Azure AD client ID and secret for Coder sign-in",
                "KmsKeyId": KEY_ARN,
            },
        ),
        (
            "aws_kms_key.data",
            {
                "Description": "coder-production data at rest",
                "EnableKeyRotation": True,
                "Enabled": True,
                "KeySpec": "SYMMETRIC_DEFAULT",
                "KeyUsage": "ENCRYPT_DECRYPT",
                "MultiRegion": False,
                "RotationPeriodInDays": 365,
                "KeyPolicy": {
                    "Id": "key-default-1",
                    "Statement": [
                        {
                            "Action": "kms:*",
                            "Effect": "Allow",
                            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                            "Resource": "*",
                            "Sid": "Enable IAM User Permissions",
                        }
                    ],
                    "Version": "2012-10-17",
                },
            },
        ),
        (
            "module.network.module.vpc.aws_vpc.this[0]",
            {
                "CidrBlock": "10.0.0.0/16",
                "EnableDnsHostnames": True,
                "EnableDnsSupport": True,
                "InstanceTenancy": "default",
            },
        ),
        (
            "module.network.module.vpc.aws_subnet.private[0]",
            {
                "CidrBlock": "10.0.10.0/24",
                "AvailabilityZone": "us-west-2a",
                "VpcId": "vpc-0a1b2c3d4e5f60718",
                "MapPublicIpOnLaunch": False,
            },
        ),
        (
            'module.network.aws_security_group.this["rds"]',
            {"GroupName": "coder-production-rds", "GroupDescription": "PostgreSQL", "VpcId": "vpc-0a1b2c3d4e5f60718"},
        ),
        (
            "aws_cloudwatch_log_group.flow_logs",
            {
                "LogGroupName": "/aws/vpc/coder-production-flow-logs",
                "RetentionInDays": 365,
                "KmsKeyId": KEY_ARN,
                "LogGroupClass": "STANDARD",
            },
        ),
        (
            "aws_iam_role.flow_logs",
            {
                "RoleName": "coder-production-flow-logs",
                "Path": "/",
                "Description": "Lets VPC flow logs write to their log group",
                "AssumeRolePolicyDocument": {
                    "Statement": [
                        {
                            "Action": "sts:AssumeRole",
                            "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
                            "Effect": "Allow",
                            "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                        }
                    ],
                    "Version": "2012-10-17",
                },
                "MaxSessionDuration": 3600,
                "Policies": [
                    {
                        "PolicyName": "write-flow-logs",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                                    "Effect": "Allow",
                                    "Resource": "arn:aws:logs:us-west-2:123456789012:log-group:"
                                    "/aws/vpc/coder-production-flow-logs:*",
                                }
                            ],
                        },
                    }
                ],
            },
        ),
        (
            "module.network.aws_flow_log.vpc",
            {
                "TrafficType": "ALL",
                "LogDestinationType": "cloud-watch-logs",
                "DeliverLogsPermissionArn": "arn:aws:iam::123456789012:role/coder-production-flow-logs",
                "MaxAggregationInterval": 600,
                "ResourceId": "vpc-0a1b2c3d4e5f60718",
                "ResourceType": "VPC",
                # The provider keeps the destination's ARN; the template names the group.
                "LogGroupName": "/aws/vpc/coder-production-flow-logs",
            },
        ),
        (
            "aws_efs_access_point.coder",
            {
                "FileSystemId": "fs-0a1b2c3d4e5f67890",
                "PosixUser": {"Uid": "1000", "Gid": "1000"},
                "RootDirectory": {
                    "Path": "/coder",
                    "CreationInfo": {"OwnerUid": "1000", "OwnerGid": "1000", "Permissions": "750"},
                },
            },
        ),
        (
            "aws_ecs_cluster.main",
            {"ClusterName": "coder-production", "ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}]},
        ),
    ],
)
def test_live_properties(address: str, expected: dict[str, Any]) -> None:
    assert live_properties(instance(address), ESTATE) == expected


@pytest.mark.parametrize(
    ("piece", "expected"),
    [
        # Provider v3 named the database `name`; v5 has db_name only.
        (
            made("aws_db_instance", identifier="old", name="coder", engine_version="13.7"),
            {"DBInstanceIdentifier": "old", "DBName": "coder", "EngineVersion": "13.7"},
        ),
        # An instance without an initial database: db_name "" is no DBName.
        (made("aws_db_instance", identifier="x", db_name="", max_allocated_storage=0), {"DBInstanceIdentifier": "x"}),
        # Provider v3 names of the replication group's fields; a boolean kept as a string.
        (
            made(
                "aws_elasticache_replication_group",
                replication_group_id="r",
                replication_group_description="old",
                number_cache_clusters=3,
                at_rest_encryption_enabled="false",
            ),
            {
                "ReplicationGroupId": "r",
                "ReplicationGroupDescription": "old",
                "NumCacheClusters": 3,
                "AtRestEncryptionEnabled": False,
            },
        ),
        # 0 days is "never expire": no RetentionInDays; kms_key_id "" is no key.
        (made("aws_cloudwatch_log_group", name="/x", retention_in_days=0, kms_key_id=""), {"LogGroupName": "/x"}),
        # A provisioned table with a range key and no encryption block: an AWS owned key.
        (
            made(
                "aws_dynamodb_table",
                name="t",
                hash_key="pk",
                range_key="sk",
                attribute=[{"name": "sk", "type": "S"}, {"name": "pk", "type": "N"}],
                billing_mode="PROVISIONED",
                read_capacity=5,
                write_capacity=2,
                server_side_encryption=[],
                point_in_time_recovery=[{"enabled": False}],
                ttl=[{"attribute_name": "expires", "enabled": True}],
            ),
            {
                "TableName": "t",
                "BillingMode": "PROVISIONED",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "N"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                ],
                "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 2},
                "SSESpecification": {"SSEEnabled": False},
                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": False},
                "TimeToLiveSpecification": {"AttributeName": "expires", "Enabled": True},
            },
        ),
        # Encrypted with the AWS managed key aws/dynamodb: no key ARN.
        (
            made("aws_dynamodb_table", name="t", hash_key="id", server_side_encryption=[{"enabled": True}]),
            {
                "TableName": "t",
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "AttributeDefinitions": [],
                "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS"},
                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": False},
            },
        ),
        # The provider writes one empty inline policy for a role that has none.
        (
            made(
                "aws_iam_role", name="r", path="/", inline_policy=[{"name": "", "policy": ""}], managed_policy_arns=[]
            ),
            {"RoleName": "r", "Path": "/"},
        ),
        # A secret encrypted with aws/secretsmanager: kms_key_id "".
        (made("aws_secretsmanager_secret", name="s", kms_key_id="", description=""), {"Name": "s"}),
        (
            made(
                "aws_vpc_endpoint",
                vpc_endpoint_type="Interface",
                service_name="com.amazonaws.us-west-2.sts",
                private_dns_enabled=True,
                subnet_ids=["subnet-b", "subnet-a"],
                route_table_ids=[],
            ),
            {
                "VpcEndpointType": "Interface",
                "ServiceName": "com.amazonaws.us-west-2.sts",
                "PrivateDnsEnabled": True,
                "SubnetIds": ["subnet-a", "subnet-b"],
            },
        ),
        (
            made(
                "aws_flow_log",
                subnet_id="subnet-a",
                log_destination_type="s3",
                log_destination="arn:aws:s3:::flow-logs",
                traffic_type="REJECT",
            ),
            {
                "ResourceId": "subnet-a",
                "ResourceType": "Subnet",
                "LogDestinationType": "s3",
                "LogDestination": "arn:aws:s3:::flow-logs",
                "TrafficType": "REJECT",
            },
        ),
        (
            made("aws_ssm_parameter", name="/p/secret", type="SecureString", value="hunter2"),
            {"Name": "/p/secret", "Type": "SecureString"},
        ),
    ],
    ids=[
        "rds-v3-name",
        "rds-no-database",
        "redis-v3-names",
        "log-group-forever",
        "dynamodb-provisioned",
        "dynamodb-aws-managed-key",
        "role-no-inline-policy",
        "secret-default-key",
        "interface-endpoint",
        "flow-log-to-s3",
        "secure-string-value-kept-out",
    ],
)
def test_live_properties_of_other_shapes(piece: Instance, expected: dict[str, Any]) -> None:
    assert live_properties(piece) == expected


def test_no_secret_value_reaches_the_properties() -> None:
    text = json.dumps([live_properties(piece, ESTATE) for piece in adoptable()])
    secret = instance("aws_secretsmanager_secret_version.coder_oidc").attributes["secret_string"]
    token = instance("aws_elasticache_replication_group.redis").attributes["auth_token"]
    assert secret not in text
    assert token not in text


def literal(value: Any) -> bool:
    """Whether a template value is written out, not computed by an intrinsic function."""
    if isinstance(value, Mapping):
        return not any(k == "Ref" or k.startswith("Fn::") for k in value) and all(map(literal, value.values()))
    if isinstance(value, list):
        return all(map(literal, value))
    return True


# What differs between an estate built to the design and the compiled template, on purpose:
# ElastiCache reports the patch level it runs; the Terraform key kept its own description and policy.
EXPECTED_DIFFERENCES = {
    ("Cache", "EngineVersion"): ("7.1", "7.1.0"),
    ("EncryptionKey", "Description"): ("coder-production data layer: data at rest", "coder-production data at rest"),
}


@pytest.mark.parametrize(
    ("address", "layer", "logical_id", "compared"),
    [
        (
            "module.db.aws_db_instance.main",
            "data",
            "Database",
            "Engine EngineVersion DBInstanceClass MultiAZ AllocatedStorage MaxAllocatedStorage StorageType "
            "StorageEncrypted BackupRetentionPeriod DBName MasterUsername ManageMasterUserPassword Port "
            "PubliclyAccessible DeletionProtection CopyTagsToSnapshot AutoMinorVersionUpgrade "
            "EnableCloudwatchLogsExports EnableIAMDatabaseAuthentication MonitoringInterval",
        ),
        (
            "aws_dynamodb_table.terraform_locks",
            "data",
            "TableTerraformLocks",
            "TableName AttributeDefinitions KeySchema BillingMode PointInTimeRecoverySpecification "
            "DeletionProtectionEnabled",
        ),
        (
            "aws_elasticache_replication_group.redis",
            "data",
            "Cache",
            "ReplicationGroupDescription Engine EngineVersion CacheNodeType NumCacheClusters AutomaticFailoverEnabled "
            "MultiAZEnabled Port TransitEncryptionEnabled AtRestEncryptionEnabled AutoMinorVersionUpgrade "
            "SnapshotRetentionLimit",
        ),
        (
            "aws_efs_file_system.coder",
            "data",
            "FileSystem",
            "Encrypted PerformanceMode ThroughputMode LifecyclePolicies BackupPolicy",
        ),
        (STATE_BUCKET, "data", "BucketTerraformState", "PublicAccessBlockConfiguration VersioningConfiguration"),
        ("aws_secretsmanager_secret.coder_oidc", "data", "SecretProdCoderOidc", "Name Description"),
        ("aws_kms_key.data", "data", "EncryptionKey", "Description EnableKeyRotation"),
        ("aws_kms_alias.data", "data", "EncryptionKeyAlias", "AliasName"),
        (
            "module.network.module.vpc.aws_vpc.this[0]",
            "network",
            "Vpc",
            "CidrBlock EnableDnsHostnames EnableDnsSupport",
        ),
        ("module.network.module.vpc.aws_subnet.private[0]", "network", "SubnetAppA", "CidrBlock MapPublicIpOnLaunch"),
        ('module.network.aws_security_group.this["rds"]', "network", "SecurityGroupRds", "GroupDescription"),
        ("module.network.aws_vpc_endpoint.s3", "network", "EndpointS3", "VpcEndpointType"),
        ("module.network.aws_flow_log.vpc", "network", "FlowLog", "ResourceType TrafficType LogDestinationType"),
        ("module.network.module.vpc.aws_eip.nat[0]", "network", "NatAddress", "Domain"),
        ("aws_cloudwatch_log_group.flow_logs", "network", "FlowLogGroup", "RetentionInDays"),
        ("aws_iam_role.flow_logs", "network", "FlowLogRole", "Description"),
        ("aws_ecs_cluster.main", "platform", "Cluster", "ClusterName ClusterSettings"),
        ("aws_lb.internal", "platform", "LoadBalancer", "Type Scheme"),
        ("aws_lb_listener.https", "platform", "HttpsListener", "Port Protocol SslPolicy"),
        (
            "aws_lb_target_group.coder",
            "platform",
            "CoderTargetGroup",
            "TargetType Protocol Port HealthCheckPath HealthCheckIntervalSeconds HealthyThresholdCount "
            "UnhealthyThresholdCount Matcher TargetGroupAttributes",
        ),
        ("aws_efs_access_point.coder", "platform", "CoderAccessPoint0", "PosixUser RootDirectory"),
    ],
)
def test_an_estate_built_to_the_design_translates_to_the_templates_values(
    address: str, layer: str, logical_id: str, compared: str
) -> None:
    template = parse_template((TEMPLATES / f"{layer}.yaml").read_text(encoding="utf-8"))
    written = template["Resources"][logical_id]["Properties"]
    live = live_properties(instance(address), ESTATE)
    both = {key for key, value in written.items() if literal(value) and key in live}
    assert both == set(compared.split())
    for key in both:
        expected = EXPECTED_DIFFERENCES.get((logical_id, key))
        assert (written[key], live[key]) == expected if expected else live[key] == written[key], key


# --------------------------------------------------------------------------- parts, refusals, attachments


def test_parts_belong_to_their_own_bucket_only() -> None:
    parts = [i for i in ESTATE if i.type in PARTS and i.type.startswith("aws_s3_")]
    assert len(parts) == 3
    assert all(belongs_to(p, instance(STATE_BUCKET)) for p in parts)
    assert not any(belongs_to(p, instance(BACKUP_BUCKET)) for p in parts)
    # A bucket is no part; a file system is not the whole of a bucket's part.
    assert not belongs_to(instance(BACKUP_BUCKET), instance(STATE_BUCKET))
    assert not belongs_to(parts[0], instance("aws_efs_file_system.coder"))


def test_a_secret_version_belongs_to_its_secret_and_adds_nothing() -> None:
    version = instance("aws_secretsmanager_secret_version.coder_oidc")
    secret = instance("aws_secretsmanager_secret.coder_oidc")
    assert belongs_to(version, secret)
    assert live_properties(secret, [version]) == live_properties(secret)


def test_a_part_is_no_cloudformation_resource_of_its_own() -> None:
    part = instance('aws_s3_bucket_versioning.this["terraform-state"]')
    assert cloudformation_type(part.type) is None
    assert not_adopted_reason(part) is None
    with pytest.raises(ValueError, match=r"is part of a aws_s3_bucket, not a CloudFormation resource of its own"):
        identifier_value(part, "BucketName")


@pytest.mark.parametrize(
    ("piece", "expected"),
    [
        (
            instance("coderd_template.contractor_workspace"),
            "coderd_template.contractor_workspace: coderd_template is not a type cfncompiler adopts "
            "(it belongs to the coderd provider); it stays in Terraform.",
        ),
        (
            instance("random_password.redis_auth"),
            "random_password.redis_auth: random_password is not a type cfncompiler adopts "
            "(it belongs to the random provider); it stays in Terraform.",
        ),
        (
            made("aws_instance", id="i-0abc"),
            "aws_instance.test: aws_instance is not a type cfncompiler adopts; it stays in Terraform.",
        ),
        (
            made("aws_security_group_rule", id="sgrule-123"),
            "aws_security_group_rule.test: one aws_security_group_rule can stand for several AWS rules (one per "
            "CIDR block), and CloudFormation needs one rule id per resource; replace it with "
            "aws_vpc_security_group_ingress_rule or aws_vpc_security_group_egress_rule resources (one per source) "
            "first.",
        ),
    ],
    ids=["coderd", "random", "aws-not-ours", "security-group-rule"],
)
def test_not_adopted_reason(piece: Instance, expected: str) -> None:
    assert cloudformation_type(piece.type) is None
    assert not_adopted_reason(piece) == expected
    with pytest.raises(ValueError, match=re.escape(expected)):
        live_properties(piece)


def test_every_other_instance_of_the_estate_is_adopted() -> None:
    refused = [i.address for i in ESTATE if not_adopted_reason(i)]
    assert refused == ["coderd_template.contractor_workspace", "random_password.redis_auth"]


def test_an_attached_internet_gateway_is_two_cloudformation_resources() -> None:
    gateway, attachment = expand(instance(IGW))
    assert gateway == instance(IGW)
    assert attachment.address == IGW
    assert cloudformation_type(attachment.type) == "AWS::EC2::VPCGatewayAttachment"
    assert live_properties(attachment) == {
        "VpcId": "vpc-0a1b2c3d4e5f60718",
        "InternetGatewayId": "igw-0c1d2e3f4a5b6c7d8",
    }


def test_a_detached_gateway_and_other_types_are_one_resource() -> None:
    detached = made("aws_internet_gateway", id="igw-1", vpc_id="")
    assert expand(detached) == [detached]
    assert expand(instance("aws_kms_key.data")) == [instance("aws_kms_key.data")]


@pytest.mark.parametrize(("old", "new"), [("aws_alb", "aws_lb"), ("aws_alb_target_group", "aws_lb_target_group")])
def test_the_older_alb_names_translate_as_the_lb_names(old: str, new: str) -> None:
    assert TRANSLATIONS[old] is TRANSLATIONS[new]


# --------------------------------------------------------------------------- monitoring an estate may already have


RULE = "module.monitoring.aws_cloudwatch_event_rule.deployment_failures"
TOPIC = "arn:aws:sns:us-west-2:123456789012:coder-production-alarms"


def test_a_rules_targets_are_folded_in_from_their_own_resources() -> None:
    rule = instance(RULE)
    assert "Targets" not in live_properties(rule)
    targets = live_properties(rule, ESTATE)["Targets"]
    assert [t["Id"] for t in targets] == ["alarm-topic", "log"]
    assert targets[0] == {"Id": "alarm-topic", "Arn": TOPIC}
    other_rule = made("aws_cloudwatch_event_rule", name="another-rule", arn="arn:aws:events:us-west-2:1:rule/x")
    assert "Targets" not in live_properties(other_rule, ESTATE)


def test_a_route53_records_set_identifier_is_sent_only_when_it_has_one() -> None:
    simple = instance("module.dns.aws_route53_record.coder")
    weighted = instance("module.dns.aws_route53_record.ai_weighted")
    keys = ["Name", "HostedZoneId", "Type", "SetIdentifier"]
    assert resource_identifier(simple, keys) == {
        "Name": "coder.staging.company.com",
        "HostedZoneId": "Z0000STAGINGPRIVATE00",
        "Type": "A",
    }
    assert resource_identifier(weighted, keys)["SetIdentifier"] == "blue"
    # An alias record has no TTL; the full name comes from fqdn whatever the configuration wrote.
    assert "TTL" not in live_properties(simple)
    assert live_properties(weighted)["Name"] == "ai.staging.company.com"
    assert live_properties(weighted)["Weight"] == 100


def test_an_alarm_is_named_by_its_alarm_name_and_its_queries_sorted_by_id() -> None:
    alarm = instance("module.monitoring.aws_cloudwatch_metric_alarm.nat_dropped_packets")
    assert physical_name(alarm) == "coder-production-nat-dropped-packets"
    assert resource_identifier(alarm) == {"AlarmName": "coder-production-nat-dropped-packets"}
    properties = live_properties(alarm)
    assert [q["Id"] for q in properties["Metrics"]] == ["dropped", "packets", "value"]
    # A metric-math alarm has no period or statistic of its own (Terraform writes 0 and "").
    assert "Period" not in properties and "Statistic" not in properties
    assert properties["Metrics"][0]["MetricStat"]["Metric"]["Dimensions"] == [
        {"Name": "NatGatewayId", "Value": "nat-0a1b2c3d4e5f67890"}
    ]


def test_the_topic_is_told_apart_by_its_display_name_and_its_policy_by_its_topic() -> None:
    assert match_attributes(instance("module.monitoring.aws_sns_topic.alarms")) == {
        "TopicName": "coder-production-alarms",
        "DisplayName": "coder-production alarms",
    }
    assert match_attributes(instance("module.monitoring.aws_sns_topic_policy.alarms")) == {"Topics": [TOPIC]}
