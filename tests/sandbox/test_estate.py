"""The rehearsal estate: the real command against the sandbox, checked through the AWS APIs and its state file.

Each build gets its own copy of the production spec (own project name and region, as the deploy
tests do), so builds never meet on the one sandbox of the session.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from cfncompiler.errors import BadInput
from cfncompiler.sandbox.estate import loopback_endpoint
from cfncompiler.spec.load import load_spec
from cfncompiler.spec.model import Spec
from cfncompiler.templates.parse import parse_template
from tests.deploy.conftest import ROOT, Workspace, free_port, new_workspace

# One worker runs the whole module, so its module-scoped estates are built once, not once per worker.
pytestmark = pytest.mark.xdist_group("estate")

DATABASE = "module.db.aws_db_instance.main"
AWS = 'provider["registry.terraform.io/hashicorp/aws"]'


def run_estate(workspace: Workspace, state: Path, *flags: str, env: dict[str, str] | None = None) -> Any:
    command = [sys.executable, "-m", "cfncompiler.sandbox.estate", "--state", str(state)]
    command += ["--spec", str(workspace.spec_path), "--templates", str(workspace.out_dir), *flags]
    environment = dict(os.environ) if env is None else env
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=300, check=False)


@dataclass
class Built:
    workspace: Workspace
    state_path: Path
    stdout: str

    @property
    def spec(self) -> Spec:
        return load_spec(self.workspace.spec_path)

    @property
    def state(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.state_path.read_text(encoding="utf-8"))
        return loaded

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=self.workspace.project.region)

    def instances(self, tf_type: str, mode: str = "managed") -> list[dict[str, Any]]:
        """Every instance of that type, with its resource's address parts merged in."""
        return [
            {**{k: v for k, v in r.items() if k != "instances"}, **instance}
            for r in self.state["resources"]
            if r["type"] == tf_type and r["mode"] == mode
            for instance in r["instances"]
        ]

    def one(self, tf_type: str) -> dict[str, Any]:
        [instance] = self.instances(tf_type)
        attributes: dict[str, Any] = instance["attributes"]
        return attributes


def build(workspace: Workspace, name: str, *flags: str, env: dict[str, str] | None = None) -> Built:
    state = workspace.root / name
    result = run_estate(workspace, state, *flags, env=env)
    assert result.returncode == 0, result.stderr
    return Built(workspace, state, result.stdout)


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build(new_workspace(tmp_path_factory.mktemp("estate")), "network.tfstate", "--layer", "network")


@pytest.fixture(scope="module")
def data(network: Built) -> Built:
    """The data layer built alone, on top of the network built before it, as an estate split in two states."""
    return build(network.workspace, "data.tfstate", "--layer", "data")


