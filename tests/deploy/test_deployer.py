"""The deploy engine end to end against the local CloudFormation endpoint, with the real spec and templates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from cfncompiler.cli import main
from cfncompiler.cost.snapshot import SNAPSHOT_PATH, load_snapshot
from cfncompiler.deploy import guard
from cfncompiler.deploy.deployer import NOT_DEPLOYED_STATE, STALE_STATE, UP_TO_DATE_STATE, Options
from cfncompiler.deploy.diff import CHANGES, NEW, UP_TO_DATE
from cfncompiler.deploy.project import TAG_LAYER, TAG_PROJECT, TAG_SPEC
from cfncompiler.deploy.uploads import declared
from cfncompiler.errors import GuardRefused, Refused
from cfncompiler.layers import ORDER
from cfncompiler.templates.parse import parse_template
from cfncompiler.templates.stateful import is_stateful

from .conftest import Recorder, Workspace, count_calls


def litellm_replicas(count: int) -> Any:
    def change(document: Any) -> None:
        document["platform"]["services"]["litellm"]["replicas"] = count

    return change


def prices_for(ws: Workspace) -> Path:
    """The committed snapshot with its us-west-2 prices also under the workspace's sandbox region."""
    document = json.loads(SNAPSHOT_PATH.read_text(encoding="utf-8"))
    document["regions"][ws.project.region] = document["regions"]["us-west-2"]
    path = ws.root / "prices.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def one_litellm_task(prices: Path, region: str) -> float:
    """What one more LiteLLM task adds a month: 0.5 vCPU and 2 GB, half On-Demand, half Spot (weights 1:1)."""
    rates = load_snapshot(prices).region(region)
    usd = {k: p.usd for k, p in rates.prices.items()}
    on_demand = 0.5 * usd["fargate.x86.vcpu-hours"] + 2 * usd["fargate.x86.gb-hours"]
    spot = 0.5 * usd["fargate-spot.x86.vcpu-hours"] + 2 * usd["fargate-spot.x86.gb-hours"]
    return 730 * (on_demand + spot) / 2


def desired_count(ws: Workspace, logical_id: str) -> int:
    """What ECS itself says, behind CloudFormation: the update reached the service."""
    cf = ws.aws.cloudformation
    stack = ws.stack("platform")
    resource = cf.describe_stack_resource(StackName=stack["StackId"], LogicalResourceId=logical_id)
    service_arn = resource["StackResourceDetail"]["PhysicalResourceId"]  # .../service/<cluster>/<service>
    ecs = boto3.client("ecs", region_name=ws.project.region)
    [service] = ecs.describe_services(cluster=service_arn.split("/")[-2], services=[service_arn])["services"]
    count: int = service["desiredCount"]
    return count


def pending_change_sets(ws: Workspace, stack_id: str) -> list[str]:
    """Change sets of the stack that were left behind unexecuted."""
    summaries = ws.aws.cloudformation.list_change_sets(StackName=stack_id)["Summaries"]
    return [s["ChangeSetName"] for s in summaries if s["StackId"] == stack_id and s["ExecutionStatus"] == "AVAILABLE"]


def denied_ids(policy: str) -> set[str]:
    statements = json.loads(policy)["Statement"]
    return {r.removeprefix("LogicalResourceId/") for s in statements if s["Effect"] == "Deny" for r in s["Resource"]}


def stateful_logical_ids(ws: Workspace, layer: str) -> set[str]:
    resources = parse_template(ws.project.target(layer).body)["Resources"]
    return {k for k, r in resources.items() if is_stateful(r["Type"])}


# --------------------------------------------------------------------------- from scratch


def test_every_layer_is_created_in_dependency_order(deployed: Workspace) -> None:
    stacks = [deployed.stack(layer) for layer in ORDER]
    assert [s["StackStatus"] for s in stacks] == ["CREATE_COMPLETE"] * len(ORDER)
    created = [s["CreationTime"] for s in stacks]
    assert created == sorted(created)


