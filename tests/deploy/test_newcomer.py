"""Smaller things a newcomer tripped over: hints that name the spec in use, a diff that cannot be made
is not a success, a Ctrl-C at the question leaves no change set, and the shell completes layer names."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.shell_completion import ShellComplete
from click.testing import CliRunner

from cfncompiler.cli import main
from cfncompiler.deploy.diff import LayerDiff
from cfncompiler.deploy.project import Project
from tests.deploy.conftest import Recorder, Workspace
from tests.deploy.test_cli import run


def test_a_hint_names_the_spec_when_it_is_not_the_default_one() -> None:
    staging = Project("coder-staging", "us-west-2", Path("spec/staging.yaml"), "0" * 64, Path("templates_out/staging"))
    production = Project("coder-production", "us-west-2", Path("spec/production.yaml"), "0" * 64, Path("templates_out"))
    assert staging.command("deploy --layer network") == "cfncompiler deploy --layer network --spec spec/staging.yaml"
    assert production.command("deploy --layer network") == "cfncompiler deploy --layer network"


def test_a_diff_of_a_layer_whose_upstream_is_missing_is_not_a_success(workspace: Workspace) -> None:
    result = run(workspace, "diff", "--layer", "data")
    assert result.exit_code == 1, result.output
    assert "cannot be diffed yet" in result.stderr


def test_the_shell_completes_layer_names() -> None:
    completion = ShellComplete(main, {}, "cfncompiler", "_CFNCOMPILER_COMPLETE")
    found = [item.value for item in completion.get_completions(["deploy", "--layer"], "pl")]
    assert found == ["platform"]


class CtrlC(Recorder):
    def confirm(self, diff: LayerDiff, question: str) -> bool:
        raise KeyboardInterrupt


def test_ctrl_c_at_the_question_leaves_no_change_set_and_no_empty_stack(workspace: Workspace) -> None:
    workspace.deploy("network")
    workspace.edit(lambda document: document["logs"].update({"retention_days": 400}))
    with pytest.raises(KeyboardInterrupt):
        workspace.deployer(CtrlC()).deploy(["network"])
    cf = workspace.aws.cloudformation
    summaries = cf.list_change_sets(StackName=workspace.project.stack_name("network"))["Summaries"]
    assert [c["ChangeSetName"] for c in summaries if c["ExecutionStatus"] == "AVAILABLE"] == []


def test_a_second_environment_in_the_same_account_is_told_why_not_as_a_bug(workspace: Workspace) -> None:
    workspace.deploy("network", "data")
    staging = workspace.spec_path.parent / "staging.yaml"
    staging.write_text(
        f"extends: production.yaml\nproject: {workspace.project.name}-stg\n"
        "network:\n  service_discovery:\n    namespace: staging.local\n",
        encoding="utf-8",
    )
    out = workspace.root / "templates_out" / "staging"
    for layer in ("network", "data"):
        result = CliRunner().invoke(
            main, ["deploy", "--spec", str(staging), "--out", str(out), "--layer", layer, "--yes"]
        )
    assert result.exit_code == 1, result.output
    assert "terraform-locks" in result.stderr
    assert "adopt" in result.stderr and "own AWS account" in result.stderr
    assert "bug in cfncompiler" not in result.stderr
    status = CliRunner().invoke(main, ["status", "--spec", str(staging), "--out", str(out)])
    data_row = next(line for line in status.stdout.splitlines() if line.startswith("data"))
    assert "REVIEW_IN_PROGRESS" in data_row and "stranded" in data_row, status.stdout
