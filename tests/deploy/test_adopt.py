"""`cfncompiler adopt` end to end on the sandbox: a Terraform-built data layer, with data in it, is
imported in place (same names and ids, nothing created or deleted, the data still there), and the
deploy that follows converges without replacing any of it. And every refusal: before any change set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner, Result

from cfncompiler.cli import main
from cfncompiler.sandbox.estate import NEW_WITH_CFNCOMPILER, REHEARSAL_LOCK_ID, REHEARSAL_OBJECT
from cfncompiler.templates.parse import parse_template
from tests.deploy.conftest import Workspace, new_workspace
from tests.deploy.test_cli import assert_one_paragraph
from tests.sandbox.test_estate import DATABASE, run_estate

STATEFUL = (
    "AWS::S3::Bucket",
    "AWS::DynamoDB::Table",
    "AWS::SecretsManager::Secret",
    "AWS::RDS::DBInstance",
    "AWS::EFS::FileSystem",
    "AWS::KMS::Key",
)


def adopt(ws: Workspace, state: Path, *flags: str) -> Result:
    arguments = ["adopt", "--spec", str(ws.spec_path), "--out", str(ws.out_dir), "--terraform-state", str(state)]
    return CliRunner().invoke(main, [*arguments, *flags])


def estate(ws: Workspace, *flags: str) -> Path:
    state = ws.root / "estate.tfstate"
    result = run_estate(ws, state, "--layer", "data", *flags)
    assert result.returncode == 0, result.stderr
    return state


def inventory(region: str) -> dict[str, set[str]]:
    """Every bucket, table, secret, database and file system on the sandbox account, by kind."""
    s3, ddb = boto3.client("s3", region_name=region), boto3.client("dynamodb", region_name=region)
    secrets, rds = boto3.client("secretsmanager", region_name=region), boto3.client("rds", region_name=region)
    efs = boto3.client("efs", region_name=region)
    return {
        "buckets": {b["Name"] for b in s3.list_buckets()["Buckets"]},
        "tables": set(ddb.list_tables()["TableNames"]),
        "secrets": {s["Name"] for s in secrets.list_secrets()["SecretList"]},
        "databases": {d["DBInstanceIdentifier"] for d in rds.describe_db_instances()["DBInstances"]},
        "file_systems": {f["FileSystemId"] for f in efs.describe_file_systems()["FileSystems"]},
    }


def stack_resources(ws: Workspace, layer: str) -> dict[str, dict[str, Any]]:
    cf = ws.aws.cloudformation
    pages = cf.get_paginator("list_stack_resources").paginate(StackName=ws.project.stack_name(layer))
    return {r["LogicalResourceId"]: r for page in pages for r in page["StackResourceSummaries"]}


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, Path, dict[str, set[str]], Result]:
    ws = new_workspace(tmp_path_factory.mktemp("adopt"))
    ws.deploy("network")
    state = estate(ws)
    before = inventory(ws.project.region)
    result = adopt(ws, state, "--layer", "data", "--yes", "--write-removed", str(ws.root / "removed.tf"))
    return ws, state, before, result


def test_adopt_imports_the_data_layer_in_place(adopted: tuple[Workspace, Path, dict[str, set[str]], Result]) -> None:
    ws, state, before, result = adopted
    assert result.exit_code == 0, result.output
    assert ws.stack("data")["StackStatus"] == "IMPORT_COMPLETE"
    resources = stack_resources(ws, "data")
    names = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources.values()}
    instances = json.loads(state.read_text(encoding="utf-8"))["resources"]
    bucket_names = {
        i["attributes"]["bucket"] for r in instances if r["type"] == "aws_s3_bucket" for i in r["instances"]
    }
    stack_buckets = {names[lid] for lid, r in resources.items() if r["ResourceType"] == "AWS::S3::Bucket"}
    assert stack_buckets and stack_buckets <= bucket_names
    assert names["TableTerraformLocks"] == "terraform-locks"
    assert inventory(ws.project.region) == before  # nothing created, nothing deleted
    # Today's estate has no alarms: the plan says the deploy creates them, and the import brings none.
    assert not [r for r in resources.values() if r["ResourceType"] in NEW_WITH_CFNCOMPILER]
    rows = [line for line in result.stdout.splitlines() if line.split()[:1] == ["DatabaseCpuAlarm"]]
    assert rows and "created by the next deploy" in rows[0], result.stdout


def test_the_data_is_still_there_after_the_import(adopted: tuple[Workspace, Path, dict[str, set[str]], Result]) -> None:
    ws, _, before, _ = adopted
    region = ws.project.region
    s3 = boto3.client("s3", region_name=region)
    for bucket in before["buckets"]:
        assert s3.get_object(Bucket=bucket, Key=REHEARSAL_OBJECT)["Body"].read()
    item = boto3.client("dynamodb", region_name=region).get_item(
        TableName="terraform-locks", Key={"LockID": {"S": REHEARSAL_LOCK_ID}}
    )
    assert "Item" in item
    secrets = boto3.client("secretsmanager", region_name=region)
    assert secrets.get_secret_value(SecretId="prod/coder/oidc")["SecretString"]


def test_the_release_keeps_terraform_from_destroying_anything(
    adopted: tuple[Workspace, Path, dict[str, set[str]], Result],
) -> None:
    ws, _, _, result = adopted
    removed = (ws.root / "removed.tf").read_text(encoding="utf-8")
    assert removed.count("removed {") == removed.count("destroy = false") > 0
    commands = [line.strip() for line in result.stdout.splitlines() if "terraform state rm" in line]
    assert commands, result.stdout
    # Terraform needs its lock table to edit its own state: it is released last.
    assert "dynamodb_table" in commands[-1], commands
    # A bucket's separate configuration resources go with the bucket, or Terraform would keep
    # managing (and could undo) what CloudFormation now holds.
    assert "aws_s3_bucket_versioning.this" in removed
    assert any("aws_s3_bucket_server_side_encryption_configuration" in c for c in commands)


def test_status_shows_the_layer_adopted_until_it_is_deployed(
    adopted: tuple[Workspace, Path, dict[str, set[str]], Result],
) -> None:
    ws = adopted[0]
    status = CliRunner().invoke(main, ["status", "--spec", str(ws.spec_path), "--out", str(ws.out_dir)])
    assert status.exit_code == 0, status.output
    assert "adopted" in status.stdout


def test_the_deploy_after_adopt_converges_without_replacing_what_holds_data(
    adopted: tuple[Workspace, Path, dict[str, set[str]], Result],
) -> None:
    ws, _, before, _ = adopted
    imported = stack_resources(ws, "data")
    outcome = ws.deploy("data")  # the data-loss guard refuses any replacement of a stateful resource
    assert outcome["data"] in ("UPDATE_COMPLETE", "no changes")
    after = stack_resources(ws, "data")
    for logical_id, resource in imported.items():
        if resource["ResourceType"] in STATEFUL:
            assert after[logical_id]["PhysicalResourceId"] == resource["PhysicalResourceId"], logical_id
    assert inventory(ws.project.region) == before
    # What is new with cfncompiler is there now: every alarm of the layer, in the stack and in CloudWatch.
    template = parse_template((ws.out_dir / "data.yaml").read_text(encoding="utf-8"))
    alarms = {
        lid: r["Properties"]["AlarmName"]
        for lid, r in template["Resources"].items()
        if "AlarmName" in r.get("Properties", {})
    }
    assert alarms
    assert {lid for lid, r in after.items() if r["ResourceType"] == "AWS::CloudWatch::Alarm"} == set(alarms)
    described = boto3.client("cloudwatch", region_name=ws.project.region).describe_alarms(
        AlarmNames=sorted(alarms.values())
    )
    assert {a["AlarmName"] for a in described["MetricAlarms"]} == set(alarms.values())


# --------------------------------------------------------------------------- refusals, before any change set


def no_change_set(ws: Workspace) -> bool:
    cf = ws.aws.cloudformation
    names = {s["StackName"] for s in cf.list_stacks()["StackSummaries"] if s["StackStatus"] != "DELETE_COMPLETE"}
    return ws.project.stack_name("data") not in names


def test_an_unencrypted_database_is_refused_naming_the_spec_line(tmp_path: Path) -> None:
    ws = new_workspace(tmp_path)
    ws.deploy("network")
    state = estate(ws, "--unencrypted-database")
    result = adopt(ws, state, "--layer", "data", "--yes")
    assert result.exit_code == 2, result.output
    assert f"{ws.spec_path}:" in result.stderr and "data.database" in result.stderr
    assert "StorageEncrypted" in result.stderr and "[A001]" in result.stderr
    assert "no change set was created" in result.stderr
    assert no_change_set(ws)


def test_a_tainted_instance_is_refused_saying_why(tmp_path: Path) -> None:
    ws = new_workspace(tmp_path)
    ws.deploy("network")
    state = estate(ws, "--taint", DATABASE)
    result = adopt(ws, state, "--layer", "data", "--yes")
    assert result.exit_code == 1, result.output
    assert "tainted" in result.stderr and "terraform untaint" in result.stderr
    assert no_change_set(ws)


# --------------------------------------------------------------------------- the network layer


def test_the_network_layer_is_adopted_with_its_vpc_subnets_and_groups_then_converges(tmp_path: Path) -> None:
    ws = new_workspace(tmp_path)
    state = ws.root / "network.tfstate"
    built = run_estate(ws, state, "--layer", "network")
    assert built.returncode == 0, built.stderr
    ec2 = boto3.client("ec2", region_name=ws.project.region)
    vpcs_before = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    subnets_before = {s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]}
    groups_before = {g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]}

    result = adopt(ws, state, "--layer", "network", "--yes")
    assert result.exit_code == 0, result.output
    assert ws.stack("network")["StackStatus"] == "IMPORT_COMPLETE"
    resources = stack_resources(ws, "network")
    held = {r["PhysicalResourceId"] for r in resources.values()}
    terraform = {
        i["attributes"]["id"]
        for r in json.loads(state.read_text(encoding="utf-8"))["resources"]
        if r["type"] in ("aws_vpc", "aws_subnet", "aws_security_group")
        for i in r["instances"]
    }
    assert terraform and terraform <= held  # the stack holds Terraform's VPC, subnets and groups themselves

    outcome = ws.deploy("network")
    assert outcome["network"] in ("UPDATE_COMPLETE", "no changes")
    assert {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]} == vpcs_before
    assert {s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]} == subnets_before
    assert {g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]} == groups_before


# --------------------------------------------------------------------------- unusable input, one paragraph each


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        ("missing.tfstate", None, "does not exist"),
        ("template.json", '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}', "CloudFormation template"),
        ("old.tfstate", '{"version": 3, "terraform_version": "0.11.14", "modules": []}', "version 3"),
    ],
)
def test_a_state_file_that_cannot_be_used_is_one_paragraph_and_exit_2(
    workspace: Workspace, name: str, text: str | None, said: str
) -> None:
    path = workspace.root / name
    if text is not None:
        path.write_text(text, encoding="utf-8")
    result = adopt(workspace, path, "--layer", "data", "--yes")
    assert_one_paragraph(result, 2, said, "terraform state pull")
    assert no_change_set(workspace)


def test_a_resource_already_in_another_stack_is_refused_in_one_paragraph(tmp_path: Path) -> None:
    ws = new_workspace(tmp_path)
    ws.deploy("network")
    state = estate(ws)
    cf = ws.aws.cloudformation
    template = {
        "Resources": {
            "Locks": {
                "Type": "AWS::DynamoDB::Table",
                "DeletionPolicy": "Retain",
                "Properties": {
                    "TableName": "terraform-locks",
                    "AttributeDefinitions": [{"AttributeName": "LockID", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "LockID", "KeyType": "HASH"}],
                    "BillingMode": "PAY_PER_REQUEST",
                },
            }
        }
    }
    theirs = cf.create_change_set(
        StackName="someone-elses",
        ChangeSetName="take-the-table",
        ChangeSetType="IMPORT",
        TemplateBody=json.dumps(template),
        ResourcesToImport=[
            {
                "ResourceType": "AWS::DynamoDB::Table",
                "LogicalResourceId": "Locks",
                "ResourceIdentifier": {"TableName": "terraform-locks"},
            }
        ],
    )
    cf.get_waiter("change_set_create_complete").wait(ChangeSetName=theirs["Id"], WaiterConfig={"Delay": 1})
    cf.execute_change_set(ChangeSetName=theirs["Id"])
    cf.get_waiter("stack_import_complete").wait(StackName="someone-elses", WaiterConfig={"Delay": 1})

    result = adopt(ws, state, "--layer", "data", "--yes")
    assert_one_paragraph(result, 1, "terraform-locks", "someone-elses")
    assert "bug in cfncompiler" not in result.stderr


def test_an_ambiguous_match_lists_the_candidates_and_the_pin_before_any_change_set(tmp_path: Path) -> None:
    ws = new_workspace(tmp_path)
    ws.deploy("network")
    state = estate(ws)
    document = json.loads(state.read_text(encoding="utf-8"))
    # A second copy of the data key under another address: the alias that names the key fits both.
    key = next(r for r in document["resources"] if r["type"] == "aws_kms_key" and r.get("module") is None)
    document["resources"].append({**key, "module": "module.copy"})
    state.write_text(json.dumps(document), encoding="utf-8")
    result = adopt(ws, state, "--layer", "data", "--yes")
    assert result.exit_code == 2, result.output
    assert (
        "EncryptionKey (AWS::KMS::Key) could be any of aws_kms_key.data, module.copy.aws_kms_key.data" in result.stderr
    )
    assert "--map EncryptionKey=aws_kms_key.data" in result.stderr
    assert "Traceback" not in result.output
    assert no_change_set(ws)
