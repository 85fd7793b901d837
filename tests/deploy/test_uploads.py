"""Assets a template declares in Metadata: checked against the files on disk, uploaded before the layer deploys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cfncompiler.deploy.deployer import Deployer, Options
from cfncompiler.deploy.project import Project
from cfncompiler.deploy.session import connect
from cfncompiler.deploy.uploads import declared
from cfncompiler.errors import BadInput
from cfncompiler.templates.assets import asset_files, asset_prefix

from .conftest import Recorder, count_calls, make_bucket, next_slot

# A hand-made template with no spec beside it: the preflight reads the spec, and is not what this tests.
NO_SPEC = Options(skip_preflight=True)

TEMPLATE = """\
Description: asset test
Metadata:
  cfncompiler:
    assets:
      - name: hooks
        source: ../hooks
        prefix: {prefix}
        bucket_parameter: ArtifactsBucketName
Parameters:
  ArtifactsBucketName:
    Type: String
    Default: {bucket}
Resources:
  ConfigLocation:
    Type: AWS::SSM::Parameter
    Properties:
      Name: /{bucket}/config-location
      Type: String
      Value: !Sub "s3://${{ArtifactsBucketName}}/{prefix}"
"""


def asset_project(tmp_path: Path) -> tuple[Project, Path, str]:
    """A layer whose template declares ``hooks/`` (beside the spec's directory) as an asset."""
    slot, region = next_slot()
    (tmp_path / "spec").mkdir()
    hooks = tmp_path / "hooks"
    (hooks / "lib").mkdir(parents=True)
    (hooks / "config.yaml").write_text("model_list: []\n")
    (hooks / "lib" / "guard.py").write_text("def check():\n    return True\n")
    (hooks / "__pycache__").mkdir()
    (hooks / "__pycache__" / "guard.cpython-311.pyc").write_bytes(b"\0")
    prefix = asset_prefix("hooks", asset_files(hooks))
    bucket = f"t{slot:02d}-artifacts"
    make_bucket(bucket, region)
    out_dir = tmp_path / "templates_out"
    out_dir.mkdir()
    (out_dir / "network.yaml").write_text(TEMPLATE.format(prefix=prefix, bucket=bucket), encoding="utf-8")
    project = Project(f"t{slot:02d}-assets", region, tmp_path / "spec" / "production.yaml", "0" * 64, out_dir)
    return project, hooks, bucket


def test_assets_are_uploaded_under_their_prefix_before_the_change_set_runs(tmp_path: Path) -> None:
    project, _, bucket = asset_project(tmp_path)
    aws = connect(project.region)
    order: list[str] = []
    aws.s3.meta.events.register("provide-client-params.s3.PutObject", lambda params, **_: order.append(params["Key"]))
    aws.cloudformation.meta.events.register(
        "before-call.cloudformation.ExecuteChangeSet", lambda **_: order.append("execute")
    )

    Deployer(aws, project, Recorder(), poll_seconds=0).deploy(["network"], NO_SPEC)

    [asset] = declared(project.target("network").document, project.spec_path.parent)
    assert order == [asset.prefix + "config.yaml", asset.prefix + "lib/guard.py", "execute"]
    assert aws.s3.get_object(Bucket=bucket, Key=asset.prefix + "lib/guard.py")["Body"].read() == (
        b"def check():\n    return True\n"
    )


def test_a_template_compiled_from_other_files_is_refused_as_stale(tmp_path: Path) -> None:
    project, hooks, _ = asset_project(tmp_path)
    (hooks / "config.yaml").write_text("model_list: [changed]\n")
    aws = connect(project.region)
    created = count_calls(aws, "CreateChangeSet")

    with pytest.raises(BadInput, match="templates_out is stale, run make synth"):
        Deployer(aws, project, Recorder(), poll_seconds=0).deploy(["network"], NO_SPEC)

    assert created == []


@pytest.mark.parametrize(
    "metadata",
    [
        {"cfncompiler": {"assets": [{"name": "x", "source": "../x"}]}},
        {"cfncompiler": {"assets": ["x"]}},
    ],
)
def test_malformed_asset_metadata_asks_for_a_synth(metadata: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="make synth"):
        declared({"Metadata": metadata}, tmp_path)


def test_a_template_without_assets_declares_none(tmp_path: Path) -> None:
    assert declared({"Resources": {}}, tmp_path) == []
