"""The diff: rows from CloudFormation's change records, a table for people, JSON for CI."""

from __future__ import annotations

import io
import json
from typing import Any

from rich.console import Console

from cfncompiler.deploy.diff import CHANGES, LayerDiff, Row, render, rows, to_json
from cfncompiler.deploy.parameters import ParameterChange

# As DescribeChangeSet returns them (trimmed to the fields the diff reads).
CHANGES_FROM_AWS: list[dict[str, Any]] = [
    {
        "Type": "Resource",
        "ResourceChange": {
            "Action": "Modify",
            "LogicalResourceId": "LitellmService",
            "PhysicalResourceId": "arn:aws:ecs:us-west-2:123456789012:service/coder-production/litellm",
            "ResourceType": "AWS::ECS::Service",
            "Replacement": "False",
            "Scope": ["Properties"],
            "Details": [
                {
                    "Target": {"Attribute": "Properties", "Name": "DesiredCount", "RequiresRecreation": "Never"},
                    "Evaluation": "Static",
                    "ChangeSource": "DirectModification",
                },
                {
                    "Target": {"Attribute": "Properties", "Name": "TaskDefinition", "RequiresRecreation": "Never"},
                    "Evaluation": "Dynamic",
                    "ChangeSource": "ResourceReference",
                    "CausingEntity": "LitellmTask",
                },
            ],
        },
    },
    {
        "Type": "Resource",
        "ResourceChange": {
            "Action": "Remove",
            "LogicalResourceId": "BucketBackups",
            "ResourceType": "AWS::S3::Bucket",
            "PolicyAction": "Retain",
            "Scope": [],
            "Details": [],
        },
    },
    {
        "Type": "Resource",
        "ResourceChange": {"Action": "Add", "LogicalResourceId": "Alarm", "ResourceType": "AWS::CloudWatch::Alarm"},
    },
]


def test_one_row_per_change_with_replacement_and_changed_properties() -> None:
    assert rows(CHANGES_FROM_AWS) == [
        Row("Modify", "LitellmService", "AWS::ECS::Service", "False", ("DesiredCount", "TaskDefinition")),
        Row("Remove", "BucketBackups", "AWS::S3::Bucket", "", ()),
        Row("Add", "Alarm", "AWS::CloudWatch::Alarm", "", ()),
    ]


def layer_diff() -> LayerDiff:
    return LayerDiff(
        "platform",
        "coder-production-platform",
        CHANGES,
        rows=rows(CHANGES_FROM_AWS),
        parameters=[ParameterChange("ArtifactsBucketName", "old", "new")],
    )


def test_json_carries_every_row_and_parameter_change() -> None:
    [layer] = json.loads(to_json([layer_diff()]))["layers"]
    assert layer["state"] == CHANGES
    assert [c["logical_id"] for c in layer["changes"]] == ["LitellmService", "BucketBackups", "Alarm"]
    assert layer["changes"][1]["loses_data"] is True
    assert layer["changes"][0]["properties"] == ["DesiredCount", "TaskDefinition"]
    assert layer["parameters"] == [{"name": "ArtifactsBucketName", "old": "old", "new": "new"}]


def rendered(*, terminal: bool) -> str:
    buffer = io.StringIO()
    # Piped: rich decides from the stream itself, as for the commands' consoles.
    console = Console(file=buffer, force_terminal=True, color_system="standard") if terminal else Console(file=buffer)
    console.width = 160
    render(console, layer_diff())
    return buffer.getvalue()


def test_piped_output_is_plain_text() -> None:
    text = rendered(terminal=False)
    assert "\x1b[" not in text
    assert "LitellmService" in text and "DesiredCount, TaskDefinition" in text
    assert "BucketBackups (data loss)" in text
    assert "parameter ArtifactsBucketName: old -> new" in text


def test_terminal_output_is_coloured() -> None:
    text = rendered(terminal=True)
    assert "\x1b[31m" in text or "\x1b[1;31m" in text  # the data loss in red
    assert "\x1b[" in text
