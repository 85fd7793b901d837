"""What more than one patch reads: moto's service backends and the registry schemas cfn-lint ships."""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import Any

# Services whose moto backend is one per partition (``aws``), not one per region.
_GLOBAL_SERVICES = frozenset({"s3", "iam"})

# The schemas differ little between regions for the types here; one region keeps a single cache.
SCHEMA_REGION = "us-east-1"


@cache
def resource_schema(resource_type: str) -> dict[str, Any]:
    """The registry schema of a resource type, or {} for a type the registry does not know."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER, ResourceNotFoundError

    try:
        schema: dict[str, Any] = PROVIDER_SCHEMA_MANAGER.get_resource_schema(SCHEMA_REGION, resource_type).schema
    except ResourceNotFoundError:
        return {}
    return schema


def property_names(paths: list[str]) -> list[str]:
    """``/properties/BucketName`` -> ``BucketName``, for the top-level property paths a schema lists."""
    return [path.split("/")[2] for path in paths if path.startswith("/properties/")]


def backend(service: str, account_id: str, region: str) -> Any:
    """moto's backend of ``service`` (its module name: ``ec2``, ``elbv2``, ``s3``...) for the account and region."""
    from moto.utilities.utils import get_partition

    backends = getattr(import_module(f"moto.{service}.models"), f"{service}_backends")
    return backends[account_id][get_partition(region) if service in _GLOBAL_SERVICES else region]
