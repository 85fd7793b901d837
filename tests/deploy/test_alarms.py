"""The alarms reach the sandbox: a deploy creates the topic (encrypted, subscribed), every alarm of every
layer and the dashboard, and `status` reads the alarm states back, per layer."""

from __future__ import annotations

import json
import re
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from click.testing import CliRunner

from cfncompiler.cli import main
from cfncompiler.deploy.alarms import count_alarms
from cfncompiler.layers import ORDER
from tests.deploy.conftest import Workspace
from tests.deploy.stubs import ACCOUNT, PROJECT, REGION, STACK_ID, at


def template_alarms(ws: Workspace, layer: str) -> list[str]:
    text = (ws.out_dir / f"{layer}.yaml").read_text(encoding="utf-8")
    return re.findall(r"^      AlarmName: (\S+)$", text, flags=re.MULTILINE)


def test_a_deploy_creates_the_topic_its_subscribers_every_alarm_and_the_dashboard(deployed: Workspace) -> None:
    region = deployed.project.region
    sns = boto3.client("sns", region_name=region)
    cloudwatch = boto3.client("cloudwatch", region_name=region)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in deployed.stack("network")["Outputs"]}
    topic = outputs["AlarmTopicArn"]
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["KmsMasterKeyId"]
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert sorted((s["Protocol"], s["Endpoint"].split(":")[0]) for s in subscriptions) == [
        ("email", "platform-oncall@company.com"),
        ("https", "{{resolve"),  # the sandbox does not resolve dynamic references; AWS reads the secret
    ]

    expected = {name for layer in ORDER for name in template_alarms(deployed, layer)}
    pages = cloudwatch.get_paginator("describe_alarms").paginate(AlarmNamePrefix=deployed.project.name)
    created = {a["AlarmName"]: a for page in pages for a in page["MetricAlarms"]}
    assert set(created) == expected and len(expected) > 40
    assert all(a["AlarmActions"] == [topic] and a["OKActions"] == [topic] for a in created.values())

    dashboard = cloudwatch.get_dashboard(DashboardName=deployed.project.name)
    body = json.loads(dashboard["DashboardBody"])
    titles = " ".join(w["properties"].get("title", "") for w in body["widgets"])
    for name in ("coder", "litellm", "key-provisioner", "clickhouse", "langfuse-web", "langfuse-worker"):
        assert f"{name}: tasks, CPU %, memory %" in titles
    # Every ${...} was filled: the service names the platform published, the observability layer's own.
    assert "${" not in dashboard["DashboardBody"]


def test_status_counts_each_layers_alarms_in_alarm(deployed: Workspace) -> None:
    cloudwatch = boto3.client("cloudwatch", region_name=deployed.project.region)
    rows = {row.layer: row for row in deployed.deployer().status()}
    assert {layer: rows[layer].alarms.total for layer in ORDER} == {  # type: ignore[union-attr]
        layer: len(template_alarms(deployed, layer)) for layer in ORDER
    }
    assert all(not row.alarms.firing for row in rows.values())  # type: ignore[union-attr]

    firing = f"{deployed.project.name}-litellm-cpu"
    cloudwatch.set_alarm_state(AlarmName=firing, StateValue="ALARM", StateReason="test: CPU above 80% for 5 minutes")
    try:
        rows = {row.layer: row for row in deployed.deployer().status()}
        assert rows["platform"].alarms.firing == [firing]  # type: ignore[union-attr]
        assert [layer for layer in ORDER if rows[layer].alarms.firing] == ["platform"]  # type: ignore[union-attr]
        result = CliRunner().invoke(main, ["status", "--spec", str(deployed.spec_path), "--out", str(deployed.out_dir)])
        assert result.exit_code == 0, result.output
        platform_line = next(line for line in result.output.splitlines() if line.lstrip().startswith("platform"))
        assert f"1 of {len(template_alarms(deployed, 'platform'))}: {firing}" in platform_line
        assert "In ALARM" in result.output
    finally:
        cloudwatch.set_alarm_state(AlarmName=firing, StateValue="OK", StateReason="test over")


# --------------------------------------------------------------------------- what the sandbox cannot answer


def _stubbed(alarms: int) -> tuple[Any, Any, Stubber, Stubber]:
    """A CloudFormation client listing a stack of ``alarms`` alarms beside a log group, and a CloudWatch client."""
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    cf_stub, cw_stub = Stubber(cloudformation), Stubber(cloudwatch)
    summaries = [
        {
            "LogicalResourceId": f"Alarm{i:03d}",
            "PhysicalResourceId": f"{PROJECT}-alarm-{i:03d}",
            "ResourceType": "AWS::CloudWatch::Alarm",
            "LastUpdatedTimestamp": at(0),
            "ResourceStatus": "CREATE_COMPLETE",
        }
        for i in range(alarms)
    ]
    summaries.append(
        {
            "LogicalResourceId": "Logs",
            "PhysicalResourceId": f"/ecs/{PROJECT}",
            "ResourceType": "AWS::Logs::LogGroup",
            "LastUpdatedTimestamp": at(0),
            "ResourceStatus": "CREATE_COMPLETE",
        }
    )
    cf_stub.add_response("list_stack_resources", {"StackResourceSummaries": summaries}, {"StackName": STACK_ID})
    return cloudformation, cloudwatch, cf_stub, cw_stub


def _alarm(name: str, state: str) -> dict[str, Any]:
    return {"AlarmName": name, "StateValue": state, "AlarmArn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}"}


def test_more_alarms_than_one_call_names_are_read_in_batches_and_the_firing_ones_named() -> None:
    cloudformation, cloudwatch, cf_stub, cw_stub = _stubbed(130)
    names = [f"{PROJECT}-alarm-{i:03d}" for i in range(130)]
    firing = {names[7], names[120]}
    for batch in (names[:100], names[100:]):
        cw_stub.add_response(
            "describe_alarms",
            {"MetricAlarms": [_alarm(n, "ALARM" if n in firing else "OK") for n in batch]},
            {"AlarmNames": batch, "AlarmTypes": ["MetricAlarm"]},
        )
    with cf_stub, cw_stub:
        count = count_alarms(cloudformation, cloudwatch, STACK_ID)
        cw_stub.assert_no_pending_responses()
    assert (count.total, count.firing) == (130, [names[7], names[120]])
    assert count.render() == f"2 of 130: {names[7]}, {names[120]}"


def test_a_denied_alarm_read_is_a_question_mark_that_names_the_permission_not_a_failed_status() -> None:
    cloudformation, cloudwatch, cf_stub, cw_stub = _stubbed(3)
    cw_stub.add_client_error(
        "describe_alarms",
        service_error_code="AccessDenied",
        service_message=f"User: arn:aws:iam::{ACCOUNT}:user/ci is not authorized to perform: cloudwatch:DescribeAlarms",
        http_status_code=403,
    )
    with cf_stub, cw_stub:
        count = count_alarms(cloudformation, cloudwatch, STACK_ID)
    assert count.render() == "? (not allowed: cloudwatch:DescribeAlarms)"


def test_any_other_failure_of_the_read_is_raised_for_the_error_handler() -> None:
    cloudformation, cloudwatch, cf_stub, cw_stub = _stubbed(3)
    cw_stub.add_client_error("describe_alarms", service_error_code="Throttling", http_status_code=400)
    with cf_stub, cw_stub, pytest.raises(ClientError, match="Throttling"):
        count_alarms(cloudformation, cloudwatch, STACK_ID)