def test_each_layer_gets_its_parameters_from_the_outputs_above_it(deployed: Workspace) -> None:
    published: dict[str, str] = {}
    for layer in ORDER:
        stack = deployed.stack(layer)
        declared_names = set(deployed.project.target(layer).declared_parameters)
        received = {p["ParameterKey"]: p["ParameterValue"] for p in stack.get("Parameters", [])}
        assert declared_names <= set(published) | {n for n in declared_names if n not in published}
        for name in declared_names & set(published):
            assert received[name] == published[name], f"{layer}.{name}"
        published.update({o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])})
    assert deployed.stack("data")["Parameters"], "the data layer receives the network's subnets and groups"


def test_stacks_are_tagged_protected_and_carry_a_stack_policy(deployed: Workspace) -> None:
    cf = deployed.aws.cloudformation
    for layer in ORDER:
        stack = deployed.stack(layer)
        tags = {t["Key"]: t["Value"] for t in stack["Tags"]}
        assert tags[TAG_PROJECT] == deployed.project.name
        assert tags[TAG_LAYER] == layer
        assert tags[TAG_SPEC] == deployed.project.spec_digest
        assert stack["EnableTerminationProtection"] is True
        policy = json.loads(cf.get_stack_policy(StackName=stack["StackId"])["StackPolicyBody"])
        denied = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
        protected = {r.removeprefix("LogicalResourceId/") for s in denied for r in s["Resource"]}
        assert protected == stateful_logical_ids(deployed, layer)
        if protected:
            assert set(denied[0]["Action"]) == {"Update:Replace", "Update:Delete"}
    assert stateful_logical_ids(deployed, "data"), "the data layer holds stateful resources to protect"


def test_assets_are_uploaded_under_their_content_hash_before_their_layer(deployed: Workspace) -> None:
    assets = [
        (layer, asset)
        for layer in ORDER
        for asset in declared(deployed.project.target(layer).document, deployed.spec_path.parent)
    ]
    assert assets, "the platform layer declares the LiteLLM config as an asset"
    for layer, asset in assets:
        params = {p["ParameterKey"]: p["ParameterValue"] for p in deployed.stack(layer)["Parameters"]}
        bucket = params[asset.bucket_parameter]
        listed = deployed.aws.s3.list_objects_v2(Bucket=bucket, Prefix=asset.prefix).get("Contents", [])
        keys = {o["Key"].removeprefix(asset.prefix) for o in listed}
        expected = {p.relative_to(asset.source).as_posix() for p in asset.source.rglob("*") if p.is_file()}
        assert keys == expected


def test_a_second_deploy_creates_no_change_set(deployed: Workspace) -> None:
    recorder = Recorder()
    deployer = deployed.deployer(recorder)
    created = count_calls(deployed.aws, "CreateChangeSet")
    executed = count_calls(deployed.aws, "ExecuteChangeSet")

    outcomes = deployer.deploy(())

    assert outcomes == dict.fromkeys(ORDER, UP_TO_DATE)
    assert created == [] and executed == []
    assert recorder.diffs == [] and recorder.questions == []


def test_an_up_to_date_deploy_puts_back_a_stack_policy_and_protection_changed_by_hand(deployed: Workspace) -> None:
    cf = deployed.aws.cloudformation
    stack_id = deployed.stack("data")["StackId"]
    cf.set_stack_policy(StackName=stack_id, StackPolicyBody=guard.stack_policy([]))
    cf.update_termination_protection(StackName=stack_id, EnableTerminationProtection=False)
    recorder = Recorder()

    deployed.deployer(recorder).deploy(["data"])

    assert ("data", "restored the stack policy and termination protection") in recorder.notes
    assert denied_ids(cf.get_stack_policy(StackName=stack_id)["StackPolicyBody"]) == stateful_logical_ids(
        deployed, "data"
    )
    assert deployed.stack("data")["EnableTerminationProtection"] is True


def test_status_reports_every_deployed_layer_up_to_date(deployed: Workspace) -> None:
    rows = deployed.deployer().status()
    assert [(r.layer, r.state) for r in rows] == [(layer, UP_TO_DATE_STATE) for layer in ORDER]
    assert all(r.stack_status == "CREATE_COMPLETE" and r.last_change for r in rows)


