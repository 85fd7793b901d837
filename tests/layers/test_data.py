"""DataStack compiled from spec/production.yaml: RDS, Redis, EFS, S3, DynamoDB, Secrets Manager, and the layer contract.

Expected values are the design's (shared/design/infrastructure-design.md, DataStack) and the issue's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cfncompiler import contract
from cfncompiler.naming import logical_id
from cfncompiler.spec.load import SpecError, load_spec
from cfncompiler.spec.model import Spec
from tests.conftest import (
    TemplateDict,
    build_layer,
    careless_stateful_resources,
    edit,
    get_att,
    minimal_text,
    one_resource_of_type,
    ref,
    resources_of_type,
    walk,
)

DATA_KEY_ARN = get_att("EncryptionKey", "Arn")
BUCKETS = ["terraform-state", "backups", "artifacts", "langfuse-events", "langfuse-media"]
DESIGN_SECRETS = {
    "prod/coder/oidc",
    "prod/alb/oidc",
    "prod/litellm/master-key",
    "prod/litellm/anthropic-api-key",
    "prod/key-provisioner/secret",
}


def secrets_by_name(template: TemplateDict) -> dict[str, TemplateDict]:
    return {
        body["Properties"]["Name"]: body["Properties"]
        for body in resources_of_type(template, "AWS::SecretsManager::Secret").values()
    }


def buckets_by_spec_name(template: TemplateDict, project: str) -> dict[str, TemplateDict]:
    """Bucket properties keyed by the spec's bucket name, read from the BucketName the template sets."""
    found = {}
    for body in resources_of_type(template, "AWS::S3::Bucket").values():
        name = body["Properties"]["BucketName"]["Fn::Sub"]
        match = re.fullmatch(rf"{project}-(.+)-\$\{{AWS::AccountId\}}", name)
        assert match, name
        found[match.group(1)] = body["Properties"]
    return found


# --------------------------------------------------------------------------- RDS


@pytest.fixture(scope="module")
def database(data_template: TemplateDict) -> TemplateDict:
    return one_resource_of_type(data_template, "AWS::RDS::DBInstance")


def test_postgres_16_on_r6g_large_single_az(database: TemplateDict) -> None:
    props = database["Properties"]
    assert (props["Engine"], props["EngineVersion"]) == ("postgres", "16.9")
    assert props["DBInstanceClass"] == "db.r6g.large"
    assert props["MultiAZ"] is False


def test_database_storage_starts_at_100_gb_and_grows_to_500(database: TemplateDict) -> None:
    props = database["Properties"]
    assert int(props["AllocatedStorage"]) == 100
    assert props["MaxAllocatedStorage"] == 500


def test_database_is_encrypted_with_the_layer_key_and_keeps_30_days_of_backups(database: TemplateDict) -> None:
    props = database["Properties"]
    assert props["StorageEncrypted"] is True
    assert props["KmsKeyId"] == DATA_KEY_ARN
    assert props["BackupRetentionPeriod"] == 30


def test_database_master_password_is_managed_by_secrets_manager_never_in_the_template(database: TemplateDict) -> None:
    props = database["Properties"]
    assert props["ManageMasterUserPassword"] is True
    assert props["MasterUserSecret"]["KmsKeyId"] == DATA_KEY_ARN
    assert "MasterUserPassword" not in props


def test_database_requires_ssl_through_its_parameter_group(data_template: TemplateDict, database: TemplateDict) -> None:
    group_name = database["Properties"]["DBParameterGroupName"]["Ref"]
    group = data_template["Resources"][group_name]
    assert group["Type"] == "AWS::RDS::DBParameterGroup"
    assert group["Properties"]["Family"] == "postgres16"
    assert group["Properties"]["Parameters"] == {"rds.force_ssl": "1"}


def test_database_is_private_in_the_data_subnets_behind_the_rds_group(
    data_template: TemplateDict, database: TemplateDict
) -> None:
    props = database["Properties"]
    assert props["PubliclyAccessible"] is False
    assert props["VPCSecurityGroups"] == [ref("RdsSecurityGroupId")]
    subnet_group = data_template["Resources"][props["DBSubnetGroupName"]["Ref"]]
    assert subnet_group["Properties"]["SubnetIds"] == ref("DataSubnetIds")


