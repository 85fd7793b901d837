"""Fixtures for the deploy engine: one local CloudFormation endpoint per session, and projects to deploy to it.

The endpoint is ``python -m cfncompiler.sandbox`` started as a subprocess on a
free loopback port; tests reach it over real HTTP with real boto3 clients,
through ``AWS_ENDPOINT_URL`` and dummy credentials, exactly as a person does
after ``make sandbox``. Every test in this directory runs with that
environment, so nothing a test forgets to stub can reach beyond 127.0.0.1.

Tests that deploy the real spec each get their own project name and region:
moto keeps resources per region (and S3 buckets per name), so they never
collide on one server.
"""

from __future__ import annotations

import itertools
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from ruamel.yaml import YAML

from cfncompiler.deploy.deployer import Deployer, Options
from cfncompiler.deploy.diff import LayerDiff
from cfncompiler.deploy.events import Event
from cfncompiler.deploy.project import Project, open_project
from cfncompiler.deploy.session import Aws, connect
from cfncompiler.deploy.staging import bucket_name
from cfncompiler.synth import synth

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_SPEC = ROOT / "spec" / "production.yaml"
ASSET_DIRS = ("litellm",)
# Regions moto serves, one per deploying test (the production spec's us-west-2 among them); a test
# process that deploys more workspaces than there are regions reuses one after clearing the names
# every copy of the production spec shares (the lock table, the prod/... secrets).
SERVICES = ("cloudformation", "ec2", "rds", "elasticache", "efs", "dynamodb", "secretsmanager", "kms", "ecs")
FIRST_REGIONS = ("us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1", "eu-central-1")
_session = boto3.session.Session()  # one: each new session reads botocore's 1 MB endpoints file again
REGIONS = (
    *FIRST_REGIONS,
    *sorted(set.intersection(*(set(_session.get_available_regions(s)) for s in SERVICES)) - set(FIRST_REGIONS)),
)
_slots = itertools.count()

SpecEdit = Callable[[Any], None]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the sandbox exited with {process.returncode} before listening")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the sandbox did not listen on 127.0.0.1:{port} within {timeout} s")


@pytest.fixture(scope="session")
def sandbox_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = (tmp_path_factory.mktemp("sandbox") / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "cfncompiler.sandbox", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="session", autouse=True)
def aws_environment(sandbox_url: str) -> Iterator[None]:
    """Dummy credentials and the sandbox endpoint for every test here; nothing else of the host's AWS setup."""
    with pytest.MonkeyPatch.context() as mp:
        for name in (
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
            "AWS_SESSION_TOKEN",
            "AWS_SECURITY_TOKEN",
            "AWS_ROLE_ARN",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "AWS_MAX_ATTEMPTS",
            "AWS_RETRY_MODE",
        ):
            mp.delenv(name, raising=False)
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_CONFIG_FILE", str(ROOT / "nonexistent-aws-config"))
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", str(ROOT / "nonexistent-aws-credentials"))
        # Never let botocore ask the instance metadata service (a link-local address) for credentials.
        mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
        mp.setenv("AWS_ENDPOINT_URL", sandbox_url)
        yield


@dataclass
class Recorder:
    """A Reporter that remembers what it was told and answers the confirmation as set."""

    answer: bool = True
    notes: list[tuple[str, str]] = field(default_factory=list)
    events: list[tuple[str, Event]] = field(default_factory=list)
    diffs: list[LayerDiff] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    waits: list[tuple[str, str]] = field(default_factory=list)

    def note(self, layer: str, message: str) -> None:
        self.notes.append((layer, message))

    def event(self, layer: str, event: Event) -> None:
        self.events.append((layer, event))

    def diff(self, diff: LayerDiff) -> None:
        self.diffs.append(diff)

    def confirm(self, diff: LayerDiff, question: str) -> bool:
        self.questions.append(question)
        return self.answer

    @contextmanager
    def waiting(self, layer: str, doing: str) -> Iterator[None]:
        self.waits.append((layer, doing))
        yield


