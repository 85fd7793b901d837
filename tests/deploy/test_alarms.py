"""The alarms reach the sandbox: a deploy creates the topic (encrypted, subscribed), every alarm of every
layer and the dashboard, and `status` reads the alarm states back, per layer."""

from __future__ import annotations

import json
import re

import boto3
from click.testing import CliRunner

from cfncompiler.cli import main
from cfncompiler.layers import ORDER
from tests.deploy.conftest import Workspace


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
