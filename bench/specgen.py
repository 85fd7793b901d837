"""Specs for the scaling benchmark: the production spec with N services in the platform layer.

The production platform layer has three services (coder, litellm,
key-provisioner). :func:`generate` keeps them and adds synthetic ones until
the layer holds N, each shaped like key-provisioner: its own task definition,
log group, target group, ALB route on a distinct host under ``*.company.com``
(which the certificate already covers), and CloudMap discovery entry. The
rest of the spec is untouched, so every other layer compiles as in production.

Asset directories are relative to the spec file, so each one the spec names is
copied to the same relative place next to the generated spec.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

# Routed on a port the ALB group may already reach (ecs-services admits 8100 from the ALB).
SERVICE_PORT = 8100
DOMAIN = "company.com"


def service_name(index: int) -> str:
    """The name of the ``index``-th service (1-based over the whole layer), e.g. ``svc-004``."""
    return f"svc-{index:03d}"


def synthetic_service(name: str) -> CommentedMap:
    """One service like key-provisioner: routed, discoverable, calling LiteLLM with its master key."""
    service = CommentedMap()
    service["image"] = f"${{account}}.dkr.ecr.${{region}}.amazonaws.com/{name}:1.0.0"
    service["cpu"] = 256
    service["memory"] = 512
    service["ports"] = CommentedSeq([SERVICE_PORT])
    service["replicas"] = 1
    service["capacity"] = "fargate"
    service["security_group"] = "ecs-services"
    service["subnet_tier"] = "app"
    service["discovery"] = name
    service["route"] = CommentedMap([("host", f"{name}.{DOMAIN}"), ("health_path", "/health")])
    service["env"] = CommentedMap([("LITELLM_URL", "http://${service.litellm.host}:${service.litellm.port}")])
    service["secrets"] = CommentedMap([("LITELLM_MASTER_KEY", CommentedMap([("secret", "prod/litellm/master-key")]))])
    service["needs"] = CommentedSeq(["litellm"])
    return service


def generate(base: Path, services: int, dest: Path) -> Path:
    """Write the spec ``base`` with ``services`` services in its platform layer under ``dest``; return its path.

    The spec is written to ``dest/spec/<base stem>-<N>-services.yaml`` and each
    asset directory it names is copied beside it at the same relative path.
    """
    yaml = YAML(typ="rt")
    document: Any = yaml.load(base.read_text(encoding="utf-8"))
    existing: CommentedMap = document["platform"]["services"]
    if services < len(existing):
        raise ValueError(f"{base} already has {len(existing)} platform services; cannot make {services}")
    index = len(existing)
    while len(existing) < services:
        index += 1
        name = service_name(index)
        if name not in existing:
            existing[name] = synthetic_service(name)

    spec_dir = dest / "spec"
    spec_dir.mkdir(parents=True, exist_ok=True)
    target = spec_dir / f"{base.stem}-{services}-services.yaml"
    with target.open("w", encoding="utf-8") as handle:
        yaml.dump(document, handle)
    for relative in asset_paths(document):
        source = (base.parent / relative).resolve()
        copy = (spec_dir / relative).resolve()
        if source.is_dir() and not copy.exists():
            shutil.copytree(source, copy)
    return target


def asset_paths(document: Any) -> list[str]:
    """The asset directories the spec's services name, relative to the spec file."""
    found = []
    for section in ("platform", "observability"):
        for service in (document.get(section) or {}).get("services", {}).values():
            assets = service.get("assets") if isinstance(service, dict) else None
            if assets and "path" in assets:
                found.append(str(assets["path"]))
    return found
