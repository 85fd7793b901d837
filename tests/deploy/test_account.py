"""The spec names its account; every AWS command checks the caller's account first and refuses another
one before any other request, so production never lands in staging's account or the reverse."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from cfncompiler.deploy.session import region_note
from tests.deploy.conftest import Workspace, edit_spec
from tests.deploy.test_cli import assert_one_paragraph, run
from tests.spec_edit import edit, only_problem, write_project

SANDBOX_ACCOUNT = "123456789012"  # what the test sandbox answers for
OTHER_ACCOUNT = "210987654321"


def pinned_to(account: str | None) -> Any:
    def change(document: Any) -> None:
        if account is None:
            del document["account"]
        else:
            document["account"] = account

    return change


@pytest.mark.parametrize(
    "command",
    [
        ["deploy", "--yes"],
        ["diff"],
        ["status"],
        ["drift"],
        ["destroy", "--layer", "observability", "--yes"],
        ["adopt", "--terraform-state", "{state}", "--yes"],
    ],
    ids=lambda c: c[0],
)
def test_a_spec_pinned_to_another_account_is_refused_before_anything_is_read_or_made(
    workspace: Workspace, command: list[str]
) -> None:
    edit_spec(workspace.spec_path, pinned_to(OTHER_ACCOUNT))
    state = workspace.root / "empty.tfstate"
    state.write_text('{"version": 4, "terraform_version": "1.9.8", "serial": 1, "lineage": "x", "resources": []}')
    buckets_before = {b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]}
    result = run(workspace, *(part.format(state=state) for part in command))
    assert_one_paragraph(result, 1, f"pinned to account {OTHER_ACCOUNT}", f"account {SANDBOX_ACCOUNT}", "arn:aws:")
    cf = workspace.aws.cloudformation
    names = {s["StackName"] for s in cf.list_stacks()["StackSummaries"]}
    assert not any(name.startswith(workspace.project.name) for name in names)
    assert {b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]} == buckets_before


def test_the_same_spec_pinned_to_the_sandbox_account_deploys_and_tags_its_stacks(workspace: Workspace) -> None:
    edit_spec(workspace.spec_path, pinned_to(SANDBOX_ACCOUNT))
    result = run(workspace, "deploy", "--layer", "network", "--yes")
    assert result.exit_code == 0, result.output
    assert "not pinned" not in result.stderr
    tags = {t["Key"]: t["Value"] for t in workspace.stack("network")["Tags"]}
    assert tags["cfncompiler:account"] == SANDBOX_ACCOUNT


def test_an_unpinned_spec_deploys_with_one_warning_line(workspace: Workspace) -> None:
    edit_spec(workspace.spec_path, pinned_to(None))
    result = run(workspace, "deploy", "--layer", "network", "--yes")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "not pinned" in line]
    assert len(warnings) == 1 and warnings[0].startswith("warning:")


@pytest.mark.parametrize("value", ['"12345"', "123456789012", '"12345678901a"'])
def test_an_account_of_the_wrong_shape_is_a_located_error(tmp_path: Any, value: str) -> None:
    from tests.spec_edit import production_text

    text = edit(production_text(), ('account: "123456789012"', f"account: {value}"))
    problem = only_problem(write_project(tmp_path, text))
    assert problem.path == "account" and problem.rule == "S004"


def test_a_shell_region_other_than_the_specs_is_one_note_not_an_error() -> None:
    assert region_note("us-west-2", {"AWS_REGION": "eu-west-1"}) == (
        "note: AWS_REGION is eu-west-1, but the spec says us-west-2; commands use the spec's region."
    )
    assert region_note("us-west-2", {"AWS_DEFAULT_REGION": "us-west-2"}) is None
