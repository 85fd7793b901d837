"""What CloudFormation's resource registry says about a type (the schemas cfn-lint ships): which
properties replace the resource when changed, which identify it. Read by adopt and the sandbox."""

from __future__ import annotations

from functools import cache
from typing import Any

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


def create_only(resource_type: str) -> frozenset[str]:
    """Properties whose change replaces the resource."""
    return frozenset(property_names(resource_schema(resource_type).get("createOnlyProperties", [])))


def identifier_keys(resource_type: str) -> list[str]:
    """The properties that identify a resource of this type (its schema's primaryIdentifier), in order."""
    return property_names(resource_schema(resource_type).get("primaryIdentifier", []))


def importable(resource_type: str) -> bool:
    """Whether CloudFormation can import the type: the registry gives it an identifier and a read
    handler (an import reads the resource by its identifier). AWS::SNS::TopicPolicy has no read
    handler, so it cannot be imported; the deploy sets it instead."""
    schema = resource_schema(resource_type)
    return bool(schema.get("primaryIdentifier")) and "read" in schema.get("handlers", {})
