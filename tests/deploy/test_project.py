"""What a layer is to the deployer: template as data, capabilities it needs, tags and names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cfncompiler.deploy.project import TAG_LAYER, TAG_PROJECT, TAG_SPEC, Project, capabilities
from cfncompiler.errors import BadInput


def resources(**types: dict[str, Any]) -> dict[str, Any]:
    return {"Resources": types}


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (resources(Vpc={"Type": "AWS::EC2::VPC"}), ()),
        (resources(Role={"Type": "AWS::IAM::Role", "Properties": {}}), ("CAPABILITY_IAM",)),
        (
            resources(Role={"Type": "AWS::IAM::Role", "Properties": {"RoleName": "fixed"}}),
            ("CAPABILITY_NAMED_IAM",),
        ),
        (resources(Policy={"Type": "AWS::IAM::ManagedPolicy"}), ("CAPABILITY_IAM",)),
        (
            {**resources(Vpc={"Type": "AWS::EC2::VPC"}), "Transform": "AWS::Serverless-2016-10-31"},
            ("CAPABILITY_AUTO_EXPAND",),
        ),
    ],
)
def test_only_the_capabilities_a_template_needs(document: dict[str, Any], expected: tuple[str, ...]) -> None:
    assert capabilities(document) == expected


def test_stack_names_and_tags_come_from_the_spec(tmp_path: Path) -> None:
    project = Project("coder-production", "us-west-2", tmp_path / "spec.yaml", "ab" * 32, tmp_path)
    assert project.stack_name("platform") == "coder-production-platform"
    assert project.tags("platform") == {TAG_PROJECT: "coder-production", TAG_LAYER: "platform", TAG_SPEC: "ab" * 32}


def test_a_missing_template_asks_for_a_synth(tmp_path: Path) -> None:
    project = Project("coder-production", "us-west-2", tmp_path / "spec.yaml", "0" * 64, tmp_path)
    with pytest.raises(BadInput, match=r"network\.yaml does not exist; run `make synth` first"):
        project.target("network")