@pytest.fixture(scope="module")
def refusals(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Both layers in one run, with the two options that rehearse adopt's refusals.

    A proxy that answers nothing is configured for every scheme: the build only succeeds if no
    request goes through one, as none may (the estate talks to the loopback sandbox and nothing else).
    """
    workspace = new_workspace(tmp_path_factory.mktemp("refusals"))
    dead = f"http://127.0.0.1:{free_port()}"
    env = {**os.environ, "HTTP_PROXY": dead, "HTTPS_PROXY": dead, "http_proxy": dead, "https_proxy": dead}
    env |= {"NO_PROXY": "", "no_proxy": ""}
    return build(workspace, "estate.tfstate", "--unencrypted-database", "--taint", DATABASE, env=env)


def account(built: Built) -> str:
    found: str = built.client("sts").get_caller_identity()["Account"]
    return found


# --------------------------------------------------------------------------- data in the estate


def test_every_bucket_of_the_spec_exists_with_the_rehearsal_object(data: Built) -> None:
    buckets = sorted(i["attributes"]["bucket"] for i in data.instances("aws_s3_bucket"))
    spec = data.spec
    assert buckets == sorted(f"{spec.project}-{name}-{account(data)}" for name in spec.data.buckets)
    s3 = data.client("s3")
    for bucket in buckets:
        body = s3.get_object(Bucket=bucket, Key="rehearsal/hello.txt")["Body"].read().decode()
        assert bucket in body


def test_the_lock_table_holds_the_rehearsal_lock(data: Built) -> None:
    table = data.one("aws_dynamodb_table")
    assert table["name"] == "terraform-locks"
    assert table["hash_key"] == "LockID"
    item = data.client("dynamodb").get_item(TableName="terraform-locks", Key={"LockID": {"S": "rehearsal"}})
    assert item["Item"]["LockID"] == {"S": "rehearsal"}


def test_every_secret_of_the_spec_holds_a_value(data: Built) -> None:
    secrets = {i["attributes"]["name"]: i["attributes"]["arn"] for i in data.instances("aws_secretsmanager_secret")}
    declared = data.spec.data.secrets
    logins = {db.secret: db for db in data.spec.data.database.databases.values()}
    assert set(secrets) == set(declared) | set(logins)
    manager = data.client("secretsmanager")
    for name, arn in secrets.items():
        value = manager.get_secret_value(SecretId=arn)["SecretString"]
        if name in logins:
            # A database login's secret: its name and a generated password, as the bootstrap reads it.
            login = json.loads(value)
            assert login["username"] == logins[name].login, name
            assert len(login["password"]) == logins[name].password.length, name
            continue
        generate, provided = declared[name].generate, declared[name].provided
        if generate is not None:
            assert len(value) == generate.length, name
        else:
            assert provided is not None
            assert set(json.loads(value)) == set(provided), name
            assert all(json.loads(value).values()), name


# --------------------------------------------------------------------------- the state file


def test_the_state_file_is_format_4_as_terraform_writes_it(data: Built) -> None:
    raw = data.state_path.read_text(encoding="utf-8")
    state = json.loads(raw)
    assert list(state) == ["version", "terraform_version", "serial", "lineage", "outputs", "resources", "check_results"]
    assert (state["version"], state["terraform_version"], state["outputs"]) == (4, "1.9.8", {})
    assert isinstance(state["serial"], int) and state["serial"] >= 1
    assert str(uuid.UUID(state["lineage"])) == state["lineage"]
    assert raw.endswith("}\n") and raw.startswith('{\n  "version": 4,')
    order = [(r.get("module", ""), r["mode"], r["type"], r["name"]) for r in state["resources"]]
    assert order == sorted(order)
    for resource in state["resources"]:
        assert resource["provider"].startswith('provider["registry.terraform.io/'), resource
        for instance in resource["instances"]:
            assert isinstance(instance["schema_version"], int)
            assert instance["sensitive_attributes"] == []
            assert isinstance(instance["attributes"], dict)
            assert list(instance["attributes"]) == sorted(instance["attributes"])


def test_the_state_uses_modules_for_each_count_and_keeps_terraform_only_resources(data: Built) -> None:
    [database] = data.instances("aws_db_instance")
    assert (database["module"], database["name"], database["provider"]) == ("module.db", "main", AWS)
    assert "each" not in database and "index_key" not in database
    assert database["schema_version"] == 2
    buckets = data.instances("aws_s3_bucket")
    assert {(b["name"], b["each"]) for b in buckets} == {("this", "map")}
    assert sorted(b["index_key"] for b in buckets) == sorted(data.spec.data.buckets)
    targets = data.instances("aws_efs_mount_target")
    assert [(t["name"], t["each"], t["index_key"]) for t in targets] == [("app", "list", 0), ("app", "list", 1)]
    [caller] = data.instances("aws_caller_identity", mode="data")
    assert caller["attributes"]["account_id"] == account(data)
    [template] = data.instances("coderd_template")
    assert template["provider"] == 'provider["registry.terraform.io/coder/coderd"]'
    assert "module.db.aws_db_subnet_group.main" in database["dependencies"]
    assert "module.network.aws_security_group.this" not in database["dependencies"]  # the network is not in this state


def _route_exists(aws: Callable[[str], Any], a: dict[str, Any]) -> Any:
    [table] = aws("ec2").describe_route_tables(RouteTableIds=[a["route_table_id"]])["RouteTables"]
    return next(
        r["DestinationCidrBlock"]
        for r in table["Routes"]
        if r.get("DestinationCidrBlock") == a["destination_cidr_block"]
    )


def _association(aws: Callable[[str], Any], a: dict[str, Any]) -> Any:
    [table] = aws("ec2").describe_route_tables(RouteTableIds=[a["route_table_id"]])["RouteTables"]
    return next(x["SubnetId"] for x in table["Associations"] if x.get("RouteTableAssociationId") == a["id"])


def _alias_target(aws: Callable[[str], Any], a: dict[str, Any]) -> Any:
    aliases = aws("kms").list_aliases(KeyId=a["target_key_id"])["Aliases"]
    return next(x["AliasName"] for x in aliases if x["AliasName"] == a["name"])


def _log_group(aws: Callable[[str], Any], a: dict[str, Any]) -> Any:
    groups = aws("logs").describe_log_groups(logGroupNamePrefix=a["name"])["logGroups"]
    return next(g["retentionInDays"] for g in groups if g["logGroupName"] == a["name"])


Probe = Callable[[Callable[[str], Any], dict[str, Any]], Any]
# Per Terraform type: what the live resource says, read by the state's identifying attribute, and the
# state attribute it must equal.
PROBES: dict[str, tuple[Probe, str]] = {
    "aws_vpc": (lambda aws, a: aws("ec2").describe_vpcs(VpcIds=[a["id"]])["Vpcs"][0]["CidrBlock"], "cidr_block"),
    "aws_subnet": (lambda aws, a: aws("ec2").describe_subnets(SubnetIds=[a["id"]])["Subnets"][0]["VpcId"], "vpc_id"),
    "aws_internet_gateway": (
        lambda aws, a: aws("ec2").describe_internet_gateways(InternetGatewayIds=[a["id"]])["InternetGateways"][0][
            "Attachments"
        ][0]["VpcId"],
        "vpc_id",
    ),
    "aws_eip": (
        lambda aws, a: aws("ec2").describe_addresses(AllocationIds=[a["id"]])["Addresses"][0]["PublicIp"],
        "public_ip",
    ),
    "aws_nat_gateway": (
        lambda aws, a: aws("ec2").describe_nat_gateways(NatGatewayIds=[a["id"]])["NatGateways"][0]["SubnetId"],
        "subnet_id",
    ),
    "aws_route_table": (
        lambda aws, a: aws("ec2").describe_route_tables(RouteTableIds=[a["id"]])["RouteTables"][0]["VpcId"],
        "vpc_id",
    ),
    "aws_route_table_association": (_association, "subnet_id"),
    "aws_route": (_route_exists, "destination_cidr_block"),
    "aws_security_group": (
        lambda aws, a: aws("ec2").describe_security_groups(GroupIds=[a["id"]])["SecurityGroups"][0]["GroupName"],
        "name",
    ),
    "aws_vpc_security_group_ingress_rule": (
        lambda aws, a: aws("ec2").describe_security_group_rules(SecurityGroupRuleIds=[a["id"]])["SecurityGroupRules"][
            0
        ]["GroupId"],
        "security_group_id",
    ),
    "aws_vpc_security_group_egress_rule": (
        lambda aws, a: aws("ec2").describe_security_group_rules(SecurityGroupRuleIds=[a["id"]])["SecurityGroupRules"][
            0
        ]["GroupId"],
        "security_group_id",
    ),
    "aws_vpc_endpoint": (
        lambda aws, a: aws("ec2").describe_vpc_endpoints(VpcEndpointIds=[a["id"]])["VpcEndpoints"][0]["ServiceName"],
        "service_name",
    ),
    "aws_flow_log": (
        lambda aws, a: aws("ec2").describe_flow_logs(FlowLogIds=[a["id"]])["FlowLogs"][0]["ResourceId"],
        "vpc_id",
    ),
    "aws_service_discovery_private_dns_namespace": (
        lambda aws, a: aws("servicediscovery").get_namespace(Id=a["id"])["Namespace"]["Name"],
        "name",
    ),
    "aws_kms_key": (lambda aws, a: aws("kms").describe_key(KeyId=a["key_id"])["KeyMetadata"]["Arn"], "arn"),
    "aws_kms_alias": (_alias_target, "name"),
    "aws_cloudwatch_log_group": (_log_group, "retention_in_days"),
    "aws_iam_role": (lambda aws, a: aws("iam").get_role(RoleName=a["name"])["Role"]["Arn"], "arn"),
    "aws_db_subnet_group": (
        lambda aws, a: aws("rds").describe_db_subnet_groups(DBSubnetGroupName=a["name"])["DBSubnetGroups"][0]["VpcId"],
        "vpc_id",
    ),
    "aws_db_parameter_group": (
        lambda aws, a: aws("rds").describe_db_parameter_groups(DBParameterGroupName=a["name"])["DBParameterGroups"][0][
            "DBParameterGroupArn"
        ],
        "arn",
    ),
    "aws_db_instance": (
        lambda aws, a: aws("rds").describe_db_instances(DBInstanceIdentifier=a["identifier"])["DBInstances"][0][
            "DbiResourceId"
        ],
        "id",
    ),
    "aws_elasticache_subnet_group": (
        lambda aws, a: aws("elasticache").describe_cache_subnet_groups(CacheSubnetGroupName=a["name"])[
            "CacheSubnetGroups"
        ][0]["ARN"],
        "arn",
    ),
    "aws_elasticache_replication_group": (
        lambda aws, a: aws("elasticache").describe_replication_groups(ReplicationGroupId=a["id"])["ReplicationGroups"][
            0
        ]["ARN"],
        "arn",
    ),
    "aws_efs_file_system": (
        lambda aws, a: aws("efs").describe_file_systems(FileSystemId=a["id"])["FileSystems"][0]["CreationToken"],
        "creation_token",
    ),
    "aws_efs_backup_policy": (
        lambda aws, a: [{"status": aws("efs").describe_backup_policy(FileSystemId=a["id"])["BackupPolicy"]["Status"]}],
        "backup_policy",
    ),
    "aws_efs_mount_target": (
        lambda aws, a: aws("efs").describe_mount_targets(MountTargetId=a["id"])["MountTargets"][0]["SubnetId"],
        "subnet_id",
    ),
    "aws_s3_bucket": (lambda aws, a: aws("s3").head_bucket(Bucket=a["bucket"]) and a["bucket"], "id"),
    "aws_s3_bucket_versioning": (
        lambda aws, a: [{"status": aws("s3").get_bucket_versioning(Bucket=a["bucket"])["Status"], "mfa_delete": ""}],
        "versioning_configuration",
    ),
    "aws_s3_bucket_server_side_encryption_configuration": (
        lambda aws, a: aws("s3").get_bucket_encryption(Bucket=a["bucket"])["ServerSideEncryptionConfiguration"][
            "Rules"
        ][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"],
        "sse_algorithm",
    ),
    "aws_s3_bucket_public_access_block": (
        lambda aws, a: aws("s3").get_public_access_block(Bucket=a["bucket"])["PublicAccessBlockConfiguration"][
            "RestrictPublicBuckets"
        ],
        "restrict_public_buckets",
    ),
    "aws_s3_bucket_ownership_controls": (
        lambda aws, a: [
            {"object_ownership": r["ObjectOwnership"]}
            for r in aws("s3").get_bucket_ownership_controls(Bucket=a["bucket"])["OwnershipControls"]["Rules"]
        ],
        "rule",
    ),
    "aws_s3_bucket_lifecycle_configuration": (
        lambda aws, a: [r["ID"] for r in aws("s3").get_bucket_lifecycle_configuration(Bucket=a["bucket"])["Rules"]],
        "rule_ids",
    ),
    "aws_s3_bucket_policy": (
        lambda aws, a: json.loads(aws("s3").get_bucket_policy(Bucket=a["bucket"])["Policy"]),
        "policy_document",
    ),
    "aws_dynamodb_table": (
        lambda aws, a: aws("dynamodb").describe_table(TableName=a["name"])["Table"]["TableArn"],
        "arn",
    ),
    "aws_secretsmanager_secret": (
        lambda aws, a: aws("secretsmanager").describe_secret(SecretId=a["arn"])["Name"],
        "name",
    ),
}


def _expected(attributes: dict[str, Any], name: str) -> Any:
    """The state attribute a probe compares with (a few live in nested blocks)."""
    derived = {
        "sse_algorithm": lambda a: a["rule"][0]["apply_server_side_encryption_by_default"][0]["sse_algorithm"],
        "rule_ids": lambda a: [r["id"] for r in a["rule"]],
        "policy_document": lambda a: json.loads(a["policy"]),
    }
    return derived[name](attributes) if name in derived else attributes[name]


@pytest.mark.parametrize("layer", ["network", "data"])
def test_every_managed_instance_in_the_state_is_a_live_resource(layer: str, request: pytest.FixtureRequest) -> None:
    built: Built = request.getfixturevalue(layer)
    managed = [r for r in built.state["resources"] if r["mode"] == "managed" and r["provider"] == AWS]
    assert {r["type"] for r in managed} <= set(PROBES), "a new resource type needs a probe here"
    for resource in managed:
        probe, attribute = PROBES[resource["type"]]
        for instance in resource["instances"]:
            attributes = instance["attributes"]
            assert probe(built.client, attributes) == _expected(attributes, attribute), (
                resource["type"],
                attributes["id"],
            )


# --------------------------------------------------------------------------- the database and the refusals


def test_the_database_is_encrypted_with_the_data_layer_key_by_default(data: Built) -> None:
    database = data.one("aws_db_instance")
    assert database["identifier"] == f"{data.spec.project}-db"
    assert database["storage_encrypted"] is True
    assert database["kms_key_id"] == data.one("aws_kms_key")["arn"]
    [live] = data.client("rds").describe_db_instances(DBInstanceIdentifier=database["identifier"])["DBInstances"]
    assert (live["StorageEncrypted"], live["KmsKeyId"]) == (True, database["kms_key_id"])
    assert (live["Engine"], live["EngineVersion"]) == (database["engine"], data.spec.data.database.version)


def test_unencrypted_database_is_unencrypted_live_and_in_the_state(refusals: Built) -> None:
    database = refusals.one("aws_db_instance")
    assert database["storage_encrypted"] is False
    [live] = refusals.client("rds").describe_db_instances(DBInstanceIdentifier=database["identifier"])["DBInstances"]
    assert live["StorageEncrypted"] is False


def test_taint_marks_that_instance_and_no_other(refusals: Built) -> None:
    statuses = {
        (r.get("module"), r["type"], r["name"], i.get("index_key")): i.get("status")
        for r in refusals.state["resources"]
        for i in r["instances"]
    }
    assert statuses.pop(("module.db", "aws_db_instance", "main", None)) == "tainted"
    assert set(statuses.values()) == {None}
    assert f"Tainted in the state: {DATABASE}" in refusals.stdout


# --------------------------------------------------------------------------- the network


def test_the_network_layer_creates_the_spec_vpc_and_its_subnets(network: Built) -> None:
    spec = network.spec.network
    vpc = network.one("aws_vpc")
    ec2 = network.client("ec2")
    assert ec2.describe_vpcs(VpcIds=[vpc["id"]])["Vpcs"][0]["CidrBlock"] == str(spec.cidr) == vpc["cidr_block"]
    zones = sorted(z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"])
    live = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["id"]]}])["Subnets"]
    assert {s["CidrBlock"]: s["AvailabilityZone"] for s in live} == {
        str(subnet.cidr): zones[subnet.az] for subnet in spec.subnets.values()
    }
    subnets = network.instances("aws_subnet")
    assert {(s["module"], s["each"]) for s in subnets} == {("module.network", "list")}
    by_tier = {(s["name"], s["index_key"]): s["attributes"]["cidr_block"] for s in subnets}
    assert by_tier == {
        (tier, index): str(spec.subnets[name].cidr)
        for tier in spec.tiers
        for index, name in enumerate(spec.subnets_in(tier))
    }


def test_the_data_layer_alone_sits_in_the_network_found_by_its_tags(network: Built, data: Built) -> None:
    data_subnets = sorted(s["attributes"]["id"] for s in network.instances("aws_subnet") if s["name"] == "data")
    assert data.one("aws_db_subnet_group")["subnet_ids"] == data_subnets
    assert data.instances("aws_vpc") == []
    vpc_name = {"Name": "tag:Name", "Values": [f"{data.spec.project}-vpc"]}
    assert len(data.client("ec2").describe_vpcs(Filters=[vpc_name])["Vpcs"]) == 1


# --------------------------------------------------------------------------- what is reported


def test_what_moto_refuses_is_reported_and_left_out_of_the_state(data: Built) -> None:
    gaps = data.stdout.split("Not created")[1].split("\n\n")[0].splitlines()
    logged = [name for name in data.spec.data.buckets if name != data.spec.data.access_log_bucket]
    [logging] = [line for line in gaps if "moto refused PutBucketLogging" in line]
    assert logging.startswith("  " + ", ".join(f'aws_s3_bucket_logging.this["{name}"]' for name in logged) + ": ")
    attachment = "  module.db.aws_iam_role_policy_attachment.monitoring[0]: moto refused AttachRolePolicy: "
    assert any(line.startswith(attachment) for line in gaps)
    assert data.instances("aws_s3_bucket_logging") == []
    assert data.instances("aws_iam_role_policy_attachment") == []
    bucket = f"{data.spec.project}-backups-{account(data)}"
    assert "LoggingEnabled" not in data.client("s3").get_bucket_logging(Bucket=bucket)
    assert (
        data.client("iam").list_attached_role_policies(RoleName=f"{data.spec.project}-rds-monitoring")[
            "AttachedPolicies"
        ]
        == []
    )


def test_what_is_new_with_cfncompiler_is_left_out_and_said_so(network: Built, data: Built) -> None:
    for built, layer in ((network, "network"), (data, "data")):
        template = parse_template((built.workspace.out_dir / f"{layer}.yaml").read_text(encoding="utf-8"))
        alarms = [lid for lid, r in template["Resources"].items() if r["Type"] == "AWS::CloudWatch::Alarm"]
        section = built.stdout.split("Not in today's estate")[1].split("\n\n")[0]
        assert f"AWS::CloudWatch::Alarm x {len(alarms)}: {alarms[0]}" in section
        # Not a gap of moto's: it is not said to be something moto could not create.
        assert "AWS::CloudWatch::Alarm" not in built.stdout.split("Not created")[-1].split("Not in today's")[0]
    assert "AWS::SNS::Topic x 1: AlarmTopic" in network.stdout
    assert "AWS::RDS::EventSubscription x 1: DatabaseEvents" in data.stdout
    types = {r["type"] for built in (network, data) for r in built.state["resources"]}
    assert not {t for t in types if t.startswith(("aws_sns_", "aws_cloudwatch_metric_", "aws_db_event_"))}
    assert not list_alarms(data)


def list_alarms(built: Built) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = built.client("cloudwatch").describe_alarms()["MetricAlarms"]
    return [a for a in found if a["AlarmName"].startswith(built.spec.project)]


def test_the_summary_lists_addresses_and_where_the_state_went(data: Built) -> None:
    lines = data.stdout.splitlines()
    row = next(line for line in lines if line.rstrip().endswith(DATABASE))
    assert row.split()[:2] == ["aws_db_instance", f"{data.spec.project}-db"]
    assert lines[-1].endswith(f"written to {data.state_path}")


# --------------------------------------------------------------------------- refusals before anything is created


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (["--taint", "module.db.aws_db_instance.missing"], "--taint module.db.aws_db_instance.missing: "),
        (["--taint", "data.aws_caller_identity.current"], "--taint data.aws_caller_identity.current: "),
        (["--layer", "network", "--unencrypted-database"], "--unencrypted-database"),
        (["--layer", "data"], "build the network first"),
    ],
)
def test_unusable_options_are_refused_before_anything_is_created(tmp_path: Path, flags: list[str], said: str) -> None:
    workspace = new_workspace(tmp_path)
    state = tmp_path / "estate.tfstate"
    result = run_estate(workspace, state, *flags)
    assert result.returncode == (1 if said == "build the network first" else 2), result.stderr
    assert said in result.stderr and len(result.stderr.splitlines()) == 1
    assert not state.exists()
    project = workspace.project.name
    s3 = boto3.client("s3", region_name=workspace.project.region)
    assert [b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].startswith(project)] == []
    kms = boto3.client("kms", region_name=workspace.project.region)
    assert [a for a in kms.list_aliases()["Aliases"] if project in a["AliasName"]] == []


def test_tainting_what_moto_could_not_create_writes_no_state(tmp_path: Path) -> None:
    state = tmp_path / "estate.tfstate"
    attachment = "module.db.aws_iam_role_policy_attachment.monitoring[0]"
    result = run_estate(new_workspace(tmp_path), state, "--taint", attachment)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line == f"error: --taint {attachment}: moto could not create it, so no state was written"
    assert not state.exists()


@pytest.mark.parametrize("endpoint", [None, "", "http://0.0.0.0:1", "http://localhost:1"])
def test_an_unset_or_non_loopback_endpoint_is_refused_in_one_line(tmp_path: Path, endpoint: str | None) -> None:
    # 0.0.0.0 and localhost are not loopback addresses yet could only ever reach this machine:
    # if the guard broke, nothing would leave it.
    env = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
    if endpoint is not None:
        env["AWS_ENDPOINT_URL"] = endpoint
    state = tmp_path / "estate.tfstate"
    command = [sys.executable, "-m", "cfncompiler.sandbox.estate", "--state", str(state)]
    command += ["--spec", str(ROOT / "spec" / "production.yaml"), "--templates", str(ROOT / "templates_out")]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("error: AWS_ENDPOINT_URL")
    assert ("is unset" if not endpoint else "is not a loopback address") in line
    assert not state.exists()


@pytest.mark.parametrize("url", ["http://127.0.0.1:5000", "http://127.8.9.10:1", "http://[::1]:5000"])
def test_loopback_addresses_are_accepted(url: str) -> None:
    assert loopback_endpoint({"AWS_ENDPOINT_URL": url}) == url


@pytest.mark.parametrize(
    "url",
    [
        "https://rds.us-west-2.amazonaws.com",
        "http://10.0.0.5:5000",
        "http://127.0.0.1.nip.io:5000",
        "127.0.0.1:5000",
        "http://[::]:5000",
    ],
)
def test_anything_else_is_refused(url: str) -> None:
    with pytest.raises(BadInput) as refused:
        loopback_endpoint({"AWS_ENDPOINT_URL": url})
    assert refused.value.exit_code == 2