def test_ssl_can_be_relaxed_only_by_the_spec(write_spec: Callable[[str], Path]) -> None:
    spec = load_spec(write_spec(edit(minimal_text(), ("require_ssl: true", "require_ssl: false"))))
    template = build_layer("data", spec)
    parameters = one_resource_of_type(template, "AWS::RDS::DBParameterGroup")["Properties"]["Parameters"]
    assert parameters == {"rds.force_ssl": "0"}


# --------------------------------------------------------------------------- Redis


def test_redis_7_on_r6g_large_with_a_primary_and_one_replica(data_template: TemplateDict) -> None:
    props = one_resource_of_type(data_template, "AWS::ElastiCache::ReplicationGroup")["Properties"]
    assert props["Engine"] == "redis"
    assert props["EngineVersion"].startswith("7.")
    assert props["CacheNodeType"] == "cache.r6g.large"
    assert props["NumCacheClusters"] == 2
    assert props["AutomaticFailoverEnabled"] is True


def test_redis_encrypts_in_transit_and_at_rest_with_the_layer_key(data_template: TemplateDict) -> None:
    props = one_resource_of_type(data_template, "AWS::ElastiCache::ReplicationGroup")["Properties"]
    assert props["TransitEncryptionEnabled"] is True
    assert props["AtRestEncryptionEnabled"] is True
    assert props["KmsKeyId"] == DATA_KEY_ARN


def test_redis_lives_in_the_data_subnets_behind_the_redis_group(data_template: TemplateDict) -> None:
    props = one_resource_of_type(data_template, "AWS::ElastiCache::ReplicationGroup")["Properties"]
    assert props["SecurityGroupIds"] == [ref("RedisSecurityGroupId")]
    subnet_group = data_template["Resources"][props["CacheSubnetGroupName"]["Ref"]]
    assert subnet_group["Properties"]["SubnetIds"] == ref("DataSubnetIds")


def test_redis_without_replicas_has_no_failover(write_spec: Callable[[str], Path]) -> None:
    spec = load_spec(write_spec(edit(minimal_text(), ("replicas: 1", "replicas: 0"))))
    props = one_resource_of_type(build_layer("data", spec), "AWS::ElastiCache::ReplicationGroup")["Properties"]
    assert props["NumCacheClusters"] == 1
    assert props["AutomaticFailoverEnabled"] is False
    assert props["MultiAZEnabled"] is False


# --------------------------------------------------------------------------- EFS


def test_efs_is_encrypted_general_purpose_bursting_and_moves_to_ia_after_30_days(data_template: TemplateDict) -> None:
    props = one_resource_of_type(data_template, "AWS::EFS::FileSystem")["Properties"]
    assert props["Encrypted"] is True
    assert props["KmsKeyId"] == DATA_KEY_ARN
    assert props["PerformanceMode"] == "generalPurpose"
    assert props["ThroughputMode"] == "bursting"
    assert props["LifecyclePolicies"] == [{"TransitionToIA": "AFTER_30_DAYS"}]


def test_efs_has_one_mount_target_per_app_subnet_behind_the_efs_group(data_template: TemplateDict) -> None:
    targets = resources_of_type(data_template, "AWS::EFS::MountTarget").values()
    selected = sorted(target["Properties"]["SubnetId"]["Fn::Select"][0] for target in targets)
    assert selected == [0, 1]  # app-a and app-b, in the order the network publishes AppSubnetIds
    for target in targets:
        props = target["Properties"]
        assert props["SubnetId"]["Fn::Select"][1] == ref("AppSubnetIds")
        assert props["FileSystemId"] == ref("FileSystem")
        assert props["SecurityGroups"] == [ref("EfsSecurityGroupId")]


# --------------------------------------------------------------------------- S3


@pytest.fixture(scope="module")
def buckets(data_template: TemplateDict) -> dict[str, TemplateDict]:
    return buckets_by_spec_name(data_template, "coder-production")


def test_the_five_design_buckets_exist_beside_the_access_log_bucket(buckets: dict[str, TemplateDict]) -> None:
    assert sorted(buckets) == sorted([*BUCKETS, "access-logs"])


@pytest.mark.parametrize("bucket", BUCKETS)
def test_bucket_is_kms_encrypted_and_blocks_public_access(buckets: dict[str, TemplateDict], bucket: str) -> None:
    props = buckets[bucket]
    [rule] = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": DATA_KEY_ARN}
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }


