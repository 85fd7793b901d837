"""The local endpoint: loopback only, the exports it prints, and a documented reason for every patch."""

from __future__ import annotations

import ast
import re
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from cfncompiler.sandbox import patches
from cfncompiler.sandbox.server import HOST, exports

from .conftest import ROOT, Workspace, next_slot

# Runs ``python -m cfncompiler.sandbox`` as a person would, in an interpreter where moto cannot be imported.
WITHOUT_MOTO = """
import runpy, sys
sys.modules["moto"] = None  # what an environment without the sandbox extra looks like to `import moto`
sys.argv = ["cfncompiler.sandbox", "--port", "0"]
runpy.run_module("cfncompiler.sandbox", run_name="__main__", alter_sys=True)
"""


def test_it_binds_to_loopback_only_and_says_what_to_export() -> None:
    assert HOST == "127.0.0.1"
    lines = exports(5123)
    assert lines[0] == "export AWS_ENDPOINT_URL=http://127.0.0.1:5123"
    assert any(line.startswith("export AWS_ACCESS_KEY_ID=") for line in lines)
    assert any(line.startswith("export AWS_SECRET_ACCESS_KEY=") for line in lines)


def test_without_moto_it_says_which_extra_to_install_in_one_line_and_exits_2() -> None:
    result = subprocess.run([sys.executable, "-c", WITHOUT_MOTO], capture_output=True, text=True, timeout=60)

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: the sandbox needs `pip install cfncompiler[sandbox]` (moto is not installed)"
    ]


def test_moto_is_an_extra_of_its_own_pinned_to_the_version_the_patches_are_written_for() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert "moto[server]==5.2.5" in extras["sandbox"]
    assert "cfncompiler[sandbox]" in extras["dev"]
    assert not any(dep.startswith("moto") for dep in extras["dev"])
    assert version("moto") == "5.2.5"


def test_every_patch_is_a_named_function_that_says_which_gap_it_closes() -> None:
    for patch in patches.PATCHES:
        assert patch.__doc__ and patch.__doc__.startswith("Gap: "), patch.__name__
        assert patch.__module__ == f"{patches.__name__}.{patch.__name__}", "one module per patch, named after it"
    assert len({p.__name__ for p in patches.PATCHES}) == len(patches.PATCHES)


def test_the_docs_name_every_patch_and_say_how_many_there_are() -> None:
    docs = (ROOT / "docs" / "deploy.md").read_text()
    readme = (ROOT / "README.md").read_text()
    count = len(patches.PATCHES)
    assert f"with {count} patches:" in docs
    assert f"the {count} patches of the package `src/cfncompiler/sandbox/patches/`" in docs
    assert f"patches/                {count} patches, one module each" in readme
    for patch in patches.PATCHES:
        assert f"| `{patch.__name__}` |" in docs, patch.__name__


def test_the_deploy_path_does_not_know_about_moto_or_the_sandbox() -> None:
    deploy = Path(__file__).resolve().parents[2] / "src" / "cfncompiler" / "deploy"
    for source in deploy.glob("*.py"):
        tree = ast.parse(source.read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names} | {
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        }
        assert not any(name.startswith(("moto", "cfncompiler.sandbox")) for name in imported), source.name
        assert "moto" not in source.read_text().lower(), source.name


def test_the_running_sandbox_has_termination_protection_as_aws_does(sandbox_url: str) -> None:
    _, region = next_slot()
    cf = boto3.client("cloudformation", region_name=region, endpoint_url=sandbox_url)
    template = (
        "Resources:\n  Note:\n    Type: AWS::SSM::Parameter\n    Properties: {Name: /tp/note, Type: String, Value: x}\n"
    )
    stack_id = cf.create_stack(StackName="protected", TemplateBody=template)["StackId"]

    cf.update_termination_protection(StackName=stack_id, EnableTerminationProtection=True)

    with pytest.raises(ClientError, match="cannot be deleted while TerminationProtection is enabled"):
        cf.delete_stack(StackName=stack_id)
    cf.update_termination_protection(StackName=stack_id, EnableTerminationProtection=False)
    cf.delete_stack(StackName=stack_id)
    assert cf.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"


@contextmanager
def own_sandbox(log: Path, *args: str) -> Iterator[subprocess.Popen[bytes]]:
    """``python -m cfncompiler.sandbox ARGS`` with its output in ``log``, stopped (Ctrl-C) on the way out."""
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "cfncompiler.sandbox", *args], stdout=out, stderr=out)
        try:
            yield process
        finally:
            process.terminate()
            process.wait(timeout=30)