def test_diff_of_a_deployed_layer_is_up_to_date_without_a_change_set(deployed: Workspace) -> None:
    created = count_calls(deployed.aws, "CreateChangeSet")
    [layer_diff] = deployed.deployer().diff(["platform"])
    assert layer_diff.state == UP_TO_DATE and created == []


# --------------------------------------------------------------------------- changes


def test_a_spec_change_shows_in_diff_and_updates_only_its_layer(workspace: Workspace) -> None:
    workspace.deploy()
    before = {layer: workspace.stack(layer) for layer in ORDER}
    workspace.edit(litellm_replicas(3))
    prices = prices_for(workspace)
    one_task = one_litellm_task(prices, workspace.project.region)

    where = ["--spec", str(workspace.spec_path), "--out", str(workspace.out_dir), "--prices", str(prices)]
    shown = CliRunner().invoke(main, ["diff", "--layer", "platform", *where])
    assert shown.exit_code == 0, shown.output
    [row] = [line.split() for line in shown.stdout.splitlines() if "LitellmService" in line]
    assert row == ["Modify", "LitellmService", "AWS::ECS::Service", "False", "DesiredCount"]
    [cost_line] = [line for line in shown.stdout.splitlines() if "monthly cost:" in line]
    assert cost_line.endswith(f"(+${one_task:,.2f} a month)"), cost_line

    deployer = workspace.deployer()
    deployer.snapshot_path = prices
    [layer_diff] = deployer.diff(["platform"])
    assert layer_diff.state == CHANGES
    # The platform layer costs exactly one LiteLLM task more, and only its service says so.
    assert layer_diff.cost is not None and layer_diff.cost.delta == pytest.approx(one_task) and one_task > 0
    assert [(r.logical_id, r.delta) for r in layer_diff.cost.resources] == [("LitellmService", pytest.approx(one_task))]
    service = next(r for r in layer_diff.rows if r.logical_id == "LitellmService")
    assert (service.action, service.replacement, service.properties) == ("Modify", "False", ("DesiredCount",))
    assert pending_change_sets(workspace, before["platform"]["StackId"]) == []

    workspace.deploy("platform")

    after = {layer: workspace.stack(layer) for layer in ORDER}
    assert after["platform"]["StackStatus"] == "UPDATE_COMPLETE"
    assert after["platform"].get("LastUpdatedTime") is not None
    for layer in ORDER:
        if layer != "platform":
            assert after[layer].get("LastUpdatedTime") == before[layer].get("LastUpdatedTime") is None
            assert after[layer]["StackStatus"] == "CREATE_COMPLETE"
    spec_tag = {t["Key"]: t["Value"] for t in after["platform"]["Tags"]}[TAG_SPEC]
    assert spec_tag == workspace.project.spec_digest
    assert spec_tag != {t["Key"]: t["Value"] for t in before["platform"]["Tags"]}[TAG_SPEC]
    assert desired_count(workspace, "LitellmService") == 3


def test_removing_a_bucket_is_refused_by_the_guard_and_the_stack_is_unchanged(workspace: Workspace) -> None:
    workspace.deploy("network", "data")
    cf = workspace.aws.cloudformation
    before = workspace.stack("data")
    template_before = cf.get_template(StackName=before["StackId"])["TemplateBody"]

    workspace.edit(lambda doc: doc["data"]["buckets"].pop("backups"))
    recorder = Recorder()
    with pytest.raises(GuardRefused) as refused:
        workspace.deployer(recorder).deploy(["data"])

    assert "BucketBackups" in str(refused.value)
    assert "--allow-replace BucketBackups" in str(refused.value)
    assert recorder.questions == [], "the guard refuses before anyone is asked"
    after = workspace.stack("data")
    assert after["StackStatus"] == before["StackStatus"] == "CREATE_COMPLETE"
    assert after.get("LastUpdatedTime") is None
    assert cf.get_template(StackName=before["StackId"])["TemplateBody"] == template_before
    assert pending_change_sets(workspace, before["StackId"]) == []