@pytest.mark.parametrize("bucket", BUCKETS)
def test_bucket_policy_denies_every_request_without_tls(data_template: TemplateDict, bucket: str) -> None:
    logical = next(
        name
        for name, body in resources_of_type(data_template, "AWS::S3::Bucket").items()
        if body["Properties"]["BucketName"]["Fn::Sub"] == f"coder-production-{bucket}-${{AWS::AccountId}}"
    )
    policies = [
        body["Properties"]
        for body in resources_of_type(data_template, "AWS::S3::BucketPolicy").values()
        if body["Properties"]["Bucket"] == ref(logical)
    ]
    [policy] = policies
    [statement] = policy["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Principal"] == {"AWS": "*"}
    assert statement["Action"] == ["s3:*"]
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": False}}
    arn = get_att(logical, "Arn")
    assert statement["Resource"] == [arn, {"Fn::Join": ["", [arn, "/*"]]}]


def test_every_bucket_is_versioned_and_only_terraform_state_keeps_old_versions_forever(
    buckets: dict[str, TemplateDict], production_spec: Spec
) -> None:
    assert all(props["VersioningConfiguration"] == {"Status": "Enabled"} for props in buckets.values())
    assert "LifecycleConfiguration" not in buckets["terraform-state"]
    for name, props in buckets.items():
        if name == "terraform-state":
            continue
        [rule] = props["LifecycleConfiguration"]["Rules"]
        assert rule["Status"] == "Enabled"
        assert rule["NoncurrentVersionExpiration"] == {
            "NoncurrentDays": production_spec.data.buckets[name].old_versions_days
        }


@pytest.mark.parametrize("bucket", BUCKETS)
def test_bucket_writes_its_access_logs_to_the_access_log_bucket(buckets: dict[str, TemplateDict], bucket: str) -> None:
    logging = buckets[bucket]["LoggingConfiguration"]
    assert logging == {"DestinationBucketName": ref("BucketAccessLogs"), "LogFilePrefix": f"s3/{bucket}/"}