@dataclass
class Workspace:
    """A copy of the production spec (own project name and region), compiled into its own templates_out."""

    root: Path
    project: Project
    aws: Aws

    @property
    def spec_path(self) -> Path:
        return self.project.spec_path

    @property
    def out_dir(self) -> Path:
        return self.project.out_dir

    def edit(self, change: SpecEdit) -> None:
        """Change the spec as a person would, then `make synth`."""
        edit_spec(self.spec_path, change)
        synth(self.spec_path, self.out_dir, lint=False)
        self.project = open_project(self.spec_path, self.out_dir)

    def deployer(self, reporter: Recorder | None = None) -> Deployer:
        return Deployer(self.aws, self.project, reporter or Recorder(), poll_seconds=0)

    def deploy(self, *layers: str, options: Options | None = None) -> dict[str, str]:
        """Deploy as ``deploy --skip-preflight``: the production spec's provided secrets are empty and its
        Key Provisioner image is in no registry here, which preflight refuses (tests/deploy/test_preflight.py);
        the other tests are about change sets, and the sandbox starts no task that could crash-loop."""
        return self.deployer().deploy(layers, options or Options(skip_preflight=True))

    def stack(self, layer: str) -> dict[str, Any]:
        found: dict[str, Any] = self.aws.cloudformation.describe_stacks(StackName=self.project.stack_name(layer))[
            "Stacks"
        ][0]
        return found


def edit_spec(path: Path, change: SpecEdit) -> None:
    yaml = YAML(typ="rt")
    document = yaml.load(path.read_text(encoding="utf-8"))
    change(document)
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(document, handle)


def next_slot() -> tuple[int, str]:
    """A number and a region no other test of this session deploys to (numbers name projects)."""
    slot = next(_slots)
    region = REGIONS[slot % len(REGIONS)]
    if slot >= len(REGIONS):
        clear_shared_names(region)
    return slot, region


def clear_shared_names(region: str) -> None:
    """Delete, in a region used before, what every copy of the production spec names alike."""
    dynamodb = boto3.client("dynamodb", region_name=region)
    for table in dynamodb.list_tables()["TableNames"]:
        dynamodb.update_table(TableName=table, DeletionProtectionEnabled=False)
        dynamodb.delete_table(TableName=table)
    secrets = boto3.client("secretsmanager", region_name=region)
    for secret in secrets.list_secrets()["SecretList"]:
        secrets.delete_secret(SecretId=secret["ARN"], ForceDeleteWithoutRecovery=True)
    # The region's template staging bucket: every deploy there shares it, and a test may count its creation.
    account = boto3.client("sts", region_name=region).get_caller_identity()["Account"]
    bucket = boto3.resource("s3", region_name=region).Bucket(bucket_name(account, region))
    if bucket.name in {b["Name"] for b in bucket.meta.client.list_buckets()["Buckets"]}:
        bucket.objects.all().delete()
        bucket.delete()


def new_workspace(root: Path) -> Workspace:
    slot, region = next_slot()
    spec_dir = root / "spec"
    spec_dir.mkdir(parents=True)
    shutil.copy(PRODUCTION_SPEC, spec_dir / "production.yaml")
    for name in ASSET_DIRS:
        shutil.copytree(ROOT / name, root / name)

    def rename(document: Any) -> None:
        project = f"t{slot:02d}-sandbox"
        document["project"] = project
        document["region"] = region
        document["platform"]["terraform_bridge"]["parameter_prefix"] = f"/{project}"

    edit_spec(spec_dir / "production.yaml", rename)
    out_dir = root / "templates_out"
    synth(spec_dir / "production.yaml", out_dir, lint=False)
    project = open_project(spec_dir / "production.yaml", out_dir)
    return Workspace(root, project, connect(project.region))


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A fresh, undeployed copy of the production spec."""
    return new_workspace(tmp_path)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Every layer deployed once, for tests that only read (a module's tests share it)."""
    ws = new_workspace(tmp_path_factory.mktemp("deployed"))
    ws.deploy()
    return ws


def make_bucket(name: str, region: str) -> None:
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    boto3.client("s3", region_name=region).create_bucket(Bucket=name, **location)


def count_calls(aws: Aws, operation: str) -> list[dict[str, Any]]:
    """Record every ``operation`` call the CloudFormation client makes from now on (its parameters)."""
    calls: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        calls.append(params)

    aws.cloudformation.meta.events.register(f"provide-client-params.cloudformation.{operation}", record)
    return calls
