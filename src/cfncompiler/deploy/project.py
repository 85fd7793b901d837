"""What a layer is to the deployer: its stack name, its compiled template, its tags and capabilities.

Everything here is read from the spec file and templates_out/, never from AWS.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from cfncompiler.errors import BadInput
from cfncompiler.naming import PRIMARY_SPEC_PATH, stack_name, template_file
from cfncompiler.spec.load import load_spec
from cfncompiler.spec.model import Spec, Usage
from cfncompiler.templates.parse import parse_template

TAG_PROJECT = "cfncompiler:project"
TAG_LAYER = "cfncompiler:layer"
TAG_SPEC = "cfncompiler:spec-sha256"
TAG_ACCOUNT = "cfncompiler:account"

# IAM resource types CloudFormation asks a capability for, and the property that names each one.
IAM_TYPES: Mapping[str, str | None] = {
    "AWS::IAM::AccessKey": None,
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::GroupPolicy": None,
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::Policy": None,
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::RolePolicy": None,
    "AWS::IAM::User": "UserName",
    "AWS::IAM::UserPolicy": None,
    "AWS::IAM::UserToGroupAddition": None,
}


def capabilities(document: Mapping[str, Any]) -> tuple[str, ...]:
    """Only what the template needs: CAPABILITY_NAMED_IAM when an IAM resource is named, else CAPABILITY_IAM."""
    resources = (document.get("Resources") or {}).values()
    iam = [r for r in resources if r.get("Type") in IAM_TYPES]
    needed: list[str] = []
    if any(IAM_TYPES[r["Type"]] in (r.get("Properties") or {}) for r in iam):
        needed.append("CAPABILITY_NAMED_IAM")
    elif iam:
        needed.append("CAPABILITY_IAM")
    if document.get("Transform"):
        needed.append("CAPABILITY_AUTO_EXPAND")
    return tuple(needed)


@dataclass(frozen=True)
class Target:
    """One layer as it would be deployed: the template in templates_out and the stack it goes to."""

    layer: str
    stack_name: str
    path: Path
    body: str
    tags: Mapping[str, str]

    @cached_property
    def document(self) -> dict[str, Any]:
        return parse_template(self.body)

    @property
    def size(self) -> int:
        return len(self.body.encode("utf-8"))

    @property
    def declared_parameters(self) -> Mapping[str, Mapping[str, Any]]:
        declared: Mapping[str, Mapping[str, Any]] = self.document.get("Parameters") or {}
        return declared

    @property
    def capabilities(self) -> tuple[str, ...]:
        return capabilities(self.document)


@dataclass(frozen=True)
class Project:
    """The spec's identity (project, region, file and its hash) and where its templates are."""

    name: str
    region: str
    spec_path: Path
    spec_digest: str
    out_dir: Path
    account: str | None = None
    # The spec's usage assumptions: the diff prices the deployed and the new template with them.
    usage: Usage = field(default_factory=Usage)
    # The spec as read when its hash was taken (deploy's preflight and DNS records read it); a Project
    # made by hand, without one, has it read from spec_path when asked.
    spec: Spec | None = field(default=None, compare=False, repr=False)

    def stack_name(self, layer: str) -> str:
        return stack_name(self.name, layer)

    def command(self, words: str) -> str:
        """``cfncompiler WORDS``, with ``--spec`` when this is not the default spec (so a hint given
        while working on staging names a staging command)."""
        spec = "" if self.spec_path == PRIMARY_SPEC_PATH else f" --spec {self.spec_path}"
        return f"cfncompiler {words}{spec}"

    def tags(self, layer: str) -> dict[str, str]:
        tags = {TAG_PROJECT: self.name, TAG_LAYER: layer, TAG_SPEC: self.spec_digest}
        return tags | ({TAG_ACCOUNT: self.account} if self.account else {})

    def template_path(self, layer: str) -> Path:
        return self.out_dir / template_file(layer)

    def target(self, layer: str) -> Target:
        path = self.template_path(layer)
        try:
            body = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise BadInput(f"{path} does not exist; run `make synth` first.") from None
        return Target(layer, self.stack_name(layer), path, body, self.tags(layer))


def open_project(spec_path: Path, out_dir: Path) -> Project:
    """Validate the spec (a :class:`~cfncompiler.spec.load.SpecError` if it is not usable) and pin its hash."""
    spec = load_spec(spec_path)
    digest = hashlib.sha256(spec_path.read_bytes()).hexdigest()
    return Project(spec.project, spec.region, spec_path, digest, out_dir, spec.account, spec.usage, spec)
