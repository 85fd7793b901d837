"""S3 staging: templates over the inline limit go by URL through a bucket that is safe from its first object."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

from cfncompiler.deploy.deployer import Deployer, Options
from cfncompiler.deploy.project import Project
from cfncompiler.deploy.session import connect
from cfncompiler.deploy.staging import TEMPLATE_BODY_LIMIT, Staging, bucket_name, template_key, upload_files
from cfncompiler.templates.assets import AssetFile

from .conftest import Recorder, count_calls, make_bucket, next_slot

# A hand-made template with no spec beside it: the preflight reads the spec, and is not what this tests.
NO_SPEC = Options(skip_preflight=True)

ACCOUNT = "123456789012"  # the account moto answers for


def big_template(size: int, name: str) -> str:
    """A valid template larger than ``size`` bytes: one resource, the rest a Metadata note."""
    head = (
        "Description: staging test\n"
        "Resources:\n  Note:\n    Type: AWS::SSM::Parameter\n    Properties:\n"
        f"      Name: /{name}/note\n      Type: String\n      Value: staged\n"
        "Metadata:\n  Padding: "
    )
    return head + "x" * (size - len(head) + 100) + "\n"


def project_with(tmp_path: Path, network_template: str, slot: int, region: str) -> Project:
    out_dir = tmp_path / "templates_out"
    out_dir.mkdir()
    (out_dir / "network.yaml").write_text(network_template, encoding="utf-8")
    return Project(f"t{slot:02d}-staging", region, tmp_path / "spec" / "production.yaml", "0" * 64, out_dir)


def test_a_template_over_the_inline_limit_is_passed_by_url_from_the_staging_bucket(tmp_path: Path) -> None:
    slot, region = next_slot()
    template = big_template(TEMPLATE_BODY_LIMIT, f"t{slot:02d}")
    assert len(template.encode()) > TEMPLATE_BODY_LIMIT
    project = project_with(tmp_path, template, slot, region)
    aws = connect(project.region)
    requests = count_calls(aws, "CreateChangeSet")

    Deployer(aws, project, Recorder(), poll_seconds=0).deploy(["network"], NO_SPEC)

    bucket = bucket_name(ACCOUNT, project.region)
    [request] = requests
    assert "TemplateBody" not in request
    assert request["TemplateURL"] == (
        f"https://{bucket}.s3.{project.region}.amazonaws.com/{template_key(project.stack_name('network'), template)}"
    )
    stack = aws.cloudformation.describe_stacks(StackName=project.stack_name("network"))["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    staged = aws.s3.get_object(Bucket=bucket, Key=template_key(project.stack_name("network"), template))
    assert staged["Body"].read().decode() == template


def test_the_staging_bucket_is_encrypted_private_tls_only_and_expires_templates(tmp_path: Path) -> None:
    _, region = next_slot()
    aws = connect(region)
    creates = record_s3(aws.s3, "CreateBucket")
    staging = Staging(aws.s3, aws.sts, region)

    bucket = staging.bucket()
    Staging(aws.s3, aws.sts, region).bucket()  # a second run finds it

    assert bucket == bucket_name(ACCOUNT, region) and len(creates) == 1
    s3 = aws.s3
    assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] in (region, None)
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    [lifecycle] = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert lifecycle["Status"] == "Enabled" and lifecycle["Expiration"]["Days"] > 0
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    [deny] = policy["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def record_s3(s3: Any, operation: str) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    s3.meta.events.register(f"provide-client-params.s3.{operation}", lambda params, **_: calls.append(params))
    return calls


def test_upload_files_puts_only_what_is_missing_under_the_prefix() -> None:
    _, region = next_slot()
    s3 = boto3.client("s3", region_name=region)
    bucket = f"upload-test-{region}"
    make_bucket(bucket, region)
    prefix = "assets/hooks/0123456789abcdef/"
    s3.put_object(Bucket=bucket, Key=prefix + "a.py", Body=b"already there")

    uploaded = upload_files(s3, bucket, prefix, [AssetFile("a.py", b"new a"), AssetFile("sub/b.py", b"b")])

    assert uploaded == [prefix + "sub/b.py"]
    assert s3.get_object(Bucket=bucket, Key=prefix + "a.py")["Body"].read() == b"already there"
    assert s3.get_object(Bucket=bucket, Key=prefix + "sub/b.py")["Body"].read() == b"b"
