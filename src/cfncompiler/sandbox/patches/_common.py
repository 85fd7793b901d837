"""What more than one patch reads: moto's service backends (and, re-exported, the registry schemas)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from cfncompiler.templates.registry import property_names as property_names
from cfncompiler.templates.registry import resource_schema as resource_schema

# Services whose moto backend is one per partition (``aws``), not one per region.
_GLOBAL_SERVICES = frozenset({"s3", "iam"})


def backend(service: str, account_id: str, region: str) -> Any:
    """moto's backend of ``service`` (its module name: ``ec2``, ``elbv2``, ``s3``...) for the account and region."""
    from moto.utilities.utils import get_partition

    backends = getattr(import_module(f"moto.{service}.models"), f"{service}_backends")
    return backends[account_id][get_partition(region) if service in _GLOBAL_SERVICES else region]