def test_access_log_bucket_uses_s3_managed_keys_as_log_delivery_requires(buckets: dict[str, TemplateDict]) -> None:
    [rule] = buckets["access-logs"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert "LoggingConfiguration" not in buckets["access-logs"]


def test_bucket_names_fit_s3s_63_character_limit_once_compiled(data_template: TemplateDict) -> None:
    for body in resources_of_type(data_template, "AWS::S3::Bucket").values():
        name = body["Properties"]["BucketName"]["Fn::Sub"].replace("${AWS::AccountId}", "123456789012")
        assert 3 <= len(name) <= 63, name


def test_a_bucket_name_too_long_for_s3_is_refused_before_deploy(write_spec: Callable[[str], Path]) -> None:
    # Project and bucket names each pass their own pattern, but "<project>-<bucket>-<account id>"
    # is 31 + 41 + 14 = 86 characters: S3 refuses it at deploy time, long after synth said "clean".
    longest_project, longest_bucket = "p" * 31, "m" * 41
    text = edit(minimal_text(), ("project: demo", f"project: {longest_project}"), ("media: {", f"{longest_bucket}: {{"))
    try:
        spec = load_spec(write_spec(text))
    except SpecError as refused:
        assert any(p.path.startswith(("data.buckets", "project")) for p in refused.problems)
        return
    for body in resources_of_type(build_layer("data", spec), "AWS::S3::Bucket").values():
        name = body["Properties"]["BucketName"]["Fn::Sub"].replace("${AWS::AccountId}", "123456789012")
        assert len(name) <= 63, f"{name} ({len(name)} characters) cannot be created"


# --------------------------------------------------------------------------- DynamoDB


def test_terraform_locks_table_has_a_string_lockid_hash_key_and_is_on_demand(data_template: TemplateDict) -> None:
    props = one_resource_of_type(data_template, "AWS::DynamoDB::Table")["Properties"]
    assert props["TableName"] == "terraform-locks"
    assert props["KeySchema"] == [{"AttributeName": "LockID", "KeyType": "HASH"}]
    assert props["AttributeDefinitions"] == [{"AttributeName": "LockID", "AttributeType": "S"}]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["SSESpecification"]["KMSMasterKeyId"] == DATA_KEY_ARN


# --------------------------------------------------------------------------- Secrets Manager


def test_every_spec_secret_exists_under_its_name(data_template: TemplateDict, production_spec: Spec) -> None:
    logins = production_spec.data.database.login_secrets
    assert set(secrets_by_name(data_template)) == set(production_spec.data.secrets) | set(logins)
    assert set(production_spec.data.secrets) >= DESIGN_SECRETS
    assert any(name.startswith("prod/langfuse/") for name in production_spec.data.secrets)


def test_generated_secrets_have_a_generator_and_provided_ones_do_not(
    data_template: TemplateDict, production_spec: Spec
) -> None:
    secrets = secrets_by_name(data_template)
    for name, secret in production_spec.data.secrets.items():
        props = secrets[name]
        assert props["KmsKeyId"] == DATA_KEY_ARN
        if secret.generate is not None:
            assert props["GenerateSecretString"]["PasswordLength"] == secret.generate.length, name
        else:
            assert "GenerateSecretString" not in props, name


def test_a_hex_secret_can_only_contain_hex_digits(data_template: TemplateDict) -> None:
    generator = secrets_by_name(data_template)["prod/langfuse/encryption-key"]["GenerateSecretString"]
    assert generator["PasswordLength"] == 64
    assert generator["ExcludePunctuation"] is True
    letters = "abcdefghijklmnopqrstuvwxyz"
    allowed = set(letters + letters.upper() + "0123456789") - set(generator["ExcludeCharacters"])
    assert allowed == set("0123456789abcdefABCDEF")


def test_no_secret_value_appears_in_any_template(production_templates: dict[str, TemplateDict]) -> None:
    for layer, template in production_templates.items():
        keys = {key for _, key, _ in walk(template)}
        assert "SecretString" not in keys, layer
        assert "MasterUserPassword" not in keys, layer


# --------------------------------------------------------------------------- data safety


def test_every_stateful_resource_keeps_its_data_on_delete_and_on_replace(data_template: TemplateDict) -> None:
    assert careless_stateful_resources(data_template) == {}


@pytest.mark.parametrize(
    ("resource_type", "policy"),
    [
        ("AWS::RDS::DBInstance", "Snapshot"),
        ("AWS::ElastiCache::ReplicationGroup", "Snapshot"),
        ("AWS::EFS::FileSystem", "Retain"),
        ("AWS::S3::Bucket", "Retain"),
        ("AWS::DynamoDB::Table", "Retain"),
        ("AWS::SecretsManager::Secret", "Retain"),
        ("AWS::KMS::Key", "Retain"),
    ],
)
def test_the_issues_stateful_resources_carry_both_policies(
    data_template: TemplateDict, resource_type: str, policy: str
) -> None:
    found = resources_of_type(data_template, resource_type)
    assert found
    for body in found.values():
        assert (body.get("DeletionPolicy"), body.get("UpdateReplacePolicy")) == (policy, policy)


def test_database_and_table_refuse_deletion(data_template: TemplateDict) -> None:
    assert one_resource_of_type(data_template, "AWS::RDS::DBInstance")["Properties"]["DeletionProtection"] is True
    assert (
        one_resource_of_type(data_template, "AWS::DynamoDB::Table")["Properties"]["DeletionProtectionEnabled"] is True
    )


# --------------------------------------------------------------------------- layer contract


def test_data_layer_parameters_are_network_outputs_of_the_same_name(
    production_templates: dict[str, TemplateDict],
) -> None:
    parameters = production_templates["data"]["Parameters"]
    outputs = production_templates["network"]["Outputs"]
    assert set(parameters) == {
        "DataSubnetIds",
        "AppSubnetIds",
        "RdsSecurityGroupId",
        "RedisSecurityGroupId",
        "EfsSecurityGroupId",
        "AlarmTopicArn",
    }
    assert set(parameters) <= set(outputs)


def test_each_parameter_type_matches_what_its_network_output_holds(
    production_templates: dict[str, TemplateDict],
) -> None:
    outputs = production_templates["network"]["Outputs"]
    for name, parameter in production_templates["data"]["Parameters"].items():
        value: Any = outputs[name]["Value"]
        if parameter["Type"] == "List<AWS::EC2::Subnet::Id>":
            separator, items = value["Fn::Join"]
            assert separator == ","
            assert all(item["Ref"].startswith("Subnet") for item in items)
        elif parameter["Type"] == "AWS::EC2::SecurityGroup::Id":
            assert value["Fn::GetAtt"][1] == "GroupId"
        elif name == "AlarmTopicArn":
            assert value == {"Ref": "AlarmTopic"}
        else:
            pytest.fail(f"parameter {name} has a type this test does not know: {parameter['Type']}")


def test_every_parameter_the_data_layer_declares_is_used(data_template: TemplateDict) -> None:
    referenced = {value for _, key, value in walk(data_template["Resources"]) if key == "Ref"}
    assert set(data_template["Parameters"]) <= referenced


def test_no_template_imports_values_from_another_stack(production_templates: dict[str, TemplateDict]) -> None:
    for layer, template in production_templates.items():
        keys = {key for _, key, _ in walk(template)}
        assert "Fn::ImportValue" not in keys, layer
        assert all("Export" not in output for output in template.get("Outputs", {}).values()), layer


def test_data_layer_publishes_what_later_layers_will_need(data_template: TemplateDict) -> None:
    outputs = data_template["Outputs"]
    for name in ("DatabaseEndpoint", "DatabasePort", "DatabaseSecretArn", "CacheEndpoint", "FileSystemId"):
        assert name in outputs
    assert outputs["DatabaseSecretArn"]["Value"] == get_att("Database", "MasterUserSecret.SecretArn")
    assert outputs["TerraformStateBucketName"]["Value"] == ref("BucketTerraformState")
    assert outputs["TerraformLocksTableName"]["Value"] == ref("TableTerraformLocks")


# --------------------------------------------------------------------------- names an adopted estate keeps


def test_generated_names_stay_generated_unless_the_spec_gives_one(data_template: TemplateDict) -> None:
    assert "DBInstanceIdentifier" not in one_resource_of_type(data_template, "AWS::RDS::DBInstance")["Properties"]
    cache = one_resource_of_type(data_template, "AWS::ElastiCache::ReplicationGroup")["Properties"]
    assert "ReplicationGroupId" not in cache


def test_the_spec_can_keep_the_live_names_of_an_adopted_database_cache_and_bucket(
    write_spec: Callable[[str], Path],
) -> None:
    text = edit(
        minimal_text(),
        ("    require_ssl: true\n", "    require_ssl: true\n    identifier: legacy-db\n"),
        (
            "    auth_token_secret: demo/cache-token\n",
            "    auth_token_secret: demo/cache-token\n    identifier: legacy-redis\n",
        ),
        ("    media: {versioned: false}", "    media: {versioned: false, name: acme-legacy-media}"),
    )
    template = build_layer("data", load_spec(write_spec(text)))
    assert one_resource_of_type(template, "AWS::RDS::DBInstance")["Properties"]["DBInstanceIdentifier"] == "legacy-db"
    cache = one_resource_of_type(template, "AWS::ElastiCache::ReplicationGroup")["Properties"]
    assert cache["ReplicationGroupId"] == "legacy-redis"
    assert template["Resources"]["BucketMedia"]["Properties"]["BucketName"] == "acme-legacy-media"
    assert template["Resources"]["BucketState"]["Properties"]["BucketName"] == {
        "Fn::Sub": "demo-state-${AWS::AccountId}"
    }


# --------------------------------------------------------------------------- database logins


def test_each_database_login_has_its_own_generated_json_secret(
    data_template: TemplateDict, production_spec: Spec
) -> None:
    """The bootstrap sets the login's password from it, the app reads it: {"username": login, "password": ...}."""
    secrets = secrets_by_name(data_template)
    databases = production_spec.data.database.databases
    assert {name: db.login for name, db in databases.items()} == {
        "coder": "coder",
        "litellm": "litellm",
        "langfuse": "langfuse",
    }
    for name, db in databases.items():
        props = secrets[db.secret]
        generator = props["GenerateSecretString"]
        assert json.loads(generator["SecretStringTemplate"]) == {"username": db.login}, name
        assert generator["GenerateStringKey"] == "password"
        assert generator["PasswordLength"] == db.password.length == 32
        # Alphanumeric: LiteLLM and Langfuse paste the password into a connection URL unescaped.
        assert generator["ExcludePunctuation"] is True
        assert props["KmsKeyId"] == DATA_KEY_ARN
        title = logical_id("secret", db.secret)
        assert data_template["Resources"][title]["DeletionPolicy"] == "Retain"
        output = data_template["Outputs"][contract.secret_arn(db.secret).name]
        assert output["Value"] == ref(title)