def test_allow_replace_lets_only_the_named_resource_go_under_a_temporary_policy(workspace: Workspace) -> None:
    workspace.deploy("network", "data")
    protected_before = stateful_logical_ids(workspace, "data")
    workspace.edit(lambda doc: doc["data"]["buckets"].pop("backups"))
    policies = count_calls(workspace.aws, "SetStackPolicy")

    workspace.deploy("data", options=Options(allow_replace=frozenset({"BucketBackups"})))

    stack = workspace.stack("data")
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    during, final = (denied_ids(call["StackPolicyBody"]) for call in policies)
    assert during == protected_before - {"BucketBackups"}
    assert final == stateful_logical_ids(workspace, "data")
    stored = workspace.aws.cloudformation.get_stack_policy(StackName=stack["StackId"])["StackPolicyBody"]
    assert denied_ids(stored) == final and "BucketBackups" not in final


def test_an_allow_replace_that_matches_nothing_is_reported(deployed: Workspace) -> None:
    recorder = Recorder()
    deployed.deployer(recorder).deploy((), Options(allow_replace=frozenset({"Databse"})))
    assert ("-", "--allow-replace Databse: no change set removes or replaces it; ignored") in recorder.notes


def test_status_tells_stale_from_up_to_date_and_not_deployed(workspace: Workspace) -> None:
    workspace.deploy("network")
    assert [r.state for r in workspace.deployer().status()] == [UP_TO_DATE_STATE] + [NOT_DEPLOYED_STATE] * (
        len(ORDER) - 1
    )

    workspace.edit(lambda doc: doc["network"]["flow_logs"].update(traffic="reject"))

    network, *rest = workspace.deployer().status()
    assert network.state == STALE_STATE
    assert any("template differs" in reason for reason in network.reasons)
    assert all(r.state == NOT_DEPLOYED_STATE for r in rest)


def test_status_names_upstream_outputs_that_changed_since_a_layer_was_deployed(workspace: Workspace) -> None:
    workspace.deploy("network", "data")
    # A new security-group description replaces the group: a new id in the network's Outputs.
    workspace.edit(lambda doc: doc["network"]["security_groups"]["rds"].update(description="PostgreSQL server"))
    workspace.deploy("network")

    rows = {r.layer: r for r in workspace.deployer().status()}

    assert rows["network"].state == UP_TO_DATE_STATE
    assert rows["data"].state == STALE_STATE
    assert rows["data"].upstream_changed == ["RdsSecurityGroupId"]


# --------------------------------------------------------------------------- refusals


def test_a_layer_is_not_deployed_before_the_layers_above_it(workspace: Workspace) -> None:
    with pytest.raises(Refused, match=r"whose stack t\d+-sandbox-network does not exist"):
        workspace.deploy("data")
    assert workspace.deployer().describe("data") is None


def test_declining_the_confirmation_leaves_no_stack_and_no_change_set(workspace: Workspace) -> None:
    recorder = Recorder(answer=False)
    with pytest.raises(Refused, match="Not confirmed"):
        workspace.deployer(recorder).deploy(["network"])
    assert recorder.diffs[0].state == NEW
    assert workspace.deployer().describe("network") is None


def test_destroy_refuses_while_a_lower_layer_exists_then_deletes_the_lowest(workspace: Workspace) -> None:
    workspace.deploy()
    with pytest.raises(Refused, match=r"the observability layer \(t\d+-sandbox-observability\) still exists"):
        workspace.deployer().destroy(["platform"])
    assert workspace.deployer().describe("platform") is not None

    recorder = Recorder()
    workspace.deployer(recorder).destroy(["observability"])

    assert workspace.deployer().describe("observability") is None
    assert workspace.deployer().describe("platform") is not None
    [preview] = recorder.diffs
    assert preview.rows and all(r.action == "Remove" for r in preview.rows)
    assert recorder.questions == [f"Delete stack {workspace.project.stack_name('observability')}?"]