def wait_for_line(log: Path, pattern: str, process: subprocess.Popen[bytes], timeout: float = 60) -> re.Match[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(pattern, log.read_text())
        if found:
            return found
        assert process.poll() is None, log.read_text()
        time.sleep(0.1)
    raise AssertionError(f"no {pattern!r} in {log.read_text()!r}")


def test_the_shell_hears_once_how_many_types_are_unmodelled_and_not_per_resource(tmp_path: Path) -> None:
    log = tmp_path / "sandbox.log"
    template = """Resources:
  Token:
    Type: AWS::SecretsManager::Secret
    Properties: {Name: token}
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties: {Bucket: somewhere, PolicyDocument: {}}
"""
    with own_sandbox(log, "--port", "0") as process:
        url = wait_for_line(log, r"export AWS_ENDPOINT_URL=(\S+)", process)[1]
        cf = boto3.client("cloudformation", region_name="us-east-1", endpoint_url=url)
        cf.create_stack(StackName="unmodelled", TemplateBody=template)
        assert cf.describe_stacks(StackName="unmodelled")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    output = log.read_text()

    unmodelled = re.findall(r"does not model (\d+) of the (\d+) AWS resource types", output)
    assert len(unmodelled) == 1 and 0 < int(unmodelled[0][0]) < int(unmodelled[0][1])
    assert "No Moto CloudFormation support" not in output
    assert "development server" not in output
    assert "Running on" not in output


def test_a_busy_port_fails_in_one_line_before_any_export() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "cfncompiler.sandbox", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert result.returncode == 1
    assert "export" not in result.stdout + result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: cannot listen on http://127.0.0.1:{port}: Address already in use;")


def physical_ids(workspace: Workspace, layer: str) -> dict[str, str]:
    resources = workspace.aws.cloudformation.describe_stack_resources(StackName=workspace.project.stack_name(layer))
    return {r["LogicalResourceId"]: r.get("PhysicalResourceId", "") for r in resources["StackResources"]}


def rule_arns(elbv2: Any, listener_arn: str) -> set[str]:
    return {
        rule["RuleArn"] for rule in elbv2.describe_rules(ListenerArn=listener_arn)["Rules"] if not rule["IsDefault"]
    }


def test_a_deleted_layer_takes_its_listener_rule_along_so_it_deploys_again(workspace: Workspace) -> None:
    workspace.deploy()
    elbv2 = boto3.client("elbv2", region_name=workspace.project.region)
    ecs = boto3.client("ecs", region_name=workspace.project.region)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in workspace.stack("platform")["Outputs"]}
    listener = outputs["AlbListenerArn"]
    rules_with_observability = rule_arns(elbv2, listener)
    observability = physical_ids(workspace, "observability")

    workspace.deployer().destroy(["observability"])

    assert rule_arns(elbv2, listener) == rules_with_observability - {observability["LangfuseWebRoute"]}
    with pytest.raises(ClientError, match="TargetGroupNotFound"):
        elbv2.describe_target_groups(TargetGroupArns=[observability["LangfuseWebTargetGroup"]])
    service = observability["LangfuseWebService"]
    [described] = ecs.describe_services(cluster=service.split("/")[1], services=[service])["services"]
    assert described["status"] == "INACTIVE"
    task = ecs.describe_task_definition(taskDefinition=observability["LangfuseWebTask"])["taskDefinition"]
    assert task["status"] == "INACTIVE"

    workspace.deploy("observability")  # its listener rule's priority was still taken: PriorityInUse

    assert workspace.stack("observability")["StackStatus"] == "CREATE_COMPLETE"
    assert len(rule_arns(elbv2, listener)) == len(rules_with_observability)


def test_the_network_layer_is_really_gone_after_destroy_and_deploys_again(workspace: Workspace) -> None:
    workspace.deploy("network")
    network = physical_ids(workspace, "network")
    ec2 = boto3.client("ec2", region_name=workspace.project.region)

    workspace.deployer().destroy(["network"])  # moto failed here: the VPC still had its endpoints and NAT

    assert workspace.deployer().describe("network") is None
    assert not ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [network["Vpc"]]}])["Vpcs"]
    endpoints = [id_ for logical, id_ in network.items() if logical.startswith("Endpoint")]
    described = ec2.describe_vpc_endpoints(VpcEndpointIds=endpoints)["VpcEndpoints"]
    assert {e["State"].lower() for e in described} == {"deleted"}
    [nat] = ec2.describe_nat_gateways(NatGatewayIds=[network["NatGateway"]])["NatGateways"]
    assert nat["State"] == "deleted"
    assert not ec2.describe_addresses(Filters=[{"Name": "public-ip", "Values": [network["NatAddress"]]}])["Addresses"]
    gateways = ec2.describe_internet_gateways(
        Filters=[{"Name": "internet-gateway-id", "Values": [network["InternetGateway"]]}]
    )
    assert not gateways["InternetGateways"]

    workspace.deploy("network")

    assert workspace.stack("network")["StackStatus"] == "CREATE_COMPLETE"
