"""The deploy, diff, status and destroy commands as a person or CI runs them: exit codes, output, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.stub import Stubber
from click.testing import CliRunner, Result

from cfncompiler.cli import main
from cfncompiler.layers import ORDER

from .conftest import ROOT, Workspace, free_port
from .stubs import (
    CHANGE_SET_ID,
    STACK,
    change_set,
    events,
    missing_stack,
    stack,
    stack_event,
    stubbed_aws,
    workspace_project,
)


def run(ws_or_paths: Workspace | tuple[Path, Path], *args: str, input: str | None = None) -> Result:
    spec, out = (ws_or_paths.spec_path, ws_or_paths.out_dir) if isinstance(ws_or_paths, Workspace) else ws_or_paths
    return CliRunner().invoke(main, [*args, "--spec", str(spec), "--out", str(out)], input=input)


def assert_one_paragraph(result: Result, exit_code: int, *phrases: str) -> None:
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(error_lines) == 1, result.stderr
    for phrase in phrases:
        assert phrase in result.stderr


# --------------------------------------------------------------------------- against the sandbox


def test_deploy_refuses_without_a_terminal_or_yes_before_touching_aws(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Were AWS asked anything, this endpoint would turn the refusal into "could not reach AWS".
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    result = run(workspace, "deploy")
    assert_one_paragraph(result, 1, "no terminal to ask on", "--yes")


def test_deploy_with_yes_creates_the_layers_and_status_reports_them(workspace: Workspace) -> None:
    deployed = run(workspace, "deploy", "--yes", "--layer", "network")
    assert deployed.exit_code == 0, deployed.output
    assert "CREATE_COMPLETE" in deployed.stderr

    status = run(workspace, "status")
    assert status.exit_code == 0, status.output
    rows = {line.split()[0]: line for line in status.stdout.splitlines()[1:] if line.strip()}
    assert set(rows) == set(ORDER)
    assert "up to date" in rows["network"]
    assert all("not deployed" in rows[layer] for layer in ORDER if layer != "network")


def test_on_a_terminal_deploy_shows_the_diff_and_asks(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cfncompiler.deploy.console.interactive", lambda: True)

    declined = run(workspace, "deploy", "--layer", "network", input="n\n")
    assert_one_paragraph(declined, 1, "Not confirmed")
    assert "Vpc" in declined.stdout and "AWS::EC2::VPC" in declined.stdout
    assert "Execute this change set" in declined.stderr
    assert workspace.deployer().describe("network") is None

    accepted = run(workspace, "deploy", "--layer", "network", input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert workspace.stack("network")["StackStatus"] == "CREATE_COMPLETE"


def test_diff_json_lists_each_layer_and_changes_nothing(workspace: Workspace) -> None:
    assert run(workspace, "deploy", "--yes", "--layer", "network").exit_code == 0

    result = run(workspace, "diff", "--json", "--layer", "network", "--layer", "data")

    assert result.exit_code == 0, result.output
    layers = {entry["layer"]: entry for entry in json.loads(result.stdout)["layers"]}
    assert layers["network"]["state"] == "up to date"
    assert layers["data"]["state"] == "new stack"
    changes = {c["logical_id"]: c for c in layers["data"]["changes"]}
    assert changes["Database"] == {
        "action": "Add",
        "logical_id": "Database",
        "resource_type": "AWS::RDS::DBInstance",
        "replacement": "",
        "properties": [],
        "loses_data": False,
    }
    assert workspace.deployer().describe("data") is None


def test_destroy_needs_a_layer_and_refuses_while_a_lower_one_exists(workspace: Workspace) -> None:
    assert run(workspace, "deploy", "--yes", "--layer", "network").exit_code == 0
    no_layer = run(workspace, "destroy", "--yes")
    assert no_layer.exit_code == 2 and "--layer" in no_layer.output
    unknown = run(workspace, "destroy", "--yes", "--layer", "netwrok")
    assert_one_paragraph(unknown, 2, "unknown layer 'netwrok'", "did you mean 'network'")


def test_a_real_subprocess_deploys_and_reports(workspace: Workspace) -> None:
    command = [sys.executable, "-m", "cfncompiler"]
    paths = ["--spec", str(workspace.spec_path), "--out", str(workspace.out_dir)]
    deployed = subprocess.run(
        [*command, "deploy", *paths, "--layer", "network", "--yes"], capture_output=True, text=True, env=os.environ
    )
    assert deployed.returncode == 0, deployed.stderr
    status = subprocess.run([*command, "status", *paths], capture_output=True, text=True, env=os.environ)
    assert status.returncode == 0, status.stderr
    assert "\x1b[" not in status.stdout, "piped output is plain"
    network = next(line for line in status.stdout.splitlines() if line.startswith("network"))
    assert "CREATE_COMPLETE" in network and "up to date" in network


def test_help_does_not_import_the_deploy_engine() -> None:
    heavy = ("boto3", "rich", "cfncompiler.deploy")
    probe = f"import sys, cfncompiler.cli; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- AWS trouble


def test_no_credentials_is_one_paragraph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = workspace_project(tmp_path)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    templates_as_written(monkeypatch)
    result = run((project.spec_path, project.out_dir), "status")
    assert_one_paragraph(result, 1, "No AWS credentials were found", "make sandbox")


def test_an_unreachable_endpoint_is_one_paragraph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = workspace_project(tmp_path)
    closed = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", closed)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    templates_as_written(monkeypatch)
    result = run((project.spec_path, project.out_dir), "status")
    assert_one_paragraph(result, 1, "Could not reach AWS", f"AWS_ENDPOINT_URL is set to {closed}")


def templates_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """These projects hold a hand-written network template on purpose (the scripted responses are
    about it): the check that recompiles a stale templates_out/ is tested on the sandbox, not here."""
    monkeypatch.setattr("cfncompiler.synth.stale_templates", lambda spec_path, out_dir: [])


def stub_connect(monkeypatch: pytest.MonkeyPatch) -> Stubber:
    templates_as_written(monkeypatch)
    aws, cf, _ = stubbed_aws()
    monkeypatch.setattr("cfncompiler.deploy.session.connect", lambda region, account=None: aws)
    return cf


def test_access_denied_is_one_paragraph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = workspace_project(tmp_path)
    cf = stub_connect(monkeypatch)
    cf.add_client_error(
        "describe_stacks",
        service_error_code="AccessDenied",
        service_message=(
            "User: arn:aws:sts::123456789012:assumed-role/ReadOnly/dev is not authorized to perform: "
            "cloudformation:DescribeStacks on resource: arn:aws:cloudformation:us-west-2:123456789012:stack/"
            f"{STACK}/* because no identity-based policy allows the cloudformation:DescribeStacks action"
        ),
        http_status_code=403,
    )
    result = run((project.spec_path, project.out_dir), "status")
    assert_one_paragraph(result, 1, "AWS denied DescribeStacks", "assumed-role/ReadOnly/dev")


def test_a_failed_change_set_is_one_paragraph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = workspace_project(tmp_path)
    cf = stub_connect(monkeypatch)
    reason = "Parameters: [VpcCidr] must have values"
    cf.add_client_error("describe_stacks", **missing_stack())
    cf.add_response("create_change_set", {"Id": CHANGE_SET_ID, "StackId": STACK})
    cf.add_response("describe_change_set", change_set("FAILED", reason, changes=[]))
    cf.add_response("delete_change_set", {})
    cf.add_response("delete_stack", {})
    result = run((project.spec_path, project.out_dir), "deploy", "--yes", "--layer", "network")
    assert_one_paragraph(result, 1, "could not create a change set", reason)


def test_ctrl_c_while_waiting_exits_130_and_says_cloudformation_carries_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = workspace_project(tmp_path)
    cf = stub_connect(monkeypatch)
    for operation, response in (
        ("create_change_set", {"Id": CHANGE_SET_ID, "StackId": STACK}),
        ("describe_change_set", change_set()),
        ("describe_change_set", change_set()),
        ("describe_stack_events", events(stack_event("REVIEW_IN_PROGRESS", second=1))),
        ("execute_change_set", {}),
        ("describe_stacks", stack("CREATE_IN_PROGRESS")),
        ("describe_stack_events", events(stack_event("CREATE_IN_PROGRESS", second=2))),
    ):
        if operation == "create_change_set":
            cf.add_client_error("describe_stacks", **missing_stack())
        cf.add_response(operation, response)

    def interrupted(_: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("botocore.waiter.time.sleep", interrupted)
    result = run((project.spec_path, project.out_dir), "deploy", "--yes", "--layer", "network")
    assert_one_paragraph(result, 130, "Stopped watching", "CloudFormation carries on", "cfncompiler status")
