"""Helpers shared by the limits, reach, incremental and environment tests.

Projects are copied under ``tmp_path`` (the specs, and ``litellm/`` that the production spec
names as ``../litellm``), so a test can edit, compile and write without touching the repository.
Large specs are generated from ``tests/fixtures/minimal.yaml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from cfncompiler.cli import main
from cfncompiler.spec.model import Spec
from tests.conftest import edit, minimal_text

ROOT = Path(__file__).resolve().parents[1]
SPEC_DIR = ROOT / "spec"
LITELLM_DIR = ROOT / "litellm"
STAGING_SPEC = SPEC_DIR / "staging.yaml"
LAYER_FILES = ("network.yaml", "data.yaml", "platform.yaml", "observability.yaml")


def run(*args: str | Path) -> Result:
    """``cfncompiler ARGS`` in this process; stdout and stderr are kept apart."""
    return CliRunner().invoke(main, [str(a) for a in args])


def copy_project(root: Path) -> Path:
    """root/spec/ (every committed spec and the schema) and root/litellm/, as in the repository."""
    shutil.copytree(SPEC_DIR, root / "spec")
    shutil.copytree(LITELLM_DIR, root / "litellm", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def templates_in(directory: Path) -> dict[str, bytes]:
    """The templates directly in ``directory`` (not those of an environment below it)."""
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*.yaml")) if p.is_file()}


def with_group(base: Spec, name: str, **changes: Any) -> Spec:
    """``base`` with one security group changed, bypassing validation (an invalid spec would not load)."""
    groups = dict(base.network.security_groups)
    groups[name] = groups[name].model_copy(update=changes)
    network = base.network.model_copy(update={"security_groups": groups})
    return base.model_copy(update={"network": network})


# --------------------------------------------------------------------------- generated specs

SERVICE = """\
    {name}:
      image: example/{name}:1.0
      cpu: 256
      memory: 512
      ports: [8080]
      replicas: 1
      security_group: service
      subnet_tier: app
      discovery: {name}
"""
ROUTE = "      route: {{host: {name}.demo.example.com, health_path: /health, priority: {priority}}}\n"


def services_text(prefix: str, count: int, *, routed: bool, first_priority: int = 1) -> str:
    text = ""
    for index in range(count):
        name = f"{prefix}{index}"
        text += SERVICE.format(name=name)
        if routed:
            text += ROUTE.format(name=name, priority=first_priority + index)
    return text


def generated_spec(platform: int = 0, observability: int = 0, *, routed: bool = True) -> str:
    """The minimal spec with ``platform`` and ``observability`` extra services (each with its task
    definition, service, log group, discovery entry and, when ``routed``, target group and listener
    rule). Routes have distinct hosts under a wildcard the certificate covers and distinct priorities."""
    text = edit(
        minimal_text(),
        (
            "    domain: demo.example.com\n",
            "    domain: demo.example.com\n    alternative_names: ['*.demo.example.com']\n",
        ),
    )
    if platform:
        text = edit(text, ("  services: {}\n", "  services:\n" + services_text("app", platform, routed=routed)))
    if observability:
        extra = services_text("obs", observability, routed=routed, first_priority=platform + 1)
        text = edit(text, ("observability:\n  services:\n", "observability:\n  services:\n" + extra))
    return text


def line_of(text: str, marker: str) -> int:
    """1-based number of the one line of ``text`` that contains ``marker``."""
    found = [n for n, line in enumerate(text.splitlines(), start=1) if marker in line]
    assert len(found) == 1, f"{marker!r} is on {len(found)} lines, expected one"
    return found[0]
