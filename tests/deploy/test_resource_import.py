"""Resource import in the sandbox: IMPORT change sets adopt what already exists, as CloudFormation does.

Everything goes through real boto3 clients over HTTP to the sandbox subprocess: the resources
are made with their services' own APIs (a bucket with an object, a table with an item, a secret
with a value), then imported, and the data is read back through the same APIs afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from cfncompiler.sandbox.patches._importable import IMPORTABLE
from cfncompiler.templates.registry import importable

from .conftest import ROOT, make_bucket, next_slot

RETAIN = {"DeletionPolicy": "Retain"}
KEY = {"AttributeName": "id", "KeyType": "HASH"}
ATTRIBUTE = {"AttributeName": "id", "AttributeType": "S"}


@dataclass
class Account:
    """Clients for one region nobody else in this session uses, and names no other test takes."""

    region: str
    prefix: str

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=self.region)

    @property
    def cf(self) -> Any:
        return self.client("cloudformation")

    def name(self, what: str) -> str:
        return f"{self.prefix}-{what}"


@pytest.fixture
def account() -> Account:
    slot, region = next_slot()
    return Account(region, f"imp{slot:02d}")


def bucket_resource(name: str, **attributes: Any) -> dict[str, Any]:
    return {"Type": "AWS::S3::Bucket", **attributes, "Properties": {"BucketName": name}}


def table_resource(name: str, **attributes: Any) -> dict[str, Any]:
    properties = {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [KEY],
        "AttributeDefinitions": [ATTRIBUTE],
    }
    return {"Type": "AWS::DynamoDB::Table", **attributes, "Properties": properties}


def secret_resource(name: str, **attributes: Any) -> dict[str, Any]:
    return {"Type": "AWS::SecretsManager::Secret", **attributes, "Properties": {"Name": name}}


def template(**resources: dict[str, Any]) -> str:
    return json.dumps({"Resources": resources})


def to_import(logical_id: str, resource_type: str, **identifier: str) -> dict[str, Any]:
    return {"ResourceType": resource_type, "LogicalResourceId": logical_id, "ResourceIdentifier": identifier}


def bucket_with_object(account: Account) -> str:
    name = account.name("state")
    make_bucket(name, account.region)
    account.client("s3").put_object(Bucket=name, Key="terraform.tfstate", Body=b'{"serial": 7}')
    return name


def table_with_item(account: Account) -> str:
    name = account.name("locks")
    dynamodb = account.client("dynamodb")
    dynamodb.create_table(
        TableName=name, KeySchema=[KEY], AttributeDefinitions=[ATTRIBUTE], BillingMode="PAY_PER_REQUEST"
    )
    dynamodb.put_item(TableName=name, Item={"id": {"S": "lock"}, "owner": {"S": "terraform"}})
    return name


def secret_with_value(account: Account) -> str:
    arn: str = account.client("secretsmanager").create_secret(Name=account.name("token"), SecretString="s3cr3t")["ARN"]
    return arn


def import_change_set(account: Account, stack: str, body: str, resources: list[dict[str, Any]]) -> dict[str, Any]:
    created: dict[str, Any] = account.cf.create_change_set(
        StackName=stack, ChangeSetName="import", ChangeSetType="IMPORT", TemplateBody=body, ResourcesToImport=resources
    )
    return created


def import_and_execute(account: Account, stack: str, body: str, resources: list[dict[str, Any]]) -> None:
    created = import_change_set(account, stack, body, resources)
    account.cf.execute_change_set(ChangeSetName=created["Id"])


def stack_status(account: Account, stack: str) -> str:
    status: str = account.cf.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
    return status


def physical_ids(account: Account, stack: str) -> dict[str, str]:
    resources = account.cf.describe_stack_resources(StackName=stack)["StackResources"]
    return {r["LogicalResourceId"]: r.get("PhysicalResourceId", "") for r in resources}


def refusal(account: Account, stack: str, body: str, resources: list[dict[str, Any]]) -> str:
    """The ValidationError message CreateChangeSet answers, after checking that nothing was left behind."""
    with pytest.raises(ClientError) as refused:
        import_change_set(account, stack, body, resources)
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationError"
    message: str = error["Message"]
    return message


def test_a_bucket_a_table_and_a_secret_are_imported_into_a_new_stack_with_their_data(account: Account) -> None:
    bucket, table, secret = bucket_with_object(account), table_with_item(account), secret_with_value(account)
    body = template(
        Bucket=bucket_resource(bucket, **RETAIN),
        Table=table_resource(table, **RETAIN),
        Secret=secret_resource(account.name("token"), **RETAIN),
    )
    resources = [
        to_import("Bucket", "AWS::S3::Bucket", BucketName=bucket),
        to_import("Table", "AWS::DynamoDB::Table", TableName=table),
        to_import("Secret", "AWS::SecretsManager::Secret", Id=secret),
    ]

    created = import_change_set(account, account.name("adopted"), body, resources)

    assert stack_status(account, account.name("adopted")) == "REVIEW_IN_PROGRESS"
    described = account.cf.describe_change_set(ChangeSetName=created["Id"])
    assert (described["Status"], described["ExecutionStatus"]) == ("CREATE_COMPLETE", "AVAILABLE")
    changes = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in described["Changes"]}
    assert {lid: (c["Action"], c["PhysicalResourceId"]) for lid, c in changes.items()} == {
        "Bucket": ("Import", bucket),
        "Table": ("Import", table),
        "Secret": ("Import", secret),
    }

    account.cf.execute_change_set(ChangeSetName=created["Id"])

    assert stack_status(account, account.name("adopted")) == "IMPORT_COMPLETE"
    assert physical_ids(account, account.name("adopted")) == {"Bucket": bucket, "Table": table, "Secret": secret}
    # Newest first, as DescribeStackEvents lists them.
    events = [
        (e["LogicalResourceId"], e["ResourceStatus"])
        for e in account.cf.describe_stack_events(StackName=account.name("adopted"))["StackEvents"]
    ]
    for logical_id in ("Bucket", "Table", "Secret"):
        assert events.index((logical_id, "IMPORT_COMPLETE")) < events.index((logical_id, "IMPORT_IN_PROGRESS"))
    assert events[0] == (account.name("adopted"), "IMPORT_COMPLETE")
    # The same objects, data and all, and no second bucket, table or secret beside them.
    s3, dynamodb, secrets = account.client("s3"), account.client("dynamodb"), account.client("secretsmanager")
    assert s3.get_object(Bucket=bucket, Key="terraform.tfstate")["Body"].read() == b'{"serial": 7}'
    item = dynamodb.get_item(TableName=table, Key={"id": {"S": "lock"}})["Item"]
    assert item["owner"] == {"S": "terraform"}
    assert secrets.get_secret_value(SecretId=secret)["SecretString"] == "s3cr3t"
    assert [b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].startswith(account.prefix)] == [bucket]
    assert [name for name in dynamodb.list_tables()["TableNames"] if name.startswith(account.prefix)] == [table]
    assert [s["ARN"] for s in secrets.list_secrets()["SecretList"] if s["Name"].startswith(account.prefix)] == [secret]


def test_deleting_the_stack_keeps_imported_resources_whose_policy_is_retain(account: Account) -> None:
    bucket, table = bucket_with_object(account), table_with_item(account)
    body = template(Bucket=bucket_resource(bucket, **RETAIN), Table=table_resource(table, **RETAIN))
    import_and_execute(
        account,
        account.name("retained"),
        body,
        [
            to_import("Bucket", "AWS::S3::Bucket", BucketName=bucket),
            to_import("Table", "AWS::DynamoDB::Table", TableName=table),
        ],
    )

    account.cf.delete_stack(StackName=account.name("retained"))

    assert account.client("s3").get_object(Bucket=bucket, Key="terraform.tfstate")["Body"].read() == b'{"serial": 7}'
    assert account.client("dynamodb").describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE"


def test_deleting_the_stack_deletes_an_imported_secret_whose_policy_is_delete(account: Account) -> None:
    secret = secret_with_value(account)
    import_and_execute(
        account,
        account.name("owning"),
        template(Secret=secret_resource(account.name("token"), DeletionPolicy="Delete")),
        [to_import("Secret", "AWS::SecretsManager::Secret", Id=secret)],
    )

    account.cf.delete_stack(StackName=account.name("owning"))

    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        account.client("secretsmanager").describe_secret(SecretId=secret)


def test_an_imported_stack_takes_later_updates_and_its_resource_stays_the_same(account: Account) -> None:
    bucket = bucket_with_object(account)
    stack = account.name("later")
    import_and_execute(
        account,
        stack,
        template(Bucket=bucket_resource(bucket, **RETAIN)),
        [to_import("Bucket", "AWS::S3::Bucket", BucketName=bucket)],
    )
    note = {
        "Type": "AWS::SSM::Parameter",
        "Properties": {"Name": f"/{account.prefix}/later", "Type": "String", "Value": "x"},
    }

    created = account.cf.create_change_set(
        StackName=stack,
        ChangeSetName="update",
        ChangeSetType="UPDATE",
        TemplateBody=template(Bucket=bucket_resource(bucket, **RETAIN), Note=note),
    )
    actions = {
        c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"]["Action"]
        for c in account.cf.describe_change_set(ChangeSetName=created["Id"])["Changes"]
    }
    account.cf.execute_change_set(ChangeSetName=created["Id"])

    assert actions == {"Note": "Add"}
    assert stack_status(account, stack) == "UPDATE_COMPLETE"
    assert physical_ids(account, stack) == {"Bucket": bucket, "Note": f"/{account.prefix}/later"}
    assert account.client("s3").get_object(Bucket=bucket, Key="terraform.tfstate")["Body"].read() == b'{"serial": 7}'


def test_a_resource_deleted_before_the_change_set_runs_rolls_the_import_back(account: Account) -> None:
    bucket = bucket_with_object(account)
    stack = account.name("too-late")
    created = import_change_set(
        account,
        stack,
        template(Bucket=bucket_resource(bucket, **RETAIN)),
        [to_import("Bucket", "AWS::S3::Bucket", BucketName=bucket)],
    )
    s3 = account.client("s3")
    s3.delete_object(Bucket=bucket, Key="terraform.tfstate")
    s3.delete_bucket(Bucket=bucket)

    account.cf.execute_change_set(ChangeSetName=created["Id"])

    assert stack_status(account, stack) == "IMPORT_ROLLBACK_COMPLETE"
    assert physical_ids(account, stack) == {}
    statuses = [e["ResourceStatus"] for e in account.cf.describe_stack_events(StackName=stack)["StackEvents"]]
    assert statuses[:3] == ["IMPORT_ROLLBACK_COMPLETE", "IMPORT_ROLLBACK_IN_PROGRESS", "IMPORT_FAILED"]


def test_a_resource_is_imported_into_an_existing_stack_which_keeps_its_other_resources(account: Account) -> None:
    note = {
        "Type": "AWS::SSM::Parameter",
        "Properties": {"Name": f"/{account.prefix}/note", "Type": "String", "Value": "kept"},
    }
    account.cf.create_stack(StackName=account.name("growing"), TemplateBody=template(Note=note))
    before = physical_ids(account, account.name("growing"))
    table = table_with_item(account)

    import_and_execute(
        account,
        account.name("growing"),
        template(Note=note, Table=table_resource(table, **RETAIN)),
        [to_import("Table", "AWS::DynamoDB::Table", TableName=table)],
    )

    [stack] = account.cf.describe_stacks(StackName=account.name("growing"))["Stacks"]
    assert stack["StackStatus"] == "IMPORT_COMPLETE"
    assert "LastUpdatedTime" in stack
    assert physical_ids(account, account.name("growing")) == {**before, "Table": table}
    assert account.client("ssm").get_parameter(Name=f"/{account.prefix}/note")["Parameter"]["Value"] == "kept"
    tables = account.client("dynamodb").list_tables()["TableNames"]
    assert [name for name in tables if name.startswith(account.prefix)] == [table]
    summaries = account.cf.list_stacks()["StackSummaries"]
    assert len([s for s in summaries if s["StackName"] == account.name("growing")]) == 1


def test_a_resource_that_does_not_exist_is_refused_and_no_stack_is_made(account: Account) -> None:
    missing = account.name("missing")

    message = refusal(
        account,
        account.name("nothing"),
        template(Bucket=bucket_resource(missing, **RETAIN)),
        [to_import("Bucket", "AWS::S3::Bucket", BucketName=missing)],
    )

    assert message == (
        f"The following resources to import do not exist in {account.region}: "
        f"Bucket (AWS::S3::Bucket {{BucketName={missing}}})"
    )
    with pytest.raises(ClientError, match="does not exist"):
        account.cf.describe_stacks(StackName=account.name("nothing"))


def test_a_resource_that_already_belongs_to_a_stack_is_refused(account: Account) -> None:
    bucket = bucket_with_object(account)
    resources = [to_import("Bucket", "AWS::S3::Bucket", BucketName=bucket)]
    body = template(Bucket=bucket_resource(bucket, **RETAIN))
    import_and_execute(account, account.name("first-owner"), body, resources)
    owner = account.cf.describe_stacks(StackName=account.name("first-owner"))["Stacks"][0]["StackId"]

    message = refusal(account, account.name("second-owner"), body, resources)

    assert message == f"{bucket} already exists in stack {owner}"


def test_a_template_that_also_adds_a_resource_is_refused(account: Account) -> None:
    bucket = bucket_with_object(account)
    extra = {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": "new"}}

    message = refusal(
        account,
        account.name("sneaky"),
        template(Bucket=bucket_resource(bucket, **RETAIN), Extra=extra),
        [to_import("Bucket", "AWS::S3::Bucket", BucketName=bucket)],
    )

    assert message == (
        "You have modified resources [Extra] in your template that are not being imported. "
        "Update, create or delete operations cannot be executed during import operations."
    )


def test_a_template_that_changes_a_resource_of_the_stack_is_refused(account: Account) -> None:
    note = {
        "Type": "AWS::SSM::Parameter",
        "Properties": {"Name": f"/{account.prefix}/n", "Type": "String", "Value": "a"},
    }
    account.cf.create_stack(StackName=account.name("steady"), TemplateBody=template(Note=note))
    bucket = bucket_with_object(account)
    changed = {**note, "Properties": {**note["Properties"], "Value": "b"}}

    message = refusal(
        account,
        account.name("steady"),
        template(Note=changed, Bucket=bucket_resource(bucket, **RETAIN)),
        [to_import("Bucket", "AWS::S3::Bucket", BucketName=bucket)],
    )

    assert message.startswith("You have modified resources [Note] in your template that are not being imported.")
    assert account.client("ssm").get_parameter(Name=f"/{account.prefix}/n")["Parameter"]["Value"] == "a"


def test_a_changed_parameter_that_another_resource_uses_is_refused(account: Account) -> None:
    stack = account.name("parameterised")
    note = {
        "Type": "AWS::SSM::Parameter",
        "Properties": {"Name": f"/{account.prefix}/p", "Type": "String", "Value": {"Ref": "Value"}},
    }
    declared = {"Parameters": {"Value": {"Type": "String"}}, "Resources": {"Note": note}}
    account.cf.create_stack(
        StackName=stack,
        TemplateBody=json.dumps(declared),
        Parameters=[{"ParameterKey": "Value", "ParameterValue": "a"}],
    )
    bucket = bucket_with_object(account)
    with_bucket = {**declared, "Resources": {"Note": note, "Bucket": bucket_resource(bucket, **RETAIN)}}

    with pytest.raises(ClientError, match=r"You have modified resources \[Note\]"):
        account.cf.create_change_set(
            StackName=stack,
            ChangeSetName="import",
            ChangeSetType="IMPORT",
            TemplateBody=json.dumps(with_bucket),
            Parameters=[{"ParameterKey": "Value", "ParameterValue": "b"}],
            ResourcesToImport=[to_import("Bucket", "AWS::S3::Bucket", BucketName=bucket)],
        )
    kept = account.cf.create_change_set(
        StackName=stack,
        ChangeSetName="import",
        ChangeSetType="IMPORT",
        TemplateBody=json.dumps(with_bucket),
        Parameters=[{"ParameterKey": "Value", "UsePreviousValue": True}],
        ResourcesToImport=[to_import("Bucket", "AWS::S3::Bucket", BucketName=bucket)],
    )
    account.cf.execute_change_set(ChangeSetName=kept["Id"])
    assert stack_status(account, stack) == "IMPORT_COMPLETE"


def test_a_resource_to_import_without_a_deletion_policy_is_refused(account: Account) -> None:
    bucket = bucket_with_object(account)

    message = refusal(
        account,
        account.name("careless"),
        template(Bucket=bucket_resource(bucket)),
        [to_import("Bucket", "AWS::S3::Bucket", BucketName=bucket)],
    )

    assert message == (
        "The following resources to import [Bucket] must have DeletionPolicy attribute specified in the template."
    )


def test_an_identifier_that_is_not_the_types_primary_identifier_is_refused(account: Account) -> None:
    bucket = bucket_with_object(account)

    message = refusal(
        account,
        account.name("misnamed"),
        template(Bucket=bucket_resource(bucket, **RETAIN)),
        [to_import("Bucket", "AWS::S3::Bucket", Name=bucket)],
    )

    assert (
        message == "Invalid ResourceIdentifier for Bucket: AWS::S3::Bucket is identified by [BucketName], not [Name]."
    )


def test_outputs_cannot_be_added_by_an_import(account: Account) -> None:
    bucket = bucket_with_object(account)
    body = json.dumps(
        {"Resources": {"Bucket": bucket_resource(bucket, **RETAIN)}, "Outputs": {"Name": {"Value": {"Ref": "Bucket"}}}}
    )

    message = refusal(account, account.name("noisy"), body, [to_import("Bucket", "AWS::S3::Bucket", BucketName=bucket)])

    assert message == "As part of the import operation, you cannot modify or add [Outputs]"


def test_a_type_the_sandbox_cannot_look_up_is_refused_by_name(account: Account) -> None:
    service = {"Type": "AWS::ECS::Service", **RETAIN, "Properties": {"Cluster": "c", "ServiceName": "s"}}
    arn = f"arn:aws:ecs:{account.region}:123456789012:service/c/s"

    message = refusal(
        account,
        account.name("unknown"),
        template(Service=service),
        [to_import("Service", "AWS::ECS::Service", ServiceArn=arn, Cluster="c")],
    )

    assert message.startswith("The sandbox cannot import AWS::ECS::Service (Service): it has no way to look")


def test_template_summary_names_each_types_identifier_for_a_body_and_a_url(account: Account) -> None:
    database = {
        "Type": "AWS::RDS::DBInstance",
        "Properties": {"DBInstanceIdentifier": "db", "Engine": "postgres", "DBInstanceClass": "db.t4g.micro"},
    }
    body = template(
        Bucket=bucket_resource("b"),
        Logs=bucket_resource("l"),
        Table=table_resource("t"),
        Secret=secret_resource("s"),
        Database=database,
    )
    store = account.name("templates")
    make_bucket(store, account.region)
    account.client("s3").put_object(Bucket=store, Key="import.json", Body=body.encode())
    url = f"https://{store}.s3.amazonaws.com/import.json"

    from_body = account.cf.get_template_summary(TemplateBody=body)
    from_url = account.cf.get_template_summary(TemplateURL=url)

    for summary in (from_body, from_url):
        by_type = {s["ResourceType"]: s for s in summary["ResourceIdentifierSummaries"]}
        assert {t: (s["LogicalResourceIds"], s["ResourceIdentifiers"]) for t, s in by_type.items()} == {
            "AWS::S3::Bucket": (["Bucket", "Logs"], ["BucketName"]),
            "AWS::DynamoDB::Table": (["Table"], ["TableName"]),
            "AWS::SecretsManager::Secret": (["Secret"], ["Id"]),
            "AWS::RDS::DBInstance": (["Database"], ["DBInstanceIdentifier"]),
        }
        declared = json.loads(body)["Resources"].values()
        assert sorted(summary["ResourceTypes"]) == sorted(resource["Type"] for resource in declared)


# ------------------------------------------------------------------ every type of the data and network layers
# Each case makes one resource through its service's API and says how to import it: its
# ResourceIdentifier, and the physical id DescribeStackResources then shows (moto's own, where it
# differs from AWS's; None where moto's model has none).
Made = tuple[dict[str, str], str | None]


def _vpc(account: Account) -> str:
    vpc_id: str = account.client("ec2").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return vpc_id


def _subnet(account: Account, vpc_id: str, cidr: str = "10.0.1.0/24") -> str:
    # No zone named: the zones moto offers differ by region (us-west-1 has no "c", ap-northeast-1 no "b").
    created = account.client("ec2").create_subnet(VpcId=vpc_id, CidrBlock=cidr)
    subnet_id: str = created["Subnet"]["SubnetId"]
    return subnet_id


def _route_table(account: Account, vpc_id: str) -> str:
    table_id: str = account.client("ec2").create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    return table_id


def _attached_gateway(account: Account, vpc_id: str) -> str:
    ec2 = account.client("ec2")
    gateway_id: str = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway_id, VpcId=vpc_id)
    return gateway_id


def _security_group(account: Account) -> str:
    created = account.client("ec2").create_security_group(
        GroupName=account.name("group"), Description="d", VpcId=_vpc(account)
    )
    group_id: str = created["GroupId"]
    return group_id


def _file_system(account: Account) -> str:
    file_system_id: str = account.client("efs").create_file_system(CreationToken=account.name("fs"))["FileSystemId"]
    return file_system_id


def _key(account: Account) -> str:
    key_id: str = account.client("kms").create_key()["KeyMetadata"]["KeyId"]
    return key_id


def make_bucket_only(account: Account) -> Made:
    name = bucket_with_object(account)
    return {"BucketName": name}, name


def make_bucket_policy(account: Account) -> Made:
    name = bucket_with_object(account)
    policy = {
        "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket", "Resource": f"arn:aws:s3:::{name}"}
        ]
    }
    account.client("s3").put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    return {"Bucket": name}, name


def make_table(account: Account) -> Made:
    name = table_with_item(account)
    return {"TableName": name}, name


def make_secret(account: Account) -> Made:
    arn = secret_with_value(account)
    return {"Id": arn}, arn


def make_key(account: Account) -> Made:
    key_id = _key(account)
    return {"KeyId": key_id}, key_id


def make_alias(account: Account) -> Made:
    alias = f"alias/{account.name('data')}"
    account.client("kms").create_alias(AliasName=alias, TargetKeyId=_key(account))
    return {"AliasName": alias}, alias


def make_db_instance(account: Account) -> Made:
    account.client("rds").create_db_instance(
        DBInstanceIdentifier=account.name("db"),
        Engine="postgres",
        DBInstanceClass="db.t4g.micro",
        MasterUsername="admin_user",
        MasterUserPassword="not-a-secret-1",
        AllocatedStorage=20,
    )
    return {"DBInstanceIdentifier": account.name("db")}, account.name("db")


def make_db_subnet_group(account: Account) -> Made:
    vpc_id = _vpc(account)
    subnets = [_subnet(account, vpc_id, "10.0.1.0/24"), _subnet(account, vpc_id, "10.0.2.0/24")]
    account.client("rds").create_db_subnet_group(
        DBSubnetGroupName=account.name("dbsubnets"), DBSubnetGroupDescription="d", SubnetIds=subnets
    )
    return {"DBSubnetGroupName": account.name("dbsubnets")}, None  # moto's DBSubnetGroup has no physical id at all


def make_db_parameter_group(account: Account) -> Made:
    account.client("rds").create_db_parameter_group(
        DBParameterGroupName=account.name("params"), DBParameterGroupFamily="postgres16", Description="d"
    )
    return {"DBParameterGroupName": account.name("params")}, account.name("params")


def make_replication_group(account: Account) -> Made:
    account.client("elasticache").create_replication_group(
        ReplicationGroupId=account.name("cache"),
        ReplicationGroupDescription="d",
        Engine="redis",
        CacheNodeType="cache.t4g.micro",
    )
    return {"ReplicationGroupId": account.name("cache")}, account.name("cache")


def make_cache_subnet_group(account: Account) -> Made:
    subnet_id = _subnet(account, _vpc(account))
    account.client("elasticache").create_cache_subnet_group(
        CacheSubnetGroupName=account.name("cachesubnets"), CacheSubnetGroupDescription="d", SubnetIds=[subnet_id]
    )
    return {"CacheSubnetGroupName": account.name("cachesubnets")}, account.name("cachesubnets")


def make_file_system(account: Account) -> Made:
    file_system_id = _file_system(account)
    return {"FileSystemId": file_system_id}, file_system_id


def make_mount_target(account: Account) -> Made:
    subnet_id = _subnet(account, _vpc(account))
    created = account.client("efs").create_mount_target(FileSystemId=_file_system(account), SubnetId=subnet_id)
    return {"Id": created["MountTargetId"]}, created["MountTargetId"]


def make_access_point(account: Account) -> Made:
    access_point_id = account.client("efs").create_access_point(FileSystemId=_file_system(account))["AccessPointId"]
    return {"AccessPointId": access_point_id}, access_point_id


def make_role(account: Account) -> Made:
    name = account.name("role")  # IAM is global: the name must not meet another test's
    trust = {
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ]
    }
    account.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
    return {"RoleName": name}, name


def make_log_group(account: Account) -> Made:
    name = f"/{account.prefix}/logs"
    account.client("logs").create_log_group(logGroupName=name)
    return {"LogGroupName": name}, name


def make_alarm(account: Account) -> Made:
    name = account.name("cpu")
    account.client("cloudwatch").put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/RDS",
        MetricName="CPUUtilization",
        Statistic="Average",
        Period=300,
        EvaluationPeriods=1,
        Threshold=80.0,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    return {"AlarmName": name}, name


def _topic(account: Account) -> str:
    arn: str = account.client("sns").create_topic(Name=account.name("alarms"))["TopicArn"]
    return arn


def make_topic(account: Account) -> Made:
    arn = _topic(account)
    return {"TopicArn": arn}, arn


def make_subscription(account: Account) -> Made:
    subscribed = account.client("sns").subscribe(
        TopicArn=_topic(account), Protocol="email", Endpoint="oncall@example.com", ReturnSubscriptionArn=True
    )
    arn: str = subscribed["SubscriptionArn"]
    return {"Arn": arn}, arn


def make_event_subscription(account: Account) -> Made:
    name = account.name("db-events")
    account.client("rds").create_event_subscription(
        SubscriptionName=name, SnsTopicArn=_topic(account), SourceType="db-instance", Enabled=True
    )
    return {"SubscriptionName": name}, name


def make_vpc(account: Account) -> Made:
    vpc_id = _vpc(account)
    return {"VpcId": vpc_id}, vpc_id


def make_subnet(account: Account) -> Made:
    subnet_id = _subnet(account, _vpc(account))
    return {"SubnetId": subnet_id}, subnet_id


def make_security_group(account: Account) -> Made:
    group_id = _security_group(account)
    return {"Id": group_id}, group_id


def make_ingress_rule(account: Account) -> Made:
    permission = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}
    added = account.client("ec2").authorize_security_group_ingress(
        GroupId=_security_group(account), IpPermissions=[permission]
    )
    rule_id = added["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    return {"Id": rule_id}, rule_id


def make_egress_rule(account: Account) -> Made:
    permission = {"IpProtocol": "tcp", "FromPort": 2049, "ToPort": 2049, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}
    added = account.client("ec2").authorize_security_group_egress(
        GroupId=_security_group(account), IpPermissions=[permission]
    )
    rule_id = added["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    return {"Id": rule_id}, rule_id


def make_route_table(account: Account) -> Made:
    table_id = _route_table(account, _vpc(account))
    return {"RouteTableId": table_id}, table_id


def make_route(account: Account) -> Made:
    vpc_id = _vpc(account)
    table_id = _route_table(account, vpc_id)
    account.client("ec2").create_route(
        RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=_attached_gateway(account, vpc_id)
    )
    return {"RouteTableId": table_id, "CidrBlock": "0.0.0.0/0"}, f"{table_id}~0.0.0.0/0"


def make_route_table_association(account: Account) -> Made:
    vpc_id = _vpc(account)
    table_id = _route_table(account, vpc_id)
    associated = account.client("ec2").associate_route_table(RouteTableId=table_id, SubnetId=_subnet(account, vpc_id))
    return {"Id": associated["AssociationId"]}, table_id  # moto names the association by its route table


def make_internet_gateway(account: Account) -> Made:
    gateway_id: str = account.client("ec2").create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    return {"InternetGatewayId": gateway_id}, gateway_id


def make_gateway_attachment(account: Account) -> Made:
    vpc_id = _vpc(account)
    _attached_gateway(account, vpc_id)
    return {"AttachmentType": "igw", "VpcId": vpc_id}, vpc_id


def make_nat_gateway(account: Account) -> Made:
    ec2 = account.client("ec2")
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    created = ec2.create_nat_gateway(SubnetId=_subnet(account, _vpc(account)), AllocationId=allocation)
    nat_id: str = created["NatGateway"]["NatGatewayId"]
    return {"NatGatewayId": nat_id}, nat_id


def make_elastic_ip(account: Account) -> Made:
    address = account.client("ec2").allocate_address(Domain="vpc")
    return {"PublicIp": address["PublicIp"], "AllocationId": address["AllocationId"]}, address["PublicIp"]


def make_vpc_endpoint(account: Account) -> Made:
    vpc_id = _vpc(account)
    created = account.client("ec2").create_vpc_endpoint(
        VpcId=vpc_id,
        ServiceName=f"com.amazonaws.{account.region}.s3",
        VpcEndpointType="Gateway",
        RouteTableIds=[_route_table(account, vpc_id)],
    )
    endpoint_id: str = created["VpcEndpoint"]["VpcEndpointId"]
    return {"Id": endpoint_id}, endpoint_id


def make_flow_log(account: Account) -> Made:
    account.client("logs").create_log_group(logGroupName=f"/{account.prefix}/flow")
    created = account.client("ec2").create_flow_logs(
        ResourceIds=[_vpc(account)],
        ResourceType="VPC",
        TrafficType="ALL",
        LogGroupName=f"/{account.prefix}/flow",
        DeliverLogsPermissionArn="arn:aws:iam::123456789012:role/flow-logs",
    )
    flow_log_id: str = created["FlowLogIds"][0]
    return {"Id": flow_log_id}, flow_log_id


def make_dns_namespace(account: Account) -> Made:
    discovery = account.client("servicediscovery")
    name = f"{account.prefix}.local"
    discovery.create_private_dns_namespace(Name=name, Vpc=_vpc(account))
    [namespace] = [n for n in discovery.list_namespaces()["Namespaces"] if n["Name"] == name]
    return {"Id": namespace["Id"]}, namespace["Id"]


MAKERS: dict[str, Callable[[Account], Made]] = {
    "AWS::S3::Bucket": make_bucket_only,
    "AWS::S3::BucketPolicy": make_bucket_policy,
    "AWS::DynamoDB::Table": make_table,
    "AWS::SecretsManager::Secret": make_secret,
    "AWS::KMS::Key": make_key,
    "AWS::KMS::Alias": make_alias,
    "AWS::RDS::DBInstance": make_db_instance,
    "AWS::RDS::DBSubnetGroup": make_db_subnet_group,
    "AWS::RDS::DBParameterGroup": make_db_parameter_group,
    "AWS::ElastiCache::ReplicationGroup": make_replication_group,
    "AWS::ElastiCache::SubnetGroup": make_cache_subnet_group,
    "AWS::EFS::FileSystem": make_file_system,
    "AWS::EFS::MountTarget": make_mount_target,
    "AWS::EFS::AccessPoint": make_access_point,
    "AWS::IAM::Role": make_role,
    "AWS::Logs::LogGroup": make_log_group,
    "AWS::EC2::VPC": make_vpc,
    "AWS::EC2::Subnet": make_subnet,
    "AWS::EC2::SecurityGroup": make_security_group,
    "AWS::EC2::SecurityGroupIngress": make_ingress_rule,
    "AWS::EC2::SecurityGroupEgress": make_egress_rule,
    "AWS::EC2::RouteTable": make_route_table,
    "AWS::EC2::Route": make_route,
    "AWS::EC2::SubnetRouteTableAssociation": make_route_table_association,
    "AWS::EC2::InternetGateway": make_internet_gateway,
    "AWS::EC2::VPCGatewayAttachment": make_gateway_attachment,
    "AWS::EC2::NatGateway": make_nat_gateway,
    "AWS::EC2::EIP": make_elastic_ip,
    "AWS::EC2::VPCEndpoint": make_vpc_endpoint,
    "AWS::EC2::FlowLog": make_flow_log,
    "AWS::ServiceDiscovery::PrivateDnsNamespace": make_dns_namespace,
    "AWS::CloudWatch::Alarm": make_alarm,
    "AWS::SNS::Topic": make_topic,
    "AWS::SNS::Subscription": make_subscription,
    "AWS::RDS::EventSubscription": make_event_subscription,
}


def layer_types(*layers: str) -> set[str]:
    from cfnlint.decode import decode

    types = set()
    for layer in layers:
        decoded, _ = decode(str(ROOT / "templates_out" / f"{layer}.yaml"))
        types |= {resource["Type"] for resource in decoded["Resources"].values()}
    return types


def test_every_type_of_the_data_and_network_layers_can_be_looked_up_and_is_tried_here() -> None:
    produced = layer_types("data", "network")
    wanted = {t for t in produced if importable(t)}
    # The one type CloudFormation cannot import at all (no read handler): nothing to look up;
    # the sandbox refuses it as AWS does (below) and adopt leaves it to the deploy.
    assert produced - wanted == {"AWS::SNS::TopicPolicy"}
    assert wanted <= IMPORTABLE.keys()
    assert wanted <= MAKERS.keys()


def test_a_type_cloudformation_cannot_import_is_refused_as_aws_refuses_it(account: Account) -> None:
    topic = _topic(account)
    policy = {"Type": "AWS::SNS::TopicPolicy", **RETAIN, "Properties": {"Topics": [topic], "PolicyDocument": {}}}
    body = template(Imported=policy)
    assert account.cf.get_template_summary(TemplateBody=body)["ResourceIdentifierSummaries"] == []

    message = refusal(account, account.name("policy"), body, [to_import("Imported", "AWS::SNS::TopicPolicy", Id=topic)])

    assert message == "Resource type AWS::SNS::TopicPolicy does not support resource import."


def test_a_type_recorded_as_moto_s_own_object_is_one_moto_s_cloudformation_can_delete_or_update() -> None:
    from moto.cloudformation.parsing import get_model_map

    # The others carry their own delete: moto's stack delete would otherwise keep them silently.
    assert [t for t, entry in IMPORTABLE.items() if entry.remove is None and t not in get_model_map()] == []


def lone(resource_type: str, **attributes: Any) -> str:
    return template(Imported={"Type": resource_type, **attributes, "Properties": {}})


@pytest.mark.parametrize("resource_type", sorted(MAKERS))
def test_an_existing_resource_of_each_type_is_found_and_imported(account: Account, resource_type: str) -> None:
    identifier, physical_id = MAKERS[resource_type](account)

    import_and_execute(
        account,
        account.name("single"),
        lone(resource_type, **RETAIN),
        [to_import("Imported", resource_type, **identifier)],
    )

    assert stack_status(account, account.name("single")) == "IMPORT_COMPLETE"
    assert physical_ids(account, account.name("single")) == {"Imported": physical_id or ""}


@pytest.mark.parametrize("resource_type", sorted(MAKERS))
def test_a_missing_resource_of_each_type_is_refused(account: Account, resource_type: str) -> None:
    body = lone(resource_type, **RETAIN)
    [summary] = account.cf.get_template_summary(TemplateBody=body)["ResourceIdentifierSummaries"]
    identifier = {key: f"missing-{key.lower()}" for key in summary["ResourceIdentifiers"]}

    message = refusal(account, account.name("single"), body, [to_import("Imported", resource_type, **identifier)])

    assert message.startswith(f"The following resources to import do not exist in {account.region}: Imported")
