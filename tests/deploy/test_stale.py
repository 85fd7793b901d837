"""A forgotten `make synth` is never reported as "up to date": deploy and diff compile the spec first
(with the lint gate), status says the spec changed since the last synth."""

from __future__ import annotations

from tests.deploy.conftest import Workspace, edit_spec
from tests.deploy.test_cli import run
from tests.deploy.test_deployer import desired_count, litellm_replicas


def test_a_spec_edited_without_synth_is_compiled_and_deployed_not_called_up_to_date(workspace: Workspace) -> None:
    workspace.deploy()
    assert desired_count(workspace, "LitellmService") == 2
    edit_spec(workspace.spec_path, litellm_replicas(3))  # and no synth

    status = run(workspace, "status")
    assert status.exit_code == 0, status.output
    assert "spec changed since the last synth" in status.output

    diff = run(workspace, "diff", "--layer", "platform")
    assert diff.exit_code == 0, diff.output
    assert "changed since the last synth" in diff.stderr and "compiling and linting it first" in diff.stderr
    assert "up to date" not in diff.stdout and "DesiredCount" in diff.stdout

    deploy = run(workspace, "deploy", "--layer", "platform", "--yes", "--skip-preflight")
    assert deploy.exit_code == 0, deploy.output
    assert "up to date" not in deploy.output
    assert desired_count(workspace, "LitellmService") == 3

    again = run(workspace, "status")
    assert "spec changed since the last synth" not in again.output
